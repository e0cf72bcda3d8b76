//! One entry point from raw inputs to everything the wizard shows: the browser and the CLI both
//! call [`analyze`], so they can never disagree.
//!
//! Stages: read the logs ([`ingest`]), read the AD paste or form ([`directory`]), parse the
//! routing rules ([`routing`]), then diagnose against the chosen gateway profile
//! ([`diagnosis`]). Every stage tolerates missing input: a wizard step the user skipped is
//! simply absent, and the diagnosis says what evidence would decide.

use crate::diagnosis::{self, Diagnosis, DiagnosisInput};
use crate::directory::{
    self, AdAttributes, AdFields, AdPaste, Check, CheckContext, LineUriForm, ObservedProvisioning,
};
use crate::extract;
use crate::ingest::{self, FileReport, IngestOptions, Ingested, OwnedInput};
use crate::ladder::{LadderData, LadderSummary};
use crate::profile::{self, Profile};
use crate::redact::{CategoryCount, RedactOptions, RedactionReport, Redactor};
use crate::routing::{self, CaseNames, ParsedRules, Simulation};
use crate::sip::SipMessage;
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
    /// Gateway profile id (`nortel`, `cisco`, `generic`); empty = the default (`nortel`).
    pub profile_id: String,
    pub sign_in: String,
    /// The AD attributes as pasted (LDIF, dsquery, PowerShell, name: value).
    pub ad_text: String,
    /// The one-field-per-attribute form, when the user typed or corrected values there. Fields
    /// that differ from what the paste says win.
    pub ad_fields: Option<AdFields>,
    /// Routing rules in the documented text form (`routing` module docs).
    pub rules_text: String,
    pub logs: Vec<LogFileInput>,
}

impl From<&crate::example::ExampleCase> for AnalysisInput {
    /// What the wizard holds once the user loaded this example.
    fn from(ex: &crate::example::ExampleCase) -> AnalysisInput {
        AnalysisInput {
            profile_id: ex.profile_id.into(),
            sign_in: ex.sign_in.into(),
            ad_text: ex.ad_ldif.into(),
            ad_fields: None,
            rules_text: ex.rules.into(),
            logs: ex
                .logs
                .iter()
                .map(|(name, text)| LogFileInput {
                    name: name.to_string(),
                    bytes: text.as_bytes().to_vec(),
                    clock_offset_ms: 0,
                })
                .collect(),
        }
    }
}

/// Everything computed from an [`AnalysisInput`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Analysis {
    pub profile: Profile,
    pub ingested: Ingested,
    /// What the AD paste contained (format, recognised and ignored lines).
    pub ad_paste: AdPaste,
    /// The attributes the checks used (paste, overridden by typed fields).
    pub ad: Option<AdAttributes>,
    pub rules: Option<ParsedRules>,
    /// The directory checks, with the route verdict and what the logs showed as context.
    pub checks: Vec<Check>,
    /// The routing rules simulated for this user (None without rules).
    pub simulation: Option<Simulation>,
    pub diagnosis: Diagnosis,
}

pub const DEFAULT_PROFILE: &str = "nortel";

/// Runs every stage on the input. Never panics; bad input shows up as problems in the result.
pub fn analyze(input: &AnalysisInput) -> Analysis {
    analyze_with_progress(input, &mut |_| {})
}

/// As [`analyze`], reporting log-reading progress as a fraction from 0 to 1.
pub fn analyze_with_progress(input: &AnalysisInput, progress: &mut dyn FnMut(f64)) -> Analysis {
    analyze_with_hooks(input, progress, &mut |_| {})
}

/// A stage boundary of [`analyze_with_hooks`], in the order they are reported (each once).
/// The core has no clock: a caller that wants timings reads its own clock at each boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// About to read the logs (the gateway profile is loaded).
    ReadingLogs,
    /// The logs are read: ingested, merged and correlated (progress has reached 1).
    LogsRead,
    /// Everything else is done: AD paste, checks, routing simulation, diagnosis.
    Diagnosed,
}

/// As [`analyze_with_progress`], also calling `on_stage` at each [`Stage`] boundary.
pub fn analyze_with_hooks(
    input: &AnalysisInput,
    progress: &mut dyn FnMut(f64),
    on_stage: &mut dyn FnMut(Stage),
) -> Analysis {
    analyze_owned(input.clone(), progress, on_stage)
}

/// As [`analyze_with_hooks`], taking the input: the log bytes become the text the messages
/// share, without a copy (what the worker and the CLI use for big logs).
pub fn analyze_owned(
    mut input: AnalysisInput,
    progress: &mut dyn FnMut(f64),
    on_stage: &mut dyn FnMut(Stage),
) -> Analysis {
    let logs = input
        .logs
        .iter_mut()
        .map(|l| OwnedInput {
            name: l.name.clone(),
            bytes: std::mem::take(&mut l.bytes),
        })
        .collect();
    analyze_logs(&input, logs, progress, on_stage)
}

