//! The one door into the analysis: from what the user entered (and the log bytes) to what
//! every front end shows. The page, the worker, the CLI and every scenario test call
//! [`analyze`] (or [`reanalyze`] for logs already read), so they cannot disagree.
//!
//! ```text
//! AnalysisInput (as typed; no bytes) + log bytes
//!   -> Read      ingested logs (ingest), AD paste (directory), parsed rules (routing)
//!   -> Case      user, line URI, line server URI, topology, generation       (case)
//!   -> Facts     route simulation, directory checks, observed flow            (facts, observe)
//!   -> Findings  from one catalog                                             (diagnosis, findings)
//!   -> AnalysisSummary (what the page renders) + AnalysisDetails (what stays with the worker)
//! ```
//!
//! Every stage tolerates missing input: a wizard step the user skipped is simply absent, and
//! the diagnosis says what evidence would decide. The core reads no clock: a caller that wants
//! timings passes its own ([`Hooks::clock`]).

use crate::case::{Case, CaseInputs};
use crate::diagnosis::{self, Diagnosis};
use crate::directory::{self, AdAttributes, AdFields, AdPaste, Check};
use crate::evidence::Evidence;
use crate::facts::Facts;
use crate::generation::{self, AdminTool, Generation, SeenGeneration};
use crate::ingest::{self, FileReport, IngestOptions, Ingested, OwnedInput};
use crate::ladder::{LadderData, LadderSummary};
use crate::observe::{Observer, RccIndex};
use crate::profile::{self, Profile};
use crate::redact::{CategoryCount, RedactOptions, RedactionReport, Redactor};
use crate::routing::{self, ParsedRules, Simulation};
use crate::sip::SipMessage;
use serde::{Deserialize, Serialize};

/// A log file as the user named it (its bytes travel separately, as [`OwnedInput`]s).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFileInput {
    pub name: String,
    /// Added to this file's timestamps (ms), to line up clocks between machines.
    pub clock_offset_ms: i64,
}

/// Everything the user entered in the wizard, as typed. Holds no log bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisInput {
    /// Gateway profile id (`nortel`, `cisco`, `generic`); empty = the default (`nortel`).
    pub profile_id: String,
    pub sign_in: String,
    /// The server generation, when the user chose one (else it is read from the logs).
    #[serde(default)]
    pub generation: Option<Generation>,
    /// The AD attributes as pasted (LDIF, dsquery, PowerShell, name: value).
    pub ad_text: String,
    /// The one-field-per-attribute form, when the user typed or corrected values there. Fields
    /// that differ from what the paste says win.
    pub ad_fields: Option<AdFields>,
    /// Routing rules in the documented text form (docs/rules-format.md).
    pub rules_text: String,
    /// The logs' names and clock offsets, in the order of their bytes.
    pub logs: Vec<LogFileInput>,
}

impl AnalysisInput {
    /// Only logs (no AD paste, rules or sign-in), named as `logs` name them, in their order.
    pub fn of_logs(logs: &[OwnedInput]) -> AnalysisInput {
        AnalysisInput {
            logs: logs
                .iter()
                .map(|l| LogFileInput {
                    name: l.name.clone(),
                    ..LogFileInput::default()
                })
                .collect(),
            ..AnalysisInput::default()
        }
    }
}

/// The inputs of a built-in example: what the wizard holds once the user loaded it, and its
/// logs' bytes.
pub fn example_input(ex: &crate::example::ExampleCase) -> (AnalysisInput, Vec<OwnedInput>) {
    let input = AnalysisInput {
        profile_id: ex.profile_id.into(),
        sign_in: ex.sign_in.into(),
        generation: None,
        ad_text: ex.ad_ldif.into(),
        ad_fields: None,
        rules_text: ex.rules.into(),
        logs: ex
            .logs
            .iter()
            .map(|(name, _)| LogFileInput {
                name: name.to_string(),
                clock_offset_ms: 0,
            })
            .collect(),
    };
    let logs = ex
        .logs
        .iter()
        .map(|(name, text)| OwnedInput {
            name: name.to_string(),
            bytes: text.as_bytes().to_vec().into(),
        })
        .collect();
    (input, logs)
}

pub const DEFAULT_PROFILE: &str = "nortel";

/// What a caller may hook into an analysis. Every hook is optional.
#[derive(Default)]
pub struct Hooks<'a> {
    /// Log-reading progress, from 0 to 1.
    pub progress: Option<&'a mut dyn FnMut(f64)>,
    /// A monotonic clock in ms (the browser's `performance.now`): with it the summary carries
    /// [`StageTimings`].
    pub clock: Option<&'a mut dyn FnMut() -> f64>,
}

impl Hooks<'_> {
    fn now(&mut self) -> f64 {
        self.clock.as_mut().map_or(0.0, |c| c())
    }
}

