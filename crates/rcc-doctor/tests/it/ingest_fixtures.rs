//! The committed fixtures (fixtures/logs, written by `make_fixtures.py`) read as expected:
//! format, exact message counts by quality, events, problems.

use crate::support::{fixture_log as read, ingest_fixture_log as one};
use rcc_core::ingest::*;
use rcc_core::sip::{Direction, ParseQuality, StartLine};

struct Expect {
    file: &'static str,
    format: LogFormat,
    messages: usize,
    clean: usize,
    repaired: usize,
    partial: usize,
    events: usize,
    problems: usize,
}

/// Expected counts per fixture. Grades are RFC 3261's: compact names, folding, BENOTIFY to a
/// GRUU and the SERVICE method are legal (clean); LF-only pastes and a status line without the
/// space before its empty reason phrase are repaired; a request without Max-Forwards is partly
/// parsed (`raw_damaged_lf.txt`: BENOTIFY and MESSAGE; `server_home.log`: the server's OPTIONS),
/// each with a problem on its start line.
const TABLE: &[Expect] = &[
    Expect {
        file: "raw_ms_mix.txt",
        format: LogFormat::RawSip,
        messages: 16,
        clean: 16,
        repaired: 0,
        partial: 0,
        events: 0,
        problems: 0,
    },
    Expect {
        file: "raw_ms_mix_lf.txt",
        format: LogFormat::RawSip,
        messages: 16,
        clean: 0,
        repaired: 16,
        partial: 0,
        events: 0,
        problems: 0,
    },
    Expect {
        file: "raw_damaged_lf.txt",
        format: LogFormat::RawSip,
        messages: 3,
        clean: 0,
        repaired: 1,
        partial: 2,
        events: 0,
        problems: 3,
    },
    Expect {
        file: "client.uccapilog",
        format: LogFormat::Uccapi,
        messages: 16,
        clean: 16,
        repaired: 0,
        partial: 0,
        events: 1,
        problems: 0,
    },
    Expect {
        file: "server_home.log",
        format: LogFormat::ServerLog,
        messages: 3,
        clean: 2,
        repaired: 0,
        partial: 1,
        events: 1,
        problems: 1,
    },
    Expect {
        file: "wireshark_follow.txt",
        format: LogFormat::WiresharkFollow,
        messages: 6,
        clean: 6,
        repaired: 0,
        partial: 0,
        events: 0,
        problems: 0,
    },
    Expect {
        file: "sipp_trace.log",
        format: LogFormat::SippTrace,
        messages: 4,
        clean: 4,
        repaired: 0,
        partial: 0,
        events: 0,
        problems: 0,
    },
    Expect {
        file: "lync_data_received.uccapilog",
        format: LogFormat::Uccapi,
        messages: 4,
        clean: 4,
        repaired: 0,
        partial: 0,
        events: 1,
        problems: 0,
    },
    Expect {
        file: "lync_start_on_trace_line.uccapilog",
        format: LogFormat::Uccapi,
        messages: 2,
        clean: 2,
        repaired: 0,
        partial: 0,
        events: 0,
        problems: 0,
    },
    Expect {
        file: "raw_tcp_stream.txt",
        format: LogFormat::RawSip,
        messages: 3,
        clean: 3,
        repaired: 0,
        partial: 0,
        events: 0,
        problems: 0,
    },
    Expect {
        file: "raw_indented_lf.txt",
        format: LogFormat::RawSip,
        messages: 2,
        clean: 0,
        repaired: 2,
        partial: 0,
        events: 0,
        problems: 2,
    },
    Expect {
        file: "server_diag_records.log",
        format: LogFormat::ServerLog,
        messages: 1,
        clean: 1,
        repaired: 0,
        partial: 0,
        events: 3,
        problems: 0,
    },
];