/// The analysis, with the logs' bytes given separately (`input.logs` gives names and offsets).
fn analyze_logs(
    input: &AnalysisInput,
    logs: Vec<OwnedInput>,
    progress: &mut dyn FnMut(f64),
    on_stage: &mut dyn FnMut(Stage),
) -> Analysis {
    let profile = profile_of(input);
    on_stage(Stage::ReadingLogs);
    let offsets: Vec<i64> = input.logs.iter().map(|l| l.clock_offset_ms).collect();
    let ingested = read_logs(logs, offsets, progress);
    on_stage(Stage::LogsRead);
    analyze_ingested(input, profile, ingested, on_stage)
}

/// The chosen gateway profile, else the default one.
fn profile_of(input: &AnalysisInput) -> Profile {
    profile::profile(&input.profile_id)
        .or_else(|| profile::profile(DEFAULT_PROFILE))
        .or_else(|| profile::profiles().into_iter().next())
        .expect("the build ships at least one gateway profile (tested in core::profile)")
}

/// The analysis of logs already read (`ingested`; the bytes in `input.logs` are not looked at).
/// Calls `on_stage(Diagnosed)` at the end.
fn analyze_ingested(
    input: &AnalysisInput,
    profile: Profile,
    ingested: Ingested,
    on_stage: &mut dyn FnMut(Stage),
) -> Analysis {
    let ad_paste = directory::parse_paste(&input.ad_text);
    let ad = effective_attributes(&ad_paste, input.ad_fields.as_ref());
    let rules =
        (!input.rules_text.trim().is_empty()).then(|| routing::parse_rules(&input.rules_text));

    let sign_in = Some(input.sign_in.trim().to_string()).filter(|s| !s.is_empty());
    let observed = observed_provisioning(&ingested.messages);
    let names = case_names(ad.as_ref(), sign_in.as_deref(), &observed);
    // Without a line server URI there is nothing to route; the routing step says where to get one.
    let simulation = rules
        .as_ref()
        .filter(|_| !names.line_server_uri.is_empty())
        .map(|r| routing::simulate(&profile, &r.config, &r.topology, &names));
    let checks = match &ad {
        Some(attrs) => {
            let ctx = CheckContext {
                sign_in: sign_in.clone(),
                line_uri_forms: LineUriForm::from_examples(&profile.line_uri_forms),
                line_server_route: simulation.as_ref().map(|s| s.verdict().into()),
                observed,
            };
            directory::check(attrs, &ctx)
        }
        None => Vec::new(),
    };

    let mut di = DiagnosisInput::new(profile.clone());
    di.sign_in = sign_in;
    di.ad = ad.clone();
    if let Some(r) = &rules {
        di.routing = Some(r.config.clone());
        di.topology = r.topology.clone();
    }
    // Lent to the diagnosis and taken back: no copy of the messages at the memory peak.
    let mut ingested = ingested;
    di.messages = std::mem::take(&mut ingested.messages);
    di.events = std::mem::take(&mut ingested.events);
    let diagnosis = diagnosis::diagnose(&di);
    ingested.messages = std::mem::take(&mut di.messages);
    ingested.events = std::mem::take(&mut di.events);
    on_stage(Stage::Diagnosed);

    Analysis {
        profile,
        ingested,
        ad_paste,
        ad,
        rules,
        checks,
        simulation,
        diagnosis,
    }
}

/// How long one analysis took per stage, by the caller's clock (see [`analyze_timed`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimings {
    /// Log bytes read (all files).
    pub bytes: usize,
    /// Reading the logs ([`Stage::ReadingLogs`] to [`Stage::LogsRead`]), in ms.
    pub read_ms: f64,
    /// Everything after the logs ([`Stage::LogsRead`] to [`Stage::Diagnosed`]), in ms.
    pub diagnose_ms: f64,
    /// Memory of whoever ran the analysis once it was done, where the front end can tell (the
    /// browser: the wasm memory, whose size is its high-water mark as it never shrinks).
    #[serde(default)]
    pub memory_bytes: Option<usize>,
    /// The logs were not read again: the same logs as the previous analysis (see
    /// [`analyze_for_wizard_reusing`]); `read_ms` is zero.
    #[serde(default)]
    pub logs_reused: bool,
}

/// MB as the benchmarks count it: 2^20 bytes.
const MB: f64 = 1024.0 * 1024.0;

