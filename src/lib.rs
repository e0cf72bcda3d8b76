//! RCC Doctor: troubleshoots Office Communicator remote call control.
//!
//! Two layers, one rule: everything that reads logs, parses SIP, checks attributes, simulates
//! routing and diagnoses lives in [`core`], which never imports a UI crate, so it runs and is
//! tested natively and powers the `rcc-doctor` CLI. The [`ui`] layer (browser only) renders what
//! the core computes and collects input. See ARCHITECTURE.md for the map.

pub use rcc_core::core;

#[cfg(target_arch = "wasm32")]
pub mod ui;
