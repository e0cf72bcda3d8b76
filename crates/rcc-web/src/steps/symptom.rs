//! Step 1: what the user sees. A drawing of the bottom of the Communicator window with the error
//! icon; clicking the icon opens the message it shows. Picking a symptom sets the focus of the
//! next steps.

use crate::router::go;
use crate::state::AppState;
use leptos::prelude::*;
use rcc_core::wizard::{Step, Symptom};

#[component]
pub fn SymptomStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    let balloon_open = RwSignal::new(false);
    view! {
        <h2 tabindex="-1">"What do you see in Communicator?"</h2>
        <p class="lead">
            "Look at the bottom of the Communicator window. If there is an error icon there, click it below, just as you would in Communicator."
        </p>
        <CommunicatorDrawing balloon_open=balloon_open />
        <fieldset class="symptoms">
            <legend>"Pick what matches best"</legend>
            {Symptom::ALL
                .into_iter()
                .map(|s| {
                    view! {
                        <label class="choice" data-symptom=s.id()>
                            <input
                                type="radio"
                                name="symptom"
                                value=s.id()
                                prop:checked=move || state.symptom.get() == Some(s)
                                on:change=move |_| state.symptom.set(Some(s))
                            />
                            <span>{s.label()}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
        {move || {
            state.symptom.get().map(|s| {
                let first = s.first_step();
                view! {
                    <div class="focus-card" data-focus=s.id()>
                        <h3>"What this usually means"</h3>
                        <p>{s.focus()}</p>
                        <button type="button" class="primary" on:click=move |_| go(first)>
                            "Start with " {first.label()} " →"
                        </button>
                    </div>
                }
            })
        }}
    }
}

/// Our own drawing of Communicator's window bottom: a contact list, the status bar and the
/// phone-integration error icon, which is a real button.
#[component]
fn CommunicatorDrawing(balloon_open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="moc-window" role="group" aria-label="Drawing of the bottom of the Communicator window">
            <svg class="moc-contacts" viewBox="0 0 320 120" aria-hidden="true" focusable="false">
                <rect x="0" y="0" width="320" height="120" class="moc-bg" />
                <g class="moc-row">
                    <circle cx="22" cy="22" r="7" class="presence-available" />
                    <rect x="38" y="16" width="120" height="8" rx="4" />
                    <rect x="38" y="27" width="80" height="5" rx="2.5" class="faint" />
                </g>
                <g class="moc-row">
                    <circle cx="22" cy="58" r="7" class="presence-busy" />
                    <rect x="38" y="52" width="150" height="8" rx="4" />
                    <rect x="38" y="63" width="95" height="5" rx="2.5" class="faint" />
                </g>
                <g class="moc-row">
                    <circle cx="22" cy="94" r="7" class="presence-away" />
                    <rect x="38" y="88" width="105" height="8" rx="4" />
                    <rect x="38" y="99" width="70" height="5" rx="2.5" class="faint" />
                </g>
            </svg>
            <div class="moc-statusbar">
                <span class="moc-status-text">"Available"</span>
                <span class="spacer"></span>
                <button
                    type="button"
                    class="moc-error-icon"
                    data-action="error-icon"
                    aria-expanded=move || balloon_open.get().to_string()
                    aria-controls="moc-balloon"
                    aria-label="Error icon in the Communicator status bar"
                    on:click=move |_| {
                        balloon_open.update(|o| *o = !*o);
                        if state.symptom.get_untracked().is_none() {
                            state.symptom.set(Some(Symptom::ErrorIcon));
                        }
                    }
                >
                    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
                        <path d="M9 6h6l2 6-3 2a14 14 0 0 0 6 6l2-3 6 2v6a2 2 0 0 1-2 2A22 22 0 0 1 7 8a2 2 0 0 1 2-2z" class="phone" />
                        <circle cx="24" cy="9" r="7" class="badge" />
                        <path d="M24 5v5M24 12.5v.5" class="badge-mark" />
                    </svg>
                </button>
            </div>
            <Show when=move || balloon_open.get()>
                <div id="moc-balloon" class="moc-balloon" role="alert" data-testid="error-balloon">
                    <strong>"Phone integration is not available"</strong>
                    <p>
                        "Communicator cannot control your desk phone right now. Calls will still ring on the phone, but you cannot dial, answer or see calls from Communicator."
                    </p>
                    <p class="balloon-hint">
                        "RCC Doctor finds out why. Pick the symptom below, or open the example case to see a diagnosis right away."
                    </p>
                    <div class="balloon-actions">
                        <button type="button" class="primary" on:click=move |_| go(Step::Directory)>
                            "Find the cause →"
                        </button>
                        <button
                            type="button"
                            class="secondary"
                            data-action="example-diagnosis"
                            on:click=move |_| {
                                state.load_example(&rcc_core::example::nortel_seed());
                                go(Step::Diagnosis);
                            }
                        >
                            "See an example diagnosis"
                        </button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
