//! Every case folder under `fixtures/scenarios/` (written with the engine) and `fixtures/cases/`
//! (written blind, from the domain notes alone) runs through the one door into the analysis,
//! as the CLI and the wizard do, and its whole report is compared with `expected.toml`: the
//! finding ids (exactly), and for each finding its failing leg, the rule to add and the evidence
//! lines that must be among its evidence; optionally the flow's failing leg.
//!
//! ```toml
//! profile = "nortel"
//! sign_in = "alice@contoso.com"        # optional
//! generation = "lcs2005"               # optional: the generation the report names
//! [[finding]]
//! id = "home-server-route-missing"
//! leg = "home-server -> app-proxy"     # optional; "none" = no leg
//! rule = "route mcm-ap.contoso.com -> mcm-ap.contoso.com:5061 tls"   # optional
//! evidence = ["capture.txt:12"]        # optional: lines its evidence must cover
//! fix_words = "New-CsStaticRoute"      # optional: words the fix must use
//! fix_title = "certificate"            # optional: words the generation's fix title must use
//! explanation_words = "typo"           # optional: words the explanation must use
//! severity = "error"                   # optional: the severity shown
//! [[run]]                              # optional: a subset of the log files
//! files = ["capture.txt"]
//! ids = ["home-server-route-missing"]
//! ```

use crate::support::{from_dir, ROOT};
use rcc_core::analysis::AnalysisSummary;
use rcc_core::diagnosis::LegState;
use rcc_core::evidence::Evidence;
use rcc_core::findings::{FindingId, Severity};
use rcc_core::profile::LegKind;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(serde::Deserialize)]
struct Expected {
    /// The gateway the user names; none: the default profile stands in (as on the command line).
    #[serde(default)]
    profile: String,
    sign_in: Option<String>,
    #[serde(default)]
    finding: Vec<ExpectedFinding>,
    /// Further ids that may appear besides the expected ones (a case written blind may accept
    /// a second reading).
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    run: Vec<Run>,
    /// The flow's failing leg, `from -> to` (participant ids), or "none".
    failing: Option<String>,
    /// The server generation the report must name (`lcs2005` … `lync2013`).
    generation: Option<String>,
}

#[derive(serde::Deserialize)]
struct ExpectedFinding {
    id: String,
    leg: Option<String>,
    /// The rule to add, or "none": the finding must not carry one.
    rule: Option<String>,
    #[serde(default)]
    evidence: Vec<String>,
    /// Lines of which at least one must be among its evidence (cases that repeat a failure).
    #[serde(default)]
    evidence_any: Vec<String>,
    /// Words the fix must use (a cmdlet, a console tab), in the generation's words or not.
    fix_words: Option<String>,
    /// Words the title of the fix in the generation's tools must use (the row chosen).
    fix_title: Option<String>,
    /// Words the finding's explanation must use.
    explanation_words: Option<String>,
    /// The severity shown (`error`, `warning`, `info`).
    severity: Option<String>,
}

#[derive(serde::Deserialize)]
struct Run {
    files: Vec<String>,
    ids: Vec<String>,
}

