//! The seed incident (built-in example) diagnosed from logs alone, from configuration alone
//! (AD + rules) and from both; and the fixed case reaching all-clear each way.

use rcc_core::diagnosis::{diagnose, Confidence, Diagnosis, DiagnosisInput, LegState};
use rcc_core::directory::{parse_paste, AdAttributes};
use rcc_core::evidence::Evidence;
use rcc_core::example::{nortel_fixed, nortel_seed, ExampleCase};
use rcc_core::ingest::{ingest, InputFile};
use rcc_core::profile::profile;
use rcc_core::routing::parse_rules;

fn read_ldif(text: &str) -> AdAttributes {
    let p = parse_paste(text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    p.attributes
}

fn input(ex: &ExampleCase, logs: bool, config: bool) -> DiagnosisInput {
    let mut i = DiagnosisInput::new(profile(ex.profile_id).unwrap());
    i.sign_in = Some(ex.sign_in.into());
    if logs {
        let files: Vec<InputFile> = ex
            .logs
            .iter()
            .map(|(n, t)| InputFile {
                name: n,
                bytes: t.as_bytes(),
            })
            .collect();
        let ing = ingest(&files);
        i.messages = ing.messages;
        i.events = ing.events;
    }
    if config {
        i.ad = Some(read_ldif(ex.ad_ldif));
        let r = parse_rules(ex.rules);
        i.routing = Some(r.config);
        i.topology = r.topology;
    }
    i
}

fn ids(d: &Diagnosis) -> Vec<&str> {
    let mut v: Vec<&str> = d.findings.iter().map(|f| f.id.as_str()).collect();
    v.sort_unstable();
    v
}

fn state_of(d: &Diagnosis, from: &str, to: &str) -> LegState {
    d.flow
        .iter()
        .find(|l| l.from == from && l.to == to && l.message.contains("route"))
        .map(|l| l.state)
        .unwrap()
}

#[test]
fn seed_from_logs_alone() {
    let d = diagnose(&input(&nortel_seed(), true, false));
    assert_eq!(ids(&d), ["home-server-route-missing"]);
    let f = &d.findings[0];
    assert_eq!(f.confidence, Confidence::High);
    assert!(f
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Log { excerpt, .. } if excerpt.contains("404"))));
    assert_eq!(
        state_of(&d, "home-server", "app-proxy"),
        LegState::MissingRoute
    );
    // The return route cannot be seen from logs that stop at the Home Server: ask for it.
    assert!(d.needed.iter().any(|n| n.step == "routing"));
    assert!(d.needed.iter().any(|n| n.step == "directory"));
}

#[test]
fn seed_from_configuration_alone() {
    let d = diagnose(&input(&nortel_seed(), false, true));
    assert_eq!(
        ids(&d),
        [
            "app-proxy-return-route-missing",
            "home-server-route-missing"
        ]
    );
    let hs = d
        .findings
        .iter()
        .find(|f| f.id == "home-server-route-missing")
        .unwrap();
    assert_eq!(
        hs.rule.as_deref(),
        Some("route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no")
    );
    assert!(hs
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Rule { row: None, .. })));
    let ap = d
        .findings
        .iter()
        .find(|f| f.id == "app-proxy-return-route-missing")
        .unwrap();
    assert_eq!(
        ap.rule.as_deref(),
        Some("route  *  -> lcs01.contoso.com:5061 tls  replace-host=no")
    );
    assert_eq!(
        state_of(&d, "home-server", "app-proxy"),
        LegState::MissingRoute
    );
    assert_eq!(
        state_of(&d, "app-proxy", "home-server"),
        LegState::MissingRoute
    );
    assert!(d.needed.iter().any(|n| n.step == "logs"));
}

#[test]
fn seed_from_both() {
    let d = diagnose(&input(&nortel_seed(), true, true));
    assert_eq!(
        ids(&d),
        [
            "app-proxy-return-route-missing",
            "home-server-route-missing"
        ]
    );
    let hs = d
        .findings
        .iter()
        .find(|f| f.id == "home-server-route-missing")
        .unwrap();
    assert_eq!(hs.confidence, Confidence::High);
    // Evidence from both sides: the 404 and the absent rule.
    assert!(hs
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Log { .. })));
    assert!(hs
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Rule { .. })));
    assert_eq!(
        state_of(&d, "home-server", "app-proxy"),
        LegState::MissingRoute
    );
    assert_eq!(
        state_of(&d, "app-proxy", "home-server"),
        LegState::MissingRoute
    );
    assert!(!d.needed.iter().any(|n| n.step == "routing"));
}

#[test]
fn fixed_case_is_all_clear_each_way() {
    let logs = diagnose(&input(&nortel_fixed(), true, false));
    assert_eq!(ids(&logs), ["all-clear"]);
    assert_eq!(logs.findings[0].confidence, Confidence::High);
    assert!(logs.flow.iter().all(|l| l.state == LegState::Ok));

    let config = diagnose(&input(&nortel_fixed(), false, true));
    assert_eq!(ids(&config), ["all-clear"]);
    assert_eq!(config.findings[0].confidence, Confidence::Medium);

    let both = diagnose(&input(&nortel_fixed(), true, true));
    assert_eq!(ids(&both), ["all-clear"]);
}

#[test]
fn never_all_clear_without_evidence() {
    let d = diagnose(&DiagnosisInput::new(profile("nortel").unwrap()));
    assert!(d.findings.is_empty());
    let steps: Vec<&str> = d.needed.iter().map(|n| n.step.as_str()).collect();
    for s in ["logs", "directory", "routing", "symptom"] {
        assert!(steps.contains(&s), "{s} missing from {steps:?}");
    }
    // AD alone, all fine, but no routes: not all-clear.
    let mut i = input(&nortel_fixed(), false, true);
    i.routing = None;
    let d = diagnose(&i);
    assert!(d.findings.is_empty(), "{:?}", ids(&d));
    assert!(d.needed.iter().any(|n| n.step == "routing"));
}

#[test]
#[ignore = "prints the seed diagnosis for eyeballing: cargo test --test scenarios_seed dump -- --ignored --nocapture"]
fn dump() {
    let d = diagnose(&input(&nortel_seed(), true, true));
    println!("{}", serde_json::to_string_pretty(&d).unwrap());
}

#[test]
fn names_come_from_the_logs_when_servers_are_not_listed() {
    let ex = nortel_seed();
    let mut i = input(&ex, true, true);
    // Drop the [servers] section: the Home Server's FQDN must come from its own diagnostics.
    let rules: String = ex
        .rules
        .split("[servers]")
        .next()
        .unwrap_or_default()
        .to_string();
    let r = parse_rules(&rules);
    assert!(r.topology.hosts.is_empty());
    i.routing = Some(r.config);
    i.topology = r.topology;
    let d = diagnose(&i);
    let ap = d
        .findings
        .iter()
        .find(|f| f.id == "app-proxy-return-route-missing")
        .unwrap();
    assert_eq!(
        ap.rule.as_deref(),
        Some("route  *  -> lcs01.contoso.com:5061 tls  replace-host=no")
    );
}

#[test]
#[ignore = "prints what each seed mode still needs: cargo test --test scenarios_seed needed_dump -- --ignored --nocapture"]
fn needed_dump() {
    for (logs, config) in [(true, false), (false, true), (true, true)] {
        let d = diagnose(&input(&nortel_seed(), logs, config));
        println!("logs={logs} config={config}: {:?}", ids(&d));
        for n in &d.needed {
            println!("  [{}] {}", n.step, n.what);
        }
    }
}
