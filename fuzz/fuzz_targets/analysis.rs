//! Fuzzes the whole analysis (reading, the index, the case and its topology, the observed flow,
//! the diagnosis, the ladder) on two logs: the input split at its first 0xFF byte. Nothing may
//! panic, and the three ways to run it must say the same: grading as the logs are read,
//! grading on a second thread while they are diagnosed (the command line's), and grading, the
//! dialog counts and the ladder when asked for after the diagnosis (the analysis worker's). The
//! snapshot cases check this on every fixture and real log; here on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::analysis::{
    analyze, AnalysisInput, AnalysisSummary, Grading, Hooks, Options, StageTimings,
};
use rcc_core::ingest::OwnedInput;

mod split;

fn run(logs: &[OwnedInput], options: Options) -> String {
    let (mut summary, mut details): (AnalysisSummary, _) = analyze(
        AnalysisInput::of_logs(logs),
        logs.to_vec(),
        &mut Hooks::default(),
        options,
    );
    if options.grading == Grading::Later {
        summary.files = details.grade().to_vec();
        (summary.dialogs, summary.transactions) = (details.dialogs(), details.transactions());
        summary.ladder = Some(details.build_ladder().summary());
    }
    summary.timings = StageTimings::default();
    serde_json::to_string(&summary).expect("a summary serialises")
}

fuzz_target!(|data: &[u8]| {
    let logs = split::two_files(data);
    let read = run(&logs, Options::default());
    let alongside = run(
        &logs,
        Options {
            grading: Grading::Alongside,
            ..Options::default()
        },
    );
    assert_eq!(alongside, read, "grading alongside changed the analysis");
    let worker = run(&logs, Options::WORKER);
    assert_eq!(worker, read, "the worker's order changed the analysis");
});
