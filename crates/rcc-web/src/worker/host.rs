//! The worker's side: one [`Host`] holds the worker's whole state (the newest analysis asked
//! for, the queue of messages, the analysis it keeps), reads picked files, runs the analysis and
//! answers queries. web/worker.js only loads the wasm and calls [`run_worker`].

use super::file_chunks::FileChunks;
use super::protocol::{
    envelope, open, summary_payload, transferables, Answer, FromWorker, Query, ToWorker,
};
use super::warm_up;
use leptos::wasm_bindgen::{self, prelude::*, JsCast};
use rcc_core::analysis::{
    analyze, reanalyze, AnalysisDetails, AnalysisInput, AnalysisSummary, Hooks, LadderBuild,
    Options,
};
use rcc_core::ingest::OwnedInput;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

/// Progress is posted at most this often.
const PROGRESS_EVERY_MS: f64 = 50.0;
/// The progress bar's share of reading picked files into wasm memory, when there are any, and
/// where ingesting ends: the diagnosis and the ladder, which report no progress of their own,
/// fill the rest. From the stages of pick -> diagnosis on a 100 MB log (README "Benchmarks").
pub const FILE_READ_SHARE: f64 = 0.15;
pub const INGESTED_AT: f64 = 0.7;

/// One analysis' progress, as posted to the page: at most every [`PROGRESS_EVERY_MS`], and
/// always when ingesting is done (the bar then waits for the diagnosis there).
struct ProgressPost<'h> {
    host: &'h Host,
    seq: u32,
    last_ms: f64,
}

impl ProgressPost<'_> {
    fn at(&mut self, fraction: f64) {
        let now = crate::timing::now_ms();
        if now - self.last_ms > PROGRESS_EVERY_MS || fraction >= INGESTED_AT {
            self.last_ms = now;
            let seq = self.seq;
            self.host.reply(&FromWorker::Progress { seq, fraction });
        }
    }
}

/// Where replies go: the page (`postMessage`), or a test.
pub type Post = Box<dyn Fn(&FromWorker, JsValue)>;

