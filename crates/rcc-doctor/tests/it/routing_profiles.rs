//! Routing simulation and configuration-only diagnosis for every shipped profile, not only the
//! Nortel seed: the Cisco CUPS and generic gateway paths have no Application Proxy, so only the
//! Home Server / Front End route and host authorization apply.

use rcc_core::diagnosis::{diagnose, DiagnosisInput, LegState};
use rcc_core::directory::parse_paste;
use rcc_core::profile::{profile, profiles};
use rcc_core::routing::{parse_rules, simulate, CaseNames, PathOutcome};

const CISCO_AD: &str = "\
msRTCSIP-UserEnabled: TRUE
msRTCSIP-PrimaryUserAddress: sip:bob@contoso.com
msRTCSIP-Line: tel:+14255550142;ext=5142
msRTCSIP-LineServer: sip:bob@cups.contoso.com
msRTCSIP-OptionFlags: 272
";

fn names(ls: &str, user: &str) -> CaseNames {
    CaseNames {
        line_server_uri: ls.into(),
        user_uri: user.into(),
    }
}

#[test]
fn cisco_front_end_needs_a_route_to_cups_and_authorization() {
    let p = profile("cisco").unwrap();
    let broken = parse_rules(
        "[home-server]\n[host-authorization]\n[servers]\nfront-end ocs1.contoso.com 10.0.0.5\ncups cups.contoso.com 10.0.0.40 tcp:5060\n",
    );
    assert!(broken.problems.is_empty(), "{:?}", broken.problems);
    let sim = simulate(
        &p,
        &broken.config,
        &broken.topology,
        &names("sip:bob@cups.contoso.com", "sip:bob@contoso.com"),
    );
    let ids: Vec<&str> = sim.problems.iter().map(|x| x.finding.as_str()).collect();
    assert_eq!(ids, ["home-server-route-missing", "host-not-authorized"]);
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
    );
    let sim = simulate(
        &p,
        &fixed.config,
        &fixed.topology,
        &names("sip:bob@cups.contoso.com", "sip:bob@contoso.com"),
    );
    assert!(sim.problems.is_empty(), "{:?}", sim.problems);
    assert_eq!(sim.forward.outcome, PathOutcome::Reached);
}

#[test]
fn cisco_configuration_only_diagnosis() {
    let mut input = DiagnosisInput::new(profile("cisco").unwrap());
    input.sign_in = Some("bob@contoso.com".into());
    input.ad = Some(parse_paste(CISCO_AD).attributes);
    let rules = parse_rules("[home-server]\nroute fabrikam.com -> sip.fabrikam.com\n[host-authorization]\ncups.contoso.com authenticated throttle-as-server\n");
    input.routing = Some(rules.config);
    input.topology = rules.topology;
    let d = diagnose(&input);
    let ids: Vec<&str> = d.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["home-server-route-missing"]);
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
    );
    let sim = simulate(
        &p,
        &rules.config,
        &rules.topology,
        &names("sip:rcc@csta-gw.pbx.contoso.com", "sip:carol@contoso.com"),
    );
    assert!(sim.problems.is_empty(), "{:?}", sim.problems);
    assert_eq!(sim.forward.outcome, PathOutcome::Reached);
    assert!(sim.verdict().0);
}

#[test]
fn every_profile_diagnoses_without_input_and_asks_for_evidence() {
    for p in profiles() {
        let d = diagnose(&DiagnosisInput::new(p.clone()));
        assert!(d.findings.is_empty(), "{}", p.id);
        assert!(d.needed.len() >= 3, "{}: {:?}", p.id, d.needed);
    }
}
