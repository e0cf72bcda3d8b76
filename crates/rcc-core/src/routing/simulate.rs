//! The route simulator: routes the remote call control INVITE hop by hop the way the servers
//! would, and the gateway's requests back to the user.
//!
//! [`simulate`] starts at the profile's Home Server with the request-URI = the line server URI,
//! follows the best route at each hop and stops at the participant that hosts the line server
//! (the Application Proxy running MCM, or the gateway). It then routes a request from that
//! participant to the user's SIP URI (the gateway's answers and events), whenever that
//! participant's routes were supplied, even when the line server URI is not known. Every
//! problem names the rule, or the absence of one, as [`Evidence::Rule`], and for a missing rule
//! the exact line the admin must add. Where a route's transport or port can only be judged from
//! the profile's declared defaults, the problem names that assumption.

use super::rules::{table_name, CollectionChoice, Route, RoutingConfig, Rule, HOST_AUTH_TABLE};
use super::topology::{Learned, Topology};
use crate::evidence::Evidence;
use crate::findings::FindingId;
use crate::generation::Generation;
use crate::profile::{Profile, Role, RouteDirection, RouteRequirement};
use crate::sip::Transport;
use crate::uri::{self, UriView};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Case-insensitive glob with `*` only.
fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != b'*' && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
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
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Specificity of `pattern` matching (user, host), or None when it does not match. Exact
/// `user@host` beats an exact host, which beats the longest wildcard pattern, which beats `*`.
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
pub fn best_route(routes: &[Route], request_uri: &str) -> Option<usize> {
    best_route_of(routes.iter(), request_uri)
}

/// [`best_route`] over routes gathered from elsewhere; the index is the iterator's.
fn best_route_of<'r>(routes: impl Iterator<Item = &'r Route>, request_uri: &str) -> Option<usize> {
    let v = UriView::parse(request_uri)?;
    let host = v.host_key();
    routes
        .enumerate()
        .filter_map(|(i, r)| route_score(&r.pattern, v.user, &host).map(|s| (s, i)))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, i)| i)
}

/// Names the rule templates use. `None` = not known for this case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNames {
    pub line_server_uri: Option<String>,
    pub user_uri: Option<String>,
    /// The client the user signs out of and in again ([`crate::generation::client_name`]).
    #[serde(default)]
    pub client: Option<String>,
    /// The server generation, when known: what a route may name as its next hop.
    #[serde(default)]
    pub generation: Option<Generation>,
}

/// The line server URI, read, when its host is the users' own SIP domain (the user's URI's):
/// that host is the pool's, not the gateway's name, and a route for it would send every user
/// to the gateway.
pub fn in_users_domain<'u>(line_server_uri: &'u str, user_uri: &str) -> Option<UriView<'u>> {
    let line_server = UriView::parse(line_server_uri)?;
    let users = UriView::parse(user_uri)?;
    (line_server.host_key() == users.host_key()).then_some(line_server)
}

impl CaseNames {
    /// The line server URI's user and host when its host is the users' own SIP domain
    /// ([`in_users_domain`]).
    pub(crate) fn line_server_in_users_domain(&self) -> Option<(String, String)> {
        let uri = in_users_domain(self.line_server_uri.as_deref()?, self.user_uri.as_deref()?)?;
        Some((uri.user?.to_string(), uri.host_key()))
    }

    /// Whether static routes match only domains (Lync's `MatchUri`: a domain or `*.domain`), so
    /// no route can single out one address of the users' own domain.
    fn routes_match_domains_only(&self) -> bool {
        self.generation.is_some_and(|g| g.uses_powershell())
    }
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
    /// A table we need was not supplied, a host is unknown, or there is no URI to route.
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

/// A routing problem with the finding it supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteProblem {
    pub finding: FindingId,
    /// Participant whose configuration is wrong.
    pub at: String,
    pub direction: RouteDirection,
    pub message: String,
    /// The rule the admin must add or change, when one is missing or wrong.
    pub rule: Option<Rule>,
    /// Where to enter it, in the console.
    pub fix: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// What the verdict rests on that nobody stated (the profile's usual port, say): the
    /// finding is then a warning of lower confidence that names it.
    #[serde(default)]
    pub assumption: Option<String>,
    /// What the rule's details rest on (see [`RequiredRule::assumptions`]); the verdict stands.
    #[serde(default)]
    pub rule_assumptions: Vec<String>,
    /// The step to take before any rule: correcting the line server URI, when it reads as a
    /// typo of a name the rules route ([`typo_of`]: the rule is then unnecessary) or sits in
    /// the users' own domain where routes match whole domains (no rule can single it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_first: Option<String>,
}

/// What the simulator found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Simulation {
    pub forward: RoutePath,
    /// The line server host back to the user (None when its routes are not ours to simulate).
    pub back: Option<RoutePath>,
    pub problems: Vec<RouteProblem>,
    /// Tables or names the simulation needed but did not have.
    pub unknowns: Vec<String>,
    /// Next hops of the forward path taken to be the expected server, unconfirmed (each as
    /// "<host> is the <participant>").
    #[serde(default)]
    pub assumed: Vec<String>,
    /// The Lync static routing collection the user's pool routes with, when the paste showed
    /// pools' own collections ([`RoutingConfig::for_pool`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<CollectionChoice>,
    /// The server the Home Server's rules were printed on ([`RoutingConfig::printed_on`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed_on: Option<(String, u32)>,
}

impl Simulation {
    /// The verdict the directory checks take: did the INVITE for the line server URI get routed?
    pub fn route_verdict(&self) -> crate::directory::RouteVerdict {
        let route_pattern = self
            .problems
            .iter()
            .filter(|p| p.direction == RouteDirection::Forward)
            .find_map(|p| match &p.rule {
                Some(Rule::Route(r)) => Some(r.pattern.clone()),
                _ => None,
            });
        crate::directory::RouteVerdict {
            route_pattern,
            routed: self.forward.outcome == PathOutcome::Reached,
            detail: self.forward.detail.clone(),
            assumed: self.assumed.clone(),
            evidence: self
                .forward
                .hops
                .iter()
                .map(|h| h.evidence.clone())
                .collect(),
        }
    }

