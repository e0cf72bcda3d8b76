//! The drawing: the participants with their lifelines, the legs (numbered, labelled, coloured by
//! state and by the replay's frame) and the callouts with the missing rules, in a canvas that
//! scrolls sideways. The drawing is `aria-hidden`: the leg list under it is its text.

use super::Replay;
use leptos::prelude::*;
use rcc_core::diagram::{icon_path, state_str, FlowLayout, MARGIN};
use std::sync::Arc;

#[component]
pub(super) fn FlowCanvas(
    layout: Arc<FlowLayout>,
    replay: Replay,
    /// The scrolling box, for "Jump to failing leg".
    canvas: NodeRef<leptos::html::Div>,
) -> impl IntoView {
    let w = layout.width;
    // The page shows the legend in words above the drawing: the drawing ends with the lifelines
    // (the exports keep the legend under them).
    let h = (layout.lifeline_bottom + MARGIN).ceil();
    view! {
        <div
            class="flow-canvas"
            node_ref=canvas
            tabindex="0"
            role="region"
            aria-label="The flow drawing (scrolls sideways); its legs are listed below"
        >
            <svg
                xmlns="http://www.w3.org/2000/svg"
                class="rcc-flow"
                viewBox=format!("0 0 {w} {h}")
                width=w
                height=h
                // The size of the exported drawing (with its legend).
                data-width=w
                data-height=layout.height
                // Never drawn smaller than 85 % of its size: text grows with the page's zoom
                // and the canvas scrolls sideways instead.
                style:max-width=format!("{w}px")
                style:min-width=format!("{}px", (w * 0.85).round())
                aria-hidden="true"
                focusable="false"
            >
                <g class="nodes">{participants(&layout)}</g>
                <g class="legs">{legs(&layout, replay)}</g>
                <g class="callouts">{callouts(&layout, replay)}</g>
            </svg>
        </div>
    }
}

/// Scroll leg `k` into view inside the sideways-scrolling canvas `el` and on the page.
pub(super) fn bring_into_view(el: &web_sys::HtmlDivElement, layout: &FlowLayout, k: usize) {
    let Some(a) = layout.arrows.get(k) else {
        return;
    };
    let svg_w = el.scroll_width() as f64;
    let scale = if layout.width > 0.0 {
        svg_w / layout.width
    } else {
        1.0
    };
    let left = (a.x1.min(a.x2) - MARGIN) * scale;
    el.set_scroll_left(left.max(0.0) as i32);
    if let Ok(Some(g)) = el.query_selector(&format!("g.leg[data-step=\"{}\"]", k + 1)) {
        g.scroll_into_view_with_bool(false);
    }
}

/// Each participant: its box, icon and label, and its lifeline down to the last leg.
fn participants(layout: &FlowLayout) -> impl IntoView {
    layout
        .nodes
        .iter()
        .map(|node| {
            let lines = node
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let (x, y) = node.line_at(i);
                    view! { <text class="node-label" x=x y=y>{l.clone()}</text> }
                })
                .collect_view();
            view! {
                <g class="node" data-participant=node.id.clone() data-role=node.role.as_str()>
                    <line class="lifeline" x1=node.x y1=node.y + node.h x2=node.x y2=layout.lifeline_bottom />
                    <rect x=node.x - node.w / 2.0 y=node.y width=node.w height=node.h rx="8" />
                    <path
                        class="icon"
                        transform=format!("translate({} {})", node.x - 12.0, node.y + 8.0)
                        d=icon_path(&node.icon)
                    />
                    {lines}
                </g>
            }
        })
        .collect_view()
}

/// Each leg: its row (outlined after a jump), number, message label and arrow, styled by its
/// state and drawn in the replay's phase.
fn legs(layout: &FlowLayout, replay: Replay) -> impl IntoView {
    let w = layout.width;
    layout
        .arrows
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let style = a.style_key();
            let class = move || {
                let outlined = if replay.outlines(k) { " focus" } else { "" };
                format!("leg {style} {}{outlined}", replay.phase(k))
            };
            let labels = a
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    view! { <text class="msg" x=a.label_x y=a.line_y(i)>{l.clone()}</text> }
                })
                .collect_view();
            let rest = a.rest_path.clone().map(|d| view! { <path class="rest" d=d /> });
            let gap = a.gap_path().map(|d| view! { <path class="gap" d=d /> });
            view! {
                <g
                    class=class
                    data-leg=a.leg.clone()
                    data-state=state_str(a.state)
                    data-step=a.step
                    data-extra=a.extra.then_some("true")
                >
                    <rect class="row-focus" x="2" y=a.row_y - 4.0 width=w - 4.0 height=a.row_h rx="6" />
                    <circle class="step-num" cx=MARGIN + 12.0 cy=a.y r="10" />
                    <text class="step-text" x=MARGIN + 12.0 y=a.y + 4.0>{a.step}</text>
                    {labels}
                    <path class="line" d=a.path.clone() />
                    {rest}
                    <path class="head" d=a.head.clone() />
                    {gap}
                </g>
            }
        })
        .collect_view()
}

/// Each callout: the hop where a leg broke and the rule it misses, shown with its leg.
fn callouts(layout: &FlowLayout, replay: Replay) -> impl IntoView {
    layout
        .callouts
        .iter()
        .map(|c| {
            let k = c.step - 1;
            let class = move || format!("callout {}", replay.phase(k));
            let lines = c
                .lines
                .iter()
                .zip(&c.kinds)
                .enumerate()
                .map(|(i, (l, kind))| {
                    let (x, y) = c.line_at(i);
                    view! { <text class=kind.as_str() x=x y=y>{l.clone()}</text> }
                })
                .collect_view();
            view! {
                <g class=class data-leg=c.leg.clone() data-hop=c.hop.clone() data-rule=c.rule.clone().unwrap_or_default()>
                    <line x1=c.anchor.0 y1=c.anchor.1 + 6.0 x2=c.anchor.0 y2=c.y />
                    <rect x=c.x y=c.y width=c.w height=c.h rx="6" />
                    {lines}
                </g>
            }
        })
        .collect_view()
}
