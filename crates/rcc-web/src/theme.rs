//! Light/dark theme: follows the system by default; the toggle overrides it and is remembered.

use super::storage;
use leptos::prelude::*;

const KEY: &str = "rcc-doctor/theme";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn id(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn from_id(id: &str) -> Theme {
        match id {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

fn apply(root: Option<&web_sys::Element>, theme: Theme) {
    if let Some(root) = root {
        let _ = root.set_attribute("data-theme", theme.id());
    }
}

/// A button that cycles system → light → dark.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    // Embedded, the theme goes on the app's own root and the host's data-theme wins at start.
    let root = super::embed::theme_root();
    let initial = super::embed::theme().or_else(|| storage::get(KEY));
    let theme = RwSignal::new(Theme::from_id(&initial.unwrap_or_default()));
    Effect::new(move |_| {
        let t = theme.get();
        apply(root.as_ref(), t);
        storage::set(KEY, t.id());
    });
    view! {
        <button
            type="button"
            class="ghost theme-toggle"
            title="Switch between system, light and dark theme"
            on:click=move |_| theme.update(|t| *t = t.next())
        >
            <span aria-hidden="true">{move || match theme.get() { Theme::Dark => "☾", Theme::Light => "☀", Theme::System => "◐" }}</span>
            <span class="theme-label">{move || theme.get().label()}</span>
        </button>
    }
}
