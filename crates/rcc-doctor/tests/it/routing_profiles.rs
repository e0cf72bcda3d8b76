//! Routing simulation and configuration-only diagnosis for every shipped profile, not only the
//! Nortel seed: the Cisco CUPS and generic gateway paths have no Application Proxy, so only the
//! Home Server / Front End route and host authorization apply.

use crate::support::Run;
use rcc_core::diagnosis::LegState;
use rcc_core::findings::FindingId;
use rcc_core::generation::Generation;
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
        client: None,
        generation: None,
    }
}

/// LCS and OCS take a TCP route's next hop only as an IP address: a TCP rule to an FQDN says
/// so (fourth outsider round, cases 02 and 05); Lync takes the FQDN, and TLS routes name it.
#[test]
fn a_tcp_route_to_an_fqdn_says_lcs_and_ocs_want_the_address() {
    let p = profile("cisco").unwrap();
    let rules = parse_rules("[home-server]\n[host-authorization]\n", &p);
    let rule_assumptions = |generation: Option<Generation>| {
        let sim = simulate(
            &p,
            &rules.config,
            &Topology::infer(&p, [], Some("cups.contoso.com")),
            &CaseNames {
                generation,
                ..names("sip:bob@cups.contoso.com", "sip:bob@contoso.com")
            },
        );
        let route = &sim.problems[0];
        assert_eq!(route.finding, FindingId::HomeServerRouteMissing);
        assert!(route.rule.as_ref().unwrap().text().contains(" tcp "));
        route.rule_assumptions.join("\n")
    };
    let ocs = rule_assumptions(Some(Generation::Ocs2007R2));
    assert!(
        ocs.contains("Office Communications Server 2007 R2 takes a TCP route's next hop only as an IP address"),
        "{ocs}"
    );
    assert!(ocs.contains("in place of cups.contoso.com"), "{ocs}");
    assert!(rule_assumptions(None).contains("LCS and OCS take a TCP route's next hop"));
    // Nothing names the gateway: the rule's placeholder is not quoted back.
    let unnamed = simulate(
        &p,
        &rules.config,
        &Topology::default(),
        &CaseNames {
            generation: Some(Generation::Lcs2005),
            ..names("sip:bob@cups.contoso.com", "sip:bob@contoso.com")
        },
    );
    let said = unnamed.problems[0].rule_assumptions.join("\n");
    assert!(said.contains("IP address as the next hop"), "{said}");
    assert!(!said.contains("in place of <"), "{said}");
    assert!(!rule_assumptions(Some(Generation::Lync2013)).contains("only as an IP address"));
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
    // Over TCP the next hop is the address [servers] gives: LCS and OCS take no FQDN there.
    assert_eq!(
        sim.problems[0].rule.as_ref().map(|r| r.text()).as_deref(),
        Some("route  cups.contoso.com  -> 10.0.0.40:5060 tcp  replace-host=no")
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

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{path}", crate::support::ROOT)).unwrap()
}

/// A Lync case from its admin's own pastes: Get-CsUser for the user, the expanded static routes
/// and the trusted application pool. The pastes name the generation (Lync's shell) and the
/// user's pool (RegistrarPool), the route for the gateway's domain is missing, and the fix is
/// the New-CsStaticRoute commands, filled in.
#[test]
fn lync_pastes_give_the_lync_commands() {
    let a = Run::new("generic")
        .sign_in("kmoreno@tailspintoys.com")
        .ad(&fixture("ad/lync-get-csuser-good.txt"))
        .rules(&fixture("rules/lync-route-other-domain-trusted-pool.txt"))
        .analyze();
    let rules = a.rules.as_ref().unwrap();
    assert!(rules.problems.is_empty(), "{:?}", rules.problems);
    let g = a
        .diagnosis
        .generation
        .as_ref()
        .expect("the pastes name Lync");
    assert_eq!(g.generation, Generation::Lync2010);
    assert!(g.basis.contains("Get-CsUser"), "{}", g.basis);
    let ids: Vec<FindingId> = a.diagnosis.findings.iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        [FindingId::HomeServerRouteMissing],
        "the trusted pool is read"
    );
    let f = &a.diagnosis.findings[0];
    assert!(
        f.fix.is_empty(),
        "no LCS console words for a Lync case: {:?}",
        f.fix
    );
    let fix = f.admin_fix.as_ref().expect("a Lync fix");
    assert_eq!(fix.template, "route-lync");
    let chosen = fix.chosen.as_ref().unwrap();
    assert_eq!(chosen.id, "tls-global");
    let commands = chosen.commands.as_deref().unwrap();
    assert!(
        commands.contains("-Destination \"gw01.tailspintoys.com\"")
            && commands.contains("-MatchUri \"gw01.tailspintoys.com\"")
            && commands.contains("Set-CsStaticRoutingConfiguration -Route @{Add=$r}"),
        "{commands}"
    );
    assert!(!commands.contains('<'), "nothing left to fill: {commands}");
    assert!(fix.to_fill.is_empty(), "{:?}", fix.to_fill);
    // The user's pool from RegistrarPool fills the pool-level variants.
    assert!(
        fix.alternatives.iter().any(|v| v
            .commands
            .as_deref()
            .is_some_and(|c| c.contains("service:Registrar:lyncpool01.tailspintoys.com"))),
        "{:?}",
        fix.alternatives
    );
    // The port is the profile's: said so.
    assert!(
        f.assumptions.iter().any(|x| x.contains("port 5061")),
        "{:?}",
        f.assumptions
    );
}

