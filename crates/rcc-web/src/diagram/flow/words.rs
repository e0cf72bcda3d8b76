//! The diagram in words: the live status line (what the drawing shows now), the legend of the
//! leg styles, and the legs as a list (the drawing's text alternative, always in the page for
//! screen readers, shown on demand).

use super::Replay;
use leptos::prelude::*;
use rcc_core::diagnosis::OtherMessage;
use rcc_core::diagram::{
    legend_sample, state_label, state_str, style_label, Arrow, Callout, FlowLayout,
};
use std::sync::Arc;

/// The live status line: what the drawing shows now, never empty.
#[component]
pub(super) fn FlowStatus(
    layout: Arc<FlowLayout>,
    replay: Replay,
    /// The leg where the flow broke, if one did.
    failing: Option<usize>,
) -> impl IntoView {
    let status = move || {
        if replay.legs == 0 {
            return "No legs to show: add logs, attributes or rules.".to_string();
        }
        let describe = |k| describe(&layout, k);
        match (replay.frame.get(), replay.focus.get(), failing) {
            (Some(k), ..) => format!("Replay, {}", describe(k)),
            (None, Some(k), _) => format!("The flow breaks at {}", describe(k)),
            (None, None, Some(k)) => format!(
                "What your evidence shows: the flow breaks at {}",
                describe(k)
            ),
            (None, None, None) => {
                "What your evidence shows: no leg failed. Replay walks through every leg."
                    .to_string()
            }
        }
    };
    view! { <p class="flow-status" aria-live="polite" data-testid="flow-status">{status}</p> }
}

/// What each style of leg in this drawing means, with a sample of it.
#[component]
pub(super) fn FlowLegend(layout: Arc<FlowLayout>) -> impl IntoView {
    let items = layout
        .styles()
        .into_iter()
        .map(|key| {
            view! {
                <li data-style=key>
                    <svg class="flow-swatch" viewBox="0 -6 30 12" width="30" height="12" aria-hidden="true" focusable="false">
                        <g class=format!("leg {key}") inner_html=legend_sample(0.0, 0.0)></g>
                    </svg>
                    {style_label(key)}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="flow-legend" aria-label="What the styles of the legs mean">{items}</ul> }
}

/// Every leg as a sentence, with what was seen and the rule to add; a button shows the list.
#[component]
pub(super) fn LegList(layout: Arc<FlowLayout>) -> impl IntoView {
    let show = RwSignal::new(false);
    let items = layout
        .arrows
        .iter()
        .map(|a| {
            let rule = callout_of(&layout, a).map(|c| match &c.rule {
                    Some(r) => format!(" {}. Add this rule: {r}", c.title),
                    None => format!(" {}.", c.title),
                });
            // The route says what the arrow says; the other message follows.
            let seen = match a.other_message() {
                Some(OtherMessage::Expected(m)) => format!(" Expected: {m}."),
                Some(OtherMessage::Seen(m)) => format!(" Seen: {m}."),
                None => String::new(),
            };
            let proof = if a.extra {
                " This is the error answer that proves the failure."
            } else {
                ""
            };
            view! {
                <li data-leg=a.leg.clone() data-state=state_str(a.state) data-extra=a.extra.then_some("true")>
                    {format!(
                        "{}. {} — {}.{seen}{proof}",
                        a.step,
                        route(&layout, a),
                        state_label(a.state)
                    )}
                    {rule}
                </li>
            }
        })
        .collect_view();
    view! {
        <figcaption>
            <button
                type="button"
                class="ghost flow-list-toggle"
                aria-expanded=move || show.get().to_string()
                on:click=move |_| show.update(|v| *v = !*v)
            >
                {move || if show.get() { "Hide the list of legs" } else { "Show the legs as a list" }}
            </button>
            // Always in the page for screen readers (the drawing itself is aria-hidden).
            <ol class="flow-legs" class:visually-hidden=move || !show.get() aria-label=layout.title.clone()>
                {items}
            </ol>
        </figcaption>
    }
}

/// Leg `k` in one sentence for the status line: its step, route, state and the rule to add.
fn describe(layout: &FlowLayout, k: usize) -> String {
    let a = &layout.arrows[k];
    let what = if a.extra {
        format!("{}, the error answer that proves it", state_label(a.state))
    } else {
        state_label(a.state).to_string()
    };
    let rule = callout_of(layout, a)
        .and_then(|c| c.rule.as_ref())
        .map(|r| format!(" Add this rule: {r}"))
        .unwrap_or_default();
    format!(
        "step {} of {}, {} — {what}.{rule}",
        a.step,
        layout.arrows.len(),
        route(layout, a)
    )
}

/// The callout on leg `a`: where it broke and the rule it misses.
fn callout_of<'a>(layout: &'a FlowLayout, a: &Arrow) -> Option<&'a Callout> {
    layout.callouts.iter().find(|c| c.step == a.step)
}

/// "From → To: MESSAGE", with the participants' labels.
fn route(layout: &FlowLayout, a: &Arrow) -> String {
    let label = |id| label_of(layout, id);
    format!(
        "{} → {}: {}",
        label(&a.from),
        label(&a.to),
        a.shown_message()
    )
}

/// A participant's label, or its id when the layout has no such participant.
fn label_of<'a>(layout: &'a FlowLayout, id: &'a str) -> &'a str {
    layout.node(id).map_or(id, |n| n.label.as_str())
}
