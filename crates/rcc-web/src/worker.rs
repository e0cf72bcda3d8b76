//! The analysis worker, both ends of its protocol (ARCHITECTURE.md, "Worker protocol").
//!
//! The worker (web/worker.js) loads this same wasm module. It runs the analysis with
//! [`analyze_in_worker`], answers the page with the [`AnalysisSummary`] only, and keeps the
//! per-message data ([`AnalysisDetails`]: the ladder and its messages, the redacted logs) for
//! [`query_in_worker`], keyed by the request id. The page ([`WorkerClient`]) posts inputs (log
//! bytes as transferred `Uint8Array`s, large picked files as `File`s the worker reads itself) and
//! asks [`Query`]s about what it shows.

use crate::state::LogData;
use gloo_events::EventListener;
use leptos::wasm_bindgen::{self, prelude::*, JsCast};
use rcc_core::analysis::{
    analyze, reanalyze, AnalysisDetails, AnalysisInput, AnalysisSummary, Hooks, Options,
};
use rcc_core::ingest::OwnedInput;
use rcc_core::ladder::LadderFilter;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

/// A question about the analysis the worker holds. The answer's JavaScript type is given per
/// variant; `undefined` means the worker holds another analysis (the page drops the answer).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Query {
    /// → `Uint32Array` of the row indexes passing the filter (transferred, not JSON).
    Filter { filter: LadderFilter },
    /// → JSON array of [`rcc_core::ladder::Row`], in the order asked.
    Rows { rows: Vec<u32> },
    /// → JSON [`rcc_core::ladder::RawMessage`] or `null`.
    Raw { row: usize },
    /// → string: the rows passing the filter as Mermaid text.
    Mermaid { filter: LadderFilter },
    /// → string: the HTML report's ladder SVG.
    ReportSvg,
    /// → a `Blob` of redacted log `index`, or `null`. Made in the worker: posting a Blob copies
    /// nothing, while making one from 100 MB of bytes would be a long task on the page.
    RedactedLog { index: usize },
}

// --- worker side ------------------------------------------------------------------------------

thread_local! {
    /// The last analysis: its request id and its per-message data.
    static HELD: RefCell<Option<(u32, AnalysisDetails)>> = const { RefCell::new(None) };
}

fn js_err(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&e.to_string())
}

thread_local! {
    /// Picked files read into wasm memory chunk by chunk ([`stage_log`]), by log index, so the
    /// worker's JavaScript never holds a whole 100 MB file next to its copy in wasm memory.
    static STAGED: RefCell<Vec<Option<Vec<u8>>>> = const { RefCell::new(Vec::new()) };
}

/// Worker side: log `index` of the next analysis has `size` bytes, which [`stage_log_chunk`]
/// appends. Frees the analysis held so far first: a new one is on its way.
#[wasm_bindgen]
pub fn stage_log(index: u32, size: f64) {
    HELD.with(|h| h.borrow_mut().take());
    STAGED.with(|s| {
        let mut s = s.borrow_mut();
        let i = index as usize;
        if s.len() <= i {
            s.resize_with(i + 1, || None);
        }
        s[i] = Some(Vec::with_capacity(size.max(0.0) as usize));
    });
}

/// Worker side: the next bytes of log `index` (see [`stage_log`]).
#[wasm_bindgen]
pub fn stage_log_chunk(index: u32, chunk: &[u8]) {
    STAGED.with(|s| {
        if let Some(Some(buf)) = s.borrow_mut().get_mut(index as usize) {
            buf.extend_from_slice(chunk);
        }
    });
}

/// Worker side: drops staged logs (an analysis was skipped while its files were being read).
#[wasm_bindgen]
pub fn clear_staged_logs() {
    STAGED.with(|s| s.borrow_mut().clear());
}

