//! Fuzzes the Communicator/UCCAPI reader: the input is prefixed with a line that makes format detection pick it.
#![no_main]
use libfuzzer_sys::fuzz_target;

mod common;

const PREFIX: &[u8] = b"11/30/2006|14:02:11.123 0AE8:0B20 INFO  :: Sending Packet - 10.0.0.5:5061 (From Local Address: 10.0.0.20:1) 1 bytes:\r\n";

fuzz_target!(|data: &[u8]| {
    common::check(&common::ingest_prefixed(PREFIX, data));
});
