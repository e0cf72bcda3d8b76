//! The seed's client trace buried in megabytes of unrelated synthetic traffic (presence, IM,
//! media) still gives the seed's finding, on the same failing leg. (How fast is measured in the
//! benchmarks, not here.)

use crate::support::Run;
use rcc_core::example::nortel_seed;
use rcc_core::findings::FindingId;
use rcc_core::ingest::{synth, LogFormat};

#[test]
fn the_seed_is_found_in_a_big_log_of_other_traffic() {
    let noise = synth::generate(LogFormat::Uccapi, 4 << 20, 7);
    let seed = nortel_seed();
    let (name, text) = seed.logs[0];
    let mut big = noise;
    big.extend_from_slice(b"\n");
    big.extend_from_slice(text.as_bytes());
    let mut run = Run::new("nortel").sign_in(seed.sign_in);
    run.logs.push((name.to_string(), big));
    let a = run.analyze();
    assert!(a.messages > 1000, "{}", a.messages);
    let f = a
        .diagnosis
        .findings
        .iter()
        .find(|f| f.id == FindingId::HomeServerRouteMissing)
        .unwrap_or_else(|| panic!("{:?}", a.diagnosis.findings));
    let leg = f.leg.as_ref().expect("a leg");
    assert_eq!(
        (leg.from.as_str(), leg.to.as_str()),
        ("home-server", "app-proxy")
    );
}

/// A log of one call pasted many times over (the same Call-IDs, CSeqs and branches: a trace
/// appended to itself, or a test tool replaying one capture) reads as that call: the same
/// findings on the same legs, each answer's copies kept as a few lines of evidence, not
/// hundreds (keeping and comparing every copy made such a log quadratic to read).
#[test]
fn one_call_repeated_many_times_reads_as_that_call() {
    let seed = nortel_seed();
    let (name, text) = seed.logs[0];
    let mut once = Run::new("nortel").sign_in(seed.sign_in);
    once.logs.push((name.to_string(), text.as_bytes().to_vec()));
    let once = once.analyze();
    let mut many = Run::new("nortel").sign_in(seed.sign_in);
    many.logs
        .push((name.to_string(), text.repeat(300).into_bytes()));
    let many = many.analyze();
    let ids = |a: &rcc_core::analysis::AnalysisSummary| {
        a.diagnosis
            .findings
            .iter()
            .map(|f| (f.id, f.leg.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&many), ids(&once));
    for f in &many.diagnosis.findings {
        assert!(
            f.evidence.len() <= 40,
            "{:?}: {} evidence entries",
            f.id,
            f.evidence.len()
        );
    }
}
