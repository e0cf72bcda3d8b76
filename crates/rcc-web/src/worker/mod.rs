//! The analysis worker (ARCHITECTURE.md, "Worker protocol"): on the hosted page every analysis
//! runs in a module worker that loads this same wasm module, so a 100 MB log never freezes the
//! tab and the page never holds the messages.
//!
//! - [`protocol`]: the messages, one set of types for both ends.
//! - [`host`]: the worker's side; web/worker.js only loads the wasm and calls
//!   [`host::run_worker`].
//! - [`client`]: the page's side, a future per request.
//! - [`file_chunks`]: the worker reads a picked file into one lent buffer, chunk by chunk.
//! - [`warm_up`]: while idle, the worker runs its analysis on small synthetic logs, so that the
//!   browser has optimised that code before the user's first log.

pub mod client;
pub mod file_chunks;
pub mod host;
pub mod protocol;
pub mod warm_up;

pub use client::{page_has_worker, NoResult, WorkerClient};
pub use protocol::{Answer, Query};
