//! Log ingestion: turns the files a user drops (client traces, server logs, captures, pastes)
//! into one time-ordered list of [`SipMessage`]s plus [`LogEvent`]s, [`Dialog`]s and
//! [`Transaction`]s.
//!
//! Pipeline per file: [`detect_format`] → a reader ([`readers`]) cuts each packet/record out of
//! the container format → the lenient SIP front end ([`sipmsg`]) frames messages, restores CRLF,
//! unfolds, expands compact/upper-case names, and grades each message with rsip
//! ([`ParseQuality`]). Then all files are merged in time order (after per-file clock offsets),
//! the same message seen in two files is merged into one (`also_seen`), and dialogs and
//! transactions are correlated.
//!
//! Clock offsets: [`ingest_with_offsets`] takes one offset per file (missing = 0), added to every
//! timestamp of that file; `Timestamp::millis` of the returned messages *includes* the offset
//! (`written` stays as written). [`FileReport::suggested_clock_offset_ms`] says what offset would
//! make the file consistent with the earlier files (responses after their requests, the same
//! message at the same time).
//!
//! Nothing here panics on any input; problems become [`Problem`]s with a file line.

mod correlate;
mod readers;
mod sipmsg;
pub mod synth;
pub(crate) mod text;

use crate::core::sip::{LogEvent, SipMessage};
use serde::{Deserialize, Serialize};

pub use text::count_newlines;

/// One dropped or pasted file.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Reading progress: `bytes_done` of `bytes_total` in file `file_index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub file_index: usize,
    pub bytes_done: usize,
    pub bytes_total: usize,
}

/// Everything read from the files.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ingested {
    pub files: Vec<FileReport>,
    /// All files merged in time order; the same message seen in several files is one entry with
    /// `also_seen`.
    pub messages: Vec<SipMessage>,
    /// Non-SIP records kept as evidence (server diagnostic records, client ERROR/WARN lines), in
    /// time order.
    pub events: Vec<LogEvent>,
    pub dialogs: Vec<Dialog>,
    pub transactions: Vec<Transaction>,
}

/// What was read from one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    pub name: String,
    pub format: LogFormat,
    pub bytes: usize,
    pub lines: u32,
    /// Messages read from this file (before merging duplicates across files).
    pub messages: usize,
    pub clean: usize,
    pub repaired: usize,
    pub partial: usize,
    pub events: usize,
    pub problems: Vec<Problem>,
    /// The offset applied to this file's timestamps.
    pub clock_offset_ms: i64,
    /// An offset that would put this file's messages in causal order with the earlier files.
    pub suggested_clock_offset_ms: Option<i64>,
}

/// Something the user should know about a file, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: u32,
    pub message: String,
}

/// The container format of a log file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    RawSip,
    Uccapi,
    ServerLog,
    WiresharkFollow,
    SippTrace,
    Unknown,
}

impl LogFormat {
    pub fn label(&self) -> &'static str {
        match self {
            LogFormat::RawSip => "Raw SIP text",
            LogFormat::Uccapi => "Communicator/UCCAPI client trace",
            LogFormat::ServerLog => "LCS/OCS Logging Tool (SIPStack)",
            LogFormat::WiresharkFollow => "Wireshark Follow Stream",
            LogFormat::SippTrace => "SIPp trace",
            LogFormat::Unknown => "Not a SIP log",
        }
    }

    pub const ALL: [LogFormat; 6] = [
        LogFormat::RawSip,
        LogFormat::Uccapi,
        LogFormat::ServerLog,
        LogFormat::WiresharkFollow,
        LogFormat::SippTrace,
        LogFormat::Unknown,
    ];
}

/// A SIP dialog: Call-ID plus the tags of both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dialog {
    pub call_id: String,
    pub from_tag: Option<String>,
    pub to_tag: Option<String>,
    /// Indexes into [`Ingested::messages`], in time order.
    pub messages: Vec<usize>,
}

