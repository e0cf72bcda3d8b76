//! Routing: the servers involved (topology), the Microsoft-side routing rules (Home Server static
//! routes, host authorization, Application Proxy routes) and a simulator that routes the remote
//! call control INVITE hop by hop the way the servers would.
//!
//! # The rules text
//!
//! Admins type or paste their rules in a small line-based form ([`RULES_HELP`] is the same text
//! for the UI). [`parse_rules`] reads it and reports problems by line number; it never fails as a
//! whole, so one bad line does not hide the others.
//!
//! ```text
//! # Home Server (or OCS Front End) static routes: Properties -> Routing
//! [home-server]
//! route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no
//!
//! # Home Server host authorization: Properties -> Host Authorization
//! [host-authorization]
//! mcm-ap.contoso.com  authenticated throttle-as-server
//!
//! # Application Proxy routes (routes on the box running MCM)
//! [app-proxy]
//! route  *  -> lcs01.contoso.com:5061 tls
//!
//! # Optional: who is who (participant id or role, FQDN, IPs, listening transport:port)
//! [servers]
//! home-server  lcs01.contoso.com   10.0.0.10  tls:5061
//! app-proxy    mcm-ap.contoso.com  10.0.0.20  tls:5061
//! ```
//!
//! * `route <match> -> <next hop>[:<port>] [tls|tcp] [replace-host=yes|no]` — `route` may be
//!   left out. `<match>` is a domain or host (`contoso.com`, `mcm-ap.contoso.com`),
//!   `user@host`, or a wildcard pattern (`*`, `*.contoso.com`, `rcc@*`). The most specific
//!   matching route wins (exact `user@host`, then exact host, then the longest wildcard
//!   pattern, then `*`). The port defaults to 5061 for TLS and 5060 for TCP; transport to TLS.
//! * Host authorization rows: `<fqdn or ip> [authenticated] [throttle-as-server]
//!   [outbound-only]`.
//! * A section that is present but empty means "this table has no rows"; a section left out
//!   means "not supplied" and the simulator says what it needs instead of guessing.
//!
//! # Simulation
//!
//! [`simulate`] starts at the profile's Home Server with the request-URI = the line server URI,
//! follows the best route at each hop and stops at the participant that hosts the line server
//! (the Application Proxy running MCM, or the gateway). It then routes a request from that
//! participant to the user's SIP URI (the gateway's events and responses). Every problem names
//! the rule, or the absence of one, as [`Evidence::Rule`], and for a missing rule the exact line
//! the admin must add.

use crate::evidence::Evidence;
use crate::profile::{Profile, Role, RouteRequirement};
use crate::sip::SipMessage;
use serde::{Deserialize, Serialize};

/// The rules-text format, for the UI's help panel.
pub const RULES_HELP: &str = "\
# One section per table; lines starting with # are comments.
# [home-server]         static routes of the Home Server / Front End (Properties > Routing)
#   route <match> -> <next hop>[:<port>] [tls|tcp] [replace-host=yes|no]
#   <match>: domain or host (mcm-ap.contoso.com), user@host, or wildcards (*, *.contoso.com)
# [host-authorization]  Home Server host authorization (Properties > Host Authorization)
#   <fqdn or ip> [authenticated] [throttle-as-server] [outbound-only]
# [app-proxy]           routes on the Application Proxy running the gateway application
#   route * -> lcs01.contoso.com:5061 tls
# [servers]             optional: who is who
#   <participant or role> <fqdn> [ip ...] [tls:5061|tcp:5060]
# A section left out means 'not supplied'; a present but empty section means 'no rows'.
";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Tls,
    Tcp,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tls => "tls",
            Transport::Tcp => "tcp",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Transport::Tls => 5061,
            Transport::Tcp => 5060,
        }
    }

    fn parse(s: &str) -> Option<Transport> {
        match s.to_ascii_lowercase().as_str() {
            "tls" | "mtls" => Some(Transport::Tls),
            "tcp" => Some(Transport::Tcp),
            _ => None,
        }
    }
}

/// One static route (Home Server or Application Proxy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Match pattern: domain/host, `user@host`, wildcards.
    pub pattern: String,
    /// Next hop FQDN or IP.
    pub next_hop: String,
    pub port: u16,
    pub transport: Transport,
    pub replace_host: bool,
    /// 1-based line in the rules text (0 when built in code).
    pub line: u32,
}

impl Route {
    /// The route written in rules-text form.
    pub fn text(&self) -> String {
        format!(
            "route  {}  -> {}:{} {}  replace-host={}",
            self.pattern,
            self.next_hop,
            self.port,
            self.transport.as_str(),
            if self.replace_host { "yes" } else { "no" }
        )
    }
}

/// One host authorization row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostAuthorization {
    pub host: String,
    pub authenticated: bool,
    pub throttle_as_server: bool,
    pub outbound_only: bool,
    pub line: u32,
}

impl HostAuthorization {
    pub fn text(&self) -> String {
        let mut s = self.host.clone();
        if self.authenticated {
            s.push_str("  authenticated");
        }
        if self.throttle_as_server {
            s.push_str(" throttle-as-server");
        }
        if self.outbound_only {
            s.push_str(" outbound-only");
        }
        s
    }
}

/// The Microsoft-side routing configuration. `None` = table not supplied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingConfig {
    pub home_server: Option<Vec<Route>>,
    pub host_authorization: Option<Vec<HostAuthorization>>,
    pub app_proxy: Option<Vec<Route>>,
}

impl RoutingConfig {
    /// Routes of the table for a participant role, if simulated and supplied.
    pub fn table(&self, role: Role) -> Option<&[Route]> {
        match role {
            Role::HomeServer => self.home_server.as_deref(),
            Role::AppProxy => self.app_proxy.as_deref(),
            _ => None,
        }
    }
}

/// Display name of a route table (used in evidence).
pub fn table_name(role: Role) -> &'static str {
    match role {
        Role::HomeServer => "Home Server static routes",
        Role::AppProxy => "Application Proxy routes",
        _ => "routes",
    }
}