/// An OCS admin's wmic exports: the generation is read as OCS 2007 (inferred: LCS 2005 has the
/// same classes). Their wildcard route sends the gateway's host to an SBC: routed only if the
/// SBC is the gateway, which the check asks to confirm; once `[servers]` names the gateway, the
/// route is wrong and the fix is in the OCS snap-in's words.
#[test]
fn ocs_wmi_exports_give_the_snap_in_steps() {
    const AD: &str = "msRTCSIP-UserEnabled: TRUE\nmsRTCSIP-PrimaryUserAddress: sip:carol@fabrikam.com\nmsRTCSIP-Line: tel:+14255550150;ext=150\nmsRTCSIP-LineServer: sip:rcc@cstagw.pbx.fabrikam.com\nmsRTCSIP-OptionFlags: 272\n";
    let wmi = fixture("rules/ocs-wmi-routes-and-hosts.txt");
    let a = Run::new("generic")
        .sign_in("carol@fabrikam.com")
        .ad(AD)
        .rules(&wmi)
        .analyze();
    let rules = a.rules.as_ref().unwrap();
    assert!(rules.problems.is_empty(), "{:?}", rules.problems);
    let g = a.diagnosis.generation.as_ref().unwrap();
    assert_eq!(g.generation, Generation::Ocs2007);
    assert!(g.inferred && g.basis.contains("WMI"), "{g:?}");
    let routed = a
        .checks
        .iter()
        .find(|c| c.id == "line-server-routed")
        .unwrap();
    assert_eq!(
        routed.status,
        rcc_core::directory::CheckStatus::Warning,
        "{}",
        routed.why
    );
    assert!(
        routed
            .why
            .contains("sbc.fabrikam.com is the SIP/CSTA gateway"),
        "{}",
        routed.why
    );
    assert!(a
        .diagnosis
        .needed
        .iter()
        .any(|n| n.what.contains("Confirm that sbc.fabrikam.com")));

    let named = format!("{wmi}\n[servers]\ngateway cstagw.pbx.fabrikam.com 10.1.2.3 tls:5061\n");
    let a = Run::new("generic")
        .sign_in("carol@fabrikam.com")
        .ad(AD)
        .rules(&named)
        .analyze();
    let ids: Vec<FindingId> = a.diagnosis.findings.iter().map(|f| f.id).collect();
    // The SBC is trusted, the gateway is not: both are to fix.
    assert_eq!(
        ids,
        [
            FindingId::HomeServerRouteMissing,
            FindingId::HostNotAuthorized
        ]
    );
    let f = &a.diagnosis.findings[0];
    assert!(
        f.explanation.contains("sbc.fabrikam.com"),
        "{}",
        f.explanation
    );
    let trust = a.diagnosis.findings[1].admin_fix.as_ref().unwrap();
    assert_eq!(trust.template, "trust-lcs-ocs");
    assert!(trust
        .check
        .as_deref()
        .unwrap()
        .contains("MSFT_SIPRemoteAddressData"));
    let fix = f.admin_fix.as_ref().unwrap();
    assert_eq!(fix.template, "route-ocs2007");
    assert!(fix.steps.iter().any(|s| s.contains("Front End Properties")));
    assert!(
        fix.steps
            .iter()
            .any(|s| s.contains("cstagw.pbx.fabrikam.com")),
        "{:?}",
        fix.steps
    );
    assert!(fix
        .check
        .as_deref()
        .unwrap()
        .contains("MSFT_SIPRoutingTableData"));
}

