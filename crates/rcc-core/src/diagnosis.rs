//! Diagnosis: combines directory checks, the route simulation and the observed flow against the
//! gateway profile's known-good flow.
//!
//! [`diagnose`] aligns what the logs show with the profile's known-good flow leg by leg; the
//! failing leg is the first expected leg that is missing, answered with an error, or timed out,
//! and the profile's failure signatures name the finding. Independently it checks the directory
//! attributes and simulates the routing rules. Findings from both sides with the same id are
//! merged (their evidence combined, confidence raised). It never claims `all-clear` without a
//! successful RequestSystemStatus exchange (200 OK, systemStatus normal) or a complete
//! configuration check; when evidence is short it says what would decide in `needed`.
//!
//! # Finding ids
//!
//! | id | severity | meaning |
//! |---|---|---|
//! | `home-server-route-missing` | error | Home Server has no static route for the line server URI (or it points elsewhere) |
//! | `app-proxy-return-route-missing` | error | Application Proxy has no route (`*`) back to the Home Server |
//! | `line-server-uri-missing` | error | `msRTCSIP-LineServer` empty / provisioning has no RCC server URI |
//! | `line-server-uri-invalid` | error | `msRTCSIP-LineServer` is not a usable SIP URI |
//! | `line-uri-invalid` | error | `msRTCSIP-Line` missing or not a form the gateway accepts |
//! | `rcc-not-enabled` | error | remote call control not enabled (option flags) or never attempted |
//! | `user-not-enabled` | error | `msRTCSIP-UserEnabled` is FALSE |
//! | `provisioning-mismatch` | warning | what the client received differs from AD (or from what it dialled) |
//! | `gateway-unreachable` | error | the hop before the gateway could not reach it (408/503/504, no answer) |
//! | `host-not-authorized` | error | gateway / Application Proxy missing from host authorization, or challenged |
//! | `tls-transport-mismatch` | error | route transport/port differs from what the next hop listens on, TLS failure |
//! | `csta-error` | error | the gateway answered with a CSTA error, systemStatus not normal, or MonitorStart failed |
//! | `route-loop` | error | a route sends the request back to a server it already passed |
//! | `rcc-session-failed` | warning | the session failed in a way no signature explains (status and hop given) |
//! | `all-clear` | info | a successful RequestSystemStatus exchange, or a complete clean configuration check |

use crate::directory::{
    self, validate_line_uri, validate_sip_uri, AdAttributes, Check, CheckContext, CheckStatus,
    LineUriForm, ObservedProvisioning,
};
use crate::evidence::Evidence;
use crate::extract::{self, CstaBody, MsDiagnostic};
use crate::profile::{FailureSignature, FlowStep, Profile, Role};
use crate::routing::{
    self, CaseNames, PathOutcome, RouteProblem, RoutingConfig, Simulation, Topology,
};
use crate::sip::{Direction, LogEvent, SipMessage};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// A leg of the flow: participant ids from the gateway profile and the message on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub from: String,
    pub to: String,
    pub message: String,
}

/// One finding. `id` is stable and documented in README (e.g. `home-server-route-missing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub title: String,
    /// Plain-language explanation.
    pub explanation: String,
    pub leg: Option<Leg>,
    /// The missing or wrong rule written exactly as the admin must enter it.
    pub rule: Option<String>,
    pub evidence: Vec<Evidence>,
    pub fix: Vec<String>,
}

/// State of a known-good leg after aligning the observed flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegState {
    Ok,
    Failing,
    MissingRoute,
    NotReached,
}

/// One leg of the known-good flow with its observed state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLeg {
    pub from: String,
    pub to: String,
    pub message: String,
    pub state: LegState,
    pub evidence: Vec<Evidence>,
}

/// Evidence that would decide an open question, and the wizard step that collects it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceNeeded {
    pub what: String,
    /// Wizard step id: `symptom`, `directory`, `routing`, `logs`.
    pub step: String,
}

/// The whole diagnosis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    pub flow: Vec<FlowLeg>,
    pub needed: Vec<EvidenceNeeded>,
}

// =============================================================================================
// Engine

/// Everything the engine looks at. Build it with [`DiagnosisInput::new`] and fill what the user
/// supplied; every part is optional except the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosisInput {
    pub profile: Profile,
    /// The user's sign-in address (`alice@contoso.com` or `sip:alice@contoso.com`).
    pub sign_in: Option<String>,
    pub ad: Option<AdAttributes>,
    /// Directory checks already run (`directory::check`); when empty and `ad` is given, the
    /// engine reads the attributes itself.
    pub directory_checks: Vec<Check>,
    pub routing: Option<RoutingConfig>,
    /// Entered topology (`[servers]` in the rules text); log inference is added to it.
    pub topology: Topology,
    pub messages: Vec<SipMessage>,
    pub events: Vec<LogEvent>,
}

impl DiagnosisInput {
    pub fn new(profile: Profile) -> Self {
        DiagnosisInput {
            profile,
            sign_in: None,
            ad: None,
            directory_checks: vec![],
            routing: None,
            topology: Topology::default(),
            messages: vec![],
            events: vec![],
        }
    }
}

/// Every finding id [`diagnose`] can produce (the table in the module docs), in display order.
pub const FINDING_IDS: [&str; 15] = [
    "home-server-route-missing",
    "app-proxy-return-route-missing",
    "line-server-uri-missing",
    "line-server-uri-invalid",
    "line-uri-invalid",
    "rcc-not-enabled",
    "user-not-enabled",
    "provisioning-mismatch",
    "gateway-unreachable",
    "host-not-authorized",
    "tls-transport-mismatch",
    "csta-error",
    "route-loop",
    "rcc-session-failed",
    "all-clear",
];

/// Title, severity and plain-language explanation of a finding id.
pub fn finding_text(id: &str) -> (&'static str, Severity, &'static str) {
    match id {
        "home-server-route-missing" => (
            "The Home Server has no route to the remote call control gateway",
            Severity::Error,
            "Communicator sends the remote call control INVITE to its Home Server. The Home Server does not own the host in the RCC server URI, so it forwards the INVITE only if a static route matches that host. Without one it answers the INVITE itself with an error and the phone cannot be controlled.",
        ),
        "app-proxy-return-route-missing" => (
            "The Application Proxy has no route back to the Home Server",
            Severity::Error,
            "The gateway application (MCM) on the Application Proxy must send its answers, requests and phone events for users back through the Home Server. Without a route for any user agent (*) pointing at the Home Server they never reach Communicator and the session times out.",
        ),
        "line-server-uri-missing" => (
            "No remote call control server URI",
            Severity::Error,
            "The user's msRTCSIP-LineServer attribute (Remote Call Control SIP URI) is empty, so the provisioning answer carries no RCC server and Communicator never tries to control the phone.",
        ),
        "line-server-uri-invalid" => (
            "The remote call control server URI is not a usable SIP URI",
            Severity::Error,
            "msRTCSIP-LineServer must be a SIP URI naming the gateway, like sip:rcc@gateway.contoso.com. The value set cannot be routed.",
        ),
        "line-uri-invalid" => (
            "The line URI is missing or in a form the gateway does not accept",
            Severity::Error,
            "msRTCSIP-Line names the phone line the gateway must control, like tel:+14255550123;ext=5123. Without a valid value the gateway cannot find the device.",
        ),
        "rcc-not-enabled" => (
            "Remote call control is not enabled for the user",
            Severity::Error,
            "The option flag that enables remote call control is not set (or the client never received RCC provisioning), so Communicator does not start a remote call control session.",
        ),
        "user-not-enabled" => (
            "The user is not enabled for Live Communications",
            Severity::Error,
            "msRTCSIP-UserEnabled is FALSE: the user cannot sign in to the Home Server at all, so remote call control cannot work.",
        ),
        "provisioning-mismatch" => (
            "What the client received differs from Active Directory",
            Severity::Warning,
            "The line URI or RCC server URI in the provisioning answer (or the INVITE the client sent) is not the value in Active Directory. Replication delay, a different account or a changed attribute not yet picked up by the server are the usual causes.",
        ),
        "gateway-unreachable" => (
            "The gateway could not be reached",
            Severity::Error,
            "The hop before the gateway forwarded the INVITE but got no usable answer (timeout, 503/504). The gateway may be down, listening on another port or transport, or refusing the connection (certificate).",
        ),
        "host-not-authorized" => (
            "The gateway is not trusted by the Home Server",
            Severity::Error,
            "Requests from the Application Proxy or gateway reach the Home Server as a server, so it must be in the Home Server's host authorization list (treat as authenticated, throttle as server). Otherwise its requests are challenged or refused.",
        ),
        "tls-transport-mismatch" => (
            "Transport or port mismatch toward the gateway",
            Severity::Error,
            "The route uses a transport or port the next hop does not listen on (or the TLS connection fails), so the INVITE cannot be delivered.",
        ),
        "csta-error" => (
            "The gateway answered with a CSTA error",
            Severity::Error,
            "The SIP session reached the gateway, but the gateway refused the request: a CSTA error, a system status other than normal, or a failed MonitorStart. Usually the line URI is not what the PBX knows for this phone, or the line is not configured or licensed for CTI on the PBX.",
        ),
        "route-loop" => (
            "A routing loop",
            Severity::Error,
            "A route sends the remote call control INVITE back to a server it already passed.",
        ),
        "rcc-session-failed" => (
            "The remote call control session failed",
            Severity::Warning,
            "The remote call control session did not complete, in a way no known signature explains. The evidence shows where it stopped.",
        ),
        "all-clear" => (
            "Remote call control works",
            Severity::Info,
            "Nothing is wrong with what was checked.",
        ),
        _ => ("Unknown finding", Severity::Warning, ""),
    }
}