/// Display name of the host authorization table.
pub const HOST_AUTH_TABLE: &str = "Home Server host authorization";

/// A server as we know it: entered in `[servers]` or inferred from logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// Profile participant id or role name (`app-proxy`, `front-end`, `home-server`).
    pub participant: String,
    pub fqdn: Option<String>,
    pub ips: Vec<String>,
    /// Listening port and transport, when known.
    pub port: Option<u16>,
    pub transport: Option<Transport>,
    pub evidence: Vec<Evidence>,
    /// Typed by the admin (`[servers]`), not inferred from logs.
    #[serde(default)]
    pub entered: bool,
}

/// Who is who.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    pub hosts: Vec<Host>,
}

impl Topology {
    fn entry(&self, profile: &Profile, participant: &str) -> Option<&Host> {
        let role = profile.participant(participant).map(|p| p.role.as_str());
        self.hosts
            .iter()
            .find(|h| h.participant == participant)
            .or_else(|| {
                let role = role?;
                // A role name only stands for the first participant with that role.
                let first = profile
                    .participants
                    .iter()
                    .find(|p| p.role.as_str() == role)?;
                (first.id == participant)
                    .then(|| self.hosts.iter().find(|h| h.participant == role))
                    .flatten()
            })
    }

    /// FQDN of a profile participant, if known.
    pub fn fqdn(&self, profile: &Profile, participant: &str) -> Option<String> {
        self.entry(profile, participant)?.fqdn.clone()
    }

    /// Which profile participant a host name or IP (optionally with `:port`) is.
    pub fn who_is(&self, profile: &Profile, host: &str) -> Option<String> {
        let host = strip_port(host).to_ascii_lowercase();
        for p in &profile.participants {
            if let Some(h) = self.entry(profile, &p.id) {
                let fq = h.fqdn.as_deref().map(str::to_ascii_lowercase);
                if fq.as_deref() == Some(host.as_str()) || h.ips.contains(&host) {
                    return Some(p.id.clone());
                }
            }
        }
        None
    }

    /// Add what `other` knows and `self` does not (entered values win over inferred ones).
    pub fn merge(&mut self, other: &Topology) {
        for o in &other.hosts {
            match self
                .hosts
                .iter_mut()
                .find(|h| h.participant == o.participant)
            {
                Some(h) => {
                    if h.fqdn.is_none() {
                        h.fqdn = o.fqdn.clone();
                    }
                    for ip in &o.ips {
                        if !h.ips.contains(ip) {
                            h.ips.push(ip.clone());
                        }
                    }
                    h.port = h.port.or(o.port);
                    h.transport = h.transport.or(o.transport);
                    h.entered |= o.entered;
                    h.evidence.extend(o.evidence.iter().cloned());
                }
                None => self.hosts.push(o.clone()),
            }
        }
    }

    /// Set (or add) a participant's FQDN/IP when not already known.
    pub fn learn(
        &mut self,
        participant: &str,
        fqdn: Option<&str>,
        ip: Option<&str>,
        evidence: Evidence,
    ) {
        let add = Topology {
            hosts: vec![Host {
                participant: participant.to_string(),
                fqdn: fqdn.map(|f| f.to_ascii_lowercase()),
                ips: ip.map(|i| vec![i.to_string()]).unwrap_or_default(),
                port: None,
                transport: None,
                evidence: vec![evidence],
                entered: false,
            }],
        };
        self.merge(&add);
    }