    /// No problem and nothing unknown: the routes carry the INVITE there and back.
    pub fn complete(&self) -> bool {
        self.problems.is_empty()
            && self.unknowns.is_empty()
            && self.forward.outcome == PathOutcome::Reached
            && self
                .back
                .as_ref()
                .is_none_or(|b| b.outcome == PathOutcome::Reached)
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
    let view = |u: &Option<String>| u.as_deref().and_then(UriView::parse).map(|v| v.host_key());
    match key {
        "line_server_uri" => names
            .line_server_uri
            .clone()
            .unwrap_or_else(|| "<line server URI>".into()),
        "line_server_host" => {
            view(&names.line_server_uri).unwrap_or_else(|| "<line server host>".into())
        }
        // A route for the line server's host, or for `user@host` when that host is the users'
        // own SIP domain (a route for the whole domain would send every user to the gateway).
        "line_server_match" => match names.line_server_in_users_domain() {
            // Lync's MatchUri is a domain: the URI itself must move to the gateway's.
            Some(_) if names.routes_match_domains_only() => "<the gateway's own domain>".into(),
            Some((user, host)) => format!("{user}@{host}"),
            None => view(&names.line_server_uri).unwrap_or_else(|| "<line server host>".into()),
        },
        "user_domain" => view(&names.user_uri).unwrap_or_else(|| "<SIP domain>".into()),
        k => {
            let id = k.trim_end_matches("_fqdn").replace('_', "-");
            topology
                .fqdn(&id)
                .unwrap_or_else(|| format!("<{} FQDN>", profile.label(&id)))
        }
    }
}

/// A rule to add, with the console steps and what its details rest on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredRule {
    pub rule: Rule,
    pub fix: Vec<String>,
    /// What nobody stated about the rule (which host the next hop is, its port and
    /// transport): the route is missing either way, but these details need confirming.
    pub assumptions: Vec<String>,
}

/// The rule a requirement asks for, the console steps, and what its details rest on.
pub fn required_rule(
    req: &RouteRequirement,
    profile: &Profile,
    topology: &Topology,
    names: &CaseNames,
) -> RequiredRule {
    let pattern = render_template(&req.pattern, profile, topology, names);
    let known = topology.entry(&req.next_participant);
    // What the next hop is known to serve beats the profile's usual port.
    let (transport, port) = known
        .and_then(|h| Some((h.transport?, h.port?)))
        .unwrap_or((req.transport, req.port));
    // LCS and OCS take a TCP route's next hop only as an IP address (the Routing tab's "FQDN"
    // is for TLS); Lync's New-CsStaticRoute -TCPRoute takes an FQDN too.
    let ip_only =
        transport == Transport::Tcp && names.generation.is_none_or(|g| !g.uses_powershell());
    let hop = match known.and_then(|h| h.ips.first()) {
        Some(ip) if ip_only => ip.clone(),
        _ => render_template(&req.next_hop, profile, topology, names),
    };
    let rule = Rule::route(&pattern, &hop, port, transport);
    let mut who = profile.label(&req.at).to_string();
    if let Some(f) = topology.fqdn(&req.at) {
        who = format!("{who}, {f}");
    }
    let open = match profile.participant(&req.at).map(|p| p.role) {
        Some(Role::HomeServer) => {
            format!("On the {who}: open the server's Properties > Routing tab and click Add.")
        }
        _ => format!("On the {who}: add a route in its routing configuration."),
    };
    let fix = vec![
        open,
        route_step(&pattern, &hop, port, transport),
        format!(
            "Apply, then sign {} out and in again.",
            names.client.as_deref().unwrap_or("Communicator")
        ),
    ];
    let next = profile.label(&req.next_participant);
    let mut assumptions = Vec::new();
    if known.is_none_or(|h| !h.entered) {
        match known.and_then(|h| Some((h.fqdn.clone()?, h.evidence.first()?.label()))) {
            Some((f, seen)) => assumptions.push(format!(
                "The rule takes the {next} to be {f}, as {seen} shows; confirm it under \
                 [servers] on the routing step."
            )),
            None => assumptions.push(format!(
                "Nothing names the {next}: put its FQDN in the rule (routing step, [servers])."
            )),
        }
    }
    if ip_only && !uri::is_ip(&hop) {
        let servers = names
            .generation
            .map_or("LCS and OCS take".to_string(), |g| {
                format!("{} takes", g.name())
            });
        // `hop` is a placeholder ("<… FQDN>") when nothing names the next hop.
        assumptions.push(if hop.starts_with('<') {
            format!(
                "{servers} a TCP route's next hop only as an IP address: enter the {next}'s IP \
                 address as the next hop (and authorize that address), or route over TLS to its \
                 FQDN."
            )
        } else {
            format!(
                "{servers} a TCP route's next hop only as an IP address: enter the {next}'s IP \
                 address in place of {hop} (and authorize that address), or route over TLS to \
                 {hop}."
            )
        });
    }
    if !known.is_some_and(|h| h.port.is_some() && h.transport.is_some()) {
        assumptions.push(format!(
            "The rule's port {port} and transport {} are the {} profile's usual ones{}: enter \
             the {next}'s address under [servers] (routing step) to confirm.",
            transport.as_str().to_ascii_uppercase(),
            profile.id,
            if req.assumed {
                " (not documented for this gateway)"
            } else {
                ""
            }
        ));
    }
    RequiredRule {
        rule,
        fix,
        assumptions,
    }
}

/// The console step that enters a route: its matching URI and where it sends.
fn route_step(pattern: &str, hop: &str, port: u16, transport: Transport) -> String {
    let kind = if pattern == "*" {
        "any user agent"
    } else if pattern.contains('@') {
        "user@host"
    } else {
        "domain/host"
    };
    format!(
        "Matching URI ({kind}): '{pattern}'; next hop '{hop}', transport {}, port {port}; do not \
         replace the host in the request URI.",
        transport.as_str().to_ascii_uppercase(),
    )
}

/// A request-URI that only a `*` route matches, for routing "a request to the user" when the
/// user's address is not known.
const ANY_USER: &str = "sip:user@user-domain.invalid";

