//! The routing rules as the admin types or pastes them: the text form, its parser and the
//! configuration it yields. The format is documented for users in `docs/rules-format.md`;
//! [`RULES_HELP`] is the short version the wizard shows.
//!
//! [`parse_rules`] never fails as a whole: every line it does not understand becomes a
//! [`RuleProblem`] with its line number, and the other lines still count. Nothing is dropped
//! silently: a `[servers]` line naming no participant of the gateway profile, or a row with
//! stray `=` or `:` separators, is reported (and read where the meaning is clear).

use super::exports;
use crate::evidence::Evidence;
use crate::generation::{AdminTool, Generation};
use crate::ingest::text::find_ci;
use crate::profile::{Profile, Role};
use crate::sip::Transport;
use crate::uri::{self, first_label};
use serde::{Deserialize, Serialize};

/// The rules-text format, for the UI's help panel (the long form is docs/rules-format.md).
pub const RULES_HELP: &str = "\
# One section per table; lines starting with # are comments.
# [home-server]         static routes of the Home Server / Front End (Properties > Routing)
#   route <match> -> <next hop>[:<port>] [tls|tcp] [replace-host=yes|no]
#   <match>: domain or host (mcm-ap.contoso.com), user@host, or wildcards (*, *.contoso.com)
# [host-authorization]  Home Server host authorization (Properties > Host Authorization)
#   <fqdn or ip> [authenticated] [throttle-as-server] [outbound-only]
# [app-proxy]           routes on the Application Proxy or gateway that answers the RCC URI
#   route * -> lcs01.contoso.com:5061 tls
# [servers]             optional: who is who
#   <participant or role> <fqdn> [ip ...] [tls:5061|tcp:5060]
# A section left out means 'not supplied'; a present but empty section means 'no rows'.
";

/// One static route (Home Server, Application Proxy or gateway).
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
    /// The Lync static routing collection that holds it, when the paste showed one
    /// ([`Collection`]): `Some(pool)` for a pool's own collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
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
    /// Where the host listens, when the case knows it from the route that reaches it: Lync's
    /// trusted application takes it (`New-CsTrustedApplication -Port`); OCS's Host
    /// Authorization row has none, so the rules text never writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
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

/// A rule the admin must add or change: a static route (on the server the finding names) or a
/// host authorization row. Kept whole so the fix templates can fill in its parts; written out
/// in rules-text form by [`Rule::text`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    Route(Route),
    Authorize(HostAuthorization),
}

impl Rule {
    /// A route to `next_hop` as RCC wants it (no host replacement).
    pub fn route(pattern: &str, next_hop: &str, port: u16, transport: Transport) -> Rule {
        Rule::Route(Route {
            pattern: pattern.to_string(),
            next_hop: next_hop.to_string(),
            port,
            transport,
            replace_host: false,
            line: 0,
            collection: None,
        })
    }

    /// A host authorization row as RCC wants it: authenticated, throttled as a server, not
    /// outbound only (the gateway opens connections to send its answers and events).
    pub fn authorize(host: &str) -> Rule {
        Rule::authorize_at(host, None)
    }

    /// [`Rule::authorize`] of a host the case's route reaches at `port`.
    pub fn authorize_at(host: &str, port: Option<u16>) -> Rule {
        Rule::Authorize(HostAuthorization {
            host: host.to_string(),
            authenticated: true,
            throttle_as_server: true,
            outbound_only: false,
            line: 0,
            port,
        })
    }

    /// The rule in rules-text form, exactly as the admin enters it.
    pub fn text(&self) -> String {
        match self {
            Rule::Route(r) => r.text(),
            Rule::Authorize(h) => h.text(),
        }
    }
}

/// The Microsoft-side routing configuration. `None` = table not supplied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingConfig {
    pub home_server: Option<Vec<Route>>,
    pub host_authorization: Option<Vec<HostAuthorization>>,
    /// The routes of the server that answers the line server URI (the Application Proxy, or a
    /// gateway whose routing the admin can see).
    pub app_proxy: Option<Vec<Route>>,
    /// The Lync static routing collections the paste listed (`Get-CsStaticRoutingConfiguration`),
    /// empty ones too: which one a pool routes with depends on which exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<Collection>,
    /// Routes an export shows switched off (`Enabled : False`): they route nothing, but say
    /// where the admin meant requests to go.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled: Vec<DisabledRoute>,
    /// The server the Home Server's tables were printed on, as the paste names it (WMI's
    /// `__SERVER`, `-ComputerName`), with the line: rules of another server than the user's
    /// explain rules the logs contradict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed_on: Option<(String, u32)>,
}

/// A route in a table that routes no remote call control request: switched off, or for phone
/// URIs only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisabledRoute {
    /// The table it is in: the Home Server's, or the Application Proxy's (`[app-proxy]`).
    pub table: Role,
    pub route: Route,
    /// Switched on, but it matches phone URIs only (`MatchOnlyPhoneUri : True`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub phone_only: bool,
}

/// A Lync static routing collection: `Identity : Global` or `Service:Registrar:<pool>`. A pool
/// with a collection of its own routes with it alone; every other pool with the global one
/// (generations.md: `Set-CsStaticRoutingConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// The pool of `Service:Registrar:<pool>` (lower case); `None` for the global collection.
    pub pool: Option<String>,
    pub line: u32,
}

impl Collection {
    /// "the Global collection (line 3)", "lyncpool02.contoso.com's collection (line 6)".
    pub fn describe(&self) -> String {
        match &self.pool {
            None => format!("the Global collection (line {})", self.line),
            Some(pool) => format!("{pool}'s collection (line {})", self.line),
        }
    }
}

/// Which collection the user's pool routes with, and the routes it does not see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionChoice {
    /// The pool's own collection, or the global one (`None`).
    pub pool: Option<String>,
    /// That collection, as [`Collection::describe`] names it.
    pub used: String,
    /// Why, in one sentence, naming the pool and the collections.
    pub why: String,
    /// Routes in other pools' collections: they do not route this user's requests.
    pub left_out: Vec<Route>,
}

/// The Home Server's routes as the user's pool sees them (see [`RoutingConfig::for_pool`]).
pub struct PoolRoutes<'c> {
    pub config: std::borrow::Cow<'c, RoutingConfig>,
    pub choice: Option<CollectionChoice>,
    /// What would decide the collection, when the routes are in several and the pool is not
    /// known.
    pub unknown: Option<String>,
}