/// A SIP transaction: top Via branch plus CSeq method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub branch: String,
    pub method: String,
    /// Indexes into [`Ingested::messages`], in time order.
    pub messages: Vec<usize>,
    /// Messages that repeat an earlier one of the transaction in the same file and direction.
    pub retransmissions: usize,
}

/// Knobs for [`ingest_with_options`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestOptions {
    /// Per-file clock offset in ms (index = file index; missing = 0).
    pub clock_offsets_ms: Vec<i64>,
    /// Grade messages with rsip (the quality badge). Off = only the lenient front end's own
    /// repairs are reported (`Clean`/`Repaired`, never `Partial`); for benchmarks.
    pub validate_with_rsip: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            clock_offsets_ms: Vec::new(),
            validate_with_rsip: true,
        }
    }
}

/// How many leading bytes [`detect_format`] looks at.
const SNIFF: usize = 1 << 20;

/// Guess a file's format from its first MiB.
pub fn detect_format(bytes: &[u8]) -> LogFormat {
    let (buf, _) = text::decode(bytes);
    let head = buf.get(..SNIFF.min(buf.len())).unwrap_or(&[]);
    detect_decoded(head)
}

fn detect_decoded(head: &[u8]) -> LogFormat {
    use text::find;
    if find(head, b"$$begin_record").is_some() {
        return LogFormat::ServerLog;
    }
    if find(head, b":: Sending Packet").is_some() || find(head, b":: Received Packet").is_some() {
        return LogFormat::Uccapi;
    }
    if find(head, b"message sent (").is_some() || find(head, b"message received [").is_some() {
        return LogFormat::SippTrace;
    }
    let mut saw_sip = false;
    for (i, line) in text::LineCursor::new(head, 1).enumerate() {
        let t = line.text;
        if i < 12
            && (text::starts_with_ci(t, b"Follow: tcp")
                || text::starts_with_ci(t, b"Follow: udp")
                || text::starts_with_ci(t, b"Node 0:"))
        {
            return LogFormat::WiresharkFollow;
        }
        if !saw_sip && sipmsg::is_start_line(t) {
            saw_sip = true;
            if i >= 12 {
                break;
            }
        }
    }
    if saw_sip {
        LogFormat::RawSip
    } else {
        LogFormat::Unknown
    }
}

/// Read the files with no clock offsets.
pub fn ingest(files: &[InputFile]) -> Ingested {
    ingest_with_options(files, &IngestOptions::default(), &mut |_| {})
}

/// Read the files, reporting progress (at each file start/end and about every 256 KiB).
pub fn ingest_with_progress(files: &[InputFile], progress: &mut dyn FnMut(Progress)) -> Ingested {
    ingest_with_options(files, &IngestOptions::default(), progress)
}

/// Read the files with a clock offset per file (ms added to that file's timestamps; a missing
/// entry is 0). Re-run with `suggested_clock_offset_ms` values to line files up.
pub fn ingest_with_offsets(files: &[InputFile], offsets_ms: &[i64]) -> Ingested {
    let opts = IngestOptions {
        clock_offsets_ms: offsets_ms.to_vec(),
        ..IngestOptions::default()
    };
    ingest_with_options(files, &opts, &mut |_| {})
}

