//! The analysis of the current inputs, recomputed when they change and shared by every step.

use crate::core::analysis::{analyze, redact_input, Analysis, AnalysisInput, LogFileInput};
use crate::core::redact::RedactionReport;
use crate::ui::state::AppState;
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

/// Creates the shared analysis memo; call once in the root component.
pub fn provide_analysis(state: AppState) -> Memo<Current> {
    // With "Redact" on, the whole analysis runs on redacted inputs, so everything shown, copied
    // and exported already carries pseudonyms (and the diagnosis is the same: tested in core).
    let memo = Memo::new(move |_| {
        let input = input_of(state);
        if state.redact.get() {
            let (redacted, report) = redact_input(&input);
            let analysis = analyze(&redacted);
            Current(
                Arc::new(analysis),
                Some(Arc::new(Redacted {
                    report,
                    input: redacted,
                })),
            )
        } else {
            Current(Arc::new(analyze(&input)), None)
        }
    });
    provide_context(memo);
    memo
}

pub fn use_analysis() -> Memo<Current> {
    expect_context::<Memo<Current>>()
}
