//! `FlowDiagram`: the known-good flow as inline SVG, every leg in the state the evidence gives it.
//!
//! The answer comes first: on arrival the diagram shows the final state (the leg where the flow
//! broke, the error answer that proves it, the callout with the missing rule, the legs never
//! reached in grey). "Replay" walks the legs in order, a few seconds in all, on demand: each
//! frame is whole, every leg drawn complete (the legs still to come in a neutral, faded style,
//! never hidden), only their colours change. The timeline is `frame`: `None` is the final state,
//! `Some(k)` the replay at leg `k`.
//!
//! `data-leg` and `data-state` always carry the diagnosis (the final state), whatever frame is
//! shown, so tests and assistive technology read the facts; the leg list under the drawing is
//! the text alternative.

use super::export::{download_png, download_text, svg_theme_of_page};
use leptos::prelude::*;
use rcc_core::diagram::{
    icon_path, legend_sample, state_label, state_str, style_label, to_svg, FlowLayout, MARGIN,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The whole replay takes about this long, whatever the number of legs…
const REPLAY_MS: f64 = 4000.0;
/// …within these bounds per leg.
const LEG_MS: (f64, f64) = (180.0, 500.0);

/// How leg (or callout) `k` is drawn in `frame`.
fn phase(k: usize, frame: Option<usize>) -> &'static str {
    match frame {
        None => "shown",
        Some(f) if k < f => "shown",
        Some(f) if k == f => "shown current",
        Some(_) => "pending",
    }
}

