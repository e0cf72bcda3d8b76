//! The analysis of the current inputs, recomputed when they change and shared by every step.

use crate::core::analysis::{analyze, Analysis, AnalysisInput, LogFileInput};
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::sync::Arc;

/// A computed analysis. Equality is identity, so the memo notifies on every recomputation
/// without comparing megabytes of messages.
#[derive(Clone)]
pub struct Current(pub Arc<Analysis>);

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
    let memo = Memo::new(move |_| Current(Arc::new(analyze(&input_of(state)))));
    provide_context(memo);
    memo
}

pub fn use_analysis() -> Memo<Current> {
    expect_context::<Memo<Current>>()
}
