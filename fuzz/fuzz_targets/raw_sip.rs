//! Fuzzes the raw SIP reader: the input is prefixed with a line that makes format detection pick it.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

const PREFIX: &[u8] = b"INVITE sip:a@b SIP/2.0\r\n";

fuzz_target!(|data: &[u8]| {
    common::check(&common::ingest_prefixed(PREFIX, data));
});