/// Route the RCC INVITE and the gateway's requests back to the user.
pub fn simulate(
    profile: &Profile,
    config: &RoutingConfig,
    topology: &Topology,
    names: &CaseNames,
) -> Simulation {
    let home = profile.home_server().unwrap_or_default();
    let pool = topology
        .entry(home)
        .and_then(|h| Some((h.fqdn.as_deref()?, h.entered)));
    let scoped = config.for_pool(pool);
    let config = &*scoped.config;
    let mut sim = Simulator {
        profile,
        config,
        topology,
        names,
        collection: scoped.choice.as_ref(),
        problems: Vec::new(),
        unknowns: scoped.unknown.clone().into_iter().collect(),
        assumed: Vec::new(),
    };
    let target = profile
        .line_server_host()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let start = profile.home_server().unwrap_or_default().to_string();
    let forward = match names
        .line_server_uri
        .as_deref()
        .filter(|u| UriView::parse(u).is_some())
    {
        Some(uri) => sim.route_path(&start, &target, uri, RouteDirection::Forward),
        None => RoutePath {
            request_uri: names.line_server_uri.clone().unwrap_or_default(),
            hops: vec![],
            outcome: PathOutcome::Unknown,
            detail: match &names.line_server_uri {
                Some(u) => format!("'{u}' is not a SIP URI, so it cannot be routed"),
                None => "no remote call control server URI is known to route".into(),
            },
        },
    };
    // The line server host's routing is ours to simulate when its table was supplied (an
    // Application Proxy always; a gateway when the admin entered its routes).
    let back = profile
        .participant(&target)
        .filter(|p| match p.role {
            Role::AppProxy => true,
            Role::Gateway => config.app_proxy.is_some(),
            _ => false,
        })
        .map(|_| {
            let user = names.user_uri.as_deref().unwrap_or(ANY_USER);
            sim.route_path(&target, &start, user, RouteDirection::Return)
        });
    // The line server host's requests arrive at the Home Server: it must be authorized there.
    let checked_on_the_way = forward
        .hops
        .iter()
        .any(|h| h.at == start && h.next.as_deref() == Some(target.as_str()));
    if target != start && !checked_on_the_way {
        // A route written for the line server but not in use (switched off, another pool's)
        // still names the next hop as the admin knows it.
        let meant = names
            .line_server_uri
            .as_deref()
            .and_then(|u| sim.meant_route(&start, RouteDirection::Forward, u))
            .map(|e| e.route)
            .filter(|r| !r.next_hop.is_empty());
        // With nothing to name the server behind the Home Server, a Home Server that routes
        // to one server alone routes there.
        let only = match (&meant, &names.line_server_uri, sim.topology.fqdn(&target)) {
            (None, None, None) => sim.only_route(&start),
            _ => None,
        };
        let before = sim.problems.len();
        sim.check_authorized(&start, &target, meant.or(only));
        if let Some(r) = only {
            let guess = format!(
                "no remote call control server URI was given, so the Home Server's one static \
                 route (line {}: {}) is taken to be the route to the {}",
                r.line,
                r.text(),
                profile.label(&target)
            );
            for p in &mut sim.problems[before..] {
                p.assumption.get_or_insert_with(|| guess.clone());
            }
        }
    }
    let Simulator {
        mut problems,
        mut unknowns,
        mut assumed,
        ..
    } = sim;
    assumed.dedup();
    dedup_problems(&mut problems);
    unknowns.sort();
    unknowns.dedup();
    Simulation {
        forward,
        back,
        problems,
        unknowns,
        assumed,
        collection: scoped.choice,
        printed_on: config.printed_on.clone(),
    }
}

fn dedup_problems(p: &mut Vec<RouteProblem>) {
    let mut seen: Vec<(FindingId, String)> = Vec::new();
    p.retain(|x| {
        let k = (x.finding, x.at.clone() + &x.message);
        if seen.contains(&k) {
            false
        } else {
            seen.push(k);
            true
        }
    });
}

/// A route written for the walk's request that does not route it ([`Simulator::meant_route`]):
/// it sits in another pool's collection, or it is switched off.
struct Elsewhere<'a> {
    route: &'a Route,
    kind: Unused<'a>,
}

enum Unused<'a> {
    /// In another pool's static routing collection; why the pool does not see it.
    OtherCollection(&'a str),
    /// `Enabled : False`, or (`true`) `MatchOnlyPhoneUri : True`.
    Disabled(bool),
}

impl Elsewhere<'_> {
    /// Why the route does not route the request, in one clause.
    fn why(&self) -> String {
        let r = self.route;
        match self.kind {
            Unused::OtherCollection(why) => format!(
                "{why}; the route for {} on line {} is in {}'s collection and does not route \
                 this user's requests",
                r.pattern,
                r.line,
                r.collection.as_deref().unwrap_or("another pool"),
            ),
            Unused::Disabled(false) => format!(
                "the route for {} on line {} is there but disabled (Enabled = False), and a \
                 disabled route routes nothing: enable it again (Enabled = True) rather than \
                 adding a second route for {}",
                r.pattern, r.line, r.pattern
            ),
            Unused::Disabled(true) => format!(
                "the route for {} on line {} has MatchOnlyPhoneUri = True, so it matches phone \
                 URIs (user=phone) only and never the line server's SIP URI: replace it with \
                 one whose MatchOnlyPhoneUri is False (New-CsStaticRoute without \
                 -MatchOnlyPhoneUri), as Microsoft's remote call control route keeps it",
                r.pattern, r.line
            ),
        }
    }

    /// Where the rule's port and transport come from, when nothing else says.
    fn source(&self) -> String {
        let r = self.route;
        match self.kind {
            Unused::OtherCollection(_) => format!(
                "the route on line {}, in {}'s collection",
                r.line,
                r.collection.as_deref().unwrap_or("another pool")
            ),
            Unused::Disabled(false) => format!("the disabled route on line {}", r.line),
            Unused::Disabled(true) => format!("the phone-URI-only route on line {}", r.line),
        }
    }
}

struct Simulator<'a> {
    profile: &'a Profile,
    config: &'a RoutingConfig,
    collection: Option<&'a CollectionChoice>,
    topology: &'a Topology,
    names: &'a CaseNames,
    problems: Vec<RouteProblem>,
    unknowns: Vec<String>,
    assumed: Vec<String>,
}

