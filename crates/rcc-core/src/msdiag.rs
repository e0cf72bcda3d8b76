//! Microsoft's diagnostic codes as data: the `ms-diagnostics` ErrorIds and the Logging Tool's
//! `Result-Code` values (`data/diagnostic-codes.toml`, each row with its public source).
//!
//! Rows are matched on the number only (reason texts differ between server versions and
//! spacing varies: `1017; reason=...`), and result codes on their hex value or name. The
//! diagnosis shows the documented meaning next to the evidence, and a row that names a finding
//! backs it (marked as inferred where no source states it).

use crate::findings::FindingId;
use crate::knowledge::{data_json, load};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One `ms-diagnostics` ErrorId.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsDiagnosticCode {
    pub code: u32,
    /// The reason as the source spells it.
    pub reason: String,
    pub meaning: String,
    /// What it most likely says about a remote call control request.
    #[serde(default)]
    pub rcc: Option<String>,
    #[serde(default)]
    pub finding: Option<FindingId>,
    #[serde(default)]
    pub inferred: bool,
    pub source: String,
    pub range: String,
    /// The source says the TLS connection to the next hop failed on its certificate: the hop
    /// was reached over TLS.
    #[serde(default)]
    pub tls_certificate: bool,
}

/// One Logging Tool `Result-Code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultCode {
    pub name: String,
    #[serde(default)]
    pub hex: Option<String>,
    pub meaning: String,
    #[serde(default)]
    pub rcc: Option<String>,
    #[serde(default)]
    pub finding: Option<FindingId>,
    #[serde(default)]
    pub inferred: bool,
    pub source: String,
    /// As [`MsDiagnosticCode::tls_certificate`].
    #[serde(default)]
    pub tls_certificate: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct Range {
    from: u32,
    to: u32,
    name: String,
}

#[derive(Deserialize)]
struct CodesFile {
    ms_diagnostics: Vec<MsDiagnosticCode>,
    result_codes: Vec<ResultCode>,
    ms_diagnostics_ranges: Vec<Range>,
}

fn file() -> &'static CodesFile {
    static FILE: OnceLock<CodesFile> = OnceLock::new();
    FILE.get_or_init(|| load("diagnostic-codes", data_json!("diagnostic-codes")))
}

/// The documented row of an `ms-diagnostics` code.
pub fn ms_diagnostic(code: u32) -> Option<&'static MsDiagnosticCode> {
    file().ms_diagnostics.iter().find(|r| r.code == code)
}

/// The name of the range a code falls in (`SIP stack`, `VoIP inbound routing`), for codes
/// without a row of their own.
pub fn range_name(code: u32) -> Option<&'static str> {
    file()
        .ms_diagnostics_ranges
        .iter()
        .find(|r| (r.from..=r.to).contains(&code))
        .map(|r| r.name.as_str())
}

/// The row of a Logging Tool result code, from a record's `Result-Code: 0xc3e93c5e NAME` or a
/// header line's `Result 0xC3E93C5E(NAME)`: matched on the hex value, else on the name.
pub fn result_code(text: &str) -> Option<&'static ResultCode> {
    let rows = &file().result_codes;
    let lower = text.to_ascii_lowercase();
    let hex = lower.find("0x").map(|i| {
        lower[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
    });
    if let Some(h) = hex.filter(|h| h.len() > 2) {
        if let Some(r) = rows
            .iter()
            .find(|r| r.hex.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&h)))
        {
            return Some(r);
        }
    }
    // By name: the longest name written as a whole word (SIPPROXY_E_ROUTING is a prefix of
    // SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH).
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let words: Vec<&str> = text.split(|c: char| !word(c)).collect();
    rows.iter()
        .filter(|r| words.contains(&r.name.as_str()))
        .max_by_key(|r| r.name.len())
}

/// A one-line documented meaning of a code, for showing next to the evidence:
/// `1010: Certificate trust with next-hop server could not be established (MS-OCER)`.
pub fn describe_ms_diagnostic(code: u32) -> Option<String> {
    match ms_diagnostic(code) {
        Some(r) => Some(format!("{code} means: {}", r.meaning)),
        None => range_name(code).map(|n| format!("{code} is a {n} code (no documented row)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_loads_with_unique_codes_and_sources() {
        let f = file();
        assert!(f.ms_diagnostics.len() > 40);
        let mut codes: Vec<u32> = f.ms_diagnostics.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate codes");
        for r in &f.ms_diagnostics {
            assert!(r.source.starts_with("http"), "{}", r.code);
            assert!(
                range_name(r.code).is_some(),
                "{} outside every range",
                r.code
            );
        }
    }

    #[test]
    fn codes_match_on_the_number_and_result_codes_on_hex_or_name() {
        assert_eq!(
            ms_diagnostic(1010).and_then(|r| r.finding),
            Some(FindingId::TlsTransportMismatch)
        );
        assert!(ms_diagnostic(1003).is_some());
        let r = result_code("Result 0xC3E93C5E(SIPPROXY_E_ROUTING)").unwrap();
        assert_eq!(r.name, "SIPPROXY_E_ROUTING");
        assert_eq!(
            result_code("0xc3e93d67 SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH")
                .unwrap()
                .finding,
            Some(FindingId::TlsTransportMismatch)
        );
        assert!(result_code("0x00000000 S_OK").is_none());
        assert!(describe_ms_diagnostic(1019).is_some_and(|s| s.contains("SIP stack")));
    }
}
