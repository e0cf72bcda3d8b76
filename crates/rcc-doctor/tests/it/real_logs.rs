//! The public real logs (fixtures/real-logs, see its README for sources and licences): every
//! message and every diagnostic record is read, with exact counts and grades.
//!
//! Two grades to know: the Edge record's OPTIONS (`ocs2007r2-edge-sipstack.log`) has no From
//! header as published (the article trimmed it), so it is partly parsed with that reason; the
//! Skype for Business 500 is published with every header line indented by one space, which is
//! read as an indent (repaired), not as folding. The two `msdiag-*-line.txt` files hold a lone
//! `ms-diagnostics` header line each: no SIP message, one diagnostic record with its code,
//! reason and source, and a note saying the message around it is missing.

use rcc_core::ingest::*;
use rcc_core::sip::ParseQuality;
use std::path::{Path, PathBuf};

pub fn dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("fixtures/real-logs")
}

/// What each real log reads as.
pub struct Expect {
    pub file: &'static str,
    pub format: LogFormat,
    pub messages: usize,
    pub clean: usize,
    pub repaired: usize,
    pub partly_parsed: usize,
    pub events: usize,
    /// (line, fragment) of every problem, in order.
    pub problems: &'static [(u32, &'static str)],
}

pub const REAL: &[Expect] = &[
    Expect {
        file: "ocs2007-register-200ok.sip",
        format: LogFormat::RawSip,
        messages: 1,
        clean: 1,
        repaired: 0,
        partly_parsed: 0,
        events: 0,
        problems: &[],
    },
    Expect {
        file: "ocs2007r2-register.sip",
        format: LogFormat::RawSip,
        messages: 2,
        clean: 2,
        repaired: 0,
        partly_parsed: 0,
        events: 0,
        problems: &[],
    },
    Expect {
        file: "ocs2007r2-edge-sipstack.log",
        format: LogFormat::ServerLog,
        messages: 1,
        clean: 0,
        repaired: 0,
        partly_parsed: 1,
        events: 1,
        problems: &[(7, "this request has no From header")],
    },
    Expect {
        file: "sfb2019-500-msdiag15000.txt",
        format: LogFormat::RawSip,
        messages: 1,
        clean: 0,
        repaired: 1,
        partly_parsed: 0,
        events: 0,
        problems: &[],
    },
    Expect {
        file: "msdiag-1017-line.txt",
        format: LogFormat::RawSip,
        messages: 0,
        clean: 0,
        repaired: 0,
        partly_parsed: 0,
        events: 1,
        problems: &[(1, "an ms-diagnostics header without its SIP message")],
    },
    Expect {
        file: "msdiag-4005-line.txt",
        format: LogFormat::RawSip,
        messages: 0,
        clean: 0,
        repaired: 0,
        partly_parsed: 0,
        events: 1,
        problems: &[(1, "an ms-diagnostics header without its SIP message")],
    },
];

fn run(file: &str) -> Ingested {
    let bytes = std::fs::read(dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    ingest(&[InputFile {
        name: file,
        bytes: &bytes,
    }])
}

#[test]
fn every_real_log_is_listed_and_reads_with_exact_counts() {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "README.md" && !n.starts_with('.'))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = REAL.iter().map(|e| e.file.to_string()).collect();
    listed.sort();
    assert_eq!(listed, on_disk);
    for e in REAL {
        let r = run(e.file);
        let f = &r.files[0];
        let got = (
            f.format, f.messages, f.clean, f.repaired, f.partial, f.events,
        );
        let want = (
            e.format,
            e.messages,
            e.clean,
            e.repaired,
            e.partly_parsed,
            e.events,
        );
        assert_eq!(got, want, "{}: {:?}", e.file, f.problems);
        assert_eq!(
            f.problems.len(),
            e.problems.len(),
            "{}: {:?}",
            e.file,
            f.problems
        );
        for (p, (line, fragment)) in f.problems.iter().zip(e.problems) {
            assert_eq!(p.line, *line, "{}: {p:?}", e.file);
            assert!(p.message.contains(fragment), "{}: {p:?}", e.file);
        }
    }
}

