//! The pure core of RCC Doctor, compiled as its own crate so that the release profile can give
//! it `opt-level = 3` (see the workspace Cargo.toml). The sources stay in the main crate's
//! `src/core/` so that the project has one tree to read; `rcc_doctor::core` re-exports this.

#[path = "../../../src/core/mod.rs"]
pub mod core;