fn case_dirs(under: &str) -> Vec<PathBuf> {
    let root = Path::new(ROOT).join(under);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn norm_rule(r: &str) -> String {
    r.split_whitespace()
        .filter(|w| *w != "replace-host=no")
        .collect::<Vec<_>>()
        .join(" ")
}

fn ids(a: &AnalysisSummary) -> Vec<String> {
    let mut v: Vec<String> = a
        .diagnosis
        .findings
        .iter()
        .map(|f| f.id.to_string())
        .collect();
    v.sort();
    v
}

fn describe(a: &AnalysisSummary) -> String {
    a.diagnosis
        .findings
        .iter()
        .map(|f| {
            format!(
                "  {} leg={:?} rule={:?}\n    {}\n    evidence: {}",
                f.id,
                f.leg.as_ref().map(|l| format!("{} -> {}", l.from, l.to)),
                f.rule,
                f.explanation,
                f.evidence
                    .iter()
                    .map(|e| e.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What differs between a report and its expectation (empty = as expected).
fn check(dir: &Path, exp: &Expected) -> Vec<String> {
    let mut problems = Vec::new();
    let a = from_dir(dir, &exp.profile, exp.sign_in.as_deref(), None).analyze();
    let mut want: Vec<String> = exp.finding.iter().map(|f| f.id.clone()).collect();
    want.sort();
    let got: Vec<String> = ids(&a)
        .into_iter()
        .filter(|i| !exp.also.contains(i) || want.contains(i))
        .collect();
    if got != want {
        problems.push(format!("ids: want {want:?}, got {:?}", ids(&a)));
    }
    for e in &exp.finding {
        let Some(f) = a.diagnosis.findings.iter().find(|f| f.id.as_str() == e.id) else {
            continue;
        };
        if let Some(leg) = &e.leg {
            let got = f
                .leg
                .as_ref()
                .map_or("none".to_string(), |l| format!("{} -> {}", l.from, l.to));
            if &got != leg {
                problems.push(format!("{}: leg {got}, want {leg}", e.id));
            }
        }
        if let Some(rule) = &e.rule {
            let got = f.rule.as_deref().map(norm_rule);
            let want = (rule != "none").then(|| norm_rule(rule));
            if got != want {
                problems.push(format!("{}: rule {got:?}, want {rule:?}", e.id));
            }
        }
        if let Some(words) = &e.fix_words {
            let mut text = f.fix.join("\n");
            if let Some(x) = &f.admin_fix {
                text.push_str(&x.steps.join("\n"));
                for v in x.chosen.iter().chain(&x.alternatives) {
                    text.push_str(v.commands.as_deref().unwrap_or(""));
                    text.push_str(&v.steps.join("\n"));
                }
                text.push_str(x.check.as_deref().unwrap_or(""));
            }
            if !text.contains(words.as_str()) {
                problems.push(format!("{}: the fix does not say {words:?}", e.id));
            }
        }
        if let Some(words) = &e.explanation_words {
            if !f.explanation.contains(words.as_str()) {
                problems.push(format!("{}: the explanation does not say {words:?}", e.id));
            }
        }
        if let Some(want) = &e.severity {
            let got = f.severity.as_str();
            if got != want {
                problems.push(format!("{}: severity {got}, want {want}", e.id));
            }
        }
        if let Some(words) = &e.fix_title {
            let title = f.admin_fix.as_ref().map(|x| x.title.as_str());
            if !title.is_some_and(|t| t.contains(words.as_str())) {
                problems.push(format!("{}: fix title {title:?} lacks {words:?}", e.id));
            }
        }
        let covered = |want_line: &str| {
            let (file, line) = want_line.rsplit_once(':').expect("file:line");
            let line: u32 = line.parse().expect("a line number");
            f.evidence.iter().any(|ev| match ev {
                Evidence::Log {
                    file: f,
                    line_start,
                    line_end,
                    ..
                } => f.ends_with(file) && (*line_start..=*line_end).contains(&line),
                _ => false,
            })
        };
        for want_line in &e.evidence {
            if !covered(want_line) {
                problems.push(format!("{}: evidence lacks {want_line}", e.id));
            }
        }
        if !e.evidence_any.is_empty() && !e.evidence_any.iter().any(|l| covered(l)) {
            problems.push(format!(
                "{}: evidence covers none of {:?}",
                e.id, e.evidence_any
            ));
        }
    }
    if let Some(g) = &exp.generation {
        let got = a.diagnosis.generation.as_ref().map(|g| g.generation.id());
        if got != Some(g.as_str()) {
            problems.push(format!("generation {got:?}, want {g}"));
        }
    }
    if let Some(fl) = &exp.failing {
        let got = a
            .diagnosis
            .failing_leg()
            .map_or("none".to_string(), |l| format!("{} -> {}", l.from, l.to));
        if &got != fl {
            problems.push(format!("failing leg {got}, want {fl}"));
        }
    }
    // The finding card and the flow never disagree: an error finding's leg is failing in the
    // flow, and a failing leg of the flow is some finding's leg.
    for f in a
        .diagnosis
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        if let Some(l) = &f.leg {
            let shown =
                a.diagnosis.flow.iter().find(|x| {
                    !x.extra && x.from == l.from && x.to == l.to && x.message == l.message
                });
            if shown.is_some_and(|x| !x.state.is_failure())
                && f.id != FindingId::ProvisioningMismatch
            {
                problems.push(format!(
                    "{}: its leg {} -> {} is '{}' in the flow",
                    f.id,
                    l.from,
                    l.to,
                    shown.map(|x| x.state.as_str()).unwrap_or("")
                ));
            }
        }
    }
    if !problems.is_empty() {
        problems.push(describe(&a));
    }
    // Subsets of the logs.
    for run in &exp.run {
        let a = from_dir(dir, &exp.profile, exp.sign_in.as_deref(), Some(&run.files)).analyze();
        let mut want = run.ids.clone();
        want.sort();
        if ids(&a) != want {
            problems.push(format!(
                "run {:?}: want {want:?}, got {:?}\n{}",
                run.files,
                ids(&a),
                describe(&a)
            ));
        }
    }
    problems
}

fn check_all(under: &str) {
    let dirs = case_dirs(under);
    assert!(!dirs.is_empty(), "no cases under {under}");
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = fs::read_to_string(dir.join("expected.toml")).unwrap();
        let exp: Expected =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let problems = check(dir, &exp);
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n{}",
                dir.file_name().unwrap().to_string_lossy(),
                problems.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}

/// A capture between the Home Server and the gateway holds the forwarded INVITE and the
/// gateway's answers to the Home Server, never what the Home Server sent the client: the flow
/// shows the answer back as seen and the answer to the client (and its 100 Trying) as not seen.
/// The gateway's 100 Trying and 200 OK used to be drawn on the client's legs.
#[test]
fn a_capture_behind_the_home_server_shows_the_copies_it_forwarded_not_the_clients() {
    let dir = Path::new(ROOT).join("fixtures/cases/19-ocs2007-gateway-events-challenged-407");
    let only = ["tcp-stream-7-fe-to-gw.txt".to_string()];
    let a = from_dir(&dir, "generic", None, Some(&only)).analyze();
    let leg = |kind: LegKind| {
        a.diagnosis
            .flow
            .iter()
            .find(|l| l.kind == kind && !l.extra)
            .unwrap_or_else(|| panic!("no {kind:?} leg"))
    };
    assert_eq!(leg(LegKind::Forward).state, LegState::Ok);
    // The INVITE as the client sent it is not in the capture: its forwarded copy implies it.
    assert_eq!(leg(LegKind::Invite).state, LegState::Inferred);
    assert!(leg(LegKind::Invite).evidence.is_empty());
    assert_eq!(leg(LegKind::AnswerBack).state, LegState::Ok);
    assert!(leg(LegKind::AnswerBack)
        .evidence
        .iter()
        .any(|e| e.label().contains("tcp-stream-7-fe-to-gw.txt")));
    assert_eq!(leg(LegKind::Answer).state, LegState::Inferred);
    assert!(leg(LegKind::Answer).evidence.is_empty());
    assert_eq!(leg(LegKind::Trying).state, LegState::Unknown);
}

/// A SIPp probe sent the CSTA INVITE on the user's behalf: the flow names the client after
/// it, and the configuration legs stay unknown (a probe never asks for the client's
/// configuration: the INVITE does not imply them). The error answer drawn as proof says what
/// came, with nothing beside it (fourth outsider round, case 08).
#[test]
fn a_probe_that_sent_the_invite_names_the_client_and_implies_no_configuration() {
    let dir = Path::new(ROOT).join("fixtures/cases/06-sipp-tcp-503-1005-route-domain-typo");
    let a = from_dir(&dir, "generic", None, None).analyze();
    let client = a
        .profile
        .participants
        .iter()
        .find(|p| p.id == "client")
        .unwrap();
    assert_eq!(client.label, "Client (SIPp/Linux)");
    assert_eq!(
        a.case
            .client_tool
            .as_deref()
            .map(|t| t.starts_with("SIPp/Linux")),
        Some(true)
    );
    let flow = &a.diagnosis.flow;
    for kind in [LegKind::Subscribe, LegKind::Provisioning] {
        let leg = flow.iter().find(|l| l.kind == kind).unwrap();
        assert_eq!(leg.state, LegState::Unknown, "{kind:?}: {flow:#?}");
    }
    let invite = flow
        .iter()
        .find(|l| l.kind == LegKind::Invite && !l.extra)
        .unwrap();
    assert_eq!(invite.state, LegState::Ok);
    let proof = flow.iter().find(|l| l.extra).expect("the error answer");
    assert!(proof.message.starts_with("503"), "{}", proof.message);
    assert_eq!(proof.other_message(), None);
    // A client's own trace still implies its configuration (the seed: Communicator 2005).
    let seed = crate::support::example(&rcc_core::example::nortel_seed(), true, true).analyze();
    assert!(seed.case.client_tool.is_none());
}

/// A gateway that reports its PBX link down (systemStatus disabled) still answered: the 200 OK
/// the client got came back through the Home Server, so that leg is implied, not "not
/// reached"; the client's leg is drawn with what came, not the known-good "systemStatus
/// normal" (third outsider round, case 12).
#[test]
fn the_answer_of_a_gateway_whose_pbx_link_is_down_came_back_through_the_home_server() {
    let dir = Path::new(ROOT).join("fixtures/cases/17-ocs2007-systemstatus-disabled-kb-indented");
    let a = from_dir(&dir, "generic", None, None).analyze();
    let flow = &a.diagnosis.flow;
    let failing = flow
        .iter()
        .position(|l| l.state == LegState::Failing && !l.extra)
        .expect("a failing leg");
    let leg = |kind: LegKind| {
        flow.iter()
            .find(|l| l.kind == kind && !l.extra)
            .unwrap_or_else(|| panic!("no {kind:?} leg"))
    };
    let back = flow
        .iter()
        .position(|l| l.kind == LegKind::AnswerBack && !l.extra)
        .unwrap();
    assert!(back > failing, "{flow:#?}");
    assert_eq!(leg(LegKind::AnswerBack).state, LegState::Inferred);
    let answer = leg(LegKind::Answer);
    assert_eq!(answer.state, LegState::Ok);
    let seen = answer.observed.as_deref().expect("what came");
    assert!(seen.contains("disabled"), "{seen}");
    assert_eq!(answer.shown_message(), seen);
    assert_eq!(
        answer.other_message(),
        Some(rcc_core::diagnosis::OtherMessage::Expected(&answer.message))
    );
    // The reports list the leg as the CLI and the diagram do: what came, then what was expected.
    let report = rcc_core::report::to_markdown(
        &rcc_core::report::ReportInput::from_summary(&a, "2026-12-05 08:00 UTC"),
        &a.diagnosis,
    );
    let expected = format!("{seen} (expected: {})", answer.message);
    assert!(report.contains(&expected), "{expected}\n{report}");
    // The fix starts at the link the status speaks of, not at the line URI.
    let csta = a
        .diagnosis
        .findings
        .iter()
        .find(|f| f.id == rcc_core::findings::FindingId::CstaError)
        .expect("csta-error");
    assert!(
        csta.fix[0].starts_with("Check the link from the SIP/CSTA gateway to the PBX first"),
        "{:?}",
        csta.fix
    );
    // Past the answer the client saw, nothing more was reached.
    assert!(flow
        .iter()
        .filter(|l| matches!(l.kind, LegKind::Info | LegKind::InfoAnswer))
        .all(|l| l.state == LegState::NotReached));
}

#[test]
fn every_scenario_gives_its_expected_report() {
    check_all("fixtures/scenarios");
}

#[test]
fn every_case_written_blind_gives_its_expected_report() {
    check_all("fixtures/cases");
}

#[test]
fn every_finding_id_has_a_scenario() {
    let mut covered: Vec<String> = Vec::new();
    for under in ["fixtures/scenarios", "fixtures/cases"] {
        for dir in case_dirs(under) {
            let exp: Expected =
                toml::from_str(&fs::read_to_string(dir.join("expected.toml")).unwrap()).unwrap();
            covered.extend(exp.finding.into_iter().map(|f| f.id));
        }
    }
    for id in FindingId::ALL {
        assert!(
            covered.iter().any(|c| c == id.as_str()),
            "no scenario expects {id}"
        );
    }
}
