//! Log ingestion: turns the files a user drops (client traces, server logs, captures, pastes)
//! into one time-ordered list of [`SipMessage`]s plus [`LogEvent`]s, [`Dialog`]s and
//! [`Transaction`]s.
//!
//! Pipeline per file: [`detect_format`] → a reader ([`readers`]) cuts each packet/record out of
//! the container format → the lenient SIP front end ([`sipmsg`]) frames messages, restores CRLF,
//! removes a uniform indent, unfolds, expands compact/upper-case names → [`validate`] grades each
//! message against RFC 3261 with our own grammar ([`grammar`]) and says what is wrong on which
//! line ([`ParseQuality`], and a [`Problem`] per fault). Then all files are merged in time order
//! (after per-file clock offsets), the same message seen in two files is merged into one
//! (`also_seen`), and dialogs and transactions are correlated.
//!
//! Grading can wait ([`IngestOptions::grade_later`]): the diagnosis does not need it, and it is
//! over a third of reading raw SIP. Then [`Ingested::grade`] reads each file again for the grades
//! alone and gives what grading with reading gives (`tests/it/grade_later.rs`). So can
//! counting the dialogs and transactions ([`IngestOptions::correlate_later`]): the diagnosis
//! finds the messages of the few calls it needs without them (`Ingested::messages_by_call`),
//! and correlating is about a fifth of reading raw SIP. [`Ingested::correlate`] then counts
//! them as reading would have.
//!
//! Clock offsets: [`ingest_with_offsets`] takes one offset per file (missing = 0), added to every
//! timestamp of that file; `Timestamp::millis` of the returned messages *includes* the offset
//! (`written` stays as written). [`FileReport::suggested_clock_offset_ms`] says what offset would
//! make the file consistent with the earlier files (responses after their requests, the same
//! message at the same time).
//!
//! Timestamps: `millis` is milliseconds since 1970 of the time *as written* (client and server
//! logs write local time without a zone, so treat it as a timeline, not as UTC).
//!
//! Nothing here panics on any input; problems become [`Problem`]s with a file line
//! (`tests/it/ingest_fuzz.rs`, `tests/it/ingest_robustness.rs`, cargo-fuzz targets under
//! `fuzz/`). Nothing is dropped silently: text that is not SIP is reported with its line range;
//! binary data or bytes that are not UTF-8 are reported when they lie outside a message (inside
//! one they are its body's, like a multipart body's binary part, or its grade says so). A lone
//! `ms-diagnostics` header line (as support articles quote them) becomes an event, with a note.
//!
//! Speed and memory (`cargo bench --bench ingest_divan`, `cargo bench --bench ingest -- mem raw
//! 100`, `make bench` for the browser): nothing is copied that can be pointed at. The file's
//! bytes become one shared text ([`OwnedInput`] hands them over without a copy; an ASCII file
//! is proven UTF-8 by the same pass that counts its lines), and every message is spans into it
//! (see [`crate::sip`]). Line ends and container markers are found with memchr; grading walks
//! each header once with byte-class tables.

mod correlate;
pub mod grammar;
mod readers;
mod sipmsg;
pub mod synth;
pub mod text;
mod validate;

use crate::fxhash::FxMap;
use crate::sip::{LogEvent, SipMessage};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use crate::file_text::{FileBytes, KeptBytes};
pub use text::{count_newlines, newlines_and_ascii};

/// One dropped or pasted file, borrowed: its bytes are copied once into the text the messages
/// share. [`OwnedInput`] avoids that copy.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// One file handed over with its bytes: when they are UTF-8 they become the shared text the
/// messages point into, without a copy (the way to read a 100 MB log in ~2x its size).
#[derive(Debug, Clone, Default)]
pub struct OwnedInput {
    pub name: String,
    pub bytes: FileBytes,
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
    pub dialogs: Dialogs,
    /// How many SIP transactions the messages hold ([`Ingested::transactions`] lists them).
    pub transaction_count: usize,
    /// Read with [`IngestOptions::correlate_later`]: `dialogs` and `transaction_count` wait for
    /// [`Ingested::correlate`].
    #[serde(skip)]
    pub(crate) correlation_pending: bool,
    /// The files read with [`IngestOptions::grade_later`], until [`Ingested::grade`] grades them.
    #[serde(skip)]
    pub(crate) ungraded: Vec<Ungraded>,
}

/// A file whose messages are not graded yet: what reading it again needs (its text is the one
/// its messages share, not a copy), or the grades a second thread is reading from it.
#[derive(Clone)]
pub(crate) struct Ungraded {
    index: usize,
    name: Arc<str>,
    shared: text::Shared,
    /// As its first read detected it.
    format: LogFormat,
    alongside: Option<GradesAlongside>,
}

/// A file's grades-only read on a second thread ([`ReadMode::GradedAlongside`]), joined when
/// the grades are asked for ([`Ingested::grade`]). The clones of its [`Ungraded`] share it: the
/// first to ask joins it, any other reads the file again.
type GradesAlongside = Arc<std::sync::Mutex<Option<std::thread::JoinHandle<GradesRead>>>>;

/// What a grades-only read gives: the file's report and the grades it kept.
type GradesRead = (FileReport, sipmsg::Out);