fn generic_fix(id: &str, names: &Names) -> Vec<String> {
    let ls = names
        .line_server_uri
        .clone()
        .unwrap_or_else(|| "sip:rcc@gateway.contoso.com".into());
    match id {
        "line-server-uri-missing" | "line-server-uri-invalid" => vec![
            "Active Directory Users and Computers: open the user, Live Communications tab, Advanced Settings (or the LCS/OCS snap-in user properties).".into(),
            format!("Tick 'Enable remote call control' and set 'Server URI' to the gateway's RCC URI, e.g. {ls}."),
        ],
        "line-uri-invalid" => vec![
            "Same dialog: set 'Line URI' to the phone line as the PBX knows it, e.g. tel:+14255550123;ext=5123 (no spaces, dashes or brackets).".into(),
        ],
        "rcc-not-enabled" => vec![
            "User properties, Live Communications tab, Advanced Settings: tick 'Enable remote call control' (sets bit 16 of msRTCSIP-OptionFlags).".into(),
            "Then sign Communicator out and in again.".into(),
        ],
        "user-not-enabled" => vec![
            "User properties, Live Communications tab: tick 'Enable user for Live Communications' (msRTCSIP-UserEnabled = TRUE).".into(),
        ],
        "provisioning-mismatch" => vec![
            "Check the user account the client signed in with, wait for AD replication, then sign Communicator out and in again.".into(),
        ],
        "gateway-unreachable" => vec![
            "Check the gateway service is running and listening on the port and transport the route uses.".into(),
            "From the hop before it, test the connection (telnet to the port; for TLS check the certificate name matches the route's next hop FQDN and is trusted).".into(),
        ],
        "csta-error" => vec![
            format!(
                "Compare msRTCSIP-Line ({}) with the device the PBX knows for this phone (format and extension).",
                names.line_uri.as_deref().unwrap_or("not known")
            ),
            "On the PBX/gateway, check the line is configured and licensed for CTI / remote call control.".into(),
        ],
        "route-loop" => vec!["Point the route at the next server on the path to the gateway.".into()],
        _ => vec![],
    }
}

/// Names of the case, from whatever source had them.
#[derive(Debug, Clone, Default)]
struct Names {
    user_uri: Option<String>,
    line_uri: Option<String>,
    line_server_uri: Option<String>,
}

/// What the logs show about the RCC session.
#[derive(Default)]
struct Observed<'a> {
    any_logs: bool,
    subscribe: Option<&'a SipMessage>,
    subscribe_answer: Option<&'a SipMessage>,
    provisioning: Vec<extract::Provisioning>,
    invite: Option<&'a SipMessage>,
    dialog: Vec<&'a SipMessage>,
    final_resp: Option<&'a SipMessage>,
    reached: Vec<String>,
    responder: Option<String>,
    diags: Vec<MsDiagnostic>,
    events: Vec<&'a LogEvent>,
    /// The log ends too soon after the INVITE to call a missing answer a timeout.
    log_ends_early: bool,
}

impl Observed<'_> {
    fn success(&self) -> bool {
        self.final_resp.is_some_and(|r| {
            r.status() == Some(200)
                && extract::csta(r)
                    .and_then(|c| c.system_status)
                    .is_some_and(|s| s.eq_ignore_ascii_case("normal"))
        })
    }
}

/// Evidence for a message: where it was read, and every other log that shows the same message.
fn seen(m: &SipMessage) -> Vec<Evidence> {
    let mut v = vec![m.evidence()];
    for o in &m.also_seen {
        v.push(Evidence::Log {
            file: o.file.to_string(),
            line_start: o.line_start,
            line_end: o.line_end,
            excerpt: m.start_line_text(),
        });
    }
    v
}

fn is_csta_invite(m: &SipMessage) -> bool {
    m.method().is_some_and(|x| x.eq_ignore_ascii_case("INVITE"))
        && (m
            .content_type()
            .is_some_and(|c| c.to_ascii_lowercase().contains("csta"))
            || extract::csta(m).is_some_and(|c| c.name.eq_ignore_ascii_case("RequestSystemStatus")))
}

fn normalize_uri(u: &str) -> String {
    let u = u.trim().trim_matches(['<', '>']).to_ascii_lowercase();
    if u.contains(':') {
        u
    } else {
        format!("sip:{u}")
    }
}

fn same_uri(a: &str, b: &str) -> bool {
    normalize_uri(a).replace(' ', "") == normalize_uri(b).replace(' ', "")
}

/// The address-of-record in a From/To value, `sip:user@host` lower case.
fn aor(value: &str) -> Option<String> {
    let inner = match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if b > a => &value[a + 1..b],
        _ => value.split(';').next().unwrap_or(value),
    };
    let (user, host) = routing::uri_parts(inner)?;
    Some(format!("sip:{}@{host}", user?.to_ascii_lowercase()))
}

/// Whether the message is the user's: `header` (From or To) names the user. With no user known,
/// every message is.
fn users(m: &SipMessage, header: &str, user: Option<&str>) -> bool {
    match user {
        None => true,
        Some(u) => m
            .header(header)
            .and_then(aor)
            .is_some_and(|a| Some(a) == aor(u)),
    }
}

/// Keep the user's messages when there are any (a log of several users), else all.
fn prefer_users<'a>(
    all: Vec<&'a SipMessage>,
    header: &str,
    user: Option<&str>,
) -> Vec<&'a SipMessage> {
    let mine: Vec<&SipMessage> = all
        .iter()
        .copied()
        .filter(|m| users(m, header, user))
        .collect();
    if mine.is_empty() {
        all
    } else {
        mine
    }
}

