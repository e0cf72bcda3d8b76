//! Step 2: provisioning and directory. The user pastes the msRTCSIP-* attributes as they have
//! them (LDIF, dsquery, PowerShell, ADSI Edit).

use crate::ui::state::AppState;
use leptos::prelude::*;

#[component]
pub fn DirectoryStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <h2 tabindex="-1">"Provisioning and directory"</h2>
        <p class="lead">
            "After sign-in Communicator asks for its provisioning data. Two values from Active Directory decide where it sends phone control commands: the "
            <strong>"line URI"</strong> " (which phone) and the " <strong>"remote call control SIP URI"</strong>
            " (which gateway). Paste the user's attributes as you have them."
        </p>
        <label class="field" for="sign-in">"The user's sign-in address"</label>
        <input
            id="sign-in"
            type="text"
            placeholder="alice@contoso.com"
            prop:value=move || state.sign_in.get()
            on:input=move |ev| state.sign_in.set(event_target_value(&ev))
        />
        <label class="field" for="ad-paste">"AD attributes (LDIF, dsquery, PowerShell or name: value lines)"</label>
        <textarea
            id="ad-paste"
            rows="10"
            spellcheck="false"
            placeholder="msRTCSIP-Line: tel:+14255550123;ext=5123\nmsRTCSIP-LineServer: sip:rcc@mcm.contoso.com"
            prop:value=move || state.ad_text.get()
            on:input=move |ev| state.ad_text.set(event_target_value(&ev))
        ></textarea>
    }
}
