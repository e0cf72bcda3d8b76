//! Glossary terms: a word with a dotted underline that shows its plain-language definition on
//! hover or keyboard focus, and to screen readers through aria-describedby.

use leptos::prelude::*;
use rcc_core::wizard::define;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// The widest a tip gets (`.term-tip`'s `max-width`, 22rem, plus a margin), in CSS pixels.
const TIP_MAX_WIDTH_PX: f64 = 22.0 * 16.0 + 16.0;

/// `<Term t="static route"/>`, or `<Term t="RCC" text="remote call control"/>`.
#[component]
pub fn Term(t: &'static str, #[prop(optional)] text: Option<&'static str>) -> impl IntoView {
    let id = format!("term-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let shown = text.unwrap_or(t);
    // A tip opens to the right of its word, unless that would run past the window: then it
    // opens to the left (a tip must never widen the page).
    let flip = RwSignal::new(false);
    let place = move |target: Option<web_sys::EventTarget>| {
        use leptos::wasm_bindgen::JsCast;
        let Some(term) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return;
        };
        let width = window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .unwrap_or(f64::MAX);
        // A word wrapped over two lines opens its tip where its first line's part starts.
        let left = term
            .get_client_rects()
            .get(0)
            .map_or_else(|| term.get_bounding_client_rect().left(), |r| r.left());
        flip.set(left + TIP_MAX_WIDTH_PX > width);
    };
    match define(t) {
        Some(def) => view! {
            <span
                class="term"
                class:flip=move || flip.get()
                tabindex="0"
                aria-describedby=id.clone()
                data-term=t
                on:focus=move |ev| place(ev.target())
                on:mouseenter=move |ev| place(ev.target())
            >
                {shown}
                <span class="term-tip" role="tooltip" id=id.clone()>{def}</span>
            </span>
        }
        .into_any(),
        None => view! { <span>{shown}</span> }.into_any(),
    }
}
