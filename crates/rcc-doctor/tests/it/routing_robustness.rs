//! Nothing in routing, extraction or diagnosis panics on odd input: random rules text, random
//! bodies, every synthetic log format, and every profile.

use crate::support::Run;
use rcc_core::extract;
use rcc_core::ingest::{synth, LogFormat};
use rcc_core::profile::profiles;
use rcc_core::routing::{parse_rules, simulate, CaseNames, Topology};
use rcc_core::sip::{Header, MessageParts, ParseQuality, SipMessage, SourceRef, StartLine};

/// Small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const RULE_TOKENS: &[&str] = &[
    "[home-server]",
    "[host-authorization]",
    "[app-proxy]",
    "[servers]",
    "[",
    "]",
    "route",
    "->",
    "-",
    ">",
    "*",
    "*.contoso.com",
    "mcm-ap.contoso.com",
    "lcs01.contoso.com",
    "rcc@mcm-ap.contoso.com",
    ":5061",
    ":",
    ":99999",
    "tls",
    "tcp",
    "udp",
    "replace-host=yes",
    "replace-host=",
    "authenticated",
    "throttle-as-server",
    "home-server",
    "app-proxy",
    "10.0.0.20",
    "tls:5061",
    "#",
    "\n",
    "\r\n",
    " ",
    "\t",
    "é",
    "\u{0}",
];

#[test]
fn random_rules_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let names = CaseNames {
        line_server_uri: Some("sip:rcc@mcm-ap.contoso.com".into()),
        user_uri: Some("sip:alice@contoso.com".into()),
        client: None,
        generation: None,
    };
    let ps = profiles();
    for _ in 0..3000 {
        let n = (rng.next() % 40) as usize;
        let text: String = (0..n)
            .map(|_| format!("{} ", rng.pick(RULE_TOKENS)))
            .collect();
        for p in ps {
            let parsed = parse_rules(&text, p);
            let _ = simulate(
                p,
                &parsed.config,
                &Topology::entered(&parsed.servers),
                &names,
            );
        }
    }
}

const BODY_TOKENS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "<?xml version=\"1.0\"?>",
    "<RequestSystemStatusResponse>",
    "<csta:systemStatus>",
    "normal",
    "</csta:systemStatus>",
    "<CSTAErrorCode>",
    "<operation>",
    "invalidDeviceID",
    "<provision>",
    "<line uri=\"",
    "\" server=\"",
    "sip:rcc@x",
    "\"",
    "'",
    "=",
    "<property name=\"lineUri\">",
    "&amp;",
    "&",
    "é",
    "\u{FFFD}",
    " ",
];

fn msg(body: String, ct: &str, status: Option<u16>) -> SipMessage {
    SipMessage::from(MessageParts {
        source: SourceRef {
            file: "r".into(),
            line_start: 1,
            line_end: 1,
        },
        timestamp: None,
        direction: None,
        local: None,
        peer: None,
        start_line: match status {
            Some(code) => StartLine::Response {
                code,
                reason: "X".into(),
            },
            None => StartLine::Request {
                method: "INVITE".into(),
                uri: "sip:rcc@mcm-ap.contoso.com".into(),
            },
        },
        headers: vec![
            Header {
                name: "Content-Type".into(),
                value: ct.into(),
            },
            Header {
                name: "ms-diagnostics".into(),
                value: "12;reason=\"a;b\";source=".into(),
            },
            Header {
                name: "Via".into(),
                value: "SIP/2.0/TLS [::1]:5061;received=, SIP/2.0 ,".into(),
            },
            Header {
                name: "Record-Route".into(),
                value: "<sip:>,<,>,".into(),
            },
        ],
        body,
        quality: ParseQuality::Clean,
        also_seen: vec![],
    })
}

#[test]
fn random_bodies_never_panic() {
    let mut rng = Rng(42);
    for i in 0..5000 {
        let n = (rng.next() % 30) as usize;
        let body: String = (0..n).map(|_| rng.pick(BODY_TOKENS)).collect();
        let ct = if i % 2 == 0 {
            "application/csta+xml"
        } else {
            "application/vnd-microsoft-roaming-provisioning+xml"
        };
        let m = msg(body, ct, (i % 3 != 0).then_some(200));
        let _ = extract::csta(&m);
        let _ = extract::provisioning(&m);
        let _ = extract::ms_diagnostics(&m);
        let _ = extract::hop_chain(&m);
    }
}

#[test]
fn every_synthetic_log_format_diagnoses_under_every_profile() {
    for (k, format) in LogFormat::ALL.iter().enumerate() {
        let bytes = synth::generate(*format, 64 << 10, k as u64 + 1);
        for p in profiles() {
            let mut run = Run::new(&p.id);
            run.logs.push(("synthetic.log".into(), bytes.clone()));
            let d = run.analyze().diagnosis;
            for f in &d.findings {
                assert!(!f.title.is_empty());
            }
        }
    }
}
