//! The analysis of the current inputs, recomputed when they change and shared by every step.

use crate::core::analysis::{redact_input, Analysis, AnalysisInput, LogFileInput};
use crate::core::redact::RedactionReport;
use crate::ui::state::AppState;
use crate::ui::timing::{analyze_here, LastTiming, Timing};
use leptos::prelude::*;
use std::sync::Arc;

/// A computed analysis. Equality is identity, so the memo notifies on every recomputation
/// without comparing megabytes of messages.
#[derive(Clone)]
pub struct Current(pub Arc<Analysis>, pub Option<Arc<Redacted>>);

/// While "Redact" is on: what was replaced, and the redacted inputs (for download and preview).
pub struct Redacted {
    pub report: RedactionReport,
    pub input: AnalysisInput,
}

impl PartialEq for Current {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Current {
    type Target = Analysis;
    fn deref(&self) -> &Analysis {
        &self.0
    }
}

impl Current {
    pub fn redacted(&self) -> Option<&Redacted> {
        self.1.as_deref()
    }
}

/// The inputs the analysis reads, gathered from the wizard state.
pub fn input_of(state: AppState) -> AnalysisInput {
    AnalysisInput {
        profile_id: state.profile.get(),
        sign_in: state.sign_in.get(),
        ad_text: state.ad_text.get(),
        ad_fields: state.ad_fields.get(),
        rules_text: state.rules_text.get(),
        logs: state.logs.with(|logs| {
            logs.iter()
                .map(|l| LogFileInput {
                    name: l.name.clone(),
                    bytes: l.bytes.clone(),
                    clock_offset_ms: l.clock_offset_ms,
                })
                .collect()
        }),
    }
}

/// Reading progress (0..1) while the worker analyses; `None` when idle.
#[derive(Clone, Copy)]
pub struct Busy(pub RwSignal<Option<f64>>);

/// The inputs to analyse: redacted first when "Redact" is on, so everything shown, copied and
/// exported already carries pseudonyms (the diagnosis is the same: tested in core).
fn prepared(state: AppState) -> (AnalysisInput, Option<Arc<Redacted>>) {
    let input = input_of(state);
    if state.redact.get() {
        let (redacted, report) = redact_input(&input);
        (
            redacted.clone(),
            Some(Arc::new(Redacted {
                report,
                input: redacted,
            })),
        )
    } else {
        (input, None)
    }
}

/// Analyses on the page (no worker, or it failed), timed by the page's clock.
fn analyze_on_page(input: &AnalysisInput, timing: RwSignal<Option<Timing>>) -> Arc<Analysis> {
    let (analysis, stages) = analyze_here(input.clone(), &mut |_| {});
    timing.set(Some(Timing {
        stages,
        in_worker: false,
    }));
    Arc::new(analysis)
}

/// Creates the shared analysis; call once in the root component. The first result is computed
/// on the page (it is what was saved, small); every later change goes to the analysis worker
/// when the page has one, with progress, and results older than the newest request are dropped.
/// Each result comes with its stage timings ([`LastTiming`]).
pub fn provide_analysis(state: AppState) -> Signal<Current> {
    let (first_input, first_redaction) = untrack(|| prepared(state));
    let timing = RwSignal::new(None::<Timing>);
    let current = RwSignal::new(Current(
        analyze_on_page(&first_input, timing),
        first_redaction,
    ));
    let busy = RwSignal::new(None::<f64>);
    let latest = StoredValue::new(0u32);
    let pending_redaction = StoredValue::new(None::<Arc<Redacted>>);
    let worker = super::worker::AnalysisWorker::start(move |reply| {
        use super::worker::Reply;
        match reply {
            Reply::Progress { id, fraction } if id == latest.get_value() => {
                busy.set(Some(fraction))
            }
            Reply::Done {
                id,
                analysis,
                timings,
            } if id == latest.get_value() => {
                busy.set(None);
                timing.set(timings.map(|stages| Timing {
                    stages,
                    in_worker: true,
                }));
                current.set(Current(Arc::new(*analysis), pending_redaction.get_value()));
            }
            Reply::Failed { id, message } if id == latest.get_value() => {
                busy.set(None);
                leptos::logging::warn!(
                    "RCC Doctor: the analysis worker failed ({message}); analysing on the page"
                );
                let (input, redaction) = untrack(|| prepared(state));
                current.set(Current(analyze_on_page(&input, timing), redaction));
            }
            _ => {}
        }
    });
    let worker = StoredValue::new_local(worker);
    let first_run = StoredValue::new(true);
    Effect::new(move |_| {
        let (input, redaction) = prepared(state);
        if first_run.get_value() {
            first_run.set_value(false);
            return;
        }
        let id = latest.get_value().wrapping_add(1);
        latest.set_value(id);
        let posted = worker.with_value(|w| w.as_ref().map(|w| w.post(id, &input).is_ok()));
        if posted == Some(true) {
            pending_redaction.set_value(redaction);
            busy.set(Some(0.0));
        } else {
            current.set(Current(analyze_on_page(&input, timing), redaction));
        }
    });
    provide_context(Busy(busy));
    provide_context(LastTiming(timing));
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