impl<'a> Simulator<'a> {
    /// `hop`: the route whose next hop is taken to be `peer`, when there is one.
    fn check_authorized(&mut self, at: &str, peer: &str, hop: Option<&Route>) {
        let profile = self.profile;
        if profile.participant(at).map(|p| p.role) != Some(Role::HomeServer) {
            return;
        }
        let Some(rows) = &self.config.host_authorization else {
            self.unknowns
                .push("Home Server host authorization list".into());
            return;
        };
        // The Home Server matches the row by the name its route uses: the FQDN for a route
        // to an FQDN, the IP for a route to an IP (OCS Host Authorization tab; domain.md
        // section 7). That holds where the route's next hop is known to be the peer (one of
        // its names), and for a route to an IP address, taken to be the peer's (the finding
        // says so): the row for the peer's FQDN does not cover it. A next hop named by another
        // FQDN (a Director, the pool itself in a loop) or no route lets every name count.
        let mut names: Vec<String> = Vec::new();
        let mut other_names: Vec<String> = Vec::new();
        if let Some(h) = self.topology.entry(peer) {
            other_names.extend(h.fqdn.iter().cloned());
            other_names.extend(h.ips.iter().cloned());
        }
        let mut taken_to_be = None;
        match hop.map(|r| r.next_hop.to_ascii_lowercase()) {
            Some(h) if other_names.contains(&h) => names.push(h),
            Some(h) if uri::is_ip(&h) => {
                taken_to_be = Some(format!(
                    "{h}, the route's next hop, is the {}'s address",
                    profile.label(peer)
                ));
                names.push(h);
            }
            Some(h) => {
                names.push(h);
                names.append(&mut other_names);
            }
            None => names.append(&mut other_names),
        }
        names.dedup();
        other_names.retain(|n| !names.contains(n));
        if names.is_empty() {
            self.unknowns
                .push(format!("FQDN of the {}", profile.label(peer)));
            return;
        }
        let found = rows
            .iter()
            .enumerate()
            .find(|(_, r)| names.iter().any(|n| n.eq_ignore_ascii_case(&r.host)));
        let label = profile.label(peer);
        let want = names[0].clone();
        match found {
            Some((_, r)) if r.authenticated && r.throttle_as_server && !r.outbound_only => {}
            Some((index, r)) => self.problems.push(RouteProblem {
                finding: FindingId::HostNotAuthorized,
                at: at.to_string(),
                direction: RouteDirection::Return,
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
                rule: Some(Rule::authorize_at(&r.host, hop.map(|r| r.port))),
                fix: auth_fix(&r.host),
                evidence: vec![Evidence::Rule {
                    table: HOST_AUTH_TABLE.into(),
                    row: Some(index),
                    text: r.text(),
                }],
                assumption: None,
                rule_assumptions: vec![],
                correct_first: None,
            }),
            None => {
                let typo = self
                    .near_miss(&want)
                    .filter(|(n, _)| rows.iter().any(|r| r.host.eq_ignore_ascii_case(n)));
                let by_other_name = other_names
                    .iter()
                    .find(|n| rows.iter().any(|r| r.host.eq_ignore_ascii_case(n)));
                let message =
                    match (&typo, by_other_name) {
                        (_, Some(other)) => format!(
                        "{label} is in the Home Server's host authorization list as {other}, but \
                         the route names it {want}: the entry must be written as the route names \
                         the next hop ({} for a route to {})",
                        if uri::is_ip(&want) { "its IP address" } else { "its FQDN" },
                        if uri::is_ip(&want) { "an IP address" } else { "an FQDN" },
                    ),
                        (Some((n, t)), None) => format!(
                        "{label} ({want}) is not in the Home Server's host authorization list, \
                         but {n}, the same name with {}, is: if {want} is a typo in the \
                         remote call control SIP URI, correcting the URI is the fix",
                        t.words()
                    ),
                        (None, None) => format!(
                        "{label} ({want}) is not in the Home Server's host authorization list, \
                         so its requests would be challenged (401/407) or refused (403)"
                    ),
                    };
                self.problems.push(RouteProblem {
                    finding: FindingId::HostNotAuthorized,
                    at: at.to_string(),
                    direction: RouteDirection::Return,
                    message,
                    rule: Some(Rule::authorize_at(&want, hop.map(|r| r.port))),
                    fix: auth_fix(&want),
                    evidence: vec![Evidence::Rule {
                        table: HOST_AUTH_TABLE.into(),
                        row: None,
                        text: format!("no row for {}", names.join(" / ")),
                    }],
                    assumption: typo
                        .map(|(n, _)| {
                            format!("{want} is the {label}'s name, though the rules name {n}")
                        })
                        .or(taken_to_be),
                    rule_assumptions: vec![],
                    correct_first: None,
                });
            }
        }
    }

    /// The route's transport and port against what the next hop serves: from `[servers]` or
    /// the logs (a certain mismatch), else from the profile's declared listening point (a
    /// mismatch that names its assumption).
    fn check_transport(&mut self, at: &str, next: &str, r: &Route, ev: &Evidence) {
        let profile = self.profile;
        let known = self
            .topology
            .entry(next)
            .filter(|h| h.transport.is_some() || h.port.is_some());
        let (transport, port, basis, assumption) = match known {
            Some(h) => {
                let basis = match h.evidence.first() {
                    Some(e) if h.entered => format!("as entered ({})", e.label()),
                    Some(e) => format!("as the logs show ({})", e.label()),
                    None => "as known".to_string(),
                };
                (h.transport, h.port, basis, None)
            }
            None => match profile.participant(next).and_then(|p| p.listens.as_ref()) {
                Some(l) => (
                    Some(l.transport),
                    Some(l.port),
                    format!(
                        "if it listens where the {} profile assumes (not documented)",
                        profile.id
                    ),
                    Some(format!(
                        "the {} listens on {}:{} ({}); add it under [servers] if it differs",
                        profile.label(next),
                        l.transport.as_str().to_ascii_uppercase(),
                        l.port,
                        l.basis
                    )),
                ),
                None => return,
            },
        };
        let t_bad = transport.is_some_and(|t| t != r.transport);
        let p_bad = port.is_some_and(|p| p != r.port);
        if !(t_bad || p_bad) {
            return;
        }
        let t = transport.unwrap_or(r.transport);
        let p = port.unwrap_or(r.port);
        // A TCP route names the next hop by address (LCS/OCS authorize TCP peers by IP; Lync's
        // -TCPRoute -Destination is an IP): use the one known.
        let hop = match (t, self.topology.entry(next).and_then(|h| h.ips.first())) {
            (Transport::Tcp, Some(ip)) if !uri::is_ip(&r.next_hop) => ip.clone(),
            _ => r.next_hop.clone(),
        };
        self.problems.push(RouteProblem {
            finding: FindingId::TlsTransportMismatch,
            at: at.to_string(),
            direction: RouteDirection::Forward,
            message: format!(
                "the route sends to {}:{} over {}, but the {} {} {}:{} {basis}",
                r.next_hop,
                r.port,
                r.transport.as_str().to_uppercase(),
                profile.label(next),
                if assumption.is_some() {
                    "would serve"
                } else {
                    "serves"
                },
                t.as_str().to_uppercase(),
                p
            ),
            rule: Some(Rule::Route(Route {
                next_hop: hop.clone(),
                port: p,
                transport: t,
                line: 0,
                ..r.clone()
            })),
            fix: {
                let mut fix = vec![format!(
                    "Edit the route for '{}': next hop {hop}, transport {}, port {}.",
                    r.pattern,
                    t.as_str().to_uppercase(),
                    p
                )];
                if hop != r.next_hop {
                    fix.push(format!(
                        "A TCP next hop is authorized by its address: make sure {hop} is in the \
                         Home Server's host authorization list."
                    ));
                }
                fix
            },
            evidence: vec![ev.clone()],
            assumption,
            rule_assumptions: vec![],
            correct_first: None,
        });
    }

