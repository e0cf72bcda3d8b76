//! The knowledge files under `data/` (gateway profiles, the finding catalog, option flags,
//! Microsoft's diagnostic codes, generations, fix templates), as the build compiled them.
//!
//! `build.rs` turns each TOML file into JSON at build time, so a broken file fails the build and
//! the app carries no TOML parser. [`json`] hands out the text; each module that owns a file
//! deserialises it once (in a `OnceLock`) into its own typed rows.

/// The JSON of a `data/` file, by its path under `data/` without the extension, with `/`
/// written `-` (`profiles-nortel`, `findings`).
macro_rules! data_json {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/", $name, ".json"))
    };
}
pub(crate) use data_json;

/// Deserialises a compiled knowledge file. Panics only when the file does not fit its Rust
/// type, which every module's unit test catches before a build ships.
pub(crate) fn load<T: serde::de::DeserializeOwned>(name: &str, json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("data/{name}.toml: {e}"))
}