/// How to run an analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Analyse the inputs with every identifier replaced by a consistent pseudonym, so
    /// everything shown, copied and exported carries pseudonyms (see [`crate::redact`]).
    pub redact: bool,
    /// When the message ladder is built (with the analysis by default).
    pub ladder: LadderBuild,
    /// When messages are graded against RFC 3261 (as they are read by default).
    pub grading: Grading,
    /// When the dialogs and transactions are counted (as the logs are read by default).
    pub counting: Counting,
}

impl Options {
    /// The analysis worker's way: the diagnosis goes out first; the grades, the dialog counts
    /// and the ladder are made when the page asks for them. The measuring examples and the snapshots use it to see
    /// what the worker does.
    pub const WORKER: Options = Options {
        redact: false,
        ladder: LadderBuild::OnRequest,
        grading: Grading::Later,
        counting: Counting::Later,
    };
}

/// When an analysis finds the dialogs and counts the transactions (the summary's `dialogs` and
/// `transactions`): about a fifth of reading raw SIP, shown only in the file list and the
/// command line's text report, and no part of the diagnosis (it takes the messages of the few
/// calls it looks into by their Call-ID).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Counting {
    /// As the logs are read.
    #[default]
    WithReading,
    /// With the grades, when the details are first asked for them ([`AnalysisDetails::grade`])
    /// or the ladder; meanwhile the summary says `None` (the analysis worker, and reports that
    /// show no counts).
    Later,
}

/// When an analysis grades the messages against RFC 3261: over a third of the reading on raw
/// SIP, and no part of the diagnosis (only the file cards' counts and notes, and the ladder's
/// badges, show grades).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Grading {
    /// As the logs are read.
    #[default]
    WithReading,
    /// When the details are first asked for the grades ([`AnalysisDetails::grade`]) or the
    /// ladder: meanwhile the summary's file reports say `graded: false` (the analysis worker).
    Later,
    /// With a second thread ([`IngestOptions::grade_alongside`]: the command line, on a machine
    /// with a core to spare): a large log whose format has a place to cut is read graded in two
    /// halves at once; any other is read without grades while the second thread grades it,
    /// waited for once the diagnosis is made. The same results as `WithReading`.
    Alongside,
}

/// When an analysis builds its message ladder: a fifth of the work on a 100 MB log, and no part
/// of the diagnosis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LadderBuild {
    /// With the analysis: the summary holds the ladder's frame.
    #[default]
    WithAnalysis,
    /// When the details are first asked for it ([`AnalysisDetails::build_ladder`]): the summary
    /// holds none, so the diagnosis is out first (the analysis worker), or never (the command
    /// line's reports show no ladder).
    OnRequest,
}

/// The chosen gateway profile, else the one the logs name, else the default one.
fn profile_of(input: &AnalysisInput, seen: Option<&routing::GatewaySeen>) -> Profile {
    profile::profile(&input.profile_id)
        .or_else(|| seen.and_then(|s| profile::profile(&s.profile)))
        .or_else(|| profile::profile(DEFAULT_PROFILE))
        .unwrap_or_else(|| profile::profiles()[0].clone())
}

/// Runs the whole analysis on the inputs and the logs' bytes (taken: they become the text the
/// messages share, without a copy). Never panics; bad input shows up as problems in the
/// result.
pub fn analyze(
    input: AnalysisInput,
    logs: Vec<OwnedInput>,
    hooks: &mut Hooks,
    options: Options,
) -> (AnalysisSummary, AnalysisDetails) {
    let (input, logs, redaction, kept) = if options.redact {
        let (input, logs, summary) = redact_with_preview(&input, logs);
        let kept = logs.clone();
        (input, logs, Some(summary), Some(kept))
    } else {
        (input, logs, None, None)
    };
    let bytes = logs.iter().map(|l| l.bytes.len()).sum();
    let t0 = hooks.now();
    let ingested = read_logs(&input, logs, options, hooks);
    let t1 = hooks.now();
    let (mut summary, details) = finish(
        &input,
        ingested,
        Finish {
            redaction,
            redacted: kept,
            bytes,
            ladder: options.ladder,
            grades_alongside: options.grading == Grading::Alongside,
        },
        hooks,
    );
    let t2 = hooks.now();
    summary.timings = StageTimings {
        bytes,
        started_ms: t0,
        read_ms: (t1 - t0).max(0.0),
        diagnose_ms: (t2 - t1).max(0.0),
        ..summary.timings
    };
    (summary, details)
}

/// What reading the logs gave, kept to analyse them again ([`AnalysisDetails::into_logs_read`]).
pub struct LogsRead {
    pub ingested: Ingested,
    pub bytes: usize,
}

/// The analysis of logs already read (`read`) with other inputs (AD attributes, rules, sign-in,
/// profile): a 100 MB log is not read again per edit. Not for "Redact", whose pseudonyms depend
/// on every input. The timings say `logs_reused`.
pub fn reanalyze(
    input: AnalysisInput,
    read: LogsRead,
    hooks: &mut Hooks,
    ladder: LadderBuild,
) -> (AnalysisSummary, AnalysisDetails) {
    let t0 = hooks.now();
    let finishing = Finish {
        redaction: None,
        redacted: None,
        bytes: read.bytes,
        ladder,
        grades_alongside: false,
    };
    let (mut summary, details) = finish(&input, read.ingested, finishing, hooks);
    let t1 = hooks.now();
    summary.timings = StageTimings {
        bytes: read.bytes,
        started_ms: t0,
        read_ms: 0.0,
        diagnose_ms: (t1 - t0).max(0.0),
        logs_reused: true,
        ..summary.timings
    };
    (summary, details)
}

