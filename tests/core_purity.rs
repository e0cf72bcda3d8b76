//! The core must stay pure: no UI crate below `src/core/`. This is what lets the same code run
//! natively under `cargo test`, in the CLI and in the browser. If this fails, move the UI part
//! into `src/ui/` and pass plain data across.

use std::fs;
use std::path::Path;

const UI_CRATES: [&str; 6] = [
    "leptos",
    "web_sys",
    "gloo",
    "wasm_bindgen",
    "js_sys",
    "tachys",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src/core") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of code (not comments) that mention a UI crate as a path or import.
fn offending_lines(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            UI_CRATES.iter().any(|c| {
                code.contains(&format!("{c}::"))
                    || code.contains(&format!("use {c}"))
                    || code.contains(&format!("extern crate {c}"))
            })
        })
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

#[test]
fn core_imports_no_ui_crate() {
    let mut files = Vec::new();
    rust_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/core")),
        &mut files,
    );
    assert!(
        files.len() >= 5,
        "expected the core modules, found {files:?}"
    );
    let mut problems = Vec::new();
    for f in &files {
        let src = fs::read_to_string(f).expect("read source");
        for (line, text) in offending_lines(&src) {
            problems.push(format!("{}:{line}: {text}", f.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "UI crates imported in the core:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_itself_catches_imports() {
    assert_eq!(offending_lines("use leptos::prelude::*;").len(), 1);
    assert_eq!(offending_lines("let w = web_sys::window();").len(), 1);
    assert!(offending_lines("// no leptos:: here, a comment").is_empty());
    assert!(offending_lines("//! never imports leptos or web-sys").is_empty());
}
