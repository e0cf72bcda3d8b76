//! The frame around every step: header, step rail, back/next pager, notices and footer.

use super::state::AppState;
use super::theme::ThemeToggle;
use crate::core::version::VERSION;
use crate::core::wizard::Step;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="#/symptom" aria-label="RCC Doctor, back to the first step">
                <img src=super::embed::icon_src() alt="" width="36" height="36" />
                <span class="brand-text">
                    <span class="brand-name">"RCC Doctor"</span>
                    <span class="brand-tag">"Why can't Communicator control my phone?"</span>
                </span>
            </a>
            <p class="privacy" title="RCC Doctor reads everything inside this page; nothing is uploaded">
                <span aria-hidden="true">"🔒"</span>
                " Runs in your browser: your logs never leave this computer"
            </p>
            <ThemeToggle />
        </header>
    }
}

#[component]
pub fn StepRail() -> impl IntoView {
    let step = expect_context::<RwSignal<Step>>();
    view! {
        <nav class="rail" aria-label="Wizard steps">
            <ol>
                {Step::ALL
                    .into_iter()
                    .map(|s| {
                        let current = move || step.get() == s;
                        let done = move || step.get().index() > s.index();
                        view! {
                            <li class:current=current class:done=done>
                                <a
                                    href=s.hash()
                                    data-step=s.id()
                                    aria-current=move || current().then_some("step")
                                >
                                    <span class="rail-num" aria-hidden="true">{s.index() + 1}</span>
                                    <span class="rail-text">
                                        <span class="rail-label">{s.label()}</span>
                                        <span class="rail-hint">{s.hint()}</span>
                                    </span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}

#[component]
pub fn Pager(on_go: fn(Step)) -> impl IntoView {
    let step = expect_context::<RwSignal<Step>>();
    view! {
        <nav class="pager" aria-label="Back and next">
            {move || {
                step.get()
                    .previous()
                    .map(|p| {
                        view! {
                            <button type="button" class="secondary" data-action="back" on:click=move |_| on_go(p)>
                                "← Back: " {p.label()}
                            </button>
                        }
                    })
            }}
            <span class="spacer"></span>
            {move || {
                step.get()
                    .next()
                    .map(|n| {
                        view! {
                            <button type="button" class="primary" data-action="next" on:click=move |_| on_go(n)>
                                "Next: " {n.label()} " →"
                            </button>
                        }
                    })
            }}
        </nav>
    }
}

#[component]
pub fn Notice() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.notice.get().map(|text| {
            view! {
                <div class="notice" role="status">
                    <span>{text}</span>
                    <button type="button" class="ghost" on:click=move |_| state.notice.set(None)>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <footer class="footer">
            <span>"RCC Doctor v" {VERSION}</span>
            <span aria-hidden="true">"·"</span>
            <span>"Works offline; nothing you enter is sent anywhere."</span>
            <span class="spacer"></span>
            <button
                type="button"
                class="ghost"
                data-action="start-over"
                on:click=move |_| {
                    state.start_over();
                    super::router::go(Step::Symptom);
                }
            >
                "Start over"
            </button>
        </footer>
    }
}
