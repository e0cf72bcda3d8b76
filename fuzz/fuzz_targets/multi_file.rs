//! Fuzzes merging: the input split at its first 0xFF byte into two files.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::ingest::{ingest, InputFile};

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (a, b) = data.split_at(cut);
    let r = ingest(&[
        InputFile {
            name: "a",
            bytes: a,
        },
        InputFile {
            name: "b",
            bytes: b,
        },
    ]);
    for d in &r.dialogs {
        assert!(d.messages.iter().all(|&i| i < r.messages.len()));
    }
    // The count the analysis shows is the number of transactions the list holds.
    assert_eq!(r.transactions().len(), r.transaction_count);
});
