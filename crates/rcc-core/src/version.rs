//! The version string shown in the app footer, reports and `rcc-doctor --version`.

/// The crate version, e.g. `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
