//! The analysis of the current inputs, recomputed when they change and shared by every step.
//!
//! The page holds an [`AnalysisSummary`] (what the steps render) and an [`AnalysisSource`] (how
//! to ask about the messages). Where the page has an analysis worker, every change after the
//! first is analysed there, with "Redact" applied there too; the page posts the inputs and gets
//! the summary back, and the messages stay in the worker. Without a worker (embedded widget,
//! single file), or for the first analysis of the saved state, it runs on the page.

use crate::source::AnalysisSource;
use crate::state::{AppState, LogData};
use crate::worker::{Reply, WorkerClient};
use leptos::prelude::*;
use rcc_core::analysis::{
    analyze, AnalysisInput, AnalysisSummary, Hooks, LogFileInput, Options, RedactionSummary,
};
use rcc_core::ingest::OwnedInput;
use std::sync::Arc;

/// A computed analysis. Equality is identity, so the signal notifies on every recomputation
/// without comparing anything.
#[derive(Clone)]
pub struct Current {
    pub summary: Arc<AnalysisSummary>,
    pub source: AnalysisSource,
}

impl PartialEq for Current {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.summary, &other.summary)
    }
}

impl std::ops::Deref for Current {
    type Target = AnalysisSummary;
    fn deref(&self) -> &AnalysisSummary {
        &self.summary
    }
}

impl Current {
    /// While "Redact" is on: what was replaced, and a preview of each redacted log.
    pub fn redacted(&self) -> Option<&RedactionSummary> {
        self.summary.redaction.as_ref()
    }
}

/// One analysis request: the inputs without log bytes, where each log's bytes are, and whether
/// to redact first (so everything shown, copied and exported carries pseudonyms).
struct Request {
    input: AnalysisInput,
    logs: Vec<LogData>,
    redact: bool,
}

/// The inputs the analysis reads, gathered from the wizard state. Copies no log bytes.
fn request_of(state: AppState) -> Request {
    let (logs, data) = state.logs.with(|logs| {
        logs.iter()
            .map(|l| {
                (
                    LogFileInput {
                        name: l.name.clone(),
                        clock_offset_ms: l.clock_offset_ms,
                    },
                    l.data.clone(),
                )
            })
            .unzip()
    });
    Request {
        input: AnalysisInput {
            profile_id: state.profile.get(),
            sign_in: state.sign_in.get(),
            generation: state.generation.get(),
            ad_text: state.ad_text.get(),
            ad_fields: state.ad_fields.get(),
            rules_text: state.rules_text.get(),
            logs,
        },
        logs: data,
        redact: state.redact.get(),
    }
}

/// Analyses `input` with its logs' bytes on the page.
fn analyse_input(input: AnalysisInput, logs: Vec<OwnedInput>, redact: bool) -> Current {
    let mut clock = crate::timing::now_ms;
    let (mut summary, details) = analyze(
        input,
        logs,
        &mut Hooks {
            progress: None,
            clock: Some(&mut clock),
        },
        Options { redact },
    );
    summary.timings.memory_bytes = crate::timing::wasm_memory_bytes();
    Current {
        summary: Arc::new(summary),
        source: AnalysisSource::local(details),
    }
}

/// Analyses on the page, when every log's bytes are in page memory (`None` otherwise).
fn analyse_here(request: &Request) -> Option<Current> {
    let mut logs = Vec::with_capacity(request.logs.len());
    for (log, data) in request.input.logs.iter().zip(&request.logs) {
        match data {
            LogData::Bytes(bytes) => logs.push(OwnedInput {
                name: log.name.clone(),
                bytes: bytes.to_vec(),
            }),
            LogData::File(_) | LogData::Text(_) => return None,
        }
    }
    Some(analyse_input(request.input.clone(), logs, request.redact))
}

