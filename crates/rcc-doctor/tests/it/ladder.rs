//! The ladder model (`core::ladder`): host columns merged by aliases, rows, verdicts, filters,
//! the virtual-scroll window and the Mermaid export.

use rcc_core::diagnosis::{Diagnosis, FlowLeg, LegState};
use rcc_core::ingest::{self, synth, IngestOptions, InputFile, LogFormat};
use rcc_core::ladder::{
    build, build_with_topology, is_key_header, position_of, to_mermaid, to_mermaid_rows, to_svg,
    window, LadderData, LadderFilter, Verdict,
};
use rcc_core::profile::profile;
use rcc_core::routing::{Host, Topology};
use rcc_core::sip::{
    Direction, Header, MessageParts, ParseQuality, SipMessage, SourceRef, StartLine, Timestamp,
};

struct M {
    line: u32,
    t: i64,
    dir: Option<Direction>,
    start: StartLine,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
}

fn req(method: &str, uri: &str) -> StartLine {
    StartLine::Request {
        method: method.into(),
        uri: uri.into(),
    }
}

fn resp(code: u16, reason: &str) -> StartLine {
    StartLine::Response {
        code,
        reason: reason.into(),
    }
}

fn build_msg(m: M, client_log: bool) -> SipMessage {
    SipMessage::from(MessageParts {
        source: SourceRef {
            file: "client.log".into(),
            line_start: m.line,
            line_end: m.line + 9,
        },
        timestamp: Some(Timestamp {
            written: format!("11/30/2006|14:02:{:06.3}", m.t as f64 / 1000.0),
            millis: Some(m.t),
        }),
        direction: if client_log { m.dir } else { None },
        local: client_log.then(|| "10.0.0.20:50120".to_string()),
        peer: client_log.then(|| "10.0.0.5:5061".to_string()),
        start_line: m.start,
        headers: m
            .headers
            .into_iter()
            .map(|(n, v)| Header {
                name: n.into(),
                value: v,
            })
            .collect(),
        body: m.body.into(),
        quality: ParseQuality::Clean,
        also_seen: vec![],
    })
}

const UA: &str = "UCCAPI/2.0.6362.111 OC/2.0.6362.111 (Microsoft Office Communicator 2007)";
const PROV: &str = "<provisionGroupList><provisionGroup name=\"ServerConfiguration\"><lineUri>tel:+14255550123;ext=123</lineUri><lineServer>sip:rcc@mcm.contoso.com</lineServer></provisionGroup></provisionGroupList>";