impl StageTimings {
    /// Log-reading throughput in MB/s (MB = 2^20 bytes); `None` without bytes or without a
    /// measurable time.
    pub fn read_mb_per_s(&self) -> Option<f64> {
        (self.bytes > 0 && self.read_ms > 0.0)
            .then(|| self.bytes as f64 / MB / (self.read_ms / 1000.0))
    }

    /// "Read 10.0 MB in 85 ms (118 MB/s)"; `None` when there were no log bytes.
    pub fn read_summary(&self) -> Option<String> {
        if self.bytes == 0 {
            return None;
        }
        let size = if self.bytes as f64 >= MB / 10.0 {
            format!("{:.1} MB", self.bytes as f64 / MB)
        } else {
            format!("{} KB", (self.bytes as f64 / 1024.0).ceil())
        };
        if self.logs_reused {
            return Some(format!(
                "The {size} of logs read before were diagnosed again in {:.0} ms",
                self.diagnose_ms
            ));
        }
        Some(match self.read_mb_per_s() {
            Some(rate) => {
                let ms = if self.read_ms < 10.0 {
                    format!("{:.1}", self.read_ms)
                } else {
                    format!("{:.0}", self.read_ms)
                };
                format!("Read {size} in {ms} ms ({rate:.0} MB/s)")
            }
            None => format!("Read {size} in less time than the clock resolves"),
        })
    }
}

/// [`analyze_owned`] timed by the caller's clock `now` (ms, monotonic): the core reads
/// no clock itself, the worker and the page pass `performance.now`.
pub fn analyze_timed(
    input: AnalysisInput,
    progress: &mut dyn FnMut(f64),
    now: &mut dyn FnMut() -> f64,
) -> (Analysis, StageTimings) {
    let mut marks = StageMarks::default();
    let bytes = input.logs.iter().map(|l| l.bytes.len()).sum();
    let analysis = analyze_owned(input, progress, &mut |stage| marks.mark(stage, now()));
    (analysis, marks.timings(bytes))
}

/// The clock readings at each [`Stage`] boundary of one analysis.
#[derive(Debug, Clone, Copy, Default)]
struct StageMarks([f64; 3]);

impl StageMarks {
    fn mark(&mut self, stage: Stage, now_ms: f64) {
        if let Some(m) = self.0.get_mut(stage as usize) {
            *m = now_ms;
        }
    }

    fn timings(&self, bytes: usize) -> StageTimings {
        let at = |s: Stage| self.0[s as usize];
        StageTimings {
            bytes,
            read_ms: (at(Stage::LogsRead) - at(Stage::ReadingLogs)).max(0.0),
            diagnose_ms: (at(Stage::Diagnosed) - at(Stage::LogsRead)).max(0.0),
            memory_bytes: None,
            logs_reused: false,
        }
    }
}

/// The names routing templates use: the line server URI (from AD, else what the client was
/// provisioned with or dialled) and the user's SIP URI.
fn case_names(
    ad: Option<&AdAttributes>,
    sign_in: Option<&str>,
    observed: &ObservedProvisioning,
) -> CaseNames {
    let from_logs = observed
        .line_server_uri
        .as_ref()
        .filter(|(v, _)| !v.is_empty())
        .or(observed.invite_request_uri.as_ref())
        .map(|(v, _)| v.clone());
    let user_uri = ad
        .and_then(|a| a.primary_user_address.as_ref())
        .map(|v| v.value.clone())
        .or_else(|| {
            sign_in.map(|s| {
                if s.to_ascii_lowercase().starts_with("sip:") {
                    s.to_string()
                } else {
                    format!("sip:{s}")
                }
            })
        })
        .unwrap_or_default();
    CaseNames {
        line_server_uri: ad
            .and_then(|a| a.line_server.as_ref())
            .map(|v| v.value.clone())
            .or(from_logs)
            .unwrap_or_default(),
        user_uri,
    }
}

/// What the logs show the client received in provisioning and sent in its CSTA INVITE: the last
/// provisioning answer, the first CSTA INVITE and the first CSTA device named.
fn observed_provisioning(messages: &[SipMessage]) -> ObservedProvisioning {
    let mut observed = ObservedProvisioning::default();
    for m in messages {
        if let Some(p) = extract::provisioning(m) {
            observed.record_provisioning(&p);
        }
        let csta = (m.method() == Some("INVITE"))
            .then(|| extract::csta(m))
            .flatten()
            .or_else(|| {
                (observed.csta_device.is_none() && m.method() == Some("INFO"))
                    .then(|| extract::csta(m))
                    .flatten()
            });
        if let Some(body) = csta {
            if m.method() == Some("INVITE") && observed.invite_request_uri.is_none() {
                if let Some(uri) = m.request_uri() {
                    observed.invite_request_uri = Some((uri.to_string(), m.evidence()));
                }
            }
            if observed.csta_device.is_none() {
                if let Some(device) = body.device {
                    observed.csta_device = Some((device, m.evidence()));
                }
            }
        }
    }
    observed
}

