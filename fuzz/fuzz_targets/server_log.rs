//! Fuzzes the LCS/OCS server log reader: the input is prefixed with a line that makes format detection pick it.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

const PREFIX: &[u8] = b"TL_INFO(TF_PROTOCOL) [0]0AE8.0B20::11/30/2006-14:02:11.123.0000000f (SIPStack)$$begin_record\r\n";

fuzz_target!(|data: &[u8]| {
    common::check(&common::ingest_prefixed(PREFIX, data));
});
