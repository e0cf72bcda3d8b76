//! The directory checks (ids documented in the module above).

use super::flags::{decode_option_flags, RccOn, ENHANCED_PRESENCE_MASK, RCC_MASK};
use super::{AdAttributes, Check, CheckId, CheckStatus, RccAttribute};
use crate::evidence::Evidence;
use crate::generation::in_client_words;
use crate::generation::Generation;
use crate::uri::{
    classify_line_uri, line_uris_equivalent, parse_line_uri_lenient, sip_uris_equivalent,
    validate_line_uri, validate_sip_uri, LineUri, LineUriForm,
};
use serde::{Deserialize, Serialize};

/// Every check id, in the order [`check`] returns them.
pub const CHECK_IDS: [CheckId; 14] = CheckId::ALL;

/// The routing module's verdict on whether the Home Server routes requests for the line server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteVerdict {
    pub routed: bool,
    pub detail: String,
    pub evidence: Vec<Evidence>,
    /// Next hops taken to be the expected server because nothing said otherwise: routed only
    /// if they are (the check is then a warning that asks to confirm).
    #[serde(default)]
    pub assumed: Vec<String>,
    /// The matching URI of the Home Server route the simulation says to add (`user@host` when
    /// the line server's host is the users' own domain), when it says to add one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_pattern: Option<String>,
}

/// What the logs showed the client received and sent (filled by the diagnosis engine).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedProvisioning {
    /// Line URI in the provisioning answer (empty string: the answer had none).
    pub line_uri: Option<(String, Evidence)>,
    /// Remote call control SIP URI in the provisioning answer (empty string: none).
    pub line_server_uri: Option<(String, Evidence)>,
    /// Request-URI of the CSTA INVITE.
    pub invite_request_uri: Option<(String, Evidence)>,
    /// Device id in the CSTA body (`MonitorStart` `deviceObject`, the RCC extension's line).
    pub csta_device: Option<(String, Evidence)>,
}

impl ObservedProvisioning {
    /// Records a provisioning answer found in a log. A value the answer lacks is recorded as an
    /// empty string, which the checks report as "the client received none".
    pub fn record_provisioning(&mut self, p: &crate::extract::Provisioning) {
        self.line_uri = Some((p.line_uri.clone().unwrap_or_default(), p.evidence.clone()));
        self.line_server_uri = Some((
            p.line_server_uri.clone().unwrap_or_default(),
            p.evidence.clone(),
        ));
    }
}

/// Everything beyond the attributes that some checks need. Empty = those checks are `unknown`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckContext {
    /// The address the user signs in with (`alice@contoso.com` or `sip:alice@contoso.com`).
    pub sign_in: Option<String>,
    /// What the gateway profile accepts; empty = any.
    pub line_uri_forms: Vec<LineUriForm>,
    pub line_server_route: Option<RouteVerdict>,
    pub observed: ObservedProvisioning,
    /// The server generation, when known: fix lines written for another one are left out.
    pub generation: Option<Generation>,
    /// Whether the gateway profile puts an Application Proxy before the gateway (Nortel's MCM),
    /// whose route back to the Home Server is then part of the routing fix; `None`: not known.
    pub application_proxy: Option<bool>,
}

fn title(id: CheckId) -> &'static str {
    match id {
        CheckId::UserEnabled => "User enabled for LCS/OCS",
        CheckId::PrimaryUserAddressValid => "SIP address (msRTCSIP-PrimaryUserAddress) is valid",
        CheckId::SignInMatches => "SIP address matches the sign-in address",
        CheckId::LineServerUriPresent => "Remote call control SIP URI (Server URI) is set",
        CheckId::LineServerUriValid => "Remote call control SIP URI is a valid SIP URI",
        CheckId::LineUriPresent => "Line URI is set",
        CheckId::LineUriValid => "Line URI is a valid tel or SIP URI",
        CheckId::LineUriFormMatchesProfile => "Line URI form is one the gateway accepts",
        CheckId::RccEnabled => "Remote call control is enabled (option flag 16)",
        CheckId::LineServerRouted => "Home Server routes requests for the line server",
        CheckId::ProvisioningLineMatches => "Client received the AD line URI",
        CheckId::ProvisioningServerMatches => "Client received the AD remote call control SIP URI",
        CheckId::InviteUriMatchesLineServer => {
            "CSTA INVITE went to the remote call control SIP URI"
        }
        CheckId::CstaDeviceMatchesLine => "CSTA device is the line URI",
    }
}

fn mk(
    id: CheckId,
    status: CheckStatus,
    why: impl Into<String>,
    value: Option<String>,
    fix: Vec<String>,
    evidence: Vec<Evidence>,
) -> Check {
    Check {
        id,
        status,
        title: title(id).to_string(),
        why: why.into(),
        value,
        fix: if status == CheckStatus::Pass {
            Vec::new()
        } else {
            fix
        },
        evidence: if status == CheckStatus::Unknown {
            Vec::new()
        } else {
            evidence
        },
    }
}

fn unknown(id: CheckId, why: impl Into<String>) -> Check {
    mk(id, CheckStatus::Unknown, why, None, Vec::new(), Vec::new())
}

const NO_DATA: &str = "No directory data yet: paste the user's attributes or fill in the form (directory step) to decide this.";

/// The Lync command that enables remote call control for `user` with its two URIs.
fn set_csuser(user: &str, server: &str, line: &str) -> String {
    format!(
        "Set-CsUser -Identity \"{user}\" -LineServerURI \"{server}\" -LineURI \"{line}\" -RemoteCallControlTelephonyEnabled $true"
    )
}

