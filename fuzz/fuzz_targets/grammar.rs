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
    let n: usize = g::split_outside_quotes(v, b',').map(<[u8]>::len).sum();
    assert!(n <= v.len());
});
