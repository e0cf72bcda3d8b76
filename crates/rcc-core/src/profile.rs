//! Gateway profiles: who takes part in a remote call control set-up, the known-good message flow,
//! the routing rules each hop needs, the line URI forms the gateway accepts, and what each
//! failure looks like.
//!
//! Profiles are data, not code: `data/profiles/*.toml`, compiled in at build time (see
//! [`crate::knowledge`]), so the browser build needs no file access and no TOML parser. A support
//! engineer adds a gateway by copying one of the files; the format is documented at the top of
//! each file. Closed sets are typed ([`Role`], [`LegKind`], [`RouteDirection`], [`Transport`],
//! [`FindingId`]), so a typo fails when the profile loads; [`Profile::validate`] checks that
//! legs, routes and failures name only declared participants and legs. The unit tests load every
//! shipped file.

use crate::findings::FindingId;
use crate::knowledge::{data_json, load};
use crate::sip::Transport;
use crate::uri::LineUriForm;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The profile files shipped with the app, in the order the wizard offers them.
fn shipped() -> [(&'static str, &'static str); 4] {
    [
        ("nortel", data_json!("profiles-nortel")),
        ("cisco", data_json!("profiles-cisco")),
        ("avaya", data_json!("profiles-avaya")),
        ("generic", data_json!("profiles-generic")),
    ]
}

/// What a participant does in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Client,
    HomeServer,
    AppProxy,
    Gateway,
    Redirect,
    Pbx,
    Phone,
}

impl Role {
    /// The rules-text section holding this role's static routes, if we simulate it.
    pub fn route_table(self) -> Option<&'static str> {
        match self {
            Role::HomeServer => Some("home-server"),
            Role::AppProxy => Some("app-proxy"),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::HomeServer => "home-server",
            Role::AppProxy => "app-proxy",
            Role::Gateway => "gateway",
            Role::Redirect => "redirect",
            Role::Pbx => "pbx",
            Role::Phone => "phone",
        }
    }

    pub const ALL: [Role; 7] = [
        Role::Client,
        Role::HomeServer,
        Role::AppProxy,
        Role::Gateway,
        Role::Redirect,
        Role::Pbx,
        Role::Phone,
    ];

    pub fn from_id(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Where a participant listens, as the profile declares it (used when neither the rules'
/// `[servers]` nor the logs say): a transport and port, with the basis for the claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listening {
    pub transport: Transport,
    pub port: u16,
    /// Where this comes from (a document, or why it is only a usual default).
    pub basis: String,
    /// True when no source states it for this gateway (a usual default).
    #[serde(default)]
    pub assumed: bool,
}

/// One box in the flow diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub id: String,
    pub label: String,
    pub role: Role,
    /// Icon name for the UI (e.g. `laptop`, `server`, `gateway`, `pbx`, `phone`).
    pub icon: String,
    /// True for the participant that answers the line server (RCC) URI.
    #[serde(default)]
    pub hosts_line_server: bool,
    /// Substrings of `Server` / `User-Agent` values that identify this participant in logs.
    #[serde(default)]
    pub product_hints: Vec<String>,
    /// Where it listens, when the profile can say.
    #[serde(default)]
    pub listens: Option<Listening>,
}

/// What a leg of the known-good flow carries; the engine knows how each kind shows in logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegKind {
    /// The client's SUBSCRIBE for its configuration (`vnd-microsoft-provisioning` for
    /// Communicator 2005, `vnd-microsoft-roaming-self` for Communicator 2007 and later).
    Subscribe,
    /// The answer that carries the client's line and remote call control server URI.
    Provisioning,
    /// The client's CSTA INVITE (RequestSystemStatus) to its Home Server.
    Invite,
    /// A provisional answer (100 Trying) from `from`.
    Trying,
    /// The CSTA INVITE forwarded from `from` to `to` (a static route).
    Forward,
    /// A leg Microsoft-side logs cannot show (MCM to NRS, the gateway to the PBX).
    Hidden,
    /// The line server host's final answer to the INVITE, on its way back (`from` → `to`).
    AnswerBack,
    /// The final answer to the INVITE as delivered to the client (200 OK, systemStatus).
    Answer,
    /// The client's ACK of the 200 OK (the session's ACK, not the ACK of an error answer,
    /// which belongs to the INVITE transaction: RFC 3261 17.1.1.3).
    Ack,
    /// A CSTA INFO request named by `csta` (GetCSTAFeatures, MonitorStart).
    Info,
    /// The answer to the INFO named by `csta`.
    InfoAnswer,
}

