//! Directory checks: the user's Active Directory attributes, as pasted or typed, checked on their
//! own and against what the client received.
//!
//! * [`parse_paste`] reads what admins actually copy: `ldifde` LDIF, `dsquery * -attr ...` /
//!   `dsget` column output, PowerShell `Get-ADUser ... | Format-List`, and ADSI Edit style
//!   `name: value` / `name = value` / `name<TAB>value` lines.
//! * [`attributes_from_fields`] builds [`AdAttributes`] from the one-field-per-attribute form.
//! * [`decode_option_flags`] explains `msRTCSIP-OptionFlags` bit by bit (table in
//!   `data/option-flags.toml`).
//! * [`check`] runs the checks below; [`validate_sip_uri`] / [`validate_tel_uri`] are shared.
//!
//! # Check ids (stable)
//!
//! | id | passes when | inputs |
//! |---|---|---|
//! | `user-enabled` | `msRTCSIP-UserEnabled` is TRUE | AD |
//! | `primary-user-address-valid` | `msRTCSIP-PrimaryUserAddress` is `sip:user@host`, no spaces, not `sips:` | AD |
//! | `sign-in-matches` | the primary address equals the sign-in address | AD + wizard sign-in |
//! | `line-server-uri-present` | `msRTCSIP-LineServer` is set | AD |
//! | `line-server-uri-valid` | `msRTCSIP-LineServer` is a SIP URI with a user and a host | AD |
//! | `line-uri-present` | `msRTCSIP-Line` is set | AD |
//! | `line-uri-valid` | `msRTCSIP-Line` is an RFC 3966 tel URI or a SIP URI (warning: `tel:5123` without `;phone-context=`) | AD |
//! | `line-uri-form-matches-profile` | the line URI's form is one the gateway profile accepts ([`LineUriForm::from_examples`] reads a profile's examples) | AD + profile |
//! | `rcc-enabled` | option flag 16 (remote call control) is set | AD |
//! | `line-server-routed` | the routing module found a route to the line server | routing |
//! | `provisioning-line-matches` | the line URI the client received equals the AD value | AD + log |
//! | `provisioning-server-matches` | the line server URI the client received equals the AD value | AD + log |
//! | `invite-uri-matches-line-server` | the CSTA INVITE went to the line server URI | AD/log + log |
//! | `csta-device-matches-line` | the CSTA device id (e.g. `MonitorStart`) is the line URI | AD + log |
//!
//! Every check carries evidence unless its status is `unknown`; an `unknown` check's `why` says
//! what would decide it.

mod checks;
mod flags;
mod paste;

pub use checks::{check, CheckContext, ObservedProvisioning, RouteVerdict, CHECK_IDS};

/// The evidence field of the address the user signs in with (the case's, the checks'), by
/// which the diagnosis knows a finding that rests on it.
pub const SIGN_IN_ADDRESS: &str = "sign-in address";
pub use flags::{
    decode_option_flags, option_flag_table, parse_option_flags, FlagBit, OptionFlagDef, RccOn,
    RCC_MASK,
};
pub use paste::{
    parse_paste, parse_paste_for, AdFormat, AdPaste, Ignored, PasteProblem, Recognised,
};

use crate::evidence::Evidence;
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
    /// Lync's `RemoteCallControlTelephonyEnabled` (`Get-CsUser`: True / False), the same switch
    /// as option flag 16.
    #[serde(default)]
    pub rcc_enabled: Option<AdValue>,
    /// Attributes the paste shows were not exported: a column export (dsquery `-attr`,
    /// Format-Table) lists the attributes asked for in its header, and one missing there says
    /// nothing of the user (where an LDIF or a list export omits what is not set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_exported: Vec<RccAttribute>,
    /// The paste is Lync's `Get-CsUser`: its values are shown under its property names
    /// ([`RccAttribute::lync_name`]), which the admin recognises.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lync_names: bool,
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

/// A directory check, by its stable id (the kebab-case name is the JSON and the UI's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// `user-enabled`
    UserEnabled,
    /// `primary-user-address-valid`
    PrimaryUserAddressValid,
    /// `sign-in-matches`
    SignInMatches,
    /// `line-server-uri-present`
    LineServerUriPresent,
    /// `line-server-uri-valid`
    LineServerUriValid,
    /// `line-uri-present`
    LineUriPresent,
    /// `line-uri-valid`
    LineUriValid,
    /// `line-uri-form-matches-profile`
    LineUriFormMatchesProfile,
    /// `rcc-enabled`
    RccEnabled,
    /// `line-server-routed`
    LineServerRouted,
    /// `provisioning-line-matches`
    ProvisioningLineMatches,
    /// `provisioning-server-matches`
    ProvisioningServerMatches,
    /// `invite-uri-matches-line-server`
    InviteUriMatchesLineServer,
    /// `csta-device-matches-line`
    CstaDeviceMatchesLine,
}

