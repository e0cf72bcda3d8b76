//! Writes deterministic synthetic logs (Microsoft-style RCC mix) in every format:
//! `cargo run --release --example gen_logs -- OUT_DIR [--formats raw,uccapi,...] [MB...]`
//! (default: every format, sizes 1 10 100). Formats: raw, uccapi, server, wireshark, sipp.
//! Files: OUT_DIR/synth_<format>_<N>mb.<ext>; one line per file: `PATH: BYTES bytes`.

use rcc_core::ingest::{synth, LogFormat};

const FORMATS: [(LogFormat, &str, &str); 5] = [
    (LogFormat::RawSip, "raw", "txt"),
    (LogFormat::Uccapi, "uccapi", "uccapilog"),
    (LogFormat::ServerLog, "server", "log"),
    (LogFormat::WiresharkFollow, "wireshark", "txt"),
    (LogFormat::SippTrace, "sipp", "log"),
];

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "target/synth-logs".into());
    let mut sizes = Vec::new();
    let mut only: Option<Vec<String>> = None;
    while let Some(a) = args.next() {
        if a == "--formats" {
            only = Some(
                args.next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
                    .collect(),
            );
        } else if let Ok(mb) = a.parse::<usize>() {
            sizes.push(mb);
        } else {
            eprintln!("gen_logs: not a size in MB: {a}");
            std::process::exit(2);
        }
    }
    if sizes.is_empty() {
        sizes = vec![1, 10, 100];
    }
    if let Some(names) = &only {
        if let Some(bad) = names.iter().find(|n| !FORMATS.iter().any(|f| f.1 == *n)) {
            eprintln!("gen_logs: unknown format {bad} (raw, uccapi, server, wireshark, sipp)");
            std::process::exit(2);
        }
    }
    std::fs::create_dir_all(&dir)?;
    for mb in sizes {
        for (format, name, ext) in FORMATS {
            if only.as_ref().is_some_and(|o| !o.iter().any(|n| n == name)) {
                continue;
            }
            let bytes = synth::generate(format, mb << 20, 42);
            let path = format!("{dir}/synth_{name}_{mb}mb.{ext}");
            std::fs::write(&path, &bytes)?;
            println!("{path}: {} bytes", bytes.len());
        }
    }
    Ok(())
}
