//! `rcc-doctor redact FILE... --out DIR [--map]`: writes each file redacted into DIR under the
//! same name, with one pseudonym map across all files, and prints the counts per category.
//! `--map` also writes `mapping.json` (original → token) beside them: it contains the originals.

use rcc_core::redact::{RedactOptions, Redactor};
use std::path::{Path, PathBuf};

const USAGE: &str = "usage: rcc-doctor redact FILE... --out DIR [--map] [--keep-domain DOMAIN]...";

/// Runs the subcommand on its arguments (after `redact`). Returns the exit code: 0 ok, 2 on bad
/// arguments or an unreadable/unwritable file.
pub fn run(args: &[String]) -> i32 {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut out: Option<PathBuf> = None;
    let mut map = false;
    let mut options = RedactOptions::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--out" | "-o" => {
                let Some(d) = args.get(i + 1) else {
                    eprintln!("rcc-doctor redact: --out needs a directory\n{USAGE}");
                    return 2;
                };
                out = Some(PathBuf::from(d));
                i += 2;
                continue;
            }
            "--map" => map = true,
            "--keep-domain" => {
                let Some(d) = args.get(i + 1) else {
                    eprintln!("rcc-doctor redact: --keep-domain needs a domain\n{USAGE}");
                    return 2;
                };
                options.keep_domains.push(d.clone());
                i += 2;
                continue;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                println!("Writes each FILE redacted into DIR (same file names) with consistent pseudonyms.");
                println!("--map also writes DIR/mapping.json with the originals: keep it private.");
                return 0;
            }
            _ if a.starts_with("--out=") => out = Some(PathBuf::from(&a[6..])),
            _ if a.starts_with('-') && a.len() > 1 => {
                eprintln!("rcc-doctor redact: unknown option {a}\n{USAGE}");
                return 2;
            }
            _ => files.push(PathBuf::from(a)),
        }
        i += 1;
    }
    let Some(out) = out else {
        eprintln!("rcc-doctor redact: --out DIR is required\n{USAGE}");
        return 2;
    };
    if files.is_empty() {
        eprintln!("rcc-doctor redact: no input files\n{USAGE}");
        return 2;
    }
    // Read everything first: a missing file fails before anything is written.
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for f in &files {
        let name = match f.file_name() {
            Some(n) => n.to_string_lossy().to_string(),
            None => {
                eprintln!("rcc-doctor redact: {} is not a file", f.display());
                return 2;
            }
        };
        if inputs.iter().any(|(n, _)| *n == name) {
            eprintln!("rcc-doctor redact: two inputs are named {name}; their outputs would overwrite each other");
            return 2;
        }
        match std::fs::read(f) {
            Ok(b) => inputs.push((name, b)),
            Err(e) => {
                eprintln!("rcc-doctor redact: cannot read {}: {e}", f.display());
                return 2;
            }
        }
    }
    for (name, _) in &inputs {
        if same_file(&out.join(name), &files, name) {
            eprintln!(
                "rcc-doctor redact: refusing to overwrite the input {}",
                out.join(name).display()
            );
            return 2;
        }
    }
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("rcc-doctor redact: cannot create {}: {e}", out.display());
        return 2;
    }
    let mut r = Redactor::new(options);
    for (_, b) in &inputs {
        r.learn_bytes(b);
    }
    for (name, b) in &inputs {
        let red = r.redact_bytes(name, b);
        let path = out.join(name);
        if let Err(e) = std::fs::write(&path, red) {
            eprintln!("rcc-doctor redact: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    let report = r.report();
    println!(
        "Redacted {} into {}",
        rcc_core::report::counted(inputs.len(), "file"),
        out.display()
    );
    for c in &report.counts {
        println!(
            "  {:<6} {:>6} replaced ({} distinct)  {}",
            c.category.id(),
            c.occurrences,
            c.distinct,
            c.category.label()
        );
    }
    if map {
        let path = out.join("mapping.json");
        let json = serde_json::to_string_pretty(&report.mapping).unwrap_or_else(|_| "[]".into());
        if let Err(e) = std::fs::write(&path, json) {
            eprintln!("rcc-doctor redact: cannot write {}: {e}", path.display());
            return 2;
        }
        eprintln!(
            "warning: {} contains the ORIGINAL values (names, numbers, hosts). Keep it private; do not attach it to a ticket.",
            path.display()
        );
    }
    0
}

/// True when `target` is one of the input files (redacting into the input directory).
fn same_file(target: &Path, inputs: &[PathBuf], name: &str) -> bool {
    let Ok(t) = target.canonicalize() else {
        return false;
    };
    inputs.iter().any(|f| {
        f.file_name().is_some_and(|n| n.to_string_lossy() == name)
            && f.canonicalize().is_ok_and(|c| c == t)
    })
}