/// The property-page path to a remote call control field, for LCS 2005 SP1 and OCS 2007, and
/// the Set-CsUser line for Lync, with the values to enter.
fn rcc_console_fix(server: &str, line: &str, user: &str, client: &str) -> Vec<String> {
    let setting = dialog(server, line);
    vec![
        format!("LCS 2005 SP1: Active Directory Users and Computers → the user → Properties → Live Communications tab → Advanced Settings… → {setting}"),
        format!("OCS 2007: Office Communications Server 2007 admin snap-in or Active Directory Users and Computers → the user → Properties → Communications tab → Advanced Settings: Configure… → Telephony → {setting}"),
        format!("Lync Server 2010 / 2013: Lync Server Control Panel → Users → the user → Edit → Telephony: Remote call control, with Line URI and Line Server URI; or in Lync Server Management Shell: {} (never edit a Lync user's msRTCSIP attributes directly).", set_csuser(user, server, line)),
        "LCS 2005 / OCS 2007, many users at once: the OCS 2007 Configure Users wizard does not cover these telephony fields, so set msRTCSIP-LineServer, msRTCSIP-Line and msRTCSIP-OptionFlags with ldifde (changetype: modify) or ADSI Edit.".to_string(),
        format!("Then allow Active Directory replication and have the user sign out of {client} and sign in again."),
    ]
}

fn attr_ev(attrs: &AdAttributes, a: RccAttribute) -> Vec<Evidence> {
    vec![attrs.evidence(a).unwrap_or_else(|| Evidence::Attribute {
        name: a.name().to_string(),
        value: "(not set)".to_string(),
    })]
}

fn value_of(attrs: &AdAttributes, a: RccAttribute) -> Option<String> {
    attrs.get(a).map(|v| v.value.clone())
}

/// Best guess at a corrected line URI (spaces, brackets, quotes removed; `tel:` added; a
/// global number's `;phone-context=` dropped, since RFC 3966 gives context to local numbers
/// only and Cisco's guides say not to add `phone-context=dialstring` to an E.164 number).
fn suggest_line(v: &str) -> Option<String> {
    let mut s: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && !"<>\"'".contains(*c))
        .collect();
    let low = s.to_ascii_lowercase();
    if !low.starts_with("tel:") && !low.starts_with("sip:") && !low.starts_with("sips:") {
        s = format!("tel:{s}");
    }
    let global_tel = s.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("tel:+"));
    if global_tel && validate_line_uri(&s).is_err() {
        s = s
            .split(';')
            .filter(|p| !p.to_ascii_lowercase().starts_with("phone-context="))
            .collect::<Vec<_>>()
            .join(";");
    }
    (validate_line_uri(&s).is_ok() && s != v).then_some(s)
}

fn suggest_sip(v: &str) -> Option<String> {
    let mut s: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && !"<>\"'".contains(*c))
        .collect();
    if !s.to_ascii_lowercase().starts_with("sip") {
        s = format!("sip:{s}");
    }
    (validate_sip_uri(&s).is_ok() && s != v).then_some(s)
}

const SERVER_PLACEHOLDER: &str = "<the gateway's SIP URI, e.g. sip:rcc@mcm.contoso.com>";
const LINE_PLACEHOLDER: &str = "<the phone's line URI, e.g. tel:+14255550123;ext=123>";
const USER_PLACEHOLDER: &str = "<the user's SIP address, e.g. sip:alice@contoso.com>";

/// The remote call control settings as the property page shows them.
fn dialog(server: &str, line: &str) -> String {
    format!("select 'Enable remote call control'; Server URI = {server}; Line URI = {line}")
}

/// Whether a fix line fits the generation: lines start with the product they are written for
/// ("LCS 2005", "OCS 2007", "LCS 2005 / OCS 2007", "Lync Server"); others fit every one.
fn fits(generation: Option<Generation>, line: &str) -> bool {
    let Some(g) = generation else {
        return true;
    };
    let lcs = line.starts_with("LCS 2005");
    let ocs = line.starts_with("OCS 2007") || line.starts_with("LCS 2005 / OCS 2007");
    let lync = line.starts_with("Lync Server");
    match g {
        _ if !(lcs || ocs || lync) => true,
        Generation::Lcs2005 => lcs,
        Generation::Ocs2007 | Generation::Ocs2007R2 => ocs,
        Generation::Lync2010 | Generation::Lync2013 => lync,
    }
}

/// Runs every directory check. Always returns one [`Check`] per id in [`CHECK_IDS`], in order,
/// with the fix lines of the case's generation.
pub fn check(attrs: &AdAttributes, ctx: &CheckContext) -> Vec<Check> {
    let mut checks = check_all(attrs, ctx);
    for c in &mut checks {
        c.fix.retain(|line| fits(ctx.generation, line));
        // The fix lines keep the LDAP names: the LCS and OCS lines edit those attributes.
        c.title = in_client_words(&attrs.named_as_pasted(&c.title), ctx.generation);
        c.why = in_client_words(&attrs.named_as_pasted(&c.why), ctx.generation);
        for line in &mut c.fix {
            *line = in_client_words(line, ctx.generation);
        }
    }
    checks
}

/// What every check reads: the attributes, the context, and what a fix shows for the field a
/// check is not about.
struct CheckInputs<'a> {
    attrs: &'a AdAttributes,
    ctx: &'a CheckContext,
    /// No attributes at all (a check then says "no data yet", not "not in the paste").
    empty: bool,
    /// The line server URI a fix shows: the current value when it is usable, a placeholder
    /// otherwise.
    server_shown: String,
    /// The line URI a fix shows, likewise.
    line_shown: String,
    /// The user's SIP address a fix shows (`Set-CsUser -Identity`).
    user_shown: String,
}