impl RoutingConfig {
    /// The Home Server's table as the user's pool `pool` routes with it: when the paste shows
    /// pools' own collections, a pool with one sees only its routes, any other pool only the
    /// global ones. `pool` is the Home Server's FQDN and whether an admin named it (Get-CsUser
    /// RegistrarPool, `[servers]`): a Front End's name read from a log may not be its pool's.
    pub fn for_pool(&self, pool: Option<(&str, bool)>) -> PoolRoutes<'_> {
        let unscoped = PoolRoutes {
            config: std::borrow::Cow::Borrowed(self),
            choice: None,
            unknown: None,
        };
        let pools: Vec<&Collection> = self
            .collections
            .iter()
            .filter(|c| c.pool.is_some())
            .collect();
        if pools.is_empty() {
            return unscoped;
        }
        let own = pool.and_then(|(p, _)| pools.iter().find(|c| c.pool.as_deref() == Some(p)));
        let (pool, used, why) = match (own, pool) {
            (Some(c), Some((p, _))) => (
                Some(p.to_string()),
                c.describe(),
                format!(
                    "{p} has a static routing collection of its own (line {}) and routes with it alone",
                    c.line
                ),
            ),
            (None, Some((p, true))) => {
                let used = self
                    .collections
                    .iter()
                    .find(|c| c.pool.is_none())
                    .map(Collection::describe)
                    .unwrap_or_else(|| "the Global collection (not pasted)".into());
                let why =
                    format!("{p} has no static routing collection of its own, so it routes with {used}");
                (None, used, why)
            }
            _ => {
                return PoolRoutes {
                    unknown: Some(
                        "The user's Registrar pool (Get-CsUser | Format-List RegistrarPool): the \
                         routes pasted are in several pools' static routing collections"
                            .into(),
                    ),
                    ..unscoped
                }
            }
        };
        let Some(table) = &self.home_server else {
            return unscoped;
        };
        let (kept, left_out): (Vec<Route>, Vec<Route>) =
            table.iter().cloned().partition(|r| r.collection == pool);
        let global_shown = self.collections.iter().any(|c| c.pool.is_none());
        let mut config = self.clone();
        config.home_server = (pool.is_some() || global_shown || !kept.is_empty()).then_some(kept);
        PoolRoutes {
            config: std::borrow::Cow::Owned(config),
            choice: Some(CollectionChoice {
                pool,
                used,
                why,
                left_out,
            }),
            unknown: None,
        }
    }
    /// Routes of the table of a participant role, if supplied: the Home Server's, or (for the
    /// Application Proxy or gateway that hosts the line server) the `[app-proxy]` table.
    pub fn table(&self, role: Role) -> Option<&[Route]> {
        match role {
            Role::HomeServer => self.home_server.as_deref(),
            Role::AppProxy | Role::Gateway => self.app_proxy.as_deref(),
            _ => None,
        }
    }
}

/// Display name of a route table (used in evidence).
pub fn table_name(role: Role) -> &'static str {
    match role {
        Role::HomeServer => "Home Server static routes",
        Role::AppProxy => "Application Proxy routes",
        Role::Gateway => "gateway routes",
        _ => "routes",
    }
}

/// Display name of the host authorization table.
pub const HOST_AUTH_TABLE: &str = "Home Server host authorization";

/// A server as we know it: entered in `[servers]` or inferred from logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// Profile participant id or role name (`app-proxy`, `home-server`).
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

/// A problem in the rules text, by 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleProblem {
    pub line: u32,
    pub message: String,
}

/// What [`parse_rules`] read: the configuration, the `[servers]` hosts and line problems.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRules {
    pub config: RoutingConfig,
    /// The `[servers]` rows, as entered.
    pub servers: Vec<Host>,
    /// The Registrar the first trusted application pool names, as the Home Server: the pool the
    /// gateway is trusted on, taken for the user's pool only where nothing names that (a
    /// `[servers]` row, Get-CsUser's RegistrarPool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_registrar: Option<Host>,
    /// The trusted applications (`Get-CsTrustedApplication`) a Home Server route is for or
    /// sends to, each with the port and protocol it listens on: the gateway is among them
    /// ([`ParsedRules::trusted_gateway`] picks it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_applications: Vec<Host>,
    pub problems: Vec<RuleProblem>,
    /// Admin tools whose output was pasted, each with the first line it printed (they name
    /// the generation when nothing else does).
    pub tools: Vec<(AdminTool, u32)>,
    /// The first comment that names a server generation (`# OCS 2007 R2 pool ...`), with its
    /// line and text.
    pub named_generation: Option<(Generation, u32, String)>,
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

fn section_of(name: &str) -> Option<Section> {
    Some(match name {
        "home-server" | "home server" | "front-end" | "front end" | "pool" | "static-routes"
        | "routes" => Section::HomeServer,
        "host-authorization"
        | "host authorization"
        | "host-auth"
        | "authorized-hosts"
        | "trusted-applications" => Section::HostAuth,
        "app-proxy" | "application-proxy" | "application proxy" | "gateway" | "line-server" => {
            Section::AppProxy
        }
        "servers" | "topology" => Section::Servers,
        _ => return None,
    })
}

/// The participant a `[servers]` name means: a participant id of the profile, or a role name
/// (which stands for the first participant with that role).
pub fn servers_participant(profile: &Profile, name: &str) -> Option<String> {
    if let Some(p) = profile.participant(name) {
        return Some(p.id.clone());
    }
    let alias = match name {
        "front-end" | "frontend" | "pool" | "registrar" => "home-server",
        "application-proxy" | "mcm" => "app-proxy",
        other => other,
    };
    let role = Role::from_id(alias)?;
    profile.by_role(role).map(|p| p.id.clone())
}

