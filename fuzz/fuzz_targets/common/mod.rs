//! What the reader targets share: a read of the fuzzed bytes behind a line that makes format
//! detection pick the reader under test, and what every read must hold.
use rcc_core::ingest::{ingest, Ingested, InputFile};

/// `data` read as one file, after `prefix`.
pub fn ingest_prefixed(prefix: &[u8], data: &[u8]) -> Ingested {
    let mut bytes = prefix.to_vec();
    bytes.extend_from_slice(data);
    ingest(&[InputFile {
        name: "fuzz",
        bytes: &bytes,
    }])
}

/// What every read must hold: lines inside the file, counts that add up, a partly parsed
/// message's first fault on one of its own lines.
pub fn check(r: &Ingested) {
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
