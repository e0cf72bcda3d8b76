//! The page's side: [`WorkerClient`] posts requests and gives each its reply as a future.

use super::protocol::{
    envelope, open, summary_of, transferables, Answer, FromWorker, Query, ToWorker,
};
use crate::state::LogData;
use futures::channel::oneshot;
use gloo_events::EventListener;
use leptos::wasm_bindgen::{JsCast, JsValue};
use rcc_core::analysis::{AnalysisInput, AnalysisSummary};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

/// Whether this page starts an analysis worker (the hosted app does; the embedded widget, the
/// single file and tests analyse on the page).
pub fn page_has_worker() -> bool {
    worker_url().is_some()
}

/// Set by the page's bootstrap (web/boot.js).
fn worker_url() -> Option<String> {
    js_sys::Reflect::get(&js_sys::global(), &"rccDoctorWorker".into())
        .ok()?
        .as_string()
}

/// Why a request got no result.
#[derive(Debug, Clone, PartialEq)]
pub enum NoResult {
    /// A newer analysis was asked for first; its result is the one to show.
    Overtaken,
    /// The worker holds a newer analysis than the one asked about.
    NotHeld,
    /// The worker failed (or could not start); the page should do the work itself.
    Failed(String),
}

/// A request's reply: the message and its payload.
type Replied = Result<(FromWorker, JsValue), NoResult>;

struct Pending {
    done: oneshot::Sender<Replied>,
    progress: Option<Box<dyn Fn(f64)>>,
}

struct Inner {
    worker: web_sys::Worker,
    next_seq: Cell<u32>,
    pending: RefCell<HashMap<u32, Pending>>,
    /// Why the worker is unusable, once it is (every later request fails at once).
    broken: RefCell<Option<String>>,
    _listeners: RefCell<Vec<EventListener>>,
}

impl Inner {
    fn settle(&self, seq: u32, reply: Replied) {
        if let Some(p) = self.pending.borrow_mut().remove(&seq) {
            let _ = p.done.send(reply);
        }
    }

    fn break_down(&self, message: String) {
        leptos::logging::warn!("RCC Doctor: the analysis worker is unusable: {message}");
        *self.broken.borrow_mut() = Some(message.clone());
        for (_, p) in self.pending.borrow_mut().drain() {
            let _ = p.done.send(Err(NoResult::Failed(message.clone())));
        }
    }

    fn on_message(&self, data: &JsValue) {
        let (message, payload) = match open::<FromWorker>(data) {
            Ok(opened) => opened,
            Err(e) => return leptos::logging::warn!("RCC Doctor: from the worker, {e}"),
        };
        match message {
            FromWorker::Progress { seq, fraction } => {
                if let Some(Pending {
                    progress: Some(report),
                    ..
                }) = self.pending.borrow().get(&seq)
                {
                    report(fraction);
                }
            }
            FromWorker::Skipped { seq } => self.settle(seq, Err(NoResult::Overtaken)),
            FromWorker::Failed { seq, message } => self.settle(seq, Err(NoResult::Failed(message))),
            FromWorker::Broken { message } => self.break_down(message),
            FromWorker::Analysed { seq, .. } | FromWorker::Answer { seq, .. } => {
                self.settle(seq, Ok((message, payload)))
            }
        }
    }
}

/// Page side: a module worker running web/worker.js. Cheap to clone (one worker).
#[derive(Clone)]
pub struct WorkerClient(Rc<Inner>);

