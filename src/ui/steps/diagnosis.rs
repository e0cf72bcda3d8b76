//! Step 5: the diagnosis: findings with evidence and fixes.

use leptos::prelude::*;

#[component]
pub fn DiagnosisStep() -> impl IntoView {
    view! {
        <h2 tabindex="-1">"Diagnosis"</h2>
    }
}