fn read_logs(
    logs: Vec<OwnedInput>,
    clock_offsets_ms: Vec<i64>,
    progress: &mut dyn FnMut(f64),
) -> Ingested {
    if logs.is_empty() {
        return Ingested::default();
    }
    let total = logs.iter().map(|l| l.bytes.len()).sum::<usize>().max(1);
    let starts: Vec<usize> = logs
        .iter()
        .scan(0usize, |acc, l| {
            let s = *acc;
            *acc += l.bytes.len();
            Some(s)
        })
        .collect();
    let opts = IngestOptions {
        clock_offsets_ms,
        ..IngestOptions::default()
    };
    ingest::ingest_owned(logs, &opts, &mut |p| {
        let base = starts.get(p.file_index).copied().unwrap_or(0);
        progress((base + p.bytes_done) as f64 / total as f64);
    })
}

/// The paste's attributes, with typed form values overriding the fields where they differ.
/// `None` when the user supplied no attribute at all.
fn effective_attributes(paste: &AdPaste, fields: Option<&AdFields>) -> Option<AdAttributes> {
    let mut attrs = paste.attributes.clone();
    if let Some(fields) = fields {
        let typed = directory::attributes_from_fields(fields);
        let from_paste = directory::fields_from_attributes(&attrs);
        let pick = |mine: &mut Option<directory::AdValue>,
                    typed: &Option<directory::AdValue>,
                    typed_text: &str,
                    paste_text: &str| {
            if typed_text.trim() != paste_text.trim() {
                *mine = typed.clone();
            }
        };
        pick(
            &mut attrs.user_enabled,
            &typed.user_enabled,
            &fields.user_enabled,
            &from_paste.user_enabled,
        );
        pick(
            &mut attrs.primary_user_address,
            &typed.primary_user_address,
            &fields.primary_user_address,
            &from_paste.primary_user_address,
        );
        pick(
            &mut attrs.primary_home_server,
            &typed.primary_home_server,
            &fields.primary_home_server,
            &from_paste.primary_home_server,
        );
        pick(&mut attrs.line, &typed.line, &fields.line, &from_paste.line);
        pick(
            &mut attrs.line_server,
            &typed.line_server,
            &fields.line_server,
            &from_paste.line_server,
        );
        pick(
            &mut attrs.option_flags,
            &typed.option_flags,
            &fields.option_flags,
            &from_paste.option_flags,
        );
    }
    (attrs != AdAttributes::default()).then_some(attrs)
}

/// The same input with every identifier replaced by a consistent pseudonym (see
/// [`crate::redact`]): what the wizard analyses and exports while "Redact" is on. The
/// redactor learns every input first, so a name seen in one file is replaced in all of them.
pub fn redact_input(input: &AnalysisInput) -> (AnalysisInput, RedactionReport) {
    let mut r = Redactor::new(RedactOptions::default());
    for l in &input.logs {
        r.learn_bytes(&l.bytes);
    }
    r.learn(&input.ad_text);
    r.learn(&input.rules_text);
    r.learn(&input.sign_in);
    let mut out = input.clone();
    for (i, l) in out.logs.iter_mut().enumerate() {
        l.bytes = r.redact_bytes(&l.name, &l.bytes);
        // File names carry server and user names ("lcs01-alice.log"): keep only the extension.
        let ext = l
            .name
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| {
                !e.is_empty() && e.len() <= 10 && e.chars().all(|c| c.is_ascii_alphanumeric())
            })
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        l.name = format!("log-{}{ext}", i + 1);
    }
    out.ad_text = r.redact_text("AD attributes", &input.ad_text);
    out.rules_text = r.redact_text("routing rules", &input.rules_text);
    out.sign_in = r.redact_snippet(&input.sign_in);
    if let Some(f) = &mut out.ad_fields {
        for v in [
            &mut f.user_enabled,
            &mut f.primary_user_address,
            &mut f.primary_home_server,
            &mut f.line,
            &mut f.line_server,
            &mut f.option_flags,
        ] {
            *v = r.redact_snippet(v);
        }
    }
    (out, r.report())
}