/// What identifies the logs an analysis read, so that a new analysis of the same logs (only the
/// AD text, the rules or the sign-in changed) diagnoses what was read instead of reading again:
/// each log's name and clock offset, and its file's name, size and date, or its bytes' length
/// and hash (bytes and pastes from the page, at most a few MB).
#[derive(Debug, Clone, PartialEq, Eq)]
struct LogsKey(Vec<(String, i64, LogIdentity)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum LogIdentity {
    File {
        name: String,
        size: u64,
        modified: u64,
    },
    Bytes {
        len: usize,
        hash: u64,
    },
}

impl LogIdentity {
    fn of_bytes(bytes: &[u8]) -> LogIdentity {
        let mut hasher = std::hash::DefaultHasher::new();
        bytes.hash(&mut hasher);
        LogIdentity::Bytes {
            len: bytes.len(),
            hash: hasher.finish(),
        }
    }
}

/// One log of an analysis request as the page sent it.
enum Sent {
    /// Bytes already in the worker's wasm memory (a transferred array, an encoded paste).
    Bytes(Vec<u8>),
    /// A picked file, read when it is needed.
    File(web_sys::File),
}

impl Sent {
    fn of(item: JsValue) -> Sent {
        if let Some(file) = item.dyn_ref::<web_sys::File>() {
            Sent::File(file.clone())
        } else if let Some(text) = item.as_string() {
            Sent::Bytes(text.into_bytes())
        } else if let Some(arr) = item.dyn_ref::<js_sys::Uint8Array>() {
            Sent::Bytes(arr.to_vec())
        } else {
            Sent::Bytes(Vec::new())
        }
    }

    fn identity(&self) -> LogIdentity {
        match self {
            Sent::Bytes(bytes) => LogIdentity::of_bytes(bytes),
            Sent::File(f) => LogIdentity::File {
                name: f.name(),
                size: f.size() as u64,
                modified: f.last_modified() as u64,
            },
        }
    }
}

/// The analysis the worker keeps, for queries and for re-diagnosing its logs.
struct Held {
    seq: u32,
    details: AnalysisDetails,
    /// The logs it read; `None` after a redacted analysis (its logs are pseudonymised and never
    /// reused for an analysis that is not).
    logs: Option<LogsKey>,
}

/// The worker's state. Messages are handled one at a time, in order: reading a file is
/// asynchronous, and a query must see the analysis asked before it, never one still being read.
pub struct Host {
    post: Post,
    /// The `seq` of the newest analysis asked for: an older one is skipped.
    newest: Cell<Option<u32>>,
    /// Each message with its payload and the time it arrived (`timing::now_ms`).
    queue: RefCell<VecDeque<(ToWorker, JsValue, f64)>>,
    draining: Cell<bool>,
    held: RefCell<Option<Held>>,
    /// Bytes of the page's logs read so far (they warm the code up as [`warm_up`] would).
    logs_read: Cell<usize>,
    /// [`warm_up::SLICES`] run so far.
    warmed: Cell<usize>,
    /// When the worker last finished handling the page's messages (`timing::now_ms`).
    quiet_since: Cell<f64>,
}

impl Host {
    pub fn new(post: Post) -> Rc<Host> {
        Rc::new(Host {
            post,
            newest: Cell::new(None),
            queue: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            held: RefCell::new(None),
            logs_read: Cell::new(0),
            warmed: Cell::new(0),
            quiet_since: Cell::new(f64::NEG_INFINITY),
        })
    }

    /// Warms the analysis code up ([`warm_up`]): one slice whenever the worker has had nothing
    /// to do for `pause_ms`, until every slice ran or the page's own logs did the same.
    pub fn warm_up(self: &Rc<Self>, pause_ms: u32) {
        let host = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            let mut slice = 0;
            while slice < warm_up::SLICES.len() && host.logs_read.get() < warm_up::ENOUGH_BYTES {
                gloo_timers::future::TimeoutFuture::new(pause_ms).await;
                if !host.quiet_for(pause_ms) {
                    continue;
                }
                let Some(log) = warm_up::slice_log(slice) else {
                    break;
                };
                // Read as a picked file is: the stream and its lent buffer warm up too.
                let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&log[..]));
                drop(log);
                let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence(&parts) else {
                    break;
                };
                let mut bytes = Vec::with_capacity(blob.size() as usize);
                let mut chunks = FileChunks::open(&blob);
                while let Ok(true) = chunks.append_next(&mut bytes).await {}
                // The page may have asked for something while the log was read: it goes first.
                if host.quiet_for(pause_ms) {
                    warm_up::analyse(bytes);
                    slice += 1;
                    host.warmed.set(slice);
                }
            }
        });
    }

    /// How many warm-up slices ran.
    pub fn warmed_slices(&self) -> usize {
        self.warmed.get()
    }

    /// Takes a message from the page; it is handled after those before it.
    pub fn receive(self: &Rc<Self>, message: ToWorker, payload: JsValue) {
        if let ToWorker::Analyze { seq, .. } = &message {
            self.newest.set(Some(*seq));
        }
        let arrived_ms = crate::timing::now_ms();
        self.queue
            .borrow_mut()
            .push_back((message, payload, arrived_ms));
        if !self.draining.replace(true) {
            let host = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move {
                loop {
                    let next = host.queue.borrow_mut().pop_front();
                    let Some((message, payload, arrived_ms)) = next else {
                        break;
                    };
                    host.handle(message, payload, arrived_ms).await;
                }
                host.draining.set(false);
                host.quiet_since.set(crate::timing::now_ms());
            });
        }
    }

    /// Whether every message received so far has been handled.
    pub fn is_idle(&self) -> bool {
        !self.draining.get()
    }

    /// Whether the worker has had nothing to do for `ms`: a page that is still sending analyses
    /// (one per keystroke in a paste box) keeps the warm-up waiting.
    fn quiet_for(&self, ms: u32) -> bool {
        self.is_idle() && crate::timing::now_ms() - self.quiet_since.get() >= f64::from(ms)
    }

    fn overtaken(&self, seq: u32) -> bool {
        self.newest.get() != Some(seq)
    }

    async fn handle(&self, message: ToWorker, payload: JsValue, arrived_ms: f64) {
        match message {
            ToWorker::Analyze { seq, input, redact } => {
                let done = self.analyze(seq, input, redact, payload, arrived_ms).await;
                match done.and_then(|s| s.as_ref().map(summary_payload).transpose()) {
                    Ok(Some(summary)) => (self.post)(&FromWorker::Analysed { seq }, summary),
                    Ok(None) => self.reply(&FromWorker::Skipped { seq }),
                    Err(message) => self.reply(&FromWorker::Failed { seq, message }),
                }
            }
            ToWorker::Query {
                seq,
                analysis,
                query,
            } => match self.answer(analysis, &query) {
                Ok((answer, payload)) => {
                    (self.post)(&FromWorker::Answer { seq, answer }, payload);
                }
                Err(message) => self.reply(&FromWorker::Failed { seq, message }),
            },
        }
    }

    fn reply(&self, message: &FromWorker) {
        (self.post)(message, JsValue::UNDEFINED);
    }

    /// Analysis `seq`, asked at `arrived_ms`: `None` when a newer one overtook it before it was
    /// done reading.
    async fn analyze(
        &self,
        seq: u32,
        input: AnalysisInput,
        redact: bool,
        payload: JsValue,
        arrived_ms: f64,
    ) -> Result<Option<AnalysisSummary>, String> {
        if self.overtaken(seq) {
            return Ok(None);
        }
        let sent: Vec<Sent> = match payload.dyn_into::<js_sys::Array>() {
            Ok(items) => items.iter().map(Sent::of).collect(),
            Err(_) => Vec::new(),
        };
        let key = LogsKey(
            input
                .logs
                .iter()
                .zip(&sent)
                .map(|(log, s)| (log.name.clone(), log.clock_offset_ms, s.identity()))
                .collect(),
        );
        // Only one analysis is ever kept: the previous one is freed (or its logs taken) first.
        let held = self.held.borrow_mut().take();
        let reuse = held.filter(|h| !redact && h.logs.as_ref() == Some(&key));
        let mut clock = crate::timing::now_ms;
        let (mut summary, details) = match reuse {
            Some(held) => reanalyze(
                input,
                held.details.into_logs_read(),
                &mut Hooks {
                    progress: None,
                    clock: Some(&mut clock),
                },
                LadderBuild::OnRequest,
            ),
            None => {
                let mut progress = ProgressPost {
                    host: self,
                    seq,
                    last_ms: f64::NEG_INFINITY,
                };
                let reads_files = sent.iter().any(|s| matches!(s, Sent::File(_)));
                let Some(logs) = self.read_logs(seq, &input, sent, &mut progress).await? else {
                    return Ok(None);
                };
                let bytes: usize = logs.iter().map(|l| l.bytes.len()).sum();
                self.logs_read
                    .set(self.logs_read.get().saturating_add(bytes));
                let ingest_from = if reads_files { FILE_READ_SHARE } else { 0.0 };
                let mut report = |ingested: f64| {
                    progress.at(ingest_from + (INGESTED_AT - ingest_from) * ingested);
                };
                analyze(
                    input,
                    logs,
                    &mut Hooks {
                        progress: Some(&mut report),
                        clock: Some(&mut clock),
                    },
                    // The diagnosis goes out first; the grades and the ladder are made when
                    // the page asks (Query::Grades, Query::Ladder), while it renders the
                    // diagnosis.
                    Options {
                        redact,
                        ..Options::WORKER
                    },
                )
            }
        };
        summary.timings.memory_bytes = crate::timing::wasm_memory_bytes();
        summary.timings.received_ms = arrived_ms;
        *self.held.borrow_mut() = Some(Held {
            seq,
            details,
            logs: (!redact).then_some(key),
        });
        Ok(Some(summary))
    }

    /// The bytes of every log; `None` when a newer analysis was asked for meanwhile. Reading
    /// the picked files fills the first [`FILE_READ_SHARE`] of `progress`.
    async fn read_logs(
        &self,
        seq: u32,
        input: &AnalysisInput,
        sent: Vec<Sent>,
        progress: &mut ProgressPost<'_>,
    ) -> Result<Option<Vec<OwnedInput>>, String> {
        let file_bytes = sent
            .iter()
            .map(|s| match s {
                Sent::File(f) => f.size(),
                Sent::Bytes(_) => 0.0,
            })
            .sum::<f64>()
            .max(1.0);
        let mut files_read = 0.0;
        let mut logs = Vec::with_capacity(input.logs.len());
        let mut sent = sent.into_iter();
        for log in &input.logs {
            let bytes = match sent.next() {
                Some(Sent::Bytes(bytes)) => bytes,
                Some(Sent::File(file)) => {
                    let mut read = |done: usize| {
                        progress.at(FILE_READ_SHARE * (files_read + done as f64) / file_bytes);
                    };
                    match self.read_file(seq, &file, &mut read).await? {
                        Some(bytes) => {
                            files_read += bytes.len() as f64;
                            bytes
                        }
                        None => return Ok(None),
                    }
                }
                None => Vec::new(),
            };
            logs.push(OwnedInput {
                name: log.name.clone(),
                bytes: bytes.into(),
            });
        }
        Ok(Some(logs))
    }

    /// Reads `file` into wasm memory as the browser streams it ([`FileChunks`]), so the
    /// worker's JavaScript never holds a whole 100 MB file next to its copy in wasm memory and a
    /// newer analysis stops the read between two chunks.
    /// `None` when a newer analysis was asked for meanwhile.
    /// `read` hears how many bytes are in.
    async fn read_file(
        &self,
        seq: u32,
        file: &web_sys::File,
        read: &mut dyn FnMut(usize),
    ) -> Result<Option<Vec<u8>>, String> {
        let failed = |e: JsValue| format!("could not read {}: {e:?}", file.name());
        let mut bytes = Vec::with_capacity(file.size() as usize);
        let mut chunks = FileChunks::open(file);
        loop {
            if self.overtaken(seq) {
                chunks.cancel();
                return Ok(None);
            }
            if !chunks.append_next(&mut bytes).await.map_err(failed)? {
                break;
            }
            read(bytes.len());
        }
        Ok(Some(bytes))
    }

    fn answer(&self, analysis: u32, query: &Query) -> Result<(Answer, JsValue), String> {
        let mut held = self.held.borrow_mut();
        let Some(details) = held
            .as_mut()
            .filter(|h| h.seq == analysis)
            .map(|h| &mut h.details)
        else {
            return Ok((Answer::NotHeld, JsValue::UNDEFINED));
        };
        let start = crate::timing::now_ms();
        // Grades and the ladder are made when first asked for (the ladder shows grades).
        let (built_ms, graded_ms) = match query {
            Query::RedactedLog { .. } => (0.0, 0.0),
            Query::Grades if details.grading_pending() => {
                details.grade();
                (0.0, (crate::timing::now_ms() - start).max(0.0))
            }
            Query::Grades => (0.0, 0.0),
            _ if details.ladder_pending() => {
                details.build_ladder();
                ((crate::timing::now_ms() - start).max(0.0), 0.0)
            }
            _ => (0.0, 0.0),
        };
        let details = &*details;
        let ladder = &details.ladder;
        let in_payload = |v: JsValue| Ok((Answer::InPayload, v));
        match query {
            Query::Grades => Ok((
                Answer::Grades {
                    files: details.read.files.clone(),
                    dialogs: details.dialogs(),
                    graded_ms,
                },
                JsValue::UNDEFINED,
            )),
            Query::Ladder => Ok((
                Answer::Ladder {
                    summary: ladder.summary(),
                    built_ms,
                    memory_bytes: crate::timing::wasm_memory_bytes(),
                },
                JsValue::UNDEFINED,
            )),
            Query::Filter { filter } => {
                in_payload(js_sys::Uint32Array::from(&ladder.filter(filter)[..]).into())
            }
            Query::Rows { rows } => Ok((
                Answer::Rows {
                    rows: ladder.rows(rows),
                },
                JsValue::UNDEFINED,
            )),
            Query::Raw { row } => Ok((
                Answer::Raw {
                    message: ladder.raw(*row),
                },
                JsValue::UNDEFINED,
            )),
            Query::Mermaid { filter } => in_payload(JsValue::from_str(&ladder.mermaid(filter))),
            Query::ReportSvg => in_payload(JsValue::from_str(&ladder.report_svg())),
            Query::RedactedLog { index } => {
                let log = details.redacted.as_ref().and_then(|r| r.get(*index));
                let blob = log
                    .map(|l| {
                        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&l.bytes[..]));
                        let opts = web_sys::BlobPropertyBag::new();
                        opts.set_type("text/plain");
                        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
                    })
                    .transpose()
                    .map_err(|e| format!("could not make the redacted log: {e:?}"))?;
                in_payload(blob.map(JsValue::from).unwrap_or(JsValue::NULL))
            }
        }
    }
}

/// The worker's entry point, called by web/worker.js once the wasm is loaded, with the
/// messages that arrived while it loaded: from then on, every message goes to one [`Host`].
#[wasm_bindgen]
pub fn run_worker(early: js_sys::Array) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post: Post = {
        let scope = scope.clone();
        Box::new(move |message, payload| {
            let sent = envelope(message, &payload)
                .and_then(|e| scope.post_message_with_transfer(&e, &transferables(&payload)));
            if let Err(e) = sent {
                leptos::logging::warn!("RCC Doctor worker: could not reply: {e:?}");
            }
        })
    };
    let host = Host::new(post);
    host.warm_up(warm_up::PAUSE_MS);
    let take = {
        let host = Rc::clone(&host);
        move |data: JsValue| match open::<ToWorker>(&data) {
            Ok((message, payload)) => host.receive(message, payload),
            Err(e) => leptos::logging::warn!("RCC Doctor worker: {e}"),
        }
    };
    early.for_each(&mut |data, _, _| take(data));
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            take(ev.data())
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: its handler is never dropped.
    on_message.forget();
}