impl CheckId {
    /// Every check, in the order [`check`] returns them.
    pub const ALL: [CheckId; 14] = [
        CheckId::UserEnabled,
        CheckId::PrimaryUserAddressValid,
        CheckId::SignInMatches,
        CheckId::LineServerUriPresent,
        CheckId::LineServerUriValid,
        CheckId::LineUriPresent,
        CheckId::LineUriValid,
        CheckId::LineUriFormMatchesProfile,
        CheckId::RccEnabled,
        CheckId::LineServerRouted,
        CheckId::ProvisioningLineMatches,
        CheckId::ProvisioningServerMatches,
        CheckId::InviteUriMatchesLineServer,
        CheckId::CstaDeviceMatchesLine,
    ];

    /// The stable id (`line-server-uri-valid`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::UserEnabled => "user-enabled",
            CheckId::PrimaryUserAddressValid => "primary-user-address-valid",
            CheckId::SignInMatches => "sign-in-matches",
            CheckId::LineServerUriPresent => "line-server-uri-present",
            CheckId::LineServerUriValid => "line-server-uri-valid",
            CheckId::LineUriPresent => "line-uri-present",
            CheckId::LineUriValid => "line-uri-valid",
            CheckId::LineUriFormMatchesProfile => "line-uri-form-matches-profile",
            CheckId::RccEnabled => "rcc-enabled",
            CheckId::LineServerRouted => "line-server-routed",
            CheckId::ProvisioningLineMatches => "provisioning-line-matches",
            CheckId::ProvisioningServerMatches => "provisioning-server-matches",
            CheckId::InviteUriMatchesLineServer => "invite-uri-matches-line-server",
            CheckId::CstaDeviceMatchesLine => "csta-device-matches-line",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tests and callers that name a check by its stable id compare it as written.
impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One directory check: what was checked, the verdict, why, the value, and the exact fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub status: CheckStatus,
    pub title: String,
    /// One line: why this status.
    pub why: String,
    pub value: Option<String>,
    /// Exact fix: console, tab, field. Empty on pass.
    pub fix: Vec<String>,
    pub evidence: Vec<Evidence>,
}

/// The attributes [`AdAttributes`] holds, with their canonical LDAP display names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RccAttribute {
    UserEnabled,
    PrimaryUserAddress,
    PrimaryHomeServer,
    Line,
    LineServer,
    OptionFlags,
    RemoteCallControl,
}

impl RccAttribute {
    /// All of them, in the order the UI form shows them.
    pub const ALL: [RccAttribute; 7] = [
        RccAttribute::UserEnabled,
        RccAttribute::PrimaryUserAddress,
        RccAttribute::PrimaryHomeServer,
        RccAttribute::LineServer,
        RccAttribute::Line,
        RccAttribute::OptionFlags,
        RccAttribute::RemoteCallControl,
    ];

