//! Ingestion throughput with divan: `cargo bench --bench ingest_divan`.
//!
//! Per format, a deterministic ~10 MB synthetic log (`synth::generate`) and divan's throughput
//! (bytes counter) for: the newline scan (the physical bound of any line-based reader), the
//! whole ingestion as shipped (every message graded against RFC 3261), and the ingestion without
//! grading. The ingestion takes its bytes (`ingest_owned`, as the app does); each sample gets a
//! fresh copy made outside the timing, and the result is dropped outside it too.
//! `benches/ingest.rs` adds the grading share and a peak-memory mode.

use divan::counter::BytesCount;
use divan::Bencher;
use rcc_core::ingest::{count_newlines, ingest_owned, synth, IngestOptions, LogFormat, OwnedInput};

fn main() {
    divan::main();
}

const FORMATS: [&str; 5] = ["raw", "uccapi", "server", "wireshark", "sipp"];
const BYTES: usize = 10 << 20;

fn log(format: &str) -> Vec<u8> {
    let f = match format {
        "raw" => LogFormat::RawSip,
        "uccapi" => LogFormat::Uccapi,
        "server" => LogFormat::ServerLog,
        "wireshark" => LogFormat::WiresharkFollow,
        _ => LogFormat::SippTrace,
    };
    synth::generate(f, BYTES, 42)
}

#[divan::bench(args = FORMATS, sample_count = 20, sample_size = 1)]
fn newline_scan(bencher: Bencher, format: &str) {
    let bytes = log(format);
    bencher
        .counter(BytesCount::of_slice(&bytes))
        .bench(|| count_newlines(divan::black_box(&bytes)));
}

fn bench_ingest(bencher: Bencher, format: &str, validate: bool) {
    let bytes = log(format);
    let opts = IngestOptions {
        validate,
        ..IngestOptions::default()
    };
    bencher
        .counter(BytesCount::of_slice(&bytes))
        .with_inputs(|| bytes.clone())
        .bench_values(|bytes| {
            let files = vec![OwnedInput {
                name: "bench".into(),
                bytes: bytes.into(),
            }];
            ingest_owned(files, &opts, &mut |_| {})
        });
}

#[divan::bench(args = FORMATS, sample_count = 20, sample_size = 1)]
fn ingest(bencher: Bencher, format: &str) {
    bench_ingest(bencher, format, true);
}

#[divan::bench(args = FORMATS, sample_count = 20, sample_size = 1)]
fn ingest_without_grading(bencher: Bencher, format: &str) {
    bench_ingest(bencher, format, false);
}
