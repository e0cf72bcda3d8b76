//! Layouts met in real logs, each read in full (fixtures written by `make_fixtures.py` with
//! litwareinc.com names and TEST-NET addresses): Lync-era `Data Received` packets, a start line
//! on the trace line, raw SIP as a TCP stream, indented pastes, Logging Tool diagnostic records
//! without `$$begin_record`.

use crate::support::{fixture_log as read, ingest_fixture_log as one};
use rcc_core::ingest::*;
use rcc_core::sip::{Direction, ParseQuality};

#[test]
fn lync_data_received_packets_are_read_as_received_with_both_addresses() {
    let bytes = read("lync_data_received.uccapilog");
    // Only `Sending Packet` and `Data Received` lines: still a client trace.
    assert_eq!(detect_format(&bytes), LogFormat::Uccapi);
    let r = one("lync_data_received.uccapilog");
    let f = &r.files[0];
    assert_eq!(
        (f.messages, f.clean, f.events),
        (4, 4, 1),
        "{:?}",
        f.problems
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let m = &r.messages;
    let dirs: Vec<_> = m.iter().map(|m| m.direction).collect();
    assert_eq!(
        dirs,
        [
            Some(Direction::Sent),
            Some(Direction::Received),
            Some(Direction::Received),
            Some(Direction::Sent)
        ]
    );
    let nf = &m[2];
    assert_eq!(nf.status(), Some(404), "the answer is not lost");
    assert_eq!(nf.peer(), Some("198.51.100.10:5061"));
    assert_eq!(nf.local(), Some("192.0.2.44:51023"));
    assert!(nf.header("ms-diagnostics").unwrap().starts_with("1003;"));
    assert_eq!(nf.timestamp().unwrap().written, "02/14/2013|09:15:02.691");
    assert_eq!((nf.source.line_start, nf.source.line_end), (35, 43));
    assert_eq!(m[1].status(), Some(100));
    // The ERROR line is an event; the INVITE's transaction holds its answers.
    assert_eq!(r.events[0].field("Level"), Some("ERROR"));
    let inv = r
        .transactions()
        .into_iter()
        .find(|t| t.method == "INVITE")
        .unwrap();
    assert_eq!(inv.messages.len(), 3);
}

#[test]
fn a_start_line_on_the_trace_line_begins_a_message() {
    let bytes = read("lync_start_on_trace_line.uccapilog");
    assert_eq!(detect_format(&bytes), LogFormat::Uccapi);
    let r = one("lync_start_on_trace_line.uccapilog");
    let f = &r.files[0];
    assert_eq!((f.messages, f.clean), (2, 2), "{:?}", f.problems);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let inv = &r.messages[0];
    assert_eq!(inv.method(), Some("INVITE"));
    assert_eq!(inv.call_id(), Some("lw-call-2"));
    assert!(inv.body().ends_with("</RequestSystemStatus>"));
    assert_eq!(inv.timestamp().unwrap().written, "02/14/2013|10:41:07.020");
    assert_eq!(inv.direction, None, "the layout does not say");
    let nf = &r.messages[1];
    assert_eq!(nf.status(), Some(404));
    assert_eq!(nf.source.line_start, 22);
    // The same inside a packet line: the start line after `bytes:`.
    let t = "02/14/2013|10:41:07.500 2B0:1C8 INFO :: Data Received - 198.51.100.10:5061 (To Local Address: 192.0.2.44:51023) 200 bytes: SIP/2.0 100 Trying\r\nVia: SIP/2.0/TLS 192.0.2.44:51023;branch=z9hG4bKlw2\r\nFrom: <sip:dana@litwareinc.com>;tag=d2\r\nTo: <sip:rcc@cti.litwareinc.com>\r\nCall-ID: lw-call-2\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n02/14/2013|10:41:07.500 2B0:1C8 INFO :: End of Data Received - 198.51.100.10:5061 (To Local Address: 192.0.2.44:51023) 200 bytes\r\n";
    let r = ingest(&[InputFile {
        name: "t",
        bytes: t.as_bytes(),
    }]);
    assert_eq!(r.messages.len(), 1, "{:?}", r.files[0].problems);
    assert_eq!(r.messages[0].status(), Some(100));
    assert_eq!(r.messages[0].direction, Some(Direction::Received));
    assert_eq!(r.messages[0].quality(), &ParseQuality::Clean);
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
    let ParseQuality::Repaired { reasons } = &inv.quality() else {
        panic!("{:?}", inv.quality())
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
    let ParseQuality::Repaired { reasons } = &resp.quality() else {
        panic!("{:?}", resp.quality())
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
        matches!(&r.messages[0].quality(), ParseQuality::Partial { line: 1, reason } if reason.contains("white space before the start line")),
        "{:?}",
        r.messages[0].quality()
    );
}

#[test]
fn diagnostic_records_without_begin_record_are_kept_with_all_fields() {
    let r = one("server_diag_records.log");
    let f = &r.files[0];
    assert_eq!(f.format, LogFormat::ServerLog);
    assert_eq!(
        (f.messages, f.clean, f.events),
        (1, 1, 3),
        "{:?}",
        f.problems
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let e = &r.events;
    assert_eq!(e[0].field("Level"), Some("TL_ERROR"));
    assert_eq!(e[0].field("Flag"), Some("TF_COMPONENT"));
    assert_eq!(
        e[0].field("Result-Code"),
        Some("0xc3e93c0b SIPPROXY_E_ROUTING_NO_MATCHING_ROUTE")
    );
    assert_eq!(e[0].field("SIP-Call-ID"), Some("lw-call-6"));
    assert!(e[0].field("Text").unwrap().contains("cti.litwareinc.com"));
    assert!(e[0]
        .field("Trace")
        .unwrap()
        .ends_with("Result 0xC3E93C0B(SIPPROXY_E_ROUTING_NO_MATCHING_ROUTE)"));
    assert_eq!(
        e[0].timestamp.as_ref().unwrap().written,
        "02/14/2013-11:02:00.125.0000a003"
    );
    assert_eq!((e[0].source.line_start, e[0].source.line_end), (28, 36));
    assert_eq!(e[1].field("Level"), Some("TL_WARN"));
    assert_eq!(e[1].field("Severity"), Some("warning"));
    assert_eq!(e[2].field("Level"), Some("TL_INFO"));
    assert_eq!(e[2].field("Peer"), Some("203.0.113.7:5060"));
    // A file of such records alone, no $$begin_record anywhere: still a Logging Tool file.
    let text = String::from_utf8(read("server_diag_records.log")).unwrap();
    let only: String = text
        .lines()
        .skip(27)
        .take(9)
        .map(|l| format!("{l}\r\n"))
        .collect();
    assert!(!only.contains("$$begin_record"));
    assert_eq!(detect_format(only.as_bytes()), LogFormat::ServerLog);
    let r = ingest(&[InputFile {
        name: "t",
        bytes: only.as_bytes(),
    }]);
    assert_eq!(r.events.len(), 1);
    assert!(r.files[0].problems.is_empty(), "{:?}", r.files[0].problems);
}
