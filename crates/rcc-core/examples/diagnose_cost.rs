//! One log through the whole analysis, for counting the diagnose stage's instructions:
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='rcc_core::analysis::finish*'
//! target/release/examples/diagnose_cost LOG` (wall time on a shared machine is noise; the
//! instruction count is not). Prints the stage timings.

use rcc_core::analysis::{analyze, AnalysisInput, Hooks, LadderBuild, Options};
use rcc_core::ingest::OwnedInput;

fn main() {
    let path = std::env::args().nth(1).expect("usage: diagnose_cost LOG");
    let bytes = std::fs::read(&path).expect("the log can be read");
    let logs = vec![OwnedInput { name: path, bytes }];
    let input = AnalysisInput::of_logs(&logs);
    let (summary, _details) = analyze(
        input,
        logs,
        &mut Hooks::default(),
        Options {
            // The ladder is no part of the diagnosis (the worker builds it when asked).
            ladder: LadderBuild::OnRequest,
            ..Options::default()
        },
    );
    eprintln!(
        "messages {} read {:.0} ms diagnose {:.0} ms findings {}",
        summary.messages,
        summary.timings.read_ms,
        summary.timings.diagnose_ms,
        summary.diagnosis.findings.len()
    );
}
