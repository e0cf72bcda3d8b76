//! The browser layer: Leptos components that collect input and render what [`rcc_core`]
//! computes. Nothing here reads logs, parses SIP or decides anything; if a component grows
//! logic worth testing, that logic belongs in the core.

mod analysis;
mod app;
mod checks;
mod collect;
mod copy;
pub mod diagram;
mod embed;
mod glossary;
mod paint;
mod router;
mod share;
mod shell;
pub mod source;
mod state;
mod steps;
mod storage;
mod theme;
mod timing;
pub mod worker;

pub use app::App;
pub use embed::{host_mounts, mount_embedded, EmbedOptions};

/// Mounts the app on `<body>`; called by the `rcc-doctor-web` binary.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
