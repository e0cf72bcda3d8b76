//! Fuzzes the redactor (what a user shares instead of their logs): the bytes split at their
//! first 0xFF into a log and an AD paste, each learned then redacted with one map, as bytes
//! (any encoding) and as text. Nothing may panic, and UTF-8 in gives UTF-8 out.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::redact::{redact_all, RedactOptions, Redactor};

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (log, ad) = data.split_at(cut);
    let mut r = Redactor::new(RedactOptions::default());
    r.learn_bytes(log);
    r.learn_bytes(ad);
    let out = r.redact_bytes("log", log);
    if std::str::from_utf8(log).is_ok() {
        assert!(std::str::from_utf8(&out).is_ok(), "UTF-8 in, UTF-8 out");
    }
    let _ = r.redact_bytes("ad", ad);
    let files = vec![
        ("log".to_string(), String::from_utf8_lossy(log).into_owned()),
        ("ad".to_string(), String::from_utf8_lossy(ad).into_owned()),
    ];
    let (texts, report) = redact_all(RedactOptions::default(), &files);
    assert_eq!(texts.len(), 2);
    let _ = report.total();
});