    /// Infer who is who from logs: the client's peer is its Home Server; Server/User-Agent
    /// strings matching a participant's product hints name it; ms-diagnostics sources and
    /// Record-Route hosts are recorded against the participant they resolve to.
    pub fn infer(
        profile: &Profile,
        messages: &[SipMessage],
        line_server_host: Option<&str>,
    ) -> Topology {
        let mut t = Topology::default();
        let hs = profile.by_role(Role::HomeServer).map(|p| p.id.clone());
        let target = profile.line_server_host().map(|p| p.id.clone());
        if let (Some(target), Some(lsh)) = (&target, line_server_host) {
            if !looks_like_ip(lsh) {
                t.learn(
                    target,
                    Some(lsh),
                    None,
                    Evidence::Input {
                        field: "line server URI host".into(),
                        value: lsh.into(),
                    },
                );
            }
        }
        for m in messages {
            // Client traces: the client only talks to its Home Server.
            let is_client_log = m
                .header("User-Agent")
                .map(|ua| hint_match(profile, "client", ua))
                .unwrap_or(false)
                || m.header("Server")
                    .map(|s| hint_match(profile, "client", s))
                    .unwrap_or(false);
            if let (Some(hs), Some(peer)) = (&hs, m.peer()) {
                let dir_sent = m.direction == Some(crate::sip::Direction::Sent);
                if is_client_log && dir_sent && m.method().is_some() {
                    let host = strip_port(peer);
                    if looks_like_ip(host) {
                        t.learn(hs, None, Some(host), m.evidence());
                    } else {
                        t.learn(hs, Some(host), None, m.evidence());
                    }
                }
            }
            for product in m
                .headers_named("Server")
                .chain(m.headers_named("User-Agent"))
            {
                for p in &profile.participants {
                    if p.role != Role::Client && hint_match(profile, &p.id, product) {
                        // A Server header on a response names who answered; the host is in
                        // the top Via of a request or the Contact of a response.
                        if let Some(host) = m.header("Contact").and_then(uri_host_of_header) {
                            if m.status().is_some() && !looks_like_ip(&host) {
                                t.learn(&p.id, Some(&host), None, m.evidence());
                            }
                        }
                        // A server that answers with its own diagnostics names itself.
                        if m.status().is_some_and(|s| s >= 300) {
                            for d in crate::extract::ms_diagnostics(m) {
                                if let Some(src) = d.source.as_deref().map(strip_port) {
                                    if !src.is_empty() && !looks_like_ip(src) {
                                        t.learn(&p.id, Some(src), None, m.evidence());
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        t
    }
}

fn hint_match(profile: &Profile, participant: &str, product: &str) -> bool {
    let Some(p) = profile.participant(participant) else {
        return false;
    };
    let product = product.to_ascii_lowercase();
    p.product_hints
        .iter()
        .any(|h| product.contains(&h.to_ascii_lowercase()))
}

/// The host of the first URI in a header value (`<sip:a@b;x>` → `b`).
pub fn uri_host_of_header(value: &str) -> Option<String> {
    let inner = match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if b > a => &value[a + 1..b],
        _ => value.split(';').next().unwrap_or(value),
    };
    uri_parts(inner).map(|(_, h)| h)
}

/// `(user, host)` of a SIP/SIPS URI (`sip:rcc@mcm.contoso.com:5061;transport=tls`).
pub fn uri_parts(uri: &str) -> Option<(Option<String>, String)> {
    let uri = uri.trim().trim_start_matches('<').trim_end_matches('>');
    let lower = uri.to_ascii_lowercase();
    let rest = if lower.starts_with("sips:") {
        &uri[5..]
    } else if lower.starts_with("sip:") {
        &uri[4..]
    } else {
        return None;
    };
    let rest = rest.split([';', '?', '>']).next().unwrap_or(rest);
    let (user, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_string()), h),
        None => (None, rest),
    };
    let host = strip_port(hostport).to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some((user, host))
}

fn strip_port(h: &str) -> &str {
    let h = h.trim();
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match h.rsplit_once(':') {
        Some((a, p)) if !a.contains(':') && p.chars().all(|c| c.is_ascii_digit()) => a,
        _ => h,
    }
}

fn looks_like_ip(h: &str) -> bool {
    let h = strip_port(h);
    h.split('.').count() == 4 && h.split('.').all(|p| p.parse::<u8>().is_ok()) || h.contains(':')
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// A problem in the rules text, by 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleProblem {
    pub line: u32,
    pub message: String,
}

/// What [`parse_rules`] read: the configuration, the `[servers]` topology and line problems.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRules {
    pub config: RoutingConfig,
    pub topology: Topology,
    pub problems: Vec<RuleProblem>,
}

impl ParsedRules {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    HomeServer,
    HostAuth,
    AppProxy,
    Servers,
}

/// Parse the rules text (see the module docs). Never fails; bad lines become problems.
pub fn parse_rules(text: &str) -> ParsedRules {
    let mut out = ParsedRules::default();
    let mut section = Section::None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let problem = |out: &mut ParsedRules, m: String| {
            out.problems.push(RuleProblem {
                line: line_no,
                message: m,
            })
        };
        if line.starts_with('[') {
            let name = line
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim()
                .to_ascii_lowercase();
            section = match name.as_str() {
                "home-server" | "home server" | "front-end" | "static-routes" | "routes" => {
                    out.config.home_server.get_or_insert_with(Vec::new);
                    Section::HomeServer
                }
                "host-authorization" | "host authorization" | "host-auth" => {
                    out.config.host_authorization.get_or_insert_with(Vec::new);
                    Section::HostAuth
                }
                "app-proxy" | "application-proxy" | "application proxy" => {
                    out.config.app_proxy.get_or_insert_with(Vec::new);
                    Section::AppProxy
                }
                "servers" | "topology" => Section::Servers,
                _ => {
                    problem(
                        &mut out,
                        format!(
                            "unknown section [{name}]; expected [home-server], \
                             [host-authorization], [app-proxy] or [servers]"
                        ),
                    );
                    Section::None
                }
            };
            continue;
        }
        match section {
            Section::None => problem(
                &mut out,
                "rule outside a section: start with [home-server], [host-authorization], \
                 [app-proxy] or [servers]"
                    .into(),
            ),
            Section::HomeServer | Section::AppProxy => match parse_route(line, line_no) {
                Ok(r) => {
                    let table = if section == Section::HomeServer {
                        out.config.home_server.get_or_insert_with(Vec::new)
                    } else {
                        out.config.app_proxy.get_or_insert_with(Vec::new)
                    };
                    table.push(r);
                }
                Err(m) => problem(&mut out, m),
            },
            Section::HostAuth => {
                let mut words = line.split_whitespace();
                let host = words.next().unwrap_or_default().to_ascii_lowercase();
                let mut row = HostAuthorization {
                    host,
                    authenticated: false,
                    throttle_as_server: false,
                    outbound_only: false,
                    line: line_no,
                };
                for w in words {
                    match w.to_ascii_lowercase().as_str() {
                        "authenticated" | "treat-as-authenticated" => row.authenticated = true,
                        "throttle-as-server" | "throttle" => row.throttle_as_server = true,
                        "outbound-only" => row.outbound_only = true,
                        other => problem(
                            &mut out,
                            format!(
                                "unknown host authorization flag '{other}' (expected \
                                 authenticated, throttle-as-server, outbound-only)"
                            ),
                        ),
                    }
                }
                out.config
                    .host_authorization
                    .get_or_insert_with(Vec::new)
                    .push(row);
            }
            Section::Servers => {
                let words: Vec<&str> = line.split_whitespace().collect();
                if words.len() < 2 {
                    problem(
                        &mut out,
                        "expected: <participant or role> <fqdn> [ip ...] [tls:5061]".into(),
                    );
                    continue;
                }
                let mut host = Host {
                    participant: words[0].to_ascii_lowercase(),
                    fqdn: None,
                    ips: vec![],
                    port: None,
                    transport: None,
                    evidence: vec![Evidence::Rule {
                        table: "servers".into(),
                        row: Some(out.topology.hosts.len()),
                        text: line.to_string(),
                    }],
                    entered: true,
                };
                for w in &words[1..] {
                    if let Some((t, p)) = w.split_once(':') {
                        if let (Some(t), Ok(p)) = (Transport::parse(t), p.parse::<u16>()) {
                            host.transport = Some(t);
                            host.port = Some(p);
                            continue;
                        }
                    }
                    if looks_like_ip(w) {
                        host.ips.push(w.to_string());
                    } else if host.fqdn.is_none() {
                        host.fqdn = Some(w.to_ascii_lowercase());
                    } else {
                        problem(&mut out, format!("second host name '{w}' on one line"));
                    }
                }
                out.topology.hosts.push(host);
            }
        }
    }
    out
}

fn parse_route(line: &str, line_no: u32) -> Result<Route, String> {
    let body = line
        .strip_prefix("route ")
        .or_else(|| line.strip_prefix("route\t"))
        .unwrap_or(line);
    let (pattern, rest) = body
        .split_once("->")
        .ok_or("expected: route <match> -> <next hop>[:<port>] [tls|tcp] [replace-host=yes|no]")?;
    let pattern = pattern.trim();
    if pattern.is_empty() || pattern.contains(char::is_whitespace) {
        return Err(format!(
            "route match '{pattern}' must be one word (domain, host, user@host or wildcard)"
        ));
    }
    let mut words = rest.split_whitespace();
    let hop = words.next().ok_or("route has no next hop after ->")?;
    let (next_hop, port) = match hop.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => (
            h,
            Some(p.parse::<u16>().map_err(|_| format!("bad port '{p}'"))?),
        ),
        _ => (hop, None),
    };
    let mut transport = Transport::Tls;
    let mut replace_host = false;
    for w in words {
        let lw = w.to_ascii_lowercase();
        if let Some(t) = Transport::parse(&lw) {
            transport = t;
        } else if let Some(v) = lw.strip_prefix("replace-host=") {
            replace_host = match v {
                "yes" | "true" | "on" => true,
                "no" | "false" | "off" => false,
                _ => return Err(format!("replace-host must be yes or no, not '{v}'")),
            };
        } else if lw == "replace-host" {
            replace_host = true;
        } else if lw == "udp" {
            return Err("LCS/OCS static routes use TLS or TCP, not UDP".into());
        } else {
            return Err(format!(
                "unknown route option '{w}' (expected tls, tcp, replace-host=yes|no)"
            ));
        }
    }
    Ok(Route {
        pattern: pattern.to_ascii_lowercase(),
        next_hop: next_hop.to_ascii_lowercase(),
        port: port.unwrap_or(transport.default_port()),
        transport,
        replace_host,
        line: line_no,
    })
}

// ---------------------------------------------------------------------------------------------
// Matching

/// Case-insensitive glob with `*` only.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Specificity of `pattern` matching (user, host), or None when it does not match.
fn route_score(pattern: &str, user: Option<&str>, host: &str) -> Option<usize> {
    if pattern == "*" || pattern == "*.*" {
        return Some(0);
    }
    let literal = pattern.chars().filter(|c| *c != '*').count();
    let wild = pattern.contains('*');
    match pattern.split_once('@') {
        Some((pu, ph)) => {
            let u = user?;
            (glob(pu, u) && glob(ph, host)).then_some(if wild { 1 + literal } else { 10_000 })
        }
        None => glob(pattern, host).then_some(if wild { 1 + literal } else { 5_000 }),
    }
}

/// The best route (index) for a request-URI in a table.
pub fn best_route(routes: &[Route], uri: &str) -> Option<usize> {
    let (user, host) = uri_parts(uri)?;
    routes
        .iter()
        .enumerate()
        .filter_map(|(i, r)| route_score(&r.pattern, user.as_deref(), &host).map(|s| (s, i)))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, i)| i)
}