impl std::fmt::Debug for Ungraded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ungraded({})", self.name)
    }
}

impl Ingested {
    /// The transactions, listed when asked for: the analysis only counts them.
    pub fn transactions(&self) -> Vec<Transaction> {
        correlate::transactions(&self.messages)
    }

    /// Whether some files' messages wait for [`Ingested::grade`].
    pub fn grading_pending(&self) -> bool {
        !self.ungraded.is_empty()
    }

    /// Whether the dialogs and transactions wait for [`Ingested::correlate`].
    pub fn correlation_pending(&self) -> bool {
        self.correlation_pending
    }

    /// Finds the dialogs and counts the transactions of messages read with
    /// [`IngestOptions::correlate_later`]: what reading would have found. Nothing to do when
    /// nothing waits.
    pub fn correlate(&mut self) {
        if std::mem::take(&mut self.correlation_pending) {
            (self.dialogs, self.transaction_count) =
                correlate::dialogs_and_transaction_count(&self.messages);
        }
    }

    /// The messages of each Call-ID that `calls` has a list for, added to it as indexes in time
    /// order: through the dialogs when they are found, else in one pass over the messages
    /// (every message with a Call-ID is in the one dialog of its Call-ID, so both give the
    /// same lists).
    pub fn messages_by_call(&self, calls: &mut FxMap<&str, Vec<usize>>) {
        if calls.is_empty() {
            return;
        }
        if self.correlation_pending {
            for (i, m) in self.messages.iter().enumerate() {
                #[cfg(debug_assertions)]
                crate::sip::reads::count();
                if let Some(list) = correlate::dialog_call_id(m).and_then(|c| calls.get_mut(c)) {
                    list.push(i);
                }
            }
            return;
        }
        for d in self.dialogs.iter() {
            #[cfg(debug_assertions)]
            crate::sip::reads::count();
            if let Some(list) = calls.get_mut(d.call_id(&self.messages)) {
                list.extend(d.messages().iter().map(|&i| i as usize));
            }
        }
        for list in calls.values_mut() {
            list.sort_unstable();
        }
        // A message is in one dialog: no index twice.
        debug_assert!(calls.values().all(|l| l.windows(2).all(|w| w[0] < w[1])));
    }

    /// Grades the messages of the files read with [`IngestOptions::grade_later`] or
    /// [`IngestOptions::grade_alongside`]: each such file is read again with grading, keeping
    /// only the grades (or the second thread reading it so is waited for), and its report and
    /// messages get what reading it with grading would have given them (duplicates merged
    /// across files included: the file's own copy was graded). Nothing to do when nothing
    /// waits.
    pub fn grade(&mut self, progress: &mut dyn FnMut(Progress)) {
        for u in std::mem::take(&mut self.ungraded) {
            let total = u.shared.text.len();
            let joined = u
                .alongside
                .and_then(|thread| thread.lock().ok()?.take())
                .map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                });
            let (report, out) = joined.unwrap_or_else(|| {
                read_shared(
                    &u.name,
                    &u.shared,
                    u.format,
                    0,
                    ReadMode::GradesOnly,
                    &mut |done| {
                        progress(Progress {
                            file_index: u.index,
                            bytes_done: done.min(total),
                            bytes_total: total,
                        })
                    },
                )
            });
            let messages = self
                .messages
                .iter_mut()
                .filter(|m| Arc::ptr_eq(&m.source.file, &u.name));
            if let Some(f) = self.files.get_mut(u.index) {
                let grades = out.grades.map(|g| g.kept).unwrap_or_default();
                give_grades(messages, f, report, grades);
            }
        }
    }
}

/// Gives a file's messages and its report what a grades-only read of it found (`report`, and
/// `grades`: those it kept, [`sipmsg::Grades::kept`]): what reading it with grading would have
/// given them.
fn give_grades<'m>(
    messages: impl Iterator<Item = &'m mut SipMessage>,
    file: &mut FileReport,
    report: FileReport,
    mut grades: Vec<sipmsg::Grade>,
) {
    // A read gives its grades in line order already; searching them costs no map beside them,
    // at the analysis' high-water mark. Stable, so that of two grades for one line the later
    // one (the one a map would keep) is found.
    if !grades.is_sorted_by_key(|g| g.line_start) {
        grades.sort_by_key(|g| g.line_start);
    }
    for m in messages {
        let line = m.source.line_start;
        let after = grades.partition_point(|g| g.line_start <= line);
        let kept = after
            .checked_sub(1)
            .map(|i| &grades[i])
            .filter(|g| g.line_start == line);
        // No grade kept: graded clean.
        m.set_shared_quality(kept.and_then(|g| g.quality.clone()));
    }
    file.clean = report.clean;
    file.repaired = report.repaired;
    file.partial = report.partial;
    file.problems = report.problems;
    file.graded = true;
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
    /// False while the messages wait for grading ([`IngestOptions::grade_later`]): `clean`,
    /// `repaired`, `partial` and the grading faults in `problems` are not counted yet.
    #[serde(default = "graded_by_default", skip_serializing_if = "is_true")]
    pub graded: bool,
}

/// Serde's default for a `graded` flag: absent means graded (only `false` is written).
pub fn graded_by_default() -> bool {
    true
}

