//! One component per wizard step; [`StepView`] shows the current one.

mod diagnosis;
mod directory;
mod logs;
mod routing;
mod symptom;

use leptos::prelude::*;
use rcc_core::wizard::Step;

#[component]
pub fn StepView() -> impl IntoView {
    let step = expect_context::<RwSignal<Step>>();
    move || {
        let view = match step.get() {
            Step::Symptom => symptom::SymptomStep().into_any(),
            Step::Directory => directory::DirectoryStep().into_any(),
            Step::Routing => routing::RoutingStep().into_any(),
            Step::Logs => logs::LogsStep().into_any(),
            Step::Diagnosis => diagnosis::DiagnosisStep().into_any(),
        };
        let id = step.get().id();
        view! { <section class="step" data-step-view=id>{view}</section> }
    }
}
