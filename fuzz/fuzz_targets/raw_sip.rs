//! Fuzzes the raw SIP reader: the input is prefixed with a line that makes format detection pick it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::ingest::{ingest, InputFile};

const PREFIX: &[u8] = b"INVITE sip:a@b SIP/2.0\r\n";

fuzz_target!(|data: &[u8]| {
    let mut bytes = PREFIX.to_vec();
    bytes.extend_from_slice(data);
    let r = ingest(&[InputFile {
        name: "fuzz",
        bytes: &bytes,
    }]);
    check(&r);
});

/// What every read must hold: lines inside the file, counts that add up, a partly parsed
/// message's first fault on one of its own lines.
fn check(r: &rcc_core::ingest::Ingested) {
    let f = &r.files[0];
    assert_eq!(f.clean + f.repaired + f.partial, f.messages);
    for p in &f.problems {
        assert!(p.line >= 1 && p.line <= f.lines.max(1), "{p:?}");
    }
    for m in &r.messages {
        assert!(m.source.line_start >= 1 && m.source.line_start <= m.source.line_end);
        assert!(m.source.line_end <= f.lines);
        if let &rcc_core::sip::ParseQuality::Partial { line, .. } = m.quality() {
            assert!(m.source.line_start <= line && line <= m.source.line_end, "{line}");
        }
    }
    for e in &r.events {
        assert!(e.source.line_start >= 1 && e.source.line_end <= f.lines);
    }
}
