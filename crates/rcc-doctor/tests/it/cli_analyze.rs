//! The `rcc-doctor analyze` command as scripts use it: exit codes and the JSON findings.

use std::process::Command;

const SEED: &str = concat!(
    concat!(env!("CARGO_MANIFEST_DIR"), "/../.."),
    "/fixtures/example/nortel-seed"
);

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rcc-doctor"))
        .args(args)
        .output()
        .expect("run rcc-doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ids(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn seed_case_from_config_and_logs_names_both_missing_routes() {
    let ad = format!("{SEED}/ad.ldif");
    let rules = format!("{SEED}/rules.txt");
    let client = format!("{SEED}/Communicator-uccapi-0.uccapilog");
    let server = format!("{SEED}/lcs01-logging-tool.log");
    let (code, out, err) = run(&[
        "analyze",
        "--json",
        "--profile",
        "nortel",
        "--ad",
        &ad,
        "--routes",
        &rules,
        &client,
        &server,
    ]);
    assert_eq!(code, 0, "{err}");
    let ids = ids(&out);
    assert!(
        ids.contains(&"home-server-route-missing".to_string()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"app-proxy-return-route-missing".to_string()),
        "{ids:?}"
    );
    assert!(!ids.contains(&"all-clear".to_string()));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let checks = v["checks"].as_array().expect("checks");
    assert!(
        checks
            .iter()
            .any(|c| c["id"] == "line-server-routed" && c["status"] == "fail"),
        "{checks:?}"
    );
}

#[test]
fn ad_checks_are_reported_in_text() {
    let ad = format!(
        "{}/fixtures/ad/ldif-seed-broken-base64-wrapped.ldf",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    );
    let (code, out, _) = run(&["analyze", "--ad", &ad]);
    assert_eq!(code, 0);
    assert!(out.contains("Directory checks"), "{out}");
    assert!(
        out.contains(
            "FAIL    Remote call control SIP URI (Server URI) is set (line-server-uri-present)"
        ),
        "{out}"
    );
}

#[test]
fn text_output_shows_formats_rule_and_flow() {
    let client = format!("{SEED}/Communicator-uccapi-0.uccapilog");
    let rules = format!("{SEED}/rules.txt");
    let (code, out, _) = run(&["analyze", "--routes", &rules, &client]);
    assert_eq!(code, 0);
    assert!(out.contains("Communicator/UCCAPI client trace"), "{out}");
    assert!(
        out.contains("rule to add: route  mcm-ap.contoso.com"),
        "{out}"
    );
    assert!(out.contains("NO ROUTE"), "{out}");
    // The text report counts the dialogs and transactions (the JSON report, which shows no
    // counts, leaves them uncounted).
    let merged = out
        .lines()
        .find(|l| l.trim_start().starts_with("merged:"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        merged.contains(" dialog") && !merged.contains('?'),
        "{merged}"
    );
    let dialogs: usize = merged
        .split(", ")
        .find_map(|p| {
            p.strip_suffix(" dialogs")
                .or_else(|| p.strip_suffix(" dialog"))?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{merged}"));
    assert!(dialogs > 0, "{merged}");
}

#[test]
fn unreadable_input_and_bad_usage_exit_2_never_101() {
    assert_eq!(run(&["analyze", "/nonexistent/file.log"]).0, 2);
    assert_eq!(run(&["analyze", "--profile", "no-such-gateway"]).0, 2);
    assert_eq!(run(&["analyze", "--bogus"]).0, 2);
    assert_eq!(run(&["frobnicate"]).0, 2);
    assert_eq!(run(&["--version"]).0, 0);
}

#[test]
fn binary_junk_is_read_without_a_crash() {
    let dir = std::env::temp_dir().join(format!("rcc-doctor-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.bin");
    let bytes: Vec<u8> = (0..65536u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&junk, bytes).unwrap();
    let (code, out, _) = run(&["analyze", junk.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("Not a SIP log"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn timings_go_to_stderr_in_one_json_line_and_leave_the_report_alone() {
    let client = format!("{SEED}/Communicator-uccapi-0.uccapilog");
    let (code, plain, _) = run(&["analyze", "--json", &client]);
    let (timed_code, timed, err) = run(&["analyze", "--json", "--timings", &client]);
    assert_eq!((code, timed_code), (0, 0));
    assert_eq!(
        ids(&plain),
        ids(&timed),
        "--timings changes nothing in the report"
    );
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("rcc-doctor timings: "))
        .unwrap_or_else(|| panic!("no timings line in {err:?}"));
    let t: serde_json::Value = serde_json::from_str(line).expect("JSON timings");
    let size = std::fs::metadata(&client).expect("fixture").len();
    assert_eq!(t["bytes"].as_u64(), Some(size));
    let ms = |k: &str| {
        t[k].as_f64()
            .unwrap_or_else(|| panic!("{k} missing in {line}"))
    };
    let stages = [
        "read_files_ms",
        "ingest_ms",
        "diagnose_ms",
        "grades_wait_ms",
        "ladder_ms",
        "report_ms",
        "write_ms",
        "free_ms",
    ];
    for k in stages {
        assert!(ms(k) >= 0.0, "{k} = {}", ms(k));
    }
    // The stages follow each other on one clock: together they are the whole time.
    let sum: f64 = stages.iter().map(|k| ms(k)).sum();
    assert!((sum - ms("total_ms")).abs() < 0.01, "{sum} vs {line}");
    let (_, _, quiet) = run(&["analyze", "--json", &client]);
    assert!(!quiet.contains("timings"), "no timings unless asked");
}