/// Parse the rules text (see the module docs). Never fails; bad lines become problems.
/// `profile` names the participants a `[servers]` row may name. Admin tools' list output
/// (Lync's `Get-CsStaticRoutingConfiguration`, `Get-CsTrustedApplicationPool`, OCS WMI
/// exports) is read too, in or outside a section (see [`super::exports`]).
pub fn parse_rules(text: &str, profile: &Profile) -> ParsedRules {
    let mut out = ParsedRules::default();
    let mut section = Section::None;
    let mut object: Option<exports::Object> = None;
    // Admin tools' objects, filed once the whole paste says which server printed which.
    let mut printed: Vec<Printed> = Vec::new();
    // What the console shows of the command that printed the object that follows.
    let mut console = Console::default();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        // Admin tools' list output: `Name : value` lines, one object per block.
        if section != Section::Servers {
            let raw = raw.trim_end();
            if let Some((name, value)) = exports::property(raw) {
                object
                    .get_or_insert_with(|| exports::Object::new(line_no))
                    .push(name, value, line_no);
                continue;
            }
            if let (Some(o), Some(rest)) = (object.as_mut(), exports::continuation(raw)) {
                o.continue_value(rest, line_no);
                continue;
            }
            if let Some(o) = object.take() {
                printed.push(console.printed(section, o));
            }
            if console.read(raw) {
                continue;
            }
        }
        if out.named_generation.is_none() {
            if let Some((_, comment)) = raw.split_once('#') {
                if let Some((g, _)) = crate::generation::named_in(comment) {
                    out.named_generation = Some((g, line_no, raw.trim().to_string()));
                }
            }
        }
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut problem = |m: String| {
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
            section = match section_of(&name) {
                Some(s) => s,
                None => {
                    problem(format!(
                        "unknown section [{name}]; expected [home-server], \
                         [host-authorization], [app-proxy] or [servers]"
                    ));
                    Section::None
                }
            };
            match section {
                Section::HomeServer => {
                    out.config.home_server.get_or_insert_with(Vec::new);
                }
                Section::HostAuth => {
                    out.config.host_authorization.get_or_insert_with(Vec::new);
                }
                Section::AppProxy => {
                    out.config.app_proxy.get_or_insert_with(Vec::new);
                }
                Section::Servers | Section::None => {}
            }
            continue;
        }
        match section {
            Section::None => problem(
                "rule outside a section: start with [home-server], [host-authorization], \
                 [app-proxy] or [servers]"
                    .into(),
            ),
            Section::HomeServer | Section::AppProxy => match parse_route(line, line_no) {
                Ok(r) => {
                    let table = if section == Section::HomeServer {
                        &mut out.config.home_server
                    } else {
                        &mut out.config.app_proxy
                    };
                    table.get_or_insert_with(Vec::new).push(r);
                }
                Err(m) => problem(m),
            },
            Section::HostAuth => match parse_host_authorization(line, line_no) {
                Ok((row, unknown)) => {
                    for w in unknown {
                        problem(format!(
                            "unknown host authorization flag '{w}' (expected authenticated, \
                             throttle-as-server, outbound-only); the row was read without it"
                        ));
                    }
                    out.config
                        .host_authorization
                        .get_or_insert_with(Vec::new)
                        .push(row);
                }
                Err(m) => problem(m),
            },
            Section::Servers => {
                let row = out.servers.len();
                match parse_server(line, row, profile) {
                    Ok((host, notes)) => {
                        for n in notes {
                            problem(n);
                        }
                        out.servers.push(host);
                    }
                    Err(m) => problem(m),
                }
            }
        }
    }
    if let Some(o) = object.take() {
        printed.push(console.printed(section, o));
    }
    file_objects(&mut out, profile, printed);
    halves_of_disabled_routes(&mut out);
    routes_without_next_hop(&mut out);
    out.problems.sort_by_key(|p| p.line);
    out
}

/// What a console paste shows of the commands typed, for the objects they print.
///
/// The route objects the admin makes (`$r = New-CsStaticRoute ...`), and whether the last
/// command prints one: the variable echoed (`$r`, `$r | fl`) or New-CsStaticRoute's own output.
/// Such a route is in no collection until Set-CsStaticRoutingConfiguration adds it; what
/// Get-CsStaticRoutingConfiguration or WMI print is in use. And the server the command was run
/// against (`-ComputerName`, wmic's `/node:`), for objects that do not name it themselves.
#[derive(Default)]
struct Console {
    variables: Vec<String>,
    /// The last command prints a route object: the variable it was kept in, if any.
    printing: Option<Option<String>>,
    /// The server the last command names, lower case.
    server: Option<String>,
    /// The server the admin's last note names (`REM mcm01 ...`): where the commands after it
    /// ran, unless they name one.
    noted: Option<String>,
    /// The last prompt line filled the console's width: the line after it may be the rest of
    /// the command, cut where the console ended (`-ComputerNam` / `e OCSAP01`).
    wrapped: Option<String>,
}

/// A console narrower than this does not wrap commands; 80 columns is the smallest default.
const CONSOLE_WIDTH_MIN: usize = 79;

/// An object as printed, with what the console said about it.
struct Printed<'t> {
    section: Section,
    object: exports::Object<'t>,
    route_object: Option<Option<String>>,
    server: Option<String>,
}

impl Console {
    /// Reads a line that is not an object's: true for a prompt, a wrapped command's rest, the
    /// shell's banner or a table rule (nothing to read as rules, nothing wrong).
    fn read(&mut self, line: &str) -> bool {
        let t = line.trim();
        let prompt = t.strip_prefix("PS ").and_then(|p| p.split_once('>'));
        if let Some(start) = self.wrapped.take() {
            if !t.is_empty() && prompt.is_none() {
                self.command(&format!("{start}{t}"));
                return true;
            }
        }
        // cmd's comments, where an admin writes which server the output below comes from
        // (`REM mcm01 (Application Proxy)`): a first word that is a host name names it.
        if let Some(note) = t.strip_prefix("REM ").or_else(|| t.strip_prefix(":: ")) {
            let first = note.split_whitespace().next().unwrap_or("");
            let host_like = first.len() > 1
                && first.starts_with(|c: char| c.is_ascii_alphabetic())
                && first
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if host_like {
                self.noted = Some(first.trim_end_matches('.').to_ascii_lowercase());
            }
            return true;
        }
        if let Some((_, typed)) = prompt {
            self.command(typed.trim());
            if line.chars().count() >= CONSOLE_WIDTH_MIN {
                self.wrapped = Some(typed.trim().to_string());
            }
            return true;
        }
        t.starts_with("C:\\")
            || t == "Windows PowerShell"
            || (t.starts_with("Copyright (C)") && t.contains("Microsoft Corporation"))
            || (!t.is_empty() && t.chars().all(|c| c == '-' || c == ' '))
    }

