//! The drawing: the participants with their lifelines, the legs (numbered, labelled, coloured by
//! state and by the replay's frame) and the callouts with the missing rules, in a canvas that
//! scrolls sideways. The drawing is `aria-hidden`: the leg list under it is its text.
//!
//! Its inside is written as one SVG string and parsed once: built as views, its hundreds of
//! elements and their coordinates took most of the task that draws the flow (a few thousand
//! calls from wasm to the DOM). Only the classes of the legs and callouts follow the replay;
//! one effect sets them on the elements.

use super::Replay;
use leptos::prelude::*;
use rcc_core::diagram::{icon_path, state_str, xml_escape as esc, FlowLayout, MARGIN};
use std::fmt::Write;
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
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let inside = untrack(|| drawing(&layout, replay));
    follow_the_replay(&layout, replay, svg, untrack(|| classes(&layout, replay)));
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
                node_ref=svg
                inner_html=inside
            ></svg>
        </div>
    }
}

/// The class of leg `k` (its style, its phase in the replay, outlined after a jump).
fn leg_class(layout: &FlowLayout, replay: Replay, k: usize) -> String {
    let outlined = if replay.outlines(k) { " focus" } else { "" };
    format!(
        "leg {} {}{outlined}",
        layout.arrows[k].style_key(),
        replay.phase(k)
    )
}

/// The class of the callout on leg `k`.
fn callout_class(replay: Replay, k: usize) -> String {
    format!("callout {}", replay.phase(k))
}

/// The classes of the legs and of the callouts, in the replay's current frame.
fn classes(layout: &FlowLayout, replay: Replay) -> (Vec<String>, Vec<String>) {
    let legs = (0..layout.arrows.len())
        .map(|k| leg_class(layout, replay, k))
        .collect();
    let callouts = layout
        .callouts
        .iter()
        .map(|c| callout_class(replay, c.step - 1))
        .collect();
    (legs, callouts)
}

