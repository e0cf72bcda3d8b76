//! One log through the whole analysis, for counting the diagnose stage's instructions:
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='rcc_core::analysis::finish*'
//! target/release/examples/diagnose_cost LOG` (wall time on a shared machine is noise; the
//! instruction count is not). Prints the stage timings.
//! The logs are read the worker's way, grading after the diagnosis.
//! With `--ladder`, then grades the messages and builds the ladder the worker's way, when asked:
//! `--toggle-collect='diagnose_cost::build_ladder'` counts that build alone.

use rcc_core::analysis::{analyze, AnalysisDetails, AnalysisInput, Hooks, Options};
use rcc_core::ingest::OwnedInput;

#[inline(never)]
fn build_ladder(details: &mut AnalysisDetails) -> usize {
    details.build_ladder().summary().rows
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: diagnose_cost LOG [--ladder]");
    let ladder = args.next().as_deref() == Some("--ladder");
    let bytes = std::fs::read(&path).expect("the log can be read");
    let logs = vec![OwnedInput {
        name: path,
        bytes: bytes.into(),
    }];
    let input = AnalysisInput::of_logs(&logs);
    let (summary, mut details) = analyze(
        input,
        logs,
        &mut Hooks::default(),
        // As the worker: the grades and the ladder are no part of the diagnosis (`--ladder`
        // grades, then builds the ladder, after it).
        Options::WORKER,
    );
    eprintln!(
        "messages {} read {:.0} ms diagnose {:.0} ms findings {}",
        summary.messages,
        summary.timings.read_ms,
        summary.timings.diagnose_ms,
        summary.diagnosis.findings.len()
    );
    if ladder {
        details.grade();
        let started = std::time::Instant::now();
        let rows = build_ladder(&mut details);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        eprintln!("ladder: {rows} rows in {ms:.0} ms");
    }
}