/// A client trace of the seed incident: sign-in, provisioning, presence noise, the CSTA INVITE
/// refused by the Home Server itself.
fn seed(client_log: bool) -> Vec<SipMessage> {
    use Direction::{Received as In, Sent as Out};
    let via =
        |b: &str| format!("SIP/2.0/TLS 10.0.0.20:50120;branch=z9hG4bK{b};ms-received-port=50120");
    let h = |call: &str, cseq: &str, b: &str| {
        vec![
            ("Via", via(b)),
            ("From", "<sip:alice@contoso.com>;tag=a1".to_string()),
            ("To", "<sip:alice@contoso.com>".to_string()),
            ("Call-ID", call.to_string()),
            ("CSeq", cseq.to_string()),
        ]
    };
    let with = |mut v: Vec<(&'static str, String)>, extra: &[(&'static str, &str)]| {
        v.extend(extra.iter().map(|(n, x)| (*n, x.to_string())));
        v
    };
    let ms = vec![
        M {
            line: 1,
            t: 1000,
            dir: Some(Out),
            start: req("REGISTER", "sip:contoso.com"),
            headers: with(
                h("reg", "1 REGISTER", "r1"),
                &[
                    ("User-Agent", UA),
                    ("Contact", "<sip:10.0.0.20:50120;transport=tls>"),
                ],
            ),
            body: "",
        },
        M {
            line: 20,
            t: 1040,
            dir: Some(In),
            start: resp(200, "OK"),
            headers: with(h("reg", "1 REGISTER", "r1"), &[("Server", "RTC/2.0")]),
            body: "",
        },
        M {
            line: 40,
            t: 1100,
            dir: Some(Out),
            start: req("SUBSCRIBE", "sip:alice@contoso.com"),
            headers: with(
                h("prov", "1 SUBSCRIBE", "s1"),
                &[("Event", "vnd-microsoft-provisioning"), ("User-Agent", UA)],
            ),
            body: "",
        },
        M {
            line: 60,
            t: 1130,
            dir: Some(In),
            start: resp(200, "OK"),
            headers: with(
                h("prov", "1 SUBSCRIBE", "s1"),
                &[(
                    "Content-Type",
                    "application/vnd-microsoft-roaming-provisioning-v2+xml",
                )],
            ),
            body: PROV,
        },
        M {
            line: 80,
            t: 1150,
            dir: Some(Out),
            start: req("SUBSCRIBE", "sip:bob@contoso.com"),
            headers: with(h("pres", "1 SUBSCRIBE", "p1"), &[("Event", "presence")]),
            body: "",
        },
        M {
            line: 100,
            t: 1200,
            dir: Some(Out),
            start: req("INVITE", "sip:rcc@mcm.contoso.com"),
            headers: with(
                h("rcc", "1 INVITE", "i1"),
                &[("Content-Type", "application/csta+xml"), ("User-Agent", UA)],
            ),
            body: "<RequestSystemStatus/>",
        },
        M {
            line: 120,
            t: 1210,
            dir: Some(In),
            start: resp(100, "Trying"),
            headers: h("rcc", "1 INVITE", "i1"),
            body: "",
        },
        M {
            line: 140,
            t: 1260,
            dir: Some(In),
            start: resp(404, "Not Found"),
            headers: with(
                h("rcc", "1 INVITE", "i1"),
                &[
                    (
                        "ms-diagnostics",
                        "1003;reason=\"User does not exist\";source=\"ocs1.contoso.com\"",
                    ),
                    ("Server", "RTC/2.0"),
                ],
            ),
            body: "",
        },
        M {
            line: 160,
            t: 1300,
            dir: Some(In),
            start: req("OPTIONS", "sip:alice@contoso.com"),
            headers: vec![
                ("Via", "SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKo1".into()),
                ("Call-ID", "opt".into()),
                ("CSeq", "1 OPTIONS".into()),
            ],
            body: "",
        },
    ];
    ms.into_iter().map(|m| build_msg(m, client_log)).collect()
}

#[test]
fn a_client_trace_gives_two_hosts_labelled_as_participants() {
    let p = profile("nortel").unwrap();
    let msgs = seed(true);
    let l = build(&msgs, Some(&p), None);
    let rows = l.all_rows(&msgs);
    let labels: Vec<&str> = l.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Communicator", "Home Server (LCS/OCS)"],
        "{:#?}",
        l.columns
    );
    assert_eq!(l.columns[0].host, "10.0.0.20");
    // The ms-diagnostics source names the Home Server: the FQDN beats the IP.
    assert_eq!(l.columns[1].host, "ocs1.contoso.com");
    assert!(l.columns[1].aliases.contains(&"10.0.0.5".to_string()));
    assert_eq!(rows.len(), 9);
    assert_eq!((rows[0].from, rows[0].to), (Some(0), Some(1)));
    assert_eq!((rows[7].from, rows[7].to), (Some(1), Some(0)));
    assert_eq!(rows[0].delta_ms, None);
    assert_eq!(rows[1].delta_ms, Some(40));
    assert_eq!(rows[7].label, "404 Not Found (INVITE)");
    assert_eq!(rows[7].verdict, Verdict::ErrorResponse);
    assert_eq!(rows[5].label, "INVITE sip:rcc@mcm.contoso.com");
    assert_eq!(rows[5].call_id.as_deref(), Some("rcc"));
}

