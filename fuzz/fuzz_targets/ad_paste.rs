//! Fuzzes the Active Directory paste reader alone: the bytes split at their first 0xFF into the
//! paste and the sign-in address that chooses among several users' entries. Nothing may panic;
//! every recognised attribute and ignored line points at a line of the paste, and the entry
//! kept is one user's (no attribute twice).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::directory::parse_paste_for;

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (text, sign_in) = data.split_at(cut);
    let text = String::from_utf8_lossy(text);
    let sign_in = String::from_utf8_lossy(sign_in.get(1..).unwrap_or_default());
    // Line ends as the reader counts them: CRLF, LF, or a lone CR.
    let lines = text.replace("\r\n", "\n").replace('\r', "\n").split('\n').count() as u32;
    let p = parse_paste_for(&text, Some(&sign_in));
    for r in &p.recognised {
        assert!(r.line >= 1 && r.line <= lines, "line {} of {lines}", r.line);
    }
    for i in &p.ignored {
        assert!(i.line <= lines, "ignored line {} of {lines}", i.line);
    }
    let mut names: Vec<&str> = p.recognised.iter().map(|r| r.attribute.as_str()).collect();
    names.sort_unstable();
    let all = names.len();
    names.dedup();
    assert_eq!(names.len(), all, "an attribute recognised twice");
});
