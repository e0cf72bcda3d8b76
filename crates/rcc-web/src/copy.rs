//! A copy-to-clipboard button that confirms what it did (and says so when the browser refuses).

use leptos::prelude::*;

#[component]
pub fn CopyButton(
    text: String,
    #[prop(into)] label: String,
    /// `data-copy` (what is copied, for tests), when there are several on a page.
    #[prop(optional)]
    what: Option<&'static str>,
) -> impl IntoView {
    let done = RwSignal::new(None::<bool>);
    let aria = label.clone();
    view! {
        <button
            type="button"
            class="copy"
            data-action="copy"
            data-copy=what
            aria-label=aria
            on:click=move |_| {
                let text = text.clone();
                let clipboard = window().navigator().clipboard();
                leptos::task::spawn_local(async move {
                    let ok = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
                        .await
                        .is_ok();
                    done.set(Some(ok));
                });
            }
        >
            {move || match done.get() {
                None => label.clone(),
                Some(true) => "Copied ✓".to_string(),
                Some(false) => "Copy blocked: select the text".to_string(),
            }}
        </button>
    }
}
