//! `FlowDiagram`: the known-good flow as inline SVG, animated hop by hop.
//!
//! The animation has two passes over the legs. First a message dot travels every leg in
//! known-good order; then the observed states replay on top, leg by leg: OK legs turn green, the
//! failing leg turns red and pulses, legs never reached turn grey, and a missing route shows the
//! gap on its hop plus the callout with the exact rule. The timeline is one number `t` in
//! `0..=2n` (n legs): `t < n` is the first pass, `t - n` the second. With
//! `prefers-reduced-motion: reduce` the diagram starts at the end, without motion.
//!
//! `data-leg` and `data-state` always carry the diagnosis (the final state), whatever the
//! animation shows, so tests and assistive technology read the facts.

use super::export::{download_png, download_text, media_matches, svg_theme_of_page};
use leptos::prelude::*;
use rcc_core::diagnosis::LegState;
use rcc_core::diagram::{icon_path, state_label, state_str, to_svg, FlowLayout, LINE_H, MARGIN};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Seconds one leg takes at 1× speed.
const SECONDS_PER_LEG: f64 = 0.8;
const TICK_MS: u64 = 40;

/// What a leg shows at timeline position `t` (`n` legs).
fn phase(k: usize, n: usize, t: f64) -> &'static str {
    if t < n as f64 {
        let cur = t.floor() as usize;
        if k < cur {
            "travelled"
        } else if k == cur {
            "active"
        } else {
            "pending"
        }
    } else {
        let r = t - n as f64;
        let cur = r.floor() as usize;
        if k < cur || t >= 2.0 * n as f64 {
            "shown"
        } else if k == cur {
            "revealing"
        } else {
            "travelled"
        }
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
    let total = 2.0 * n as f64;
    let reduced = media_matches("(prefers-reduced-motion: reduce)");
    let t = RwSignal::new(if reduced { total } else { 0.0 });
    let playing = RwSignal::new(!reduced && n > 0);
    let speed = RwSignal::new(1.0f64);
    let show_list = RwSignal::new(false);

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
                    let tick = move || {
                        let step =
                            TICK_MS as f64 / 1000.0 * speed.get_untracked() / SECONDS_PER_LEG;
                        let next = t.get_untracked() + step;
                        if next >= total {
                            t.set(total);
                            playing.set(false);
                        } else {
                            t.set(next);
                        }
                    };
                    if let Ok(h) = set_interval_with_handle(tick, Duration::from_millis(TICK_MS)) {
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
        if playing.get_untracked() {
            playing.set(false);
        } else {
            if t.get_untracked() >= total {
                t.set(0.0);
            }
            playing.set(true);
        }
    };
    let step_forward = move |_| {
        playing.set(false);
        t.update(|t| *t = (t.floor() + 1.0).min(total));
    };
    let step_back = move |_| {
        playing.set(false);
        t.update(|t| *t = (t.ceil() - 1.0).max(0.0));
    };
    let failing = layout.failing_index();
    let jump = move |_| {
        if let Some(k) = failing {
            playing.set(false);
            t.set((n + k + 1) as f64);
        }
    };

    // The live status line: where the animation is.
    let status = {
        let layout = layout.clone();
        move || {
            let tv = t.get();
            if n == 0 {
                return "No legs to show.".to_string();
            }
            if tv >= total {
                return "Showing the observed state of every leg.".to_string();
            }
            // At a whole step, describe the leg just completed (after a step or a jump).
            let leg_at = |x: f64| {
                if x > 0.0 && x.fract() == 0.0 {
                    x as usize - 1
                } else {
                    x.floor() as usize
                }
            };
            let (pass, k) = if tv < n as f64 {
                ("Known-good flow", leg_at(tv))
            } else if tv == n as f64 {
                ("Known-good flow", n - 1)
            } else {
                ("Observed", leg_at(tv - n as f64))
            };
            let a = &layout.arrows[k.min(n - 1)];
            if pass == "Observed" {
                format!(
                    "{pass}: step {} of {n}, {}: {}",
                    a.step,
                    a.message,
                    state_label(a.state)
                )
            } else {
                format!("{pass}: step {} of {n}, {}", a.step, a.message)
            }
        }
    };

    let export_svg = {
        let layout = layout.clone();
        let stem = stem.clone();
        move |_| {
            let svg = to_svg(&layout, svg_theme_of_page());
            let _ = download_text(&format!("{stem}.svg"), "image/svg+xml", &svg);
        }
    };
    let export_png = {
        let layout = layout.clone();
        let stem = stem.clone();
        move |_| {
            let svg = to_svg(&layout, svg_theme_of_page());
            let _ = download_png(&format!("{stem}.png"), &svg, layout.width, layout.height);
        }
    };

    let w = layout.width;
    let h = layout.height;
    let nodes = layout
        .nodes
        .iter()
        .map(|node| {
            let lines = node
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    view! {
                        <text class="node-label" x=node.x y=node.y + 48.0 + i as f64 * LINE_H>
                            {l.clone()}
                        </text>
                    }
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
            let st = state_str(a.state);
            let class = move || format!("leg {st} {}", phase(k, n, t.get()));
            let labels = a
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    view! {
                        <text class="msg" x=a.label_x y=a.row_y + 12.0 + i as f64 * LINE_H>
                            {l.clone()}
                        </text>
                    }
                })
                .collect_view();
            let rest = a.rest_path.clone().map(|d| view! { <path class="rest" d=d /> });
            let gap = a.gap.map(|(gx, gy)| {
                view! {
                    <path
                        class="gap"
                        d=format!("M{} {}l10 10M{} {}l-10 10", gx - 5.0, gy - 5.0, gx + 5.0, gy - 5.0)
                    />
                }
            });
            view! {
                <g class=class data-leg=a.leg.clone() data-state=st data-step=a.step>
                    <title>{format!("{}. {}: {}", a.step, a.message, state_label(a.state))}</title>
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
            let class = move || format!("callout {}", phase(k, n, t.get()));
            let title_len = rcc_core::diagram::wrap(
                &c.title,
                ((c.w - 20.0) / 6.6) as usize,
            )
            .len();
            let has_rule = c.rule.is_some();
            let lines = c
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let cls = if i < title_len {
                        "title"
                    } else if has_rule && i > title_len {
                        "rule"
                    } else {
                        "text"
                    };
                    view! {
                        <text class=cls x=c.x + 10.0 y=c.y + 20.0 + i as f64 * LINE_H>{l.clone()}</text>
                    }
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

    // The message dot: which leg, how far, which colour.
    let dot = {
        let layout = layout.clone();
        move || {
            let tv = t.get();
            if n == 0 || tv >= total {
                return None;
            }
            let (k, frac, observed) = if tv < n as f64 {
                (tv.floor() as usize, tv.fract(), false)
            } else {
                let r = tv - n as f64;
                (r.floor() as usize, r.fract(), true)
            };
            let a = layout.arrows.get(k)?;
            if observed && a.state == LegState::NotReached {
                return None;
            }
            let (x, y) = a.point_at(frac);
            let class = if observed {
                format!("dot {}", state_str(a.state))
            } else {
                "dot".to_string()
            };
            Some(view! { <circle class=class cx=x cy=y r="6" /> })
        }
    };

    let legs_list = layout
        .arrows
        .iter()
        .map(|a| {
            let from = layout.node(&a.from).map(|x| x.label.clone()).unwrap_or_default();
            let to = layout.node(&a.to).map(|x| x.label.clone()).unwrap_or_default();
            let rule = layout
                .callouts
                .iter()
                .find(|c| c.step == a.step)
                .map(|c| match &c.rule {
                    Some(r) => format!(" {}. Add this rule: {r}", c.title),
                    None => format!(" {}.", c.title),
                });
            view! {
                <li data-leg=a.leg.clone() data-state=state_str(a.state)>
                    {format!("{}. {from} → {to}: {} — {}.", a.step, a.message, state_label(a.state))}
                    {rule}
                </li>
            }
        })
        .collect_view();

    let speed_button = move |v: f64, label: &'static str| {
        view! {
            <button
                type="button"
                class="ghost"
                aria-pressed=move || (speed.get() == v).to_string()
                aria-label=format!("Speed {label}")
                on:click=move |_| speed.set(v)
            >
                {label}
            </button>
        }
    };

    view! {
        <figure class="flow-diagram" data-reduced-motion=reduced.to_string()>
            <div class="flow-controls" role="toolbar" aria-label="Flow animation">
                <button
                    type="button"
                    class="secondary"
                    data-action="flow-play"
                    aria-label=move || if playing.get() { "Pause" } else { "Play" }
                    on:click=toggle_play
                >
                    {move || if playing.get() { "❚❚ Pause" } else { "▶ Play" }}
                </button>
                <button type="button" class="ghost" data-action="flow-back" aria-label="Step back" on:click=step_back>
                    "◀ Step"
                </button>
                <button type="button" class="ghost" data-action="flow-forward" aria-label="Step forward" on:click=step_forward>
                    "Step ▶"
                </button>
                <span class="flow-speed" role="group" aria-label="Speed">
                    {speed_button(0.5, "0.5×")}
                    {speed_button(1.0, "1×")}
                    {speed_button(2.0, "2×")}
                </span>
                <button
                    type="button"
                    class="ghost"
                    data-action="flow-jump-failing"
                    disabled=failing.is_none()
                    on:click=jump
                >
                    "Jump to failing leg"
                </button>
                <span class="spacer"></span>
                <button type="button" class="ghost" data-action="export-svg" on:click=export_svg>
                    "Download SVG"
                </button>
                <button type="button" class="ghost" data-action="export-png" on:click=export_png>
                    "Download PNG"
                </button>
            </div>
            <p class="flow-status" aria-live="polite">{status}</p>
            <div class="flow-canvas">
                <svg
                    xmlns="http://www.w3.org/2000/svg"
                    class="rcc-flow"
                    viewBox=format!("0 0 {w} {h}")
                    width=w
                    height=h
                    data-width=w
                    data-height=h
                    style:max-width=format!("{w}px")
                    aria-hidden="true"
                    focusable="false"
                >
                    <g class="nodes">{nodes}</g>
                    <g class="legs">{arrows}</g>
                    <g class="callouts">{callouts}</g>
                    {dot}
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