impl CheckInputs<'_> {
    /// Whether the paste says nothing of attribute `a`: no attributes at all, or a column
    /// export that did not ask for it ([`AdAttributes::not_exported`]).
    fn says_nothing_of(&self, a: RccAttribute) -> bool {
        self.empty || self.attrs.not_exported(a)
    }

    /// Why a check cannot decide without attribute `a`.
    fn missing(&self, a: RccAttribute) -> String {
        if self.empty {
            NO_DATA.to_string()
        } else {
            format!(
                "{} is not in the paste: include it to decide this.",
                a.name()
            )
        }
    }

    /// The console steps that set the line server URI to `server` (the line as shown).
    fn server_fix(&self, server: &str) -> Vec<String> {
        self.console_fix(server, &self.line_shown)
    }

    /// The console steps that set the line URI to `line` (the line server as shown).
    fn line_fix(&self, line: &str) -> Vec<String> {
        self.console_fix(&self.server_shown, line)
    }

    fn console_fix(&self, server: &str, line: &str) -> Vec<String> {
        let client = crate::generation::client_name(self.ctx.generation);
        rcc_console_fix(server, line, &self.user_shown, client)
    }
}

/// The checks in [`CHECK_IDS`] order, one function each (two for provisioning).
fn check_all(attrs: &AdAttributes, ctx: &CheckContext) -> Vec<Check> {
    // What the fix should show for the field a check is not about: the current value when it
    // is usable, a placeholder otherwise.
    let server_shown = value_of(attrs, RccAttribute::LineServer)
        .filter(|v| validate_sip_uri(v).is_ok())
        .unwrap_or_else(|| SERVER_PLACEHOLDER.to_string());
    let line_shown = value_of(attrs, RccAttribute::Line)
        .filter(|v| parse_line_uri_lenient(v).is_ok())
        .unwrap_or_else(|| LINE_PLACEHOLDER.to_string());
    let user_shown = value_of(attrs, RccAttribute::PrimaryUserAddress)
        .unwrap_or_else(|| USER_PLACEHOLDER.to_string());
    let c = CheckInputs {
        attrs,
        ctx,
        empty: attrs.is_empty(),
        server_shown,
        line_shown,
        user_shown,
    };
    let primary = value_of(attrs, RccAttribute::PrimaryUserAddress);
    let ls = value_of(attrs, RccAttribute::LineServer);
    let line = value_of(attrs, RccAttribute::Line);
    let mut out = Vec::with_capacity(CHECK_IDS.len());
    out.push(user_enabled(&c));
    out.push(primary_user_address_valid(&c, &primary));
    out.push(sign_in_matches(&c, &primary));
    out.push(line_server_uri_present(&c, &ls));
    out.push(line_server_uri_valid(&c, &ls));
    out.push(line_uri_present(&c, &line));
    out.push(line_uri_valid(&c, &line));
    out.push(line_uri_form_matches_profile(&c, &line));
    let (rcc, rcc_off) = rcc_enabled(&c);
    out.push(rcc);
    out.push(line_server_routed(&c, &ls));
    out.extend(provisioning_matches(&c, rcc_off));
    out.push(invite_uri_matches_line_server(&c));
    out.push(csta_device_matches_line(&c));
    out
}

/// user-enabled: msRTCSIP-UserEnabled is TRUE.
fn user_enabled(c: &CheckInputs) -> Check {
    let attrs = c.attrs;
    match value_of(attrs, RccAttribute::UserEnabled) {
        None => unknown(CheckId::UserEnabled, c.missing(RccAttribute::UserEnabled)),
        Some(v) => {
            let fix = vec![
                "LCS 2005 SP1: Active Directory Users and Computers → the user → Properties → Live Communications tab → check 'Enable Live Communications for this user'".to_string(),
                "OCS 2007: Active Directory Users and Computers → right-click the user → Enable users for Communications Server (wizard); or Properties → Communications tab → check 'Enable user for Office Communications Server'".to_string(),
                "Lync Server 2010 / 2013: Lync Server Control Panel → Users → Enable users (or Enable-CsUser in Lync Server Management Shell).".to_string(),
            ];
            let ev = attr_ev(attrs, RccAttribute::UserEnabled);
            match v.trim().to_ascii_lowercase().as_str() {
                "true" => mk(
                    CheckId::UserEnabled,
                    CheckStatus::Pass,
                    format!("msRTCSIP-UserEnabled is {}.", v.trim()),
                    Some(v),
                    fix,
                    ev,
                ),
                "false" => mk(
                    CheckId::UserEnabled,
                    CheckStatus::Fail,
                    format!(
                        "msRTCSIP-UserEnabled is {}: the user cannot sign in to LCS/OCS at all.",
                        v.trim()
                    ),
                    Some(v),
                    fix,
                    ev,
                ),
                _ => mk(
                    CheckId::UserEnabled,
                    CheckStatus::Warning,
                    format!("Unexpected value '{v}': AD stores this attribute as TRUE or FALSE."),
                    Some(v),
                    fix,
                    ev,
                ),
            }
        }
    }
}