#[test]
fn every_fixture_reads_with_exact_counts() {
    for e in TABLE {
        let bytes = read(e.file);
        assert_eq!(detect_format(&bytes), e.format, "{}", e.file);
        let r = ingest(&[InputFile {
            name: e.file,
            bytes: &bytes,
        }]);
        let f = &r.files[0];
        let got = (
            f.format,
            f.messages,
            f.clean,
            f.repaired,
            f.partial,
            f.events,
            f.problems.len(),
        );
        let want = (
            e.format, e.messages, e.clean, e.repaired, e.partial, e.events, e.problems,
        );
        assert_eq!(got, want, "{}: problems {:?}", e.file, f.problems);
        assert_eq!(r.messages.len(), e.messages, "{}", e.file);
        assert_eq!(f.bytes, bytes.len());
        for m in &r.messages {
            assert!(m.source.line_start >= 1 && m.source.line_start <= m.source.line_end);
            assert!(m.source.line_end <= f.lines, "{}: {:?}", e.file, m.source);
        }
    }
}

#[test]
fn labels() {
    assert_eq!(
        LogFormat::Uccapi.label(),
        "Communicator/UCCAPI client trace"
    );
    assert_eq!(
        LogFormat::ServerLog.label(),
        "LCS/OCS Logging Tool (SIPStack)"
    );
    assert_eq!(
        serde_json::to_string(&LogFormat::WiresharkFollow).unwrap(),
        "\"wireshark-follow\""
    );
}

#[test]
fn lf_only_paste_gives_the_same_messages_as_the_crlf_original() {
    let a = one("raw_ms_mix.txt");
    let b = one("raw_ms_mix_lf.txt");
    assert_eq!(a.messages.len(), b.messages.len());
    for (x, y) in a.messages.iter().zip(&b.messages) {
        assert_eq!(x.start_line(), y.start_line());
        assert!(x.headers().eq(y.headers()));
        assert_eq!(x.body(), y.body(), "body of {}", x.start_line_text());
        assert_eq!(
            (x.source.line_start, x.source.line_end),
            (y.source.line_start, y.source.line_end)
        );
    }
}

#[test]
fn microsoft_mix_is_read_in_full() {
    let r = one("raw_ms_mix.txt");
    let m = &r.messages;
    assert_eq!(m[0].method(), Some("REGISTER"));
    assert!(m[0].header("Authorization").unwrap().starts_with("NTLM "));
    assert_eq!(m[2].header("Event"), Some("vnd-microsoft-provisioning"));
    assert!(m[3]
        .body()
        .contains("<lineServer>sip:rcc@mcm.contoso.com</lineServer>"));
    assert!(m[3].body().contains("tel:+14255550123;ext=123"));
    assert_eq!(m[4].request_uri(), Some("sip:rcc@mcm.contoso.com"));
    assert_eq!(m[4].content_type(), Some("application/csta+xml"));
    assert!(m[4].body().contains("RequestSystemStatus"));
    assert_eq!(
        m[4].body().len(),
        m[4].header("Content-Length")
            .unwrap()
            .parse::<usize>()
            .unwrap()
    );
    assert_eq!(m[5].status(), Some(100));
    assert!(m[6].body().contains("<systemStatus>normal</systemStatus>"));
    assert_eq!(m[7].method(), Some("ACK"));
    assert!(m[8].body().contains("MonitorStart"));
    assert_eq!(m[10].method(), Some("BENOTIFY"));
    assert!(m[10].request_uri().unwrap().ends_with(";gruu"));
    // Microsoft's methods and GRUU request URIs are legal SIP.
    assert_eq!(m[10].quality(), &ParseQuality::Clean);
    assert_eq!(m[11].method(), Some("SERVICE"));
    assert_eq!(m[11].quality(), &ParseQuality::Clean);
    // compact + folded
    let opt = &m[12];
    assert_eq!(opt.call_id(), Some("opt-call-1"));
    assert_eq!(opt.header("Supported"), Some("ms-benotify"));
    assert_eq!(
        opt.header("Accept"),
        Some("application/sdp, application/csta+xml")
    );
    // Compact names and folding are legal: clean, not repaired.
    assert_eq!(opt.quality(), &ParseQuality::Clean);
    assert!(m[14].header("ms-diagnostics").unwrap().starts_with("1003;"));
    // dialogs: reg, sub (+BENOTIFY), rcc-1, svc, opt, rcc-2
    assert_eq!(r.dialogs.len(), 6);
    let rcc = r
        .dialogs
        .iter()
        .find(|d| d.call_id(&r.messages) == "rcc-call-1")
        .unwrap();
    assert_eq!(rcc.messages(), [4, 5, 6, 7, 8, 9]);
    assert_eq!(rcc.to_tag(&r.messages), Some("gw77"));
    // transactions: INVITE (3 msgs), ACK, INFO (2), ...
    let transactions = r.transactions();
    assert_eq!(transactions.len(), r.transaction_count);
    let inv = transactions
        .iter()
        .find(|t| t.branch == "z9hG4bKinv1")
        .unwrap();
    assert_eq!(
        (inv.method.as_str(), inv.messages.len(), inv.retransmissions),
        ("INVITE", 3, 0)
    );
    // The ACK to the 404 shares the INVITE's branch but is its own (branch, method) transaction.
    assert!(transactions
        .iter()
        .any(|t| t.branch == "z9hG4bKinv2" && t.method == "ACK"));
}

