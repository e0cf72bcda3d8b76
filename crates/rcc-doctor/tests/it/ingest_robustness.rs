//! Damaged input: every readable message around the damage is kept, and a Problem says where and
//! what to do.

use rcc_core::ingest::*;
use rcc_core::sip::ParseQuality;

const MSG: &str = "OPTIONS sip:a@contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1\r\nFrom: <sip:b@contoso.com>;tag=1\r\nTo: <sip:a@contoso.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

fn run(bytes: &[u8]) -> Ingested {
    ingest(&[InputFile { name: "f", bytes }])
}

#[test]
fn binary_junk_between_messages() {
    let mut b = MSG.as_bytes().to_vec();
    b.extend_from_slice(b"\x00\x01\x02\xff\xfe garbage \x00\r\n\x89PNG\r\n");
    b.extend_from_slice(MSG.replace("z9hG4bK1", "z9hG4bK2").as_bytes());
    let r = run(&b);
    assert_eq!(r.messages.len(), 2);
    let f = &r.files[0];
    assert!(
        f.problems
            .iter()
            .any(|p| p.line == 9 && p.message.contains("binary data")),
        "{:?}",
        f.problems
    );
    assert!(f
        .problems
        .iter()
        .any(|p| p.message.contains("not part of a SIP message")));
}

#[test]
fn empty_and_non_sip_files() {
    for bytes in [
        &b""[..],
        b"\r\n\r\n",
        b"<html><head><title>Error</title></head><body>Not found</body></html>",
    ] {
        let r = run(bytes);
        assert_eq!(r.files[0].format, LogFormat::Unknown);
        assert!(r.messages.is_empty());
        assert!(r.files[0]
            .problems
            .iter()
            .any(|p| p.message.contains("No SIP message was found")));
    }
}

#[test]
fn html_in_headers_is_kept_and_graded() {
    let m = MSG.replace(
        "Call-ID: c1\r\n",
        "Call-ID: c1\r\n<div class=\"x\">pasted</div>\r\nSubject: <b>bold</b>\r\n",
    );
    let r = run(m.as_bytes());
    assert_eq!(r.messages.len(), 1);
    let msg = &r.messages[0];
    assert_eq!(msg.header("Subject"), Some("<b>bold</b>"));
    assert!(
        matches!(msg.quality(), ParseQuality::Partial { .. }),
        "{:?}",
        msg.quality()
    );
    assert_eq!(msg.source.line_end, 9);
}

#[test]
fn content_length_past_the_end_falls_back_to_framing() {
    let m = MSG.replace("Content-Length: 0", "Content-Length: 5000") + "body text\r\n";
    let two = format!("{m}{MSG}");
    let r = run(two.as_bytes());
    assert_eq!(r.messages.len(), 2);
    assert_eq!(r.messages[0].body(), "body text");
}

#[test]
fn truncated_client_trace_keeps_the_packet() {
    let t = format!(
        "11/30/2006|14:02:11.123 0AE8:0B20 INFO  :: Sending Packet - 10.0.0.5:5061 (From Local Address: 10.0.0.20:1) 1 bytes:\r\n{}",
        &MSG[..MSG.len() - 40]
    );
    let r = run(t.as_bytes());
    assert_eq!(r.files[0].format, LogFormat::Uccapi);
    assert_eq!(r.messages.len(), 1);
    assert!(r.files[0]
        .problems
        .iter()
        .any(|p| p.line == 1 && p.message.contains("truncated")));
}

#[test]
fn truncated_server_record_keeps_what_was_read() {
    let t = "TL_INFO(TF_PROTOCOL) [0]0AE8.0B20::11/30/2006-14:02:11.123.0000000f (SIPStack)$$begin_record\r\nDirection: incoming\r\nStart-Line: OPTIONS sip:a@contoso.com SIP/2.0\r\nCALL-ID: c9\r\nCSEQ: 1 OPTIONS\r\n";
    let r = run(t.as_bytes());
    assert_eq!(r.messages.len(), 1);
    assert_eq!(r.messages[0].call_id(), Some("c9"));
    assert!(r.files[0]
        .problems
        .iter()
        .any(|p| p.message.contains("$$end_record")));
}

#[test]
fn utf16_files_are_decoded() {
    let mut b = vec![0xFF, 0xFE];
    for u in MSG.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(detect_format(&b), LogFormat::RawSip);
    let r = run(&b);
    assert_eq!(r.messages.len(), 1);
    assert!(r.files[0].problems[0].message.contains("UTF-16"));
}