thread_local! {
    /// Which logs the held analysis read (see [`holds_logs`]); `None` after a redacted one.
    static LOGS_KEY: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Worker side: whether the held analysis read the logs named by `logs_key` (the worker's
/// description of the files: names, clock offsets, sizes, dates or content hashes), so a new
/// analysis of them (`redact` off) reuses what was read instead of reading the files again.
#[wasm_bindgen]
pub fn holds_logs(logs_key: &str, redact: bool) -> bool {
    !redact
        && HELD.with(|h| h.borrow().is_some())
        && LOGS_KEY.with(|k| k.borrow().as_deref() == Some(logs_key))
}

/// Worker side: analyses request `id`. `input_json` is an [`AnalysisInput`] whose logs have
/// empty bytes; `files` holds their bytes in order (`Uint8Array`s, or nothing for a log staged
/// with [`stage_log`]). When [`holds_logs`] says so for `logs_key`, the logs read for the held
/// analysis are analysed again instead (and `files` is not looked at). Keeps the details for
/// [`query_in_worker`] and returns the [`AnalysisSummary`] as JSON.
#[wasm_bindgen]
pub fn analyze_in_worker(
    id: u32,
    input_json: &str,
    files: js_sys::Array,
    redact: bool,
    progress: &js_sys::Function,
    logs_key: Option<String>,
) -> Result<String, JsValue> {
    let reuse = logs_key.as_deref().is_some_and(|k| holds_logs(k, redact));
    // Only one analysis is ever needed: the previous one is freed (or its logs taken) first.
    let held = HELD.with(|h| h.borrow_mut().take());
    let input: AnalysisInput =
        serde_json::from_str(input_json).map_err(|e| js_err(format!("bad analysis input: {e}")))?;
    let mut clock = crate::timing::now_ms;
    let (summary, details) = match held.filter(|_| reuse) {
        Some((_, details)) => reanalyze(
            input,
            details.into_logs_read(),
            &mut Hooks {
                progress: None,
                clock: Some(&mut clock),
            },
        ),
        None => {
            let mut staged = STAGED.with(|s| std::mem::take(&mut *s.borrow_mut()));
            let mut logs = Vec::with_capacity(input.logs.len());
            for (i, log) in input.logs.iter().enumerate() {
                let bytes = if let Some(arr) = files.get(i as u32).dyn_ref::<js_sys::Uint8Array>() {
                    arr.to_vec()
                } else {
                    staged.get_mut(i).and_then(Option::take).unwrap_or_default()
                };
                logs.push(OwnedInput {
                    name: log.name.clone(),
                    bytes,
                });
            }
            drop(staged);
            let mut report = |f: f64| {
                let _ = progress.call1(&JsValue::NULL, &JsValue::from_f64(f));
            };
            analyze(
                input,
                logs,
                &mut Hooks {
                    progress: Some(&mut report),
                    clock: Some(&mut clock),
                },
                Options { redact },
            )
        }
    };
    let mut summary = summary;
    summary.timings.memory_bytes = crate::timing::wasm_memory_bytes();
    HELD.with(|h| *h.borrow_mut() = Some((id, details)));
    LOGS_KEY.with(|k| *k.borrow_mut() = logs_key.filter(|_| !redact));
    serde_json::to_string(&summary).map_err(js_err)
}

/// Worker side: answers `query_json` (a [`Query`]) about analysis `id`.
#[wasm_bindgen]
pub fn query_in_worker(id: u32, query_json: &str) -> Result<JsValue, JsValue> {
    let query: Query =
        serde_json::from_str(query_json).map_err(|e| js_err(format!("bad query: {e}")))?;
    HELD.with(|h| match &*h.borrow() {
        Some((held, details)) if *held == id => answer(details, &query),
        _ => Ok(JsValue::UNDEFINED),
    })
}

fn answer(d: &AnalysisDetails, query: &Query) -> Result<JsValue, JsValue> {
    fn json<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
        serde_json::to_string(v)
            .map(|s| JsValue::from_str(&s))
            .map_err(js_err)
    }
    Ok(match query {
        Query::Filter { filter } => js_sys::Uint32Array::from(&d.ladder.filter(filter)[..]).into(),
        Query::Rows { rows } => json(&d.ladder.rows(rows))?,
        Query::Raw { row } => json(&d.ladder.raw(*row))?,
        Query::Mermaid { filter } => JsValue::from_str(&d.ladder.mermaid(filter)),
        Query::ReportSvg => JsValue::from_str(&d.ladder.report_svg()),
        Query::RedactedLog { index } => d
            .redacted
            .as_ref()
            .and_then(|r| r.get(*index))
            .map(|l| {
                let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&l.bytes[..]));
                let opts = web_sys::BlobPropertyBag::new();
                opts.set_type("text/plain");
                web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
            })
            .transpose()?
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL),
    })
}

// --- page side --------------------------------------------------------------------------------

/// What the worker says about an analysis request.
pub enum Reply {
    Progress {
        id: u32,
        fraction: f64,
    },
    Done {
        id: u32,
        summary: Box<AnalysisSummary>,
    },
    Failed {
        id: u32,
        message: String,
    },
}

/// Whether this page starts an analysis worker (the hosted app does; the embedded widget, the
/// single file and tests analyse on the page).
pub fn page_has_worker() -> bool {
    field(&js_sys::global(), "rccDoctorWorker").is_string()
}

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

type Answer = Box<dyn FnOnce(Option<JsValue>)>;

struct Inner {
    worker: web_sys::Worker,
    next_seq: Cell<u32>,
    /// Callbacks of queries not answered yet, by sequence number.
    pending: RefCell<HashMap<u32, Answer>>,
    /// The worker's `message` listener (removed when dropped).
    on_message: RefCell<Option<EventListener>>,
}

/// Page side: a module worker running web/worker.js. Cheap to clone (one worker).
#[derive(Clone)]
pub struct WorkerClient(Rc<Inner>);