/// primary-user-address-valid: msRTCSIP-PrimaryUserAddress is a plain sip:user@domain.
fn primary_user_address_valid(c: &CheckInputs, primary: &Option<String>) -> Check {
    let attrs = c.attrs;
    match &primary {
        None => unknown(
            CheckId::PrimaryUserAddressValid,
            c.missing(RccAttribute::PrimaryUserAddress),
        ),
        Some(v) => {
            let example = suggest_sip(v).unwrap_or_else(|| "sip:alice@contoso.com".into());
            let fix = vec![
                format!("LCS 2005 SP1: Active Directory Users and Computers → the user → Properties → Live Communications tab → Sign-in name = {example}"),
                format!("OCS 2007: Active Directory Users and Computers or the OCS 2007 admin snap-in → the user → Properties → Communications tab → Sign-in name = {example}"),
                format!("Lync Server 2010 / 2013: Set-CsUser -Identity <the user> -SipAddress {example} (or Lync Server Control Panel → Users → Edit → SIP address)."),
            ];
            let ev = attr_ev(attrs, RccAttribute::PrimaryUserAddress);
            let id = CheckId::PrimaryUserAddressValid;
            match validate_sip_uri(v) {
                Err(e) => mk(id, CheckStatus::Fail, format!("Not a valid SIP address: {e}."), Some(v.clone()), fix, ev),
                Ok(p) if p.user.is_none() => mk(id, CheckStatus::Fail, "No user part: the address must be sip:user@domain.", Some(v.clone()), fix, ev),
                Ok(p) if p.scheme == "sips" => mk(id, CheckStatus::Warning, "Uses sips: where Communicator signs in with sip:; the provisioning and routing comparisons may not match.", Some(v.clone()), fix, ev),
                Ok(p) if !p.params.is_empty() || p.port.is_some() => mk(id, CheckStatus::Warning, "The address carries a port or parameters; a user's SIP address is just sip:user@domain.", Some(v.clone()), fix, ev),
                Ok(_) => mk(id, CheckStatus::Pass, "A well-formed sip:user@domain address.", Some(v.clone()), fix, ev),
            }
        }
    }
}

/// sign-in-matches: the address the user signs in with is the directory's SIP address.
fn sign_in_matches(c: &CheckInputs, primary: &Option<String>) -> Check {
    let (attrs, ctx) = (c.attrs, c.ctx);
    match (&ctx.sign_in, &primary) {
        (None, _) => unknown(CheckId::SignInMatches, "Enter the address the user signs in to Communicator with to compare it with msRTCSIP-PrimaryUserAddress."),
        (Some(_), None) => unknown(CheckId::SignInMatches, c.missing(RccAttribute::PrimaryUserAddress)),
        (Some(s), Some(_)) if s.contains('\\') || !s.contains('@') => unknown(
            CheckId::SignInMatches,
            format!("'{s}' looks like a Windows account, not a sign-in address: enter the address typed in Communicator (e.g. alice@contoso.com) to compare."),
        ),
        (Some(s), Some(p)) => {
            let s_norm = {
                let t = s.trim();
                if t.to_ascii_lowercase().starts_with("sip") { t.to_string() } else { format!("sip:{t}") }
            };
            let mut ev = attr_ev(attrs, RccAttribute::PrimaryUserAddress);
            ev.push(Evidence::Input { field: super::SIGN_IN_ADDRESS.into(), value: s.clone() });
            let t = p.trim();
            let bare = if t.len() > 4 && t.is_char_boundary(4) && t[..4].eq_ignore_ascii_case("sip:") { &t[4..] } else { t };
            let fix = vec![
                format!("Sign in to Communicator as {bare}, or correct msRTCSIP-PrimaryUserAddress (Properties → Live Communications / Communications tab → Sign-in name) if the directory is wrong."),
                "If the paste may be from another account, check the dn / sAMAccountName of the exported user.".to_string(),
            ];
            if sip_uris_equivalent(&s_norm, p) {
                mk(CheckId::SignInMatches, CheckStatus::Pass, "The sign-in address is the user's SIP address.", Some(p.clone()), fix, ev)
            } else {
                mk(CheckId::SignInMatches, CheckStatus::Fail, format!("The user signs in as {s_norm} but the directory says {p}: provisioning (and so the line URI) belongs to the directory account."), Some(p.clone()), fix, ev)
            }
        }
    }
}

/// line-server-uri-present: msRTCSIP-LineServer is set.
fn line_server_uri_present(c: &CheckInputs, ls: &Option<String>) -> Check {
    let attrs = c.attrs;
    match &ls {
        Some(v) => mk(CheckId::LineServerUriPresent, CheckStatus::Pass, "msRTCSIP-LineServer is set.", Some(v.clone()), vec![], attr_ev(attrs, RccAttribute::LineServer)),
        None if c.says_nothing_of(RccAttribute::LineServer) => unknown(CheckId::LineServerUriPresent, c.missing(RccAttribute::LineServer)),
        None => mk(CheckId::LineServerUriPresent, CheckStatus::Fail, "msRTCSIP-LineServer is not set: provisioning carries no remote call control SIP URI, so Communicator never sends the CSTA INVITE.", None, c.server_fix(SERVER_PLACEHOLDER), attr_ev(attrs, RccAttribute::LineServer)),
    }
}

/// line-server-uri-valid: msRTCSIP-LineServer is a SIP URI (with a user part).
fn line_server_uri_valid(c: &CheckInputs, ls: &Option<String>) -> Check {
    let attrs = c.attrs;
    match &ls {
        None => unknown(
            CheckId::LineServerUriValid,
            if c.says_nothing_of(RccAttribute::LineServer) {
                c.missing(RccAttribute::LineServer)
            } else {
                "msRTCSIP-LineServer is not set (see line-server-uri-present).".to_string()
            },
        ),
        Some(v) => {
            let ev = attr_ev(attrs, RccAttribute::LineServer);
            let id = CheckId::LineServerUriValid;
            let example = suggest_sip(v).unwrap_or_else(|| SERVER_PLACEHOLDER.into());
            match validate_sip_uri(v) {
                Err(e) => mk(id, CheckStatus::Fail, format!("Not a valid SIP URI: {e}."), Some(v.clone()), c.server_fix(&example), ev),
                Ok(p) if p.user.is_none() => mk(id, CheckStatus::Warning, "No user part: gateways normally answer a user such as sip:rcc@mcm.contoso.com; check the gateway's documentation.", Some(v.clone()), c.server_fix(SERVER_PLACEHOLDER), ev),
                Ok(_) => mk(id, CheckStatus::Pass, "A well-formed SIP URI.", Some(v.clone()), vec![], ev),
            }
        }
    }
}

