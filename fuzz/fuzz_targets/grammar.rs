//! Fuzzes the SIP grammar checkers (`rcc_core::ingest::grammar`) on arbitrary bytes: none may
//! panic, and the structural ones agree with each other where they must.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::ingest::grammar::{self as g, AddrRules, UriUse};

fuzz_target!(|v: &[u8]| {
    for use_ in [UriUse::Request, UriUse::Bracketed, UriUse::Bare] {
        let _ = g::uri(v, use_);
    }
    // A URI valid in a request line is valid inside <...> too.
    if g::uri(v, UriUse::Request).is_ok() {
        assert!(g::uri(v, UriUse::Bracketed).is_ok());
    }
    for (list, contact) in [(false, false), (true, false), (true, true)] {
        let _ = g::addresses(v, AddrRules { list, contact });
    }
    let _ = (g::via(v), g::cseq(v), g::call_id(v), g::date(v), g::warning(v));
    let _ = (g::retry_after(v), g::media_type(v), g::text(v, true), g::text(v, false));
    let _ = (g::hostport(v), g::host(v), g::ipv4(v), g::ipv6(v), g::delta_seconds(v));
    // Grading remembers a Via, From or To without its identifier: another identifier (any
    // non-empty run of token characters) must get the same verdict.
    let single = AddrRules::default();
    for which in [g::Identified::Via, g::Identified::Address] {
        if let Some((a, b)) = g::identifier_run(which, v) {
            let verdict = |v: &[u8]| match which {
                g::Identified::Via => g::via(v).is_ok(),
                g::Identified::Address => g::addresses(v, single).is_ok(),
            };
            for other in [&b"%"[..], b"z9hG4bK-1.x", b"'~`!*+_"] {
                let swapped = [&v[..a], other, &v[b..]].concat();
                assert_eq!(verdict(v), verdict(&swapped), "{:?}", String::from_utf8_lossy(v));
            }
        }
    }
    let n: usize = g::split_outside_quotes(v, b',').map(<[u8]>::len).sum();
    assert!(n <= v.len());
});