#[test]
fn the_ocs_messages_are_read_in_full() {
    let r = run("ocs2007r2-register.sip");
    let reg = &r.messages[0];
    assert_eq!(reg.method(), Some("REGISTER"));
    assert!(reg
        .header("Proxy-Authorization")
        .unwrap()
        .starts_with("NTLM qop=\"auth\""));
    assert!(reg
        .header("Contact")
        .unwrap()
        .ends_with("+sip.instance=\"<urn:uuid:34D859DB-6585-5F91-A3B4-DE853C15347D>\""));
    let ok = &r.messages[1];
    assert_eq!(ok.status(), Some(200));
    assert_eq!(ok.header("Server"), Some("RTC/3.5"));
    assert_eq!(ok.headers_named("Supported").count(), 2);
    let r = run("ocs2007-register-200ok.sip");
    assert!(r.messages[0]
        .header("Via")
        .unwrap()
        .ends_with("ms-received-port=10409;ms-received-cid=1E00"));
}

/// The published REGISTER's Via has no branch (RFC 2543 style, or trimmed by its publisher):
/// RFC 3261 17.2.3 then matches on what request and response share, so the REGISTER and its
/// 200 OK are one transaction (they counted none).
#[test]
fn a_request_and_its_answer_without_a_branch_are_one_transaction() {
    let r = run("ocs2007r2-register.sip");
    assert!(r.messages[0]
        .header("Via")
        .is_some_and(|v| !v.contains("branch")));
    let t = r.transactions();
    assert_eq!((t.len(), r.transaction_count), (1, 1));
    assert_eq!(
        (t[0].branch.as_str(), t[0].method.as_str()),
        ("", "REGISTER")
    );
    assert_eq!(t[0].messages, [0, 1]);
    assert_eq!(t[0].retransmissions, 0);
}

#[test]
fn the_edge_log_keeps_its_protocol_record_and_its_diagnostic_record() {
    let r = run("ocs2007r2-edge-sipstack.log");
    let m = &r.messages[0];
    assert_eq!(m.method(), Some("OPTIONS"));
    assert_eq!(m.header("Max-Forwards"), Some("70"));
    assert_eq!(m.peer(), Some("lyncservr.contoso.com:61182"));
    assert!(matches!(
        &m.quality(),
        ParseQuality::Partial { line: 7, .. }
    ));
    let e = &r.events[0];
    assert_eq!(e.field("Level"), Some("TL_ERROR"));
    assert_eq!(e.field("Flag"), Some("TF_COMPONENT"));
    assert_eq!(e.field("LogType"), Some("diagnostic"));
    assert_eq!(e.field("Severity"), Some("warning"));
    assert_eq!(
        e.field("Result-Code"),
        Some("0xc3e93c5e SIPPROXY_E_ROUTING")
    );
    assert_eq!(
        e.field("SIP-Call-ID"),
        Some("c00bc6180f284b948be61febf274d05e")
    );
    assert_eq!(e.field("SIP-CSeq"), Some("1 OPTIONS"));
    assert!(e
        .field("Text")
        .unwrap()
        .starts_with("Cannot process Route headers from a non-trusted source"));
    assert!(e.field("Trace").unwrap().contains("SIPPROXY_E_ROUTING"));
    assert_eq!((e.source.line_start, e.source.line_end), (20, 28));
}

#[test]
fn the_published_500_reads_as_indented_not_folded() {
    let r = run("sfb2019-500-msdiag15000.txt");
    let m = &r.messages[0];
    assert_eq!(m.status(), Some(500));
    assert_eq!(m.header_count(), 11);
    assert!(m
        .header("ms-diagnostics")
        .unwrap()
        .starts_with("15000;reason="));
    assert_eq!(m.header("Content-Length"), Some("0"));
    assert_eq!(m.call_id(), Some("fd8c35c4bf9c41999f72bac2ddbacec4"));
    let ParseQuality::Repaired { reasons } = &m.quality() else {
        panic!("{:?}", m.quality())
    };
    assert!(
        reasons.contains(&"indent of 1 white-space character removed from 11 lines".to_string()),
        "{reasons:?}"
    );
}

#[test]
fn a_lone_ms_diagnostics_line_is_a_diagnostic_record() {
    let r = run("msdiag-4005-line.txt");
    let e = &r.events[0];
    assert_eq!(e.field("Code"), Some("4005"));
    assert_eq!(
        e.field("Reason"),
        Some("Destination URI either not enabled for SIP or does not exist")
    );
    assert_eq!(e.field("Source"), Some("Lyncpool.domainname.com"));
    let r = run("msdiag-1017-line.txt");
    assert_eq!(r.events[0].field("Code"), Some("1017"));
    assert_eq!(
        r.events[0].field("Reason"),
        Some("Cannot route From and To domains in this combination")
    );
}