fn read_logs(
    input: &AnalysisInput,
    logs: Vec<OwnedInput>,
    Options {
        grading, counting, ..
    }: Options,
    hooks: &mut Hooks,
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
        clock_offsets_ms: input.logs.iter().map(|l| l.clock_offset_ms).collect(),
        grade_later: grading == Grading::Later,
        grade_alongside: grading == Grading::Alongside,
        correlate_later: counting == Counting::Later,
        ..IngestOptions::default()
    };
    let mut report = |p: ingest::Progress| {
        if let Some(f) = hooks.progress.as_mut() {
            let base = starts.get(p.file_index).copied().unwrap_or(0);
            f((base + p.bytes_done) as f64 / total as f64);
        }
    };
    ingest::ingest_owned(logs, &opts, &mut report)
}

/// Grades what `read` left ungraded and counts its dialogs and transactions if they wait, its
/// messages being `messages` (taken from it for the ladder).
fn grade_read(read: &mut Ingested, messages: &mut Vec<SipMessage>) {
    if grades_or_counts_wait(read) {
        std::mem::swap(&mut read.messages, messages);
        read.grade(&mut |_| {});
        read.correlate();
        std::mem::swap(&mut read.messages, messages);
    }
}

/// Whether `read`'s messages still wait for their grades, or its dialogs to be counted.
fn grades_or_counts_wait(read: &Ingested) -> bool {
    read.grading_pending() || read.correlation_pending()
}

/// What [`finish`] adds to the logs read, beside the inputs.
struct Finish {
    redaction: Option<RedactionSummary>,
    redacted: Option<Vec<OwnedInput>>,
    bytes: usize,
    /// [`Options::ladder`].
    ladder: LadderBuild,
    /// [`Grading::Alongside`]: the grades, read on other threads during the diagnosis, are
    /// waited for after it.
    grades_alongside: bool,
}

/// Everything after reading the logs: the AD paste and the rules, the case, the facts, the
/// diagnosis, the ladder; split into what the page renders and what stays. Its timings hold
/// only `ladder_ms` (the caller fills in the rest).
fn finish(
    input: &AnalysisInput,
    ingested: Ingested,
    Finish {
        redaction,
        redacted,
        bytes,
        ladder,
        grades_alongside,
    }: Finish,
    hooks: &mut Hooks,
) -> (AnalysisSummary, AnalysisDetails) {
    let d = diagnose_read(input, &ingested);
    let mut ingested = ingested;
    let mut grades_wait_ms = 0.0;
    if grades_alongside {
        let start = hooks.now();
        ingested.grade(&mut |_| {});
        grades_wait_ms = (hooks.now() - start).max(0.0);
    }
    // ---- the ladder and the split ----
    let basis = LadderBasis {
        line_servers: d.line_servers,
        profile: d.profile.clone(),
        diagnosis: d.diagnosis.clone(),
        topology: d.case.topology.clone(),
    };
    let mut data = LadderData {
        ladder: crate::ladder::Ladder::default(),
        messages: std::mem::take(&mut ingested.messages),
    };
    let (ladder_summary, ladder_basis, ladder_ms) = match ladder {
        LadderBuild::WithAnalysis => {
            // The ladder shows each message's grade.
            grade_read(&mut ingested, &mut data.messages);
            let start = hooks.now();
            data.ladder = basis.build(&data.messages);
            let ms = (hooks.now() - start).max(0.0);
            (Some(data.summary()), None, ms)
        }
        LadderBuild::OnRequest => (None, Some(basis), 0.0),
    };
    let details = AnalysisDetails {
        ladder: data,
        ladder_basis,
        redacted,
        read: ingested,
        bytes,
    };
    let summary = AnalysisSummary {
        profile: d.profile,
        files: details.read.files.clone(),
        messages: details.ladder.messages.len(),
        events: details.read.events.len(),
        dialogs: details.dialogs(),
        transactions: details.transactions(),
        ad_paste: d.ad_paste,
        ad: d.ad,
        rules: d.rules,
        case: d.case,
        checks: d.facts.checks,
        simulation: d.facts.simulation,
        diagnosis: d.diagnosis,
        ladder: ladder_summary,
        redaction,
        timings: StageTimings {
            ladder_ms,
            grades_wait_ms,
            ..StageTimings::default()
        },
    };
    (summary, details)
}

/// The inputs read, the case, its facts and the diagnosis: everything of an analysis but the
/// ladder, and what the ladder needs of the logs that the diagnosis read already.
struct Diagnosed {
    profile: Profile,
    /// The line server URIs the configuration answers name ([`RccIndex::line_servers`]).
    line_servers: crate::fxhash::FxSet<String>,
    ad_paste: AdPaste,
    ad: Option<AdAttributes>,
    rules: Option<ParsedRules>,
    case: Case,
    facts: Facts,
    diagnosis: Diagnosis,
}

