//! Heap high-water mark of one analysis per stage, counted by a global allocator (exact and
//! deterministic, unlike RSS): what the worker's wasm memory follows, since wasm memory only
//! grows to the highest live heap. Native pointers are 8 bytes, wasm32's 4: read the per-message
//! figures with that in mind (`SipMessage` is 136 bytes here, 104 on wasm32).
//! `cargo run --release --example mem_stages -- [--worker] LOG...` (the ladder is built). With
//! `--worker`, the worker's order: read without grading, diagnose, then the grades and the
//! ladder as the page asks for them. Built for `wasm32-wasip1` and run under a WASI runtime
//! (Node's `node:wasi` will do), it also prints the wasm memory after each stage: the figure the
//! browser bench compares with the input, allocator slack included.

use rcc_core::analysis::{analyze, AnalysisInput, Hooks, Options};
use rcc_core::ingest::OwnedInput;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The peak of the whole run (`PEAK` restarts at every mark).
static RUN_PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            PEAK.fetch_max(LIVE.fetch_add(l.size(), Relaxed) + l.size(), Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            // Counted as the worst case of a moving realloc (both blocks live), as in wasm.
            PEAK.fetch_max(LIVE.load(Relaxed) + new, Relaxed);
            LIVE.fetch_add(new, Relaxed);
            LIVE.fetch_sub(l.size(), Relaxed);
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The peak since the last mark and the live bytes now, as multiples of the input; starts a
/// new stage.
fn mark(stage: &str, input: usize) {
    let (live, peak) = (LIVE.load(Relaxed), PEAK.load(Relaxed));
    let x = |b: usize| b as f64 / input as f64;
    let mb = |b: usize| b as f64 / (1 << 20) as f64;
    eprint!(
        "{stage:<10} peak {:7.1} MiB ({:.2}x)  live after {:7.1} MiB ({:.2}x)",
        mb(peak),
        x(peak),
        mb(live),
        x(live)
    );
    match wasm_memory() {
        Some(m) => eprintln!("  wasm memory {:7.1} MiB ({:.2}x)", mb(m), x(m)),
        None => eprintln!(),
    }
    RUN_PEAK.fetch_max(peak, Relaxed);
    PEAK.store(live, Relaxed);
}

/// The whole linear memory (stack, statics, the allocator's free lists and all): what the
/// browser's bench reads off the worker. Only wasm has one.
#[cfg(target_arch = "wasm32")]
fn wasm_memory() -> Option<usize> {
    Some(std::arch::wasm32::memory_size(0) * 65536)
}

#[cfg(not(target_arch = "wasm32"))]
fn wasm_memory() -> Option<usize> {
    None
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let worker = args.iter().any(|a| a == "--worker");
    let options = if worker {
        Options::WORKER
    } else {
        Options::default()
    };
    for path in args.into_iter().filter(|a| a != "--worker") {
        let bytes = std::fs::read(&path).expect("a readable log");
        let size = bytes.len();
        eprintln!("{path}: {:.1} MiB", size as f64 / (1 << 20) as f64);
        let logs = vec![OwnedInput {
            name: path,
            bytes: bytes.into(),
        }];
        let input = AnalysisInput::of_logs(&logs);
        mark("start", size);
        RUN_PEAK.store(0, Relaxed);
        // The analysis reads the clock between its stages: read, diagnose, ladder, split.
        let stages = ["(before)", "read", "diagnose", "ladder", "split"];
        let mut at = 0;
        let mut clock = || {
            mark(stages.get(at).copied().unwrap_or("?"), size);
            at += 1;
            0.0
        };
        let mut hooks = Hooks {
            clock: Some(&mut clock),
            ..Hooks::default()
        };
        let (summary, mut details) = analyze(input, logs, &mut hooks, options);
        mark("returned", size);
        if worker {
            details.grade();
            mark("grades", size);
            details.build_ladder();
            mark("ladder", size);
        }
        let messages = details.ladder.messages.len();
        eprintln!(
            "{messages} messages; held {:.0} bytes per message beside the text; run peak {:.2}x \
             the input, {:.0} bytes per message beside it\n",
            LIVE.load(Relaxed).saturating_sub(size) as f64 / messages.max(1) as f64,
            RUN_PEAK.load(Relaxed) as f64 / size as f64,
            RUN_PEAK.load(Relaxed).saturating_sub(size) as f64 / messages.max(1) as f64,
        );
        drop((summary, details));
    }
}