// ---------------------------------------------------------------------------------------------
// Simulation

/// Names the rule templates use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNames {
    pub line_server_uri: String,
    pub user_uri: String,
}

/// One hop the simulated request took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimHop {
    /// Participant that made the routing decision.
    pub at: String,
    /// Participant the request went to (None when it stopped here).
    pub next: Option<String>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathOutcome {
    /// Arrived where it should.
    Reached,
    /// Stopped: no rule, loop or wrong next hop.
    Stopped,
    /// A table we need was not supplied or a host is unknown.
    Unknown,
}

/// One direction of the simulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutePath {
    pub request_uri: String,
    pub hops: Vec<SimHop>,
    pub outcome: PathOutcome,
    /// Why, in one line.
    pub detail: String,
}

/// A routing problem with the finding id it supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteProblem {
    /// Finding id (`home-server-route-missing`, `host-not-authorized`, ...).
    pub finding: String,
    /// Participant whose configuration is wrong.
    pub at: String,
    /// `forward` or `return`.
    pub direction: String,
    pub message: String,
    /// The rule exactly as the admin must enter it (rules-text form), when one is missing.
    pub rule: Option<String>,
    /// Where to enter it, in the console.
    pub fix: Vec<String>,
    pub evidence: Vec<Evidence>,
}

/// What the simulator found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Simulation {
    pub forward: RoutePath,
    /// Gateway back to the user (None when the line server host's routing is not ours).
    pub back: Option<RoutePath>,
    pub problems: Vec<RouteProblem>,
    /// Tables or names the simulation needed but did not have.
    pub unknowns: Vec<String>,
}

impl Simulation {
    /// The verdict as the directory checks take it (`CheckContext::line_server_route`).
    pub fn route_verdict(&self) -> crate::directory::RouteVerdict {
        self.verdict().into()
    }

    /// The verdict directory checks take: did the INVITE for the line server URI get routed?
    pub fn verdict(&self) -> (bool, String, Vec<Evidence>) {
        (
            self.forward.outcome == PathOutcome::Reached,
            self.forward.detail.clone(),
            self.forward
                .hops
                .iter()
                .map(|h| h.evidence.clone())
                .collect(),
        )
    }
}

/// Fill a profile template.
pub fn render_template(
    template: &str,
    profile: &Profile,
    topology: &Topology,
    names: &CaseNames,
) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(a) = rest.find('{') {
        out.push_str(&rest[..a]);
        let Some(b) = rest[a..].find('}') else {
            out.push_str(&rest[a..]);
            return out;
        };
        let key = &rest[a + 1..a + b];
        out.push_str(&template_value(key, profile, topology, names));
        rest = &rest[a + b + 1..];
    }
    out.push_str(rest);
    out
}