#[component]
pub fn FlowDiagram(
    /// The geometry from [`rcc_core::diagram::layout`].
    layout: FlowLayout,
    /// File name (without extension) for the exports.
    #[prop(optional, into)]
    file_stem: Option<String>,
) -> impl IntoView {
    let layout = Arc::new(layout);
    let stem = file_stem.unwrap_or_else(|| "rcc-flow".to_string());
    let n = layout.arrows.len();
    let frame = RwSignal::new(None::<usize>);
    let playing = RwSignal::new(false);
    // The leg "Jump to failing leg" brought into view, outlined in the final state.
    let focus = RwSignal::new(None::<usize>);
    let show_list = RwSignal::new(false);
    let canvas = NodeRef::<leptos::html::Div>::new();
    let leg_ms = (REPLAY_MS / n.max(1) as f64).clamp(LEG_MS.0, LEG_MS.1);

    // The ticking interval exists only while playing; cleared on pause and on unmount.
    let handle: Arc<Mutex<Option<IntervalHandle>>> = Arc::new(Mutex::new(None));
    let stop = {
        let handle = handle.clone();
        move || {
            if let Some(h) = handle.lock().ok().and_then(|mut h| h.take()) {
                h.clear();
            }
        }
    };
    {
        let stop = stop.clone();
        let handle = handle.clone();
        Effect::new(move |_| {
            if playing.get() {
                if handle.lock().map(|h| h.is_none()).unwrap_or(false) {
                    let tick = move || match frame.get_untracked() {
                        Some(k) if k + 1 < n => frame.set(Some(k + 1)),
                        _ => {
                            frame.set(None);
                            playing.set(false);
                        }
                    };
                    let every = Duration::from_millis(leg_ms as u64);
                    if let Ok(h) = set_interval_with_handle(tick, every) {
                        if let Ok(mut slot) = handle.lock() {
                            *slot = Some(h);
                        }
                    }
                }
            } else {
                stop();
            }
        });
    }
    on_cleanup(stop);

    let toggle_play = move |_| {
        focus.set(None);
        if playing.get_untracked() {
            playing.set(false);
        } else if n > 0 {
            if frame.get_untracked().is_none_or(|k| k + 1 >= n) {
                frame.set(Some(0));
            }
            playing.set(true);
        }
    };
    let step_forward = move |_| {
        playing.set(false);
        focus.set(None);
        frame.update(|f| {
            *f = match *f {
                None if n > 0 => Some(0),
                Some(k) if k + 1 < n => Some(k + 1),
                _ => None,
            }
        });
    };
    let step_back = move |_| {
        playing.set(false);
        focus.set(None);
        frame.update(|f| {
            *f = match *f {
                None => n.checked_sub(1),
                Some(k) => Some(k.saturating_sub(1)),
            }
        });
    };
    let failing = layout.failing_index();
    let jump = {
        let layout = layout.clone();
        move |_| {
            let Some(k) = failing else { return };
            playing.set(false);
            frame.set(None);
            focus.set(Some(k));
            // Bring the leg into view inside the sideways-scrolling canvas and on the page.
            if let (Some(el), Some(a)) = (canvas.get_untracked(), layout.arrows.get(k)) {
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
        }
    };

    let label_of = {
        let layout = layout.clone();
        move |id: &str| {
            layout
                .node(id)
                .map(|x| x.label.clone())
                .unwrap_or_else(|| id.to_string())
        }
    };
    let describe = {
        let layout = layout.clone();
        let label_of = label_of.clone();
        move |k: usize| {
            let a = &layout.arrows[k];
            let what = if a.extra {
                format!("{}, the error answer that proves it", state_label(a.state))
            } else {
                state_label(a.state).to_string()
            };
            let rule = layout
                .callouts
                .iter()
                .find(|c| c.step == a.step)
                .and_then(|c| c.rule.as_ref())
                .map(|r| format!(" Add this rule: {r}"))
                .unwrap_or_default();
            format!(
                "step {} of {n}, {} → {}: {} — {what}.{rule}",
                a.step,
                label_of(&a.from),
                label_of(&a.to),
                a.message
            )
        }
    };
    // The live status line: what the drawing shows now, never empty.
    let status = {
        let describe = describe.clone();
        move || {
            if n == 0 {
                return "No legs to show: add logs, attributes or rules.".to_string();
            }
            match (frame.get(), focus.get(), failing) {
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
        }
    };

    // The download menu folds away once a choice is made.
    let menu = NodeRef::<leptos::html::Details>::new();
    let fold = move || {
        if let Some(m) = menu.get_untracked() {
            m.set_open(false);
        }
    };
    let export_svg = {
        let layout = layout.clone();
        let stem = stem.clone();
        move |_| {
            fold();
            let svg = to_svg(&layout, svg_theme_of_page());
            let _ = download_text(&format!("{stem}.svg"), "image/svg+xml", &svg);
        }
    };
    let export_png = {
        let layout = layout.clone();
        let stem = stem.clone();
        move |_| {
            fold();
            let svg = to_svg(&layout, svg_theme_of_page());
            let _ = download_png(&format!("{stem}.png"), &svg, layout.width, layout.height);
        }
    };

    let w = layout.width;
    // The page shows the legend in words above the drawing: the drawing ends with the lifelines
    // (the exports keep the legend under them).
    let h = (layout.lifeline_bottom + MARGIN).ceil();
    let nodes = layout
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
        .collect_view();

    let arrows = layout
        .arrows
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let style = a.style_key();
            let class = move || {
                let focused = focus.get() == Some(k) && frame.get().is_none();
                format!(
                    "leg {style} {}{}",
                    phase(k, frame.get()),
                    if focused { " focus" } else { "" }
                )
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
        .collect_view();

    let callouts = layout
        .callouts
        .iter()
        .map(|c| {
            let k = c.step - 1;
            let class = move || format!("callout {}", phase(k, frame.get()));
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
        .collect_view();

    let legend = layout
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

    let legs_list = layout
        .arrows
        .iter()
        .map(|a| {
            let rule = layout
                .callouts
                .iter()
                .find(|c| c.step == a.step)
                .map(|c| match &c.rule {
                    Some(r) => format!(" {}. Add this rule: {r}", c.title),
                    None => format!(" {}.", c.title),
                });
            let seen = a
                .observed
                .as_ref()
                .map(|o| format!(" Seen: {o}."))
                .unwrap_or_default();
            let proof = if a.extra {
                " This is the error answer that proves the failure."
            } else {
                ""
            };
            view! {
                <li data-leg=a.leg.clone() data-state=state_str(a.state) data-extra=a.extra.then_some("true")>
                    {format!(
                        "{}. {} → {}: {} — {}.{seen}{proof}",
                        a.step,
                        label_of(&a.from),
                        label_of(&a.to),
                        a.message,
                        state_label(a.state)
                    )}
                    {rule}
                </li>
            }
        })
        .collect_view();

    view! {
        <figure class="flow-diagram" data-frame=move || frame.get().map_or("final".to_string(), |k| k.to_string())>
            <div class="flow-controls" role="toolbar" aria-label="Flow diagram">
                <button
                    type="button"
                    class="secondary"
                    data-action="flow-play"
                    aria-label=move || if playing.get() { "Pause" } else { "Replay" }
                    disabled=n == 0
                    on:click=toggle_play
                >
                    <span aria-hidden="true">{move || if playing.get() { "❚❚" } else { "▶" }}</span>
                    <span class="wide-only">{move || if playing.get() { " Pause" } else { " Replay" }}</span>
                </button>
                <button type="button" class="ghost" data-action="flow-back" aria-label="Step back" disabled=n == 0 on:click=step_back>
                    "◀"
                </button>
                <button type="button" class="ghost" data-action="flow-forward" aria-label="Step forward" disabled=n == 0 on:click=step_forward>
                    "▶"
                </button>
                <button
                    type="button"
                    class="ghost"
                    data-action="flow-jump-failing"
                    disabled=failing.is_none()
                    on:click=jump
                >
                    <span class="wide-only">"Jump to "</span>"failing leg"
                </button>
                <span class="spacer"></span>
                <details class="menu" node_ref=menu>
                    <summary class="button-ghost" data-action="flow-downloads">
                        <span aria-hidden="true" class="narrow-only">"⤓"</span>
                        <span class="wide-only">"Download"</span>
                    </summary>
                    <div class="menu-items">
                        <button type="button" class="ghost" data-action="export-svg" on:click=export_svg>
                            "SVG drawing"
                        </button>
                        <button type="button" class="ghost" data-action="export-png" on:click=export_png>
                            "PNG picture"
                        </button>
                    </div>
                </details>
            </div>
            <p class="flow-status" aria-live="polite" data-testid="flow-status">{status}</p>
            <ul class="flow-legend" aria-label="What the styles of the legs mean">{legend}</ul>
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
                    <g class="nodes">{nodes}</g>
                    <g class="legs">{arrows}</g>
                    <g class="callouts">{callouts}</g>
                </svg>
            </div>
            <figcaption>
                <button
                    type="button"
                    class="ghost flow-list-toggle"
                    aria-expanded=move || show_list.get().to_string()
                    on:click=move |_| show_list.update(|v| *v = !*v)
                >
                    {move || if show_list.get() { "Hide the list of legs" } else { "Show the legs as a list" }}
                </button>
                // Always in the page for screen readers (the drawing itself is aria-hidden).
                <ol class="flow-legs" class:visually-hidden=move || !show_list.get() aria-label=layout.title.clone()>
                    {legs_list}
                </ol>
            </figcaption>
        </figure>
    }
}