/// Reads the AD paste and the rules, then the case, the facts and the findings, from the logs
/// already read. The logs are read once more only through [`RccIndex`]: the few messages that
/// matter for remote call control.
fn diagnose_read(input: &AnalysisInput, ingested: &Ingested) -> Diagnosed {
    let mut index = RccIndex::build(ingested);
    let gateway_seen = routing::gateway_in_logs(
        profile::profiles(),
        &ingested.messages,
        index.csta_calls.iter().map(|(_, call)| call.as_slice()),
    );
    let profile = profile_of(input, gateway_seen.as_ref());
    // ---- read ----
    let ad_paste = directory::parse_paste_for(&input.ad_text, Some(&input.sign_in));
    let ad = effective_attributes(&ad_paste, input.ad_fields.as_ref());
    let rules = (!input.rules_text.trim().is_empty())
        .then(|| routing::parse_rules(&input.rules_text, &profile));
    // ---- case ----
    let (case, users_config) = Case::resolve(CaseInputs {
        profile: profile.clone(),
        sign_in: &input.sign_in,
        ad: ad.as_ref(),
        servers: &servers_of(&profile, &ad_paste, rules.as_ref()),
        generation: input.generation,
        tool_generations: tool_generations(&ad_paste, rules.as_ref()),
        messages: &ingested.messages,
        index: &index,
        gateway_seen,
    });
    // ---- facts ----
    let observed = Observer {
        profile: &case.profile,
        topology: &case.topology,
        user_aor: case.user_aor(),
        users_config: &users_config,
        line_server_host: case.gateway_host(),
        messages: &ingested.messages,
        events: &ingested.events,
        files: &ingested.files,
    }
    .observe(&index);
    let facts = Facts::gather(&case, ad.as_ref(), rules.as_ref(), observed);
    // ---- findings ----
    let diagnosis = diagnosis::diagnose(&case, &facts);
    Diagnosed {
        // As the case names its participants (after the generation).
        profile: case.profile.clone(),
        line_servers: std::mem::take(&mut index.line_servers),
        ad_paste,
        ad,
        rules,
        case,
        facts,
        diagnosis,
    }
}

/// Who is who, as the admin's pastes say: the rules' `[servers]` rows, then the user's
/// Registrar pool from a Get-CsUser paste (the Home Server role in Lync's words), then the
/// Registrar a trusted application pool names, then the gateway's trusted application.
fn servers_of(profile: &Profile, ad: &AdPaste, rules: Option<&ParsedRules>) -> Vec<routing::Host> {
    let mut servers: Vec<routing::Host> = rules.map(|r| r.servers.clone()).unwrap_or_default();
    let home = profile.home_server().unwrap_or("home-server");
    let named = |servers: &[routing::Host]| {
        servers.iter().any(|h| {
            h.fqdn.is_some()
                && routing::servers_participant(profile, &h.participant).as_deref() == Some(home)
        })
    };
    if let Some(pool) = &ad.registrar_pool {
        // The user's own pool before the one the gateway is trusted on (they may differ).
        if !named(&servers) {
            servers.push(routing::Host {
                participant: home.to_string(),
                fqdn: Some(pool.value.trim_end_matches('.').to_ascii_lowercase()),
                ips: vec![],
                port: None,
                transport: None,
                evidence: vec![Evidence::Attribute {
                    name: "RegistrarPool".into(),
                    value: pool.value.clone(),
                }],
                entered: true,
            });
        }
    }
    if let Some(h) = rules.and_then(|r| r.trusted_registrar.as_ref()) {
        if !named(&servers) {
            servers.push(h.clone());
        }
    }
    let line_server_host = ad
        .attributes
        .line_server
        .as_ref()
        .and_then(|v| crate::uri::host_key(&v.value));
    if let Some(h) = rules.and_then(|r| r.trusted_gateway(line_server_host.as_deref())) {
        let gateway_named = servers.iter().any(|s| {
            routing::servers_participant(profile, &s.participant).as_deref()
                == Some(h.participant.as_str())
        });
        if !gateway_named {
            servers.push(h.clone());
        }
    }
    servers
}

/// What the admin's pastes say of the generation: a note in the rules that names it, then the
/// admin tools the AD paste and the rules were printed by.
fn tool_generations(ad: &AdPaste, rules: Option<&ParsedRules>) -> Vec<SeenGeneration> {
    let mut out = Vec::new();
    if let Some((g, line, text)) = rules.and_then(|r| r.named_generation.as_ref()) {
        out.push(SeenGeneration {
            generation: *g,
            basis: format!("the routing rules' note on line {line}"),
            inferred: false,
            evidence: vec![Evidence::Rule {
                table: "rules".into(),
                row: None,
                text: format!("line {line}: {text}"),
            }],
            also_fits: vec![],
        });
    }
    if ad.format == directory::AdFormat::LyncUser {
        out.push(generation::from_admin_tool(
            AdminTool::LyncShell,
            "the AD paste (Get-CsUser)",
            Evidence::Input {
                field: "AD attributes".into(),
                value: "Get-CsUser output".into(),
            },
        ));
    }
    for (tool, line) in rules.map_or(&[][..], |r| &r.tools[..]) {
        out.push(generation::from_admin_tool(
            *tool,
            &format!("the routing paste (line {line})"),
            Evidence::Rule {
                table: "rules".into(),
                row: None,
                text: format!("admin tool output from line {line}"),
            },
        ));
    }
    out
}

