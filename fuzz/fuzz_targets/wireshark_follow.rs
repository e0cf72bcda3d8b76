//! Fuzzes the Wireshark Follow Stream reader: the input is prefixed with a line that makes format detection pick it.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

const PREFIX: &[u8] = b"===================================================================\r\nFollow: tcp,ascii\r\nNode 0: 10.0.0.20:1\r\n";

fuzz_target!(|data: &[u8]| {
    common::check(&common::ingest_prefixed(PREFIX, data));
});
