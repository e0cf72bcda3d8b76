//! Fuzzes the Wireshark Follow Stream reader: the input is prefixed with a line that makes format detection pick it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::ingest::{ingest, InputFile};

const PREFIX: &[u8] = b"===================================================================\r\nFollow: tcp,ascii\r\nNode 0: 10.0.0.20:1\r\n";

fuzz_target!(|data: &[u8]| {
    let mut bytes = PREFIX.to_vec();
    bytes.extend_from_slice(data);
    let r = ingest(&[InputFile {
        name: "fuzz",
        bytes: &bytes,
    }]);
    let lines = r.files[0].lines;
    for m in &r.messages {
        assert!(m.source.line_start >= 1 && m.source.line_start <= m.source.line_end);
        assert!(m.source.line_end <= lines);
    }
});