#[test]
fn without_directions_vias_and_transactions_place_the_messages() {
    let l = build(&seed(false), None, None);
    let invite = &l.rows[5];
    let c = |i: Option<u16>| l.columns[usize::from(i.unwrap())].host.clone();
    assert_eq!(c(invite.from()), "10.0.0.20");
    assert_eq!(c(invite.to()), "mcm.contoso.com");
    // The 404 answers the INVITE's transaction: the same two columns, reversed.
    let r404 = &l.rows[7];
    assert_eq!((r404.from(), r404.to()), (invite.to(), invite.from()));
}

#[test]
fn the_failing_leg_evidence_colours_its_rows() {
    let p = profile("nortel").unwrap();
    let msgs = seed(true);
    let d = Diagnosis {
        flow: vec![FlowLeg {
            from: "home-server".into(),
            to: "app-proxy".into(),
            message: "INVITE".into(),
            kind: rcc_core::profile::LegKind::Forward,
            state: LegState::MissingRoute,
            evidence: vec![msgs[7].evidence()],
            observed: None,
            extra: false,
        }],
        ..Diagnosis::default()
    };
    let l = build(&msgs, Some(&p), Some(&d));
    assert_eq!(l.rows[7].verdict, Verdict::FailingLeg);
    assert_eq!(l.first_failing(), Some(7));
    assert_eq!(l.rows[6].verdict, Verdict::Ok);
}

#[test]
fn repaired_and_partial_messages_are_marked() {
    let mut msgs = seed(true);
    msgs[0].set_quality(ParseQuality::Repaired {
        reasons: vec!["LF only".into()],
    });
    msgs[1].set_quality(ParseQuality::Partial {
        reason: "bad".into(),
        line: 1,
    });
    let l = build(&msgs, None, None);
    assert_eq!(l.rows[0].verdict, Verdict::Repaired);
    assert_eq!(l.rows[1].verdict, Verdict::Partial);
}

#[test]
fn filters_by_dialog_method_and_rcc_only() {
    let msgs = seed(true);
    let l = build(&msgs, None, None);
    let rows = l.all_rows(&msgs);
    let methods = |picked: &[usize]| -> Vec<String> {
        picked
            .iter()
            .map(|&r| rows[r].label.split(' ').next().unwrap().to_string())
            .collect()
    };
    let rcc = l.filtered(
        &msgs,
        &LadderFilter {
            rcc_only: true,
            ..Default::default()
        },
    );
    assert_eq!(methods(&rcc), ["SUBSCRIBE", "200", "INVITE", "100", "404"]);
    assert_eq!(rows[rcc[0]].call_id.as_deref(), Some("prov"));
    let invite = l.filtered(
        &msgs,
        &LadderFilter {
            method: Some("invite".into()),
            ..Default::default()
        },
    );
    assert_eq!(invite, [5, 6, 7]);
    let reg = l.filtered(
        &msgs,
        &LadderFilter {
            call_id: Some("reg".into()),
            ..Default::default()
        },
    );
    assert_eq!(reg, [0, 1]);
    assert_eq!(l.filtered(&msgs, &LadderFilter::default()).len(), 9);
    assert_eq!(l.dialogs.len(), 5);
    let dialogs = l.all_dialogs(&msgs);
    assert_eq!(dialogs[0].label, "REGISTER sip:contoso.com");
    assert!(dialogs.iter().find(|d| d.call_id == "rcc").unwrap().rcc);
    assert!(!dialogs.iter().find(|d| d.call_id == "pres").unwrap().rcc);
    assert!(l.methods.contains(&"OPTIONS".to_string()));
}

#[test]
fn a_request_to_the_line_server_is_rcc_even_without_csta() {
    let mut msgs = seed(true);
    let mut parts = msgs[5].to_parts();
    parts.headers.retain(|h| h.name != "Content-Type");
    msgs[5] = SipMessage::from(parts);
    let l = build(&msgs, None, None);
    assert!(l.rows[5].rcc);
}

