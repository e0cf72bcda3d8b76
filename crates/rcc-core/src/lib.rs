//! The pure core of RCC Doctor: reads logs, parses SIP, checks directory attributes, simulates
//! routing and diagnoses. It depends on no UI crate (its `Cargo.toml` holds the wall), so
//! everything here runs natively under `cargo test` and in the browser unchanged. See
//! ARCHITECTURE.md for the map.

// The reading layer, a crate of its own (built for speed; see rcc-read's Cargo.toml).
pub use rcc_read::{evidence, file_text, ingest, sip};
pub(crate) use rcc_read::{fxhash, index_table, rcc_marks};

pub mod analysis;
pub(crate) mod base64;
pub mod case;
pub mod diagnosis;
pub mod diagram;
pub mod directory;
pub mod example;
pub mod extract;
pub mod facts;
pub mod findings;
pub mod fixes;
pub mod generation;
pub(crate) mod knowledge;
pub mod ladder;
pub mod msdiag;
pub mod observe;
pub mod profile;
pub mod redact;
pub mod report;
pub mod routing;
pub mod uri;
pub mod version;
pub mod wizard;