/// Serde's `skip_serializing_if` for a `graded` flag.
pub fn is_true(b: &bool) -> bool {
    *b
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
    /// The format's id: its JSON name, used as a `data-format` attribute and in the CLI.
    pub fn id(self) -> &'static str {
        match self {
            LogFormat::RawSip => "raw-sip",
            LogFormat::Uccapi => "uccapi",
            LogFormat::ServerLog => "server-log",
            LogFormat::WiresharkFollow => "wireshark-follow",
            LogFormat::SippTrace => "sipp-trace",
            LogFormat::Unknown => "unknown",
        }
    }

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

/// The SIP dialogs (Call-ID plus the tags of both ends), in order of first appearance, kept as
/// message indexes: the Call-ID and tags are read from the messages when asked, and the
/// messages of every dialog share one list. (A dialog with copied strings and its own list cost
/// about 35 bytes per message on wasm32, in four heap blocks per dialog.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dialogs {
    /// Where each dialog's messages start in `messages`; the next dialog's start ends them.
    starts: Vec<u32>,
    /// Indexes into [`Ingested::messages`], dialog after dialog, each in time order.
    messages: Vec<u32>,
    /// The message whose tag is each dialog's to-tag ([`Dialogs::FROM`] set: its From tag,
    /// else its To tag); [`Dialogs::NONE`] when no message gave one.
    to_tags: Vec<u32>,
}

/// One dialog of [`Dialogs`]: its texts are read from the messages it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialog<'d> {
    messages: &'d [u32],
    to_tag: u32,
}

impl Dialogs {
    /// In [`Dialogs::to_tags`]: the tag is the message's From tag.
    const FROM: u32 = 1 << 31;
    const NONE: u32 = u32::MAX;

    pub fn len(&self) -> usize {
        self.to_tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.to_tags.is_empty()
    }

    pub fn get(&self, d: usize) -> Option<Dialog<'_>> {
        let start = *self.starts.get(d)? as usize;
        let end = self
            .starts
            .get(d + 1)
            .map_or(self.messages.len(), |&e| e as usize);
        Some(Dialog {
            messages: self.messages.get(start..end)?,
            to_tag: *self.to_tags.get(d)?,
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = Dialog<'_>> + '_ {
        (0..self.len()).filter_map(|d| self.get(d))
    }
}

impl<'d> Dialog<'d> {
    /// Indexes into [`Ingested::messages`], in time order (never empty).
    pub fn messages(&self) -> &'d [u32] {
        self.messages
    }

    /// The Call-ID (`messages`: the ones the dialogs were found in, [`Ingested::messages`]).
    pub fn call_id<'m>(&self, messages: &'m [SipMessage]) -> &'m str {
        self.first(messages)
            .and_then(correlate::dialog_call_id)
            .unwrap_or("")
    }

    pub fn from_tag<'m>(&self, messages: &'m [SipMessage]) -> Option<&'m str> {
        correlate::dialog_key(self.first(messages)?).from_tag
    }

    pub fn to_tag<'m>(&self, messages: &'m [SipMessage]) -> Option<&'m str> {
        if self.to_tag == Dialogs::NONE {
            return None;
        }
        let k = correlate::dialog_key(messages.get((self.to_tag & !Dialogs::FROM) as usize)?);
        if self.to_tag & Dialogs::FROM != 0 {
            k.from_tag
        } else {
            k.to_tag
        }
    }

    fn first<'m>(&self, messages: &'m [SipMessage]) -> Option<&'m SipMessage> {
        messages.get(*self.messages.first()? as usize)
    }
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
    /// Grade messages against RFC 3261 (the quality badge and the faults on their lines). Off =
    /// only the lenient front end's own repairs are reported (`Clean`/`Repaired`, never
    /// `Partial`); for benchmarks.
    pub validate: bool,
    /// With `validate`: read without grading, and grade when [`Ingested::grade`] is called (the
    /// analysis worker: the diagnosis does not need the grades). Meanwhile each file's report
    /// says `graded: false`.
    pub grade_later: bool,
    /// With `validate` and not `grade_later`: grade each file on a second thread while this one
    /// reads it without grading, and leave that thread running until [`Ingested::grade`] waits
    /// for it and gives the messages their grades (the command line: it diagnoses meanwhile;
    /// then the same results as grading with reading). Meanwhile each file's report says
    /// `graded: false`. Where there are no threads (the wasm build), the file is graded with
    /// reading.
    pub grade_alongside: bool,
    /// With `grade_alongside`: a file of at least this many bytes whose format has a place
    /// near its middle where its reader may start afresh is read graded in two parts at once
    /// instead, the second on the second thread (its report is graded at once). 4 MiB by
    /// default; tests set less to cut small files.
    #[serde(default = "halves_from_default")]
    pub halves_from: usize,
    /// Find the dialogs and count the transactions when [`Ingested::correlate`] is called, not
    /// with reading (the analysis worker: no part of the diagnosis needs them).
    pub correlate_later: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            clock_offsets_ms: Vec::new(),
            validate: true,
            grade_later: false,
            grade_alongside: false,
            halves_from: HALVES_FROM,
            correlate_later: false,
        }
    }
}

fn halves_from_default() -> usize {
    HALVES_FROM
}