/// The general entry point.
pub fn ingest_with_options(
    files: &[InputFile],
    opts: &IngestOptions,
    progress: &mut dyn FnMut(Progress),
) -> Ingested {
    let mut reports = Vec::with_capacity(files.len());
    let mut per_file: Vec<(Vec<SipMessage>, Vec<LogEvent>)> = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let total = f.bytes.len();
        progress(Progress {
            file_index: i,
            bytes_done: 0,
            bytes_total: total,
        });
        let offset = opts.clock_offsets_ms.get(i).copied().unwrap_or(0);
        let (report, mut msgs, mut events) = read_file(f, opts.validate_with_rsip, &mut |done| {
            progress(Progress {
                file_index: i,
                bytes_done: done.min(total),
                bytes_total: total,
            })
        });
        progress(Progress {
            file_index: i,
            bytes_done: total,
            bytes_total: total,
        });
        if offset != 0 {
            for m in &mut msgs {
                if let Some(ms) = m.timestamp.as_mut().and_then(|t| t.millis.as_mut()) {
                    *ms = ms.saturating_add(offset);
                }
            }
            for e in &mut events {
                if let Some(ms) = e.timestamp.as_mut().and_then(|t| t.millis.as_mut()) {
                    *ms = ms.saturating_add(offset);
                }
            }
        }
        reports.push(FileReport {
            clock_offset_ms: offset,
            ..report
        });
        per_file.push((msgs, events));
    }
    correlate::assemble(reports, per_file)
}

/// Read one file (no merging). Returns its report (offset fields zero), messages and events.
fn read_file(
    f: &InputFile,
    validate: bool,
    progress: &mut dyn FnMut(usize),
) -> (FileReport, Vec<SipMessage>, Vec<LogEvent>) {
    let (buf, note) = text::decode(f.bytes);
    let buf: &[u8] = &buf;
    let head = buf.get(..SNIFF.min(buf.len())).unwrap_or(&[]);
    let format = detect_decoded(head);
    let ctx = sipmsg::Ctx {
        file: f.name,
        validate,
    };
    let mut out = sipmsg::Out::default();
    if let Some(note) = note {
        out.problem(1, note);
    }
    let mut tick = readers::Tick::new(progress);
    match format {
        LogFormat::RawSip | LogFormat::Unknown => readers::raw(buf, ctx, &mut out),
        LogFormat::Uccapi => readers::uccapi(buf, ctx, &mut out, &mut tick),
        LogFormat::ServerLog => readers::server_log(buf, ctx, &mut out, &mut tick),
        LogFormat::WiresharkFollow => readers::wireshark(buf, ctx, &mut out, &mut tick),
        LogFormat::SippTrace => readers::sipp(buf, ctx, &mut out, &mut tick),
    }
    binary_check(buf, &mut out);
    if out.messages.is_empty() && out.events.is_empty() {
        out.problem(
            1,
            "No SIP message was found in this file. Expected raw SIP text, a Communicator \
             (UCCAPI) trace, an LCS/OCS Logging Tool text file, a Wireshark \"Follow Stream\" \
             text or a SIPp -trace_msg file.",
        );
    }
    out.problems.sort_by_key(|p| p.line);
    let mut r = FileReport {
        name: f.name.to_string(),
        format,
        bytes: f.bytes.len(),
        lines: text::line_count(buf),
        messages: out.messages.len(),
        clean: 0,
        repaired: 0,
        partial: 0,
        events: out.events.len(),
        problems: out.problems,
        clock_offset_ms: 0,
        suggested_clock_offset_ms: None,
    };
    for m in &out.messages {
        match m.quality {
            crate::core::sip::ParseQuality::Clean => r.clean += 1,
            crate::core::sip::ParseQuality::Repaired { .. } => r.repaired += 1,
            crate::core::sip::ParseQuality::Partial { .. } => r.partial += 1,
        }
    }
    (r, out.messages, out.events)
}

/// Report binary data (NUL bytes) once per file: the first place it occurs.
fn binary_check(buf: &[u8], out: &mut sipmsg::Out) {
    if let Some(at) = text::find_byte(buf, 0) {
        let line = text::line_of(buf, 0, 1, at);
        out.problem(
            line,
            format!(
                "Line {line}: the file contains binary data (NUL bytes). Is it a capture (.pcap) or \
                 a compressed file? Export the SIP text instead (e.g. Wireshark \"Follow TCP \
                 Stream\" as ASCII). Readable text around it was kept."
            ),
        );
    }
}