/// A generation chosen in the wizard wins over what the logs say, and a Lync pool has no
/// Application Proxy return route to add: the fix says so instead of inventing one.
#[test]
fn a_chosen_generation_rewrites_the_fix() {
    let a = crate::support::example(&rcc_core::example::nortel_seed(), true, true)
        .generation(Generation::Lync2013)
        .analyze();
    let g = a.diagnosis.generation.as_ref().unwrap();
    assert_eq!(g.generation, Generation::Lync2013);
    let back = a
        .diagnosis
        .findings
        .iter()
        .find(|f| f.id == FindingId::AppProxyReturnRouteMissing)
        .unwrap();
    let fix = back.admin_fix.as_ref().unwrap();
    assert!(!fix.applies);
    assert_eq!(fix.template, "return-route-lync");
}

/// Once the generation is known, the flow, the fixes and the report name the user's server
/// after its product and a Lync user's client Lync; while it is not, the profile's own names
/// stand ("Home Server (LCS/OCS)" covers every generation the profile serves).
#[test]
fn the_participants_are_named_as_the_generation_names_them() {
    let labels = |a: &rcc_core::analysis::AnalysisSummary| -> Vec<(String, String)> {
        a.profile
            .participants
            .iter()
            .map(|p| (p.id.clone(), p.label.clone()))
            .collect()
    };
    let label = |a: &rcc_core::analysis::AnalysisSummary, id: &str| {
        labels(a).into_iter().find(|(i, _)| i == id).unwrap().1
    };
    let seed = crate::support::example(&rcc_core::example::nortel_seed(), true, true);
    let from_logs = seed.analyze();
    assert_eq!(
        from_logs.diagnosis.generation.as_ref().unwrap().generation,
        Generation::Lcs2005
    );
    assert_eq!(label(&from_logs, "home-server"), "Home Server (LCS 2005)");
    assert_eq!(label(&from_logs, "client"), "Communicator");
    // The route's step names the server that answers the RCC server URI by the profile's name.
    let route = from_logs
        .diagnosis
        .findings
        .iter()
        .find(|f| f.id == FindingId::HomeServerRouteMissing)
        .and_then(|f| f.admin_fix.as_ref())
        .unwrap();
    assert_eq!(route.template, "route-lcs2005");
    assert!(
        route
            .steps
            .iter()
            .any(|s| s
                .contains("the Application Proxy (Nortel MCM) (which answers the RCC server URI)")),
        "{:?}",
        route.steps
    );
    let lync = seed.generation(Generation::Lync2013).analyze();
    assert_eq!(
        label(&lync, "home-server"),
        "Home Server (Lync Server 2013)"
    );
    assert_eq!(label(&lync, "client"), "Lync");
    let report = rcc_core::report::to_markdown(
        &rcc_core::report::ReportInput::from_summary(&lync, "2026-12-05 08:00 UTC"),
        &lync.diagnosis,
    );
    assert!(
        report.contains("Application Proxy (Nortel MCM) → Home Server (Lync Server 2013)"),
        "{report}"
    );
    assert!(!report.contains("(LCS/OCS)"), "{report}");
    // The gateway's side keeps the profile's names.
    assert_eq!(label(&lync, "app-proxy"), label(&from_logs, "app-proxy"));
    let unknown = Run::new("cisco")
        .sign_in("bob@contoso.com")
        .ad(CISCO_AD)
        .analyze();
    assert!(unknown.diagnosis.generation.is_none());
    assert_eq!(
        labels(&unknown),
        labels(&Run::new("cisco").analyze()),
        "no generation: the profile's names"
    );
    assert_eq!(label(&unknown, "front-end"), "Front End (Home Server)");
}

