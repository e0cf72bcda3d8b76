//! Hosting the app somewhere else than its own `index.html`: inside a knowledge-base page
//! (`embed.js` mounts it into a shadow root) or as the single self-contained `rcc-doctor.html`.
//!
//! The host's JavaScript sets `globalThis.rccDoctorHostMounts = true` before it initialises the
//! wasm, so `main` does not mount on `<body>`, then calls [`mount_embedded`] with an options
//! object. The options reach the components as an [`EmbedOptions`] context; without that
//! context (the normal app) every helper here returns the normal behaviour.

use super::state::AppState;
use super::App;
use leptos::prelude::*;
use rcc_core::wizard::Step;
use wasm_bindgen::prelude::*;

/// How the host wants the app: read once from the options object given to [`mount_embedded`].
#[derive(Clone, Debug, Default)]
pub struct EmbedOptions {
    /// True inside a host page (shadow root): the theme goes on `root`, not on `<html>`.
    pub embedded: bool,
    /// The step to show when the page hash names no step (`data-start`).
    pub start: Option<Step>,
    /// The gateway profile to preselect (`data-profile`).
    pub profile: Option<String>,
    /// `light`, `dark` or `system` (`data-theme`).
    pub theme: Option<String>,
    /// Where the app icon is (a URL next to `embed.js`, or a `data:` URL in the single file).
    pub icon: Option<String>,
    /// The element the app is mounted in; carries `data-theme` when embedded.
    pub root: Option<StoredValue<web_sys::HtmlElement, LocalStorage>>,
}

fn string_option(options: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(options, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl EmbedOptions {
    fn from_js(host: &web_sys::HtmlElement, options: &JsValue) -> EmbedOptions {
        let page = js_sys::Reflect::get(options, &JsValue::from_str("page"))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        EmbedOptions {
            embedded: !page,
            start: string_option(options, "start").and_then(|s| Step::from_id(&s)),
            profile: string_option(options, "profile"),
            theme: string_option(options, "theme"),
            icon: string_option(options, "icon"),
            root: Some(StoredValue::new_local(host.clone())),
        }
    }
}

/// True when a host script mounts the app itself (embed or single file), so `main` must not.
pub fn host_mounts() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("rccDoctorHostMounts"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Mounts the app into `host` (an element inside the host's shadow root, or `<body>` for the
/// single file). `options`: `{ start, profile, theme, icon, page }`, all optional.
#[wasm_bindgen]
pub fn mount_embedded(host: web_sys::HtmlElement, options: JsValue) {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to(host.clone(), move || {
        provide_context(EmbedOptions::from_js(&host, &options));
        view! { <App /> }
    })
    .forget();
}

fn options() -> Option<EmbedOptions> {
    use_context::<EmbedOptions>()
}

/// Applies the host's start step and profile; called once by `App`. The page hash wins over
/// `data-start`, so a KB link to `#/logs` opens the logs step.
pub fn apply(state: AppState, step: RwSignal<Step>) {
    let Some(options) = options() else { return };
    if let Some(profile) = options.profile {
        state.profile.set(profile);
    }
    let hash = window().location().hash().unwrap_or_default();
    if let (Some(start), None) = (options.start, Step::from_hash(&hash)) {
        step.set(start);
    }
}

/// The URL of the app icon.
pub fn icon_src() -> String {
    options()
        .and_then(|o| o.icon)
        .unwrap_or_else(|| "public/icon.svg".to_string())
}

/// The element that carries `data-theme`: the mount element when embedded, else `<html>`.
pub fn theme_root() -> Option<web_sys::Element> {
    match options() {
        Some(EmbedOptions {
            embedded: true,
            root: Some(root),
            ..
        }) => root.try_get_value().map(Into::into),
        _ => document().document_element(),
    }
}

/// The theme the host asked for, if any (it wins over the remembered one).
pub fn theme() -> Option<String> {
    options().and_then(|o| o.theme)
}