#[test]
fn mermaid_export_is_a_sequence_diagram_with_safe_names() {
    let p = profile("nortel").unwrap();
    let mut msgs = seed(true);
    let mut parts = msgs[5].to_parts();
    parts.start_line = req("INVITE", "sip:rcc@mcm.contoso.com;x=1#<b>");
    msgs[5] = SipMessage::from(parts);
    let l = build(&msgs, Some(&p), None);
    let m = to_mermaid(&l, &msgs);
    let lines: Vec<&str> = m.lines().collect();
    assert_eq!(lines[0], "sequenceDiagram");
    assert!(m.contains("    participant H0 as Communicator (10.0.0.20)\n"));
    assert!(m.contains("    participant H1 as Home Server (LCS/OCS) (ocs1.contoso.com)\n"));
    assert!(
        m.contains("    H0->>H1: INVITE sip:rcc@mcm.contoso.com#59;x=1#35;#60;b#62;\n"),
        "{m}"
    );
    assert!(m.contains("    H1--xH0: 404 Not Found (INVITE)\n"));
    assert!(m.contains("    H1-->>H0: 100 Trying (INVITE)\n"));
    // Every message line is `A<arrow>B: text` with no raw ; or # outside entity codes.
    for line in lines
        .iter()
        .skip(2)
        .filter(|l| !l.trim_start().starts_with("participant"))
    {
        let text = line.split_once(": ").unwrap().1;
        assert!(
            !text
                .replace("#59;", "")
                .replace("#35;", "")
                .replace("#60;", "")
                .replace("#62;", "")
                .contains([';', '#', '<', '>']),
            "{line}"
        );
    }
    let some = to_mermaid_rows(&l, &msgs, &[5]);
    assert_eq!(some.lines().filter(|l| l.contains("->>")).count(), 1);
    assert!(!some.contains("participant U"));
}

#[test]
fn the_scroll_window_never_exceeds_the_rows() {
    for rows in [1usize, 2, 50, 10_000] {
        for top in [0.0, 13.0, 280.0 * 7.0, 1e7] {
            let w = window(rows, 28.0, top, 480.0, 8);
            assert!(w.start < w.end && w.end <= rows, "{rows} {top} {w:?}");
            assert!(w.len() <= 480 / 28 + 2 + 16);
        }
    }
}

#[test]
fn ten_thousand_synthetic_messages_build_quickly_and_rcc_only_drops_the_noise() {
    let log = synth::generate(LogFormat::Uccapi, 9_000_000, 7);
    let opts = IngestOptions {
        validate: false,
        ..IngestOptions::default()
    };
    let got = ingest::ingest_with_options(
        &[InputFile {
            name: "big.uccapilog",
            bytes: &log,
        }],
        &opts,
        &mut |_| {},
    );
    assert!(
        got.messages.len() >= 10_000,
        "only {} messages",
        got.messages.len()
    );
    let p = profile("nortel").unwrap();
    let t = std::time::Instant::now();
    let l = build(&got.messages, Some(&p), None);
    let took = t.elapsed();
    eprintln!(
        "ladder of {} messages built in {took:?}; columns {:?}",
        l.rows.len(),
        l.columns
            .iter()
            .map(|c| (&c.label, &c.host))
            .collect::<Vec<_>>()
    );
    assert!(took.as_secs_f64() < 10.0);
    assert_eq!(l.rows.len(), got.messages.len());
    assert!(l.columns.len() >= 2, "{:#?}", l.columns);
    assert_eq!(l.columns[0].label, "Communicator");
    let rcc = l.filtered(
        &got.messages,
        &LadderFilter {
            rcc_only: true,
            ..Default::default()
        },
    );
    assert!(!rcc.is_empty() && rcc.len() < l.rows.len());
    let rows = l.all_rows(&got.messages);
    for &r in &rcc {
        assert!(
            !matches!(rows[r].method.as_str(), "REGISTER" | "OPTIONS" | "SERVICE"),
            "{:?}",
            rows[r]
        );
    }
    assert!(rcc.iter().any(|&r| rows[r].method == "INFO"));
    assert!(rcc.iter().any(|&r| rows[r].method == "BENOTIFY"));
    let m = to_mermaid(&l, &got.messages);
    assert_eq!(m.lines().filter(|x| x.contains(": ")).count(), l.rows.len());
}