/// Without anything naming the generation, the fix stays generic and the wizard asks.
#[test]
fn an_unknown_generation_is_asked_for() {
    let d = Run::new("cisco")
        .sign_in("bob@contoso.com")
        .ad(CISCO_AD)
        .rules("[home-server]\nroute fabrikam.com -> sip.fabrikam.com\n")
        .analyze()
        .diagnosis;
    assert!(d.generation.is_none());
    assert!(d.findings.iter().all(|f| f.admin_fix.is_none()));
    assert!(d.findings.iter().all(|f| !f.fix.is_empty()));
    assert!(
        d.needed
            .iter()
            .any(|n| n.what.starts_with("Which server runs the user's pool")),
        "{:?}",
        d.needed
    );
}

/// Avaya AE Services rejects the pool's certificate: the pool's 1010 is the Microsoft-side
/// evidence, and the fix names what AE Services checks (Avaya 101042899) beside the OCS steps.
#[test]
fn avaya_certificate_rejection_names_what_ae_services_checks() {
    let dir = std::path::Path::new(crate::support::ROOT)
        .join("fixtures/scenarios/avaya-certificate-rejected");
    let a = crate::support::from_dir(&dir, "avaya", Some("alice@contoso.com"), None).analyze();
    let f = &a.diagnosis.findings[0];
    assert_eq!(f.id, FindingId::TlsTransportMismatch);
    let leg = f.leg.as_ref().unwrap();
    assert_eq!((leg.from.as_str(), leg.to.as_str()), ("home-server", "aes"));
    assert!(
        f.fix
            .iter()
            .any(|s| s.starts_with("On Avaya AE Services: \"Enforce Host Authorization\"")),
        "{:?}",
        f.fix
    );
    assert!(
        f.fix
            .iter()
            .any(|s| s.starts_with("On the LCS/OCS/Lync side: Certificates both ways")),
        "{:?}",
        f.fix
    );
    assert_eq!(
        a.diagnosis.generation.as_ref().unwrap().generation,
        Generation::Ocs2007
    );
}

/// Without a chosen gateway the profile is the one whose product the remote call control
/// dialogs name (as the command line without `--profile` runs); a chosen one stays chosen, and
/// what the logs name is kept beside it as a second opinion (the wizard's note, the report's
/// `gateway_in_logs`). A product no profile claims that accepts the session is the generic
/// gateway; two profiles' products, or none, name nothing.
#[test]
fn the_gateway_the_logs_name() {
    use crate::support::{from_dir, ROOT};
    let case = |name: &str| std::path::Path::new(ROOT).join("fixtures/cases").join(name);
    let cisco = case("12-cisco-dialstring-session-ok-wireshark");
    let a = from_dir(&cisco, "", None, None).analyze();
    assert_eq!(a.profile.id, "cisco");
    let seen = a.case.gateway_seen.clone().expect("the logs name CUPS");
    assert_eq!(seen.product, "Cisco-Systems-UA/7.0");
    let report = rcc_core::report::ReportInput::from_summary(&a, "");
    assert!(report
        .gateway_in_logs
        .is_some_and(|g| g.starts_with("Cisco-Systems-UA/7.0 (Cisco Unified Presence")));

    let a = from_dir(&cisco, "nortel", None, None).analyze();
    assert_eq!(a.profile.id, "nortel");
    assert_eq!(a.case.gateway_seen, Some(seen));

    let unknown = from_dir(
        &case("17-ocs2007-systemstatus-disabled-kb-indented"),
        "",
        None,
        None,
    );
    let a = unknown.analyze();
    assert_eq!(a.profile.id, "generic");
    assert_eq!(
        a.case.gateway_seen.map(|s| s.product).as_deref(),
        Some("TR87-Gateway/1.8")
    );

    // Nothing past the Home Server answered: the default stands in, named by nothing.
    let a = from_dir(&case("01-seed-lcs2005-404-serverlog-rules"), "", None, None).analyze();
    assert_eq!(
        (a.profile.id.as_str(), a.case.gateway_seen),
        ("nortel", None)
    );

    // A Cisco trace and a Nortel one together name no one gateway.
    let mut both = from_dir(&cisco, "", None, None);
    let nortel = from_dir(&case("10-r2-roaming-self-line-session-ok"), "", None, None);
    both.logs.extend(nortel.logs);
    assert_eq!(both.analyze().case.gateway_seen, None);
}
