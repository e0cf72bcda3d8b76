//! A small hash router. Leptos' router has no hash mode, and hash links are what work from
//! `file://`, inside iframes and on static hosts, so the current step lives in `location.hash`
//! and browser back/forward move between steps through `hashchange`.

use leptos::prelude::*;
use rcc_core::wizard::Step;

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// A signal holding the step named by the URL hash, kept in sync both ways.
pub fn use_hash_step() -> RwSignal<Step> {
    let step = RwSignal::new(Step::from_hash(&current_hash()).unwrap_or(Step::Symptom));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(s) = Step::from_hash(&current_hash()) {
            if step.get_untracked() != s {
                step.set(s);
            }
        }
    });
    on_cleanup(move || handle.remove());
    step
}

/// Navigates to a step by setting the hash, which adds a history entry.
pub fn go(step: Step) {
    let _ = window().location().set_hash(&step.hash());
}
