//! The seed incident (built-in example) diagnosed from logs alone, from configuration alone
//! (AD + rules) and from both; the fixed case reaching all-clear each way; and the routing step
//! and the diagnosis telling the same story.

use crate::support::{example, Run};
use rcc_core::analysis::AnalysisSummary;
use rcc_core::case::Source;
use rcc_core::diagnosis::{Confidence, Diagnosis, LegState};
use rcc_core::evidence::Evidence;
use rcc_core::example::{nortel_fixed, nortel_seed};
use rcc_core::findings::FindingId;
use rcc_core::wizard::Step;

fn ids(d: &Diagnosis) -> Vec<FindingId> {
    let mut v: Vec<FindingId> = d.findings.iter().map(|f| f.id).collect();
    v.sort();
    v
}

fn state_of(d: &Diagnosis, from: &str, to: &str) -> LegState {
    d.flow
        .iter()
        .find(|l| l.from == from && l.to == to && !l.extra && l.message.contains("route"))
        .map(|l| l.state)
        .unwrap_or_else(|| panic!("no leg {from} -> {to}"))
}

fn finding(d: &Diagnosis, id: FindingId) -> &rcc_core::diagnosis::Finding {
    d.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", ids(d)))
}

const HS_RULE: &str = "route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no";
const AP_RULE: &str = "route  *  -> lcs01.contoso.com:5061 tls  replace-host=no";

#[test]
fn seed_from_logs_alone() {
    let d = example(&nortel_seed(), true, false).analyze().diagnosis;
    assert_eq!(ids(&d), [FindingId::HomeServerRouteMissing]);
    let f = &d.findings[0];
    assert!(f
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Log { excerpt, .. } if excerpt.contains("404"))));
    // The rule is written from the logs, with what it assumes named.
    assert_eq!(f.rule.as_deref(), Some(HS_RULE));
    assert!(
        f.assumptions.iter().any(|a| a.contains("5061")),
        "{:?}",
        f.assumptions
    );
    assert_eq!(
        state_of(&d, "home-server", "app-proxy"),
        LegState::MissingRoute
    );
    // The 404 that proves it is drawn right after the failing leg.
    let i = d
        .flow
        .iter()
        .position(|l| l.state == LegState::MissingRoute)
        .unwrap();
    assert!(d.flow[i + 1].extra && d.flow[i + 1].message.starts_with("404"));
    // The return route cannot be seen from logs that stop at the Home Server: ask for it.
    assert!(d.needed.iter().any(|n| n.step == Step::Routing));
    assert!(d.needed.iter().any(|n| n.step == Step::Directory));
}

#[test]
fn seed_from_configuration_alone() {
    let d = example(&nortel_seed(), false, true).analyze().diagnosis;
    assert_eq!(
        ids(&d),
        [
            FindingId::HomeServerRouteMissing,
            FindingId::AppProxyReturnRouteMissing
        ]
    );
    let hs = finding(&d, FindingId::HomeServerRouteMissing);
    assert_eq!(hs.rule.as_deref(), Some(HS_RULE));
    assert!(hs
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Rule { row: None, .. })));
    let ap = finding(&d, FindingId::AppProxyReturnRouteMissing);
    assert_eq!(ap.rule.as_deref(), Some(AP_RULE));
    assert_eq!(
        state_of(&d, "home-server", "app-proxy"),
        LegState::MissingRoute
    );
    assert_eq!(
        state_of(&d, "app-proxy", "home-server"),
        LegState::MissingRoute
    );
    // Nothing was seen: configuration never makes a leg "ok".
    assert!(d.flow.iter().all(|l| l.state != LegState::Ok));
    assert!(d.needed.iter().any(|n| n.step == Step::Logs));
}

#[test]
fn seed_from_both() {
    let d = example(&nortel_seed(), true, true).analyze().diagnosis;
    assert_eq!(
        ids(&d),
        [
            FindingId::HomeServerRouteMissing,
            FindingId::AppProxyReturnRouteMissing
        ]
    );
    let hs = finding(&d, FindingId::HomeServerRouteMissing);
    assert_eq!(hs.confidence, Confidence::High);
    assert_eq!(hs.rule.as_deref(), Some(HS_RULE));
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
    assert!(!d.needed.iter().any(|n| n.step == Step::Routing));
}

#[test]
fn fixed_case_is_all_clear_each_way() {
    let logs = example(&nortel_fixed(), true, false).analyze().diagnosis;
    assert_eq!(ids(&logs), [FindingId::AllClear]);
    assert_eq!(logs.findings[0].confidence, Confidence::High);
    assert!(
        logs.flow.iter().all(|l| matches!(
            l.state,
            LegState::Ok | LegState::Inferred | LegState::Unknown
        )),
        "{:?}",
        logs.flow
    );
    // Legs the Microsoft-side logs cannot show are implied, never "seen".
    assert!(logs
        .flow
        .iter()
        .filter(|l| l.kind == rcc_core::profile::LegKind::Hidden)
        .all(|l| l.state == LegState::Inferred));

    let config = example(&nortel_fixed(), false, true).analyze().diagnosis;
    assert_eq!(ids(&config), [FindingId::AllClear]);
    assert_eq!(config.findings[0].confidence, Confidence::Medium);

    let both = example(&nortel_fixed(), true, true).analyze().diagnosis;
    assert_eq!(ids(&both), [FindingId::AllClear]);
}