/// line-uri-present: msRTCSIP-Line is set.
fn line_uri_present(c: &CheckInputs, line: &Option<String>) -> Check {
    let attrs = c.attrs;
    match &line {
        Some(v) => mk(
            CheckId::LineUriPresent,
            CheckStatus::Pass,
            "msRTCSIP-Line is set.",
            Some(v.clone()),
            vec![],
            attr_ev(attrs, RccAttribute::Line),
        ),
        None if c.says_nothing_of(RccAttribute::Line) => {
            unknown(CheckId::LineUriPresent, c.missing(RccAttribute::Line))
        }
        None => mk(
            CheckId::LineUriPresent,
            CheckStatus::Fail,
            "msRTCSIP-Line is not set: Communicator has no phone line to control.",
            None,
            c.line_fix(LINE_PLACEHOLDER),
            attr_ev(attrs, RccAttribute::Line),
        ),
    }
}

/// line-uri-valid: msRTCSIP-Line is a tel URI (RFC 3966) or a SIP URI.
fn line_uri_valid(c: &CheckInputs, line: &Option<String>) -> Check {
    let attrs = c.attrs;
    match &line {
        None => unknown(
            CheckId::LineUriValid,
            if c.says_nothing_of(RccAttribute::Line) {
                c.missing(RccAttribute::Line)
            } else {
                "msRTCSIP-Line is not set (see line-uri-present).".to_string()
            },
        ),
        Some(v) => {
            let ev = attr_ev(attrs, RccAttribute::Line);
            let id = CheckId::LineUriValid;
            match parse_line_uri_lenient(v) {
                Err(e) => {
                    let example =
                        suggest_line(v).unwrap_or_else(|| LINE_PLACEHOLDER.into());
                    mk(
                        id,
                        CheckStatus::Fail,
                        format!("Not a valid line URI: {e}."),
                        Some(v.clone()),
                        c.line_fix(&example),
                        ev,
                    )
                }
                Ok((_, Some(deviation))) => mk(
                    id,
                    CheckStatus::Warning,
                    format!("Not RFC 3966: {deviation}. Some gateways accept this form; check the gateway profile (line-uri-form-matches-profile)."),
                    Some(v.clone()),
                    c.line_fix(&format!("{};phone-context=dialstring", v.trim())),
                    ev,
                ),
                Ok((LineUri::Tel(t), None)) if t.global && t.digits.len() > 15 => mk(
                    id,
                    CheckStatus::Warning,
                    format!("{} digits: an E.164 number has at most 15.", t.digits.len()),
                    Some(v.clone()),
                    c.line_fix(LINE_PLACEHOLDER),
                    ev,
                ),
                Ok((LineUri::Tel(_), None)) => mk(
                    id,
                    CheckStatus::Pass,
                    "A valid tel URI (RFC 3966).",
                    Some(v.clone()),
                    vec![],
                    ev,
                ),
                Ok((LineUri::Sip(_), None)) => mk(
                    id,
                    CheckStatus::Pass,
                    "A valid SIP URI line.",
                    Some(v.clone()),
                    vec![],
                    ev,
                ),
            }
        }
    }
}

/// line-uri-form-matches-profile: the line URI has a form the gateway profile accepts.
fn line_uri_form_matches_profile(c: &CheckInputs, line: &Option<String>) -> Check {
    let (attrs, ctx, empty) = (c.attrs, c.ctx, c.empty);
    let parsed_line: Option<LineUri> = line
        .as_deref()
        .and_then(|v| parse_line_uri_lenient(v).ok())
        .map(|(u, _)| u);
    match (&line, &parsed_line) {
        (None, _) => unknown(
            CheckId::LineUriFormMatchesProfile,
            if empty {
                NO_DATA.to_string()
            } else {
                "msRTCSIP-Line is not set.".to_string()
            },
        ),
        (Some(_), None) => unknown(
            CheckId::LineUriFormMatchesProfile,
            "The line URI is not valid (see line-uri-valid); fix it first.",
        ),
        (Some(v), Some(p)) => {
            let form = classify_line_uri(p);
            let mut ev = attr_ev(attrs, RccAttribute::Line);
            let id = CheckId::LineUriFormMatchesProfile;
            if ctx.line_uri_forms.is_empty() {
                mk(
                    id,
                    CheckStatus::Pass,
                    format!(
                        "Form: {}; the gateway profile does not restrict the form.",
                        form.label()
                    ),
                    Some(v.clone()),
                    vec![],
                    ev,
                )
            } else {
                let accepted: Vec<&str> = ctx.line_uri_forms.iter().map(|f| f.label()).collect();
                ev.push(Evidence::Input {
                    field: "gateway profile line URI forms".into(),
                    value: accepted.join(", "),
                });
                if ctx.line_uri_forms.contains(&form) {
                    mk(
                        id,
                        CheckStatus::Pass,
                        format!("Form: {}, which the gateway profile accepts.", form.label()),
                        Some(v.clone()),
                        vec![],
                        ev,
                    )
                } else {
                    let f0 = ctx.line_uri_forms[0];
                    let ex = format!("<the line in {} form, e.g. {}>", f0.label(), f0.example());
                    mk(id, CheckStatus::Fail, format!("Form: {}, but the gateway profile accepts only: {}; the gateway will not recognise the device.", form.label(), accepted.join(", ")), Some(v.clone()), c.line_fix(&ex), ev)
                }
            }
        }
    }
}