    fn command(&mut self, typed: &str) {
        self.server = computer_named(typed);
        let new_route = find_ci(typed.as_bytes(), b"New-CsStaticRoute").is_some();
        let assigned = typed
            .strip_prefix('$')
            .and_then(|t| t.split_once('='))
            .map(|(name, _)| name.trim());
        self.printing = match (new_route, assigned) {
            (true, Some(name)) => {
                self.variables.push(name.to_string());
                None
            }
            (true, None) => Some(None),
            // A variable echoed alone (not a property of it, such as `$c.Route`).
            (false, _) => typed
                .strip_prefix('$')
                .map(|t| t.split('|').next().unwrap_or("").trim())
                .filter(|v| self.variables.iter().any(|x| x == v))
                .map(|v| Some(v.to_string())),
        };
    }

    fn printed<'t>(&self, section: Section, object: exports::Object<'t>) -> Printed<'t> {
        Printed {
            section,
            route_object: self.printing.clone(),
            server: object
                .server()
                .or_else(|| self.server.clone())
                .or_else(|| self.noted.clone()),
            object,
        }
    }
}

/// The server a command names: `-ComputerName X` (or its `-cn` alias), wmic's `/node:X`.
fn computer_named(typed: &str) -> Option<String> {
    let bytes = typed.as_bytes();
    let after = [&b"-ComputerName"[..], b"-cn ", b"/node:"]
        .into_iter()
        .find_map(|flag| Some(find_ci(bytes, flag)? + flag.len()))?;
    let name = typed[after..]
        .trim_start_matches([' ', ':'])
        .split([' ', ',', '|'])
        .next()?
        .trim_matches(['"', '\'']);
    (!name.is_empty() && !name.starts_with(['-', '$']))
        .then(|| name.trim_end_matches('.').to_ascii_lowercase())
}

/// Files the objects read under their tables. Objects outside a section are the Home Server's,
/// except where the paste shows several servers and one of them is another's next hop: that
/// one is the server behind the Home Server (the Application Proxy or gateway), and its routes
/// are the `[app-proxy]` table.
fn file_objects(out: &mut ParsedRules, profile: &Profile, printed: Vec<Printed>) {
    let mut servers: Vec<&str> = printed.iter().filter_map(|p| p.server.as_deref()).collect();
    servers.sort_unstable();
    servers.dedup();
    let behind: Vec<String> = if servers.len() > 1 {
        let next_hops: Vec<(String, String)> = printed
            .iter()
            .filter_map(|p| Some((first_label(p.server.as_deref()?), p.object.get("NextHop")?)))
            .map(|(from, hop)| (from, first_label(hop)))
            .collect();
        // Two servers that route to each other are a loop, not one behind the other.
        let routes_to = |from: &str, to: &str| next_hops.iter().any(|(f, h)| f == from && h == to);
        servers
            .iter()
            .map(|s| first_label(s))
            .filter(|s| {
                next_hops
                    .iter()
                    .any(|(from, hop)| hop == s && from != s && !routes_to(s, from))
            })
            .collect()
    } else {
        Vec::new()
    };
    let has_trusted_pool = printed.iter().any(|p| {
        p.object.get("PoolFqdn").is_some()
            || p.object.get("Identity").is_some_and(|i| {
                i.trim()
                    .to_ascii_lowercase()
                    .starts_with("trustedapplicationpool:")
            })
    });
    let mut apps = Vec::new();
    for p in &printed {
        let from_behind = p
            .server
            .as_deref()
            .is_some_and(|s| behind.contains(&first_label(s)));
        let section = match p.section {
            Section::None | Section::HomeServer if from_behind => Section::AppProxy,
            s => s,
        };
        if section != Section::AppProxy && out.config.printed_on.is_none() {
            out.config.printed_on = p.server.clone().map(|s| (s, p.object.first_line));
        }
        take_object(
            out,
            profile,
            section,
            &p.object,
            p.route_object.as_ref().map(|v| v.as_deref()),
            has_trusted_pool,
            &mut apps,
        );
    }
    // The trusted application a Home Server route sends to is the gateway: it says where the
    // gateway listens (a TLS route to its TCP port is then a certain mismatch). So is the one
    // a route is for (its MatchUri is the application's FQDN), wherever that route sends.
    let routed_to = |fqdn: &str| {
        let home = out.config.home_server.iter().flatten();
        let off = out.config.disabled.iter().map(|d| &d.route);
        home.chain(off)
            .any(|r| r.next_hop == fqdn || r.pattern.eq_ignore_ascii_case(fqdn))
    };
    let Some(participant) = profile.line_server_host().map(|p| p.id.clone()) else {
        return;
    };
    for app in apps.into_iter().filter(|a| routed_to(&a.fqdn)) {
        out.trusted_applications.push(Host {
            participant: participant.clone(),
            evidence: vec![Evidence::Rule {
                table: "rules".into(),
                row: None,
                text: format!(
                    "line {}: trusted application on {}, port {}, {}",
                    app.line,
                    app.fqdn,
                    app.port,
                    app.transport.as_str().to_ascii_uppercase()
                ),
            }],
            fqdn: Some(app.fqdn),
            ips: vec![],
            port: Some(app.port),
            transport: Some(app.transport),
            entered: true,
        });
    }
}

impl ParsedRules {
    /// The gateway's trusted application: the one named by the line server URI's host when it
    /// is known, else the only one the routes lead to (the line server URI may name the gateway
    /// wrongly; a paste that lists another application's route too, a paging server say, names
    /// no gateway by itself).
    pub fn trusted_gateway(&self, line_server_host: Option<&str>) -> Option<&Host> {
        let named = |h: &&Host| {
            h.fqdn
                .as_deref()
                .zip(line_server_host)
                .is_some_and(|(f, l)| f.eq_ignore_ascii_case(l))
        };
        self.trusted_applications.iter().find(named).or(
            match self.trusted_applications.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        )
    }
}