#[test]
fn never_all_clear_without_evidence() {
    let d = Run::new("nortel").analyze().diagnosis;
    assert!(d.findings.is_empty());
    let steps: Vec<Step> = d.needed.iter().map(|n| n.step).collect();
    for s in [Step::Logs, Step::Directory, Step::Routing, Step::Symptom] {
        assert!(steps.contains(&s), "{s:?} missing from {steps:?}");
    }
    // AD alone, all fine, but no routes: not all-clear.
    let ex = nortel_fixed();
    let d = Run::new("nortel")
        .sign_in(ex.sign_in)
        .ad(ex.ad_ldif)
        .analyze()
        .diagnosis;
    assert!(d.findings.is_empty(), "{:?}", ids(&d));
    assert!(d.needed.iter().any(|n| n.step == Step::Routing));
}

#[test]
fn names_come_from_the_logs_when_servers_are_not_listed() {
    let ex = nortel_seed();
    // Drop the [servers] section: the Home Server's FQDN must come from its own diagnostics.
    let rules = ex.rules.split("[servers]").next().unwrap_or_default();
    let mut run = example(&ex, true, true);
    run.rules = rules.to_string();
    let d = run.analyze().diagnosis;
    let ap = finding(&d, FindingId::AppProxyReturnRouteMissing);
    assert_eq!(ap.rule.as_deref(), Some(AP_RULE));
}

/// The rules' route problems, as the routing step shows them, are the diagnosis's findings with
/// the same rule (or were overruled by what the logs show).
pub fn routing_step_agrees_with_diagnosis(a: &AnalysisSummary) -> Result<(), String> {
    let Some(sim) = &a.simulation else {
        return Ok(());
    };
    for p in &sim.problems {
        let shown = a.diagnosis.findings.iter().any(|f| {
            (f.id == p.finding && (p.rule.is_none() || f.rule == p.rule.as_ref().map(|r| r.text())))
                || f.id == FindingId::RulesDisagreeWithLogs
        });
        if !shown {
            return Err(format!(
                "the routing step shows {} ({:?}) but the diagnosis has {:?}",
                p.finding,
                p.rule,
                a.diagnosis
                    .findings
                    .iter()
                    .map(|f| (f.id, f.rule.clone()))
                    .collect::<Vec<_>>()
            ));
        }
    }
    Ok(())
}

#[test]
fn a_line_server_uri_without_sip_gives_one_story_on_every_step() {
    // The directory value lacks `sip:`; the logs show what the client really used.
    let ex = nortel_seed();
    let ad = ex.ad_ldif.replace(
        "msRTCSIP-LineServer: sip:rcc@mcm-ap.contoso.com",
        "msRTCSIP-LineServer: rcc@mcm-ap.contoso.com",
    );
    let a = example(&ex, true, true).ad(&ad).analyze();
    // The directory check flags the value ...
    assert!(a
        .checks
        .iter()
        .any(|c| c.id == "line-server-uri-valid"
            && c.status == rcc_core::directory::CheckStatus::Fail));
    assert!(a.diagnosis.has(FindingId::LineServerUriInvalid));
    // ... and the routing step simulates the same URI the diagnosis names the route for.
    let used = a
        .case
        .line_server_uri
        .as_ref()
        .expect("a usable line server URI");
    assert_eq!(used.value, "sip:rcc@mcm-ap.contoso.com");
    assert_ne!(used.source, Source::Directory);
    assert_eq!(
        a.case
            .unusable_line_server
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("rcc@mcm-ap.contoso.com")
    );
    let sim = a.simulation.as_ref().expect("the rules were simulated");
    assert_eq!(sim.forward.request_uri, used.value);
    assert_eq!(
        finding(&a.diagnosis, FindingId::HomeServerRouteMissing)
            .rule
            .as_deref(),
        Some(HS_RULE)
    );
    routing_step_agrees_with_diagnosis(&a).unwrap();
    // Without logs the same: the URI is the AD value with `sip:` added, said to be assumed.
    let a = Run::new("nortel")
        .sign_in(ex.sign_in)
        .ad(&ad)
        .rules(ex.rules)
        .analyze();
    let used = a.case.line_server_uri.as_ref().unwrap();
    assert_eq!(used.source, Source::Assumed);
    assert_eq!(
        a.simulation.as_ref().unwrap().forward.request_uri,
        used.value
    );
    routing_step_agrees_with_diagnosis(&a).unwrap();
}