/// Sets the classes of the legs and callouts as the replay moves: only those that changed
/// since they were last set (`drawn`: the classes the drawing was written with, so a frame
/// that changed before the effect first ran is drawn too).
fn follow_the_replay(
    layout: &Arc<FlowLayout>,
    replay: Replay,
    svg: NodeRef<leptos::svg::Svg>,
    drawn: (Vec<String>, Vec<String>),
) {
    let layout = layout.clone();
    let mut drawn = Some(drawn);
    Effect::new(move |before: Option<(Vec<String>, Vec<String>)>| {
        let (legs, callouts) = classes(&layout, replay);
        let before = before.or_else(|| drawn.take());
        if let (Some((legs_before, callouts_before)), Some(svg)) =
            (before, svg.try_get_untracked().flatten())
        {
            let set = |selector: &str, now: &[String], before: &[String]| {
                let Ok(list) = svg.query_selector_all(selector) else {
                    return;
                };
                for (i, (class, was)) in now.iter().zip(before).enumerate() {
                    if class == was {
                        continue;
                    }
                    if let Some(el) = list.item(i as u32) {
                        let el: web_sys::Element = leptos::wasm_bindgen::JsCast::unchecked_into(el);
                        let _ = el.set_attribute("class", class);
                    }
                }
            };
            set("g.legs > g", &legs, &legs_before);
            set("g.callouts > g", &callouts, &callouts_before);
        }
        (legs, callouts)
    });
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

/// The inside of the drawing: participants, legs and callouts, in the replay's current frame.
fn drawing(layout: &FlowLayout, replay: Replay) -> String {
    let mut s = String::with_capacity(16 * 1024);
    s.push_str(r#"<g class="nodes">"#);
    participants(&mut s, layout);
    s.push_str(r#"</g><g class="legs">"#);
    legs(&mut s, layout, replay);
    s.push_str(r#"</g><g class="callouts">"#);
    callouts(&mut s, layout, replay);
    s.push_str("</g>");
    s
}

/// Each participant: its box, icon and label, and its lifeline down to the last leg.
fn participants(s: &mut String, layout: &FlowLayout) {
    for node in &layout.nodes {
        let _ = write!(
            s,
            r#"<g class="node" data-participant="{}" data-role="{}"><line class="lifeline" x1="{x}" y1="{}" x2="{x}" y2="{}"></line><rect x="{}" y="{}" width="{}" height="{}" rx="8"></rect><path class="icon" transform="translate({} {})" d="{}"></path>"#,
            esc(&node.id),
            node.role.as_str(),
            node.y + node.h,
            layout.lifeline_bottom,
            node.x - node.w / 2.0,
            node.y,
            node.w,
            node.h,
            node.x - 12.0,
            node.y + 8.0,
            icon_path(&node.icon),
            x = node.x,
        );
        for (i, l) in node.lines.iter().enumerate() {
            let (x, y) = node.line_at(i);
            let _ = write!(
                s,
                r#"<text class="node-label" x="{x}" y="{y}">{}</text>"#,
                esc(l)
            );
        }
        s.push_str("</g>");
    }
}

/// Each leg: its row (outlined after a jump), number, message label and arrow, styled by its
/// state and drawn in the replay's phase.
fn legs(s: &mut String, layout: &FlowLayout, replay: Replay) {
    let w = layout.width;
    for (k, a) in layout.arrows.iter().enumerate() {
        let _ = write!(
            s,
            r#"<g class="{}" data-leg="{}" data-state="{}" data-step="{}"{}><rect class="row-focus" x="2" y="{}" width="{}" height="{}" rx="6"></rect><circle class="step-num" cx="{}" cy="{}" r="10"></circle><text class="step-text" x="{}" y="{}">{}</text>"#,
            leg_class(layout, replay, k),
            esc(&a.leg),
            state_str(a.state),
            a.step,
            if a.extra { r#" data-extra="true""# } else { "" },
            a.row_y - 4.0,
            w - 4.0,
            a.row_h,
            MARGIN + 12.0,
            a.y,
            MARGIN + 12.0,
            a.y + 4.0,
            a.step
        );
        for (i, l) in a.lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<text class="msg" x="{}" y="{}">{}</text>"#,
                a.label_x,
                a.line_y(i),
                esc(l)
            );
        }
        let _ = write!(s, r#"<path class="line" d="{}"></path>"#, esc(&a.path));
        if let Some(d) = &a.rest_path {
            let _ = write!(s, r#"<path class="rest" d="{}"></path>"#, esc(d));
        }
        let _ = write!(s, r#"<path class="head" d="{}"></path>"#, esc(&a.head));
        if let Some(d) = a.gap_path() {
            let _ = write!(s, r#"<path class="gap" d="{}"></path>"#, esc(&d));
        }
        s.push_str("</g>");
    }
}

/// Each callout: the hop where a leg broke and the rule it misses, shown with its leg.
fn callouts(s: &mut String, layout: &FlowLayout, replay: Replay) {
    for c in &layout.callouts {
        let _ = write!(
            s,
            r#"<g class="{}" data-leg="{}" data-hop="{}" data-rule="{}"><line x1="{}" y1="{}" x2="{}" y2="{}"></line><rect x="{}" y="{}" width="{}" height="{}" rx="6"></rect>"#,
            callout_class(replay, c.step - 1),
            esc(&c.leg),
            esc(&c.hop),
            esc(c.rule.as_deref().unwrap_or_default()),
            c.anchor.0,
            c.anchor.1 + 6.0,
            c.anchor.0,
            c.y,
            c.x,
            c.y,
            c.w,
            c.h
        );
        for (i, (l, kind)) in c.lines.iter().zip(&c.kinds).enumerate() {
            let (x, y) = c.line_at(i);
            let _ = write!(
                s,
                r#"<text class="{}" x="{x}" y="{y}">{}</text>"#,
                kind.as_str(),
                esc(l)
            );
        }
        s.push_str("</g>");
    }
}