impl WorkerClient {
    /// Starts the worker named by the page's bootstrap; `None` where there is none (analyse on
    /// the page).
    pub fn start() -> Option<WorkerClient> {
        let opts = web_sys::WorkerOptions::new();
        opts.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(&worker_url()?, &opts).ok()?;
        let inner = Rc::new(Inner {
            worker,
            next_seq: Cell::new(0),
            pending: RefCell::new(HashMap::new()),
            broken: RefCell::new(None),
            _listeners: RefCell::new(Vec::new()),
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let on_message = EventListener::new(&inner.worker, "message", {
            let weak = weak.clone();
            move |ev| {
                if let (Some(inner), Some(ev)) =
                    (weak.upgrade(), ev.dyn_ref::<web_sys::MessageEvent>())
                {
                    inner.on_message(&ev.data());
                }
            }
        });
        // The worker's script failed to load or threw: nothing will answer.
        let on_error = EventListener::new(&inner.worker, "error", move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.break_down("the worker's script failed".into());
            }
        });
        *inner._listeners.borrow_mut() = vec![on_message, on_error];
        Some(WorkerClient(inner))
    }

    /// Posts `message` with `payload`; the reply arrives through the returned receiver.
    fn request(
        &self,
        message: impl FnOnce(u32) -> ToWorker,
        payload: &JsValue,
        progress: Option<Box<dyn Fn(f64)>>,
    ) -> oneshot::Receiver<Replied> {
        let (done, reply) = oneshot::channel();
        let seq = self.0.next_seq.get().wrapping_add(1);
        self.0.next_seq.set(seq);
        if let Some(message) = self.0.broken.borrow().clone() {
            let _ = done.send(Err(NoResult::Failed(message)));
            return reply;
        }
        let posted = envelope(&message(seq), payload).and_then(|e| {
            self.0
                .worker
                .post_message_with_transfer(&e, &transferables(payload))
        });
        match posted {
            Ok(()) => {
                self.0
                    .pending
                    .borrow_mut()
                    .insert(seq, Pending { done, progress });
            }
            Err(e) => {
                let _ = done.send(Err(NoResult::Failed(format!("could not post: {e:?}"))));
            }
        }
        reply
    }

    async fn replied(reply: oneshot::Receiver<Replied>) -> Replied {
        reply
            .await
            .unwrap_or_else(|_| Err(NoResult::Failed("the worker went away".into())))
    }

    /// Analyses `input` in the worker (its logs' bytes are where `logs` says: bytes in page
    /// memory are copied once into a buffer that is transferred; a `File` is posted as a handle
    /// and read by the worker). `progress` hears how far reading is. The result is the summary
    /// and the `seq` that names the analysis in later [`WorkerClient::query`]s.
    pub async fn analyze(
        &self,
        input: AnalysisInput,
        logs: &[LogData],
        redact: bool,
        progress: impl Fn(f64) + 'static,
    ) -> Result<(u32, Box<AnalysisSummary>), NoResult> {
        let files = js_sys::Array::new();
        for data in logs {
            match data {
                LogData::Bytes(bytes) => files.push(&js_sys::Uint8Array::from(bytes.as_slice())),
                LogData::File(file) => files.push(file.as_ref()),
                LogData::Text(text) => files.push(text.as_ref()),
            };
        }
        let reply = self.request(
            |seq| ToWorker::Analyze { seq, input, redact },
            &files,
            Some(Box::new(progress)),
        );
        match Self::replied(reply).await? {
            (FromWorker::Analysed { seq }, summary) => summary_of(&summary)
                .map(|summary| (seq, Box::new(summary)))
                .map_err(NoResult::Failed),
            (other, _) => Err(NoResult::Failed(format!("an unexpected reply: {other:?}"))),
        }
    }

    /// Asks `query` about analysis `analysis`: the answer and its payload.
    pub async fn query(&self, analysis: u32, query: Query) -> Result<(Answer, JsValue), NoResult> {
        let reply = self.request(
            |seq| ToWorker::Query {
                seq,
                analysis,
                query,
            },
            &JsValue::UNDEFINED,
            None,
        );
        match Self::replied(reply).await? {
            (
                FromWorker::Answer {
                    answer: Answer::NotHeld,
                    ..
                },
                _,
            ) => Err(NoResult::NotHeld),
            (FromWorker::Answer { answer, .. }, payload) => Ok((answer, payload)),
            (other, _) => Err(NoResult::Failed(format!("an unexpected reply: {other:?}"))),
        }
    }
}
