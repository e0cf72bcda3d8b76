//! `rcc-doctor`: the command-line face of the core (see `rcc_doctor::core`).

mod redact;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "redact") {
        std::process::exit(redact::run(&args[1..]));
    }
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("rcc-doctor {}", rcc_doctor::core::version::VERSION);
        return;
    }
    eprintln!("usage: rcc-doctor analyze [--json] FILE...");
    std::process::exit(2);
}
