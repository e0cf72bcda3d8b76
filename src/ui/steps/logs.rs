//! Step 4: logs. Paste, drop or pick client and server SIP traces.

use crate::ui::state::{AppState, LogInput};
use leptos::prelude::*;

#[component]
pub fn LogsStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    let pasted = RwSignal::new(String::new());
    view! {
        <h2 tabindex="-1">"Logs"</h2>
        <p class="lead">
            "Paste a Communicator client trace, a server Logging Tool capture or raw SIP. Everything is read in this page."
        </p>
        <label class="field" for="log-paste">"Paste a log"</label>
        <textarea
            id="log-paste"
            rows="8"
            spellcheck="false"
            prop:value=move || pasted.get()
            on:input=move |ev| pasted.set(event_target_value(&ev))
        ></textarea>
        <button
            type="button"
            class="secondary"
            on:click=move |_| {
                let text = pasted.get_untracked();
                if !text.trim().is_empty() {
                    state.logs.update(|l| {
                        let name = format!("pasted-{}.log", l.len() + 1);
                        l.push(LogInput { name, text })
                    });
                    pasted.set(String::new());
                }
            }
        >
            "Add this log"
        </button>
        <ul class="files">
            {move || {
                state.logs.get().into_iter().map(|l| view! { <li>{l.name} " (" {l.text.len()} " bytes)"</li> }).collect_view()
            }}
        </ul>
    }
}
