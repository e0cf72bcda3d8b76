//! How long reading the logs took, measured where the work happens: the core reads the caller's
//! clock at its stage boundaries (`core::analysis::analyze_for_wizard`), the worker (or the
//! page, where there is no worker) passes `performance.now()`, and the summary carries the
//! result. The logs step shows it (`steps::logs`), with data attributes the browser benchmark
//! (`scripts/bench-browser.mjs`) reads. Also the newline-scan hook of that benchmark.

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
