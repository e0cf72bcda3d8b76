//! Fuzzes what the admin pastes, through the one door into the analysis: the bytes split at
//! their first 0xFF into the routing rules text (the documented form, or Lync's and OCS's admin
//! tools' output) and the AD paste, analysed under every gateway profile with a Get-CsUser-style
//! pool so that the static routing collections are chosen. Nothing may panic, and the summary
//! must serialise.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rcc_core::analysis::{analyze, AnalysisInput, Hooks, Options};

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (rules, ad) = data.split_at(cut);
    let rules_text = String::from_utf8_lossy(rules).into_owned();
    let ad_text = String::from_utf8_lossy(ad.get(1..).unwrap_or_default()).into_owned();
    for profile in ["nortel", "cisco", "avaya", "generic"] {
        let input = AnalysisInput {
            profile_id: profile.into(),
            rules_text: rules_text.clone(),
            ad_text: ad_text.clone(),
            ..AnalysisInput::default()
        };
        let (summary, _) = analyze(input, Vec::new(), &mut Hooks::default(), Options::default());
        serde_json::to_string(&summary).expect("a summary serialises");
    }
});
