//! The pure core: no leptos, web-sys, gloo or any other UI crate may be imported below this
//! module (`tests/core_purity.rs` enforces it). Everything here runs natively under `cargo test`
//! and in the browser unchanged.

pub mod analysis;
pub mod diagnosis;
pub mod diagram;
pub mod directory;
pub mod evidence;
pub mod example;
pub mod extract;
pub(crate) mod fxhash;
pub mod ingest;
pub mod ladder;
pub mod profile;
pub mod redact;
pub mod report;
pub mod routing;
pub mod sip;
pub mod version;
pub mod wizard;
