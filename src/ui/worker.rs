//! The analysis worker, both ends. The worker (web/worker.js) loads this same wasm module and
//! calls [`analyze_in_worker`]; the page posts inputs with [`AnalysisWorker::post`] and gets the
//! analysis back as JSON. Log bytes travel as transferred `Uint8Array`s, not inside the JSON.
//! The done message also carries `timings` (ms by the worker's clock, see `ui::timing`).

use crate::core::analysis::{Analysis, AnalysisInput, StageTimings};
use crate::ui::timing;
use leptos::wasm_bindgen::{self, prelude::*, JsCast};

/// Worker side: `input_json` is an [`AnalysisInput`] whose logs have empty bytes; `files` holds
/// their bytes in order. Returns the [`Analysis`] as JSON, and fills `timings` (when given) with
/// `bytes`, `copy_ms`, `read_ms`, `diagnose_ms`, `serialize_ms` and `total_ms`.
#[wasm_bindgen]
pub fn analyze_in_worker(
    input_json: &str,
    files: js_sys::Array,
    progress: &js_sys::Function,
    timings: Option<js_sys::Object>,
) -> Result<String, JsValue> {
    let start = timing::now_ms();
    let mut input: AnalysisInput = serde_json::from_str(input_json)
        .map_err(|e| JsValue::from_str(&format!("bad analysis input: {e}")))?;
    for (i, log) in input.logs.iter_mut().enumerate() {
        let bytes = files.get(i as u32);
        if let Some(arr) = bytes.dyn_ref::<js_sys::Uint8Array>() {
            log.bytes = arr.to_vec();
        }
    }
    let copied = timing::now_ms();
    let (analysis, stages) = timing::analyze_here(input, &mut |f| {
        let _ = progress.call1(&JsValue::NULL, &JsValue::from_f64(f));
    });
    let analysed = timing::now_ms();
    let json = serde_json::to_string(&analysis).map_err(|e| JsValue::from_str(&e.to_string()))?;
    if let Some(target) = &timings {
        let end = timing::now_ms();
        let extra = [
            ("copy_ms", copied - start),
            ("serialize_ms", end - analysed),
            ("total_ms", end - start),
        ];
        timing::fill(target, &stages, &extra);
    }
    Ok(json)
}

/// What the worker sends back.
pub enum Reply {
    Progress {
        id: u32,
        fraction: f64,
    },
    Done {
        id: u32,
        analysis: Box<Analysis>,
        /// Measured in the worker; `None` from a worker that sends none.
        timings: Option<StageTimings>,
    },
    Failed {
        id: u32,
        message: String,
    },
}

/// Page side: a module worker running web/worker.js, when the page has one.
pub struct AnalysisWorker {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

impl AnalysisWorker {
    /// Starts the worker named by `globalThis.rccDoctorWorker` (set by the page's bootstrap).
    /// `None` where there is none (embedded widget, single file, tests): analyse on the page.
    pub fn start(on_reply: impl Fn(Reply) + 'static) -> Option<AnalysisWorker> {
        let url = field(&js_sys::global(), "rccDoctorWorker").as_string()?;
        let opts = web_sys::WorkerOptions::new();
        opts.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(&url, &opts).ok()?;
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let data = ev.data();
                let id = field(&data, "id").as_f64().unwrap_or(0.0) as u32;
                let reply = match field(&data, "type").as_string().as_deref() {
                    Some("progress") => Reply::Progress {
                        id,
                        fraction: field(&data, "fraction").as_f64().unwrap_or(0.0),
                    },
                    Some("done") => {
                        let json = field(&data, "output").as_string().unwrap_or_default();
                        match serde_json::from_str::<Analysis>(&json) {
                            Ok(a) => Reply::Done {
                                id,
                                analysis: Box::new(a),
                                timings: timing::from_js(&field(&data, "timings")),
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
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(AnalysisWorker {
            worker,
            _on_message: on_message,
        })
    }

    /// Sends one input; the log bytes are copied once into buffers that are transferred.
    pub fn post(&self, id: u32, input: &AnalysisInput) -> Result<(), JsValue> {
        let mut meta = input.clone();
        let files = js_sys::Array::new();
        let transfer = js_sys::Array::new();
        for log in &mut meta.logs {
            let arr = js_sys::Uint8Array::from(log.bytes.as_slice());
            transfer.push(&arr.buffer());
            files.push(&arr);
            log.bytes = Vec::new();
        }
        let json = serde_json::to_string(&meta).map_err(|e| JsValue::from_str(&e.to_string()))?;
        let msg = js_sys::Object::new();
        js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from(id))?;
        js_sys::Reflect::set(&msg, &"input".into(), &JsValue::from_str(&json))?;
        js_sys::Reflect::set(&msg, &"files".into(), &files)?;
        self.worker.post_message_with_transfer(&msg, &transfer)
    }
}
