//! One entry point from raw inputs to everything the wizard shows: the browser (in a worker or
//! on the main thread) and the CLI both call [`analyze`], so they can never disagree.

use crate::core::ingest::{self, IngestOptions, Ingested, InputFile};
use serde::{Deserialize, Serialize};

/// A log file as the user supplied it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFileInput {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Added to this file's timestamps (ms), to line up clocks between machines.
    pub clock_offset_ms: i64,
}

/// Everything the user entered in the wizard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisInput {
    pub profile_id: String,
    pub sign_in: String,
    pub ad_text: String,
    pub rules_text: String,
    pub logs: Vec<LogFileInput>,
}

/// Everything computed from an [`AnalysisInput`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analysis {
    pub ingested: Ingested,
}

/// Runs every stage on the input. Never panics; bad input shows up as problems in the result.
pub fn analyze(input: &AnalysisInput) -> Analysis {
    analyze_with_progress(input, &mut |_| {})
}

/// As [`analyze`], reporting log-reading progress as a fraction from 0 to 1.
pub fn analyze_with_progress(input: &AnalysisInput, progress: &mut dyn FnMut(f64)) -> Analysis {
    let files: Vec<InputFile> = input
        .logs
        .iter()
        .map(|l| InputFile {
            name: &l.name,
            bytes: &l.bytes,
        })
        .collect();
    let total: usize = input
        .logs
        .iter()
        .map(|l| l.bytes.len())
        .sum::<usize>()
        .max(1);
    let starts: Vec<usize> = input
        .logs
        .iter()
        .scan(0usize, |acc, l| {
            let s = *acc;
            *acc += l.bytes.len();
            Some(s)
        })
        .collect();
    let opts = IngestOptions {
        clock_offsets_ms: input.logs.iter().map(|l| l.clock_offset_ms).collect(),
        ..IngestOptions::default()
    };
    let ingested = ingest::ingest_with_options(&files, &opts, &mut |p| {
        let base = starts.get(p.file_index).copied().unwrap_or(0);
        progress((base + p.bytes_done) as f64 / total as f64);
    });
    Analysis { ingested }
}
