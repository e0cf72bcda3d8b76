//! How long reading the logs took, measured where the work happens: the worker (or the page,
//! where there is no worker) reads `performance.now()` at the core's stage boundaries
//! ([`analyze_timed`]); the logs step shows the result, with data attributes the browser
//! benchmark (`scripts/bench-browser.mjs`) reads. Also the newline-scan hook of that benchmark.

use crate::core::analysis::{analyze_timed, Analysis, AnalysisInput, StageTimings};
use crate::core::ingest::count_newlines;
use leptos::prelude::*;
use leptos::wasm_bindgen::{self, prelude::*, JsCast};

/// The last analysis' stage timings, and whether they were measured in the worker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    pub stages: StageTimings,
    pub in_worker: bool,
}

/// The timings of the analysis on screen (context, set by `ui::analysis`).
#[derive(Clone, Copy)]
pub struct LastTiming(pub RwSignal<Option<Timing>>);

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

/// Analyses on this thread, timed by this thread's clock.
pub fn analyze_here(
    input: AnalysisInput,
    progress: &mut dyn FnMut(f64),
) -> (Analysis, StageTimings) {
    analyze_timed(input, progress, &mut now_ms)
}

/// Writes the stage timings and any `extra` (name, ms) into the worker's `timings` object.
pub fn fill(target: &js_sys::Object, stages: &StageTimings, extra: &[(&str, f64)]) {
    let set = |k: &str, v: f64| {
        let _ = js_sys::Reflect::set(target, &JsValue::from_str(k), &JsValue::from_f64(v));
    };
    set("bytes", stages.bytes as f64);
    set("read_ms", stages.read_ms);
    set("diagnose_ms", stages.diagnose_ms);
    for (k, v) in extra {
        set(k, *v);
    }
}

/// The stage timings in a worker's done message (`None` when it sent none).
pub fn from_js(timings: &JsValue) -> Option<StageTimings> {
    let num = |k| {
        field(timings, k)
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    Some(StageTimings {
        bytes: num("bytes")? as usize,
        read_ms: num("read_ms")?,
        diagnose_ms: num("diagnose_ms")?,
    })
}

/// "Read 10.0 MB in 85 ms (118 MB/s) in the background", under the files read.
#[component]
pub fn ReadTimingNote() -> impl IntoView {
    let LastTiming(last) = expect_context::<LastTiming>();
    move || {
        let t = last.get()?;
        let summary = t.stages.read_summary()?;
        let place = if t.in_worker {
            " in the background."
        } else {
            " on this page."
        };
        Some(view! {
            <p
                class="hint"
                data-testid="read-timing"
                data-bytes=t.stages.bytes.to_string()
                data-read-ms=format!("{:.3}", t.stages.read_ms)
                data-diagnose-ms=format!("{:.3}", t.stages.diagnose_ms)
                data-where=if t.in_worker { "worker" } else { "page" }
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
