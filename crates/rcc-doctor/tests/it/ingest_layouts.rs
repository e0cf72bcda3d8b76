//! Layouts met in real logs, each read in full (fixtures written by `make_fixtures.py` with
//! litwareinc.com names and TEST-NET addresses): raw SIP as a TCP stream, indented pastes.

use rcc_core::ingest::*;
use rcc_core::sip::ParseQuality;

fn read(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/fixtures/logs/{name}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn one(name: &str) -> Ingested {
    let bytes = read(name);
    ingest(&[InputFile {
        name,
        bytes: &bytes,
    }])
}

#[test]
fn a_tcp_stream_is_framed_by_content_length() {
    let r = one("raw_tcp_stream.txt");
    let f = &r.files[0];
    assert_eq!((f.messages, f.clean), (3, 3), "{:?}", f.problems);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let m = &r.messages;
    assert!(m[0].body().ends_with("</MonitorStart>"));
    assert_eq!(m[1].status(), Some(200));
    assert!(m[1].body().starts_with("<?xml"));
    assert!(m[1].body().ends_with("</MonitorStartResponse>"));
    assert_eq!(m[2].cseq(), Some((3, "INFO")));
    for msg in m {
        let cl: usize = msg.header("Content-Length").unwrap().parse().unwrap();
        assert_eq!(msg.body().len(), cl, "{}", msg.start_line_text());
    }
    // The next message starts on the line where the body ended.
    assert_eq!(m[1].source.line_start, m[0].source.line_end);
}

#[test]
fn indented_pastes_read_as_the_messages_they_quote() {
    let r = one("raw_indented_lf.txt");
    let f = &r.files[0];
    assert_eq!((f.messages, f.repaired), (2, 2), "{:?}", f.problems);
    // The two prose lines around the messages are reported, nothing else.
    assert_eq!(f.problems.len(), 2, "{:?}", f.problems);
    let inv = &r.messages[0];
    assert_eq!(inv.call_id(), Some("lw-call-5"));
    // A line indented deeper than the block is folding.
    assert_eq!(
        inv.header("Supported"),
        Some("ms-early-media, ms-conf-invite")
    );
    assert!(inv.body().starts_with("v=0\r\no=- 1 1 IN IP4"));
    assert_eq!(inv.body().len(), 90, "the indent is not part of the body");
    let ParseQuality::Repaired { reasons } = &inv.quality else {
        panic!("{:?}", inv.quality)
    };
    assert!(
        reasons.iter().any(|r| r.starts_with("indent of 4")),
        "{reasons:?}"
    );
    // Start line flush, every header indented by one space: indentation, not folding.
    let resp = &r.messages[1];
    assert_eq!(resp.status(), Some(480));
    assert_eq!(resp.header_count(), 7);
    assert_eq!(resp.cseq(), Some((1, "INVITE")));
    assert!(resp.header("ms-diagnostics").unwrap().starts_with("10199;"));
    let ParseQuality::Repaired { reasons } = &resp.quality else {
        panic!("{:?}", resp.quality)
    };
    assert!(
        reasons.iter().any(|r| r.starts_with("indent of 1")),
        "{reasons:?}"
    );
    // A start line indented alone (headers flush) is white space in the wrong place.
    let t = "  OPTIONS sip:dana@litwareinc.com SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.44:51023;branch=z9hG4bKx\r\nMax-Forwards: 70\r\nFrom: <sip:a@litwareinc.com>;tag=1\r\nTo: <sip:dana@litwareinc.com>\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    let r = ingest(&[InputFile {
        name: "t",
        bytes: t.as_bytes(),
    }]);
    assert_eq!(r.messages.len(), 1);
    assert!(
        matches!(&r.messages[0].quality, ParseQuality::Partial { line: 1, reason } if reason.contains("white space before the start line")),
        "{:?}",
        r.messages[0].quality
    );
}
