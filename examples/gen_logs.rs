//! Writes deterministic synthetic logs (Microsoft-style RCC mix) in every format:
//! `cargo run --release --example gen_logs -- OUT_DIR [MB...]` (default sizes 1 10 100).
//! Files: OUT_DIR/synth_<format>_<N>mb.<ext>.

use rcc_doctor::core::ingest::{synth, LogFormat};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "target/synth-logs".into());
    let mut sizes: Vec<usize> = args.filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![1, 10, 100];
    }
    std::fs::create_dir_all(&dir)?;
    for mb in sizes {
        for (format, name, ext) in [
            (LogFormat::RawSip, "raw", "txt"),
            (LogFormat::Uccapi, "uccapi", "uccapilog"),
            (LogFormat::ServerLog, "server", "log"),
            (LogFormat::WiresharkFollow, "wireshark", "txt"),
            (LogFormat::SippTrace, "sipp", "log"),
        ] {
            let bytes = synth::generate(format, mb << 20, 42);
            let path = format!("{dir}/synth_{name}_{mb}mb.{ext}");
            std::fs::write(&path, &bytes)?;
            println!("{path}: {} bytes", bytes.len());
        }
    }
    Ok(())
}
