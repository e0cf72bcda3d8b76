//! The flow diagram's toolbar: replay or pause, step back and forward, jump to the failing leg,
//! and the download menu (SVG drawing, PNG picture).

use super::drawing::bring_into_view;
use super::Replay;
use crate::diagram::export::{download_png, download_text, svg_theme_of_page};
use leptos::prelude::*;
use rcc_core::diagram::{to_svg, FlowLayout};
use std::sync::Arc;

#[component]
pub(super) fn FlowControls(
    layout: Arc<FlowLayout>,
    replay: Replay,
    /// The leg where the flow broke, if one did.
    failing: Option<usize>,
    /// The drawing's scrolling box, which "Jump to failing leg" scrolls.
    canvas: NodeRef<leptos::html::Div>,
    /// File name (without extension) for the exports.
    stem: String,
) -> impl IntoView {
    let none = replay.legs == 0;
    let playing = replay.playing;
    let jump = {
        let layout = layout.clone();
        move |_| {
            let Some(k) = failing else { return };
            replay.show_final_at(k);
            if let Some(el) = canvas.get_untracked() {
                bring_into_view(&el, &layout, k);
            }
        }
    };
    view! {
        <div class="flow-controls" role="toolbar" aria-label="Flow diagram">
            <button
                type="button"
                class="secondary"
                data-action="flow-play"
                aria-label=move || if playing.get() { "Pause" } else { "Replay" }
                disabled=none
                on:click=move |_| replay.toggle_play()
            >
                <span aria-hidden="true">{move || if playing.get() { "❚❚" } else { "▶" }}</span>
                <span class="wide-only">{move || if playing.get() { " Pause" } else { " Replay" }}</span>
            </button>
            <button type="button" class="ghost" data-action="flow-back" aria-label="Step back" disabled=none on:click=move |_| replay.step_back()>
                "◀"
            </button>
            <button type="button" class="ghost" data-action="flow-forward" aria-label="Step forward" disabled=none on:click=move |_| replay.step_forward()>
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
            <DownloadMenu layout=layout stem=stem />
        </div>
    }
}

/// "Download": the drawing as SVG or PNG, in the page's theme. The menu folds away once a
/// choice is made.
#[component]
fn DownloadMenu(layout: Arc<FlowLayout>, stem: String) -> impl IntoView {
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
    let export_png = move |_| {
        fold();
        let svg = to_svg(&layout, svg_theme_of_page());
        let _ = download_png(&format!("{stem}.png"), &svg, layout.width, layout.height);
    };
    view! {
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
    }
}