    /// Canonical attribute name, e.g. `msRTCSIP-Line`.
    pub fn name(self) -> &'static str {
        match self {
            RccAttribute::UserEnabled => "msRTCSIP-UserEnabled",
            RccAttribute::PrimaryUserAddress => "msRTCSIP-PrimaryUserAddress",
            RccAttribute::PrimaryHomeServer => "msRTCSIP-PrimaryHomeServer",
            RccAttribute::Line => "msRTCSIP-Line",
            RccAttribute::LineServer => "msRTCSIP-LineServer",
            RccAttribute::OptionFlags => "msRTCSIP-OptionFlags",
            RccAttribute::RemoteCallControl => "RemoteCallControlTelephonyEnabled",
        }
    }

    /// The name `Get-CsUser` prints it under (Lync Server 2010 / 2013); option flags have
    /// none (Lync sets them through its own switches).
    pub fn lync_name(self) -> &'static str {
        match self {
            RccAttribute::UserEnabled => "Enabled",
            RccAttribute::PrimaryUserAddress => "SipAddress",
            RccAttribute::PrimaryHomeServer => "RegistrarPool",
            RccAttribute::Line => "LineURI",
            RccAttribute::LineServer => "LineServerURI",
            RccAttribute::OptionFlags => "msRTCSIP-OptionFlags",
            RccAttribute::RemoteCallControl => "RemoteCallControlTelephonyEnabled",
        }
    }

    /// The label the LCS 2005 / OCS 2007 property pages use for it.
    pub fn console_label(self) -> &'static str {
        match self {
            RccAttribute::UserEnabled => {
                "Enable user for Live Communications / Communications Server"
            }
            RccAttribute::PrimaryUserAddress => "Sign-in name (SIP URI)",
            RccAttribute::PrimaryHomeServer => "Server or pool",
            RccAttribute::Line => "Line URI",
            RccAttribute::LineServer => "Server URI (remote call control SIP URI)",
            RccAttribute::OptionFlags => "Enable remote call control",
            RccAttribute::RemoteCallControl => "Telephony: Remote call control (Lync)",
        }
    }

    /// Looks a name up case-insensitively: the LDAP name, or a console label an admin may type
    /// (`Line URI`, `Server URI`, `Remote call control SIP URI`, `Sign-in name`, ...).
    pub fn from_name(name: &str) -> Option<RccAttribute> {
        let n: String = name
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .flat_map(|c| c.to_lowercase())
            .collect();
        let a = match n.as_str() {
            "msrtcsipuserenabled" => RccAttribute::UserEnabled,
            "msrtcsipprimaryuseraddress" | "signinname" | "sipaddress" | "sipuri" => {
                RccAttribute::PrimaryUserAddress
            }
            "msrtcsipprimaryhomeserver" | "homeserver" => RccAttribute::PrimaryHomeServer,
            "msrtcsipline" | "lineuri" => RccAttribute::Line,
            "msrtcsiplineserver"
            | "serveruri"
            | "lineserver"
            | "lineserveruri"
            | "remotecallcontrolsipuri"
            | "rccsipuri" => RccAttribute::LineServer,
            "msrtcsipoptionflags" | "optionflags" => RccAttribute::OptionFlags,
            "remotecallcontroltelephonyenabled" | "rcctelephonyenabled" => {
                RccAttribute::RemoteCallControl
            }
            _ => return None,
        };
        Some(a)
    }
}

impl AdAttributes {
    /// Whether the paste says nothing of `a` (see [`AdAttributes::not_exported`]).
    pub fn not_exported(&self, a: RccAttribute) -> bool {
        self.get(a).is_none() && self.not_exported.contains(&a)
    }

    /// The value of one attribute, if supplied.
    pub fn get(&self, a: RccAttribute) -> Option<&AdValue> {
        match a {
            RccAttribute::UserEnabled => self.user_enabled.as_ref(),
            RccAttribute::PrimaryUserAddress => self.primary_user_address.as_ref(),
            RccAttribute::PrimaryHomeServer => self.primary_home_server.as_ref(),
            RccAttribute::Line => self.line.as_ref(),
            RccAttribute::LineServer => self.line_server.as_ref(),
            RccAttribute::OptionFlags => self.option_flags.as_ref(),
            RccAttribute::RemoteCallControl => self.rcc_enabled.as_ref(),
        }
    }

    /// The slot for one attribute.
    pub fn slot_mut(&mut self, a: RccAttribute) -> &mut Option<AdValue> {
        match a {
            RccAttribute::UserEnabled => &mut self.user_enabled,
            RccAttribute::PrimaryUserAddress => &mut self.primary_user_address,
            RccAttribute::PrimaryHomeServer => &mut self.primary_home_server,
            RccAttribute::Line => &mut self.line,
            RccAttribute::LineServer => &mut self.line_server,
            RccAttribute::OptionFlags => &mut self.option_flags,
            RccAttribute::RemoteCallControl => &mut self.rcc_enabled,
        }
    }

    /// True when no attribute was supplied at all.
    pub fn is_empty(&self) -> bool {
        RccAttribute::ALL.iter().all(|a| self.get(*a).is_none())
    }