/// rcc-enabled: remote call control is switched on (option flag 16, or Lync's
/// RemoteCallControlTelephonyEnabled). Also says whether the directory switches it off for
/// the user (flag 16 clear in a readable value, or the switch False; not an unreadable value),
/// which the provisioning check needs to name the cause of a missing line.
fn rcc_enabled(c: &CheckInputs) -> (Check, bool) {
    let (attrs, empty) = (c.attrs, c.empty);
    let (server_shown, line_shown) = (&c.server_shown, &c.line_shown);
    let lync_switch = value_of(attrs, RccAttribute::RemoteCallControl);
    match value_of(attrs, RccAttribute::OptionFlags) {
        None if lync_switch.is_some() => {
            let v = lync_switch.unwrap_or_default();
            let ev = attr_ev(attrs, RccAttribute::RemoteCallControl);
            let user = &c.user_shown;
            let fix = vec![format!(
                "Lync Server Management Shell: {}",
                set_csuser(user, server_shown, line_shown)
            )];
            match v.trim().to_ascii_lowercase().as_str() {
                "true" => (mk(CheckId::RccEnabled, CheckStatus::Pass, "RemoteCallControlTelephonyEnabled is True.", Some(v), fix, ev), false),
                "false" => (mk(CheckId::RccEnabled, CheckStatus::Fail, "RemoteCallControlTelephonyEnabled is False: Lync will not try to control the phone even with a line and server URI.", Some(v), fix, ev), true),
                _ => (mk(CheckId::RccEnabled, CheckStatus::Warning, format!("Unexpected value '{v}': Get-CsUser prints True or False."), Some(v), fix, ev), false),
            }
        }
        None if empty => (unknown(CheckId::RccEnabled, NO_DATA), false),
        None => (unknown(CheckId::RccEnabled, "msRTCSIP-OptionFlags is not in the paste: include it (if the full export has none, remote call control is off)."), false),
        Some(v) => {
            let ev = attr_ev(attrs, RccAttribute::OptionFlags);
            let mut fix = c.console_fix(&c.server_shown, &c.line_shown);
            match decode_option_flags(&v) {
                Err(e) => (mk(CheckId::RccEnabled, CheckStatus::Fail, e, Some(v), fix, ev), false),
                Ok(bits) => {
                    let set: Vec<String> = bits.iter().filter(|b| b.set).map(|b| b.name.clone()).collect();
                    let shown = if set.is_empty() { v.clone() } else { format!("{v} ({})", set.join(", ")) };
                    let on = bits.iter().any(|b| b.mask == RCC_MASK && b.set);
                    let enhanced = bits.iter().any(|b| b.mask == ENHANCED_PRESENCE_MASK && b.set);
                    let communicator_2007 = matches!(c.ctx.generation, Some(Generation::Ocs2007 | Generation::Ocs2007R2));
                    let check = if on && communicator_2007 && !enhanced {
                        let fix = super::flags::parse_option_flags(&v)
                            .map(|n| vec![format!("In ADSI Edit: msRTCSIP-OptionFlags = {} (today's {n} plus 256), or enable the user for enhanced presence in the OCS user properties; then sign Communicator out and in again.", n | ENHANCED_PRESENCE_MASK)])
                            .unwrap_or_default();
                        mk(CheckId::RccEnabled, CheckStatus::Warning, "Option flag 16 (remote call control) is set, but not 256 (enhanced presence): set both for Communicator 2007 clients; Nortel requires enhanced presence before Converged Office telephony.", Some(shown), fix, ev)
                    } else if on {
                        mk(CheckId::RccEnabled, CheckStatus::Pass, "Option flag 16 (bit 4, remote call control) is set.", Some(shown), vec![], ev)
                    } else {
                        if let Ok(n) = super::flags::parse_option_flags(&v) {
                            fix.insert(2, match RccOn::from_flags(n) {
                                RccOn::Add(v) => format!("Or in ADSI Edit: msRTCSIP-OptionFlags = {v} (today's {n} plus 16)."),
                                RccOn::EnterpriseVoice { dual_mode, rcc_only } => format!("Or in ADSI Edit: msRTCSIP-OptionFlags = {dual_mode} (today's {n} plus 16 and 512: dual mode, Enterprise Voice together with remote call control) or {rcc_only} (remote call control only: 128 cleared, 16 set). The user has Enterprise Voice (128), and 16 added alone makes neither mode."),
                            });
                        }
                        mk(CheckId::RccEnabled, CheckStatus::Fail, "Option flag 16 (bit 4, remote call control) is not set: Communicator will not try to control the phone even with a line and server URI.", Some(shown), fix, ev)
                    };
                    (check, !on)
                }
            }
        }
    }
}