/// What the wizard shows of an analysis: everything but the per-message data (messages, events,
/// dialog and transaction indexes), plus the ladder's frame and the redaction counts. Its size
/// does not grow with the logs, so the analysis worker sends it to the page as the result and the
/// page decodes it quickly whatever the log size. The messages stay with [`AnalysisDetails`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisSummary {
    pub profile: Profile,
    /// What was read from each file (problems are already capped per file by the readers).
    pub files: Vec<FileReport>,
    /// Distinct SIP messages after merging the files.
    pub messages: usize,
    pub events: usize,
    pub dialogs: usize,
    pub transactions: usize,
    pub ad_paste: AdPaste,
    pub ad: Option<AdAttributes>,
    pub rules: Option<ParsedRules>,
    pub checks: Vec<Check>,
    pub simulation: Option<Simulation>,
    pub diagnosis: Diagnosis,
    /// The ladder of the messages, without its rows.
    pub ladder: LadderSummary,
    /// Present when the inputs were redacted before the analysis.
    pub redaction: Option<RedactionSummary>,
    /// How long reading the logs and the rest took, by the clock of whoever ran the analysis.
    #[serde(default)]
    pub timings: StageTimings,
}

impl AnalysisSummary {
    pub fn new(
        a: &Analysis,
        ladder: LadderSummary,
        redaction: Option<RedactionSummary>,
    ) -> AnalysisSummary {
        AnalysisSummary {
            profile: a.profile.clone(),
            files: a.ingested.files.clone(),
            messages: a.ingested.messages.len(),
            events: a.ingested.events.len(),
            dialogs: a.ingested.dialogs.len(),
            transactions: a.ingested.transactions.len(),
            ad_paste: a.ad_paste.clone(),
            ad: a.ad.clone(),
            rules: a.rules.clone(),
            checks: a.checks.clone(),
            simulation: a.simulation.clone(),
            diagnosis: a.diagnosis.clone(),
            ladder,
            redaction,
            timings: StageTimings::default(),
        }
    }
}

/// Lines of each log shown in the redaction preview (original beside redacted).
pub const PREVIEW_LINES: usize = 40;

/// What redaction replaced (counts only: the original → pseudonym mapping stays out) and a
/// preview of each redacted log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionSummary {
    pub counts: Vec<CategoryCount>,
    pub files: Vec<RedactedFile>,
}

/// One redacted log: its new name and its first [`PREVIEW_LINES`] lines before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedFile {
    pub name: String,
    pub original_name: String,
    pub original_preview: String,
    pub redacted_preview: String,
}