/// Analyses on the page, reading picked files first if there are any (only where the worker
/// failed: without a worker, picked files are read when they are added).
fn analyse_here_async(request: Request, done: impl FnOnce(Current) + 'static) {
    if let Some(current) = analyse_here(&request) {
        done(current);
        return;
    }
    leptos::task::spawn_local(async move {
        let mut request = request;
        for data in request.logs.iter_mut() {
            match data {
                LogData::File(file) => {
                    let file = gloo_file::Blob::from((**file).clone());
                    let bytes = gloo_file::futures::read_as_bytes(&file)
                        .await
                        .unwrap_or_default();
                    *data = LogData::Bytes(Arc::new(bytes));
                }
                LogData::Text(text) => {
                    *data = LogData::Bytes(Arc::new(String::from(&**text).into_bytes()));
                }
                LogData::Bytes(_) => {}
            }
        }
        if let Some(current) = analyse_here(&request) {
            done(current);
        }
    });
}

/// Reading progress (0..1) while the worker analyses; `None` when idle.
#[derive(Clone, Copy)]
pub struct Busy(pub RwSignal<Option<f64>>);

/// Creates the shared analysis; call once in the root component. The first result is computed
/// on the page (it is what was saved, small); every later change goes to the analysis worker
/// when the page has one, with progress, and results older than the newest request are dropped.
pub fn provide_analysis(state: AppState) -> Signal<Current> {
    // Saved logs are always in page memory; the empty analysis is only a fallback.
    let first = untrack(|| request_of(state));
    let first = analyse_here(&first)
        .unwrap_or_else(|| analyse_input(AnalysisInput::default(), Vec::new(), false));
    let current = RwSignal::new(first);
    let busy = RwSignal::new(None::<f64>);
    let latest = StoredValue::new(0u32);
    let client = StoredValue::new_local(None::<WorkerClient>);
    let on_reply = move |reply: Reply| match reply {
        Reply::Progress { id, fraction } if id == latest.get_value() => busy.set(Some(fraction)),
        Reply::Done { id, summary } if id == latest.get_value() => {
            busy.set(None);
            let Some(client) = client.get_value() else {
                return;
            };
            let source = AnalysisSource::remote(id, client, summary.ladder.clone());
            current.set(Current {
                summary: Arc::new(*summary),
                source,
            });
        }
        Reply::Failed { id, message } if id == latest.get_value() => {
            busy.set(None);
            leptos::logging::warn!(
                "RCC Doctor: the analysis worker failed ({message}); analysing on the page"
            );
            let request = untrack(|| request_of(state));
            analyse_here_async(request, move |c| {
                if latest.try_get_value() == Some(id) {
                    current.set(c);
                }
            });
        }
        _ => {}
    };
    client.set_value(WorkerClient::start(on_reply));
    let first_run = StoredValue::new(true);
    Effect::new(move |_| {
        let request = request_of(state);
        if first_run.get_value() {
            first_run.set_value(false);
            return;
        }
        let id = latest.get_value().wrapping_add(1);
        latest.set_value(id);
        let posted = client.with_value(|c| {
            c.as_ref().map(|c| {
                c.analyze(id, &request.input, &request.logs, request.redact)
                    .is_ok()
            })
        });
        if posted == Some(true) {
            busy.set(Some(0.0));
        } else {
            analyse_here_async(request, move |c| {
                if latest.try_get_value() == Some(id) {
                    current.set(c);
                }
            });
        }
    });
    provide_context(Busy(busy));
    let signal: Signal<Current> = current.into();
    provide_context(signal);
    signal
}

pub fn use_analysis() -> Signal<Current> {
    expect_context::<Signal<Current>>()
}

/// A progress bar while the worker reads and diagnoses.
#[component]
pub fn AnalysisProgress() -> impl IntoView {
    let Busy(busy) = expect_context::<Busy>();
    move || {
        busy.get().map(|f| {
            let pct = (f.clamp(0.0, 1.0) * 100.0).round();
            view! {
                <div class="progress" role="status" data-testid="analysis-progress">
                    <progress max="100" value=pct aria-label="Reading logs and diagnosing"></progress>
                    <span>"Reading logs and diagnosing… " {pct} "%"</span>
                </div>
            }
        })
    }
}
