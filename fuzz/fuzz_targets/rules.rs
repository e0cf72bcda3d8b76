//! Fuzzes the routing rules reader alone (the documented text form and admin tools' output:
//! wrapped Format-List values, WMI system properties, console prompts), under every gateway
//! profile, then scopes the Home Server's routes to a pool as the simulator does. The `pastes`
//! target reaches the same reader through the whole analysis, at a tenth of the speed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::profile::profile;
use rcc_core::routing::parse_rules;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for id in ["nortel", "cisco", "avaya", "generic"] {
        let p = profile(id).expect("a shipped profile");
        let parsed = parse_rules(&text, &p);
        for pr in &parsed.problems {
            assert!(pr.line >= 1, "a problem names its line");
        }
        let _ = parsed.config.for_pool(Some(("pool.contoso.com", true)));
        serde_json::to_string(&parsed).expect("rules serialise");
    }
});
