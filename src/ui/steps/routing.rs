//! Step 3: topology and routing rules: the gateway profile, the servers and the static routes.

use crate::ui::state::AppState;
use leptos::prelude::*;

#[component]
pub fn RoutingStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <h2 tabindex="-1">"Topology and routing rules"</h2>
        <p class="lead">
            "The control session travels from Communicator through the Home Server to the gateway. Each server needs a routing rule for the next hop, and the way back."
        </p>
        <label class="field" for="rules">"Routing rules (Home Server static routes, host authorization, Application Proxy rules)"</label>
        <textarea
            id="rules"
            rows="10"
            spellcheck="false"
            prop:value=move || state.rules_text.get()
            on:input=move |ev| state.rules_text.set(event_target_value(&ev))
        ></textarea>
    }
}