fn observe<'a>(
    input: &'a DiagnosisInput,
    topo: &Topology,
    line_server_host: Option<&str>,
    user: Option<&str>,
) -> Observed<'a> {
    let msgs = &input.messages;
    let profile = &input.profile;
    let mut o = Observed {
        any_logs: !msgs.is_empty() || !input.events.is_empty(),
        ..Default::default()
    };
    let subs: Vec<&SipMessage> = msgs
        .iter()
        .filter(|m| {
            m.method()
                .is_some_and(|x| x.eq_ignore_ascii_case("SUBSCRIBE"))
                && extract::event(m).is_some_and(|e| e.starts_with("vnd-microsoft-provisioning"))
        })
        .collect();
    o.subscribe = prefer_users(subs, "From", user).last().copied();
    if let Some(sub) = o.subscribe {
        o.subscribe_answer = msgs.iter().find(|m| {
            m.status().is_some_and(|s| s >= 200)
                && m.call_id() == sub.call_id()
                && m.cseq().map(|c| c.1.eq_ignore_ascii_case("SUBSCRIBE")) == Some(true)
        });
    }
    let mine = prefer_users(msgs.iter().collect(), "To", user);
    o.provisioning = mine
        .iter()
        .copied()
        .filter_map(extract::provisioning)
        .collect();
    if o.subscribe_answer.is_none() {
        // The SUBSCRIBE itself may be outside the log; its answer is what counts.
        o.subscribe_answer = mine
            .iter()
            .rev()
            .copied()
            .find(|m| m.status().is_some() && extract::provisioning(m).is_some());
    }

    // The CSTA INVITE attempts, by Call-ID; prefer a successful one, else the last.
    let mut call_ids: Vec<&str> = Vec::new();
    let invites = prefer_users(
        msgs.iter().filter(|m| is_csta_invite(m)).collect(),
        "From",
        user,
    );
    for m in invites {
        if let Some(c) = m.call_id() {
            if !call_ids.contains(&c) {
                call_ids.push(c);
            }
        }
    }
    let final_of = |cid: &str| {
        msgs.iter().rev().find(|m| {
            m.call_id() == Some(cid)
                && m.status().is_some_and(|s| s >= 200)
                && m.cseq().is_some_and(|c| c.1.eq_ignore_ascii_case("INVITE"))
        })
    };
    // The latest attempt is the current state (the client retries; an admin may fix things
    // while the log runs).
    let chosen = call_ids.last().copied();
    let Some(cid) = chosen else {
        return o;
    };
    o.dialog = msgs.iter().filter(|m| m.call_id() == Some(cid)).collect();
    o.invite = o.dialog.iter().copied().find(|m| is_csta_invite(m));
    o.final_resp = final_of(cid);
    o.events = input
        .events
        .iter()
        .filter(|e| {
            e.field("SIP-Call-ID")
                .or_else(|| e.field("Call-ID"))
                .is_some_and(|c| c.trim() == cid)
        })
        .collect();

    // Who saw the INVITE.
    let target = profile.line_server_host().map(|p| p.id.clone());
    let hs = profile.by_role(Role::HomeServer).map(|p| p.id.clone());
    let resolve = |host: &str| -> Option<String> {
        topo.who_is(profile, host).or_else(|| {
            (Some(host.to_ascii_lowercase().as_str()) == line_server_host)
                .then(|| target.clone())
                .flatten()
        })
    };
    let mut reached: Vec<String> = Vec::new();
    let add = |reached: &mut Vec<String>, p: Option<String>| {
        if let Some(p) = p {
            if !reached.contains(&p)
                && profile.participant(&p).map(|x| x.role) != Some(Role::Client)
            {
                reached.push(p);
            }
        }
    };
    add(&mut reached, hs.clone());
    for m in &o.dialog {
        let is_invite_txn = m.cseq().is_some_and(|c| c.1.eq_ignore_ascii_case("INVITE"));
        if !is_invite_txn {
            continue;
        }
        if let Some(peer) = m.peer() {
            // A response received from a peer proves the request got there; a request sent to
            // it proves only that it was tried.
            let got_resp = m.direction == Some(Direction::Received) && m.status().is_some();
            if got_resp {
                add(&mut reached, resolve(peer));
            }
        }
        let chain = extract::hop_chain(m);
        for v in &chain.vias {
            add(&mut reached, resolve(&v.host));
        }
        for h in &chain.record_route {
            add(&mut reached, resolve(h));
        }
        if m.status().is_some() {
            if let Some(c) = m.header("Contact").and_then(routing::uri_host_of_header) {
                add(&mut reached, resolve(&c));
            }
            if let Some(p) = extract::product(m) {
                add(&mut reached, product_participant(profile, &p));
            }
        }
    }
    // Who answered.
    if let Some(r) = o.final_resp {
        o.diags = extract::ms_diagnostics(r);
        let from_diag = o
            .diags
            .iter()
            .filter_map(|d| d.source.as_deref())
            .find_map(|s| resolve(s).or_else(|| hs.clone()));
        let from_product = extract::product(r).and_then(|p| product_participant(profile, &p));
        o.responder = from_diag.or(from_product);
        if o.responder.is_none() && r.status().is_some_and(|s| s != 200) && reached.len() == 1 {
            // Nothing shows the INVITE got past the Home Server: it answered itself.
            o.responder = hs.clone();
        }
        add(&mut reached, o.responder.clone());
    }
    o.reached = reached;
    if o.final_resp.is_none() {
        let t0 = o.invite.and_then(|m| m.millis());
        let last = msgs.iter().filter_map(|m| m.millis()).max();
        if let (Some(t0), Some(last)) = (t0, last) {
            o.log_ends_early = last - t0 < 30_000;
        }
    }
    o
}

fn product_participant(profile: &Profile, product: &str) -> Option<String> {
    let p = product.to_ascii_lowercase();
    profile
        .participants
        .iter()
        .filter(|x| x.role != Role::Client)
        .find(|x| {
            x.product_hints
                .iter()
                .any(|h| p.contains(&h.to_ascii_lowercase()))
        })
        .map(|x| x.id.clone())
}

/// What went wrong on a leg.
#[derive(Default, Debug)]
struct LegObservation {
    status: Option<u16>,
    responder: Option<String>,
    codes: Vec<u32>,
    reason_text: String,
    csta_error: Option<String>,
    timeout: bool,
    missing: bool,
    reached: Vec<String>,
    evidence: Vec<Evidence>,
}

fn leg_kind(step: &FlowStep) -> &'static str {
    let m = &step.matcher;
    let up = |o: &Option<String>| o.as_deref().unwrap_or("").to_ascii_uppercase();
    if up(&m.method) == "SUBSCRIBE" || up(&m.cseq) == "SUBSCRIBE" || m.provisioning {
        "provisioning"
    } else if up(&m.method) == "INVITE" || up(&m.cseq) == "INVITE" {
        "invite"
    } else if up(&m.method) == "ACK" {
        "ack"
    } else if up(&m.method) == "INFO" || up(&m.cseq) == "INFO" {
        "info"
    } else {
        "other"
    }
}

fn matches_step(step: &FlowStep, m: &SipMessage, o: &Observed) -> bool {
    let mt = &step.matcher;
    let eq = |a: Option<&str>, b: &Option<String>| match b {
        None => true,
        Some(b) => a.is_some_and(|a| a.eq_ignore_ascii_case(b)),
    };
    if !eq(m.method(), &mt.method) {
        return false;
    }
    if mt.status.is_some() && m.status() != mt.status {
        return false;
    }
    if !eq(m.cseq().map(|c| c.1), &mt.cseq) {
        return false;
    }
    if let Some(c) = &mt.csta {
        if !extract::csta(m).is_some_and(|b| b.name.eq_ignore_ascii_case(c)) {
            return false;
        }
    }
    if let Some(e) = &mt.event {
        if !extract::event(m).is_some_and(|x| x.starts_with(&e.to_ascii_lowercase())) {
            return false;
        }
    }
    if mt.provisioning && extract::provisioning(m).is_none_or(|p| p.line_server_uri.is_none()) {
        return false;
    }
    if let Some(h) = &mt.hop {
        if !o.reached.contains(h) {
            return false;
        }
    }
    true
}

fn csta_problem(c: &CstaBody) -> Option<String> {
    if let Some(e) = &c.error {
        return Some(e.clone());
    }
    if c.is_error() {
        return Some(c.name.clone());
    }
    match &c.system_status {
        Some(s) if !s.eq_ignore_ascii_case("normal") => Some(format!("systemStatus {s}")),
        _ => None,
    }
}

/// The observation for a failing leg.
fn observe_leg(step: &FlowStep, o: &Observed) -> LegObservation {
    let mut lo = LegObservation {
        reached: o.reached.clone(),
        ..Default::default()
    };
    match leg_kind(step) {
        "provisioning" => {
            lo.missing = o.subscribe_answer.is_none() || o.provisioning.is_empty();
            if let Some(a) = o.subscribe_answer {
                lo.status = a.status();
                lo.evidence.extend(seen(a));
            } else if let Some(s) = o.subscribe {
                lo.evidence.extend(seen(s));
            }
            if !o.provisioning.iter().any(|p| p.line_server_uri.is_some()) {
                lo.missing = true;
            }
        }
        "invite" => match o.invite {
            None => lo.missing = true,
            Some(inv) => {
                lo.evidence.extend(seen(inv));
                lo.responder = o.responder.clone();
                lo.codes = o.diags.iter().map(|d| d.code).collect();
                lo.reason_text = o
                    .diags
                    .iter()
                    .map(|d| d.reason.clone())
                    .chain(o.events.iter().flat_map(|e| {
                        e.fields
                            .iter()
                            .filter(|(k, _)| {
                                ["text", "result-code", "reason"]
                                    .contains(&k.to_ascii_lowercase().as_str())
                            })
                            .map(|(_, v)| v.clone())
                    }))
                    .collect::<Vec<_>>()
                    .join(" | ");
                for e in &o.events {
                    lo.evidence.push(Evidence::Log {
                        file: e.source.file.to_string(),
                        line_start: e.source.line_start,
                        line_end: e.source.line_end,
                        excerpt: e
                            .field("Result-Code")
                            .or_else(|| e.field("Text"))
                            .unwrap_or("diagnostic record")
                            .to_string(),
                    });
                }
                match o.final_resp {
                    None => lo.timeout = true,
                    Some(r) => {
                        lo.status = r.status();
                        lo.timeout = r.status() == Some(408);
                        lo.evidence.extend(seen(r));
                        lo.csta_error = extract::csta(r).as_ref().and_then(csta_problem);
                    }
                }
            }
        },
        "info" => {
            let want = step
                .matcher
                .csta
                .as_deref()
                .unwrap_or("")
                .trim_end_matches("Response");
            let req = o.dialog.iter().find(|m| {
                m.method().is_some_and(|x| x.eq_ignore_ascii_case("INFO"))
                    && extract::csta(m).is_some_and(|c| c.name.eq_ignore_ascii_case(want))
            });
            match req {
                None => lo.missing = true,
                Some(req) => {
                    lo.evidence.extend(seen(req));
                    let resp = o
                        .dialog
                        .iter()
                        .find(|m| m.status().is_some_and(|s| s >= 200) && m.cseq() == req.cseq());
                    match resp {
                        None => lo.timeout = true,
                        Some(r) => {
                            lo.status = r.status();
                            lo.evidence.extend(seen(r));
                            lo.csta_error = extract::csta(r).as_ref().and_then(csta_problem);
                            if lo.csta_error.is_none() && r.status().is_some_and(|s| s >= 400) {
                                lo.csta_error = Some(format!("SIP {}", r.status().unwrap_or(0)));
                            }
                        }
                    }
                }
            }
        }
        _ => lo.missing = true,
    }
    lo
}