/// line-server-routed: the Home Server routes the CSTA INVITE for the line server (the
/// routing step's verdict).
fn line_server_routed(c: &CheckInputs, ls: &Option<String>) -> Check {
    let (attrs, ctx) = (c.attrs, c.ctx);
    match &ctx.line_server_route {
        None => unknown(CheckId::LineServerRouted, "Enter the Home Server static routes (routing step) to find out whether the CSTA INVITE for the line server is forwarded."),
        Some(r) => {
            let mut ev = r.evidence.clone();
            ev.extend(attrs.evidence(RccAttribute::LineServer));
            // The simulation's pattern where it has one: a route for the users' own domain
            // would send every user to the gateway.
            let host = r.route_pattern.clone().or_else(|| ls.as_deref().and_then(|v| validate_sip_uri(v).ok()).map(|p| p.host)).unwrap_or_else(|| "mcm.contoso.com".into());
            let next_hop = match ctx.application_proxy {
                Some(true) => "the Application Proxy FQDN",
                Some(false) => "the gateway FQDN",
                None => "the Application Proxy / gateway FQDN",
            };
            let mut fix = vec![
                format!("LCS 2005: Live Communications Server 2005 snap-in → the Home Server (or pool) → Properties → Routing tab → Add: matching URI domain/host = {host}, next hop = {next_hop}, port and transport (TLS or TCP) it listens on."),
                format!("OCS 2007: Office Communications Server 2007 admin snap-in → the pool → Front End Properties → Routing tab → Add: same fields ({host} → {next_hop}, port, transport)."),
                format!("Lync Server 2010 / 2013: New-CsStaticRoute -TLSRoute -Destination <gateway FQDN> -Port <port> -UseDefaultCertificate $true -MatchUri {host}, added with Set-CsStaticRoutingConfiguration -Route @{{Add=$r}}; the gateway is a trusted application pool."),
            ];
            fix.push(match ctx.application_proxy {
                Some(false) => "LCS 2005 / OCS 2007: add the gateway to the Home Server's Host Authorization list.".to_string(),
                _ => "LCS 2005 / OCS 2007 with an Application Proxy: on the proxy, add the route back (any user, *, → the Home Server); and add the proxy/gateway to the Home Server's Host Authorization list.".to_string(),
            });
            if r.routed && !r.assumed.is_empty() {
                let why = format!("{}, if {}: confirm it (routing step, [servers]).", r.detail.trim_end_matches('.'), r.assumed.join(" and "));
                mk(CheckId::LineServerRouted, CheckStatus::Warning, why, ls.clone(), fix, ev)
            } else {
                mk(CheckId::LineServerRouted, if r.routed { CheckStatus::Pass } else { CheckStatus::Fail }, r.detail.clone(), ls.clone(), fix, ev)
            }
        }
    }
}

/// What to do when the client works from other values than the directory's: the paste may be
/// another account's, or the client's copy is older than the directory.
fn replication_fix(c: &CheckInputs) -> Vec<String> {
    vec![
        format!("Check that the paste is from the account that signs in (compare {} with the sign-in address).", c.attrs.name(RccAttribute::PrimaryUserAddress)),
        "If the attribute was changed recently, wait for Active Directory replication (or check the value on the domain controller the Home Server reads).".to_string(),
        format!("Have the user sign out of {} and sign in again so it receives fresh provisioning data.", crate::generation::client_name(c.ctx.generation)),
    ]
}

/// provisioning-line-matches and provisioning-server-matches: the client received in
/// provisioning what the directory holds. With remote call control off for the user
/// (`rcc_off`: the rcc-enabled check fails), the server sends no line: an answer without one
/// is that, not replication (domain.md F1).
fn provisioning_matches(c: &CheckInputs, rcc_off: bool) -> Vec<Check> {
    let (attrs, ctx) = (c.attrs, c.ctx);
    let mut out = Vec::with_capacity(2);
    let replication_fix = replication_fix(c);
    for (id, attr, observed, what, is_line, present_id) in [
        (
            CheckId::ProvisioningLineMatches,
            RccAttribute::Line,
            &ctx.observed.line_uri,
            "line URI",
            true,
            CheckId::LineUriPresent,
        ),
        (
            CheckId::ProvisioningServerMatches,
            RccAttribute::LineServer,
            &ctx.observed.line_server_uri,
            "remote call control SIP URI",
            false,
            CheckId::LineServerUriPresent,
        ),
    ] {
        out.push(match (observed, value_of(attrs, attr)) {
            (None, _) => unknown(id, format!("Add a client log that covers sign-in: the configuration answer ({}) shows the {what} the client received.", crate::generation::configuration_event(ctx.generation))),
            (Some((seen, oev)), None) => {
                if c.says_nothing_of(attr) {
                    unknown(id, c.missing(attr))
                } else if seen.trim().is_empty() {
                    // Neither has one: the directory and what the client received agree, and
                    // the missing value is the other check's finding.
                    mk(id, CheckStatus::Pass, format!("The provisioning answer carried no {what}, and the paste has no {} either (see {present_id}).", attr.name()), Some(String::new()), vec![], vec![oev.clone()])
                } else {
                    mk(id, CheckStatus::Warning, format!("The client received {what} '{seen}' but the paste has no {}: the paste may be from another account, or the attribute changed since sign-in.", attr.name()), Some(seen.clone()), replication_fix.clone(), vec![oev.clone()])
                }
            }
            (Some((seen, oev)), Some(ad)) => {
                let mut ev = attr_ev(attrs, attr);
                ev.push(oev.clone());
                let same = !seen.trim().is_empty()
                    && if is_line { line_uris_equivalent(seen, &ad) } else { sip_uris_equivalent(seen, &ad) };
                if same {
                    mk(id, CheckStatus::Pass, format!("The client received the {what} the directory holds."), Some(seen.clone()), vec![], ev)
                } else if seen.trim().is_empty() && rcc_off {
                    let fix = vec![format!("Enable remote call control for the user (see rcc-enabled); then have the user sign out of {} and sign in again.", crate::generation::client_name(ctx.generation))];
                    mk(id, CheckStatus::Fail, format!("The provisioning answer carried no {what} although AD has {ad}: remote call control is off for the user (see rcc-enabled), and the server sends no line then."), Some(String::new()), fix, ev)
                } else if seen.trim().is_empty() {
                    mk(id, CheckStatus::Fail, format!("The provisioning answer carried no {what} although AD has {ad}: replication delay, wrong account, or changed attribute not yet picked up: sign out and in, check replication."), Some(String::new()), replication_fix.clone(), ev)
                } else {
                    mk(id, CheckStatus::Fail, format!("The client received {seen} but AD has {ad}: replication delay, wrong account, or changed attribute not yet picked up: sign out and in, check replication."), Some(seen.clone()), replication_fix.clone(), ev)
                }
            }
        });
    }
    out
}

