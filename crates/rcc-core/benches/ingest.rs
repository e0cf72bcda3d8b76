//! Ingestion throughput, std-only (no bench framework): `cargo bench --bench ingest`.
//!
//! For each format, a deterministic ~10 MB synthetic log (`synth::generate`), then MB/s for:
//! - `newline scan`: counting `\n` (the physical bound of any line-based reader);
//! - `ingest (no grading)`: the whole pipeline with grading off;
//! - `ingest`: the whole pipeline as shipped (every message graded against RFC 3261).
//!
//! Best of N runs, timed in thread CPU time (Linux) so other load on the machine matters less. Args: `[MB] [runs]`, or `mem FORMAT MB` to print peak RSS for one ingest
//! (fresh process: `cargo bench --bench ingest -- mem uccapi 100`).

use rcc_core::ingest::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// CPU time of this thread (Linux schedstat, ns), so a busy shared machine does not skew the
/// numbers much; wall clock elsewhere.
fn cpu_now() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Best time of `runs`; the result is dropped outside the timing (the app keeps it).
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_now());
        let out = black_box(f());
        let took = match (c, cpu_now()) {
            // schedstat advances in coarse steps: short runs use the wall clock.
            (Some(a), Some(b)) if b.saturating_sub(a) >= Duration::from_millis(40) => b - a,
            _ => t.elapsed(),
        };
        best = best.min(took);
        drop(out);
    }
    best
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

fn fmt_by_name(s: &str) -> LogFormat {
    match s {
        "raw" => LogFormat::RawSip,
        "uccapi" => LogFormat::Uccapi,
        "server" => LogFormat::ServerLog,
        "wireshark" => LogFormat::WiresharkFollow,
        "sipp" => LogFormat::SippTrace,
        _ => LogFormat::Unknown,
    }
}

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with(field))?;
    l.split_whitespace().nth(1)?.parse().ok()
}

fn peak_rss_kb() -> Option<u64> {
    status_kb("VmHWM:")
}

/// Bytes the result holds on the heap beyond the shared file text (struct sizes + what each
/// message owns, no allocator overhead), and the number of heap blocks that takes.
fn heap_bytes(r: &Ingested) -> (usize, usize) {
    use rcc_core::sip::SipMessage;
    let mut total = r.messages.capacity() * std::mem::size_of::<SipMessage>();
    let mut allocs = 1;
    for m in &r.messages {
        let (bytes, blocks) = m.owned_heap();
        total += bytes;
        allocs += blocks;
    }
    (total, allocs)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("mem") {
        let format = fmt_by_name(args.get(1).map_or("uccapi", String::as_str));
        let mb: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
        let bytes = synth::generate(format, mb << 20, 42);
        let input_len = bytes.len();
        let before = peak_rss_kb().unwrap_or(0);
        // The app's path: the bytes are handed over and become the messages' shared text.
        let r = ingest_owned(
            vec![OwnedInput {
                name: "big".into(),
                bytes: bytes.into(),
            }],
            &IngestOptions::default(),
            &mut |_| {},
        );
        let after = peak_rss_kb().unwrap_or(0);
        let kept = status_kb("VmRSS:").unwrap_or(0);
        let (heap, allocs) = heap_bytes(&r);
        println!(
            "  result holds ~{:.1} MB besides the shared file text, in ~{allocs} allocations ({} B per SipMessage)",
            heap as f64 / 1048576.0,
            std::mem::size_of::<rcc_core::sip::SipMessage>(),
        );
        println!(
            "mem {format:?}: input {:.1} MB, {} messages; peak RSS {:.1} MB before ingest, {:.1} MB after ({:.2}x input; {:.2}x still held with the result)",
            input_len as f64 / 1048576.0,
            r.messages.len(),
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            after as f64 * 1024.0 / input_len as f64,
            kept as f64 * 1024.0 / input_len as f64
        );
        return;
    }
    if args.first().map(String::as_str) == Some("profile") {
        // For perf: mostly ingestion, little generation. `profile FORMAT [grade]`
        let format = fmt_by_name(args.get(1).map_or("uccapi", String::as_str));
        let opts = IngestOptions {
            validate: args.get(2).map(String::as_str) == Some("grade"),
            ..IngestOptions::default()
        };
        let bytes = synth::generate(format, 10 << 20, 42);
        let files = [InputFile {
            name: "bench",
            bytes: &bytes,
        }];
        for _ in 0..20 {
            black_box(ingest_with_options(&files, &opts, &mut |_| {}));
        }
        return;
    }
    let mb: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(10);
    let runs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    println!("ingest benchmark: ~{mb} MB per format, best of {runs}");
    println!(
        "{:<24} {:>8} {:>9} {:>12} {:>16} {:>10} {:>9}",
        "format", "MB", "messages", "newline MB/s", "no-grade MB/s", "full MB/s", "grade %"
    );
    let no_grading = IngestOptions {
        validate: false,
        ..IngestOptions::default()
    };
    for format in [
        LogFormat::RawSip,
        LogFormat::Uccapi,
        LogFormat::ServerLog,
        LogFormat::WiresharkFollow,
        LogFormat::SippTrace,
    ] {
        let bytes = synth::generate(format, mb << 20, 42);
        let files = [InputFile {
            name: "bench",
            bytes: &bytes,
        }];
        let msgs = ingest(&files).messages.len();
        let nl = best(runs, || count_newlines(black_box(&bytes)));
        let fast = best(runs, || {
            ingest_with_options(&files, &no_grading, &mut |_| {})
        });
        let full = best(runs, || ingest(&files));
        println!(
            "{:<24} {:>8.1} {:>9} {:>12.0} {:>16.0} {:>10.0} {:>8.0}%",
            format.label(),
            bytes.len() as f64 / 1048576.0,
            msgs,
            mbps(bytes.len(), nl),
            mbps(bytes.len(), fast),
            mbps(bytes.len(), full),
            100.0 * (full.as_secs_f64() - fast.as_secs_f64()) / full.as_secs_f64()
        );
    }
}