impl WorkerClient {
    /// Starts the worker named by `globalThis.rccDoctorWorker` (set by the page's bootstrap).
    /// `None` where there is none: analyse on the page.
    pub fn start(on_reply: impl Fn(Reply) + 'static) -> Option<WorkerClient> {
        let url = field(&js_sys::global(), "rccDoctorWorker").as_string()?;
        let opts = web_sys::WorkerOptions::new();
        opts.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(&url, &opts).ok()?;
        let inner = Rc::new(Inner {
            worker,
            next_seq: Cell::new(0),
            pending: RefCell::new(HashMap::new()),
            on_message: RefCell::new(None),
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let on_message = EventListener::new(&inner.worker, "message", move |ev| {
            let Some(ev) = ev.dyn_ref::<web_sys::MessageEvent>() else {
                return;
            };
            let data = ev.data();
            let kind = field(&data, "type").as_string().unwrap_or_default();
            if kind == "answer" {
                let seq = field(&data, "seq").as_f64().unwrap_or(-1.0) as u32;
                let callback = weak
                    .upgrade()
                    .and_then(|inner| inner.pending.borrow_mut().remove(&seq));
                if let Some(callback) = callback {
                    let error = field(&data, "error");
                    if let Some(e) = error.as_string() {
                        leptos::logging::warn!("RCC Doctor: the worker could not answer: {e}");
                        callback(None);
                    } else {
                        let value = field(&data, "value");
                        callback((!value.is_undefined()).then_some(value));
                    }
                }
                return;
            }
            if kind == "skipped" {
                // A newer request overtook this one in the worker's queue; its answer follows.
                return;
            }
            let id = field(&data, "id").as_f64().unwrap_or(0.0) as u32;
            let reply = match kind.as_str() {
                "progress" => Reply::Progress {
                    id,
                    fraction: field(&data, "fraction").as_f64().unwrap_or(0.0),
                },
                "done" => {
                    let json = field(&data, "output").as_string().unwrap_or_default();
                    match serde_json::from_str::<AnalysisSummary>(&json) {
                        Ok(summary) => Reply::Done {
                            id,
                            summary: Box::new(summary),
                        },
                        Err(e) => Reply::Failed {
                            id,
                            message: e.to_string(),
                        },
                    }
                }
                _ => Reply::Failed {
                    id,
                    message: field(&data, "message").as_string().unwrap_or_default(),
                },
            };
            on_reply(reply);
        });
        *inner.on_message.borrow_mut() = Some(on_message);
        Some(WorkerClient(inner))
    }

    /// Asks for analysis `id` of `input` (its logs' bytes are ignored: `logs` says where each
    /// log's bytes are). Bytes in page memory are copied once into a buffer that is
    /// transferred; a `File` is posted as a handle and read by the worker.
    pub fn analyze(
        &self,
        id: u32,
        input: &AnalysisInput,
        logs: &[LogData],
        redact: bool,
    ) -> Result<(), JsValue> {
        let files = js_sys::Array::new();
        let transfer = js_sys::Array::new();
        for data in logs {
            match data {
                LogData::Bytes(bytes) => {
                    let arr = js_sys::Uint8Array::from(bytes.as_slice());
                    transfer.push(&arr.buffer());
                    files.push(&arr);
                }
                LogData::File(file) => {
                    files.push(file.as_ref());
                }
                LogData::Text(text) => {
                    files.push(text.as_ref());
                }
            }
        }
        let json = serde_json::to_string(input).map_err(js_err)?;
        let msg = js_sys::Object::new();
        js_sys::Reflect::set(&msg, &"type".into(), &"analyze".into())?;
        js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from(id))?;
        js_sys::Reflect::set(&msg, &"input".into(), &JsValue::from_str(&json))?;
        js_sys::Reflect::set(&msg, &"files".into(), &files)?;
        js_sys::Reflect::set(&msg, &"redact".into(), &JsValue::from_bool(redact))?;
        self.0.worker.post_message_with_transfer(&msg, &transfer)
    }

    /// Asks `query` about analysis `id`; `answer` gets the value, or `None` when the worker
    /// holds another analysis or could not answer.
    pub fn query(&self, id: u32, query: &Query, answer: impl FnOnce(Option<JsValue>) + 'static) {
        let seq = self.0.next_seq.get().wrapping_add(1);
        self.0.next_seq.set(seq);
        let posted = (|| -> Result<(), JsValue> {
            let json = serde_json::to_string(query).map_err(js_err)?;
            let msg = js_sys::Object::new();
            js_sys::Reflect::set(&msg, &"type".into(), &"query".into())?;
            js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from(id))?;
            js_sys::Reflect::set(&msg, &"seq".into(), &JsValue::from(seq))?;
            js_sys::Reflect::set(&msg, &"query".into(), &JsValue::from_str(&json))?;
            self.0.worker.post_message(&msg)
        })();
        match posted {
            Ok(()) => {
                self.0.pending.borrow_mut().insert(seq, Box::new(answer));
            }
            Err(e) => {
                leptos::logging::warn!("RCC Doctor: could not ask the worker: {e:?}");
                answer(None);
            }
        }
    }
}
