//! What the targets of several files share: the fuzzed bytes as two files.
use rcc_core::ingest::OwnedInput;

/// `data` split at its first 0xFF byte into two files, "a" and "b" (the second one starting
/// with that byte, which is no UTF-8: read as a replacement character).
pub fn two_files(data: &[u8]) -> Vec<OwnedInput> {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (a, b) = data.split_at(cut);
    vec![
        OwnedInput {
            name: "a".into(),
            bytes: a.to_vec().into(),
        },
        OwnedInput {
            name: "b".into(),
            bytes: b.to_vec().into(),
        },
    ]
}