fn template_value(key: &str, profile: &Profile, topology: &Topology, names: &CaseNames) -> String {
    match key {
        "line_server_uri" => names.line_server_uri.clone(),
        "line_server_host" => uri_parts(&names.line_server_uri)
            .map(|(_, h)| h)
            .unwrap_or_else(|| "<line server host>".into()),
        "user_domain" => uri_parts(&names.user_uri)
            .map(|(_, h)| h)
            .unwrap_or_else(|| "<SIP domain>".into()),
        k => {
            let id = k.trim_end_matches("_fqdn").replace('_', "-");
            topology.fqdn(profile, &id).unwrap_or_else(|| {
                let label = profile
                    .participant(&id)
                    .map(|p| p.label.clone())
                    .unwrap_or(id);
                format!("<{label} FQDN>")
            })
        }
    }
}

/// The rule a requirement asks for, in rules-text form, and the console steps.
pub fn required_rule(
    req: &RouteRequirement,
    profile: &Profile,
    topology: &Topology,
    names: &CaseNames,
) -> (String, Vec<String>) {
    let pattern = render_template(&req.pattern, profile, topology, names);
    let hop = render_template(&req.next_hop, profile, topology, names);
    let rule = format!(
        "route  {pattern}  -> {hop}:{} {}  replace-host=no",
        req.port, req.transport
    );
    let part = profile.participant(&req.at);
    let mut who = part
        .map(|p| p.label.clone())
        .unwrap_or_else(|| req.at.clone());
    if let Some(f) = topology.fqdn(profile, &req.at) {
        who = format!("{who}, {f}");
    }
    let kind = if pattern == "*" {
        "any user agent"
    } else if pattern.contains('@') {
        "user@host"
    } else {
        "domain/host"
    };
    let open = match part.map(|p| p.role) {
        Some(Role::HomeServer) => {
            format!("On the {who}: open the server's Properties > Routing tab and click Add.")
        }
        _ => format!(
            "On the {who}: add a static route in the Application Proxy's routing configuration."
        ),
    };
    let fix = vec![
        open,
        format!(
            "Matching URI ({kind}): '{pattern}'; next hop '{hop}', transport {}, port {}; \
             do not replace the host in the request URI.",
            req.transport.to_ascii_uppercase(),
            req.port
        ),
        "Apply, then sign Communicator out and in again.".into(),
    ];
    (rule, fix)
}

/// Route the RCC INVITE and the gateway's requests back to the user.
pub fn simulate(
    profile: &Profile,
    config: &RoutingConfig,
    topology: &Topology,
    names: &CaseNames,
) -> Simulation {
    let mut problems = Vec::new();
    let mut unknowns = Vec::new();
    let target = profile
        .line_server_host()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let start = profile
        .by_role(Role::HomeServer)
        .map(|p| p.id.clone())
        .unwrap_or_default();
    // The line server URI names the host of the participant answering it, unless the admin
    // said otherwise in [servers].
    let mut topo = topology.clone();
    if let Some((_, host)) = uri_parts(&names.line_server_uri) {
        if topo.fqdn(profile, &target).is_none() && !looks_like_ip(&host) {
            topo.learn(
                &target,
                Some(&host),
                None,
                Evidence::Input {
                    field: "line server URI host".into(),
                    value: host.clone(),
                },
            );
        }
    }
    let topology = &topo;
    let forward = route_path(
        profile,
        config,
        topology,
        names,
        &start,
        &target,
        &names.line_server_uri,
        "forward",
        &mut problems,
        &mut unknowns,
    );
    let back = profile
        .participant(&target)
        .filter(|p| p.role.route_table().is_some() && p.role != Role::HomeServer)
        .map(|_| {
            route_path(
                profile,
                config,
                topology,
                names,
                &target,
                &start,
                &names.user_uri,
                "return",
                &mut problems,
                &mut unknowns,
            )
        });
    // The line server host's requests arrive at the Home Server: it must be authorized there.
    let checked_on_the_way = forward
        .hops
        .iter()
        .any(|h| h.at == start && h.next.as_deref() == Some(target.as_str()));
    if target != start && !checked_on_the_way {
        check_authorized(
            profile,
            config,
            topology,
            &start,
            &target,
            None,
            &mut problems,
            &mut unknowns,
        );
    }
    dedup_problems(&mut problems);
    unknowns.dedup();
    Simulation {
        forward,
        back,
        problems,
        unknowns,
    }
}

fn dedup_problems(p: &mut Vec<RouteProblem>) {
    let mut seen: Vec<(String, String)> = Vec::new();
    p.retain(|x| {
        let k = (x.finding.clone(), x.at.clone() + &x.message);
        if seen.contains(&k) {
            false
        } else {
            seen.push(k);
            true
        }
    });
}

#[allow(clippy::too_many_arguments)]
fn check_authorized(
    profile: &Profile,
    config: &RoutingConfig,
    topology: &Topology,
    at: &str,
    peer: &str,
    hop_name: Option<&str>,
    problems: &mut Vec<RouteProblem>,
    unknowns: &mut Vec<String>,
) {
    if profile.participant(at).map(|p| p.role) != Some(Role::HomeServer) {
        return;
    }
    let Some(rows) = &config.host_authorization else {
        unknowns.push("Home Server host authorization list".into());
        return;
    };
    let mut names: Vec<String> = Vec::new();
    if let Some(h) = hop_name {
        names.push(h.to_ascii_lowercase());
    }
    if let Some(h) = topology.entry(profile, peer) {
        names.extend(h.fqdn.iter().cloned());
        names.extend(h.ips.iter().cloned());
    }
    if names.is_empty() {
        unknowns.push(format!("FQDN of {peer}"));
        return;
    }
    let found = rows
        .iter()
        .enumerate()
        .find(|(_, r)| names.iter().any(|n| n.eq_ignore_ascii_case(&r.host)));
    let label = profile
        .participant(peer)
        .map(|p| p.label.clone())
        .unwrap_or_else(|| peer.to_string());
    let want = names[0].clone();
    match found {
        Some((_, r)) if r.authenticated && r.throttle_as_server && !r.outbound_only => {}
        Some((index, r)) => problems.push(RouteProblem {
            finding: "host-not-authorized".into(),
            at: at.to_string(),
            direction: "return".into(),
            message: format!(
                "{label} ({}) is in host authorization but not as 'authenticated' and \
                 'throttle as server'{}",
                r.host,
                if r.outbound_only {
                    " (it is outbound only)"
                } else {
                    ""
                }
            ),
            rule: Some(format!("{}  authenticated throttle-as-server", r.host)),
            fix: auth_fix(&r.host),
            evidence: vec![Evidence::Rule {
                table: HOST_AUTH_TABLE.into(),
                row: Some(index),
                text: r.text(),
            }],
        }),
        None => problems.push(RouteProblem {
            finding: "host-not-authorized".into(),
            at: at.to_string(),
            direction: "return".into(),
            message: format!(
                "{label} ({want}) is not in the Home Server's host authorization list, so its \
                 requests are challenged or refused"
            ),
            rule: Some(format!("{want}  authenticated throttle-as-server")),
            fix: auth_fix(&want),
            evidence: vec![Evidence::Rule {
                table: HOST_AUTH_TABLE.into(),
                row: None,
                text: format!("no row for {}", names.join(" / ")),
            }],
        }),
    }
}

