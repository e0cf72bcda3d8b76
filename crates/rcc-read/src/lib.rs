//! The reading layer of RCC Doctor's core: every log format read into SIP messages with their
//! grades against RFC 3261, the dialogs and transactions, and the few things every later stage
//! asks of each message (the RCC marks, the evidence a message is). It knows nothing of the
//! diagnosis. `rcc-core` builds on it and re-exports it, so its items are named
//! `rcc_core::ingest::…`, `rcc_core::sip::…` everywhere else; what is `pub` here and not
//! re-exported there is for `rcc-core` alone. A crate of its own so that it can be built for
//! speed while the code above it is built for size (the workspace Cargo.toml).

pub mod evidence;
pub mod file_text;
pub mod fxhash;
pub mod index_table;
pub mod ingest;
pub mod rcc_marks;
pub mod sip;