/// How many leading bytes [`detect_format`] looks at.
const SNIFF: usize = 1 << 20;

/// Guess a file's format (from its first MiB; container markers are looked for in the whole
/// file when the start shows none).
pub fn detect_format(bytes: &[u8]) -> LogFormat {
    let buf = text::decode(bytes);
    detect_whole(&buf)
}

/// Container markers (server record, client packet, SIPp separator) anywhere in `b`.
fn detect_markers(b: &[u8]) -> Option<LogFormat> {
    use text::find;
    if find(b, b"$$begin_record").is_some() || find(b, b"$$end_record").is_some() {
        return Some(LogFormat::ServerLog);
    }
    if find(b, b"Sending Packet - ").is_some()
        || find(b, b"Received Packet - ").is_some()
        || find(b, b"Data Received - ").is_some()
    {
        return Some(LogFormat::Uccapi);
    }
    if find(b, b"message sent (").is_some() || find(b, b"message received [").is_some() {
        return Some(LogFormat::SippTrace);
    }
    None
}

/// Like [`detect_decoded`] on the first MiB, but when that finds no container markers in a
/// bigger file, looks for them in the rest too (a client trace may open with a lot of noise).
fn detect_whole(buf: &[u8]) -> LogFormat {
    let head = buf.get(..SNIFF.min(buf.len())).unwrap_or(&[]);
    match detect_decoded(head) {
        // A head with SIP start lines and no markers is raw SIP; only a head with neither (a
        // trace opening with noise) makes the whole file worth scanning.
        LogFormat::Unknown if buf.len() > SNIFF => {
            detect_markers(buf.get(SNIFF.saturating_sub(64)..).unwrap_or(&[]))
                .unwrap_or(LogFormat::Unknown)
        }
        f => f,
    }
}