    fn requirement(&self, at: &str, direction: RouteDirection) -> Option<&'a RouteRequirement> {
        self.profile
            .routes
            .iter()
            .find(|r| r.at == at && r.direction == direction)
    }

    fn missing_rule(
        &self,
        req: Option<&RouteRequirement>,
    ) -> (Option<Rule>, Vec<String>, Vec<String>) {
        match req {
            Some(r) => {
                let r = required_rule(r, self.profile, self.topology, self.names);
                (Some(r.rule), r.fix, r.assumptions)
            }
            None => (None, vec![], vec![]),
        }
    }

    /// [`Simulator::missing_rule`] where a route in another pool's collection already goes
    /// where this one must: its next hop, port and transport say where the next server
    /// listens, before the profile's usual ones (what the admin entered under `[servers]`
    /// still comes first).
    fn missing_rule_copying(
        &self,
        req: Option<&RouteRequirement>,
        elsewhere: &Elsewhere,
    ) -> (Option<Rule>, Vec<String>, Vec<String>) {
        let (Some(req), false) = (req, elsewhere.route.next_hop.is_empty()) else {
            return self.missing_rule(req);
        };
        let r = elsewhere.route;
        let mut topology = self.topology.clone();
        topology.forget_guessed_name(&req.next_participant);
        topology.learn(
            &req.next_participant,
            Learned {
                host: uri::host_key(&r.next_hop),
                port: Some(r.port),
                transport: Some(r.transport),
            },
            Evidence::Rule {
                table: table_name(Role::HomeServer).into(),
                row: None,
                text: format!("line {}: {}", r.line, r.text()),
            },
        );
        let mut copied = required_rule(req, self.profile, &topology, self.names);
        let listening_known = self
            .topology
            .entry(&req.next_participant)
            .is_some_and(|h| h.port.is_some() && h.transport.is_some());
        if !listening_known {
            copied.assumptions.push(format!(
                "The rule's port {} and transport {} are those of {}.",
                r.port,
                r.transport.as_str().to_ascii_uppercase(),
                elsewhere.source(),
            ));
        }
        (Some(copied.rule), copied.fix, copied.assumptions)
    }

    /// Routes `request_uri` from `start` hop by hop until it reaches `target`, stops (no
    /// route, an unknown next hop, a loop) or a table is missing; problems are recorded.
    fn route_path(
        &mut self,
        start: &str,
        target: &str,
        request_uri: &str,
        direction: RouteDirection,
    ) -> RoutePath {
        let mut walk = Walk {
            target,
            request_uri,
            direction,
            shown_uri: if request_uri == ANY_USER {
                "a request to the user"
            } else {
                request_uri
            },
            uri_host: UriView::parse(request_uri).map(|v| v.host_key()),
            hops: Vec::new(),
            visited: vec![start.to_string()],
            current: start.to_string(),
        };
        for _ in 0..8 {
            if let ControlFlow::Break(end) = self.hop(&mut walk) {
                return walk.end(end);
            }
        }
        walk.end(End::Stopped("too many hops".into()))
    }

    /// One routing decision at `walk.current`.
    fn hop(&mut self, walk: &mut Walk) -> ControlFlow<End> {
        let profile = self.profile;
        let current = walk.current.clone();
        if current == walk.target {
            return ControlFlow::Break(End::Reached(format!(
                "{} reaches the {}",
                walk.shown_uri,
                profile.label(walk.target)
            )));
        }
        let Some(part) = profile.participant(&current) else {
            return ControlFlow::Break(End::Unknown(format!("unknown participant {current}")));
        };
        let Some(table) = self.config.table(part.role) else {
            if part.role.route_table().is_none() && part.role != Role::Gateway {
                return ControlFlow::Break(End::Unknown(format!(
                    "the {} routes outside the Microsoft configuration",
                    part.label
                )));
            }
            self.unknowns.push(table_name(part.role).to_string());
            return ControlFlow::Break(End::Unknown(format!(
                "{} not supplied",
                table_name(part.role)
            )));
        };
        let req = self.requirement(&current, walk.direction);
        let Some(i) = best_route(table, walk.request_uri) else {
            let collection = self
                .collection
                .filter(|_| part.role == Role::HomeServer)
                .map(|c| format!("{}: ", c.used))
                .unwrap_or_default();
            let ev = Evidence::Rule {
                table: table_name(part.role).into(),
                row: None,
                text: format!(
                    "{collection}no route matches {} ({} row{} checked)",
                    walk.shown_uri,
                    table.len(),
                    if table.len() == 1 { "" } else { "s" }
                ),
            };
            let message = format!(
                "the {} has no route matching {}{}",
                part.label,
                walk.shown_uri,
                req.map(|r| format!(": {}", r.why)).unwrap_or_default()
            );
            self.route_missing(walk, req, message, ev.clone());
            walk.stop_here(ev);
            return ControlFlow::Break(End::Stopped(format!(
                "the {} has no route for {}",
                part.label, walk.shown_uri
            )));
        };
        let r = &table[i];
        let ev = Evidence::Rule {
            table: table_name(part.role).into(),
            row: Some(i),
            text: r.text(),
        };
        if r.next_hop.is_empty() {
            // A route the admin's view listed without its next hop: it matches; where it goes
            // is not shown.
            self.unknowns.push(format!(
                "The next hop of the route for '{}' (paste Get-CsStaticRoutingConfiguration | \
                 Select-Object -ExpandProperty Route)",
                r.pattern
            ));
            walk.stop_here(ev);
            return ControlFlow::Break(End::Unknown(format!(
                "a route for '{}' matches; its next hop is not shown",
                r.pattern
            )));
        }
        let expected = req.map(|q| q.next_participant.as_str());
        let Some(next) = self.next_participant(walk, r, expected) else {
            let want = expected
                .and_then(|e| self.topology.fqdn(e))
                .unwrap_or_else(|| "the expected server".into());
            let message = format!(
                "the route for {} on the {} sends it to {}, which is not {want}",
                walk.shown_uri, part.label, r.next_hop
            );
            self.route_missing(walk, req, message, ev.clone());
            walk.stop_here(ev);
            return ControlFlow::Break(End::Stopped(format!(
                "the route sends {} to unknown host {}",
                walk.shown_uri, r.next_hop
            )));
        };
        self.check_transport(&current, &next, r, &ev);
        let next_is_home = profile.participant(&next).map(|p| p.role) == Some(Role::HomeServer);
        if walk.direction == RouteDirection::Forward
            && !next_is_home
            && !walk.visited.contains(&next)
        {
            self.check_authorized(&current, &next, Some(r));
        }
        walk.hops.push(SimHop {
            at: current.clone(),
            next: Some(next.clone()),
            evidence: ev,
        });
        if walk.visited.contains(&next) {
            self.looped(walk, req, &r.pattern, &next);
            return ControlFlow::Break(End::Stopped(format!(
                "{} loops at the {}",
                walk.shown_uri,
                profile.label(&next)
            )));
        }
        walk.visited.push(next.clone());
        walk.current = next;
        ControlFlow::Continue(())
    }

    /// Who the route's next hop is: a participant the topology names, the line server host
    /// itself, or (for an unknown host) the participant the profile expects, unless the admin
    /// entered that participant's name or address and it differs. Names only inferred from
    /// logs never contradict a rule. An assumed hop is recorded for the admin to confirm.
    fn next_participant(
        &mut self,
        walk: &Walk,
        r: &Route,
        expected: Option<&str>,
    ) -> Option<String> {
        if let Some(p) = self.topology.who_is(&r.next_hop) {
            return Some(p);
        }
        if Some(&r.next_hop) == walk.uri_host.as_ref() && walk.direction == RouteDirection::Forward
        {
            return Some(walk.target.to_string());
        }
        let e = expected?;
        let contradicts = self
            .topology
            .entry(e)
            .filter(|h| h.entered)
            .is_some_and(|h| {
                if uri::is_ip(&r.next_hop) {
                    !h.ips.is_empty()
                } else {
                    h.fqdn.is_some()
                }
            });
        if contradicts {
            return None;
        }
        let label = self.profile.label(e);
        self.unknowns.push(format!(
            "Confirm that {} is the {label} (add it under [servers])",
            r.next_hop
        ));
        if walk.direction == RouteDirection::Forward {
            self.assumed.push(format!("{} is the {label}", r.next_hop));
        }
        Some(e.to_string())
    }

    /// A host the rules name of which `host` reads as a typo ([`typo_of`]): the line server
    /// URI's host may be one (`mcm-ap10` written for the `mcm-ap01` every rule names).
    fn near_miss(&self, host: &str) -> Option<(String, Typo)> {
        let host = host.to_ascii_lowercase();
        let routes = [&self.config.home_server, &self.config.app_proxy];
        let named = routes
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|r| [r.pattern.as_str(), r.next_hop.as_str()])
            .chain(
                self.config
                    .host_authorization
                    .iter()
                    .flatten()
                    .map(|h| h.host.as_str()),
            );
        named
            .map(|n| n.trim_start_matches("*.").to_ascii_lowercase())
            .filter(|n| !uri::is_ip(n) && *n != host)
            .find_map(|n| typo_of(&n, &host).map(|t| (n, t)))
    }

    /// No route (or one to the wrong host) at the walk's current hop: the rule it needs.
    fn route_missing(
        &mut self,
        walk: &Walk,
        req: Option<&RouteRequirement>,
        mut message: String,
        ev: Evidence,
    ) {
        let elsewhere = self.meant_route(&walk.current, walk.direction, walk.request_uri);
        let (mut rule, fix, rule_assumptions) = match &elsewhere {
            Some(e) => self.missing_rule_copying(req, e),
            None => self.missing_rule(req),
        };
        if let Some(e) = &elsewhere {
            message = format!("{}: {}", message.trim_end_matches('.'), e.why());
            // Added where the pool routes: its own collection, when it has one.
            if let (Unused::OtherCollection(_), Some(Rule::Route(r))) = (&e.kind, &mut rule) {
                r.collection = self.collection.and_then(|c| c.pool.clone());
            }
        }
        let typo = walk
            .uri_host
            .as_deref()
            .filter(|_| walk.direction == RouteDirection::Forward)
            .and_then(|h| Some((h, self.near_miss(h)?)));
        let mut correct_first = None;
        let own_domain = self
            .names
            .line_server_in_users_domain()
            .filter(|_| walk.direction == RouteDirection::Forward)
            .filter(|_| self.names.routes_match_domains_only());
        if let Some((user, domain)) = own_domain {
            message = format!(
                "{}. The line server URI is in the users' own SIP domain {domain}: the pool takes \
                 it for a user of its own, and a static route matches a whole domain (MatchUri), \
                 so one for {domain} would send every user's requests to the gateway",
                message.trim_end_matches('.')
            );
            let identity = self
                .names
                .user_uri
                .as_deref()
                .map_or("<user>", |u| u.strip_prefix("sip:").unwrap_or(u));
            correct_first = Some(format!(
                "Give the users a Line Server URI in a domain of the gateway's own, e.g. \
                 Set-CsUser -Identity \"{identity}\" -LineServerUri \"sip:{user}@<gateway \
                 FQDN>\", and route that domain to the gateway (below)."
            ));
        }
        if let Some((written, (named, kind))) = typo {
            message = format!(
                "{}. The rules name {named}, and {written} is that name with {}: the remote \
                 call control SIP URI may have a typo, and correcting it (msRTCSIP-LineServer) \
                 would make this route unnecessary",
                message.trim_end_matches('.'),
                kind.words()
            );
            let corrected = with_host(walk.request_uri, written, &named);
            correct_first = Some(format!(
                "If {written} is a typo of {named}, correct the user's remote call control SIP \
                 URI (msRTCSIP-LineServer) to {corrected} instead of adding a route; then sign \
                 the client out and in again."
            ));
        }
        self.problems.push(RouteProblem {
            finding: req.map(|q| q.finding).unwrap_or(match walk.direction {
                RouteDirection::Forward => FindingId::HomeServerRouteMissing,
                RouteDirection::Return => FindingId::AppProxyReturnRouteMissing,
            }),
            at: walk.current.clone(),
            direction: walk.direction,
            message,
            rule,
            fix,
            evidence: vec![ev],
            assumption: None,
            rule_assumptions,
            correct_first,
        });
    }

    /// The one route of `at`'s table, when it has one alone and it leads to a server the case
    /// does not already name as another participant.
    fn only_route(&self, at: &str) -> Option<&'a Route> {
        let role = self.profile.participant(at)?.role;
        let config: &'a RoutingConfig = self.config;
        match config.table(role)? {
            [r] if !r.next_hop.is_empty() && self.topology.who_is(&r.next_hop).is_none() => Some(r),
            _ => None,
        }
    }

    /// A route written for `request_uri` at `at` that does not route it: switched off in
    /// `at`'s own table, or (the Home Server's, forward) in another pool's static routing
    /// collection.
    fn meant_route(
        &self,
        at: &str,
        direction: RouteDirection,
        request_uri: &str,
    ) -> Option<Elsewhere<'a>> {
        let role = self.profile.participant(at)?.role;
        let config: &'a RoutingConfig = self.config;
        let disabled = || {
            config.disabled.iter().filter(move |d| {
                d.table == role || (d.table == Role::AppProxy && role == Role::Gateway)
            })
        };
        if let Some(i) = best_route_of(disabled().map(|d| &d.route), request_uri) {
            return disabled().nth(i).map(|d| Elsewhere {
                route: &d.route,
                kind: Unused::Disabled(d.phone_only),
            });
        }
        let choice = self.collection?;
        if role != Role::HomeServer || direction != RouteDirection::Forward {
            return None;
        }
        let i = best_route(&choice.left_out, request_uri)?;
        Some(Elsewhere {
            route: &choice.left_out[i],
            kind: Unused::OtherCollection(&choice.why),
        })
    }

    /// The route sends the request back to a server it passed: the rule the hop should have
    /// instead.
    fn looped(&mut self, walk: &Walk, req: Option<&RouteRequirement>, pattern: &str, next: &str) {
        let label = self.profile.label(next);
        let (rule, mut fix, rule_assumptions) = self.missing_rule(req);
        fix.insert(
            0,
            format!(
                "Point the route for '{pattern}' at the next server on the path, not back at the \
                 {label}."
            ),
        );
        self.problems.push(RouteProblem {
            finding: FindingId::RouteLoop,
            at: walk.current.clone(),
            direction: walk.direction,
            message: format!("{} loops back to the {label}", walk.shown_uri),
            rule,
            fix,
            evidence: walk.hops.iter().map(|h| h.evidence.clone()).collect(),
            assumption: None,
            rule_assumptions,
            correct_first: None,
        });
    }
}