#[test]
fn a_known_address_names_the_participant() {
    let p = profile("nortel").unwrap();
    let topo = Topology {
        hosts: vec![Host {
            participant: "home-server".into(),
            fqdn: Some("ocs1.contoso.com".into()),
            ips: vec!["10.0.0.5".into()],
            port: Some(5061),
            transport: None,
            evidence: vec![],
            entered: true,
        }],
    };
    // Raw SIP: the OPTIONS comes from 10.0.0.5, which nothing in the messages names.
    let msgs = seed(false);
    let options = 8;
    let plain = build(&msgs, Some(&p), None);
    let col = usize::from(plain.rows[options].from().unwrap());
    assert_eq!(plain.columns[col].participant, None);
    let l = build_with_topology(&msgs, Some(&p), None, Some(&topo));
    let c = &l.columns[usize::from(l.rows[options].from().unwrap())];
    assert_eq!(c.participant.as_deref(), Some("home-server"));
    assert_eq!(c.label, "Home Server (LCS/OCS)");
    // The line server host is still the Application Proxy (from the provisioning answer).
    let invite_to = &l.columns[usize::from(l.rows[5].to().unwrap())];
    assert_eq!(invite_to.participant.as_deref(), Some("app-proxy"));
}

#[test]
fn ladder_data_answers_what_a_view_asks_the_same_as_the_model() {
    let msgs = seed(true);
    let model = build(&msgs, None, None);
    let data = LadderData::build(msgs.clone(), None, None, None);
    assert_eq!(data.ladder, model);
    let rcc = LadderFilter {
        rcc_only: true,
        ..Default::default()
    };
    let filtered = data.filter(&rcc);
    assert_eq!(
        filtered.iter().map(|&i| i as usize).collect::<Vec<_>>(),
        model.filtered(&msgs, &rcc)
    );
    // Rows by index, in the order asked.
    let rows = data.rows(&filtered[1..3]);
    let all = model.all_rows(&msgs);
    assert_eq!(
        rows,
        [
            all[filtered[1] as usize].clone(),
            all[filtered[2] as usize].clone()
        ]
    );
    assert_eq!(data.row(filtered[1] as usize).as_ref(), rows.first());
    // The raw message: headers in order, the key ones flagged, the body as read.
    let r = filtered[2] as usize;
    let raw = data.raw(r).expect("raw message");
    assert_eq!(raw.row, r);
    assert_eq!(raw.label, all[r].label);
    assert_eq!(raw.start_line, msgs[r].start_line_text());
    assert_eq!(raw.headers.len(), msgs[r].header_count());
    assert!(raw.headers.iter().any(|h| h.name == "Call-ID" && h.key));
    assert!(raw.headers.iter().all(|h| h.key == is_key_header(&h.name)));
    assert_eq!(raw.body, msgs[r].body());
    assert_eq!(
        raw.source,
        format!(
            "{}:{}-{}",
            msgs[r].source.file, msgs[r].source.line_start, msgs[r].source.line_end
        )
    );
    assert!(data.raw(msgs.len()).is_none());
    // Mermaid of a filter, and the report's SVG of the RCC rows.
    assert_eq!(
        data.mermaid(&rcc),
        to_mermaid_rows(&model, &msgs, &model.filtered(&msgs, &rcc))
    );
    assert_eq!(
        data.report_svg(),
        to_svg(&model, &msgs, &model.filtered(&msgs, &rcc))
    );
    // Where a row lands in a filtered list.
    assert_eq!(position_of(&filtered, r), Some(2));
    assert_eq!(position_of(&filtered, 0), None, "REGISTER is not RCC");
}
