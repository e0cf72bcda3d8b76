//! Knowledge files are TOML (support engineers edit them), but the app ships no TOML parser:
//! this script reads every file under `data/` at build time and writes it as JSON into
//! `OUT_DIR`, where `crate::knowledge` includes it. A file that is not valid TOML fails the build
//! with its name and the parser's message, so a typo never reaches a user.

use std::path::{Path, PathBuf};

fn main() {
    // Read when the script runs, not when it was compiled: one compiled script may serve two
    // checkouts that share a target directory, and `env!` would point both at the first.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let data = Path::new(&manifest).join("../../data");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed={}", data.display());
    let mut files = Vec::new();
    collect(&data, &mut files);
    files.sort();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let value: toml::Value = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", path.display()));
        let json = serde_json::to_string(&value).expect("TOML values are JSON values");
        let rel = path.strip_prefix(&data).expect("under data/");
        let name = rel
            .with_extension("json")
            .to_string_lossy()
            .replace(['/', '\\'], "-");
        std::fs::write(out.join(name), json).expect("OUT_DIR is writable");
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("readable data/ entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
}
