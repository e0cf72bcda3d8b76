//! `rcc-doctor`: the command-line face of the core (`rcc_core`).
//!
//! Exit codes: 0 success (findings or not), 2 bad usage or unreadable input. It never panics on
//! input: readers turn bad bytes into problems with line numbers.

mod analyze;
#[cfg(unix)]
mod map;
mod redact;

const USAGE: &str = "\
rcc-doctor: find why Office Communicator cannot control the desk phone (remote call control)

USAGE:
    rcc-doctor analyze [OPTIONS] [LOG...]    read logs, AD attributes and routing rules; diagnose
    rcc-doctor profiles                      list the gateway profiles
    rcc-doctor redact FILE... --out DIR [--map]   write the files with consistent pseudonyms
    rcc-doctor --version

ANALYZE OPTIONS:
    --json               print the analysis as JSON (schema: README, \"JSON output\")
    --profile ID         gateway profile: nortel (default), cisco, avaya, generic
    --ad FILE            the user's AD attributes (LDIF, dsquery, PowerShell or name: value)
    --routes FILE        routing rules in the documented text form
    --sign-in ADDRESS    the address the user signs in with
    --generation ID      the server generation: lcs2005, ocs2007, ocs2007r2, lync2010, lync2013
                         (else read from the logs)
    --offset FILE=MS     shift the timestamps of LOG file FILE by MS milliseconds
    --timings            also print to stderr where the run spent its time (one line of JSON)
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("rcc-doctor {}", rcc_core::version::VERSION);
            0
        }
        Some("--help") | Some("-h") | Some("help") => {
            print!("{USAGE}");
            0
        }
        Some("analyze") => analyze::run(&args[1..]),
        Some("redact") => redact::run(&args[1..]),
        Some("profiles") => {
            for p in rcc_core::profile::profiles() {
                println!("{:<10} {}", p.id, p.name);
            }
            0
        }
        Some(other) => {
            eprintln!("rcc-doctor: unknown command `{other}`\n\n{USAGE}");
            2
        }
        None => {
            eprint!("{USAGE}");
            2
        }
    };
    std::process::exit(code);
}
