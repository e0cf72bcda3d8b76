//! Routing simulation and configuration-only diagnosis for every shipped profile, not only the
//! Nortel seed: the Cisco CUPS and generic gateway paths have no Application Proxy, so only the
//! Home Server / Front End route and host authorization apply.

use crate::support::Run;
use rcc_core::diagnosis::LegState;
use rcc_core::findings::FindingId;
use rcc_core::profile::{profile, profiles};
use rcc_core::routing::{parse_rules, simulate, CaseNames, PathOutcome, Topology};

const CISCO_AD: &str = "\
msRTCSIP-UserEnabled: TRUE
msRTCSIP-PrimaryUserAddress: sip:bob@contoso.com
msRTCSIP-Line: tel:5142;phone-context=dialstring;device=SEP0002FD3BB5C5
msRTCSIP-LineServer: sip:bob@cups.contoso.com
msRTCSIP-OptionFlags: 272
";

fn names(ls: &str, user: &str) -> CaseNames {
    CaseNames {
        line_server_uri: Some(ls.into()),
        user_uri: Some(user.into()),
    }
}

#[test]
fn cisco_front_end_needs_a_route_to_cups_and_authorization() {
    let p = profile("cisco").unwrap();
    let broken = parse_rules(
        "[home-server]\n[host-authorization]\n[servers]\nfront-end ocs1.contoso.com 10.0.0.5\ncups cups.contoso.com 10.0.0.40 tcp:5060\n",
        &p,
    );
    assert!(broken.problems.is_empty(), "{:?}", broken.problems);
    let sim = simulate(
        &p,
        &broken.config,
        &Topology::entered(&broken.servers),
        &names("sip:bob@cups.contoso.com", "sip:bob@contoso.com"),
    );
    let ids: Vec<FindingId> = sim.problems.iter().map(|x| x.finding).collect();
    assert_eq!(
        ids,
        [
            FindingId::HomeServerRouteMissing,
            FindingId::HostNotAuthorized
        ]
    );
    assert_eq!(
        sim.problems[0].rule.as_deref(),
        Some("route  cups.contoso.com  -> cups.contoso.com:5060 tcp  replace-host=no")
    );
    assert!(
        sim.back.is_none(),
        "CUPS routes back by its own configuration"
    );

    let fixed = parse_rules(
        "[home-server]\nroute cups.contoso.com -> cups.contoso.com:5060 tcp\n[host-authorization]\ncups.contoso.com authenticated throttle-as-server\n[servers]\nfront-end ocs1.contoso.com\ncups cups.contoso.com 10.0.0.40 tcp:5060\n",
        &p,
    );
    let sim = simulate(
        &p,
        &fixed.config,
        &Topology::entered(&fixed.servers),
        &names("sip:bob@cups.contoso.com", "sip:bob@contoso.com"),
    );
    assert!(sim.problems.is_empty(), "{:?}", sim.problems);
    assert_eq!(sim.forward.outcome, PathOutcome::Reached);
}

#[test]
fn cisco_configuration_only_diagnosis() {
    let d = Run::new("cisco")
        .sign_in("bob@contoso.com")
        .ad(CISCO_AD)
        .rules("[home-server]\nroute fabrikam.com -> sip.fabrikam.com\n[host-authorization]\ncups.contoso.com authenticated throttle-as-server\n")
        .analyze()
        .diagnosis;
    let ids: Vec<FindingId> = d.findings.iter().map(|f| f.id).collect();
    assert_eq!(ids, [FindingId::HomeServerRouteMissing]);
    let leg = d
        .flow
        .iter()
        .find(|l| l.from == "front-end" && l.to == "cups")
        .unwrap();
    assert_eq!(leg.state, LegState::MissingRoute);
}

#[test]
fn generic_gateway_reached_directly() {
    let p = profile("generic").unwrap();
    let rules = parse_rules(
        "[home-server]\nroute *.pbx.contoso.com -> csta-gw.pbx.contoso.com:5061 tls\n[host-authorization]\ncsta-gw.pbx.contoso.com authenticated throttle-as-server\n[servers]\ngateway csta-gw.pbx.contoso.com\n",
        &p,
    );
    let sim = simulate(
        &p,
        &rules.config,
        &Topology::entered(&rules.servers),
        &names("sip:rcc@csta-gw.pbx.contoso.com", "sip:carol@contoso.com"),
    );
    assert!(sim.problems.is_empty(), "{:?}", sim.problems);
    assert_eq!(sim.forward.outcome, PathOutcome::Reached);
    assert!(sim.route_verdict().routed);
}

#[test]
fn every_profile_diagnoses_without_input_and_asks_for_evidence() {
    for p in profiles() {
        let d = Run::new(&p.id).analyze().diagnosis;
        assert!(d.findings.is_empty(), "{}", p.id);
        assert!(d.needed.len() >= 3, "{}: {:?}", p.id, d.needed);
    }
}

/// The rules-format page's examples are valid rules text, and the seed example gives the two
/// rules the page says.
#[test]
fn the_rules_format_page_examples_parse() {
    let page = std::fs::read_to_string(format!("{}/docs/rules-format.md", crate::support::ROOT))
        .expect("docs/rules-format.md");
    let blocks: Vec<&str> = page
        .split("```text\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .filter(|b| {
            b.lines()
                .any(|l| l.starts_with('[') && l.trim_end().ends_with(']'))
        })
        .collect();
    assert!(blocks.len() >= 3, "{}", blocks.len());
    for b in &blocks {
        for p in profiles() {
            let r = parse_rules(b, p);
            // A [servers] row may name another profile's participant; nothing else fails.
            assert!(
                r.problems
                    .iter()
                    .all(|x| x.message.contains("not a participant")),
                "{}: {:?}\n{b}",
                p.id,
                r.problems
            );
        }
    }
    let d = Run::new("nortel")
        .sign_in("alice@contoso.com")
        .ad("msRTCSIP-LineServer: sip:rcc@mcm-ap.contoso.com\n")
        .rules(blocks[0])
        .analyze()
        .diagnosis;
    for rule in [
        "route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no",
        "route  *  -> lcs01.contoso.com:5061 tls  replace-host=no",
    ] {
        assert!(page.contains(rule), "the page names {rule}");
        assert!(
            d.findings.iter().any(|f| f.rule.as_deref() == Some(rule)),
            "{rule}: {:?}",
            d.findings
        );
    }
}