fn detect_decoded(head: &[u8]) -> LogFormat {
    if let Some(f) = detect_markers(head) {
        return f;
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
        // A client trace that writes the start line on the trace line (`... INFO :: INVITE ...`).
        if readers::uccapi_stamp(t).is_some() && readers::start_on_trace_line(t).is_some() {
            return LogFormat::Uccapi;
        }
        let s = t.trim_ascii_start();
        // A message (maybe indented), or a lone ms-diagnostics header line: SIP text.
        if !saw_sip && (sipmsg::is_start_line(s) || text::starts_with_ci(s, b"ms-diagnostics")) {
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

/// The general entry point for borrowed files (copies each file's bytes once).
pub fn ingest_with_options(
    files: &[InputFile],
    opts: &IngestOptions,
    progress: &mut dyn FnMut(Progress),
) -> Ingested {
    let owned = files
        .iter()
        .map(|f| OwnedInput {
            name: f.name.to_string(),
            bytes: f.bytes.to_vec().into(),
        })
        .collect();
    ingest_owned(owned, opts, progress)
}

/// The general entry point: reads the files, taking their bytes (see [`OwnedInput`]).
pub fn ingest_owned(
    files: Vec<OwnedInput>,
    opts: &IngestOptions,
    progress: &mut dyn FnMut(Progress),
) -> Ingested {
    let mut reports = Vec::with_capacity(files.len());
    let mut per_file: Vec<(Vec<SipMessage>, Vec<LogEvent>)> = Vec::with_capacity(files.len());
    let mut ungraded = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        let total = f.bytes.len();
        progress(Progress {
            file_index: i,
            bytes_done: 0,
            bytes_total: total,
        });
        let offset = opts.clock_offsets_ms.get(i).copied().unwrap_or(0);
        let mode = match (opts.validate, opts.grade_later, opts.grade_alongside) {
            (false, _, _) => ReadMode::Ungraded,
            (true, true, _) => ReadMode::GradeLater,
            (true, false, true) if cfg!(not(target_arch = "wasm32")) => ReadMode::GradedAlongside,
            (true, false, _) => ReadMode::Graded,
        };
        let (report, mut msgs, mut events, later) =
            read_file(f, mode, opts.halves_from, &mut |done| {
                progress(Progress {
                    file_index: i,
                    bytes_done: done.min(total),
                    bytes_total: total,
                })
            });
        if let Some((name, shared, alongside)) = later {
            ungraded.push(Ungraded {
                index: i,
                name,
                shared,
                format: report.format,
                alongside,
            });
        }
        progress(Progress {
            file_index: i,
            bytes_done: total,
            bytes_total: total,
        });
        if offset != 0 {
            for m in &mut msgs {
                m.shift_millis(offset);
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
    Ingested {
        ungraded,
        ..correlate::assemble(reports, per_file, !opts.correlate_later)
    }
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadMode {
    /// Messages graded as they are read.
    Graded,
    /// Not graded (`IngestOptions::validate` off).
    Ungraded,
    /// Not graded now; the file is kept to be graded later ([`Ingested::grade`]).
    GradeLater,
    /// Read again to grade it: grades only, no messages.
    GradesOnly,
    /// Read without grading while a second thread reads it [`ReadMode::GradesOnly`], left
    /// running until the grades are asked for (native only).
    GradedAlongside,
    /// Graded, in two parts at once, cut at `cut` (a [`readers::fresh_start`]): the part after
    /// it on a second thread (native only). What [`ReadMode::GradedAlongside`] becomes for a
    /// large file whose format has a place to cut: the grades come with the messages, and no
    /// part of the file is framed twice.
    Halves { cut: usize },
}

/// Files smaller than this are read in one part: a second thread is worth its start, and the
/// merge of two parts' messages, only over megabytes.
const HALVES_FROM: usize = 4 << 20;

/// Where a file too large to read in one part, graded, may be cut in two for
/// [`ReadMode::Halves`]: the first place its reader may start afresh in the third quarter.
fn halves_cut(format: LogFormat, buf: &[u8], from_bytes: usize) -> Option<usize> {
    let len = buf.len();
    if len < from_bytes.max(2) {
        return None;
    }
    readers::fresh_start(format, buf, len / 2, len / 2 + len / 4)
}

/// A file's messages of time order and its report; with [`ReadMode::GradeLater`] or
/// [`ReadMode::GradedAlongside`], what grading it later needs.
type FileRead = (
    FileReport,
    Vec<SipMessage>,
    Vec<LogEvent>,
    Option<(Arc<str>, text::Shared, Option<GradesAlongside>)>,
);

fn read_file(
    f: OwnedInput,
    mode: ReadMode,
    halves_from: usize,
    progress: &mut dyn FnMut(usize),
) -> FileRead {
    let name: Arc<str> = Arc::from(f.name.as_str());
    let bytes = f.bytes.len();
    let shared = text::shared_text(f.bytes);
    let format = detect_whole(shared.body());
    let mode = match (mode, halves_cut(format, shared.body(), halves_from)) {
        (ReadMode::GradedAlongside, Some(cut)) => ReadMode::Halves { cut },
        _ => mode,
    };
    let (report, out, later) = match mode {
        ReadMode::GradedAlongside => {
            let alongside = grade_alongside(&name, &shared, format, bytes);
            let (report, out) = read_shared(
                &name,
                &shared,
                format,
                bytes,
                ReadMode::GradeLater,
                progress,
            );
            // Graded even without messages: its report's problems are the graded read's.
            (report, out, Some((name, shared, alongside)))
        }
        _ => {
            let (report, out) = read_shared(&name, &shared, format, bytes, mode, progress);
            let later = (mode == ReadMode::GradeLater && report.messages > 0)
                .then_some((name, shared, None));
            (report, out, later)
        }
    };
    let report = FileReport {
        graded: later.is_none(),
        ..report
    };
    (report, out.messages, out.events, later)
}

/// [`ReadMode::GradedAlongside`]: the grades-only read of a file, started on a second thread
/// while this one reads the file without grading and the diagnosis runs; the grades take
/// longer to find than the messages (the grammar's checks), and the diagnosis needs none.
/// Never chosen where there are no threads (the wasm build grades with reading instead: see
/// `ingest_owned`). `None` where the system would start no thread (a limit reached): the
/// grades are then read when asked for, as with [`ReadMode::GradeLater`].
fn grade_alongside(
    name: &Arc<str>,
    shared: &text::Shared,
    format: LogFormat,
    bytes: usize,
) -> Option<GradesAlongside> {
    let (name, shared) = (Arc::clone(name), shared.clone());
    let thread = std::thread::Builder::new()
        .name("grades".into())
        .spawn(move || {
            read_shared(
                &name,
                &shared,
                format,
                bytes,
                ReadMode::GradesOnly,
                &mut |_| {},
            )
        })
        .ok()?;
    Some(Arc::new(std::sync::Mutex::new(Some(thread))))
}

/// Reads one file's text (`shared`, from `bytes` bytes, in `format`) as `mode` says.
fn read_shared(
    name: &Arc<str>,
    shared: &text::Shared,
    format: LogFormat,
    bytes: usize,
    mode: ReadMode,
    progress: &mut dyn FnMut(usize),
) -> (FileReport, sipmsg::Out) {
    let text = &shared.text;
    let buf = shared.body();
    let ctx = sipmsg::Ctx {
        file: name,
        text,
        validate: matches!(
            mode,
            ReadMode::Graded | ReadMode::GradesOnly | ReadMode::Halves { .. }
        ),
        lossy: shared.lossy,
        lines: shared.lines,
    };
    let mut out = sipmsg::Out::default();
    out.grades =
        (mode == ReadMode::GradesOnly).then(|| sipmsg::Grades::for_file(buf, shared.lossy));
    if shared.utf16 {
        out.problem(1, text::UTF16_NOTE);
    }
    if let Some((first, last)) = shared.unquoted {
        out.problem(first, text::unquoted_note(first, last));
    }
    if let Some(line) = shared.unescaped {
        out.problem(line, text::unescaped_note(line));
    }
    let mut tick = readers::Tick::new(progress);
    match mode {
        ReadMode::Halves { cut } => read_halves(format, buf, cut, ctx, &mut out, &mut tick),
        _ => read_part(format, buf, 1, ctx, &mut out, &mut tick),
    }
    outside_messages_check(buf, shared.lossy, &mut out);
    html_escaped_check(buf, &mut out);
    if out.built() == 0 && out.events.is_empty() {
        out.problem(
            1,
            "No SIP message was found in this file. Expected raw SIP text, a Communicator \
             (UCCAPI) trace, an LCS/OCS Logging Tool text file, a Wireshark \"Follow Stream\" \
             text or a SIPp -trace_msg file.",
        );
    }
    out.problems.sort_by_key(|p| p.line);
    // Growth slack of a large vector is returned (mremap: no copy for big blocks).
    out.messages.shrink_to_fit();
    let mut r = FileReport {
        name: name.to_string(),
        format,
        bytes,
        lines: shared.lines,
        messages: out.built(),
        clean: 0,
        repaired: 0,
        partial: 0,
        events: out.events.len(),
        problems: std::mem::take(&mut out.problems),
        clock_offset_ms: 0,
        suggested_clock_offset_ms: None,
        graded: true,
    };
    match &out.grades {
        Some(g) => (r.clean, r.repaired, r.partial) = (g.clean, g.repaired, g.partial),
        None => {
            for q in out.messages.iter().map(SipMessage::quality) {
                match q {
                    crate::sip::ParseQuality::Clean => r.clean += 1,
                    crate::sip::ParseQuality::Repaired { .. } => r.repaired += 1,
                    crate::sip::ParseQuality::Partial { .. } => r.partial += 1,
                }
            }
        }
    }
    (r, out)
}

/// Reads `buf` (or a part of a file from its line `first_line`) with `format`'s reader.
fn read_part(
    format: LogFormat,
    buf: &[u8],
    first_line: u32,
    ctx: sipmsg::Ctx,
    out: &mut sipmsg::Out,
    tick: &mut readers::Tick,
) {
    match format {
        LogFormat::RawSip | LogFormat::Unknown => readers::raw(buf, first_line, ctx, out, tick),
        LogFormat::Uccapi => readers::uccapi(buf, first_line, ctx, out, tick),
        LogFormat::ServerLog => readers::server_log(buf, first_line, ctx, out, tick),
        LogFormat::WiresharkFollow => readers::wireshark(buf, first_line, ctx, out, tick),
        LogFormat::SippTrace => readers::sipp(buf, first_line, ctx, out, tick),
    }
}

/// [`ReadMode::Halves`]: reads `buf` up to `cut` here and from `cut` on a second thread at once
/// (on this one after, where no thread starts), then puts the second part's messages, events
/// and problems after the first's: in reading order, as one read of the whole gives them.
fn read_halves(
    format: LogFormat,
    buf: &[u8],
    cut: usize,
    ctx: sipmsg::Ctx,
    out: &mut sipmsg::Out,
    tick: &mut readers::Tick,
) {
    let (head, rest) = buf.split_at(cut.min(buf.len()));
    // `cut` starts a line: the lines before it all end in a newline.
    let rest_line = u32::try_from(text::count_newlines(head))
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let ((), second) = at_once(
        || read_part(format, head, 1, ctx, out, tick),
        move || {
            let mut second = sipmsg::Out::default();
            let mut no_progress = |_| {};
            let mut tick = readers::Tick::new(&mut no_progress);
            read_part(format, rest, rest_line, ctx, &mut second, &mut tick);
            second
        },
    );
    out.append(second);
}

/// Runs `here` on this thread and `there` on a second one at once, and gives both results;
/// both on this thread, one after the other, where no thread starts (the wasm build has none).
/// A panic on the second thread goes on here.
pub fn at_once<A, B: Send>(here: impl FnOnce() -> A, there: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Taken by whichever thread runs it: the second, or this one if it did not start.
        let slot = std::sync::Mutex::new(Some(there));
        let take = || slot.lock().ok().and_then(|mut s| s.take());
        std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .name("second part".into())
                .spawn_scoped(scope, move || take().map(|there| there()))
                .ok();
            let a = here();
            let b = match thread {
                Some(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => take().map(|there| there()),
            };
            match b {
                Some(b) => (a, b),
                None => unreachable!("one thread took the work"),
            }
        })
    }
    #[cfg(target_arch = "wasm32")]
    (here(), there())
}

/// Binary data (NUL bytes) and bytes that were not UTF-8 (now U+FFFD) are the file's problem
/// only outside its messages: inside one they belong to it (a binary body part, a quoted pair;
/// in a header the grade says so). Reports the first such place of each kind.
fn outside_messages_check(buf: &[u8], lossy: bool, out: &mut sipmsg::Out) {
    // The messages' line ranges (8 bytes a message, at the read's high-water mark) only for a
    // file that has something to place.
    if !sipmsg::has_places_outside(buf, lossy) {
        return;
    }
    let mut ranges = out.line_ranges();
    if !ranges.is_sorted() {
        ranges.sort_unstable();
    }
    if let Some(line) = first_outside(buf, memchr::memchr_iter(0, buf), &ranges) {
        out.problem(
            line,
            format!(
                "Line {line}: the file contains binary data (NUL bytes). Is it a capture (.pcap) or \
                 a compressed file? Export the SIP text instead (e.g. Wireshark \"Follow TCP \
                 Stream\" as ASCII). Readable text around it was kept."
            ),
        );
    }
    if lossy {
        let hits = memchr::memmem::find_iter(buf, "\u{FFFD}".as_bytes());
        if let Some(line) = first_outside(buf, hits, &ranges) {
            out.problem(line, text::not_utf8_note(line));
        }
    }
}

/// A log copied out of a web page's HTML source has its SIP escaped (`&lt;sip:…&gt;`,
/// `&quot;`): files small enough are read decoded ([`text::Shared`]); a larger one is read as
/// written, and this says so once, at the first such place.
fn html_escaped_check(buf: &[u8], out: &mut sipmsg::Out) {
    if let Some(line) = text::html_escape_line(buf) {
        out.problem(
            line,
            format!(
                "Line {line}: the text is HTML-escaped (&lt; &gt; &quot; stand for < > \"): it \
                 was copied from a web page's source. Addresses in angle brackets and quoted \
                 values are read as written, so names and reasons may look wrong: copy the log \
                 as the page shows it, or use the original file."
            ),
        );
    }
}

/// The line of the first of `hits` (byte offsets, ascending) outside every line range of
/// `ranges` (sorted). One pass: lines are counted from hit to hit.
fn first_outside(
    buf: &[u8],
    hits: impl Iterator<Item = usize>,
    ranges: &[(u32, u32)],
) -> Option<u32> {
    let mut line = 1u32;
    let mut pos = 0usize;
    let mut r = 0usize;
    for at in hits {
        let seg = buf.get(pos..at).unwrap_or(&[]);
        line = line.saturating_add(u32::try_from(text::count_newlines(seg)).unwrap_or(u32::MAX));
        pos = at.max(pos);
        while ranges.get(r).is_some_and(|&(_, end)| end < line) {
            r += 1;
        }
        match ranges.get(r) {
            Some(&(a, b)) if a <= line && line <= b => continue,
            _ => return Some(line),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fxhash::FxSet;

    /// Every log of the fixtures and every format's synthetic log, read in two parts at every
    /// place its reader may start afresh ([`readers::fresh_start`]), gives what one graded read
    /// of it gives: the report, every message (with its grade), event and problem.
    #[test]
    fn a_file_read_in_halves_is_read_as_one_at_every_cut() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let sorted_entries = |dir: &std::path::Path| {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .filter_map(|e| Some(e.ok()?.path()))
                .collect();
            entries.sort();
            entries
        };
        let mut dirs = vec![fixtures.join("logs"), fixtures.join("real-logs")];
        for parent in ["cases", "scenarios"] {
            dirs.extend(sorted_entries(&fixtures.join(parent)));
        }
        let mut logs: Vec<(String, Vec<u8>)> = Vec::new();
        for dir in dirs {
            let files = sorted_entries(&dir).into_iter().filter(|p| p.is_file());
            for f in files {
                logs.push((
                    f.display().to_string(),
                    std::fs::read(&f).unwrap_or_default(),
                ));
            }
        }
        for format in [
            LogFormat::Uccapi,
            LogFormat::ServerLog,
            LogFormat::SippTrace,
        ] {
            logs.push((
                format!("synthetic {format:?}"),
                synth::generate(format, 30_000, 3),
            ));
        }
        let (mut cut_files, mut cuts) = (FxSet::default(), 0);
        for (name, bytes) in logs {
            let shared = text::shared_text(bytes.into());
            let format = detect_whole(shared.body());
            let file: Arc<str> = Arc::from(name.as_str());
            let read = |mode| read_shared(&file, &shared, format, 0, mode, &mut |_| {});
            let whole = read(ReadMode::Graded);
            let json = |out: &sipmsg::Out| {
                let grades: Vec<_> = out
                    .messages
                    .iter()
                    .map(|m| format!("{:?}", m.quality()))
                    .collect();
                serde_json::to_string(&(&out.messages, &out.events, &out.problems, grades))
                    .expect("serialisable")
            };
            let mut from = 1;
            while let Some(cut) = readers::fresh_start(format, shared.body(), from, usize::MAX) {
                let halves = read(ReadMode::Halves { cut });
                assert_eq!(halves.0, whole.0, "{name}: report, cut at byte {cut}");
                assert!(
                    json(&halves.1) == json(&whole.1),
                    "{name}: cut at byte {cut}"
                );
                cut_files.insert(name.clone());
                cuts += 1;
                from = cut + 1;
            }
        }
        assert!(
            cut_files.len() >= 20 && cuts >= 500,
            "{} files, {cuts} cuts",
            cut_files.len()
        );
    }

    /// Read with and without the dialogs, every format's synthetic log and a torture of
    /// Call-IDs (none, empty, two in one message, the same in two dialogs) gives the same
    /// messages for every Call-ID, and counting later finds what reading found.
    #[test]
    fn messages_by_call_without_the_dialogs_are_those_of_the_dialogs() {
        let odd = b"INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:a@b>;tag=1\r\nCSeq: 1 INVITE\r\n\r\n\
SIP/2.0 200 OK\r\nCall-ID:  x \r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCSeq: 1 INVITE\r\n\r\n\
INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\nFrom: <sip:e@f>;tag=9\r\nCSeq: 1 INVITE\r\n\r\n\
OPTIONS sip:a@b SIP/2.0\r\nCall-ID:\r\nCSeq: 2 OPTIONS\r\n\r\n\
OPTIONS sip:a@b SIP/2.0\r\nCSeq: 3 OPTIONS\r\n\r\n\
BYE sip:a@b SIP/2.0\r\nCall-ID: y\r\nCall-ID: x\r\nCSeq: 4 BYE\r\n\r\n"
            .to_vec();
        let mut logs: Vec<Vec<u8>> = LogFormat::ALL
            .into_iter()
            .filter(|f| *f != LogFormat::Unknown)
            .map(|f| synth::generate(f, 60_000, 7))
            .collect();
        logs.push(odd);
        for bytes in logs {
            let read = |correlate_later| {
                let files = vec![OwnedInput {
                    name: "log".into(),
                    bytes: bytes.clone().into(),
                }];
                let opts = IngestOptions {
                    correlate_later,
                    ..IngestOptions::default()
                };
                ingest_owned(files, &opts, &mut |_| {})
            };
            let (now, mut later) = (read(false), read(true));
            assert!(later.correlation_pending() && !now.correlation_pending());
            let calls: FxSet<&str> = now.messages.iter().filter_map(|m| m.call_id()).collect();
            assert!(!calls.is_empty());
            let by_call = |ingested: &Ingested| {
                let mut all: FxMap<&str, Vec<usize>> =
                    calls.iter().map(|&c| (c, Vec::new())).collect();
                ingested.messages_by_call(&mut all);
                let mut all: Vec<(String, Vec<usize>)> =
                    all.into_iter().map(|(c, v)| (c.to_string(), v)).collect();
                all.sort();
                all
            };
            let without = by_call(&later);
            assert_eq!(without, by_call(&now));
            assert!(without.iter().any(|(_, v)| !v.is_empty()));
            later.correlate();
            assert!(!later.correlation_pending());
            assert_eq!(later.dialogs, now.dialogs);
            assert_eq!(later.transaction_count, now.transaction_count);
            assert_eq!(by_call(&later), without);
        }
    }

    /// The command line's way: `ingest_owned` leaves the grades-only reads running on their
    /// threads (the diagnosis needs no grades); until `grade` waits for them the files say
    /// `graded: false` and the messages are ungraded, after it everything is what grading with
    /// reading gives, a file without messages and a clone taken meanwhile included.
    #[test]
    fn grades_read_alongside_wait_for_grade_and_are_the_grades_read_with_reading() {
        let faulty = b"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\
Call-ID: x\r\nCSeq: one INVITE\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n\r\n\
SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"
            .to_vec();
        let files: Vec<OwnedInput> = [
            synth::generate(LogFormat::Uccapi, 60_000, 3),
            faulty,
            synth::generate(LogFormat::RawSip, 60_000, 5),
            b"no SIP here".to_vec(),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| OwnedInput {
            name: format!("log{i}"),
            bytes: bytes.into(),
        })
        .collect();
        let read = |grade_alongside| {
            let opts = IngestOptions {
                grade_alongside,
                ..IngestOptions::default()
            };
            ingest_owned(files.clone(), &opts, &mut |_| {})
        };
        let with = read(false);
        assert!(with.files.iter().any(|f| f.partial + f.repaired > 0));
        let mut alongside = read(true);
        assert!(alongside.grading_pending());
        assert!(alongside.files.iter().all(|f| !f.graded));
        let mut clone = alongside.clone();
        for ingested in [&mut alongside, &mut clone] {
            ingested.grade(&mut |_| {});
            assert!(!ingested.grading_pending());
            assert_eq!(ingested.files, with.files);
            assert_eq!(ingested.messages.len(), with.messages.len());
            for (x, y) in ingested.messages.iter().zip(&with.messages) {
                assert_eq!(x.quality(), y.quality());
                assert_eq!(x.source.line_start, y.source.line_start);
            }
        }
    }

    #[test]
    fn an_html_escaped_paste_is_named_once_at_its_first_escape_in_every_grading_mode() {
        let escaped =
            b"REGISTER sip:contoso.com SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.5:1562;branch=z9hG4bK1\n\
From: &lt;sip:jo@contoso.com&gt;;tag=1\nTo: &lt;sip:jo@contoso.com&gt;\nCall-ID: x\n\
CSeq: 1 REGISTER\nContent-Length: 0\n\n"
                .to_vec();
        let clean =
            b"REGISTER sip:contoso.com SIP/2.0\r\nFrom: \"Jo\" <sip:jo@contoso.com>;tag=1\r\n\r\n";
        for (validate, grade_later) in [(true, false), (false, false), (true, true)] {
            let opts = IngestOptions {
                validate,
                grade_later,
                ..IngestOptions::default()
            };
            let files = vec![
                OwnedInput {
                    name: "escaped".into(),
                    bytes: escaped.clone().into(),
                },
                OwnedInput {
                    name: "clean".into(),
                    bytes: clean.to_vec().into(),
                },
            ];
            let mut read = ingest_owned(files, &opts, &mut |_| {});
            read.grade(&mut |_| {});
            let notes = |i: usize| -> Vec<&Problem> {
                read.files[i]
                    .problems
                    .iter()
                    .filter(|p| p.message.contains("HTML-escaped"))
                    .collect()
            };
            let escaped_notes = notes(0);
            assert_eq!(escaped_notes.len(), 1, "{validate} {grade_later}");
            assert_eq!(escaped_notes[0].line, 3);
            assert!(notes(1).is_empty());
        }
    }
}