fn signature_score(sig: &FailureSignature, lo: &LegObservation) -> Option<usize> {
    let mut score = 0;
    let is_error = lo.status.is_some_and(|s| s >= 300);
    if !sig.status.is_empty() {
        if !lo.status.is_some_and(|s| sig.status.contains(&s)) {
            return None;
        }
        score += 1;
    }
    if let Some(r) = &sig.responder {
        if lo.responder.as_ref() != Some(r) {
            return None;
        }
        score += 2;
    }
    if !sig.ms_diagnostics.is_empty() {
        if !lo.codes.iter().any(|c| sig.ms_diagnostics.contains(c)) {
            return None;
        }
        score += 3;
    }
    if !sig.reason_contains.is_empty() {
        let t = lo.reason_text.to_ascii_lowercase();
        if !sig
            .reason_contains
            .iter()
            .any(|w| t.contains(&w.to_ascii_lowercase()))
        {
            return None;
        }
        score += 3;
    }
    if sig.csta_error {
        lo.csta_error.as_ref()?;
        score += 2;
    }
    if sig.timeout {
        if !lo.timeout || lo.status.is_some_and(|s| s != 408) {
            return None;
        }
        score += 1;
    }
    if sig.missing {
        if !lo.missing {
            return None;
        }
        score += 1;
    }
    if let Some(r) = &sig.reached {
        if !lo.reached.contains(r) {
            return None;
        }
        score += 2;
    }
    let open = sig.status.is_empty()
        && !sig.timeout
        && !sig.missing
        && !sig.csta_error
        && sig.reason_contains.is_empty()
        && sig.ms_diagnostics.is_empty();
    if open && !is_error {
        return None;
    }
    Some(score)
}

/// A finding under construction.
#[derive(Debug, Clone)]
struct Draft {
    id: String,
    confidence: Confidence,
    leg: Option<Leg>,
    rule: Option<String>,
    evidence: Vec<Evidence>,
    fix: Vec<String>,
    detail: Vec<String>,
    from_logs: bool,
    from_config: bool,
}

impl Draft {
    fn new(id: &str, confidence: Confidence) -> Self {
        Draft {
            id: id.into(),
            confidence,
            leg: None,
            rule: None,
            evidence: vec![],
            fix: vec![],
            detail: vec![],
            from_logs: false,
            from_config: false,
        }
    }
}

fn leg_of(step: &FlowStep) -> Leg {
    Leg {
        from: step.from.clone(),
        to: step.to.clone(),
        message: step.message.clone(),
    }
}

/// The flow leg a route requirement serves.
fn route_leg<'p>(profile: &'p Profile, at: &str, direction: &str) -> Option<&'p FlowStep> {
    profile
        .flow
        .iter()
        .find(|l| {
            if direction == "forward" {
                l.from == at && l.matcher.hop.is_some()
            } else {
                l.from == at && l.matcher.hop.as_deref() == Some(at)
            }
        })
        .or_else(|| {
            profile
                .flow
                .iter()
                .find(|l| l.from == at && l.observable && l.to != "client")
        })
}