#[test]
fn retransmissions_are_counted() {
    let two = format!("{MSG}{MSG}");
    let r = run(two.as_bytes());
    assert_eq!(r.messages.len(), 2);
    assert_eq!(r.transactions().len(), 1);
    assert_eq!(r.transactions()[0].retransmissions, 1);
}

/// `cargo test --release --test ingest_robustness -- --ignored` (200 MB, a few seconds).
#[test]
#[ignore]
fn two_hundred_megabytes() {
    let bytes = synth::generate(LogFormat::Uccapi, 200 << 20, 7);
    let r = run(&bytes);
    assert!(r.messages.len() > 100_000);
    assert!(
        r.files[0].problems.is_empty(),
        "{:?}",
        &r.files[0].problems[..1]
    );
}

#[test]
fn synthetic_logs_read_completely_in_every_format() {
    for format in [
        LogFormat::RawSip,
        LogFormat::Uccapi,
        LogFormat::ServerLog,
        LogFormat::WiresharkFollow,
        LogFormat::SippTrace,
    ] {
        let bytes = synth::generate(format, 64 * 1024, 1);
        assert_eq!(
            bytes,
            synth::generate(format, 64 * 1024, 1),
            "deterministic"
        );
        assert_eq!(detect_format(&bytes), format);
        let r = run(&bytes);
        let f = &r.files[0];
        assert!(f.problems.is_empty(), "{format:?}: {:?}", f.problems);
        assert!(
            f.messages > 0 && f.messages.is_multiple_of(synth::MESSAGES_PER_SESSION),
            "{format:?}: {}",
            f.messages
        );
        let sessions = f.messages / synth::MESSAGES_PER_SESSION;
        // Every synthetic message is legal SIP: BENOTIFY to a GRUU, SERVICE, and the OPTIONS with
        // compact and folded headers are clean.
        assert_eq!(
            (f.clean, f.partial, f.repaired),
            (f.messages, 0, 0),
            "{format:?}"
        );
        if format == LogFormat::ServerLog {
            assert_eq!(f.events, sessions);
        }
        let csta = r
            .messages
            .iter()
            .filter(|m| m.content_type() == Some("application/csta+xml"))
            .count();
        assert_eq!(csta, 5 * sessions, "{format:?}");
    }
    let junk = synth::generate(LogFormat::Unknown, 8 * 1024, 1);
    assert_eq!(detect_format(&junk), LogFormat::Unknown);
}

#[test]
fn a_wrong_content_length_never_swallows_the_next_message() {
    // The length reaches exactly to the end of the second message's line: still two messages.
    let second = MSG.replace("z9hG4bK1", "z9hG4bK2");
    let first_line_len = second.find("\r\n").unwrap() + 2;
    let m = MSG.replace(
        "Content-Length: 0",
        &format!("Content-Length: {first_line_len}"),
    );
    let two = format!("{m}{second}");
    let r = run(two.as_bytes());
    assert_eq!(r.messages.len(), 2);
}

#[test]
fn progress_is_reported_while_reading_every_format() {
    for format in [
        LogFormat::RawSip,
        LogFormat::Uccapi,
        LogFormat::ServerLog,
        LogFormat::WiresharkFollow,
        LogFormat::SippTrace,
    ] {
        let bytes = synth::generate(format, 2 << 20, 3);
        let mut seen = Vec::new();
        ingest_with_progress(
            &[InputFile {
                name: "p",
                bytes: &bytes,
            }],
            &mut |p| seen.push(p.bytes_done),
        );
        assert!(seen.len() >= 6, "{format:?}: {seen:?}");
        assert!(
            seen.windows(2).all(|w| w[0] <= w[1]),
            "{format:?}: {seen:?}"
        );
        assert_eq!(seen.last(), Some(&bytes.len()));
    }
}

#[test]
fn a_client_trace_that_opens_with_megabytes_of_noise_is_still_a_client_trace() {
    let mut b = Vec::new();
    while b.len() < (1 << 20) + 4096 {
        b.extend_from_slice(
            b"11/30/2006|14:02:11.123 0AE8:0B20 INFO  :: CUccEndpoint::Poll - nothing to do\r\n",
        );
    }
    b.extend_from_slice(&synth::generate(LogFormat::Uccapi, 4096, 5));
    assert_eq!(detect_format(&b), LogFormat::Uccapi);
    let r = run(&b);
    assert!(r
        .messages
        .iter()
        .all(|m| m.direction.is_some() && m.timestamp().is_some()));
    assert!(!r.messages.is_empty());
}

