//! The analysis of the current inputs, recomputed when they change and shared by every step.
//!
//! The page holds an [`AnalysisSummary`] (what the steps render) and an [`AnalysisSource`] (how
//! to ask about the messages). Where the page has an analysis worker, every change after the
//! first is analysed there, with "Redact" applied there too; the page posts the inputs and gets
//! the summary back, and the messages stay in the worker. Without a worker (embedded widget,
//! single file), for the first analysis of the saved state, or where the worker fails, it runs
//! on the page.

use crate::source::AnalysisSource;
use crate::state::{AppState, LogData};
use crate::worker::WorkerClient;
use leptos::prelude::*;
use rcc_core::analysis::{
    analyze, AnalysisInput, AnalysisSummary, Hooks, LogFileInput, Options, RedactionSummary,
};
use rcc_core::ingest::{FileReport, OwnedInput};
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
    /// The file reports, graded: the summary's, or those the worker graded after it sent the
    /// summary, once they are here. Reactive (reads the source's grades): only the views that
    /// show grades (the file cards, the reports) are redrawn when they come.
    pub fn files(&self) -> Arc<[FileReport]> {
        match self.source.graded_files() {
            Some(files) if self.summary.files.iter().any(|f| !f.graded) => files,
            _ => self.summary.files.clone().into(),
        }
    }

    /// How many dialogs the logs hold: the summary's count, or the one the worker made with the
    /// grades, once it is here (reactive, as [`Current::files`]); `None` while it is counted.
    pub fn dialogs(&self) -> Option<usize> {
        self.summary.dialogs.or_else(|| self.source.dialogs())
    }

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
        Options {
            redact,
            ..Options::default()
        },
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
                bytes: bytes.to_vec().into(),
            }),
            LogData::File(_) | LogData::Text(_) => return None,
        }
    }
    Some(analyse_input(request.input.clone(), logs, request.redact))
}

/// Analyses on the page, reading picked files first if there are any (only where the worker
/// failed: without a worker, picked files are read when they are added).
async fn analyse_here_async(mut request: Request) -> Current {
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
    analyse_here(&request).expect("every log's bytes are in page memory now")
}

/// Analyses `request` in the worker; on the page where the worker fails.
async fn analyse_in_worker(
    client: WorkerClient,
    request: Request,
    progress: ArcRwSignal<Option<f64>>,
) -> Current {
    let report = progress.clone();
    let result = client
        .analyze(
            request.input.clone(),
            &request.logs,
            request.redact,
            move |f| report.set(Some(f)),
        )
        .await;
    progress.set(None);
    match result {
        Ok((seq, summary)) => Current {
            source: AnalysisSource::remote(seq, client),
            summary: Arc::new(*summary),
        },
        Err(why) => {
            leptos::logging::warn!(
                "RCC Doctor: the analysis worker did not analyse ({why:?}); analysing on the page"
            );
            analyse_here_async(request).await
        }
    }
}

/// Reading progress (0..1) of the analysis being computed in the worker; `None` when idle.
/// Each analysis has its own signal, so a finished older one never hides a newer one's bar.
#[derive(Clone, Copy)]
pub struct Busy(RwSignal<ArcRwSignal<Option<f64>>>);

/// Creates the shared analysis; call once in the root component. It is an async derived value
/// of the wizard's inputs (a Leptos resource without the tick a `LocalResource` waits): the
/// first one, of what was saved, is computed on the page and ready before the first render;
/// every later change goes to the analysis worker when the page has one, with progress. While
/// one analysis is computed, changes gather; the next run reads the inputs as they are then.
pub fn provide_analysis(state: AppState) -> Signal<Current> {
    let client = WorkerClient::start();
    let busy = Busy(RwSignal::new(ArcRwSignal::new(None)));
    let first_run = std::cell::Cell::new(true);
    let derived = AsyncDerived::new_unsync(move || {
        let request = request_of(state);
        // The saved state's logs are always in page memory: analysed now, not in a worker
        // that has not loaded yet.
        let client = client.clone().filter(|_| !first_run.replace(false));
        let progress = ArcRwSignal::new(client.as_ref().map(|_| 0.0));
        busy.0.set(progress.clone());
        async move {
            match client {
                Some(client) => analyse_in_worker(client, request, progress).await,
                None => match analyse_here(&request) {
                    Some(current) => current,
                    None => analyse_here_async(request).await,
                },
            }
        }
    });
    provide_context(busy);
    // The first analysis is ready before the first render (its future never waits); should it
    // ever not be, the steps show an empty case until it is.
    let empty = StoredValue::new(None::<Current>);
    let signal = Signal::derive(move || {
        derived.get().unwrap_or_else(|| {
            if empty.with_value(Option::is_none) {
                let none = analyse_input(AnalysisInput::default(), Vec::new(), false);
                empty.set_value(Some(none));
            }
            empty.get_value().expect("just set")
        })
    });
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
        busy.get().get().map(|f| {
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
