//! The pure core of RCC Doctor: reads logs, parses SIP, checks directory attributes, simulates
//! routing and diagnoses. It depends on no UI crate (its `Cargo.toml` holds the wall), so
//! everything here runs natively under `cargo test` and in the browser unchanged. See
//! ARCHITECTURE.md for the map.

pub mod analysis;
pub(crate) mod base64;
pub mod case;
pub mod diagnosis;
pub mod diagram;
pub mod directory;
pub mod evidence;
pub mod example;
pub mod extract;
pub mod facts;
pub mod file_text;
pub mod findings;
pub mod fixes;
pub(crate) mod fxhash;
pub mod generation;
pub(crate) mod index_table;
pub mod ingest;
pub(crate) mod knowledge;
pub mod ladder;
pub mod msdiag;
pub mod observe;
pub mod profile;
pub(crate) mod rcc_marks;
pub mod redact;
pub mod report;
pub mod routing;
pub mod sip;
pub mod uri;
pub mod version;
pub mod wizard;