#[test]
fn uccapi_gives_direction_addresses_and_times() {
    let r = one("client.uccapilog");
    let m = &r.messages[0];
    assert_eq!(m.direction, Some(Direction::Sent));
    assert_eq!(m.peer(), Some("10.0.0.5:5061"));
    assert_eq!(m.local(), Some("10.0.0.20:50120"));
    let ts = m.timestamp().unwrap();
    assert_eq!(ts.written, "11/30/2006|14:02:11.123");
    assert_eq!(ts.millis, Some(1_164_895_331_123));
    assert_eq!(r.messages[1].direction, Some(Direction::Received));
    assert_eq!(r.events[0].field("Level"), Some("ERROR"));
}

#[test]
fn server_log_maps_upper_case_names_and_keeps_diagnostics() {
    let r = one("server_home.log");
    let inv = &r.messages[0];
    assert_eq!(inv.direction, Some(Direction::Received));
    assert_eq!(inv.peer(), Some("10.0.0.20:50120"));
    assert_eq!(inv.call_id(), Some("rcc-call-2"));
    assert_eq!(inv.cseq(), Some((1, "INVITE")));
    assert!(inv.headers().all(|h| h.name != "CALL-ID"));
    assert!(inv.body().contains("RequestSystemStatus"));
    assert!(inv.body().ends_with("</RequestSystemStatus>"));
    let r404 = &r.messages[1];
    assert_eq!(r404.direction, Some(Direction::Sent));
    assert!(r404.header("ms-diagnostics").is_some());
    assert!(r404.body().is_empty());
    let ev = &r.events[0];
    assert_eq!(
        ev.field("Result-Code"),
        Some("0xC3E93C0B SIPPROXY_E_ROUTING_NO_MATCHING_ROUTE")
    );
    assert_eq!(ev.field("SIP-Call-ID"), Some("rcc-call-2"));
    assert_eq!(ev.field("Level"), Some("TL_ERROR"));
}

#[test]
fn wireshark_and_sipp_directions() {
    let w = one("wireshark_follow.txt");
    assert_eq!(w.messages[0].direction, Some(Direction::Sent));
    assert_eq!(w.messages[0].local(), Some("10.0.0.20:50120"));
    assert_eq!(w.messages[1].direction, Some(Direction::Received));
    let s = one("sipp_trace.log");
    assert_eq!(s.messages[1].direction, Some(Direction::Received));
    assert_eq!(s.messages[0].millis(), Some(1_164_895_331_123));
}