/// Diagnose a case.
pub fn diagnose(input: &DiagnosisInput) -> Diagnosis {
    let profile = &input.profile;
    let ad = input.ad.as_ref();

    // ---- names -------------------------------------------------------------------------
    let user_hint: Option<String> = input.sign_in.as_deref().map(normalize_uri).or_else(|| {
        ad.and_then(|a| a.primary_user_address.as_ref())
            .map(|v| normalize_uri(&v.value))
    });
    let prov_all: Vec<extract::Provisioning> =
        prefer_users(input.messages.iter().collect(), "To", user_hint.as_deref())
            .into_iter()
            .filter_map(extract::provisioning)
            .collect();
    // The latest answer with RCC data is the one the client acts on.
    let first_prov = prov_all.iter().rev().find(|p| p.line_server_uri.is_some());
    let ad_value = |v: Option<&crate::directory::AdValue>| {
        v.map(|x| x.value.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let invite_uri = input
        .messages
        .iter()
        .find(|m| is_csta_invite(m))
        .and_then(|m| m.request_uri().map(str::to_string));
    let names = Names {
        user_uri: input
            .sign_in
            .as_deref()
            .map(normalize_uri)
            .or_else(|| ad.and_then(|a| ad_value(a.primary_user_address.as_ref())))
            .or_else(|| {
                input
                    .messages
                    .iter()
                    .find(|m| {
                        m.method().is_some_and(|x| {
                            x.eq_ignore_ascii_case("REGISTER")
                                || x.eq_ignore_ascii_case("SUBSCRIBE")
                        })
                    })
                    .and_then(|m| m.header("From"))
                    .and_then(|f| {
                        let host = routing::uri_host_of_header(f)?;
                        let inner = f.split('<').nth(1)?.split('>').next()?;
                        let user = inner.split(':').nth(1)?.split('@').next()?;
                        Some(format!("sip:{user}@{host}"))
                    })
            }),
        line_uri: ad
            .and_then(|a| ad_value(a.line.as_ref()))
            .or_else(|| first_prov.and_then(|p| p.line_uri.clone())),
        line_server_uri: ad
            .and_then(|a| ad_value(a.line_server.as_ref()))
            .filter(|v| routing::uri_parts(v).is_some())
            .or_else(|| first_prov.and_then(|p| p.line_server_uri.clone()))
            .or(invite_uri.clone()),
    };
    let line_server_host = names
        .line_server_uri
        .as_deref()
        .and_then(routing::uri_parts)
        .map(|(_, h)| h);

    // ---- topology ----------------------------------------------------------------------
    let mut topo = input.topology.clone();
    topo.merge(&Topology::infer(
        profile,
        &input.messages,
        line_server_host.as_deref(),
    ));

    let mut drafts: Vec<Draft> = Vec::new();
    let mut needed: Vec<EvidenceNeeded> = Vec::new();
    let need = |needed: &mut Vec<EvidenceNeeded>, what: &str, step: &str| {
        if !needed.iter().any(|n| n.what == what) {
            needed.push(EvidenceNeeded {
                what: what.into(),
                step: step.into(),
            });
        }
    };

    // ---- routing -----------------------------------------------------------------------
    let mut sim: Option<Simulation> = None;
    if let (Some(cfg), Some(ls)) = (&input.routing, &names.line_server_uri) {
        let case = CaseNames {
            line_server_uri: ls.clone(),
            user_uri: names
                .user_uri
                .clone()
                .unwrap_or_else(|| "sip:user@<SIP domain>".into()),
        };
        let s = routing::simulate(profile, cfg, &topo, &case);
        for p in &s.problems {
            drafts.push(route_draft(profile, p));
        }
        for u in &s.unknowns {
            need(&mut needed, u, "routing");
        }
        sim = Some(s);
    } else if input.routing.is_some() {
        need(
            &mut needed,
            "The remote call control server URI (msRTCSIP-LineServer or a client log with the provisioning answer) to simulate the routes",
            "directory",
        );
    }
    let routing_complete = sim.as_ref().is_some_and(|s| {
        s.problems.is_empty()
            && s.unknowns.is_empty()
            && s.forward.outcome == PathOutcome::Reached
            && s.back
                .as_ref()
                .is_none_or(|b| b.outcome == PathOutcome::Reached)
    });

    // ---- logs --------------------------------------------------------------------------
    let obs = observe(
        input,
        &topo,
        line_server_host.as_deref(),
        names.user_uri.as_deref(),
    );

    // ---- directory ---------------------------------------------------------------------
    let ad_complete = match ad {
        Some(a) => {
            let checks = if input.directory_checks.is_empty() {
                let mut ctx = CheckContext {
                    sign_in: input.sign_in.clone(),
                    line_uri_forms: LineUriForm::from_examples(&profile.line_uri_forms),
                    line_server_route: sim.as_ref().map(Simulation::route_verdict),
                    observed: ObservedProvisioning::default(),
                };
                if let Some(p) = first_prov {
                    ctx.observed.record_provisioning(p);
                }
                if let Some(inv) = obs.invite {
                    if let Some(u) = inv.request_uri() {
                        ctx.observed.invite_request_uri = Some((u.to_string(), inv.evidence()));
                    }
                }
                let device = obs.dialog.iter().find_map(|m| {
                    let c = extract::csta(m)?;
                    let wanted = ["MonitorStart", "RequestSystemStatus"];
                    if m.method().is_some() && wanted.iter().any(|w| c.name.eq_ignore_ascii_case(w))
                    {
                        c.device.map(|d| (d, m.evidence()))
                    } else {
                        None
                    }
                });
                ctx.observed.csta_device = device;
                directory::check(a, &ctx)
            } else {
                input.directory_checks.clone()
            };
            let core_ids = [
                "user-enabled",
                "line-server-uri-present",
                "line-server-uri-valid",
                "line-uri-present",
                "line-uri-valid",
                "rcc-enabled",
            ];
            let complete = core_ids.iter().all(|id| {
                checks.iter().any(|c| {
                    c.id == *id && matches!(c.status, CheckStatus::Pass | CheckStatus::Warning)
                })
            });
            if !complete && !checks.iter().any(|c| c.status == CheckStatus::Fail) {
                need(
                    &mut needed,
                    "All RCC attributes of the user (msRTCSIP-UserEnabled, msRTCSIP-OptionFlags, msRTCSIP-Line, msRTCSIP-LineServer)",
                    "directory",
                );
            }
            let mut d = from_checks(&checks);
            for x in &mut d {
                x.from_config = true;
                if x.id == "provisioning-mismatch" {
                    x.from_logs = true;
                }
            }
            let ok = d.is_empty();
            drafts.extend(d);
            complete && ok
        }
        None => false,
    };
    let mut flow: Vec<FlowLeg> = Vec::new();
    let rcc_logs = obs.subscribe.is_some() || obs.invite.is_some() || !obs.provisioning.is_empty();
    let mut log_success = false;
    if rcc_logs {
        log_success = obs.success();
        let (legs, draft) = align(profile, &obs);
        flow = legs;
        if let Some(mut d) = draft {
            d.from_logs = true;
            drafts.push(d);
        }
        // The gateway's own requests challenged or refused by the Home Server.
        if let Some(d) = challenged_gateway_requests(input, &topo, line_server_host.as_deref()) {
            if let Some(l) = &d.leg {
                if let Some(f) = flow
                    .iter_mut()
                    .find(|f| f.from == l.from && f.to == l.to && f.message == l.message)
                {
                    f.state = LegState::Failing;
                    f.evidence = d.evidence.clone();
                }
            }
            drafts.push(d);
        }
        // The INVITE against provisioning.
        if let (Some(p), Some(inv)) = (first_prov, obs.invite) {
            if let (Some(ps), Some(iu)) = (&p.line_server_uri, inv.request_uri()) {
                let strip = |u: &str| u.split(';').next().unwrap_or(u).to_string();
                if !same_uri(&strip(ps), &strip(iu)) {
                    let mut d = Draft::new("provisioning-mismatch", Confidence::Medium);
                    d.detail.push(format!(
                        "The client was provisioned with {ps} but sent the INVITE to {iu}."
                    ));
                    d.evidence.push(p.evidence.clone());
                    d.evidence.extend(seen(inv));
                    d.from_logs = true;
                    drafts.push(d);
                }
            }
        }
        // Provisioning present without RCC data: the directory decides why.
        if !prov_all.is_empty() && first_prov.is_none() {
            let ev = prov_all[0].evidence.clone();
            let leg = profile.leg("provisioning").map(leg_of);
            let ad_has_server = ad.and_then(|a| ad_value(a.line_server.as_ref())).is_some();
            let ad_flag_ok = ad
                .and_then(|a| a.option_flags.as_ref())
                .and_then(|v| directory::parse_option_flags(&v.value).ok())
                .is_some_and(|f| f & 16 != 0);
            let (id, conf, text) = match ad {
                None => (
                    "rcc-not-enabled",
                    Confidence::Medium,
                    "The provisioning answer carries no line and no remote call control server URI: either remote call control is not enabled for the user or the server URI is empty. The user's attributes decide which.",
                ),
                Some(_) if !ad_has_server => (
                    "line-server-uri-missing",
                    Confidence::High,
                    "The provisioning answer carries no remote call control server URI.",
                ),
                Some(_) if !ad_flag_ok => (
                    "rcc-not-enabled",
                    Confidence::High,
                    "The provisioning answer carries no remote call control data.",
                ),
                Some(_) => (
                    "provisioning-mismatch",
                    Confidence::Medium,
                    "Active Directory has the RCC attributes, but the provisioning answer carries no line data.",
                ),
            };
            let mut d = Draft::new(id, conf);
            d.detail.push(text.into());
            d.evidence.push(ev);
            d.leg = leg;
            d.from_logs = true;
            drafts.push(d);
            if id != "rcc-not-enabled" {
                drafts.retain(|x| !(x.id == "rcc-not-enabled" && x.from_logs && !x.from_config));
            }
        }
        // Provisioned values the gateway cannot use.
        if let Some(p) = first_prov {
            if let Some(ls) = &p.line_server_uri {
                if validate_sip_uri(ls).is_err() {
                    let mut d = Draft::new("line-server-uri-invalid", Confidence::High);
                    d.detail.push(format!("The client was provisioned with '{ls}', which is not a SIP URI with a fully qualified host."));
                    d.evidence.push(p.evidence.clone());
                    d.leg = profile.leg("provisioning").map(leg_of);
                    d.from_logs = true;
                    drafts.push(d);
                }
            }
            if let Some(l) = &p.line_uri {
                if validate_line_uri(l).is_err() {
                    let mut d = Draft::new("line-uri-invalid", Confidence::High);
                    d.detail.push(format!("The client was provisioned with line '{l}', which is not a tel: URI (digits, optional +, ;ext= / ;phone-context=) or a sip: URI."));
                    d.evidence.push(p.evidence.clone());
                    d.leg = profile.leg("provisioning").map(leg_of);
                    d.from_logs = true;
                    drafts.push(d);
                }
            }
        }
        if obs.invite.is_none() {
            need(&mut needed, "A client log that continues until Communicator shows the phone error (it should contain the CSTA INVITE)", "logs");
        }
        if obs.final_resp.is_none() && obs.invite.is_some() && obs.log_ends_early {
            need(&mut needed, "A log that runs at least 30 seconds past the CSTA INVITE (the answer may still be coming)", "logs");
        }
    } else if let Some(d) = sign_in_failure(input) {
        drafts.push(d);
    } else if obs.any_logs {
        need(
            &mut needed,
            "A Communicator log from sign-in: it should show the SUBSCRIBE for vnd-microsoft-provisioning and the CSTA INVITE",
            "logs",
        );
    }

    // ---- reconcile ---------------------------------------------------------------------
    reconcile(&mut drafts);

    // ---- merge -------------------------------------------------------------------------
    let mut merged: Vec<Draft> = Vec::new();
    for d in drafts {
        match merged.iter_mut().find(|m| m.id == d.id) {
            Some(m) => {
                for e in d.evidence {
                    if !m.evidence.contains(&e) {
                        m.evidence.push(e);
                    }
                }
                m.detail.extend(d.detail);
                m.detail.dedup();
                if m.rule.is_none() {
                    m.rule = d.rule;
                }
                if m.fix.is_empty() {
                    m.fix = d.fix;
                }
                if m.leg.is_none() {
                    m.leg = d.leg;
                }
                m.from_logs |= d.from_logs;
                m.from_config |= d.from_config;
                if m.from_logs && m.from_config {
                    m.confidence = Confidence::High;
                } else if rank(d.confidence) < rank(m.confidence) {
                    m.confidence = d.confidence;
                }
            }
            None => merged.push(d),
        }
    }
    // A route problem found in the config explains a log failure on the same leg better than
    // the catch-all.
    if merged
        .iter()
        .any(|d| d.id != "rcc-session-failed" && d.id != "all-clear")
    {
        merged.retain(|d| d.id != "rcc-session-failed");
    }

    // ---- flow from configuration when logs did not give one ----------------------------
    if flow.is_empty() {
        flow = config_flow(profile, &merged, sim.as_ref(), ad.is_some());
    } else {
        // Logs could not see beyond the failure; the config can say which later legs lack a route.
        for d in &merged {
            if d.from_config && d.id.ends_with("route-missing") {
                if let Some(l) = &d.leg {
                    if let Some(f) = flow
                        .iter_mut()
                        .find(|f| f.from == l.from && f.to == l.to && f.message == l.message)
                    {
                        if f.state != LegState::Ok {
                            f.state = LegState::MissingRoute;
                            for e in &d.evidence {
                                if matches!(e, Evidence::Rule { .. }) && !f.evidence.contains(e) {
                                    f.evidence.push(e.clone());
                                }
                            }
                        }
                    }
                }
            }
        }
        // An error the logs show on a leg whose message did arrive (wrong content, e.g. an
        // unusable provisioned URI) marks that leg failing; with no leg marked at all, the
        // finding's own leg is the failing one.
        let none_marked = !flow
            .iter()
            .any(|f| matches!(f.state, LegState::Failing | LegState::MissingRoute));
        for d in &merged {
            let error = finding_text(&d.id).1 == Severity::Error;
            if !(error && (d.from_logs || none_marked)) {
                continue;
            }
            if let Some(l) = &d.leg {
                if let Some(f) = flow
                    .iter_mut()
                    .find(|f| f.from == l.from && f.to == l.to && f.message == l.message)
                {
                    let seen_ok = f.state == LegState::Ok && !d.from_logs;
                    if !seen_ok && !matches!(f.state, LegState::Failing | LegState::MissingRoute) {
                        f.state = if d.id.ends_with("route-missing") {
                            LegState::MissingRoute
                        } else {
                            LegState::Failing
                        };
                        for e in &d.evidence {
                            if !f.evidence.contains(e) {
                                f.evidence.push(e.clone());
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- all-clear and what is still needed --------------------------------------------
    let has_problem = merged
        .iter()
        .any(|d| finding_text(&d.id).1 != Severity::Info);
    if !has_problem {
        if log_success {
            let mut d = Draft::new("all-clear", Confidence::High);
            d.detail.push(
                "The gateway answered the CSTA INVITE with 200 OK and systemStatus normal.".into(),
            );
            if let Some(r) = obs.final_resp {
                d.evidence.extend(seen(r));
            }
            d.from_logs = true;
            merged.push(d);
        } else if ad_complete && routing_complete {
            let mut d = Draft::new("all-clear", Confidence::Medium);
            d.detail.push("The directory attributes pass and the routes carry the INVITE to the gateway and back. A client log would confirm it end to end.".into());
            d.from_config = true;
            merged.push(d);
        }
    }
    let explained = !merged.is_empty();
    if !log_success {
        if !obs.any_logs {
            need(&mut needed, "A Communicator client log (UCCAPI tracing) from sign-in until the phone error appears", "logs");
        }
        if input.ad.is_none() {
            need(
                &mut needed,
                "The user's msRTCSIP-* attributes (LDIF export or ADSI Edit copy)",
                "directory",
            );
        }
        if input.routing.is_none() {
            let what = if profile.by_role(Role::AppProxy).is_some() {
                "The Home Server's static routes and host authorization, and the Application Proxy's routes"
            } else {
                "The Home Server's static routes and host authorization"
            };
            need(&mut needed, what, "routing");
        }
        if !explained && !obs.any_logs && input.ad.is_none() && input.routing.is_none() {
            need(
                &mut needed,
                "What the user sees: the error icon text in Communicator and since when",
                "symptom",
            );
        }
    }

    // ---- render ------------------------------------------------------------------------
    let mut findings: Vec<Finding> = merged
        .into_iter()
        .map(|d| {
            let (title, severity, base) = finding_text(&d.id);
            let mut explanation = base.to_string();
            for x in &d.detail {
                explanation.push(' ');
                explanation.push_str(x);
            }
            let fix = if d.fix.is_empty() {
                generic_fix(&d.id, &names)
            } else {
                d.fix
            };
            Finding {
                id: d.id,
                severity,
                confidence: d.confidence,
                title: title.into(),
                explanation,
                leg: d.leg,
                rule: d.rule,
                evidence: d.evidence,
                fix,
            }
        })
        .collect();
    findings.sort_by_key(|f| match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });
    Diagnosis {
        findings,
        flow,
        needed,
    }
}

fn rank(c: Confidence) -> u8 {
    match c {
        Confidence::High => 0,
        Confidence::Medium => 1,
        Confidence::Low => 2,
    }
}

fn route_draft(profile: &Profile, p: &RouteProblem) -> Draft {
    let mut d = Draft::new(&p.finding, Confidence::Medium);
    d.rule = p.rule.clone();
    d.fix = p.fix.clone();
    d.evidence = p.evidence.clone();
    d.detail
        .push(format!("{}.", p.message.trim_end_matches('.')));
    d.from_config = true;
    d.leg = if p.finding.ends_with("route-missing")
        || p.finding == "tls-transport-mismatch"
        || p.finding == "route-loop"
    {
        route_leg(profile, &p.at, &p.direction).map(leg_of)
    } else {
        // Host authorization: the gateway's requests toward the Home Server.
        let target = profile
            .line_server_host()
            .map(|x| x.id.clone())
            .unwrap_or_default();
        route_leg(profile, &target, "return").map(leg_of)
    };
    d
}

/// Align the observed flow with the profile; returns the legs and the finding for the first
/// failing leg, if any.
fn align(profile: &Profile, o: &Observed) -> (Vec<FlowLeg>, Option<Draft>) {
    let mut legs: Vec<FlowLeg> = profile
        .flow
        .iter()
        .map(|s| FlowLeg {
            from: s.from.clone(),
            to: s.to.clone(),
            message: s.message.clone(),
            state: LegState::NotReached,
            evidence: vec![],
        })
        .collect();
    let pool: Vec<&SipMessage> = {
        let mut v: Vec<&SipMessage> = o.dialog.clone();
        if let Some(s) = o.subscribe {
            v.push(s);
        }
        if let Some(a) = o.subscribe_answer {
            v.push(a);
        }
        v
    };
    let mut failing: Option<usize> = None;
    let mut draft = None;
    let success = o.success();
    let hits: Vec<Option<&SipMessage>> = profile
        .flow
        .iter()
        .map(|step| {
            step.observable
                .then(|| pool.iter().copied().find(|m| matches_step(step, m, o)))
                .flatten()
        })
        .collect();
    for (i, step) in profile.flow.iter().enumerate() {
        if !step.observable {
            continue;
        }
        let hit = hits[i];
        // A leg the log does not show although later legs happened (tracing started late, a
        // partial paste) is implied, not failed.
        if hit.is_none() && hits[i + 1..].iter().any(Option::is_some) {
            legs[i].state = LegState::Ok;
            continue;
        }
        if let Some(m) = hit {
            // A match can still carry a failure (CSTA error, systemStatus not normal).
            let bad = step
                .matcher
                .csta
                .as_ref()
                .and_then(|_| extract::csta(m).as_ref().and_then(csta_problem));
            if bad.is_none() {
                legs[i].state = LegState::Ok;
                legs[i].evidence.extend(seen(m));
                continue;
            }
        }
        if !step.required {
            continue;
        }
        // After a successful RequestSystemStatus, legs the log does not cover are just not seen.
        if success && hit.is_none() && !matches!(leg_kind(step), "info") {
            continue;
        }
        let lo = observe_leg(step, o);
        if success && lo.missing {
            continue;
        }
        // Provisioned with RCC data but no INVITE yet: the log most likely ends too soon (the
        // caller asks for a longer one); remote call control itself is enabled.
        if lo.missing
            && leg_kind(step) == "invite"
            && o.provisioning.iter().any(|p| p.line_server_uri.is_some())
        {
            break;
        }
        failing = Some(i);
        let sig = profile
            .failures
            .iter()
            .filter(|f| f.leg == step.id)
            .filter_map(|f| signature_score(f, &lo).map(|s| (s, f)))
            .max_by_key(|(s, _)| *s);
        let (id, conf) = match sig {
            Some((s, f)) => (
                f.finding.clone(),
                if s >= 2 && !(lo.timeout && o.log_ends_early) {
                    Confidence::High
                } else {
                    Confidence::Medium
                },
            ),
            None => ("rcc-session-failed".to_string(), Confidence::Low),
        };
        let mut d = Draft::new(&id, conf);
        d.leg = Some(leg_of(step));
        d.evidence = lo.evidence.clone();
        if d.evidence.is_empty() {
            // A missing message has no line of its own: point at the last one before the gap.
            let before = hits[..i]
                .iter()
                .rev()
                .flatten()
                .next()
                .copied()
                .or(o.subscribe_answer)
                .or(o.subscribe);
            if let Some(m) = before {
                d.evidence.extend(seen(m));
            }
        }
        d.detail.push(describe_failure(profile, step, &lo));
        legs[i].state = if id.ends_with("route-missing") {
            LegState::MissingRoute
        } else {
            LegState::Failing
        };
        if id.ends_with("route-missing") {
            // The same request on the hop before was answered with an error instead of being
            // forwarded: from the client's side that leg failed, and the gap is the next hop.
            let same_request = |j: usize| {
                profile.flow.get(j).is_some_and(|f| {
                    f.matcher.method.is_some()
                        && f.matcher.method == step.matcher.method
                        && f.matcher.csta == step.matcher.csta
                })
            };
            if let Some(j) = (0..i)
                .rev()
                .find(|&j| legs[j].state == LegState::Ok && same_request(j))
            {
                legs[j].state = LegState::Failing;
                legs[j].evidence = lo.evidence.clone();
            }
        }
        legs[i].evidence = lo.evidence;
        draft = Some(d);
        break;
    }
    // Unobservable legs follow the legs after them.
    let last_ok = legs.iter().rposition(|l| l.state == LegState::Ok);
    for (i, step) in profile.flow.iter().enumerate() {
        if !step.observable && legs[i].state == LegState::NotReached {
            let before_fail = failing.is_none_or(|f| i < f);
            if last_ok.is_some_and(|k| k > i) && before_fail {
                legs[i].state = LegState::Ok;
            }
        }
    }
    if let Some(f) = failing {
        for l in legs.iter_mut().skip(f + 1) {
            if l.state == LegState::Ok && l.evidence.is_empty() {
                l.state = LegState::NotReached;
            }
        }
    }
    (legs, draft)
}

fn describe_failure(profile: &Profile, step: &FlowStep, lo: &LegObservation) -> String {
    let label = |id: &str| {
        profile
            .participant(id)
            .map(|p| p.label.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut s = format!(
        "The flow stops at '{}' ({} to {}):",
        step.message,
        label(&step.from),
        label(&step.to)
    );
    if lo.missing {
        s.push_str(" the message never appears in the logs.");
    } else if let Some(st) = lo.status.filter(|s| *s >= 300) {
        s.push_str(&format!(" the request was answered {st}"));
        if let Some(r) = &lo.responder {
            s.push_str(&format!(" by {}", label(r)));
        }
        s.push('.');
    } else if lo.timeout {
        s.push_str(" no final answer came back (timeout).");
    } else if let Some(e) = &lo.csta_error {
        s.push_str(&format!(" the gateway answered with a CSTA error ({e})."));
    } else {
        s.push_str(" the expected message does not appear.");
    }
    if !lo.reason_text.is_empty() {
        s.push_str(&format!(" Diagnostics: {}.", lo.reason_text));
    }
    if lo.reached.len() > 1 {
        let names: Vec<String> = lo.reached.iter().map(|r| label(r)).collect();
        s.push_str(&format!(
            " The INVITE is known to have reached: {}.",
            names.join(", ")
        ));
    }
    s
}

/// Flow states from configuration alone.
fn config_flow(
    profile: &Profile,
    findings: &[Draft],
    sim: Option<&Simulation>,
    have_ad: bool,
) -> Vec<FlowLeg> {
    let ad_bad = findings.iter().any(|d| {
        d.from_config
            && matches!(
                d.id.as_str(),
                "line-server-uri-missing"
                    | "line-server-uri-invalid"
                    | "line-uri-invalid"
                    | "rcc-not-enabled"
                    | "user-not-enabled"
            )
    });
    let mut legs = Vec::new();
    let mut stopped = false;
    for step in &profile.flow {
        let mut leg = FlowLeg {
            from: step.from.clone(),
            to: step.to.clone(),
            message: step.message.clone(),
            state: LegState::NotReached,
            evidence: vec![],
        };
        let route_finding = findings.iter().find(|d| {
            d.from_config
                && d.leg.as_ref().is_some_and(|l| {
                    l.from == step.from && l.to == step.to && l.message == step.message
                })
        });
        if stopped {
            // Later legs are not reached, but a rule missing there is still shown.
            if let Some(d) = route_finding.filter(|d| d.id.ends_with("route-missing")) {
                leg.state = LegState::MissingRoute;
                leg.evidence = d.evidence.clone();
            }
            legs.push(leg);
            continue;
        }
        let kind = leg_kind(step);
        if let Some(d) = route_finding {
            leg.state = if d.id.ends_with("route-missing") {
                LegState::MissingRoute
            } else {
                LegState::Failing
            };
            leg.evidence = d.evidence.clone();
            // The return route does not stop the forward simulation from showing later legs.
            stopped = true;
        } else if kind == "provisioning"
            || (kind == "invite"
                && step.matcher.hop.is_none()
                && step.matcher.csta.as_deref() == Some("RequestSystemStatus"))
        {
            if have_ad && ad_bad {
                leg.state = if kind == "provisioning" {
                    LegState::Failing
                } else {
                    LegState::NotReached
                };
                stopped = kind == "provisioning";
            } else if have_ad {
                leg.state = LegState::Ok;
            }
        } else if let Some(s) = sim {
            let fwd_ok = s.forward.outcome == PathOutcome::Reached;
            let back_ok = s
                .back
                .as_ref()
                .is_none_or(|b| b.outcome == PathOutcome::Reached);
            if step.matcher.hop.is_some() && kind == "invite" && step.matcher.method.is_some() {
                if fwd_ok {
                    leg.state = LegState::Ok;
                    leg.evidence = s.forward.hops.iter().map(|h| h.evidence.clone()).collect();
                }
            } else if fwd_ok && back_ok && have_ad && !ad_bad {
                leg.state = LegState::Ok;
            }
        }
        legs.push(leg);
    }
    legs
}

/// Findings from the directory checks (mapped by check id; see `directory` for the ids).
fn from_checks(checks: &[Check]) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for c in checks {
        if c.status != CheckStatus::Fail {
            continue;
        }
        let finding = match c.id.as_str() {
            "user-enabled" => "user-not-enabled",
            "line-server-uri-present" => "line-server-uri-missing",
            "line-server-uri-valid" => "line-server-uri-invalid",
            "line-uri-present" | "line-uri-valid" | "line-uri-form-matches-profile" => {
                "line-uri-invalid"
            }
            "rcc-enabled" => "rcc-not-enabled",
            "sign-in-matches"
            | "provisioning-line-matches"
            | "provisioning-server-matches"
            | "invite-uri-matches-line-server"
            | "csta-device-matches-line" => "provisioning-mismatch",
            // The route simulation reports routing with the exact rule.
            _ => continue,
        };
        let mut d = Draft::new(finding, Confidence::High);
        d.evidence = c.evidence.clone();
        d.detail.push(c.why.clone());
        d.fix = c.fix.clone();
        match out.iter_mut().find(|x| x.id == d.id) {
            Some(x) => {
                for e in d.evidence {
                    if !x.evidence.contains(&e) {
                        x.evidence.push(e);
                    }
                }
                x.detail.extend(d.detail);
                if x.fix.is_empty() {
                    x.fix = d.fix;
                }
            }
            None => out.push(d),
        }
    }
    out
}

/// REGISTER refused (403/404) and nothing further: the user cannot sign in.
fn sign_in_failure(input: &DiagnosisInput) -> Option<Draft> {
    let msgs = &input.messages;
    let reg = msgs.iter().find(|m| {
        m.method()
            .is_some_and(|x| x.eq_ignore_ascii_case("REGISTER"))
    })?;
    let resp = msgs.iter().find(|m| {
        m.call_id() == reg.call_id()
            && m.cseq()
                .is_some_and(|c| c.1.eq_ignore_ascii_case("REGISTER"))
            && matches!(m.status(), Some(403) | Some(404))
    })?;
    let ok = msgs.iter().any(|m| {
        m.cseq()
            .is_some_and(|c| c.1.eq_ignore_ascii_case("REGISTER"))
            && m.status() == Some(200)
    });
    if ok {
        return None;
    }
    let mut d = Draft::new("user-not-enabled", Confidence::Medium);
    let diag: Vec<String> = extract::ms_diagnostics(resp)
        .into_iter()
        .map(|d| d.reason)
        .collect();
    d.detail.push(format!(
        "Sign-in was refused ({}){}; remote call control cannot start before sign-in.",
        resp.start_line_text(),
        if diag.is_empty() {
            String::new()
        } else {
            format!(": {}", diag.join("; "))
        }
    ));
    d.evidence = vec![reg.evidence(), resp.evidence()];
    d.leg = input.profile.leg("subscribe").map(leg_of);
    d.from_logs = true;
    Some(d)
}

/// Requests from the line server host (Application Proxy / gateway) answered 401/407/403 by the
/// Home Server: it is not in host authorization.
fn challenged_gateway_requests(
    input: &DiagnosisInput,
    topo: &Topology,
    line_server_host: Option<&str>,
) -> Option<Draft> {
    let profile = &input.profile;
    let target = profile.line_server_host()?.id.clone();
    let is_target = |host: &str| {
        topo.who_is(profile, host).as_deref() == Some(target.as_str())
            || line_server_host.is_some_and(|l| l.eq_ignore_ascii_case(host))
    };
    // One pass for the refusals, so big logs stay linear.
    let refusals: Vec<&SipMessage> = input
        .messages
        .iter()
        .filter(|m| matches!(m.status(), Some(401) | Some(407) | Some(403)))
        .collect();
    if refusals.is_empty() {
        return None;
    }
    for req in input.messages.iter().filter(|m| m.method().is_some()) {
        if !refusals.iter().any(|r| r.call_id() == req.call_id()) {
            continue;
        }
        let from_peer = req.direction == Some(Direction::Received)
            && req
                .peer()
                .is_some_and(|p| is_target(p.rsplit_once(':').map_or(p, |x| x.0)));
        let chain = extract::hop_chain(req);
        let from_via = chain.vias.last().is_some_and(|v| is_target(&v.host));
        let from_product = extract::product(req)
            .and_then(|p| product_participant(profile, &p))
            .as_deref()
            == Some(target.as_str());
        if !(from_peer || from_via || from_product) {
            continue;
        }
        let Some(resp) = refusals
            .iter()
            .find(|m| m.call_id() == req.call_id() && m.cseq() == req.cseq())
        else {
            continue;
        };
        let mut d = Draft::new("host-not-authorized", Confidence::High);
        d.detail.push(format!(
            "The Home Server answered the gateway's {} with {}.",
            req.method().unwrap_or("request"),
            resp.start_line_text()
        ));
        d.evidence = vec![req.evidence(), resp.evidence()];
        d.leg = route_leg(profile, &target, "return").map(leg_of);
        d.from_logs = true;
        return Some(d);
    }
    None
}

/// Let a precise cause explain a vaguer symptom: the configuration's route, transport or
/// authorization problem explains a log's "gateway unreachable"; a directory problem explains a
/// client that never sent the INVITE.
fn reconcile(drafts: &mut Vec<Draft>) {
    let config_has =
        |drafts: &[Draft], id: &str| drafts.iter().any(|d| d.from_config && d.id == id);
    for cause in [
        "tls-transport-mismatch",
        "route-loop",
        "home-server-route-missing",
        "app-proxy-return-route-missing",
        "host-not-authorized",
    ] {
        if config_has(drafts, cause) {
            for d in drafts.iter_mut() {
                let vague = d.from_logs
                    && !d.from_config
                    && matches!(d.id.as_str(), "gateway-unreachable" | "rcc-session-failed");
                let fits = match cause {
                    // A missing return route shows as a timeout after the gateway saw the INVITE.
                    "app-proxy-return-route-missing" => d
                        .detail
                        .iter()
                        .any(|x| x.contains("timeout") || x.contains("408") || x.contains("480")),
                    "home-server-route-missing" | "route-loop" => {
                        d.detail.iter().any(|x| x.contains("answered 4"))
                    }
                    _ => true,
                };
                if vague && fits {
                    d.id = cause.to_string();
                }
            }
        }
    }
    let directory_cause = drafts.iter().any(|d| {
        matches!(
            d.id.as_str(),
            "line-server-uri-missing"
                | "line-server-uri-invalid"
                | "user-not-enabled"
                | "provisioning-mismatch"
        )
    });
    let flags_say_off = drafts
        .iter()
        .any(|d| d.id == "rcc-not-enabled" && d.from_config);
    if directory_cause && !flags_say_off {
        drafts.retain(|d| d.id != "rcc-not-enabled");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest, InputFile};
    use crate::profile::profile;

    const PROV: &str = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 10.0.1.50:50123;branch=z9hG4bKs\r\nFrom: <sip:alice@contoso.com>;tag=s1\r\nTo: <sip:alice@contoso.com>;tag=t1\r\nCall-ID: sub-1\r\nCSeq: 1 SUBSCRIBE\r\nContent-Type: application/vnd-microsoft-roaming-provisioning+xml\r\nContent-Length: 135\r\n\r\n<provision><user uri=\"sip:alice@contoso.com\"><line uri=\"tel:+14255550123;ext=5123\" server=\"sip:rcc@gw.contoso.com\"/></user></provision>";

    fn invite(uri: &str) -> String {
        let body = "<RequestSystemStatus xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"/>";
        format!("INVITE {uri} SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.1.50:50123;branch=z9hG4bKi\r\nFrom: <sip:alice@contoso.com>;tag=c1\r\nTo: <{uri}>\r\nCall-ID: rcc-1\r\nCSeq: 1 INVITE\r\nContent-Type: application/csta+xml\r\nContent-Length: {}\r\n\r\n{body}", body.len())
    }

    fn answer(code: u16, reason: &str, extra: &str) -> String {
        format!("SIP/2.0 {code} {reason}\r\nVia: SIP/2.0/TLS 10.0.1.50:50123;branch=z9hG4bKi\r\nFrom: <sip:alice@contoso.com>;tag=c1\r\nTo: <sip:rcc@gw.contoso.com>;tag=x\r\nCall-ID: rcc-1\r\nCSeq: 1 INVITE\r\n{extra}Content-Length: 0\r\n\r\n")
    }

    fn run(profile_id: &str, parts: &[&str]) -> Diagnosis {
        let text = parts.join("\r\n");
        let ing = ingest(&[InputFile {
            name: "capture.txt",
            bytes: text.as_bytes(),
        }]);
        let mut i = DiagnosisInput::new(profile(profile_id).unwrap());
        i.sign_in = Some("alice@contoso.com".into());
        i.messages = ing.messages;
        i.events = ing.events;
        diagnose(&i)
    }

    fn ids(d: &Diagnosis) -> Vec<&str> {
        d.findings.iter().map(|f| f.id.as_str()).collect()
    }

    #[test]
    fn a_reason_naming_tls_beats_a_bare_status() {
        let inv = invite("sip:rcc@gw.contoso.com");
        let ans = answer(
            504,
            "Server Time-out",
            "ms-diagnostics: 1047;reason=\"Failed TLS negotiation: certificate name mismatch\";source=\"lcs01.contoso.com\"\r\n",
        );
        let d = run("generic", &[PROV, &inv, &ans]);
        assert_eq!(ids(&d), ["tls-transport-mismatch"]);
        assert_eq!(d.findings[0].confidence, Confidence::High);
        let plain = answer(504, "Server Time-out", "");
        assert_eq!(
            ids(&run("generic", &[PROV, &inv, &plain])),
            ["gateway-unreachable"]
        );
    }

    #[test]
    fn an_unanswered_invite_times_out_on_the_gateway_leg() {
        let inv = invite("sip:rcc@gw.contoso.com");
        let d = run("generic", &[PROV, &inv]);
        assert_eq!(ids(&d), ["gateway-unreachable"], "{:?}", d.findings);
        let leg = d.findings[0].leg.as_ref().unwrap();
        assert_eq!(leg.to, "gateway");
    }

    #[test]
    fn invite_to_another_uri_than_provisioned_is_a_mismatch() {
        let inv = invite("sip:rcc@old-gw.contoso.com");
        let ok = answer(200, "OK", "");
        let d = run("generic", &[PROV, &inv, &ok]);
        assert!(ids(&d).contains(&"provisioning-mismatch"), "{:?}", ids(&d));
        assert!(!ids(&d).contains(&"all-clear"));
    }

    #[test]
    fn refused_sign_in_means_user_not_enabled() {
        let reg = "REGISTER sip:contoso.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.1.50:50123;branch=z9hG4bKr\r\nFrom: <sip:alice@contoso.com>;tag=r1\r\nTo: <sip:alice@contoso.com>\r\nCall-ID: reg-1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
        let no = "SIP/2.0 403 Forbidden\r\nVia: SIP/2.0/TLS 10.0.1.50:50123;branch=z9hG4bKr\r\nFrom: <sip:alice@contoso.com>;tag=r1\r\nTo: <sip:alice@contoso.com>;tag=h\r\nCall-ID: reg-1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
        let d = run("nortel", &[reg, no]);
        assert_eq!(ids(&d), ["user-not-enabled"]);
        assert_eq!(d.findings[0].confidence, Confidence::Medium);
    }

    #[test]
    fn provisioning_without_an_invite_asks_for_a_longer_log() {
        let d = run("generic", &[PROV]);
        assert!(d.findings.is_empty(), "{:?}", ids(&d));
        assert!(d.needed.iter().any(|n| n.step == "logs"));
    }

    #[test]
    fn a_200_without_systemstatus_normal_is_not_all_clear() {
        let inv = invite("sip:rcc@gw.contoso.com");
        let ok = answer(200, "OK", "");
        let d = run("generic", &[PROV, &inv, &ok]);
        assert!(!ids(&d).contains(&"all-clear"), "{:?}", ids(&d));
    }

    #[test]
    fn every_documented_id_has_text() {
        for id in FINDING_IDS {
            let (title, _, text) = finding_text(id);
            assert!(title != "Unknown finding" && !text.is_empty(), "{id}");
        }
        // Every finding a profile can produce is documented.
        for p in crate::profile::profiles() {
            for f in p
                .failures
                .iter()
                .map(|f| &f.finding)
                .chain(p.routes.iter().map(|r| &r.finding))
            {
                assert_ne!(finding_text(f).0, "Unknown finding", "{}: {f}", p.id);
            }
        }
    }
}
