//! Fuzzes the SIPp trace reader: the input is prefixed with a line that makes format detection pick it.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

const PREFIX: &[u8] = b"----------------------------------------------- 2006-11-30 14:02:11.123456\r\nUDP message sent (1 bytes):\r\n";

fuzz_target!(|data: &[u8]| {
    common::check(&common::ingest_prefixed(PREFIX, data));
});