fn auth_fix(host: &str) -> Vec<String> {
    vec![
        "On the Home Server: open Properties > Host Authorization and click Add.".into(),
        format!(
            "Server: FQDN '{host}'; tick 'Throttle as server' and 'Treat as authenticated'; \
             leave 'Outbound only' cleared."
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn route_path(
    profile: &Profile,
    config: &RoutingConfig,
    topology: &Topology,
    names: &CaseNames,
    start: &str,
    target: &str,
    uri: &str,
    direction: &str,
    problems: &mut Vec<RouteProblem>,
    unknowns: &mut Vec<String>,
) -> RoutePath {
    let mut hops = Vec::new();
    let mut visited = vec![start.to_string()];
    let mut current = start.to_string();
    let uri_host = uri_parts(uri).map(|(_, h)| h);
    let path = |hops, outcome, detail: String| RoutePath {
        request_uri: uri.to_string(),
        hops,
        outcome,
        detail,
    };
    if uri_host.is_none() {
        return path(
            hops,
            PathOutcome::Unknown,
            format!("'{uri}' is not a SIP URI"),
        );
    }
    for _ in 0..8 {
        if current == target {
            return path(
                hops,
                PathOutcome::Reached,
                format!("{uri} reaches {target}"),
            );
        }
        let Some(part) = profile.participant(&current) else {
            return path(
                hops,
                PathOutcome::Unknown,
                format!("unknown participant {current}"),
            );
        };
        let Some(table) = config.table(part.role) else {
            if part.role.route_table().is_none() {
                return path(
                    hops,
                    PathOutcome::Unknown,
                    format!("{} routes outside the Microsoft configuration", part.label),
                );
            }
            unknowns.push(table_name(part.role).to_string());
            return path(
                hops,
                PathOutcome::Unknown,
                format!("{} not supplied", table_name(part.role)),
            );
        };
        let req = profile
            .routes
            .iter()
            .find(|r| r.at == current && r.direction == direction);
        let Some(i) = best_route(table, uri) else {
            let (rule, fix) = match req {
                Some(r) => {
                    let (rule, fix) = required_rule(r, profile, topology, names);
                    (Some(rule), fix)
                }
                None => (None, vec![]),
            };
            let finding = req.map(|r| r.finding.clone()).unwrap_or_else(|| {
                if direction == "forward" {
                    "home-server-route-missing".into()
                } else {
                    "app-proxy-return-route-missing".into()
                }
            });
            let ev = Evidence::Rule {
                table: table_name(part.role).into(),
                row: None,
                text: format!(
                    "no route matches {uri} ({} row{} checked)",
                    table.len(),
                    if table.len() == 1 { "" } else { "s" }
                ),
            };
            problems.push(RouteProblem {
                finding,
                at: current.clone(),
                direction: direction.into(),
                message: format!(
                    "{} has no route matching {uri}{}",
                    part.label,
                    req.map(|r| format!(": {}", r.why)).unwrap_or_default()
                ),
                rule,
                fix,
                evidence: vec![ev.clone()],
            });
            hops.push(SimHop {
                at: current.clone(),
                next: None,
                evidence: ev,
            });
            return path(
                hops,
                PathOutcome::Stopped,
                format!("{} has no route for {uri}", part.label),
            );
        };
        let r = &table[i];
        let ev = Evidence::Rule {
            table: table_name(part.role).into(),
            row: Some(i),
            text: r.text(),
        };
        // Who is the next hop?
        let expected = req.map(|q| q.next_participant.clone());
        let mut assumed = false;
        let next = topology.who_is(profile, &r.next_hop).or_else(|| {
            if Some(&r.next_hop) == uri_host.as_ref() && direction == "forward" {
                Some(target.to_string())
            } else {
                // Unknown host: assume the participant the profile expects, unless the admin
                // entered that participant's name (or address, for an IP next hop) and it
                // differs. Names only inferred from logs never contradict a rule.
                let e = expected.clone()?;
                let known = topology.entry(profile, &e).filter(|h| h.entered);
                let contradicts = known.is_some_and(|h| {
                    if looks_like_ip(&r.next_hop) {
                        !h.ips.is_empty()
                    } else {
                        h.fqdn.is_some()
                    }
                });
                if contradicts {
                    None
                } else {
                    assumed = true;
                    Some(e)
                }
            }
        });
        if assumed {
            if let Some(n) = &next {
                let label = profile
                    .participant(n)
                    .map(|p| p.label.clone())
                    .unwrap_or_else(|| n.clone());
                unknowns.push(format!(
                    "Confirm that {} is the {label} (add it under [servers])",
                    r.next_hop
                ));
            }
        }
        let Some(next) = next else {
            let want = expected
                .as_deref()
                .and_then(|e| topology.fqdn(profile, e))
                .unwrap_or_else(|| "the expected server".into());
            problems.push(RouteProblem {
                finding: req
                    .map(|q| q.finding.clone())
                    .unwrap_or_else(|| "home-server-route-missing".into()),
                at: current.clone(),
                direction: direction.into(),
                message: format!(
                    "the route for {uri} on {} sends it to {}, which is not {want}",
                    part.label, r.next_hop
                ),
                rule: req.map(|q| required_rule(q, profile, topology, names).0),
                fix: req
                    .map(|q| required_rule(q, profile, topology, names).1)
                    .unwrap_or_default(),
                evidence: vec![ev.clone()],
            });
            hops.push(SimHop {
                at: current.clone(),
                next: None,
                evidence: ev,
            });
            return path(
                hops,
                PathOutcome::Stopped,
                format!("route sends {uri} to unknown host {}", r.next_hop),
            );
        };
        // Transport and port against what the next hop listens on.
        if let Some(h) = topology.entry(profile, &next) {
            let t_bad = h.transport.is_some_and(|t| t != r.transport);
            let p_bad = h.port.is_some_and(|p| p != r.port);
            if t_bad || p_bad {
                let t = h.transport.unwrap_or(r.transport);
                let p = h.port.unwrap_or(r.port);
                problems.push(RouteProblem {
                    finding: "tls-transport-mismatch".into(),
                    at: current.clone(),
                    direction: direction.into(),
                    message: format!(
                        "the route sends to {}:{} over {}, but {} listens on {}:{}",
                        r.next_hop,
                        r.port,
                        r.transport.as_str().to_uppercase(),
                        next,
                        t.as_str().to_uppercase(),
                        p
                    ),
                    rule: Some(format!(
                        "route  {}  -> {}:{} {}  replace-host={}",
                        r.pattern,
                        r.next_hop,
                        p,
                        t.as_str(),
                        if r.replace_host { "yes" } else { "no" }
                    )),
                    fix: vec![format!(
                        "Edit the route for '{}': transport {}, port {}.",
                        r.pattern,
                        t.as_str().to_uppercase(),
                        p
                    )],
                    evidence: vec![ev.clone()],
                });
            }
        }
        let next_is_home = profile.participant(&next).map(|p| p.role) == Some(Role::HomeServer);
        if direction == "forward" && !next_is_home && !visited.contains(&next) {
            check_authorized(
                profile,
                config,
                topology,
                &current,
                &next,
                Some(&r.next_hop),
                problems,
                unknowns,
            );
        }
        hops.push(SimHop {
            at: current.clone(),
            next: Some(next.clone()),
            evidence: ev.clone(),
        });
        if visited.contains(&next) {
            problems.push(RouteProblem {
                finding: "route-loop".into(),
                at: current.clone(),
                direction: direction.into(),
                message: format!("{uri} loops back to {next}"),
                // The rule the hop should have instead.
                rule: req.map(|q| required_rule(q, profile, topology, names).0),
                fix: {
                    let mut f = vec![format!(
                        "Point the route for '{}' at the next server on the path, not back at {next}.",
                        r.pattern
                    )];
                    if let Some(q) = req {
                        f.extend(required_rule(q, profile, topology, names).1);
                    }
                    f
                },
                evidence: hops.iter().map(|h| h.evidence.clone()).collect(),
            });
            return path(hops, PathOutcome::Stopped, format!("{uri} loops at {next}"));
        }
        visited.push(next.clone());
        current = next;
    }
    path(hops, PathOutcome::Stopped, "too many hops".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::profile;

    const SEED: &str = "\
# Home Server static routes
[home-server]
route  contoso-legacy.com  -> gw-old.contoso.com:5060 tcp
[host-authorization]
mcm-ap.contoso.com  authenticated throttle-as-server
[app-proxy]
[servers]
home-server lcs01.contoso.com 10.0.0.10
app-proxy mcm-ap.contoso.com 10.0.0.20
";

    const FIXED: &str = "\
[home-server]
route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls   replace-host=no
[host-authorization]
mcm-ap.contoso.com  authenticated throttle-as-server
[app-proxy]
route  *  -> lcs01.contoso.com:5061 tls
[servers]
home-server lcs01.contoso.com 10.0.0.10 tls:5061
app-proxy mcm-ap.contoso.com 10.0.0.20 tls:5061
";

    fn names() -> CaseNames {
        CaseNames {
            line_server_uri: "sip:rcc@mcm-ap.contoso.com".into(),
            user_uri: "sip:alice@contoso.com".into(),
        }
    }

    #[test]
    fn parses_the_documented_example() {
        let p = parse_rules(FIXED);
        assert!(p.is_clean(), "{:?}", p.problems);
        let hs = p.config.home_server.as_ref().unwrap();
        assert_eq!(hs[0].pattern, "mcm-ap.contoso.com");
        assert_eq!(hs[0].port, 5061);
        assert_eq!(hs[0].transport, Transport::Tls);
        assert_eq!(hs[0].line, 2);
        assert_eq!(p.config.app_proxy.as_ref().unwrap()[0].pattern, "*");
        assert!(p.config.host_authorization.as_ref().unwrap()[0].throttle_as_server);
        assert_eq!(p.topology.hosts.len(), 2);
        assert_eq!(p.topology.hosts[1].port, Some(5061));
    }

    #[test]
    fn reports_bad_lines_by_number_and_keeps_the_rest() {
        let p = parse_rules("route a -> b\n[home-server]\nroute x.com b.com\nroute y.com -> c.com udp\nroute z.com -> d.com:5060 tcp\n[nonsense]\n");
        let lines: Vec<u32> = p.problems.iter().map(|x| x.line).collect();
        assert_eq!(lines, vec![1, 3, 4, 6]);
        assert_eq!(p.config.home_server.unwrap().len(), 1);
    }

    #[test]
    fn wildcards_and_specificity() {
        let routes = parse_rules(
            "[home-server]\nroute * -> a\nroute *.contoso.com -> b\nroute mcm-ap.contoso.com -> c\nroute rcc@mcm-ap.contoso.com -> d\n",
        )
        .config
        .home_server
        .unwrap();
        assert_eq!(best_route(&routes, "sip:rcc@mcm-ap.contoso.com"), Some(3));
        assert_eq!(best_route(&routes, "sip:other@mcm-ap.contoso.com"), Some(2));
        assert_eq!(best_route(&routes, "sip:x@pbx.contoso.com"), Some(1));
        assert_eq!(best_route(&routes, "sip:x@fabrikam.com"), Some(0));
        assert_eq!(best_route(&routes[1..3], "sip:x@fabrikam.com"), None);
    }

    #[test]
    fn seed_rules_miss_both_routes() {
        let p = profile("nortel").unwrap();
        let rules = parse_rules(SEED);
        assert!(rules.is_clean(), "{:?}", rules.problems);
        let sim = simulate(&p, &rules.config, &rules.topology, &names());
        let ids: Vec<&str> = sim.problems.iter().map(|x| x.finding.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "home-server-route-missing",
                "app-proxy-return-route-missing"
            ]
        );
        assert_eq!(sim.forward.outcome, PathOutcome::Stopped);
        assert_eq!(
            sim.problems[0].rule.as_deref(),
            Some("route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no")
        );
        assert_eq!(
            sim.problems[1].rule.as_deref(),
            Some("route  *  -> lcs01.contoso.com:5061 tls  replace-host=no")
        );
        assert!(matches!(
            sim.problems[0].evidence[0],
            Evidence::Rule { row: None, .. }
        ));
        assert!(!sim.verdict().0);
        assert!(!sim.route_verdict().routed);
    }

    #[test]
    fn fixed_rules_route_both_ways() {
        let p = profile("nortel").unwrap();
        let rules = parse_rules(FIXED);
        let sim = simulate(&p, &rules.config, &rules.topology, &names());
        assert!(sim.problems.is_empty(), "{:?}", sim.problems);
        assert_eq!(sim.forward.outcome, PathOutcome::Reached);
        assert_eq!(sim.back.as_ref().unwrap().outcome, PathOutcome::Reached);
        assert!(sim.verdict().0);
    }

    #[test]
    fn finds_unauthorized_next_hop_and_transport_mismatch() {
        let p = profile("nortel").unwrap();
        let text = FIXED
            .replace("mcm-ap.contoso.com  authenticated throttle-as-server", "")
            .replace("mcm-ap.contoso.com:5061 tls", "mcm-ap.contoso.com:5060 tcp");
        let rules = parse_rules(&text);
        let sim = simulate(&p, &rules.config, &rules.topology, &names());
        let ids: Vec<&str> = sim.problems.iter().map(|x| x.finding.as_str()).collect();
        assert!(ids.contains(&"tls-transport-mismatch"), "{ids:?}");
        assert!(ids.contains(&"host-not-authorized"), "{ids:?}");
        assert_eq!(sim.forward.outcome, PathOutcome::Reached);
    }

    #[test]
    fn detects_loops_and_missing_tables() {
        let p = profile("nortel").unwrap();
        let rules = parse_rules(
            "[home-server]\nroute mcm-ap.contoso.com -> lcs01.contoso.com\n[servers]\nhome-server lcs01.contoso.com\n",
        );
        let sim = simulate(&p, &rules.config, &rules.topology, &names());
        let looped = sim
            .problems
            .iter()
            .find(|x| x.finding == "route-loop")
            .unwrap();
        assert_eq!(
            looped.rule.as_deref(),
            Some("route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no")
        );
        let sim = simulate(
            &p,
            &RoutingConfig::default(),
            &Topology::default(),
            &names(),
        );
        assert_eq!(sim.forward.outcome, PathOutcome::Unknown);
        assert!(sim.problems.is_empty());
        assert!(sim
            .unknowns
            .iter()
            .any(|u| u.contains("Home Server static routes")));
    }

    #[test]
    fn unknown_next_hops_are_assumed_unless_the_admin_said_otherwise() {
        let p = profile("nortel").unwrap();
        // Next hop by IP, only the FQDN entered: assume it is the Application Proxy, ask.
        let r = parse_rules(
            "[home-server]\nroute mcm-ap.contoso.com -> 10.0.0.20:5061 tls\n[host-authorization]\n10.0.0.20 authenticated throttle-as-server\n[app-proxy]\nroute * -> lcs01.contoso.com\n[servers]\napp-proxy mcm-ap.contoso.com\nhome-server lcs01.contoso.com\n",
        );
        let sim = simulate(&p, &r.config, &r.topology, &names());
        assert!(sim.problems.is_empty(), "{:?}", sim.problems);
        assert!(sim.unknowns.iter().any(|u| u.contains("10.0.0.20")));
        // Next hop by name, a different name entered: the route points elsewhere.
        let r = parse_rules(
            "[home-server]\nroute mcm-ap.contoso.com -> old-ap.contoso.com\n[servers]\napp-proxy mcm-ap.contoso.com\n",
        );
        let sim = simulate(&p, &r.config, &r.topology, &names());
        assert_eq!(sim.problems[0].finding, "home-server-route-missing");
        assert!(sim.problems[0].message.contains("old-ap.contoso.com"));
        // The same without [servers]: nothing contradicts the rule, so it is assumed.
        let r = parse_rules("[home-server]\nroute mcm-ap.contoso.com -> old-ap.contoso.com\n");
        let sim = simulate(&p, &r.config, &r.topology, &names());
        assert!(sim.problems.is_empty(), "{:?}", sim.problems);
    }

    #[test]
    fn uri_parts_handles_ports_params_and_brackets() {
        assert_eq!(
            uri_parts("<sip:rcc@MCM.contoso.com:5061;transport=tls>"),
            Some((Some("rcc".into()), "mcm.contoso.com".into()))
        );
        assert_eq!(uri_parts("tel:+1425"), None);
        assert_eq!(
            uri_host_of_header("\"x\" <sip:a@b.com;gruu>;tag=1"),
            Some("b.com".into())
        );
    }
}