impl LegKind {
    /// Legs whose message travels the INVITE's path (its forwarding and its answers).
    pub fn is_invite_path(self) -> bool {
        matches!(
            self,
            LegKind::Invite
                | LegKind::Trying
                | LegKind::Forward
                | LegKind::AnswerBack
                | LegKind::Answer
        )
    }
}

/// One leg of the known-good flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowStep {
    /// Stable id referenced by failure signatures (`invite-hs-ap`).
    pub id: String,
    pub kind: LegKind,
    pub from: String,
    pub to: String,
    /// The message as the diagram shows it.
    pub message: String,
    /// For `info` and `info-answer` legs: the CSTA request (`MonitorStart`).
    #[serde(default)]
    pub csta: Option<String>,
    /// False for legs whose absence is normal (`100 Trying`, optional INFOs).
    #[serde(default = "yes")]
    pub required: bool,
}

impl FlowStep {
    /// Whether Microsoft-side logs can show this leg at all.
    pub fn observable(&self) -> bool {
        self.kind != LegKind::Hidden
    }
}

fn yes() -> bool {
    true
}

/// Which request a route carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteDirection {
    /// The client's INVITE toward the line server.
    Forward,
    /// The gateway's answers, requests and events toward the user.
    Return,
}

impl RouteDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteDirection::Forward => "forward",
            RouteDirection::Return => "return",
        }
    }
}

/// A routing rule a hop needs, written as a template over the case's names.
///
/// Templates: `{line_server_host}`, `{line_server_uri}`, `{user_domain}`, and
/// `{<participant id with _ for ->_fqdn}` (e.g. `{app_proxy_fqdn}`, `{home_server_fqdn}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRequirement {
    /// Participant whose routing table needs the rule.
    pub at: String,
    pub direction: RouteDirection,
    /// Match pattern template (`{line_server_host}`, `*`).
    #[serde(rename = "match")]
    pub pattern: String,
    /// Next hop template (`{app_proxy_fqdn}`).
    pub next_hop: String,
    /// Participant the next hop is.
    pub next_participant: String,
    pub port: u16,
    pub transport: Transport,
    /// The finding reported when the rule is absent.
    pub finding: FindingId,
    /// Why the hop needs it, in plain language.
    pub why: String,
    /// True when the port and transport are a usual default rather than documented for this
    /// gateway (a rule written from them says so).
    #[serde(default)]
    pub assumed: bool,
}

/// An observation on a leg that points to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureSignature {
    /// Leg id this failure shows on.
    pub leg: String,
    /// SIP final statuses (any of them); empty = any error status.
    #[serde(default)]
    pub status: Vec<u16>,
    /// Participant that produced the response (ms-diagnostics source, Server header, peer).
    #[serde(default)]
    pub responder: Option<String>,
    /// ms-diagnostics codes that make the match certain (any of them).
    #[serde(default)]
    pub ms_diagnostics: Vec<u32>,
    /// Words (case-insensitive) in the ms-diagnostics reason or a server diagnostic record.
    #[serde(default)]
    pub reason_contains: Vec<String>,
    /// A CSTA error in the body, or a systemStatus other than normal.
    #[serde(default)]
    pub csta_error: bool,
    /// No final answer (a timeout, a CANCEL, a 408) although the request was sent.
    #[serde(default)]
    pub timeout: bool,
    /// The leg's message never appears.
    #[serde(default)]
    pub missing: bool,
    /// The request must be shown to have reached this participant first.
    #[serde(default)]
    pub reached: Option<String>,
    pub finding: FindingId,
    /// True when no source states this signature (our reasoning); the finding then says how
    /// sure it is.
    #[serde(default)]
    pub inferred: bool,
    /// Why this observation means this finding: the source, or the reasoning when inferred.
    #[serde(default)]
    pub basis: String,
}

