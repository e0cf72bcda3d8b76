//! The engine stays fast on big logs: the seed's client trace buried in megabytes of unrelated
//! synthetic traffic still gives the seed's finding, well within a second per megabyte.

use rcc_core::diagnosis::{diagnose, DiagnosisInput};
use rcc_core::example::nortel_seed;
use rcc_core::ingest::{ingest, synth, InputFile, LogFormat};
use rcc_core::profile::profile;
use std::time::Instant;

#[test]
fn seed_found_in_a_big_log_quickly() {
    let noise = synth::generate(LogFormat::Uccapi, 4 << 20, 7);
    let seed = nortel_seed();
    let (name, text) = seed.logs[0];
    let mut big = noise.clone();
    big.extend_from_slice(b"\n");
    big.extend_from_slice(text.as_bytes());
    let ing = ingest(&[InputFile { name, bytes: &big }]);
    assert!(ing.messages.len() > 1000, "{}", ing.messages.len());
    let mut input = DiagnosisInput::new(profile("nortel").unwrap());
    input.sign_in = Some(seed.sign_in.into());
    input.messages = ing.messages;
    input.events = ing.events;
    let t = Instant::now();
    let d = diagnose(&input);
    let took = t.elapsed();
    let ids: Vec<&str> = d.findings.iter().map(|f| f.id.as_str()).collect();
    assert!(ids.contains(&"home-server-route-missing"), "{ids:?}");
    assert!(took.as_secs_f64() < 5.0, "diagnose took {took:?}");
    eprintln!("diagnose over {} messages: {took:?}", input.messages.len());
}
