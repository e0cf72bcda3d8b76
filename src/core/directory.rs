//! Directory checks: the user's Active Directory attributes, as pasted or typed, checked on their
//! own and against what the client received. (Parsers and checks are being written; the types
//! below are the contract other modules build on.)

use crate::core::evidence::Evidence;
use serde::{Deserialize, Serialize};

/// One attribute value with the paste line it came from (1-based), for evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdValue {
    pub value: String,
    pub line: Option<u32>,
}

/// The msRTCSIP-* attributes RCC depends on. `None` means not supplied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdAttributes {
    /// `msRTCSIP-UserEnabled` (TRUE/FALSE as written).
    pub user_enabled: Option<AdValue>,
    /// `msRTCSIP-PrimaryUserAddress`, e.g. `sip:alice@contoso.com`.
    pub primary_user_address: Option<AdValue>,
    /// `msRTCSIP-PrimaryHomeServer` (a DN).
    pub primary_home_server: Option<AdValue>,
    /// `msRTCSIP-Line`: the line URI (`tel:+14255550123;ext=123` or a SIP URI).
    pub line: Option<AdValue>,
    /// `msRTCSIP-LineServer`: the remote call control SIP URI.
    pub line_server: Option<AdValue>,
    /// `msRTCSIP-OptionFlags` as written (decimal, or hex with 0x).
    pub option_flags: Option<AdValue>,
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Warning,
    Unknown,
}

/// One directory check: what was checked, the verdict, why, the value, and the exact fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable id, e.g. `line-server-uri-valid`.
    pub id: String,
    pub status: CheckStatus,
    pub title: String,
    /// One line: why this status.
    pub why: String,
    pub value: Option<String>,
    /// Exact fix: console, tab, field. Empty on pass.
    pub fix: Vec<String>,
    pub evidence: Vec<Evidence>,
}