/// A line URI form the gateway accepts, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineUriFormRule {
    pub form: LineUriForm,
    pub example: String,
    /// The form the gateway's documentation recommends.
    #[serde(default)]
    pub recommended: bool,
    /// Optional parameters the gateway reads with this form (`device`, `partition`).
    #[serde(default)]
    pub params: Vec<String>,
    /// For `tel-phone-context`: the phone-context values accepted (empty = any).
    #[serde(default)]
    pub phone_context: Vec<String>,
    pub source: String,
}

/// A whole gateway profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub description: String,
    pub participants: Vec<Participant>,
    /// The `msRTCSIP-Line` forms this gateway accepts.
    pub line_uri_forms: Vec<LineUriFormRule>,
    pub flow: Vec<FlowStep>,
    #[serde(default)]
    pub routes: Vec<RouteRequirement>,
    #[serde(default)]
    pub failures: Vec<FailureSignature>,
}

impl Profile {
    pub fn participant(&self, id: &str) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    /// The participant's label, or the id itself for an unknown one.
    pub fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.participant(id).map_or(id, |p| p.label.as_str())
    }

    /// First participant with this role.
    pub fn by_role(&self, role: Role) -> Option<&Participant> {
        self.participants.iter().find(|p| p.role == role)
    }

    /// The client participant's id.
    pub fn client(&self) -> Option<&str> {
        self.by_role(Role::Client).map(|p| p.id.as_str())
    }

    /// The Home Server participant's id.
    pub fn home_server(&self) -> Option<&str> {
        self.by_role(Role::HomeServer).map(|p| p.id.as_str())
    }

    /// The participant answering the line server URI.
    pub fn line_server_host(&self) -> Option<&Participant> {
        self.participants
            .iter()
            .find(|p| p.hosts_line_server)
            .or_else(|| self.by_role(Role::Gateway))
    }

    pub fn leg(&self, id: &str) -> Option<&FlowStep> {
        self.flow.iter().find(|l| l.id == id)
    }

    /// The first leg of a kind (and for `forward`, `answer-back`: from `from`).
    pub fn leg_of(&self, kind: LegKind, from: Option<&str>) -> Option<&FlowStep> {
        self.flow
            .iter()
            .find(|l| l.kind == kind && from.is_none_or(|f| l.from == f))
    }

    /// The forms accepted, in order.
    pub fn accepted_forms(&self) -> Vec<LineUriForm> {
        let mut out = Vec::new();
        for f in &self.line_uri_forms {
            if !out.contains(&f.form) {
                out.push(f.form);
            }
        }
        out
    }

    /// Problems with references inside the profile (undeclared participants, legs, roles).
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let known = |id: &str| self.participant(id).is_some();
        for l in &self.flow {
            for p in [&l.from, &l.to] {
                if !known(p) {
                    problems.push(format!("leg {}: unknown participant {p}", l.id));
                }
            }
            let needs_csta = matches!(l.kind, LegKind::Info | LegKind::InfoAnswer);
            if needs_csta != l.csta.is_some() {
                problems.push(format!(
                    "leg {}: `csta` is for info and info-answer legs (and required there)",
                    l.id
                ));
            }
        }
        for r in &self.routes {
            for p in [&r.at, &r.next_participant] {
                if !known(p) {
                    problems.push(format!("route at {}: unknown participant {p}", r.at));
                }
            }
        }
        for f in &self.failures {
            if self.leg(&f.leg).is_none() {
                problems.push(format!("failure {}: unknown leg {}", f.finding, f.leg));
            }
            for p in f.responder.iter().chain(f.reached.iter()) {
                if !known(p) {
                    problems.push(format!("failure {}: unknown participant {p}", f.finding));
                }
            }
            if f.basis.trim().is_empty() {
                problems.push(format!(
                    "failure {} on {}: say why (`basis`)",
                    f.finding, f.leg
                ));
            }
        }
        let mut ids: Vec<&str> = self.flow.iter().map(|l| l.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.flow.len() {
            problems.push("duplicate leg ids".into());
        }
        for kind in [
            LegKind::Subscribe,
            LegKind::Provisioning,
            LegKind::Invite,
            LegKind::Answer,
        ] {
            if self.leg_of(kind, None).is_none() {
                problems.push(format!("no {kind:?} leg (the engine needs one)"));
            }
        }
        if self.by_role(Role::HomeServer).is_none() {
            problems.push("no home-server participant".into());
        }
        if self.by_role(Role::Client).is_none() {
            problems.push("no client participant".into());
        }
        if self.line_server_host().is_none() {
            problems.push("no participant hosts the line server".into());
        }
        if self.line_uri_forms.is_empty() {
            problems.push("no line URI form".into());
        }
        for f in &self.line_uri_forms {
            match crate::uri::parse_line_uri_lenient(&f.example) {
                Ok((u, _)) if crate::uri::classify_line_uri(&u) == f.form => {}
                _ => problems.push(format!(
                    "line URI form {:?}: example {} is not of that form",
                    f.form, f.example
                )),
            }
        }
        problems
    }
}

