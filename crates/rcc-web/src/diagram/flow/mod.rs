//! `FlowDiagram`: the known-good flow as inline SVG, every leg in the state the evidence gives it.
//!
//! The answer comes first: on arrival the diagram shows the final state (the leg where the flow
//! broke, the error answer that proves it, the callout with the missing rule, the legs never
//! reached in grey). "Replay" walks the legs in order, a few seconds in all, on demand: each
//! frame is whole, every leg drawn complete (the legs still to come in a neutral, faded style,
//! never hidden), only their colours change. The timeline is [`Replay`]: its frame `None` is the
//! final state, `Some(k)` the replay at leg `k`.
//!
//! `data-leg` and `data-state` always carry the diagnosis (the final state), whatever frame is
//! shown, so tests and assistive technology read the facts; the leg list under the drawing is
//! the text alternative.
//!
//! The parts, top to bottom: the toolbar ([`controls`]: replay, step, jump, downloads), the
//! status line and the legend ([`words`]), the drawing ([`drawing`]: participants, legs,
//! callouts), and the legs as a list ([`words`]).

mod controls;
mod drawing;
mod words;

use controls::FlowControls;
use drawing::FlowCanvas;
use leptos::prelude::*;
use rcc_core::diagram::FlowLayout;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use words::{FlowLegend, FlowStatus, LegList};

/// The whole replay takes about this long, whatever the number of legs…
const REPLAY_MS: f64 = 4000.0;
/// …within these bounds per leg.
const LEG_MS: (f64, f64) = (180.0, 500.0);

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
    let replay = Replay::new(layout.arrows.len());
    let failing = layout.failing_index();
    // The toolbar's "Jump to failing leg" scrolls the drawing.
    let canvas = NodeRef::<leptos::html::Div>::new();
    let frame = move || {
        replay
            .frame
            .get()
            .map_or("final".to_string(), |k| k.to_string())
    };
    view! {
        <figure class="flow-diagram" data-frame=frame>
            <FlowControls layout=layout.clone() replay=replay failing=failing canvas=canvas stem=stem />
            <FlowStatus layout=layout.clone() replay=replay failing=failing />
            <FlowLegend layout=layout.clone() />
            <FlowCanvas layout=layout.clone() replay=replay canvas=canvas />
            <LegList layout=layout />
        </figure>
    }
}

/// Where the drawing is in time, and what the controls do to it: the replay's frame, whether it
/// plays, and the leg "Jump to failing leg" outlined. Signals only, so it is `Copy` and every part
/// of the diagram reads the same timeline.
#[derive(Clone, Copy)]
struct Replay {
    /// `None`: the final state; `Some(k)`: the replay at leg `k`.
    frame: RwSignal<Option<usize>>,
    playing: RwSignal<bool>,
    /// The leg "Jump to failing leg" brought into view, outlined in the final state.
    focus: RwSignal<Option<usize>>,
    /// How many legs the flow has.
    legs: usize,
}

impl Replay {
    /// The final state, not playing; ticks through the legs while playing.
    fn new(legs: usize) -> Self {
        let replay = Replay {
            frame: RwSignal::new(None),
            playing: RwSignal::new(false),
            focus: RwSignal::new(None),
            legs,
        };
        replay.tick_while_playing();
        replay
    }

    /// The ticking interval exists only while playing; cleared on pause and on unmount.
    fn tick_while_playing(self) {
        let Replay {
            frame,
            playing,
            legs: n,
            ..
        } = self;
        let leg_ms = (REPLAY_MS / n.max(1) as f64).clamp(LEG_MS.0, LEG_MS.1);
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
    }

    /// Play from the first leg (or from where a paused replay stopped), or pause.
    fn toggle_play(self) {
        self.focus.set(None);
        if self.playing.get_untracked() {
            self.playing.set(false);
        } else if self.legs > 0 {
            if self
                .frame
                .get_untracked()
                .is_none_or(|k| k + 1 >= self.legs)
            {
                self.frame.set(Some(0));
            }
            self.playing.set(true);
        }
    }

    /// One leg on; after the last leg the final state, after the final state the first leg.
    fn step_forward(self) {
        let n = self.legs;
        self.playing.set(false);
        self.focus.set(None);
        self.frame.update(|f| {
            *f = match *f {
                None if n > 0 => Some(0),
                Some(k) if k + 1 < n => Some(k + 1),
                _ => None,
            }
        });
    }

    /// One leg back; from the final state, the last leg.
    fn step_back(self) {
        let n = self.legs;
        self.playing.set(false);
        self.focus.set(None);
        self.frame.update(|f| {
            *f = match *f {
                None => n.checked_sub(1),
                Some(k) => Some(k.saturating_sub(1)),
            }
        });
    }

    /// The final state with leg `k` outlined.
    fn show_final_at(self, k: usize) {
        self.playing.set(false);
        self.frame.set(None);
        self.focus.set(Some(k));
    }

    /// How leg (or callout) `k` is drawn in the current frame.
    fn phase(self, k: usize) -> &'static str {
        match self.frame.get() {
            None => "shown",
            Some(f) if k < f => "shown",
            Some(f) if k == f => "shown current",
            Some(_) => "pending",
        }
    }

    /// Whether leg `k` is the one outlined in the final state.
    fn outlines(self, k: usize) -> bool {
        self.focus.get() == Some(k) && self.frame.get().is_none()
    }
}