/// `uri` with its host `written` (as [`UriView::host_key`] reads it) replaced by `named`.
fn with_host(uri: &str, written: &str, named: &str) -> String {
    let after_user = uri.find('@').map_or(0, |at| at + 1);
    match uri[after_user..].to_ascii_lowercase().find(written) {
        Some(i) => {
            let start = after_user + i;
            format!("{}{named}{}", &uri[..start], &uri[start + written.len()..])
        }
        None => named.to_string(),
    }
}

/// How a written name differs from the one the rules name, when it reads as a typo of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typo {
    /// Two neighbouring characters swapped (`mcm-ap10` for `mcm-ap01`).
    Swapped,
    /// One letter left out of a word (`lucernepublshing` for `lucernepublishing`).
    LetterDropped,
    /// One letter too many in a word (`contosso` for `contoso`).
    LetterAdded,
}

impl Typo {
    fn words(self) -> &'static str {
        match self {
            Typo::Swapped => "two neighbouring characters swapped",
            Typo::LetterDropped => "one letter left out",
            Typo::LetterAdded => "one letter too many",
        }
    }
}

/// Whether `written` reads as a typo of `named`: two neighbouring characters swapped, or one
/// letter dropped or added inside a word of six letters or more. Other near misses (a character
/// changed, a digit added or dropped, a short word) are as often two real servers (`gw1`,
/// `gw2`, `cups01` and `cups011`), and would tell pseudonyms apart.
fn typo_of(named: &str, written: &str) -> Option<Typo> {
    let (n, w) = (named.as_bytes(), written.as_bytes());
    let i = n.iter().zip(w).position(|(x, y)| x != y);
    if n.len() == w.len() {
        let i = i?;
        let swapped =
            i + 1 < n.len() && n[i] == w[i + 1] && n[i + 1] == w[i] && n[i + 2..] == w[i + 2..];
        return swapped.then_some(Typo::Swapped);
    }
    // One letter more in `long` than in `short`, at the first difference.
    let (long, short, kind) = match n.len().checked_sub(w.len()) {
        Some(1) => (n, w, Typo::LetterDropped),
        None if w.len() == n.len() + 1 => (w, n, Typo::LetterAdded),
        _ => return None,
    };
    let i = i.unwrap_or(short.len());
    let one_letter_more = long[i].is_ascii_alphabetic() && long[i + 1..] == short[i..];
    // The word (between dots and dashes) the letter is in, in the longer name.
    let is_word = |c: &u8| c.is_ascii_alphabetic();
    let start = long[..i]
        .iter()
        .rposition(|c| !is_word(c))
        .map_or(0, |p| p + 1);
    let end = long[i..]
        .iter()
        .position(|c| !is_word(c))
        .map_or(long.len(), |p| i + p);
    (one_letter_more && end - start >= 6).then_some(kind)
}