/// invite-uri-matches-line-server: the CSTA INVITE went to the remote call control SIP URI.
fn invite_uri_matches_line_server(c: &CheckInputs) -> Check {
    let (attrs, ctx) = (c.attrs, c.ctx);
    let target: Option<(String, Evidence)> = attrs
        .get(RccAttribute::LineServer)
        .and_then(|v| {
            attrs
                .evidence(RccAttribute::LineServer)
                .map(|e| (v.value.clone(), e))
        })
        .or_else(|| {
            ctx.observed
                .line_server_uri
                .clone()
                .filter(|(s, _)| !s.trim().is_empty())
        });
    match (&ctx.observed.invite_request_uri, &target) {
        (None, _) => unknown(CheckId::InviteUriMatchesLineServer, "Add a log with the CSTA INVITE (Content-Type: application/csta+xml); if there is none, the client never tried (see rcc-enabled and line-server-uri-present)."),
        (Some(_), None) => unknown(CheckId::InviteUriMatchesLineServer, "No remote call control SIP URI to compare with: paste msRTCSIP-LineServer or include the provisioning answer in the log."),
        (Some((inv, iev)), Some((t, tev))) => {
            let ev = vec![tev.clone(), iev.clone()];
            let fix = vec![
                "If a client log shows the wrong target, Communicator is using stale provisioning: have the user sign out and sign in again.".to_string(),
                "If only a server log shows it, a static route that replaces the host in the request URI rewrote it: check that route's host replacement setting (Home Server → Properties → Routing tab).".to_string(),
            ];
            if sip_uris_equivalent(inv, t) {
                mk(CheckId::InviteUriMatchesLineServer, CheckStatus::Pass, "The CSTA INVITE was addressed to the remote call control SIP URI.", Some(inv.clone()), vec![], ev)
            } else {
                mk(CheckId::InviteUriMatchesLineServer, CheckStatus::Fail, format!("The CSTA INVITE went to {inv}, but the remote call control SIP URI is {t}."), Some(inv.clone()), fix, ev)
            }
        }
    }
}

/// csta-device-matches-line: the CSTA request names the user's line as its device.
fn csta_device_matches_line(c: &CheckInputs) -> Check {
    let (attrs, ctx) = (c.attrs, c.ctx);
    let line_target: Option<(String, Evidence)> = attrs
        .get(RccAttribute::Line)
        .and_then(|v| {
            attrs
                .evidence(RccAttribute::Line)
                .map(|e| (v.value.clone(), e))
        })
        .or_else(|| {
            ctx.observed
                .line_uri
                .clone()
                .filter(|(s, _)| !s.trim().is_empty())
        });
    match (&ctx.observed.csta_device, &line_target) {
        (None, _) => unknown(CheckId::CstaDeviceMatchesLine, "Add a log with the CSTA body (RequestSystemStatus / MonitorStart) to see which device the client asked the gateway to control."),
        (Some(_), None) => unknown(CheckId::CstaDeviceMatchesLine, "No line URI to compare with: paste msRTCSIP-Line or include the provisioning answer in the log."),
        (Some((dev, dev_ev)), Some((l, lev))) => {
            let ev = vec![lev.clone(), dev_ev.clone()];
            // The line the client received, where it is not the directory's: the client asks
            // for the device it was given, and the directory is not what to change.
            let received_other = ctx.observed.line_uri.as_ref().filter(|(seen, _)| {
                !seen.trim().is_empty() && !line_uris_equivalent(seen, l)
            });
            if line_uris_equivalent(dev, l) {
                mk(CheckId::CstaDeviceMatchesLine, CheckStatus::Pass, "The device in the CSTA request is the user's line.", Some(dev.clone()), vec![], ev)
            } else if let Some((seen, seen_ev)) = received_other.filter(|(seen, _)| line_uris_equivalent(dev, seen)) {
                let mut ev = ev;
                ev.push(seen_ev.clone());
                let received = if seen == dev { String::new() } else { format!(" (received as {seen})") };
                mk(CheckId::CstaDeviceMatchesLine, CheckStatus::Fail, format!("The CSTA request names device {dev}: the line URI the client received at sign-in{received}, not the directory's {l}. The client works from an older copy of its settings (see the check \"{}\"): the directory's line is the phone it should control.", title(CheckId::ProvisioningLineMatches)), Some(dev.clone()), replication_fix(c), ev)
            } else {
                let mut fix = c.line_fix(l);
                fix.insert(0, format!("The client asked for device {dev}; make msRTCSIP-Line the device the PBX knows for this user's phone (and check the gateway's number normalisation)."));
                mk(CheckId::CstaDeviceMatchesLine, CheckStatus::Fail, format!("The CSTA request names device {dev}, not the line URI {l}: the gateway will not find the phone."), Some(dev.clone()), fix, ev)
            }
        }
    }
}