/// The paste's attributes, with typed form values overriding the fields where they differ.
/// `None` when the user supplied no attribute at all.
fn effective_attributes(paste: &AdPaste, fields: Option<&AdFields>) -> Option<AdAttributes> {
    let mut attrs = paste.attributes.clone();
    if let Some(fields) = fields {
        let from_paste = directory::fields_from_attributes(&attrs);
        for a in directory::RccAttribute::ALL {
            let typed = fields.field(a).trim();
            if typed != from_paste.field(a).trim() {
                *attrs.slot_mut(a) = (!typed.is_empty()).then(|| directory::AdValue {
                    value: typed.to_string(),
                    line: None,
                });
            }
        }
    }
    (!attrs.is_empty()).then_some(attrs)
}

/// The same inputs with every identifier replaced by a consistent pseudonym (see
/// [`crate::redact`]). The redactor learns every input first, so a name seen in one file is
/// replaced in all of them. Log names keep only their extension.
pub fn redact_input(
    input: &AnalysisInput,
    logs: &[OwnedInput],
) -> (AnalysisInput, Vec<OwnedInput>, RedactionReport) {
    let mut r = Redactor::new(RedactOptions::default());
    for l in logs {
        r.learn_bytes(&l.bytes);
    }
    r.learn(&input.ad_text);
    r.learn(&input.rules_text);
    r.learn(&input.sign_in);
    let mut out = input.clone();
    let mut out_logs = Vec::with_capacity(logs.len());
    for (i, l) in logs.iter().enumerate() {
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
        let name = format!("log-{}{ext}", i + 1);
        out_logs.push(OwnedInput {
            bytes: r.redact_bytes(&l.name, &l.bytes).into(),
            name: name.clone(),
        });
        if let Some(meta) = out.logs.get_mut(i) {
            meta.name = name;
        }
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
    (out, out_logs, r.report())
}

fn redact_with_preview(
    input: &AnalysisInput,
    logs: Vec<OwnedInput>,
) -> (AnalysisInput, Vec<OwnedInput>, RedactionSummary) {
    let (redacted, red_logs, report) = redact_input(input, &logs);
    let files = logs
        .iter()
        .zip(&red_logs)
        .map(|(o, r)| RedactedFile {
            name: r.name.clone(),
            original_name: o.name.clone(),
            original_preview: first_lines(&o.bytes, PREVIEW_LINES),
            redacted_preview: first_lines(&r.bytes, PREVIEW_LINES),
        })
        .collect();
    (
        redacted,
        red_logs,
        RedactionSummary {
            counts: report.counts,
            files,
        },
    )
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
    /// `None` until they are counted ([`Counting::Later`]: then [`AnalysisDetails::dialogs`]
    /// tells).
    pub dialogs: Option<usize>,
    pub transactions: Option<usize>,
    pub ad_paste: AdPaste,
    /// The attributes the checks used (paste, overridden by typed fields).
    pub ad: Option<AdAttributes>,
    pub rules: Option<ParsedRules>,
    /// The case as resolved once: every step shows these names.
    pub case: Case,
    pub checks: Vec<Check>,
    pub simulation: Option<Simulation>,
    pub diagnosis: Diagnosis,
    /// The ladder of the messages, without its rows, when it was built with the analysis
    /// ([`LadderBuild::WithAnalysis`]); else [`AnalysisDetails::build_ladder`] gives it.
    pub ladder: Option<LadderSummary>,
    /// Present when the inputs were redacted before the analysis.
    pub redaction: Option<RedactionSummary>,
    /// How long reading the logs and the rest took, by the clock of whoever ran the analysis.
    #[serde(default)]
    pub timings: StageTimings,
}

/// How long one analysis took per stage, by the caller's clock (see [`Hooks::clock`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimings {
    /// Log bytes read (all files).
    pub bytes: usize,
    /// The caller's clock when the request for this analysis reached it (the worker stamps
    /// it; before reading a picked file), 0 where no one did: with `started_ms`, how long
    /// getting the logs' bytes took.
    #[serde(default)]
    pub received_ms: f64,
    /// The caller's clock when the analysis started (before reading the logs), so the caller
    /// can place the stages on its own timeline (the browser benchmark measures what came
    /// before it, such as reading a picked file); 0 without a clock.
    #[serde(default)]
    pub started_ms: f64,
    /// Reading the logs (the start of reading to its end), in ms.
    pub read_ms: f64,
    /// Everything after the logs (the end of reading to the diagnosis, and the grades with
    /// [`Grading::Alongside`]), in ms.
    pub diagnose_ms: f64,
    /// The part of `diagnose_ms` spent building the message ladder (its columns and rows); 0
    /// when it is built on request.
    #[serde(default)]
    pub ladder_ms: f64,
    /// The part of `diagnose_ms` spent waiting, once the diagnosis was made, for the grades a
    /// second thread read meanwhile ([`Grading::Alongside`]); 0 otherwise.
    #[serde(default)]
    pub grades_wait_ms: f64,
    /// Memory of whoever ran the analysis once it was done, where the front end can tell (the
    /// browser: the wasm memory, whose size is its high-water mark as it never shrinks).
    #[serde(default)]
    pub memory_bytes: Option<usize>,
    /// The logs were not read again: the same logs as the previous analysis (see
    /// [`reanalyze`]); `read_ms` is zero.
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
    /// The messages, and their ladder once it is built.
    pub ladder: LadderData,
    /// What the ladder is built from, until it is ([`LadderBuild::OnRequest`]).
    ladder_basis: Option<LadderBasis>,
    /// The redacted logs, when the analysis ran on them.
    pub redacted: Option<Vec<OwnedInput>>,
    /// The rest of what reading the logs gave (file reports, events, dialogs, transactions; the
    /// messages are the ladder's), so that a new analysis of the same logs need not read them
    /// again ([`AnalysisDetails::into_logs_read`]).
    pub read: Ingested,
    /// The log bytes the logs were read from.
    pub bytes: usize,
}

