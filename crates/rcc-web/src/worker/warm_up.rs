//! Warming the worker's code up before the user's first log.
//!
//! Chromium runs a new wasm module in its baseline compiler (Liftoff) and compiles the functions
//! that run hot with its optimising compiler (TurboFan), in the background, for their next call.
//! Measured in Chromium 156 on a 10 MB raw SIP log (2026-12-03): the first pick in a fresh
//! browser was read in ~200 ms and the second in ~27 ms, so a user's first log, the one that
//! matters, took the slow path. The page's own first analysis (the example or the saved case) is
//! too small to make anything hot.
//!
//! So once the worker has been idle for [`PAUSE_MS`], it analyses small synthetic logs
//! (`rcc_core::ingest::synth`, the benchmarks' message mix) in the formats users bring, through
//! the whole way of a picked file (read from a `Blob` as a stream, then the diagnosis, grades and
//! ladder rows the page asks for), one [`SLICES`] entry at a time with the event loop in between,
//! and drops what it made. With it, the first pick of that 10 MB log in a fresh browser went from
//! ~260 ms to ~95 ms (pick -> file card; the second pick ~57 ms). A message from the
//! page is always handled first, and the warm-up stops once the worker has read
//! [`ENOUGH_BYTES`] of the user's own logs (they warm the same code). It runs in the worker only:
//! the single file and the embedded widget analyse on the page, which must not be kept busy.

use rcc_core::analysis::{analyze, AnalysisInput, Hooks, Options};
use rcc_core::ingest::{synth, LogFormat, OwnedInput};

/// The idle time before each slice: the page's first analysis goes first, and a page that
/// posts a request right after another finds the worker free.
pub const PAUSE_MS: u32 = 250;

/// Logs read for the user that warm the same code as the whole warm-up.
pub const ENOUGH_BYTES: usize = 1 << 20;

/// One synthetic log per slice: the formats and sizes that made a first 10 MB pick (raw SIP and
/// a Communicator trace) read about as fast as a second one, in slices of a few tens of
/// milliseconds in the baseline tier, so a request waits at most one slice.
pub const SLICES: &[(LogFormat, usize)] = &[
    (LogFormat::RawSip, 128 << 10),
    (LogFormat::Uccapi, 128 << 10),
    (LogFormat::RawSip, 128 << 10),
    (LogFormat::Uccapi, 128 << 10),
    (LogFormat::ServerLog, 64 << 10),
    (LogFormat::RawSip, 256 << 10),
    (LogFormat::Uccapi, 256 << 10),
];

/// What one slice read: the format the log was read as, its messages and the ladder rows made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warmed {
    pub format: Option<LogFormat>,
    pub messages: usize,
    pub rows: usize,
}

/// The synthetic log of `slice`, to be read as a picked file is (a different seed per slice:
/// other Call-IDs and tags, as in a real log).
pub fn slice_log(slice: usize) -> Option<Vec<u8>> {
    let &(format, bytes) = SLICES.get(slice)?;
    Some(synth::generate(format, bytes, 0x5eed_0000 + slice as u64))
}

/// Analyses `bytes` as the page would have them analysed (the diagnosis, then the grades, the
/// ladder and its first rows) and drops the result.
pub fn analyse(bytes: Vec<u8>) -> Warmed {
    let logs = vec![OwnedInput {
        name: "warm-up.log".into(),
        bytes: bytes.into(),
    }];
    let input = AnalysisInput::of_logs(&logs);
    let (summary, mut details) = analyze(input, logs, &mut Hooks::default(), Options::WORKER);
    let ladder = details.build_ladder();
    let first: Vec<u32> = (0..ladder.summary().rows.min(50))
        .map(|r| r as u32)
        .collect();
    Warmed {
        format: summary.files.first().map(|f| f.format),
        messages: summary.messages,
        rows: ladder.rows(&first).len(),
    }
}