/// The first `n` lines of `bytes` as text (lossy UTF-8), reading no further than they reach.
pub fn first_lines(bytes: &[u8], n: usize) -> String {
    let end = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(n.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(bytes.len());
    let end = if n == 0 { 0 } else { end };
    String::from_utf8_lossy(&bytes[..end])
        .lines()
        .take(n)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The per-message data of an analysis, kept where the analysis ran (the worker, or the page
/// when it has none): the ladder with its messages, and the redacted logs for download.
#[derive(Debug, Clone, Default)]
pub struct AnalysisDetails {
    pub ladder: LadderData,
    /// The redacted inputs, when the analysis ran on them.
    pub redacted: Option<AnalysisInput>,
    /// The rest of what reading the logs gave (file reports, events, dialogs, transactions; the
    /// messages are the ladder's), so that a new analysis of the same logs need not read them
    /// again ([`AnalysisDetails::into_logs_read`]).
    pub read: Ingested,
    /// The log bytes the logs were read from.
    pub bytes: usize,
}

impl AnalysisDetails {
    /// What reading the logs gave, whole again (the messages taken back from the ladder).
    pub fn into_logs_read(self) -> (Ingested, usize) {
        let mut read = self.read;
        read.messages = self.ladder.messages;
        (read, self.bytes)
    }
}

/// An analysis as the wizard runs it: on the redacted inputs when `redact` is set (so everything
/// shown, copied and exported carries pseudonyms), split into what the page renders and what
/// stays where it was computed. The page and the worker both call this.
pub fn analyze_for_wizard(
    input: AnalysisInput,
    redact: bool,
    progress: &mut dyn FnMut(f64),
    now: &mut dyn FnMut() -> f64,
) -> (AnalysisSummary, AnalysisDetails) {
    let (input, redaction) = if redact {
        let (redacted, report) = redact_input(&input);
        let files = input
            .logs
            .iter()
            .zip(&redacted.logs)
            .map(|(o, r)| RedactedFile {
                name: r.name.clone(),
                original_name: o.name.clone(),
                original_preview: first_lines(&o.bytes, PREVIEW_LINES),
                redacted_preview: first_lines(&r.bytes, PREVIEW_LINES),
            })
            .collect();
        drop(input);
        let summary = RedactionSummary {
            counts: report.counts,
            files,
        };
        (redacted, Some(summary))
    } else {
        (input, None)
    };
    // The redacted logs are kept for download; otherwise the bytes are taken, not copied.
    let kept = redaction.is_some().then(|| input.clone());
    let (analysis, timings) = analyze_timed(input, progress, now);
    split_for_wizard(analysis, redaction, kept, timings)
}

/// [`analyze_for_wizard`] on the logs a previous analysis read (`read`, from
/// [`AnalysisDetails::into_logs_read`]) instead of `input`'s log bytes: for a change of the
/// other inputs (AD attributes, rules, sign-in), so a 100 MB log is not read again. Not for
/// "Redact", whose pseudonyms depend on all inputs. The timings say `logs_reused`.
pub fn analyze_for_wizard_reusing(
    input: AnalysisInput,
    read: (Ingested, usize),
    now: &mut dyn FnMut() -> f64,
) -> (AnalysisSummary, AnalysisDetails) {
    let (ingested, bytes) = read;
    let start = now();
    let analysis = analyze_ingested(&input, profile_of(&input), ingested, &mut |_| {});
    let timings = StageTimings {
        bytes,
        read_ms: 0.0,
        diagnose_ms: (now() - start).max(0.0),
        memory_bytes: None,
        logs_reused: true,
    };
    split_for_wizard(analysis, None, None, timings)
}

/// The page's part and the part that stays, of one analysis.
fn split_for_wizard(
    mut analysis: Analysis,
    redaction: Option<RedactionSummary>,
    redacted: Option<AnalysisInput>,
    timings: StageTimings,
) -> (AnalysisSummary, AnalysisDetails) {
    let topology = analysis.rules.as_ref().map(|r| &r.topology);
    let ladder = crate::ladder::build_with_topology(
        &analysis.ingested.messages,
        Some(&analysis.profile),
        Some(&analysis.diagnosis),
        topology,
    );
    let mut summary = AnalysisSummary::new(&analysis, ladder.summary(), redaction);
    summary.timings = timings;
    let messages = std::mem::take(&mut analysis.ingested.messages);
    let details = AnalysisDetails {
        ladder: LadderData { ladder, messages },
        redacted,
        read: analysis.ingested,
        bytes: timings.bytes,
    };
    (summary, details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_analyses_to_no_findings_claiming_all_clear() {
        let a = analyze(&AnalysisInput::default());
        assert_eq!(a.profile.id, DEFAULT_PROFILE);
        assert!(a.ad.is_none());
        assert!(a.rules.is_none());
        assert!(
            !a.diagnosis.findings.iter().any(|f| f.id == "all-clear"),
            "no evidence must never mean all-clear"
        );
        assert!(
            !a.diagnosis.needed.is_empty(),
            "it must say what would decide"
        );
    }

    fn example_input() -> AnalysisInput {
        AnalysisInput::from(&crate::example::nortel_seed())
    }

    #[derive(Debug, PartialEq)]
    enum Event {
        Progress(f64),
        Stage(Stage),
    }

    #[test]
    fn stage_hooks_bracket_log_reading_once_each_and_change_nothing() {
        let input = example_input();
        let events = std::cell::RefCell::new(Vec::new());
        let hooked = analyze_with_hooks(
            &input,
            &mut |f| events.borrow_mut().push(Event::Progress(f)),
            &mut |s| events.borrow_mut().push(Event::Stage(s)),
        );
        let events = events.into_inner();
        let stages: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, Event::Stage(_)))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(stages.len(), 3, "{events:?}");
        assert_eq!(events[stages[0]], Event::Stage(Stage::ReadingLogs));
        assert_eq!(events[stages[1]], Event::Stage(Stage::LogsRead));
        assert_eq!(events[stages[2]], Event::Stage(Stage::Diagnosed));
        assert_eq!(stages[2], events.len() - 1, "Diagnosed is the last event");
        assert_eq!(
            stages[2],
            stages[1] + 1,
            "no progress after the logs are read"
        );
        let reading = &events[stages[0] + 1..stages[1]];
        assert!(reading.len() >= 2, "progress while reading: {reading:?}");
        assert!(
            reading.iter().all(|e| matches!(e, Event::Progress(_))),
            "{reading:?}"
        );
        assert_eq!(reading.last(), Some(&Event::Progress(1.0)));
        let json = |a: &Analysis| serde_json::to_string(a).unwrap();
        assert_eq!(json(&hooked), json(&analyze(&input)));
    }

    #[test]
    fn timings_come_from_the_callers_clock_at_the_stage_boundaries() {
        // A fake clock that advances one "ms" per progress report: reading takes exactly as many
        // ms as it reported progress, the rest of the analysis reports none.
        let input = example_input();
        let ticks = std::cell::Cell::new(0u32);
        let (analysis, t) = analyze_timed(
            input.clone(),
            &mut |_| ticks.set(ticks.get() + 1),
            &mut || f64::from(ticks.get()),
        );
        // Taking the input gives the same analysis as borrowing it.
        let json = |a: &Analysis| serde_json::to_string(a).unwrap();
        assert_eq!(json(&analysis), json(&analyze(&input)));
        assert!(ticks.get() >= 2);
        assert_eq!(t.read_ms, f64::from(ticks.get()));
        assert_eq!(t.diagnose_ms, 0.0);
        let bytes: usize = input.logs.iter().map(|l| l.bytes.len()).sum();
        assert_eq!(t.bytes, bytes);
        assert!(!analysis.ingested.messages.is_empty());
        let (_, none) = analyze_timed(AnalysisInput::default(), &mut |_| {}, &mut || 1.0);
        assert_eq!(none.bytes, 0);
        assert_eq!(none.read_summary(), None);
    }

    #[test]
    fn read_summary_names_size_time_and_rate() {
        let t = |bytes, read_ms| StageTimings {
            bytes,
            read_ms,
            diagnose_ms: 3.0,
            memory_bytes: None,
            logs_reused: false,
        };
        assert_eq!(
            t(10 << 20, 85.0).read_summary().unwrap(),
            "Read 10.0 MB in 85 ms (118 MB/s)"
        );
        assert_eq!(
            t(12 * 1024, 0.4).read_summary().unwrap(),
            "Read 12 KB in 0.4 ms (29 MB/s)"
        );
        assert_eq!(t(100 << 20, 400.0).read_mb_per_s(), Some(250.0));
        assert_eq!(t(1 << 20, 0.0).read_mb_per_s(), None);
        assert_eq!(
            t(1 << 20, 0.0).read_summary().unwrap(),
            "Read 1.0 MB in less time than the clock resolves"
        );
    }

    #[test]
    fn a_new_analysis_of_the_logs_already_read_matches_a_full_one_without_reading_them() {
        let first = example_input();
        let (_, details) = analyze_for_wizard(first.clone(), false, &mut |_| {}, &mut || 0.0);
        // The user then corrects the sign-in address: same logs, other inputs.
        let mut second = first;
        second.sign_in = "bob@contoso.com".into();
        let full = analyze_for_wizard(second.clone(), false, &mut |_| {}, &mut || 0.0).0;
        for log in &mut second.logs {
            log.bytes = Vec::new(); // the worker does not even read the files again
        }
        let (again, details2) =
            analyze_for_wizard_reusing(second, details.into_logs_read(), &mut || 0.0);
        let json = |v: &AnalysisSummary| {
            let mut v = v.clone();
            v.timings = StageTimings::default();
            serde_json::to_string(&v).unwrap()
        };
        assert_eq!(json(&again), json(&full));
        assert!(again.timings.logs_reused);
        assert_eq!(again.timings.read_ms, 0.0);
        assert_eq!(again.timings.bytes, full.timings.bytes);
        assert!(again
            .timings
            .read_summary()
            .unwrap()
            .contains("read before were diagnosed again"));
        // And once more: what a reuse keeps can be reused.
        let (read, _) = details2.into_logs_read();
        assert_eq!(read.messages.len(), full.messages);
        assert_eq!(read.files, full.files);
    }

    #[test]
    fn the_wizard_summary_carries_the_stage_timings_of_the_callers_clock() {
        let input = example_input();
        let bytes: usize = input.logs.iter().map(|l| l.bytes.len()).sum();
        // One "ms" per clock reading: three readings, one per stage boundary.
        let mut clock = 0.0;
        let (summary, _) = analyze_for_wizard(input, false, &mut |_| {}, &mut || {
            clock += 1.0;
            clock
        });
        assert_eq!(clock, 3.0);
        assert_eq!(summary.timings.bytes, bytes);
        assert_eq!(summary.timings.read_ms, 1.0);
        assert_eq!(summary.timings.diagnose_ms, 1.0);
    }

    #[test]
    fn the_wizard_summary_counts_what_the_analysis_read_and_the_details_keep_the_messages() {
        let input = example_input();
        let full = analyze(&input);
        let (summary, details) = analyze_for_wizard(input, false, &mut |_| {}, &mut || 0.0);
        assert_eq!(summary.messages, full.ingested.messages.len());
        assert!(summary.messages > 0);
        assert_eq!(summary.events, full.ingested.events.len());
        assert_eq!(summary.dialogs, full.ingested.dialogs.len());
        assert_eq!(summary.transactions, full.ingested.transactions.len());
        assert_eq!(summary.files, full.ingested.files);
        assert_eq!(summary.checks, full.checks);
        assert_eq!(
            serde_json::to_string(&summary.diagnosis).unwrap(),
            serde_json::to_string(&full.diagnosis).unwrap()
        );
        assert!(summary.redaction.is_none());
        assert!(details.redacted.is_none());
        assert_eq!(details.ladder.messages, full.ingested.messages);
        assert_eq!(summary.ladder.rows, full.ingested.messages.len());
        assert_eq!(summary.ladder, details.ladder.summary());
        // The example's failing leg is marked in the ladder the page asks about.
        let failing = summary.ladder.first_failing.expect("a failing row");
        let raw = details.ladder.raw(failing).expect("its message");
        assert_eq!(raw.verdict, crate::ladder::Verdict::FailingLeg);
        assert!(raw.headers.iter().any(|h| h.key && h.name == "Call-ID"));
        // No per-message data crosses: the summary is small and has no message list.
        let json = serde_json::to_string(&summary).unwrap();
        assert!(
            !json.contains("\"headers\""),
            "no message headers in the summary"
        );
    }

    #[test]
    fn the_redacted_wizard_analysis_keeps_the_redacted_logs_and_previews_both() {
        let input = example_input();
        let names: Vec<String> = input.logs.iter().map(|l| l.name.clone()).collect();
        let (summary, details) = analyze_for_wizard(input, true, &mut |_| {}, &mut || 0.0);
        let red = summary.redaction.as_ref().expect("redaction summary");
        assert!(red.counts.iter().map(|c| c.occurrences).sum::<usize>() > 0);
        assert_eq!(red.files.len(), names.len());
        let kept = details.redacted.as_ref().expect("redacted inputs kept");
        for (i, f) in red.files.iter().enumerate() {
            assert_eq!(f.original_name, names[i]);
            assert_eq!(f.name, kept.logs[i].name);
            assert!(f.original_preview.lines().count() <= PREVIEW_LINES);
            assert_eq!(
                f.redacted_preview,
                first_lines(&kept.logs[i].bytes, PREVIEW_LINES)
            );
            assert!(!f.redacted_preview.to_lowercase().contains("contoso"));
        }
        assert!(red
            .files
            .iter()
            .any(|f| f.original_preview.contains("contoso")));
        assert_eq!(summary.files[0].name, kept.logs[0].name);
        let json = serde_json::to_string(&summary).unwrap().to_lowercase();
        for secret in ["contoso", "alice", "10.0.0.10"] {
            let without_previews = json.split("\"original_preview\"").next().unwrap_or("");
            assert!(
                !without_previews.contains(secret),
                "{secret} in the summary"
            );
        }
    }

    #[test]
    fn first_lines_stops_at_the_nth_line() {
        assert_eq!(first_lines(b"a\r\nb\nc\nd", 2), "a\nb");
        assert_eq!(first_lines(b"a\nb", 5), "a\nb");
        assert_eq!(first_lines(b"a\nb", 0), "");
        assert_eq!(first_lines(b"", 3), "");
    }

    #[test]
    fn typed_fields_override_the_paste_only_where_they_differ() {
        let paste = directory::parse_paste(
            "msRTCSIP-Line: tel:+14255550123\nmsRTCSIP-LineServer: sip:rcc@mcm.contoso.com\n",
        );
        let mut fields = directory::fields_from_attributes(&paste.attributes);
        fields.line_server = "sip:rcc@ap.contoso.com".into();
        let attrs = effective_attributes(&paste, Some(&fields)).expect("attributes");
        assert_eq!(
            attrs.line_server.as_ref().unwrap().value,
            "sip:rcc@ap.contoso.com"
        );
        assert_eq!(attrs.line_server.as_ref().unwrap().line, None);
        assert_eq!(
            attrs.line.as_ref().unwrap().line,
            Some(1),
            "untouched field keeps its line"
        );
    }

    #[test]
    fn redacted_example_diagnoses_the_same_and_leaks_no_name() {
        let input = example_input();
        let (redacted, report) = redact_input(&input);
        assert!(report.total() > 0);
        let ids = |a: &Analysis| {
            a.diagnosis
                .findings
                .iter()
                .map(|f| f.id.clone())
                .collect::<Vec<_>>()
        };
        let before = analyze(&input);
        let after = analyze(&redacted);
        assert_eq!(ids(&before), ids(&after));
        let all = serde_json::to_string(&after.diagnosis).unwrap()
            + &redacted.ad_text
            + &redacted.rules_text
            + &redacted
                .logs
                .iter()
                .map(|l| String::from_utf8_lossy(&l.bytes).into_owned())
                .collect::<String>();
        for secret in [
            "contoso",
            "alice",
            "mcm-ap",
            "lcs01",
            "10.0.0.10",
            "4255550123",
        ] {
            if let Some(i) = all.to_lowercase().find(secret) {
                let lo = i.saturating_sub(150);
                panic!(
                    "{secret} survived redaction: …{}…",
                    &all[lo..(i + 80).min(all.len())]
                );
            }
        }
    }
}