    /// The name the paste shows `a` under: the LDAP name, or Lync's property name.
    pub fn name(&self, a: RccAttribute) -> &'static str {
        if self.lync_names {
            a.lync_name()
        } else {
            a.name()
        }
    }

    /// `text` with the LDAP names written as the paste shows them (a Get-CsUser paste says
    /// LineURI, not msRTCSIP-Line).
    pub fn named_as_pasted(&self, text: &str) -> String {
        if !self.lync_names {
            return text.to_string();
        }
        // Longest first: msRTCSIP-Line is the start of msRTCSIP-LineServer.
        let mut order = RccAttribute::ALL;
        order.sort_by_key(|a| std::cmp::Reverse(a.name().len()));
        let named = order
            .iter()
            .fold(text.to_string(), |t, a| t.replace(a.name(), a.lync_name()));
        // "LCS/OCS" as the product, not within a label that lists Lync too ("LCS/OCS/Lync").
        crate::generation::rename_product(&named, "LCS/OCS", "Lync Server", |after| {
            after.starts_with('/')
        })
    }

    /// Evidence pointing at one supplied attribute.
    pub fn evidence(&self, a: RccAttribute) -> Option<Evidence> {
        self.get(a).map(|v| Evidence::Attribute {
            name: self.name(a).to_string(),
            value: v.value.clone(),
        })
    }
}

/// The UI's one-field-per-attribute form: raw text as typed (empty = not supplied).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdFields {
    pub user_enabled: String,
    pub primary_user_address: String,
    pub primary_home_server: String,
    pub line: String,
    pub line_server: String,
    pub option_flags: String,
    #[serde(default)]
    pub rcc_enabled: String,
}

impl AdFields {
    /// The form field of one attribute.
    pub fn field_mut(&mut self, a: RccAttribute) -> &mut String {
        match a {
            RccAttribute::UserEnabled => &mut self.user_enabled,
            RccAttribute::PrimaryUserAddress => &mut self.primary_user_address,
            RccAttribute::PrimaryHomeServer => &mut self.primary_home_server,
            RccAttribute::Line => &mut self.line,
            RccAttribute::LineServer => &mut self.line_server,
            RccAttribute::OptionFlags => &mut self.option_flags,
            RccAttribute::RemoteCallControl => &mut self.rcc_enabled,
        }
    }

    /// The form field of one attribute, read.
    pub fn field(&self, a: RccAttribute) -> &str {
        match a {
            RccAttribute::UserEnabled => &self.user_enabled,
            RccAttribute::PrimaryUserAddress => &self.primary_user_address,
            RccAttribute::PrimaryHomeServer => &self.primary_home_server,
            RccAttribute::Line => &self.line,
            RccAttribute::LineServer => &self.line_server,
            RccAttribute::OptionFlags => &self.option_flags,
            RccAttribute::RemoteCallControl => &self.rcc_enabled,
        }
    }
}

/// Builds [`AdAttributes`] from the form: values trimmed, empty fields left `None`, `line: None`
/// (typed values have no paste line).
pub fn attributes_from_fields(fields: &AdFields) -> AdAttributes {
    let mut attrs = AdAttributes::default();
    for a in RccAttribute::ALL {
        let t = fields.field(a).trim();
        *attrs.slot_mut(a) = (!t.is_empty()).then(|| AdValue {
            value: t.to_string(),
            line: None,
        });
    }
    attrs
}

/// The inverse of [`attributes_from_fields`]: fills the form from parsed attributes (e.g. after a
/// paste, so the admin can correct a value by hand).
pub fn fields_from_attributes(attrs: &AdAttributes) -> AdFields {
    let mut fields = AdFields::default();
    for a in RccAttribute::ALL {
        *fields.field_mut(a) = attrs.get(a).map(|v| v.value.clone()).unwrap_or_default();
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_accept_console_labels() {
        assert_eq!(
            RccAttribute::from_name("MSRTCSIP-LINESERVER"),
            Some(RccAttribute::LineServer)
        );
        assert_eq!(
            RccAttribute::from_name("Line URI"),
            Some(RccAttribute::Line)
        );
        assert_eq!(RccAttribute::from_name("msRTCSIP-Lines"), None);
        for a in RccAttribute::ALL {
            assert_eq!(RccAttribute::from_name(a.name()), Some(a));
        }
    }

    #[test]
    fn fields_round_trip() {
        let f = AdFields {
            line: "  tel:+14255550123;ext=123 ".into(),
            line_server: "sip:rcc@mcm.contoso.com".into(),
            ..Default::default()
        };
        let a = attributes_from_fields(&f);
        assert_eq!(a.line.as_ref().unwrap().value, "tel:+14255550123;ext=123");
        assert_eq!(a.line.as_ref().unwrap().line, None);
        assert!(a.user_enabled.is_none());
        assert_eq!(fields_from_attributes(&a).line, "tel:+14255550123;ext=123");
    }
}
