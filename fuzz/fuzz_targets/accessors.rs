//! Fuzzes the header accessors and the byte splits behind them: every message read from the
//! input answers by name as a walk of its headers does, and each split by bytes agrees with the
//! char search it replaced (CSeq, Content-Type, host and port, name-addr, Via).
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;
use rcc_core::sip::SipMessage;
use rcc_core::{extract, uri};

const PREFIX: &[u8] = b"INVITE sip:a@b SIP/2.0\r\n";

fuzz_target!(|data: &[u8]| {
    let r = common::ingest_prefixed(PREFIX, data);
    common::check(&r);
    for m in &r.messages {
        check_message(m);
    }
    // The value splits on any text, not only what the reader let through.
    let text = String::from_utf8_lossy(data);
    check_value(&text);
});

fn check_message(m: &SipMessage) {
    let names: Vec<&str> = m.headers().map(|h| h.name).collect();
    for name in names.iter().copied().chain(["Via", "CSeq", "Content-Type", "X-Unknown"]) {
        let walk: Vec<&str> = m
            .headers()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
            .collect();
        assert_eq!(m.header(name), walk.first().copied(), "{name}");
        assert_eq!(m.headers_named(name).collect::<Vec<_>>(), walk, "{name}");
    }
    let cseq = m.header("CSeq").and_then(|v| {
        let (n, meth) = v.trim().split_once(char::is_whitespace)?;
        Some((n.trim().parse::<u32>().ok()?, meth.trim()))
    });
    assert_eq!(m.cseq(), cseq);
    let content_type = m
        .header("Content-Type")
        .map(|v| v.split(';').next().unwrap_or("").trim());
    assert_eq!(m.content_type(), content_type);
    let _ = (extract::top_via(m), extract::hop_chain(m), extract::product(m), extract::event(m));
    for v in m.headers() {
        check_value(v.value);
    }
}

fn check_value(v: &str) {
    assert_eq!(uri::split_host_port_text(v), host_port_by_chars(v), "{v:?}");
    let n = uri::NameAddr::parse(v);
    assert_eq!((n.display, n.uri, n.params), name_addr_by_chars(v), "{v:?}");
    let _ = (uri::UriView::parse(v), uri::is_ip(v), uri::host_key(v));
}

fn host_port_by_chars(s: &str) -> (&str, Option<&str>) {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => (rest, None),
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(p)),
        _ => (s, None),
    }
}

/// NameAddr::parse as it was written with char searches (the quoted-`<` search is the same).
fn name_addr_by_chars(value: &str) -> (Option<&str>, &str, &str) {
    let v = value.trim();
    if let Some(open) = uri::find_unquoted(v, b'<') {
        let display = v[..open].trim().trim_matches('"').trim();
        let after = &v[open + 1..];
        let close = after.find('>').unwrap_or(after.len());
        let uri = after[..close].trim();
        let rest = after.get(close + 1..).unwrap_or("").trim_start();
        let params = rest.strip_prefix(';').unwrap_or(rest);
        return ((!display.is_empty()).then_some(display), uri, params);
    }
    let host_start = v.rfind('@').map_or(0, |i| i + 1);
    match v[host_start..].find(';') {
        Some(i) => (None, v[..host_start + i].trim(), &v[host_start + i + 1..]),
        None => (None, v, ""),
    }
}
