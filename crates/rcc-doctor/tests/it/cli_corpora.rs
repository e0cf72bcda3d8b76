//! `rcc-doctor analyze --json` (the built binary) on every file of fixtures/real-logs and
//! fixtures/sip-torture: it exits 0 and the report's per-file counts (`inputs.files[]`) say what
//! the readers say (the expectations of `real_logs.rs` and `torture.rs`).

use crate::{real_logs, torture};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The report's `inputs.files[0]` for one file.
fn analyze(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rcc-doctor"))
        .arg("analyze")
        .arg("--json")
        .arg(path)
        .output()
        .expect("run rcc-doctor");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let files = v["inputs"]["files"].as_array().expect("inputs.files");
    assert_eq!(files.len(), 1);
    files[0].clone()
}

fn n(f: &Value, k: &str) -> usize {
    f[k].as_u64().unwrap_or_else(|| panic!("{k} in {f}")) as usize
}

fn has(f: &Value, line: u32, fragment: &str) -> bool {
    f["problems"].as_array().unwrap().iter().any(|p| {
        p["line"].as_u64() == Some(u64::from(line))
            && p["message"].as_str().is_some_and(|m| m.contains(fragment))
    })
}

#[test]
fn real_logs_through_the_cli() {
    for e in real_logs::REAL {
        let f = analyze(&real_logs::dir().join(e.file));
        let got = (
            n(&f, "messages"),
            n(&f, "clean"),
            n(&f, "repaired"),
            n(&f, "partly_parsed"),
            n(&f, "events"),
            f["problems"].as_array().unwrap().len(),
        );
        let want = (
            e.messages,
            e.clean,
            e.repaired,
            e.partly_parsed,
            e.events,
            e.problems.len(),
        );
        assert_eq!(got, want, "{}: {f}", e.file);
        for (line, fragment) in e.problems {
            assert!(has(&f, *line, fragment), "{}: {f}", e.file);
        }
    }
}

#[test]
fn the_torture_suite_through_the_cli() {
    for c in torture::cases() {
        let f = analyze(&torture::dir().join(&c.file));
        let messages = n(&f, "messages");
        assert_eq!(messages, c.messages, "{}", c.file);
        let problems = f["problems"].as_array().unwrap().len();
        let erratum = torture::LENGTH_ERRATA.iter().find(|(x, _)| *x == c.file);
        let flagged = torture::WELL_FORMED_FLAGGED
            .iter()
            .find(|(x, _, _)| *x == c.file);
        match c.class.as_str() {
            "valid" => match erratum {
                None => {
                    assert_eq!(n(&f, "clean"), messages, "{}: {f}", c.file);
                    assert_eq!(problems, 0, "{}: {f}", c.file);
                }
                Some(&(_, line)) => {
                    assert_eq!(n(&f, "partly_parsed"), 1, "{}", c.file);
                    assert!(has(&f, line, "Content-Length"), "{}: {f}", c.file);
                }
            },
            "invalid" => {
                let (_, line, fragment) = torture::INVALID
                    .iter()
                    .find(|(x, _, _)| *x == c.file)
                    .expect("an expectation");
                assert_eq!(n(&f, "partly_parsed"), messages, "{}", c.file);
                assert!(has(&f, *line, fragment), "{}: {f}", c.file);
            }
            "well-formed" => match flagged {
                None => assert_eq!(n(&f, "clean"), messages, "{}: {f}", c.file),
                Some((_, line, fragment)) => {
                    assert_eq!(n(&f, "partly_parsed"), messages, "{}", c.file);
                    assert!(has(&f, *line, fragment), "{}: {f}", c.file);
                }
            },
            _ => {}
        }
        assert_eq!(
            n(&f, "clean") + n(&f, "repaired") + n(&f, "partly_parsed"),
            messages
        );
    }
}
