//! Glossary terms: a word with a dotted underline that shows its plain-language definition on
//! hover or keyboard focus, and to screen readers through aria-describedby.

use leptos::prelude::*;
use rcc_core::wizard::define;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// `<Term t="static route"/>`, or `<Term t="RCC" text="remote call control"/>`.
#[component]
pub fn Term(t: &'static str, #[prop(optional)] text: Option<&'static str>) -> impl IntoView {
    let id = format!("term-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let shown = text.unwrap_or(t);
    match define(t) {
        Some(def) => view! {
            <span class="term" tabindex="0" aria-describedby=id.clone() data-term=t>
                {shown}
                <span class="term-tip" role="tooltip" id=id.clone()>{def}</span>
            </span>
        }
        .into_any(),
        None => view! { <span>{shown}</span> }.into_any(),
    }
}
