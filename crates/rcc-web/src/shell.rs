//! The frame around every step: header, step rail, back/next pager, notices and footer.

use super::state::{AppState, CaseKind};
use super::theme::ThemeToggle;
use leptos::prelude::*;
use rcc_core::version::VERSION;
use rcc_core::wizard::Step;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="#/symptom" title="Back to the first step">
                <img src=super::embed::icon_src() alt="" width="36" height="36" />
                <span class="brand-text">
                    <h1 class="brand-name">"RCC Doctor"</h1>
                    <span class="brand-tag">"Why can't Communicator control my phone?"</span>
                </span>
            </a>
            <p class="privacy" title="RCC Doctor reads everything inside this page; nothing is uploaded">
                <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false" class="lock">
                    <path d="M4 7V5a4 4 0 0 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7zm2 0h4V5a2 2 0 0 0-4 0z" fill="currentColor"/>
                </svg>
                <span class="privacy-long">" Runs in your browser: your logs never leave this computer"</span>
                <span class="privacy-short">" Nothing uploaded"</span>
            </p>
            <ThemeToggle />
        </header>
    }
}

#[component]
pub fn StepRail() -> impl IntoView {
    let step = expect_context::<RwSignal<Step>>();
    let state = expect_context::<AppState>();
    view! {
        <nav class="rail" aria-label="Wizard steps">
            <ol>
                {Step::ALL
                    .into_iter()
                    .map(|s| {
                        let current = move || step.get() == s;
                        // A check mark only where the step holds something the user entered.
                        let done = move || state.holds_input(s);
                        view! {
                            <li class:current=current class:done=done data-holds-input=move || done().to_string()>
                                <a
                                    href=s.hash()
                                    data-step=s.id()
                                    aria-current=move || current().then_some("step")
                                >
                                    <span class="rail-num" aria-hidden="true">
                                        {move || if done() { "✓".to_string() } else { (s.index() + 1).to_string() }}
                                    </span>
                                    <span class="rail-text">
                                        <span class="rail-label">
                                            <span class="visually-hidden">{format!("Step {}: ", s.index() + 1)}</span>
                                            {s.label()}
                                            <span class="visually-hidden">{move || if done() { ", holds your input" } else { "" }}</span>
                                        </span>
                                        <span class="rail-hint">{s.hint()}</span>
                                    </span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <ExampleBox />
        </nav>
    }
}

/// Loads the built-in example case (the seed's Nortel incident) from any step.
#[component]
pub fn ExampleBox() -> impl IntoView {
    let state = expect_context::<AppState>();
    let step = expect_context::<RwSignal<Step>>();
    view! {
        <div class="rail-extra" data-case=move || state.case_kind().id()>
            {move || if state.example.get() {
                view! {
                    <p class="rail-extra-text"><strong>"Example case loaded."</strong> " A Nortel MCM deployment where the phone cannot be controlled. Walk the steps, or jump to the answer."</p>
                    {move || (step.get() != Step::Diagnosis).then(|| view! {
                        <button type="button" class="primary" data-action="see-diagnosis" on:click=move |_| super::router::go(Step::Diagnosis)>
                            "See the diagnosis →"
                        </button>
                    })}
                }.into_any()
            } else {
                view! {
                    <p class="rail-extra-text">"New here? Try a real-looking incident: Communicator with a Nortel phone system, two routing rules missing."</p>
                    <button
                        type="button"
                        class="secondary"
                        data-action="load-example"
                        on:click=move |_| state.load_example(&rcc_core::example::nortel_seed())
                    >
                        "Load the example case"
                    </button>
                }.into_any()
            }}
        </div>
    }
}

/// One line on top of every step: which case is shown, the example or the user's own, and what
/// the user's case holds so far.
#[component]
pub fn CaseBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let kind = state.case_kind();
        let (badge, text) = match kind {
            CaseKind::Example => (
                "Example case",
                "The built-in Nortel incident: two routing rules missing. Anything you add or type starts your own case.".to_string(),
            ),
            CaseKind::Empty => (
                "Your case",
                "Nothing entered yet: paste the user's attributes, the routing rules or a log.".to_string(),
            ),
            CaseKind::Own => {
                let mut parts = Vec::new();
                let sign_in = state.sign_in.get();
                if !sign_in.trim().is_empty() {
                    parts.push(sign_in.trim().to_string());
                }
                let logs = state.logs.with(Vec::len);
                parts.push(match logs {
                    0 => "no logs".to_string(),
                    1 => "1 log".to_string(),
                    n => format!("{n} logs"),
                });
                parts.push(if state.holds_input(Step::Directory) { "AD attributes" } else { "no AD attributes" }.to_string());
                parts.push(if state.holds_input(Step::Routing) { "routing rules" } else { "no routing rules" }.to_string());
                ("Your case", parts.join(" · "))
            }
        };
        view! {
            <div class="case-banner" data-testid="case-banner" data-case=kind.id()>
                <span class=format!("badge case-{}", kind.id())>{badge}</span>
                <span class="case-text">{text}</span>
                {(kind == CaseKind::Example).then(|| view! {
                    <button type="button" class="ghost" data-action="own-case" on:click=move |_| state.begin_own_input()>
                        "Start your own case"
                    </button>
                })}
            </div>
        }
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
    view! {
        {move || {
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
        }}
        {move || {
            state.undo.get().map(|u| {
                view! {
                    <div class="notice undo" role="status" data-testid="undo-notice">
                        <span>{u.message}</span>
                        <span class="spacer"></span>
                        <button type="button" class="secondary" data-action="undo" on:click=move |_| state.undo()>
                            "Undo"
                        </button>
                        <button type="button" class="ghost" on:click=move |_| state.undo.set(None)>
                            "Dismiss"
                        </button>
                    </div>
                }
            })
        }}
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
