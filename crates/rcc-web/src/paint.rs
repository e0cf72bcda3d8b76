//! Work that waits for the browser's next paint, so that no single main-thread task builds, lays
//! out and paints a whole step: the first screen of a step is built in one task and painted, then
//! what is below it is built in tasks of their own (the goal `e2e/logs.test.mjs` names: no
//! main-thread task over the long-task limit of 50 ms).

use leptos::prelude::*;
use std::time::Duration;

/// Runs `f` in a task of its own after the next frame is painted: the frame's animation callback
/// queues it, so the style, layout and paint of that frame come first. A hidden page paints no
/// frames, and `f` waits until it is shown again.
pub fn after_next_paint(f: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(f, Duration::ZERO));
}

/// Renders its children once what is above them has been painted, in a task of their own;
/// after that it holds them like any other view (they re-render as their own signals change).
#[component]
pub fn AfterPaint(children: ChildrenFn) -> impl IntoView {
    let shown = RwSignal::new(false);
    // Unmounted before the paint: the signal is gone, and setting it does nothing.
    after_next_paint(move || shown.set(true));
    move || shown.get().then(|| children())
}