/// Files an admin tool's object under the table of the section it is in (routes outside a
/// section are the Home Server's; trusted hosts are host authorization).
/// `route_object`: the object is a route the admin made, not one in use ([`Console`]),
/// with the variable it is kept in. `trusted_pool_pasted`: the paste lists trusted
/// application pools, so a trusted application needs no other paste.
fn take_object(
    out: &mut ParsedRules,
    profile: &Profile,
    section: Section,
    o: &exports::Object,
    route_object: Option<Option<&str>>,
    trusted_pool_pasted: bool,
    apps: &mut Vec<exports::Listening>,
) {
    let problem = |out: &mut ParsedRules, message: String| {
        out.problems.push(RuleProblem {
            line: o.first_line,
            message,
        })
    };
    if let Some(tool) = exports::tool_of(o) {
        if !out.tools.iter().any(|(t, _)| *t == tool) {
            out.tools.push((tool, o.first_line));
        }
    }
    match exports::read(o) {
        // A route object printed by New-CsStaticRoute, or its variable echoed, is in no
        // collection until Set-CsStaticRoutingConfiguration adds it: the pool does not use it.
        exports::Read::Routes(_) if route_object.is_some() => {
            let variable = route_object.flatten().unwrap_or("r");
            problem(
                out,
                format!(
                    "lines {}-{}: a static route made at the console (${variable}), in no \
                     collection yet, so no pool routes with it; not read as a route. Add it with \
                     Set-CsStaticRoutingConfiguration -Identity global -Route @{{Add=${variable}}} \
                     (or the pool's collection), then paste Get-CsStaticRoutingConfiguration | \
                     Format-List Identity,Route.",
                    o.first_line, o.last_line
                ),
            );
        }
        exports::Read::Routes(routes) => file_routes(out, section, routes),
        exports::Read::Disabled(route, phone_only) => {
            problem(
                out,
                if phone_only {
                    format!(
                        "lines {}-{}: the route for {} has MatchOnlyPhoneUri = True: it matches \
                         phone URIs only, not the line server's SIP URI",
                        o.first_line, o.last_line, route.pattern
                    )
                } else {
                    format!(
                        "lines {}-{}: the route for {} is disabled (Enabled = False): a disabled \
                         route routes nothing",
                        o.first_line, o.last_line, route.pattern
                    )
                },
            );
            // The table was pasted, with this row in it.
            file_routes(out, section, Vec::new());
            out.config.disabled.push(DisabledRoute {
                table: if section == Section::AppProxy {
                    Role::AppProxy
                } else {
                    Role::HomeServer
                },
                route,
                phone_only,
            });
        }
        // The Application Proxy's own authorized hosts: whom it trusts, not whether the Home
        // Server trusts it.
        exports::Read::Authorized(h) if section == Section::AppProxy => problem(
            out,
            format!(
                "lines {}-{}: an authorized host ({}) of the server behind the Home Server, not \
                 of the Home Server: not read as the Home Server's host authorization",
                o.first_line, o.last_line, h.host
            ),
        ),
        exports::Read::Collection(collection, routes) => {
            // Listed even when empty: an empty collection still decides what its pool routes
            // (and `file_routes` marks the table supplied).
            if let Some(c) = collection {
                out.config.collections.push(c);
            }
            file_routes(out, section, routes);
        }
        exports::Read::Authorized(h) => {
            // A trusted application pool names its Registrar: the pool it is trusted on.
            if let Some(pool) = o
                .get("Registrar")
                .map(|r| r.rsplit(':').next().unwrap_or(r))
            {
                let home = profile.home_server().unwrap_or("home-server").to_string();
                let pool = pool.trim().trim_end_matches('.').to_ascii_lowercase();
                if !pool.is_empty() && out.trusted_registrar.is_none() {
                    out.trusted_registrar = Some(Host {
                        participant: home,
                        fqdn: Some(pool),
                        ips: vec![],
                        port: None,
                        transport: None,
                        evidence: vec![Evidence::Rule {
                            table: "rules".into(),
                            row: None,
                            text: format!(
                                "line {}: Registrar {}",
                                o.first_line,
                                o.get("Registrar").unwrap_or("")
                            ),
                        }],
                        entered: true,
                    });
                }
            }
            out.config
                .host_authorization
                .get_or_insert_with(Vec::new)
                .push(h);
        }
        exports::Read::TrustedApplication(listening) if trusted_pool_pasted => {
            apps.extend(listening)
        }
        exports::Read::TrustedApplication(listening) => {
            apps.extend(listening);
            problem(
                out,
                format!(
                "lines {}-{}: a trusted application says where the gateway listens, not whether \
                 it is trusted: also paste Get-CsTrustedApplicationPool | Format-List",
                o.first_line, o.last_line
            ),
            )
        }
        exports::Read::Incomplete(why) => problem(
            out,
            format!("lines {}-{}: {why}", o.first_line, o.last_line),
        ),
        exports::Read::Unknown => {
            let names: Vec<&str> = o.props.iter().map(|(n, _, _)| *n).take(6).collect();
            problem(
                out,
                format!(
                    "lines {}-{}: an object RCC Doctor does not read (properties {}); it reads \
                     Get-CsStaticRoutingConfiguration, Get-CsTrustedApplicationPool and the OCS \
                     WMI route and host exports",
                    o.first_line,
                    o.last_line,
                    names.join(", ")
                ),
            );
        }
    }
}

/// Files routes read from an admin tool under the section's table. The expanded view
/// (`Select-Object -ExpandProperty Route`) repeats what the collection view listed without a
/// next hop: the two make one route, in the collection view's collection.
fn file_routes(out: &mut ParsedRules, section: Section, routes: Vec<Route>) {
    let table = if section == Section::AppProxy {
        &mut out.config.app_proxy
    } else {
        &mut out.config.home_server
    };
    let table = table.get_or_insert_with(Vec::new);
    for r in routes {
        let half = table
            .iter_mut()
            .find(|x| x.pattern == r.pattern && (x.next_hop.is_empty() != r.next_hop.is_empty()));
        match half {
            Some(old) if old.next_hop.is_empty() => {
                let collection = old.collection.take();
                *old = Route {
                    collection: collection.or(r.collection),
                    ..r
                };
            }
            Some(old) => {
                if old.collection.is_none() {
                    old.collection = r.collection;
                }
            }
            None => table.push(r),
        }
    }
}

