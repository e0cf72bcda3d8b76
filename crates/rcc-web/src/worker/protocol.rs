//! The messages between the page and the analysis worker: one set of types for both ends.
//!
//! Every message is an envelope `{ json, payload }`: `json` is the message itself ([`ToWorker`]
//! or [`FromWorker`] as serde JSON, externally tagged: `{"analysed": {"seq": 3, …}}`), and
//! `payload` carries what must not go through JSON: the logs' bytes and `File` handles going in,
//! row indexes, large texts and `Blob`s coming out. Typed arrays in a payload are transferred,
//! never copied.
//!
//! Externally tagged on purpose: an internally tagged enum (`{"type": …}`) is read through
//! serde's buffered `Content`, which compiled every type of the summary's reader a second time
//! (+20 KiB of brotli wasm, measured) and copied the whole summary once more on each reply.
//!
//! Every request carries a `seq` from the page, unique for the page's life; the replies to it
//! carry the same `seq`. The `seq` of an analysis names it in later queries (`analysis`).

use leptos::wasm_bindgen::{JsCast, JsValue};
use rcc_core::analysis::{AnalysisInput, AnalysisSummary};
use rcc_core::ingest::FileReport;
use rcc_core::ladder::{LadderFilter, LadderSummary, RawMessage, Row};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Page → worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToWorker {
    /// Analyse `input` (its logs named, in order, without their bytes). The payload is an array
    /// with each log's bytes: a `Uint8Array` (transferred), a `File` the worker reads itself, or
    /// a string (a large paste, encoded in the worker). Replies: [`FromWorker::Progress`]…, then
    /// [`FromWorker::Analysed`], [`FromWorker::Skipped`] or [`FromWorker::Failed`].
    Analyze {
        seq: u32,
        input: AnalysisInput,
        redact: bool,
    },
    /// A question about analysis `analysis`. Reply: [`FromWorker::Answer`] or
    /// [`FromWorker::Failed`].
    Query {
        seq: u32,
        analysis: u32,
        query: Query,
    },
}

/// A question about the analysis the worker holds; the [`Answer`] each gets is named per variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Query {
    /// → [`Answer::InPayload`]: a `Uint32Array` of the row indexes passing the filter.
    Filter { filter: LadderFilter },
    /// → [`Answer::Grades`]. The worker grades the messages against RFC 3261, and counts their
    /// dialogs, when first asked (the page asks as soon as the analysis is out, before the
    /// ladder), so the diagnosis never waits for either.
    Grades,
    /// → [`Answer::Ladder`]. The worker builds the ladder when first asked (the page asks as
    /// soon as the analysis is out), so the diagnosis never waits for it.
    Ladder,
    /// → [`Answer::Rows`], in the order asked.
    Rows { rows: Vec<u32> },
    /// → [`Answer::Raw`].
    Raw { row: usize },
    /// → [`Answer::InPayload`]: the rows passing the filter as Mermaid text, a JavaScript string
    /// (a large export is never decoded into the page's wasm memory).
    Mermaid { filter: LadderFilter },
    /// → [`Answer::InPayload`]: the HTML report's ladder SVG, a string.
    ReportSvg,
    /// → [`Answer::InPayload`]: a `Blob` of redacted log `index`, or `null`. Made in the worker:
    /// posting a Blob copies nothing, while making one from 100 MB of bytes would be a long task
    /// on the page.
    RedactedLog { index: usize },
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FromWorker {
    /// How far reading the logs of analysis `seq` is (0..=1); at most one every 50 ms.
    Progress { seq: u32, fraction: f64 },
    /// Analysis `seq` is done: the payload is what the page renders of it, an
    /// [`AnalysisSummary`] as JSON ([`summary_payload`]); the worker keeps the rest for queries.
    Analysed { seq: u32 },
    /// A newer analysis was asked for before this one started (or while its files were read):
    /// it is not done (typing posts one per keystroke; a 100 MB log is read once, for the last).
    Skipped { seq: u32 },
    /// The answer to query `seq`.
    Answer { seq: u32, answer: Answer },
    /// Request `seq` failed; the page then does the work itself.
    Failed { seq: u32, message: String },
    /// The worker could not start (its wasm did not load): every request fails. Posted by
    /// web/worker.js, the one message written in JavaScript.
    Broken { message: String },
}

/// What a [`Query`] gets back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// The worker holds another analysis than the one asked about (a newer one replaced it).
    NotHeld,
    Ladder {
        summary: LadderSummary,
        /// How long building it took (0 when it was built already), by the worker's clock.
        built_ms: f64,
        /// The worker's wasm memory once it is built: with the ladder in, the high-water mark of
        /// the analysis (see [`rcc_core::analysis::StageTimings::memory_bytes`]).
        memory_bytes: Option<usize>,
    },
    /// The file reports with every message graded, and how many dialogs the logs hold
    /// (counted with the grades).
    Grades {
        files: Vec<FileReport>,
        dialogs: Option<usize>,
        /// How long grading took (0 when it was done already), by the worker's clock.
        graded_ms: f64,
    },
    Rows {
        rows: Vec<Row>,
    },
    Raw {
        message: Option<RawMessage>,
    },
    /// The value is the envelope's payload (see the query).
    InPayload,
}

/// The payload of [`FromWorker::Analysed`]. The summary travels beside the message, not inside
/// it: read as a field of an enum, serde would compile its whole reader a second time.
pub fn summary_payload(summary: &AnalysisSummary) -> Result<JsValue, String> {
    serde_json::to_string(summary)
        .map(|json| JsValue::from_str(&json))
        .map_err(|e| e.to_string())
}

/// Reads the payload of [`FromWorker::Analysed`].
pub fn summary_of(payload: &JsValue) -> Result<AnalysisSummary, String> {
    let json = payload
        .as_string()
        .ok_or("an analysis without its summary")?;
    serde_json::from_str(&json).map_err(|e| format!("a malformed summary: {e}"))
}

/// Packs `message` and `payload` into one envelope.
pub fn envelope<T: Serialize>(message: &T, payload: &JsValue) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(message).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"json".into(), &JsValue::from_str(&json))?;
    js_sys::Reflect::set(&object, &"payload".into(), payload)?;
    Ok(object.into())
}

/// Unpacks an envelope: the message and its payload (`undefined` when it has none).
pub fn open<T: DeserializeOwned>(envelope: &JsValue) -> Result<(T, JsValue), String> {
    let json = js_sys::Reflect::get(envelope, &"json".into())
        .ok()
        .and_then(|j| j.as_string())
        .ok_or("a message without its JSON")?;
    let message = serde_json::from_str(&json).map_err(|e| format!("a malformed message: {e}"))?;
    let payload = js_sys::Reflect::get(envelope, &"payload".into()).unwrap_or(JsValue::UNDEFINED);
    Ok((message, payload))
}

/// The buffers of the typed arrays in `payload` (itself or the items of an array), to transfer.
pub fn transferables(payload: &JsValue) -> js_sys::Array {
    let transfer = js_sys::Array::new();
    let add = |v: &JsValue| {
        if let Some(arr) = v.dyn_ref::<js_sys::Uint8Array>() {
            transfer.push(&arr.buffer());
        } else if let Some(arr) = v.dyn_ref::<js_sys::Uint32Array>() {
            transfer.push(&arr.buffer());
        }
    };
    match payload.dyn_ref::<js_sys::Array>() {
        Some(items) => items.for_each(&mut |v, _, _| add(&v)),
        None => add(payload),
    }
    transfer
}
