//! One way into the analysis for every test: a [`Run`] is what a user would enter in the wizard
//! (profile, sign-in, AD paste, rules, logs), analysed through the one door
//! (`rcc_core::analysis::analyze`) that the page, the worker and the CLI use.
#![allow(dead_code)]

use rcc_core::analysis::{
    analyze, AnalysisDetails, AnalysisInput, AnalysisSummary, Hooks, LogFileInput, Options,
};
use rcc_core::example::ExampleCase;
use rcc_core::generation::Generation;
use rcc_core::ingest::OwnedInput;
use std::path::Path;

/// The repository root (fixtures, docs, data).
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The bytes of `fixtures/logs/<name>`.
pub fn fixture_log(name: &str) -> Vec<u8> {
    let path = format!("{ROOT}/fixtures/logs/{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `fixtures/logs/<name>` read on its own.
pub fn ingest_fixture_log(name: &str) -> rcc_core::ingest::Ingested {
    let bytes = fixture_log(name);
    rcc_core::ingest::ingest(&[rcc_core::ingest::InputFile {
        name,
        bytes: &bytes,
    }])
}

#[derive(Debug, Clone, Default)]
pub struct Run {
    pub profile: String,
    pub sign_in: String,
    pub generation: Option<Generation>,
    pub ad: String,
    pub rules: String,
    pub logs: Vec<(String, Vec<u8>)>,
    pub redact: bool,
}

impl Run {
    pub fn new(profile: &str) -> Run {
        Run {
            profile: profile.into(),
            ..Run::default()
        }
    }

    pub fn sign_in(mut self, s: &str) -> Run {
        self.sign_in = s.into();
        self
    }

    pub fn ad(mut self, s: &str) -> Run {
        self.ad = s.into();
        self
    }

    pub fn rules(mut self, s: &str) -> Run {
        self.rules = s.into();
        self
    }

    pub fn generation(mut self, g: Generation) -> Run {
        self.generation = Some(g);
        self
    }

    pub fn log(mut self, name: &str, text: &str) -> Run {
        self.logs.push((name.into(), text.as_bytes().to_vec()));
        self
    }

    /// The wizard's inputs and the logs' bytes.
    pub fn inputs(&self) -> (AnalysisInput, Vec<OwnedInput>) {
        let input = AnalysisInput {
            profile_id: self.profile.clone(),
            sign_in: self.sign_in.clone(),
            generation: self.generation,
            ad_text: self.ad.clone(),
            ad_fields: None,
            rules_text: self.rules.clone(),
            logs: self
                .logs
                .iter()
                .map(|(n, _)| LogFileInput {
                    name: n.clone(),
                    clock_offset_ms: 0,
                })
                .collect(),
        };
        let logs = self
            .logs
            .iter()
            .map(|(n, b)| OwnedInput {
                name: n.clone(),
                bytes: b.clone().into(),
            })
            .collect();
        (input, logs)
    }

    pub fn analyze(&self) -> AnalysisSummary {
        self.analyze_full().0
    }

    /// The summary and the per-message details (the ladder and its messages).
    pub fn analyze_full(&self) -> (AnalysisSummary, AnalysisDetails) {
        let (input, logs) = self.inputs();
        analyze(
            input,
            logs,
            &mut Hooks::default(),
            Options {
                redact: self.redact,
                ..Options::default()
            },
        )
    }
}

/// A built-in example, with or without its logs and its configuration (AD and rules).
pub fn example(ex: &ExampleCase, logs: bool, config: bool) -> Run {
    let mut r = Run::new(ex.profile_id).sign_in(ex.sign_in);
    if logs {
        for (n, t) in &ex.logs {
            r = r.log(n, t);
        }
    }
    if config {
        r = r.ad(ex.ad_ldif).rules(ex.rules);
    }
    r
}

/// A case folder: `ad.*` is the AD paste, `rules.*` the routing rules, `expected.toml` the
/// expectations, every other file a log (only those named in `only`, when given).
pub fn from_dir(dir: &Path, profile: &str, sign_in: Option<&str>, only: Option<&[String]>) -> Run {
    let mut r = Run::new(profile).sign_in(sign_in.unwrap_or(""));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        if name == "expected.toml" || name.ends_with(".md") {
            continue;
        }
        let text = std::fs::read(&path).unwrap();
        if name.starts_with("ad.") {
            r.ad = String::from_utf8_lossy(&text).into_owned();
        } else if name.starts_with("rules.") {
            r.rules = String::from_utf8_lossy(&text).into_owned();
        } else if only.is_none_or(|o| o.contains(&name)) {
            r.logs.push((name, text));
        }
    }
    r
}

/// A small deterministic generator (xorshift64) for the tests that build random input.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}
