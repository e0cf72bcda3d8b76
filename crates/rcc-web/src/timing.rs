//! How long reading the logs took, measured where the work happens: the core reads the caller's
//! clock at its stage boundaries (`core::analysis::analyze_for_wizard`), the worker (or the
//! page, where there is no worker) passes `performance.now()`, and the summary carries the
//! result. The logs step shows it, with data attributes the browser benchmark
//! (`scripts/bench-browser.mjs`) reads. Also the newline-scan hook of that benchmark.

use crate::analysis::use_analysis;
use leptos::prelude::*;
use leptos::wasm_bindgen::{self, prelude::*, JsCast};
use rcc_core::ingest::count_newlines;

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Milliseconds on this thread's monotonic clock: `performance.now()` in the page and in the
/// worker (each has its own origin; only differences are meaningful).
pub fn now_ms() -> f64 {
    let perf = field(&js_sys::global(), "performance");
    field(&perf, "now")
        .dyn_into::<js_sys::Function>()
        .ok()
        .and_then(|now| now.call0(&perf).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// The size of this thread's wasm memory: its high-water mark, since wasm memory never shrinks.
pub fn wasm_memory_bytes() -> Option<usize> {
    let memory = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()?;
    let buffer = memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok()?;
    Some(buffer.byte_length() as usize)
}

/// "Read 10.0 MB in 85 ms (118 MB/s) in the background", under the files read.
#[component]
pub fn ReadTimingNote() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        let (t, in_worker) = analysis.with(|a| (a.summary.timings, a.source.in_worker()));
        let summary = t.read_summary()?;
        let place = if in_worker {
            " in the background."
        } else {
            " on this page."
        };
        Some(view! {
            <p
                class="hint"
                data-testid="read-timing"
                data-bytes=t.bytes.to_string()
                data-read-ms=format!("{:.3}", t.read_ms)
                data-diagnose-ms=format!("{:.3}", t.diagnose_ms)
                data-where=if in_worker { "worker" } else { "page" }
                data-memory-bytes=t.memory_bytes.map(|b| b.to_string())
            >
                {summary}
                {place}
            </p>
        })
    }
}

/// Benchmark hook: the newline scan (the physical bound of any line-based reader) over bytes
/// copied into wasm memory once, so `count()` times the scan alone, not the copy.
#[wasm_bindgen]
pub struct NewlineScan {
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl NewlineScan {
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> NewlineScan {
        NewlineScan {
            bytes: bytes.to_vec(),
        }
    }

    /// Number of `\n` in the bytes.
    pub fn count(&self) -> f64 {
        count_newlines(&self.bytes) as f64
    }

    /// Number of bytes held.
    pub fn len(&self) -> f64 {
        self.bytes.len() as f64
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}
