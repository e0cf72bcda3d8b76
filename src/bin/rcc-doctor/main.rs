//! `rcc-doctor`: the command-line face of the core (see `rcc_doctor::core`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("rcc-doctor {}", rcc_doctor::core::version::VERSION);
        return;
    }
    eprintln!("usage: rcc-doctor analyze [--json] FILE...");
    std::process::exit(2);
}