/// Parse one profile from its JSON (what the build makes of a TOML file).
pub fn parse_profile_json(json: &str) -> Result<Profile, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

/// All shipped profiles, loaded once.
pub fn profiles() -> &'static [Profile] {
    static ALL: OnceLock<Vec<Profile>> = OnceLock::new();
    ALL.get_or_init(|| {
        shipped()
            .iter()
            .map(|(name, json)| load::<Profile>(&format!("profiles/{name}"), json))
            .collect()
    })
}

/// The shipped profile with this id.
pub fn profile(id: &str) -> Option<Profile> {
    profiles().iter().find(|p| p.id == id).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_loads_and_references_declared_names() {
        for (name, json) in shipped() {
            let p = parse_profile_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(p.id, name);
            assert_eq!(p.validate(), Vec::<String>::new(), "{name}");
        }
        assert_eq!(profiles().len(), shipped().len());
    }

    #[test]
    fn nortel_profile_has_both_seed_rules() {
        let p = profile("nortel").unwrap();
        let findings: Vec<FindingId> = p.routes.iter().map(|r| r.finding).collect();
        assert!(findings.contains(&FindingId::HomeServerRouteMissing));
        assert!(findings.contains(&FindingId::AppProxyReturnRouteMissing));
        assert_eq!(p.line_server_host().unwrap().role, Role::AppProxy);
    }

    #[test]
    fn cisco_accepts_its_own_recommended_line_uri_form() {
        let p = profile("cisco").unwrap();
        let rec = p
            .line_uri_forms
            .iter()
            .find(|f| f.recommended)
            .expect("a recommended form");
        assert_eq!(rec.form, LineUriForm::TelPhoneContext);
        assert!(rec.params.iter().any(|x| x == "device"));
    }

    #[test]
    fn a_typo_in_a_closed_set_fails_at_load() {
        let json = data_json!("profiles-generic").replace("\"forward\"", "\"forwad\"");
        assert!(parse_profile_json(&json).is_err());
    }

    #[test]
    fn validate_reports_unknown_participants() {
        let mut p = profile("generic").unwrap();
        p.flow[0].to = "nowhere".into();
        assert!(p.validate().iter().any(|m| m.contains("nowhere")));
    }
}