/// What the diagnosis gives the ladder: the line servers the configuration answers name, the
/// profile, the failing leg, who is who.
#[derive(Debug, Clone)]
struct LadderBasis {
    line_servers: crate::fxhash::FxSet<String>,
    profile: Profile,
    diagnosis: Diagnosis,
    topology: crate::routing::Topology,
}

impl LadderBasis {
    fn build(&self, messages: &[SipMessage]) -> crate::ladder::Ladder {
        crate::ladder::build_with_line_servers(
            messages,
            &self.line_servers,
            Some(&self.profile),
            Some(&self.diagnosis),
            Some(&self.topology),
        )
    }
}

impl AnalysisDetails {
    /// The details of a ladder on its own (no analysis around it).
    pub fn of_ladder(ladder: LadderData) -> AnalysisDetails {
        AnalysisDetails {
            ladder,
            ..AnalysisDetails::default()
        }
    }

    /// The file reports with every message graded: graded first if the analysis left it for
    /// later ([`Grading::Later`]), and the dialogs and transactions counted then if they wait
    /// ([`Counting::Later`]); the same reports and counts either way.
    pub fn grade(&mut self) -> &[FileReport] {
        grade_read(&mut self.read, &mut self.ladder.messages);
        &self.read.files
    }

    /// Whether the messages are still to be graded, or their dialogs counted
    /// ([`AnalysisDetails::grade`]).
    pub fn grading_pending(&self) -> bool {
        grades_or_counts_wait(&self.read)
    }

    /// How many dialogs the logs hold; `None` until [`AnalysisDetails::grade`] counted them
    /// ([`Counting::Later`]).
    pub fn dialogs(&self) -> Option<usize> {
        (!self.read.correlation_pending()).then_some(self.read.dialogs.len())
    }

    /// How many transactions the logs hold; `None` until [`AnalysisDetails::grade`] counted them.
    pub fn transactions(&self) -> Option<usize> {
        (!self.read.correlation_pending()).then_some(self.read.transaction_count)
    }

    /// The messages and their ladder, built first if the analysis left it for later
    /// ([`LadderBuild::OnRequest`]); the same ladder either way. Grades the messages first
    /// (each row shows its message's grade).
    pub fn build_ladder(&mut self) -> &LadderData {
        self.grade();
        if let Some(basis) = self.ladder_basis.take() {
            self.ladder.ladder = basis.build(&self.ladder.messages);
        }
        &self.ladder
    }

    /// Whether the ladder is still to be built ([`AnalysisDetails::build_ladder`]).
    pub fn ladder_pending(&self) -> bool {
        self.ladder_basis.is_some()
    }

