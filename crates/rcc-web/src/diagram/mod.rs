//! The flow diagram and the ladder: Leptos views over [`rcc_core::diagram`] and
//! [`rcc_core::ladder`], plus their exports (SVG, PNG, Mermaid). All geometry and text come
//! from the core; these components only draw, animate, scroll and download.

mod export;
mod flow;
mod ladder;
pub mod window;

pub use export::{download_js, download_text, svg_theme_of_page, PNG_SCALE};
pub use flow::FlowDiagram;
pub use ladder::Ladder;
