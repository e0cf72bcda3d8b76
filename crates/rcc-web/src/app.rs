//! The root component: state, routing and the shell around the current step.

use super::router::{go, use_hash_step};
use super::shell::{CaseBanner, Footer, Header, Notice, Pager, StepRail};
use super::state::AppState;
use super::steps::StepView;
use leptos::prelude::*;
use rcc_core::wizard::Step;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::restore();
    state.persist();
    provide_context(state);
    super::analysis::provide_analysis(state);
    let step = use_hash_step();
    provide_context(step);
    super::embed::apply(state, step);
    // Text left in the paste box is evidence: it becomes a log when the user moves on.
    Effect::new(move |_| {
        if step.get() != Step::Logs {
            state.take_log_draft();
        }
    });

    // Move focus to the new step's heading so keyboard and screen-reader users land on it. In
    // the next frame's animation callback, not in the task that renders the step: focusing
    // lays the page out, and there that layout is the frame's own (done once, before the
    // frame paints the heading focused and in view), not a second one forced inside the
    // render task. What the step builds after the paint comes later (see `paint`). Focus the
    // user has already put inside the new step (a field clicked within that frame) stays.
    let main_ref = NodeRef::<leptos::html::Main>::new();
    let first_render = StoredValue::new(true);
    Effect::new(move |_| {
        let _ = step.get();
        if first_render.get_value() {
            first_render.set_value(false);
            return;
        }
        request_animation_frame(move || {
            let Some(main) = main_ref.try_get_untracked().flatten() else {
                return;
            };
            let settled_inside = main
                .query_selector("[data-step-view]")
                .ok()
                .flatten()
                .zip(document().active_element())
                .is_some_and(|(view, active)| view.contains(Some(&active)));
            if settled_inside {
                return;
            }
            if let Ok(Some(h)) = main.query_selector("h2") {
                use leptos::wasm_bindgen::JsCast;
                if let Ok(h) = h.dyn_into::<web_sys::HtmlElement>() {
                    let _ = h.focus();
                }
            }
        });
    });

    view! {
        <button
            type="button"
            class="skip-link"
            on:click=move |_| {
                if let Some(main) = main_ref.get() {
                    let _ = main.focus();
                }
            }
        >
            "Skip to the current step"
        </button>
        <Header />
        <div class="layout">
            <StepRail />
            <main id="main" tabindex="-1" node_ref=main_ref>
                <StepAnnouncement />
                <CaseBanner />
                <Notice />
                <super::analysis::AnalysisProgress />
                <StepView />
                <Pager on_go=go />
            </main>
        </div>
        <Footer />
    }
}

/// Says which step is shown, for screen readers: a polite status that holds only this line, so
/// a step change is announced by its name and nothing else on the step is read out as it
/// changes. Its first text is the page's own (not announced); each step change replaces it.
#[component]
fn StepAnnouncement() -> impl IntoView {
    let step = expect_context::<RwSignal<Step>>();
    let text = move || {
        let s = step.get();
        format!(
            "Step {} of {}: {}",
            s.index() + 1,
            Step::ALL.len(),
            s.label()
        )
    };
    view! { <p class="visually-hidden" role="status" data-testid="step-announcement">{text}</p> }
}