/// A request on its way through the routes.
struct Walk<'w> {
    target: &'w str,
    request_uri: &'w str,
    direction: RouteDirection,
    /// The request URI as the user reads it ("a request to the user" for the `*` probe).
    shown_uri: &'w str,
    uri_host: Option<String>,
    hops: Vec<SimHop>,
    visited: Vec<String>,
    current: String,
}

/// How a walk ends, and why in one line.
enum End {
    Reached(String),
    Stopped(String),
    Unknown(String),
}

impl Walk<'_> {
    /// The request stops at the current hop: its last hop goes nowhere.
    fn stop_here(&mut self, evidence: Evidence) {
        self.hops.push(SimHop {
            at: self.current.clone(),
            next: None,
            evidence,
        });
    }

    fn end(self, end: End) -> RoutePath {
        let (outcome, detail) = match end {
            End::Reached(d) => (PathOutcome::Reached, d),
            End::Stopped(d) => (PathOutcome::Stopped, d),
            End::Unknown(d) => (PathOutcome::Unknown, d),
        };
        RoutePath {
            request_uri: self.shown_uri.to_string(),
            hops: self.hops,
            outcome,
            detail,
        }
    }
}

fn auth_fix(host: &str) -> Vec<String> {
    vec![
        "On the Home Server: open Properties > Host Authorization and click Add (Lync: a trusted \
         application pool and trusted application for the gateway)."
            .into(),
        format!(
            "Server: FQDN '{host}'; tick 'Throttle as server' and 'Treat as authenticated'; \
             leave 'Outbound only' cleared."
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::rules::parse_rules;
    use super::*;

    #[test]
    fn a_typo_is_two_neighbours_swapped_or_a_letter_in_a_word() {
        assert_eq!(
            typo_of("mcm-ap01.x.lt", "mcm-ap10.x.lt"),
            Some(Typo::Swapped)
        );
        assert_eq!(typo_of("cups01", "cpus01"), Some(Typo::Swapped));
        let (named, dropped) = (
            "cups01.lucernepublishing.com",
            "cups01.lucernepublshing.com",
        );
        assert_eq!(typo_of(named, dropped), Some(Typo::LetterDropped));
        assert_eq!(typo_of(dropped, named), Some(Typo::LetterAdded));
        assert_eq!(
            typo_of("gw.contoso.com", "gw.contosso.com"),
            Some(Typo::LetterAdded)
        );
        assert_eq!(
            typo_of("gw.fabrikam.com", "gw.fabrikam.coms"),
            None,
            "a short word"
        );
        assert_eq!(
            typo_of("gw.fabrikam", "gw.fabrikams"),
            Some(Typo::LetterAdded),
            "at the end"
        );
        // Other near misses are as often two servers, or two pseudonyms.
        assert_eq!(typo_of("gw1.contoso.com", "gw2.contoso.com"), None);
        assert_eq!(
            typo_of("host-1.domain-a.example", "host-1.domain-b.example"),
            None
        );
        assert_eq!(typo_of("cups01", "cups011"), None);
        assert_eq!(
            typo_of("cups.example", "cupsa.example"),
            None,
            "a short word"
        );
        assert_eq!(typo_of("ab-ba", "ba-ab"), None);
        assert_eq!(typo_of("same", "same"), None);
    }
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
            line_server_uri: Some("sip:rcc@mcm-ap.contoso.com".into()),
            user_uri: Some("sip:alice@contoso.com".into()),
            client: None,
            generation: None,
        }
    }

    /// As the case builds it: the entered rows, and the line server URI's host for the
    /// participant that hosts it.
    fn run(rules: &str, names: &CaseNames) -> Simulation {
        let p = profile("nortel").unwrap();
        let r = parse_rules(rules, &p);
        assert!(r.is_clean(), "{:?}", r.problems);
        let mut topology = Topology::entered(&r.servers);
        let host = names
            .line_server_uri
            .as_deref()
            .and_then(UriView::parse)
            .map(|v| v.host_key());
        topology.merge(&Topology::infer(&p, [], host.as_deref()));
        simulate(&p, &r.config, &topology, names)
    }

    #[test]
    fn wildcards_and_specificity() {
        let p = profile("nortel").unwrap();
        let routes = parse_rules(
            "[home-server]\nroute * -> a\nroute *.contoso.com -> b\nroute mcm-ap.contoso.com -> c\nroute rcc@mcm-ap.contoso.com -> d\n",
            &p,
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
        let sim = run(SEED, &names());
        let ids: Vec<FindingId> = sim.problems.iter().map(|x| x.finding).collect();
        assert_eq!(
            ids,
            vec![
                FindingId::HomeServerRouteMissing,
                FindingId::AppProxyReturnRouteMissing
            ]
        );
        assert_eq!(sim.forward.outcome, PathOutcome::Stopped);
        assert_eq!(
            sim.problems[0].rule.as_ref().map(Rule::text).as_deref(),
            Some("route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no")
        );
        assert_eq!(
            sim.problems[1].rule.as_ref().map(Rule::text).as_deref(),
            Some("route  *  -> lcs01.contoso.com:5061 tls  replace-host=no")
        );
        assert!(!sim.route_verdict().routed);
    }

    #[test]
    fn the_return_route_is_checked_without_a_line_server_uri() {
        let sim = run(
            SEED,
            &CaseNames {
                line_server_uri: None,
                user_uri: None,
                client: None,
                generation: None,
            },
        );
        assert_eq!(sim.forward.outcome, PathOutcome::Unknown);
        assert!(sim
            .problems
            .iter()
            .any(|p| p.finding == FindingId::AppProxyReturnRouteMissing
                && p.rule.as_ref().map(Rule::text).as_deref()
                    == Some("route  *  -> lcs01.contoso.com:5061 tls  replace-host=no")));
    }

    #[test]
    fn fixed_rules_route_both_ways() {
        let sim = run(FIXED, &names());
        assert!(sim.problems.is_empty(), "{:?}", sim.problems);
        assert!(sim.complete());
    }

    #[test]
    fn a_tls_route_to_the_tcp_port_is_a_mismatch_even_from_the_profile_alone() {
        // [servers] says how the Application Proxy listens: certain.
        let text = FIXED.replace(
            "mcm-ap.contoso.com:5061 tls   replace",
            "mcm-ap.contoso.com:5060 tcp   replace",
        );
        let sim = run(&text, &names());
        let p = sim
            .problems
            .iter()
            .find(|p| p.finding == FindingId::TlsTransportMismatch)
            .expect("mismatch");
        assert!(p.assumption.is_none());
        // Without [servers]: the profile's declared TLS 5061, named as an assumption.
        let bare = "[home-server]\nroute mcm-ap.contoso.com -> mcm-ap.contoso.com:5060 tls\n[host-authorization]\nmcm-ap.contoso.com authenticated throttle-as-server\n[app-proxy]\nroute * -> lcs01.contoso.com\n";
        let sim = run(bare, &names());
        let p = sim
            .problems
            .iter()
            .find(|p| p.finding == FindingId::TlsTransportMismatch)
            .expect("mismatch from the profile's declaration");
        assert!(p.assumption.as_deref().unwrap().contains("5061"));
        assert!(p
            .rule
            .as_ref()
            .map(Rule::text)
            .as_deref()
            .unwrap()
            .contains(":5061 tls"));
    }

    #[test]
    fn finds_an_unauthorized_next_hop() {
        let text = FIXED.replace("mcm-ap.contoso.com  authenticated throttle-as-server", "");
        let sim = run(&text, &names());
        let p = sim
            .problems
            .iter()
            .find(|p| p.finding == FindingId::HostNotAuthorized)
            .expect("unauthorized");
        // The row to add knows where the host listens from the route that reaches it (a Lync
        // trusted application takes the port).
        match &p.rule {
            Some(Rule::Authorize(h)) => assert_eq!(h.port, Some(5061)),
            other => panic!("{other:?}"),
        }
        assert_eq!(sim.forward.outcome, PathOutcome::Reached);
    }

    #[test]
    fn detects_loops_and_missing_tables() {
        let sim = run(
            "[home-server]\nroute mcm-ap.contoso.com -> lcs01.contoso.com\n[servers]\nhome-server lcs01.contoso.com\n",
            &names(),
        );
        let looped = sim
            .problems
            .iter()
            .find(|x| x.finding == FindingId::RouteLoop)
            .unwrap();
        assert_eq!(
            looped.rule.as_ref().map(Rule::text).as_deref(),
            Some("route  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls  replace-host=no")
        );
        let p = profile("nortel").unwrap();
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
        let sim = run(
            "[home-server]\nroute mcm-ap.contoso.com -> 10.0.0.20:5061 tls\n[host-authorization]\n10.0.0.20 authenticated throttle-as-server\n[app-proxy]\nroute * -> lcs01.contoso.com\n[servers]\napp-proxy mcm-ap.contoso.com\nhome-server lcs01.contoso.com\n",
            &names(),
        );
        assert!(sim.problems.is_empty(), "{:?}", sim.problems);
        assert!(sim.unknowns.iter().any(|u| u.contains("10.0.0.20")));
        let sim = run(
            "[home-server]\nroute mcm-ap.contoso.com -> old-ap.contoso.com\n[servers]\napp-proxy mcm-ap.contoso.com\n",
            &names(),
        );
        assert_eq!(sim.problems[0].finding, FindingId::HomeServerRouteMissing);
        assert!(sim.problems[0].message.contains("old-ap.contoso.com"));
    }
}