/// The collection view lists a route without its next hop; when the expanded view shows that
/// route routing nothing (switched off, phone URIs only), the collection's line is the same
/// route, not one of its own.
fn halves_of_disabled_routes(out: &mut ParsedRules) {
    let config = &mut out.config;
    for d in &config.disabled {
        let table = match d.table {
            Role::AppProxy => &mut config.app_proxy,
            _ => &mut config.home_server,
        };
        if let Some(t) = table.as_mut() {
            t.retain(|r| !(r.next_hop.is_empty() && r.pattern == d.route.pattern));
        }
    }
}

/// Routes still without a next hop once the whole paste is read: only the collection view was
/// pasted for them.
fn routes_without_next_hop(out: &mut ParsedRules) {
    let mut lines: Vec<u32> = [&out.config.home_server, &out.config.app_proxy]
        .into_iter()
        .flatten()
        .flatten()
        .filter(|r| r.next_hop.is_empty())
        .map(|r| r.line)
        .collect();
    lines.dedup();
    for line in lines {
        out.problems.push(RuleProblem {
            line,
            message: "this view of the static routes does not show their next hop, port or \
                      transport; paste the output of 'Get-CsStaticRoutingConfiguration | \
                      Select-Object -ExpandProperty Route' too"
                .into(),
        });
    }
}

/// Splits a line into words, treating a separator written after the first word (`name:`,
/// `name =`, `name: value`) as the space it stands for. Returns whether one was removed.
fn words_without_separator(line: &str) -> (Vec<String>, bool) {
    let mut words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let mut removed = false;
    if let Some(first) = words.first_mut() {
        if let Some(pos) = first.find(['=', ':']) {
            // `home-server:lcs01.contoso.com` or `home-server:` or `home-server=...`, but not a
            // transport:port or an IPv6 address as the first word.
            let (name, rest) = first.split_at(pos);
            if !name.is_empty() && Transport::parse(name).is_none() && !uri::is_ip(first) {
                let rest = rest[1..].to_string();
                *first = name.to_string();
                if !rest.is_empty() {
                    words.insert(1, rest);
                }
                removed = true;
            }
        }
    }
    if words.get(1).is_some_and(|w| w == "=" || w == ":") {
        words.remove(1);
        removed = true;
    }
    (words, removed)
}

