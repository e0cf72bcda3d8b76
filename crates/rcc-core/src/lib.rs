//! The pure core of RCC Doctor: reads logs, parses SIP, checks directory attributes, simulates
//! routing and diagnoses. It depends on no UI crate (its `Cargo.toml` holds the wall), so
//! everything here runs natively under `cargo test` and in the browser unchanged. See
//! ARCHITECTURE.md for the map.

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
