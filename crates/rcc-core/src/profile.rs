//! Gateway profiles: who takes part in a remote call control set-up, the known-good message flow,
//! the routing rules each hop needs, and what each failure looks like.
//!
//! Profiles are data, not code: `data/profiles/*.toml`, compiled in with `include_str!` so the
//! browser build needs no file access. A support engineer adds a gateway by copying one of the
//! files; the format is documented at the top of each file and checked by the tests below
//! (every file parses, every leg, route and failure names only declared participants and legs).

use serde::{Deserialize, Serialize};

/// The profile files shipped with the app, in the order the wizard offers them.
const PROFILE_FILES: &[(&str, &str)] = &[
    (
        "nortel.toml",
        include_str!("../../../data/profiles/nortel.toml"),
    ),
    (
        "cisco.toml",
        include_str!("../../../data/profiles/cisco.toml"),
    ),
    (
        "generic.toml",
        include_str!("../../../data/profiles/generic.toml"),
    ),
];

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
}

/// One box in the flow diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// How to recognise a leg's message in the observed flow. Every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// Request method (`SUBSCRIBE`, `INVITE`, `ACK`, `INFO`, ...).
    pub method: Option<String>,
    /// Response status code (`100`, `200`).
    pub status: Option<u16>,
    /// CSeq method the response answers (with `status`).
    pub cseq: Option<String>,
    /// CSTA body element (`RequestSystemStatus`, `MonitorStartResponse`, ...).
    pub csta: Option<String>,
    /// `Event` header prefix (`vnd-microsoft-provisioning`).
    pub event: Option<String>,
    /// The response must carry provisioning data (line URI + line server URI).
    #[serde(default)]
    pub provisioning: bool,
    /// The message must show it got to (or came from) this participant: peer address,
    /// Via/Record-Route host, ms-diagnostics source or product string.
    pub hop: Option<String>,
}

/// One leg of the known-good flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStep {
    /// Stable id referenced by failure signatures (`invite-hs-ap`).
    pub id: String,
    pub from: String,
    pub to: String,
    /// The message as the diagram shows it.
    pub message: String,
    #[serde(rename = "match", default)]
    pub matcher: Matcher,
    /// False for legs we cannot see in Microsoft-side logs (e.g. MCM to NRS): their state
    /// follows from later legs.
    #[serde(default = "yes")]
    pub observable: bool,
    /// False for legs whose absence is normal (`100 Trying` from an intermediate hop).
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// A routing rule a hop needs, written as a template over the case's names.
///
/// Templates: `{line_server_host}`, `{line_server_uri}`, `{user_domain}`, and
/// `{<participant id with _ for ->_fqdn}` (e.g. `{app_proxy_fqdn}`, `{home_server_fqdn}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteRequirement {
    /// Participant whose routing table needs the rule.
    pub at: String,
    /// Which request it carries: `forward` (client to line server) or `return` (to users).
    pub direction: String,
    /// Match pattern template (`{line_server_host}`, `*`).
    #[serde(rename = "match")]
    pub pattern: String,
    /// Next hop template (`{app_proxy_fqdn}`).
    pub next_hop: String,
    /// Participant the next hop is.
    pub next_participant: String,
    pub port: u16,
    pub transport: String,
    /// The finding id reported when the rule is absent.
    pub finding: String,
    /// Why the hop needs it, in plain language.
    pub why: String,
}

/// An observation on a leg that points to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureSignature {
    /// Leg id this failure shows on.
    pub leg: String,
    /// SIP final statuses (any of them); empty = any error status.
    #[serde(default)]
    pub status: Vec<u16>,
    /// Participant that produced the response (ms-diagnostics source, Server header, peer).
    pub responder: Option<String>,
    /// ms-diagnostics codes that make the match certain (any of them).
    #[serde(default)]
    pub ms_diagnostics: Vec<u32>,
    /// Words (case-insensitive) in the ms-diagnostics reason or a server diagnostic record.
    #[serde(default)]
    pub reason_contains: Vec<String>,
    /// A CSTA error in the body.
    #[serde(default)]
    pub csta_error: bool,
    /// No final response (or 408) although the request was sent.
    #[serde(default)]
    pub timeout: bool,
    /// The leg's message never appears.
    #[serde(default)]
    pub missing: bool,
    /// Whether the request must be shown to have reached `reached` first.
    pub reached: Option<String>,
    pub finding: String,
}

/// A whole gateway profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub description: String,
    pub participants: Vec<Participant>,
    /// Accepted `msRTCSIP-Line` forms, as examples (`tel:+14255550123;ext=5123`).
    pub line_uri_forms: Vec<String>,
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

    /// First participant with this role.
    pub fn by_role(&self, role: Role) -> Option<&Participant> {
        self.participants.iter().find(|p| p.role == role)
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
            if let Some(h) = &l.matcher.hop {
                if !known(h) {
                    problems.push(format!("leg {}: unknown hop {h}", l.id));
                }
            }
        }
        for r in &self.routes {
            for p in [&r.at, &r.next_participant] {
                if !known(p) {
                    problems.push(format!("route at {}: unknown participant {p}", r.at));
                }
            }
            if r.direction != "forward" && r.direction != "return" {
                problems.push(format!(
                    "route at {}: direction must be forward|return",
                    r.at
                ));
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
        }
        let mut ids: Vec<&str> = self.flow.iter().map(|l| l.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.flow.len() {
            problems.push("duplicate leg ids".into());
        }
        for id in ["subscribe", "provisioning"] {
            if self.leg(id).is_none() {
                problems.push(format!(
                    "no leg with id {id} (the engine attaches findings to it)"
                ));
            }
        }
        if self.by_role(Role::HomeServer).is_none() {
            problems.push("no home-server participant".into());
        }
        problems
    }
}

/// Parse one profile file (exposed for tests and for user-supplied profiles).
pub fn parse_profile(text: &str) -> Result<Profile, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

/// All shipped profiles. A file that fails to parse is skipped (the tests guarantee none does).
pub fn profiles() -> Vec<Profile> {
    PROFILE_FILES
        .iter()
        .filter_map(|(_, text)| parse_profile(text).ok())
        .collect()
}

/// The shipped profile with this id.
pub fn profile(id: &str) -> Option<Profile> {
    profiles().into_iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_file_parses_and_references_declared_names() {
        for (name, text) in PROFILE_FILES {
            let p = parse_profile(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(p.validate(), Vec::<String>::new(), "{name}");
            assert!(
                p.line_server_host().is_some(),
                "{name}: no line server host"
            );
            assert!(!p.flow.is_empty(), "{name}");
        }
        assert_eq!(profiles().len(), PROFILE_FILES.len());
    }

    #[test]
    fn nortel_profile_has_both_seed_rules() {
        let p = profile("nortel").unwrap();
        let findings: Vec<&str> = p.routes.iter().map(|r| r.finding.as_str()).collect();
        assert!(findings.contains(&"home-server-route-missing"));
        assert!(findings.contains(&"app-proxy-return-route-missing"));
        assert_eq!(p.line_server_host().unwrap().role, Role::AppProxy);
    }

    #[test]
    fn validate_reports_unknown_participants() {
        let mut p = profile("generic").unwrap();
        p.flow[0].to = "nowhere".into();
        assert!(p.validate().iter().any(|m| m.contains("nowhere")));
    }
}