/// `msg` as a client trace logs it at `time` (`dir`: Sending or Received).
fn packet(time: &str, dir: &str, msg: &str) -> String {
    format!("11/30/2006|{time} 0AE8:0B20 INFO  :: {dir} Packet - 10.0.0.5:5061 (Local Address: 10.0.0.20:1) 1 bytes:\r\n{msg}11/30/2006|{time} 0AE8:0B20 INFO  :: End of {dir} Packet - x\r\n")
}

#[test]
fn a_response_logged_before_its_request_suggests_an_offset() {
    let a = packet("14:02:11.000", "Sending", MSG);
    let trying = MSG.replace("OPTIONS sip:a@contoso.com SIP/2.0", "SIP/2.0 100 Trying");
    let b = packet("14:02:09.000", "Received", &trying);
    let files = [
        InputFile {
            name: "a",
            bytes: a.as_bytes(),
        },
        InputFile {
            name: "b",
            bytes: b.as_bytes(),
        },
    ];
    let r = ingest(&files);
    assert_eq!(r.messages.len(), 2);
    assert_eq!(
        r.messages[0].status(),
        Some(100),
        "uncorrected, the response sorts first"
    );
    assert_eq!(r.files[1].suggested_clock_offset_ms, Some(2001));
    let r = ingest_with_offsets(&files, &[0, 2001]);
    assert_eq!(r.messages[0].method(), Some("OPTIONS"));
    assert_eq!(r.files[1].suggested_clock_offset_ms, None);
    assert_eq!(r.transactions().len(), 1);
    assert_eq!(r.transactions()[0].messages, vec![0, 1]);
}

#[test]
fn every_suggested_offset_is_on_the_first_files_clock() {
    // The client's request, the Front End's log of it 7 s early and of its forwarded copy, and
    // the proxy's log of that copy 2 s earlier still: the proxy shares nothing with the client,
    // so its offset is found through the Front End's, and both apply at once.
    let forwarded = MSG.replace(
        "Via: SIP/2.0/TLS 10.0.0.1",
        "Via: SIP/2.0/TLS 10.0.0.9:5061;branch=z9hG4bKfe\r\nVia: SIP/2.0/TLS 10.0.0.1",
    );
    let client = packet("14:02:11.000", "Sending", MSG);
    let front_end =
        packet("14:02:04.000", "Received", MSG) + &packet("14:02:04.100", "Sending", &forwarded);
    let proxy = packet("14:02:02.100", "Received", &forwarded);
    let files = [
        InputFile {
            name: "client",
            bytes: client.as_bytes(),
        },
        InputFile {
            name: "front-end",
            bytes: front_end.as_bytes(),
        },
        InputFile {
            name: "proxy",
            bytes: proxy.as_bytes(),
        },
    ];
    let r = ingest(&files);
    let suggested: Vec<Option<i64>> = r
        .files
        .iter()
        .map(|f| f.suggested_clock_offset_ms)
        .collect();
    assert_eq!(suggested, vec![None, Some(7000), Some(9000)]);
    let r = ingest_with_offsets(&files, &[0, 7000, 9000]);
    assert!(r
        .files
        .iter()
        .all(|f| f.suggested_clock_offset_ms.is_none()));
}

#[test]
fn wrong_lengths_cost_a_bounded_walk_not_the_rest_of_the_file() {
    // LF-only messages (their bodies are walked byte by byte) whose Content-Length runs past the
    // next message, huge or merely too long: the file is read in time linear in its size.
    for cl in [999_999_999usize, 60_000] {
        let one = MSG
            .replace("\r\n", "\n")
            .replace("Content-Length: 0", &format!("Content-Length: {cl}"))
            + "body\n";
        let n = if cl > 100_000 { 20_000 } else { 1_500 };
        let text = one.repeat(n);
        let t = std::time::Instant::now();
        let r = run(text.as_bytes());
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{cl}: {:?}",
            t.elapsed()
        );
        assert!(r
            .messages
            .iter()
            .all(|m| m.quality() != &ParseQuality::Clean));
        if cl > 100_000 {
            // Longer than the file: every message is read up to the next start line.
            assert_eq!(r.messages.len(), n);
            assert!(r.messages.iter().all(|m| m.body() == "body"));
        } else {
            // A length that lands exactly on a later start line is trusted (a message/sipfrag
            // body holds start lines); here it does, every ~100 messages.
            assert!(!r.messages.is_empty());
        }
    }
}
