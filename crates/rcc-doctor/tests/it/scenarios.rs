//! Every scenario under `fixtures/scenarios/<finding-id>/` runs through ingest → diagnose and
//! must produce exactly the finding ids its `expected.toml` lists: once with all its files, and
//! once per `[[run]]` (a subset of the log files; `ad.ldif` and `rules.txt` always apply).
//!
//! `expected.toml`: `profile`, `sign_in`, `ids` (all files) and optional `[[run]] files, ids`.

use rcc_core::diagnosis::{diagnose, Diagnosis, DiagnosisInput, LegState, Severity, FINDING_IDS};
use rcc_core::directory::{parse_paste, AdAttributes};
use rcc_core::ingest::{ingest, InputFile};
use rcc_core::profile::profile;
use rcc_core::routing::parse_rules;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(serde::Deserialize)]
struct Expected {
    profile: String,
    sign_in: Option<String>,
    ids: Vec<String>,
    #[serde(default)]
    run: Vec<Run>,
}

#[derive(serde::Deserialize)]
struct Run {
    files: Vec<String>,
    ids: Vec<String>,
}

fn read_ldif(text: &str) -> AdAttributes {
    let p = parse_paste(text);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    p.attributes
}

fn scenario_dirs() -> Vec<PathBuf> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("fixtures/scenarios");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("fixtures/scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn run(dir: &Path, exp: &Expected, only: Option<&[String]>) -> Diagnosis {
    let mut logs: Vec<(String, Vec<u8>)> = Vec::new();
    for e in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().to_string();
        if matches!(name.as_str(), "expected.toml" | "ad.ldif" | "rules.txt") {
            continue;
        }
        if only.is_some_and(|o| !o.contains(&name)) {
            continue;
        }
        logs.push((name, fs::read(e.path()).unwrap()));
    }
    logs.sort();
    let files: Vec<InputFile> = logs
        .iter()
        .map(|(n, b)| InputFile { name: n, bytes: b })
        .collect();
    let ing = ingest(&files);
    let mut input = DiagnosisInput::new(profile(&exp.profile).expect("profile"));
    input.sign_in = exp.sign_in.clone();
    input.messages = ing.messages;
    input.events = ing.events;
    if let Ok(t) = fs::read_to_string(dir.join("ad.ldif")) {
        input.ad = Some(read_ldif(&t));
    }
    if let Ok(t) = fs::read_to_string(dir.join("rules.txt")) {
        let parsed = parse_rules(&t);
        assert!(
            parsed.problems.is_empty(),
            "{}: {:?}",
            dir.display(),
            parsed.problems
        );
        input.routing = Some(parsed.config);
        input.topology = parsed.topology;
    }
    diagnose(&input)
}

fn ids(d: &Diagnosis) -> Vec<String> {
    let mut v: Vec<String> = d.findings.iter().map(|f| f.id.clone()).collect();
    v.sort();
    v
}

#[test]
fn every_scenario_gives_its_expected_ids() {
    let dirs = scenario_dirs();
    assert!(dirs.len() >= 15, "expected a scenario per finding id");
    let mut failures = Vec::new();
    for dir in &dirs {
        let exp: Expected =
            toml::from_str(&fs::read_to_string(dir.join("expected.toml")).unwrap()).unwrap();
        let mut runs: Vec<(Option<Vec<String>>, Vec<String>)> = vec![(None, exp.ids.clone())];
        runs.extend(
            exp.run
                .iter()
                .map(|r| (Some(r.files.clone()), r.ids.clone())),
        );
        for (only, want) in runs {
            let d = run(dir, &exp, only.as_deref());
            let mut want = want.clone();
            want.sort();
            let got = ids(&d);
            if got != want {
                failures.push(format!(
                    "{} {:?}: want {want:?}, got {got:?}\n{}",
                    dir.file_name().unwrap().to_string_lossy(),
                    only.unwrap_or_default(),
                    d.findings
                        .iter()
                        .map(|f| format!("  {} : {}", f.id, f.explanation))
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
            // Every finding carries evidence; every failing diagnosis marks a leg.
            for f in &d.findings {
                assert!(
                    !f.evidence.is_empty() || f.id == "all-clear",
                    "{}: {} has no evidence",
                    dir.display(),
                    f.id
                );
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn scenario_folders_cover_every_documented_finding_id() {
    let names: Vec<String> = scenario_dirs()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    for id in FINDING_IDS {
        assert!(names.iter().any(|n| n == id), "no scenario for {id}");
    }
}

#[test]
fn each_scenario_has_logs_in_two_formats() {
    for dir in scenario_dirs() {
        let logs = fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                let n = e.file_name().to_string_lossy().to_string();
                !matches!(n.as_str(), "expected.toml" | "ad.ldif" | "rules.txt")
            })
            .count();
        assert!(logs >= 2, "{} has {logs} log file(s)", dir.display());
    }
}

#[test]
fn failing_scenarios_mark_a_failing_leg() {
    for dir in scenario_dirs() {
        let exp: Expected =
            toml::from_str(&fs::read_to_string(dir.join("expected.toml")).unwrap()).unwrap();
        let d = run(&dir, &exp, None);
        let failing = d
            .flow
            .iter()
            .any(|l| matches!(l.state, LegState::Failing | LegState::MissingRoute));
        let errors = d.findings.iter().any(|f| f.severity == Severity::Error);
        let clear = ids(&d) == ["all-clear"];
        assert!(
            !errors || failing,
            "{}: error without a failing leg",
            dir.display()
        );
        assert!(
            !clear || !failing,
            "{}: all-clear with a failing leg",
            dir.display()
        );
    }
}