    /// What reading the logs gave, whole again (the messages taken back from the ladder).
    pub fn into_logs_read(self) -> LogsRead {
        let mut ingested = self.read;
        ingested.messages = self.ladder.messages;
        LogsRead {
            ingested,
            bytes: self.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::LogFormat;

    /// A clock that advances by one ms per reading, so each stage's time is the number of clock
    /// readings inside it: the stages are read in order and none is counted twice.
    fn ticking() -> impl FnMut() -> f64 {
        let mut t = 99.0;
        move || {
            t += 1.0;
            t
        }
    }

    #[test]
    fn the_timings_place_every_stage_on_the_callers_clock() {
        let (input, logs) = example_input(&crate::example::examples()[0]);
        let bytes = logs.iter().map(|l| l.bytes.len()).sum::<usize>();
        let mut clock = ticking();
        let (summary, details) = analyze(
            input.clone(),
            logs,
            &mut Hooks {
                progress: None,
                clock: Some(&mut clock),
            },
            Options::default(),
        );
        // Readings: 100 start, 101 logs read, 102 / 103 around the ladder, 104 done.
        let t = summary.timings;
        assert_eq!(t.bytes, bytes);
        assert_eq!(t.started_ms, 100.0);
        assert_eq!(t.read_ms, 1.0);
        assert_eq!(t.ladder_ms, 1.0);
        assert_eq!(t.diagnose_ms, 3.0);
        assert!(!t.logs_reused);

        let mut clock = ticking();
        let (again, _) = reanalyze(
            input,
            details.into_logs_read(),
            &mut Hooks {
                progress: None,
                clock: Some(&mut clock),
            },
            LadderBuild::WithAnalysis,
        );
        let t = again.timings;
        assert_eq!(
            (t.started_ms, t.read_ms, t.ladder_ms, t.diagnose_ms),
            (100.0, 0.0, 1.0, 3.0)
        );
        assert!(t.logs_reused);
    }

    /// Every row of a ladder, written from its messages.
    fn every_row(data: &LadderData) -> Vec<crate::ladder::Row> {
        data.ladder.all_rows(&data.messages)
    }

    /// A ladder left for later (the worker's, the command line's) changes nothing else the
    /// analysis says, and when asked for it is the ladder built with the analysis.
    #[test]
    fn a_ladder_built_on_request_is_the_ladder_built_with_the_analysis() {
        for ex in crate::example::examples() {
            let (input, logs) = example_input(&ex);
            let run = |ladder| {
                analyze(
                    input.clone(),
                    logs.clone(),
                    &mut Hooks::default(),
                    Options {
                        ladder,
                        ..Options::default()
                    },
                )
            };
            let (with, mut with_details) = run(LadderBuild::WithAnalysis);
            let (later, mut later_details) = run(LadderBuild::OnRequest);
            let frame = with.ladder.clone().expect("built with the analysis");
            assert!(frame.rows > 0, "{}", ex.name);
            assert_eq!(later.ladder, None);
            assert!(later_details.ladder_pending());
            assert!(later_details.ladder.ladder.rows.is_empty());
            assert_eq!(
                later_details.ladder.messages.len(),
                with_details.ladder.messages.len()
            );
            let json = |s: &AnalysisSummary| {
                let mut v = serde_json::to_value(s).unwrap();
                v.as_object_mut().unwrap().remove("ladder");
                v
            };
            assert_eq!(json(&later), json(&with), "{}", ex.name);
            assert_eq!(later_details.build_ladder().summary(), frame, "{}", ex.name);
            assert!(!later_details.ladder_pending());
            assert_eq!(
                every_row(&later_details.ladder),
                every_row(&with_details.ladder),
                "{}",
                ex.name
            );
            let again = with_details.build_ladder().summary();
            assert_eq!(again, frame, "built once, {}", ex.name);
        }
    }

    /// The worker's way (grades, dialog counts and ladder when asked, after the diagnosis) says
    /// what the analysis with everything at once says: the summary but its file reports and
    /// counts is the same before grading, and the grades, the counts and the ladder are the
    /// same after.
    #[test]
    fn grades_made_later_are_the_grades_made_with_reading() {
        for ex in crate::example::examples() {
            let (input, logs) = example_input(&ex);
            let (with, with_details) = analyze(
                input.clone(),
                logs.clone(),
                &mut Hooks::default(),
                Options::default(),
            );
            let (later, mut details) = analyze(input, logs, &mut Hooks::default(), Options::WORKER);
            let ungraded = later.files.iter().filter(|f| !f.graded).count();
            let read = later.files.iter().filter(|f| f.messages > 0).count();
            assert_eq!(ungraded, read, "{}", ex.name);
            assert_eq!(details.grading_pending(), read > 0);
            let json = |s: &AnalysisSummary| {
                let mut v = serde_json::to_value(s).unwrap();
                let o = v.as_object_mut().unwrap();
                o.remove("ladder");
                o.remove("files");
                o.remove("dialogs");
                o.remove("transactions");
                v
            };
            assert_eq!(json(&later), json(&with), "{}", ex.name);
            assert_eq!((later.dialogs, later.transactions), (None, None));
            assert_eq!((details.dialogs(), details.transactions()), (None, None));
            assert_eq!(details.grade(), &with.files[..], "{}", ex.name);
            assert!(!details.grading_pending());
            assert!(with.dialogs.is_some_and(|d| d > 0), "{}", ex.name);
            assert_eq!(
                (details.dialogs(), details.transactions()),
                (with.dialogs, with.transactions),
                "{}",
                ex.name
            );
            let ladder = details.build_ladder();
            assert_eq!(Some(ladder.summary()), with.ladder, "{}", ex.name);
            assert_eq!(
                every_row(ladder),
                every_row(&with_details.ladder),
                "{}",
                ex.name
            );
        }
    }

    /// Grading on a second thread while the logs are read (the command line) gives what
    /// grading with reading gives: the same summary, files and grades included, and the same
    /// ladder, its badges included.
    #[test]
    fn grades_made_alongside_the_reading_are_the_grades_made_with_reading() {
        let mut logs_with_faults = 0;
        for ex in crate::example::examples() {
            let (input, logs) = example_input(&ex);
            let run = |grading| {
                analyze(
                    input.clone(),
                    logs.clone(),
                    &mut Hooks::default(),
                    Options {
                        grading,
                        ..Options::default()
                    },
                )
            };
            let (with, with_details) = run(Grading::WithReading);
            let (alongside, alongside_details) = run(Grading::Alongside);
            assert!(alongside.files.iter().all(|f| f.graded), "{}", ex.name);
            logs_with_faults += with
                .files
                .iter()
                .filter(|f| f.repaired + f.partial > 0)
                .count();
            let json = |s: &AnalysisSummary| serde_json::to_value(s).unwrap();
            assert_eq!(json(&alongside), json(&with), "{}", ex.name);
            assert_eq!(
                every_row(&alongside_details.ladder),
                every_row(&with_details.ladder),
                "{}",
                ex.name
            );
        }
        assert!(
            logs_with_faults > 0,
            "some example log has messages that are not clean"
        );
    }

    #[test]
    fn without_a_clock_every_timing_is_zero() {
        let (input, logs) = example_input(&crate::example::examples()[0]);
        let (summary, _) = analyze(input, logs, &mut Hooks::default(), Options::default());
        let t = summary.timings;
        assert_eq!(
            (t.started_ms, t.read_ms, t.ladder_ms, t.diagnose_ms),
            (0.0, 0.0, 0.0, 0.0)
        );
    }

    /// The reads (message headers, record fields) the diagnosis of `logs` does after the logs
    /// were read: the index, the case, the facts and the findings (the ladder aside, which
    /// shows every message), and how many messages there were. Reads are counted in debug
    /// builds only (`sip::reads`).
    #[cfg(debug_assertions)]
    fn diagnosis_reads(input: &AnalysisInput, logs: Vec<OwnedInput>) -> (u64, usize) {
        let ingested = ingest::ingest_owned(logs, &IngestOptions::default(), &mut |_| {});
        crate::sip::reads::take();
        let _ = diagnose_read(input, &ingested);
        (crate::sip::reads::take(), ingested.messages.len())
    }

    /// A synthetic log (every format's Microsoft-style RCC mix) of about `bytes`; with
    /// `one_user`, every session's user is one of four (as in a client trace, where every
    /// CSTA attempt is the user's), keeping each message's length.
    #[cfg(debug_assertions)]
    fn synth_log(format: LogFormat, bytes: usize, one_user: bool) -> OwnedInput {
        let mut b = ingest::synth::generate(format, bytes, 42);
        if one_user {
            for i in 0..b.len().saturating_sub(4) {
                if &b[i..i + 4] == b"user" {
                    for d in b[i + 4..].iter_mut().take_while(|d| d.is_ascii_digit()) {
                        *d = b'0';
                    }
                }
            }
        }
        OwnedInput {
            name: format!("synth.{}", format.id()),
            bytes: b.into(),
        }
    }

    /// Four times the log, about four times the work: no stage of the diagnosis scans the
    /// messages, the dialogs or the records once per CSTA call, answer or record. Such a stage
    /// shows as about four times the reads per message; the mix of a synthetic log moves the
    /// reads per message by up to a sixth between sizes, either way (a client trace of one
    /// user: 5.2, 6.2, 6.9, 7.2 and 5.9 reads per message at 0.15, 0.3, 0.6, 1.2 and 2.4 MB),
    /// which a comparison of twice the log at 1.1 could not tell from a real growth.
    #[test]
    #[cfg(debug_assertions)]
    fn the_diagnosis_does_linear_work_in_every_format() {
        for format in LogFormat::ALL
            .into_iter()
            .filter(|f| *f != LogFormat::Unknown)
        {
            for one_user in [false, true] {
                let input = AnalysisInput {
                    profile_id: "nortel".into(),
                    ..AnalysisInput::default()
                };
                let small = diagnosis_reads(&input, vec![synth_log(format, 300_000, one_user)]);
                let big = diagnosis_reads(&input, vec![synth_log(format, 1_200_000, one_user)]);
                let per_message = |(reads, messages): (u64, usize)| reads as f64 / messages as f64;
                assert!(
                    per_message(big) <= 1.5 * per_message(small),
                    "{format:?} (one user: {one_user}): {small:?} reads for messages, then {big:?}"
                );
            }
        }
    }

    #[test]
    fn timings_from_an_older_worker_read_with_zero_stages() {
        let t: StageTimings =
            serde_json::from_str(r#"{"bytes":5,"read_ms":2.0,"diagnose_ms":3.0}"#).unwrap();
        assert_eq!(
            (t.started_ms, t.ladder_ms, t.memory_bytes),
            (0.0, 0.0, None)
        );
    }
}
