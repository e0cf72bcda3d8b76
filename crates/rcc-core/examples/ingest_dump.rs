use rcc_core::ingest::*;
fn main() {
    for p in std::env::args().skip(1) {
        let b = std::fs::read(&p).unwrap();
        let r = ingest(&[InputFile {
            name: &p,
            bytes: &b,
        }]);
        let f = &r.files[0];
        println!(
            "== {p}: {:?} lines={} msgs={} clean={} rep={} part={} ev={}",
            f.format, f.lines, f.messages, f.clean, f.repaired, f.partial, f.events
        );
        for pr in &f.problems {
            println!("  PROBLEM {} {}", pr.line, pr.message);
        }
        for m in &r.messages {
            println!(
                "  {}-{} {:?} {:?} {} body={} {:?}",
                m.source.line_start,
                m.source.line_end,
                m.direction,
                m.timestamp().map(|t| t.written),
                m.start_line_text(),
                m.body().len(),
                m.quality()
            );
        }
        for e in &r.events {
            println!(
                "  EV {}-{} {:?}",
                e.source.line_start, e.source.line_end, e.fields
            );
        }
        println!("  dialogs={} txns={}", r.dialogs.len(), r.transaction_count);
    }
}