fn parse_server(line: &str, row: usize, profile: &Profile) -> Result<(Host, Vec<String>), String> {
    let mut notes = Vec::new();
    let (words, separator) = words_without_separator(line);
    if separator {
        notes.push(format!(
            "read as '{}': [servers] rows are '<participant> <fqdn> [ip ...] [tls:5061]', \
             without ':' or '='",
            words.join(" ")
        ));
    }
    if words.len() < 2 {
        return Err("expected: <participant or role> <fqdn> [ip ...] [tls:5061]".into());
    }
    let name = words[0].to_ascii_lowercase();
    let participant = servers_participant(profile, &name).ok_or_else(|| {
        let known: Vec<&str> = profile
            .participants
            .iter()
            .filter(|p| p.role != Role::Client)
            .map(|p| p.id.as_str())
            .collect();
        format!(
            "'{name}' is not a participant of the {} profile (use one of: {})",
            profile.id,
            known.join(", ")
        )
    })?;
    let mut host = Host {
        participant,
        fqdn: None,
        ips: vec![],
        port: None,
        transport: None,
        evidence: vec![Evidence::Rule {
            table: "servers".into(),
            row: Some(row),
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
        if let Some(t) = Transport::parse(w) {
            host.transport = Some(t);
            continue;
        }
        let (h, port) = uri::split_host_port(w);
        if uri::is_ip(h) {
            host.ips.push(h.to_string());
        } else if host.fqdn.is_none() && !h.is_empty() {
            host.fqdn = Some(h.trim_end_matches('.').to_ascii_lowercase());
        } else {
            notes.push(format!("second host name '{w}' on one line was ignored"));
            continue;
        }
        if port.is_some() {
            host.port = port;
        }
    }
    Ok((host, notes))
}

fn parse_host_authorization(
    line: &str,
    line_no: u32,
) -> Result<(HostAuthorization, Vec<String>), String> {
    let mut words = line.split_whitespace();
    let host = words
        .next()
        .unwrap_or_default()
        .trim_end_matches([',', ';'])
        .to_ascii_lowercase();
    if host.is_empty() || host.contains('=') {
        return Err(format!(
            "expected: <fqdn or ip> [authenticated] [throttle-as-server] [outbound-only], got \
             '{line}'"
        ));
    }
    let mut row = HostAuthorization {
        host,
        authenticated: false,
        throttle_as_server: false,
        outbound_only: false,
        line: line_no,
        port: None,
    };
    let mut unknown = Vec::new();
    for w in words {
        match w
            .trim_matches([',', ';'])
            .to_ascii_lowercase()
            .replace('_', "-")
            .as_str()
        {
            "authenticated" | "treat-as-authenticated" | "treatasauthenticated" => {
                row.authenticated = true
            }
            "throttle-as-server" | "throttle" | "throttleasserver" => row.throttle_as_server = true,
            "outbound-only" | "outboundonly" => row.outbound_only = true,
            "" => {}
            other => unknown.push(other.to_string()),
        }
    }
    Ok((row, unknown))
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
    if pattern.contains(['=', ':']) {
        return Err(format!(
            "route match '{pattern}' holds '=' or ':': write the domain or host alone \
             (e.g. route contoso.com -> gw.contoso.com:5061 tls)"
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
    if next_hop.is_empty() || next_hop.contains('=') {
        return Err(format!(
            "route next hop '{hop}' is not a host name or address"
        ));
    }
    let mut transport = Transport::Tls;
    let mut replace_host = false;
    for w in words {
        let lw = w.to_ascii_lowercase();
        if let Some(t) = Transport::parse(&lw) {
            if t == Transport::Udp {
                return Err("LCS/OCS/Lync static routes use TLS or TCP, not UDP".into());
            }
            transport = t;
        } else if let Some(v) = lw.strip_prefix("replace-host=") {
            replace_host = match v {
                "yes" | "true" | "on" => true,
                "no" | "false" | "off" => false,
                _ => return Err(format!("replace-host must be yes or no, not '{v}'")),
            };
        } else if lw == "replace-host" {
            replace_host = true;
        } else {
            return Err(format!(
                "unknown route option '{w}' (expected tls, tcp, replace-host=yes|no)"
            ));
        }
    }
    Ok(Route {
        pattern: pattern.to_ascii_lowercase(),
        next_hop: next_hop.trim_end_matches('.').to_ascii_lowercase(),
        port: port.unwrap_or(transport.default_port()),
        transport,
        replace_host,
        line: line_no,
        collection: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::profile;

    fn nortel() -> Profile {
        profile("nortel").unwrap()
    }

    /// Two trusted applications with routes (a paging server beside the gateway): the line
    /// server's host picks the gateway's; a route for phone URIs only routes no line server.
    #[test]
    fn the_gateways_trusted_application_is_the_line_servers() {
        let app = |fqdn: &str, port: u16| {
            format!(
                "Identity                   : {fqdn}/urn:application:x\n\
                 TrustedApplicationPoolFqdn : {fqdn}\nPort                       : {port}\n\
                 Protocol                   : Mtls\n\n"
            )
        };
        let route = |fqdn: &str, phone_only: bool| {
            format!(
                "Transport               : TransportChoice=Certificate=x;Fqdn={fqdn};Port=5061\n\
                 MatchUri                : {fqdn}\nMatchOnlyPhoneUri       : {}\n\
                 Enabled                 : True\n\n",
                if phone_only { "True" } else { "False" }
            )
        };
        let p = profile("avaya").unwrap();
        let text = format!(
            "{}{}{}{}",
            route("paging.contoso.com", false),
            route("aes.contoso.com", true),
            app("paging.contoso.com", 5061),
            app("aes.contoso.com", 5065)
        );
        let r = parse_rules(&text, &p);
        let gw = r.trusted_gateway(Some("aes.contoso.com")).unwrap();
        assert_eq!(
            (gw.fqdn.as_deref(), gw.port),
            (Some("aes.contoso.com"), Some(5065))
        );
        assert!(
            r.trusted_gateway(None).is_none(),
            "two applications name no gateway alone"
        );
        assert_eq!(r.config.home_server.as_ref().unwrap().len(), 1);
        assert!(r.config.disabled[0].phone_only);
        assert!(r
            .problems
            .iter()
            .any(|x| x.message.contains("MatchOnlyPhoneUri = True")));
    }

    #[test]
    fn reports_bad_lines_by_number_and_keeps_the_rest() {
        let p = parse_rules(
            "route a -> b\n[home-server]\nroute x.com b.com\nroute y.com -> c.com udp\nroute z.com -> d.com:5060 tcp\n[nonsense]\n",
            &nortel(),
        );
        let lines: Vec<u32> = p.problems.iter().map(|x| x.line).collect();
        assert_eq!(lines, vec![1, 3, 4, 6]);
        assert_eq!(p.config.home_server.unwrap().len(), 1);
    }

    #[test]
    fn servers_rows_with_separators_are_read_and_reported() {
        let p = parse_rules(
            "[servers]\nhome-server: lcs01.contoso.com\napp-proxy = mcm.contoso.com 10.0.0.20 tls:5061\n",
            &nortel(),
        );
        assert_eq!(p.servers.len(), 2, "{:?}", p.problems);
        assert_eq!(p.servers[0].fqdn.as_deref(), Some("lcs01.contoso.com"));
        assert_eq!(p.servers[1].participant, "app-proxy");
        assert_eq!(p.servers[1].port, Some(5061));
        assert_eq!(
            p.problems.iter().map(|x| x.line).collect::<Vec<_>>(),
            vec![2, 3],
            "each separator is reported on its line"
        );
    }

    #[test]
    fn unknown_participants_are_reported_not_dropped() {
        let p = parse_rules("[servers]\nmediation lcs01.contoso.com\n", &nortel());
        assert!(p.servers.is_empty());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 2);
        assert!(p.problems[0].message.contains("app-proxy"));
        // Role names stand for the profile's participant with that role.
        let cisco = profile("cisco").unwrap();
        let p = parse_rules("[servers]\nhome-server fe.contoso.com\n", &cisco);
        assert_eq!(p.servers[0].participant, "front-end");
    }

    #[test]
    fn a_route_with_an_equals_sign_is_refused_with_its_line() {
        let p = parse_rules(
            "[home-server]\nroute = mcm.contoso.com -> mcm.contoso.com\n",
            &nortel(),
        );
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 2);
    }

    /// Two pools' collections and the expanded view below them, as Lync's shell prints them.
    const COLLECTIONS: &str = "\
Identity : Global
Route    : {}

Identity : Service:Registrar:lyncpool02.contoso.com
Route    : {MatchUri=rccgw.contoso.net;MatchOnlyPhoneUri=False;Enabled=True;ReplaceHostInRequestUri=False}

Transport               : TransportChoice=Certificate=Microsoft.Rtc.Management.WritableConfig.Settings.SipProxy.UseDefaultCert;Fqdn=rccgw.contoso.net;Port=5065
MatchUri                : rccgw.contoso.net
MatchOnlyPhoneUri       : False
Enabled                 : True
ReplaceHostInRequestUri : False
";

    #[test]
    fn the_two_views_of_a_collection_make_one_route_in_it() {
        let p = parse_rules(COLLECTIONS, &profile("generic").unwrap());
        assert!(
            p.problems.is_empty(),
            "the expanded view was pasted: {:?}",
            p.problems
        );
        let routes = p.config.home_server.as_deref().unwrap();
        assert_eq!(routes.len(), 1);
        assert_eq!(
            (routes[0].next_hop.as_str(), routes[0].port),
            ("rccgw.contoso.net", 5065)
        );
        assert_eq!(
            routes[0].collection.as_deref(),
            Some("lyncpool02.contoso.com")
        );
        let pools: Vec<Option<&str>> = p
            .config
            .collections
            .iter()
            .map(|c| c.pool.as_deref())
            .collect();
        assert_eq!(pools, vec![None, Some("lyncpool02.contoso.com")]);
        // The collection view alone still says what is missing, on its line.
        let alone = parse_rules(COLLECTIONS.split("\nTransport").next().unwrap(), &nortel());
        assert_eq!(alone.problems.len(), 1);
        assert_eq!(alone.problems[0].line, 4);
    }

    /// A route object the admin made (New-CsStaticRoute into `$r`, then `$r` echoed, or its
    /// own output) is in no collection: it is not read as a route, and a note says how to add
    /// it; the same block printed by Get-CsStaticRoutingConfiguration (a variable's `.Route`
    /// too, or a variable not made by New-CsStaticRoute), or with no prompt at all, is a route.
    /// An 80-column WMI paste: a command wrapped at the console's width, system properties,
    /// values wrapped mid-word; two servers, one the other's next hop, so its routes are the
    /// Application Proxy's; its disabled `*` route is kept as such, and its own authorized
    /// hosts are not the Home Server's.
    #[test]
    fn a_wrapped_wmi_paste_of_two_servers_files_each_server_s_rows() {
        let text = "Windows PowerShell\r
Copyright (C) 2009 Microsoft Corporation. All rights reserved.\r
\r
PS C:\\Users\\adm> Get-WmiObject -Class MSFT_SIPRoutingTableData -ComputerName OCSFE\r
1 | fl *\r
\r
__GENUS                 : 2\r
__SERVER                : OCSFE1\r
__PATH                  : \\\\OCSFE1\\root\\cimv2:MSFT_SIPRoutingTableData.Backen\r
                          d=\"SQL\\\\RTC\"\r
Enabled                 : True\r
MatchURI                : mcm.contoso.com\r
NextHop                 : ocsap01.contoso.c\r
                          om\r
NextHopPort             : 5061\r
NextHopTransport        : TLS\r
\r
REM ocsap01 (the Application Proxy)\r
PS C:\\Users\\adm> Get-WmiObject -Class MSFT_SIPRoutingTableData | fl *\r
\r
Enabled                 : False\r
MatchURI                : *\r
NextHop                 : ocspool.contoso.com\r
NextHopPort             : 5061\r
NextHopTransport        : TLS\r
\r
Server               : ocspool.contoso.com\r
ThrottleAsServer     : True\r
TreatAsAuthenticated : True\r
";
        let p = parse_rules(text, &profile("nortel").unwrap());
        let home = p.config.home_server.as_deref().unwrap();
        assert_eq!(home.len(), 1);
        assert_eq!(home[0].next_hop, "ocsap01.contoso.com");
        assert_eq!(
            home[0].line, 11,
            "the rule row starts after the system properties"
        );
        assert_eq!(p.config.app_proxy.as_deref(), Some(&[][..]));
        assert_eq!(p.config.disabled.len(), 1);
        assert_eq!(p.config.disabled[0].table, Role::AppProxy);
        assert_eq!(p.config.disabled[0].route.pattern, "*");
        assert_eq!(p.config.host_authorization, None);
        assert_eq!(p.config.printed_on, Some(("ocsfe1".to_string(), 11)));
        let messages: Vec<&str> = p.problems.iter().map(|x| x.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("disabled"), "{messages:?}");
        assert!(
            messages[1].contains("server behind the Home Server"),
            "{messages:?}"
        );
    }

    #[test]
    fn a_route_object_echoed_is_no_route_in_use() {
        let block = "Transport               : TransportChoice=Certificate=Microsoft.Rtc.Management.WritableConfig.Settings.SipProxy.UseDefaultCert;Fqdn=cups.contoso.com;Port=5061
MatchUri                : cups.contoso.com
MatchOnlyPhoneUri       : False
Enabled                 : True
ReplaceHostInRequestUri : False
";
        let routes = |prompt: &str| {
            let text = format!("{prompt}\n\n{block}\nIdentity : Global\nRoute    : {{}}\n");
            let p = parse_rules(&text, &profile("cisco").unwrap());
            let n = p.config.home_server.as_ref().map_or(0, Vec::len);
            (n, p.problems)
        };
        for echo in [
            "PS C:\\> $r = New-CsStaticRoute -TLSRoute -Destination cups.contoso.com -Port 5061 -MatchUri cups.contoso.com\nPS C:\\> $r",
            "PS C:\\Users\\adm> $route=New-CsStaticRoute -TCPRoute -Destination 10.0.0.9 -MatchUri cups.contoso.com\nPS C:\\Users\\adm> $route | Format-List",
            "PS C:\\> New-CsStaticRoute -TLSRoute -Destination cups.contoso.com -Port 5061 -MatchUri cups.contoso.com",
        ] {
            let (n, problems) = routes(echo);
            assert_eq!(n, 0, "{echo}");
            assert!(
                problems
                    .iter()
                    .any(|p| p.message.contains("in no collection yet")),
                "{echo}: {problems:?}"
            );
        }
        for shown in [
            "PS C:\\> Get-CsStaticRoutingConfiguration -Identity global | Select-Object -ExpandProperty Route",
            "PS C:\\> $c = Get-CsStaticRoutingConfiguration -Identity global\nPS C:\\> $c.Route",
            "PS C:\\> $r = New-CsStaticRoute -TLSRoute -Destination x -MatchUri x\nPS C:\\> $c.Route",
            "PS C:\\> $r",
            "",
        ] {
            let (n, problems) = routes(shown);
            assert_eq!(n, 1, "{shown}: {problems:?}");
        }
    }

    #[test]
    fn a_pool_routes_with_its_own_collection_or_else_the_global_one() {
        let p = parse_rules(COLLECTIONS, &profile("generic").unwrap());
        let own = p.config.for_pool(Some(("lyncpool02.contoso.com", false)));
        assert_eq!(own.config.home_server.as_ref().map(Vec::len), Some(1));
        assert!(own.choice.unwrap().left_out.is_empty());
        // A pool the admin named, without a collection of its own: the global one, empty.
        let other = p.config.for_pool(Some(("lyncpool01.contoso.com", true)));
        assert_eq!(other.config.home_server.as_ref().map(Vec::len), Some(0));
        let choice = other.choice.unwrap();
        assert_eq!(choice.pool, None);
        assert_eq!(choice.left_out.len(), 1);
        assert!(
            choice.why.contains("the Global collection (line 1)"),
            "{}",
            choice.why
        );
        // A Front End's name from a log may be any pool's member: nothing is decided.
        for pool in [Some(("fe01.contoso.com", false)), None] {
            let unknown = p.config.for_pool(pool);
            assert!(unknown.choice.is_none() && unknown.unknown.is_some());
            assert_eq!(unknown.config.home_server.as_ref().map(Vec::len), Some(1));
        }
    }
}