#[test]
fn client_and_server_logs_merge_with_duplicates_and_offset_suggestion() {
    let c = read("client.uccapilog");
    let s = read("server_home.log");
    let files = [
        InputFile {
            name: "client.uccapilog",
            bytes: &c,
        },
        InputFile {
            name: "server_home.log",
            bytes: &s,
        },
    ];
    let r = ingest(&files);
    // The server saw the client's INVITE to fabrikam (same top Via branch) and its 404.
    assert_eq!(r.messages.len(), 16 + 3 - 2);
    let inv = r
        .messages
        .iter()
        .find(|m| m.request_uri() == Some("sip:rcc@pbx.fabrikam.com"))
        .unwrap();
    assert_eq!(inv.also_seen().len(), 1);
    // Uncorrected, the server's copy is earlier (its clock is behind), so it is the one kept.
    assert_eq!(&*inv.source.file, "server_home.log");
    assert_eq!(&*inv.also_seen()[0].file, "client.uccapilog");
    // The server clock is 2 s behind.
    let sug = r.files[1].suggested_clock_offset_ms.unwrap();
    assert!((1990..=2010).contains(&sug), "{sug}");
    assert_eq!(r.files[0].suggested_clock_offset_ms, None);
    // Time order holds.
    let times: Vec<i64> = r.messages.iter().filter_map(|m| m.millis()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // Applying it: the client's INVITE is now first (or tied), and times include the offset.
    let r2 = ingest_with_offsets(&files, &[0, sug]);
    assert_eq!(r2.files[1].clock_offset_ms, sug);
    assert_eq!(r2.files[1].suggested_clock_offset_ms, None);
    let inv = r2
        .messages
        .iter()
        .find(|m| m.request_uri() == Some("sip:rcc@pbx.fabrikam.com"))
        .unwrap();
    assert_eq!(&*inv.source.file, "client.uccapilog");
    let srv_404 = r2
        .messages
        .iter()
        .find(|m| m.status() == Some(404))
        .unwrap();
    assert!(srv_404.millis().unwrap() > inv.millis().unwrap());
    assert_eq!(r2.events.len(), 2);
}

#[test]
fn progress_reaches_the_end() {
    let c = read("client.uccapilog");
    let mut last = None;
    let r = ingest_with_progress(
        &[InputFile {
            name: "c",
            bytes: &c,
        }],
        &mut |p| last = Some(p),
    );
    assert_eq!(r.messages.len(), 16);
    assert_eq!(
        last,
        Some(Progress {
            file_index: 0,
            bytes_done: c.len(),
            bytes_total: c.len()
        })
    );
}

#[test]
fn start_line_types() {
    let r = one("raw_damaged_lf.txt");
    assert_eq!(
        r.messages[1].start_line().to_owned_line(),
        StartLine::Response {
            code: 200,
            reason: String::new()
        }
    );
    assert_eq!(r.messages[2].call_id(), Some("dmg-2"));
    assert_eq!(
        r.messages[2].header("Subject"),
        Some("a subject that was folded over two lines")
    );
    assert_eq!(r.messages[2].body(), "hello\r\n");
}

#[test]
fn clean_messages_reconstruct_to_the_original_text() {
    let bytes = read("raw_ms_mix.txt");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let r = ingest(&[InputFile {
        name: "raw_ms_mix.txt",
        bytes: &bytes,
    }]);
    let mut checked = 0;
    for m in r
        .messages
        .iter()
        .filter(|m| m.quality() == &ParseQuality::Clean)
    {
        let (a, b) = (m.source.line_start as usize - 1, m.source.line_end as usize);
        let original: String = lines[a..b].concat();
        // Folded lines and compact names are legal (clean), but `to_text` writes them unfolded
        // and long: only messages written without them reconstruct byte for byte.
        let head = original.split("\r\n\r\n").next().unwrap_or("");
        let folded = head.contains("\r\n ") || head.contains("\r\n\t");
        let compact = head
            .split("\r\n")
            .any(|l| l.split(':').next().is_some_and(|n| n.trim().len() == 1));
        if folded || compact {
            continue;
        }
        let rebuilt = m.to_text();
        // The source range ends at the last body line; a body without a final CRLF ends mid-line.
        assert_eq!(
            rebuilt.trim_end(),
            original.trim_end(),
            "{}",
            m.start_line_text()
        );
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn format_ids_are_the_json_names() {
    for f in LogFormat::ALL {
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            format!("\"{}\"", f.id())
        );
    }
}

#[test]
fn the_top_via_is_the_first_of_the_hop_chain() {
    use rcc_core::extract::{hop_chain, top_via};
    let mut seen = 0;
    for name in ["raw_ms_mix.txt", "server_home.log", "client.uccapilog"] {
        for m in &one(name).messages {
            let chain = hop_chain(m);
            assert_eq!(top_via(m), (chain.vias.first().cloned(), chain.vias.len()));
            seen += usize::from(!chain.vias.is_empty());
        }
    }
    assert!(seen > 10, "messages with a Via: {seen}");
}
