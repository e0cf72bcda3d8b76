//! `rcc-doctor redact FILE... --out DIR [--map]`: writes redacted copies under the same names,
//! prints counts, writes mapping.json only with --map, exits 2 on bad arguments or unreadable
//! input, and never overwrites its inputs.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rcc-doctor"))
}

fn fixture(p: &str) -> String {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures")
        .join(p)
        .to_string_lossy()
        .into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn redacts_files_into_the_out_dir() {
    let out = tmp("redact-cli-ok");
    let o = bin()
        .args([
            "redact",
            &fixture("logs/client.uccapilog"),
            &fixture("ad/ldif-good.ldf"),
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    for c in ["phone", "user", "name", "host", "ip", "id", "auth", "org"] {
        assert!(stdout.contains(&format!("  {c:<6}")), "{c} in {stdout}");
    }
    let log = std::fs::read_to_string(out.join("client.uccapilog")).unwrap();
    let ad = std::fs::read_to_string(out.join("ldif-good.ldf")).unwrap();
    assert!(!log.contains("contoso") && !ad.contains("contoso"));
    assert!(!log.contains("alice") && !ad.contains("alice"));
    // One map across files: the user's SIP URI reads the same in both.
    let uri = ad
        .lines()
        .find_map(|l| l.strip_prefix("msRTCSIP-PrimaryUserAddress: "))
        .unwrap();
    assert!(log.contains(uri), "{uri}");
    assert!(!out.join("mapping.json").exists());
}

#[test]
fn map_is_written_only_when_asked_with_a_warning() {
    let out = tmp("redact-cli-map");
    let o = bin()
        .args(["redact", &fixture("logs/server_home.log"), "--map", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ORIGINAL"));
    let map: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("mapping.json")).unwrap()).unwrap();
    let entries = map.as_array().unwrap();
    assert!(entries.iter().any(|e| e["original"] == "contoso.com"));
    for e in entries {
        assert!(e["category"].is_string() && e["token"].is_string());
    }
}

#[test]
fn bad_arguments_and_unreadable_files_exit_2() {
    let out = tmp("redact-cli-bad");
    for args in [
        vec!["redact".to_string()],
        vec!["redact".into(), fixture("logs/client.uccapilog")],
        vec!["redact".into(), "--out".into()],
        vec!["redact".into(), "--bogus".into()],
        vec![
            "redact".into(),
            "/nonexistent/file.log".into(),
            "--out".into(),
            out.to_string_lossy().into(),
        ],
    ] {
        let o = bin().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    }
    assert!(!out.exists(), "nothing written when an input is unreadable");
}

#[test]
fn refuses_to_overwrite_its_input() {
    let dir = tmp("redact-cli-same");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("a.log");
    std::fs::write(&f, "From: <sip:alice@contoso.com>\n").unwrap();
    let o = bin()
        .args([
            "redact",
            &f.to_string_lossy(),
            "--out",
            &dir.to_string_lossy(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(std::fs::read_to_string(&f).unwrap().contains("alice"));
}
