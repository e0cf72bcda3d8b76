//! What admin tools print about routes and trusted hosts, read as rules: Lync's
//! `Get-CsStaticRoutingConfiguration` (its collection view and `Select-Object -ExpandProperty
//! Route`), `Get-CsTrustedApplicationPool` and `Get-CsTrustedApplication` (`Format-List`), and
//! OCS 2007 / LCS 2005 WMI exports of `MSFT_SIPRoutingTableData` and `MSFT_SIPRemoteAddressData`
//! (`Get-WmiObject ... | Format-List`, or `wmic ... /format:list`).
//!
//! These are lists of objects: `Name : value` lines (PowerShell pads the names) or `Name=value`
//! lines (wmic), one object per block, blocks separated by blank lines. A value longer than the
//! console is wrapped by `Format-List` onto indented lines below it, cut anywhere (mid-word too),
//! so those lines are joined to it without a space. `Get-WmiObject ... | Format-List *` also
//! prints the WMI system properties (`__CLASS`, `__SERVER`), which say what each object is and
//! which server it came from. Each object is read by the names it carries (see `generations.md` beside the domain notes for the layouts found and
//! the ones not found). A TCP route's exact `TransportChoice` text was not found in any public
//! capture: a transport without `Certificate=` is read as TCP, and the host may be given as
//! `Fqdn=`, `IPAddress=` or `Address=`.

use super::rules::{Collection, HostAuthorization, Route};
use crate::generation::AdminTool;
use crate::sip::Transport;
use std::borrow::Cow;

/// One `Name : value` (or `Name=value`) property line, when the line is one.
pub(super) fn property(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let name_end = line.find(|c: char| c == ':' || c == '=' || c.is_whitespace())?;
    let name = &line[..name_end];
    // Admin tools print PascalCase property names (WMI's system properties with two
    // underscores before them); the rules' own words are lower case, so `route: a -> b` stays
    // a rule with a stray separator.
    if !name
        .trim_start_matches("__")
        .starts_with(|c: char| c.is_ascii_uppercase())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let rest = line[name_end..].trim_start();
    let value = if let Some(v) = rest.strip_prefix(':') {
        // PowerShell: a space before or after the colon ("Name : value", "Name: value").
        if !(line[name_end..].starts_with(' ') || v.is_empty() || v.starts_with(' ')) {
            return None;
        }
        v
    } else if let Some(v) = rest.strip_prefix('=') {
        // wmic /format:list: "Name=value" with nothing between.
        if name_end != line.find('=')? {
            return None;
        }
        v
    } else {
        return None;
    };
    Some((name, value.trim()))
}

/// The rest of a value `Format-List` wrapped: a line indented past the names, when the line is
/// one (the caller knows whether a property line came just before).
pub(super) fn continuation(line: &str) -> Option<&str> {
    let rest = line.trim();
    (line.starts_with(char::is_whitespace) && !rest.is_empty()).then_some(rest)
}

/// A block of property lines, with the line each came from.
pub(super) struct Object<'a> {
    pub props: Vec<(&'a str, Cow<'a, str>, u32)>,
    pub first_line: u32,
    pub last_line: u32,
}

impl<'a> Object<'a> {
    pub(super) fn new(line: u32) -> Self {
        Object {
            props: Vec::new(),
            first_line: line,
            last_line: line,
        }
    }

    pub(super) fn push(&mut self, name: &'a str, value: &'a str, line: u32) {
        // WMI's system properties head the block; a rule row is told by its own first line.
        if !name.starts_with("__") && self.props.iter().all(|(n, _, _)| n.starts_with("__")) {
            self.first_line = line;
        }
        self.props.push((name, Cow::Borrowed(value), line));
        self.last_line = line;
    }

    /// Joins a wrapped line to the last value: `Format-List` cuts where the console ends.
    pub(super) fn continue_value(&mut self, rest: &str, line: u32) {
        if let Some((_, value, _)) = self.props.last_mut() {
            value.to_mut().push_str(rest);
            self.last_line = line;
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v, _)| v.as_ref())
    }

    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The server that printed the object, as WMI names it (`__SERVER`, or PowerShell's
    /// `PSComputerName`), lower case.
    pub(super) fn server(&self) -> Option<String> {
        self.get("__SERVER")
            .or_else(|| self.get("PSComputerName"))
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
    }
}

/// Where a trusted application listens.
pub(super) struct Listening {
    pub fqdn: String,
    pub port: u16,
    pub transport: Transport,
    pub line: u32,
}

/// What an object turned out to be.
pub(super) enum Read {
    Routes(Vec<Route>),
    /// Lync's collection view: the collection (`None` for an identity that is neither
    /// `Global` nor a Registrar pool's) and its routes, listed without their next hop.
    Collection(Option<Collection>, Vec<Route>),
    /// A route that routes no remote call control request: switched off (`Enabled : False`),
    /// or (`true`) matching phone URIs only (`MatchOnlyPhoneUri : True`).
    Disabled(Route, bool),
    Authorized(HostAuthorization),
    /// A trusted application (`Get-CsTrustedApplication`): where the gateway listens (its
    /// pool's FQDN, port and protocol, when shown), not whether it is trusted.
    TrustedApplication(Option<Listening>),
    /// An object the rules know but that lacks what is needed, with what to run instead.
    Incomplete(String),
    /// Not an object the rules know.
    Unknown,
}

fn yes(v: Option<&str>) -> Option<bool> {
    match v?.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// `key=value` pairs of a semicolon list (`TransportChoice=Certificate=...;Fqdn=x;Port=5061`).
fn pairs(v: &str) -> Vec<(String, String)> {
    v.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(';')
        .filter_map(|p| {
            let (k, v) = p.rsplit_once('=')?;
            // "TransportChoice=Certificate=..." keeps the last key before the value.
            let k = k.rsplit('=').next().unwrap_or(k);
            Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect()
}

fn pair<'p>(pairs: &'p [(String, String)], key: &str) -> Option<&'p str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Which tool printed an object, by the property names only it prints.
pub(super) fn tool_of(o: &Object) -> Option<AdminTool> {
    let lync = (o.has("Transport") && o.has("MatchUri") && o.has("MatchOnlyPhoneUri"))
        || (o.has("Identity") && o.has("Route"))
        || o.has("TrustedApplicationPoolFqdn")
        || (o.has("PoolFqdn") && o.has("Registrar"));
    let wmi = o.has("NextHop")
        || o.has("NextHopTransport")
        || (o.has("Server") && o.has("TreatAsAuthenticated"))
        || o.has("__CLASS");
    if lync {
        Some(AdminTool::LyncShell)
    } else if wmi {
        Some(AdminTool::Wmi)
    } else {
        None
    }
}

fn enabled_or_not(o: &Object, route: Route) -> Read {
    if yes(o.get("Enabled")) == Some(false) {
        Read::Disabled(route, false)
    } else if yes(o.get("MatchOnlyPhoneUri")) == Some(true) {
        // New-CsStaticRoute: such a route matches only phone URIs (`user=phone`); the line
        // server URI is a SIP URI.
        Read::Disabled(route, true)
    } else {
        Read::Routes(vec![route])
    }
}

/// Reads one object.
pub(super) fn read(o: &Object) -> Read {
    // Lync static route (Select-Object -ExpandProperty Route).
    if let (Some(transport), Some(m)) = (o.get("Transport"), o.get("MatchUri")) {
        let p = pairs(transport);
        let tls = transport.contains("Certificate=");
        let host = pair(&p, "fqdn")
            .or_else(|| pair(&p, "ipaddress"))
            .or_else(|| pair(&p, "address"))
            .unwrap_or("");
        let t = if tls { Transport::Tls } else { Transport::Tcp };
        let port = pair(&p, "port")
            .and_then(|x| x.parse().ok())
            .unwrap_or(t.default_port());
        return enabled_or_not(
            o,
            Route {
                pattern: m.to_ascii_lowercase(),
                next_hop: host.trim_end_matches('.').to_ascii_lowercase(),
                port,
                transport: t,
                replace_host: yes(o.get("ReplaceHostInRequestUri")).unwrap_or(false),
                line: o.first_line,
                collection: None,
            },
        );
    }
    // Lync collection view: Identity + Route {MatchUri=...;...}: no next hop shown.
    if let (Some(identity), Some(route)) = (o.get("Identity"), o.get("Route")) {
        let identity = identity.trim().to_ascii_lowercase();
        let collection = if identity == "global" {
            Some(Collection {
                pool: None,
                line: o.first_line,
            })
        } else {
            identity
                .strip_prefix("service:registrar:")
                .map(|pool| Collection {
                    pool: Some(pool.trim().trim_end_matches('.').to_string()),
                    line: o.first_line,
                })
        };
        let routes = route
            .split("MatchUri=")
            .skip(1)
            .map(|x| {
                x.split([';', '}', ','])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string()
            })
            .filter(|x| !x.is_empty())
            .map(|m| Route {
                pattern: m.to_ascii_lowercase(),
                next_hop: String::new(),
                port: 0,
                transport: Transport::Tls,
                replace_host: false,
                line: o.first_line,
                collection: collection.as_ref().and_then(|c| c.pool.clone()),
            })
            .collect();
        return Read::Collection(collection, routes);
    }
    // OCS / LCS WMI route (MSFT_SIPRoutingTableData).
    if let (Some(m), Some(hop)) = (o.get("MatchURI"), o.get("NextHop")) {
        let t = o
            .get("NextHopTransport")
            .and_then(Transport::parse)
            .unwrap_or(Transport::Tls);
        return enabled_or_not(
            o,
            Route {
                pattern: m.to_ascii_lowercase(),
                next_hop: hop.trim_end_matches('.').to_ascii_lowercase(),
                port: o
                    .get("NextHopPort")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(t.default_port()),
                transport: t,
                replace_host: yes(o.get("ReplaceHostInRequestURI")).unwrap_or(false),
                line: o.first_line,
                collection: None,
            },
        );
    }
    // Trusted application pool (Lync) or authorized host (WMI MSFT_SIPRemoteAddressData).
    let trust = o.has("TreatAsAuthenticated") || o.has("ThrottleAsServer");
    if trust {
        let host = o
            .get("Server")
            .or_else(|| o.get("PoolFqdn"))
            .or_else(|| o.get("Fqdn"))
            .or_else(|| o.get("Identity"))
            .map(|h| {
                h.rsplit(':')
                    .next()
                    .unwrap_or(h)
                    .trim()
                    .to_ascii_lowercase()
            });
        return match host.filter(|h| !h.is_empty()) {
            Some(host) => Read::Authorized(HostAuthorization {
                host,
                authenticated: yes(o.get("TreatAsAuthenticated")).unwrap_or(false),
                throttle_as_server: yes(o.get("ThrottleAsServer")).unwrap_or(false),
                outbound_only: yes(o.get("OutboundOnly")).unwrap_or(false),
                line: o.first_line,
                port: None,
            }),
            None => Read::Incomplete("this trusted host names no server".into()),
        };
    }
    // A trusted application: its pool is the host, the port the gateway's listening port.
    if o.has("TrustedApplicationPoolFqdn")
        || o.get("Identity")
            .is_some_and(|i| i.contains("urn:application:"))
    {
        let fqdn = o
            .get("TrustedApplicationPoolFqdn")
            .or_else(|| o.get("Identity").and_then(|i| i.split('/').next()));
        let listening = (|| {
            Some(Listening {
                fqdn: fqdn?.trim().trim_end_matches('.').to_ascii_lowercase(),
                port: o.get("Port")?.trim().parse().ok()?,
                transport: Transport::parse(o.get("Protocol")?)?,
                line: o.first_line,
            })
        })();
        return Read::TrustedApplication(listening);
    }
    Read::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Object<'_> {
        let props: Vec<(&str, Cow<str>, u32)> = text
            .lines()
            .enumerate()
            .filter_map(|(i, l)| property(l).map(|(n, v)| (n, Cow::Borrowed(v), i as u32 + 1)))
            .collect();
        Object {
            first_line: 1,
            last_line: props.len() as u32,
            props,
        }
    }

    #[test]
    fn reads_an_expanded_lync_tls_route() {
        let o = object(
            "Transport               : TransportChoice=Certificate=Microsoft.Rtc.Management.WritableConfig.Settings.SipProxy.UseDefaultCert;Fqdn=rccgw.fabrikam.net;Port=5065\nMatchUri                : fabrikam.net\nMatchOnlyPhoneUri       : False\nEnabled                 : True\nReplaceHostInRequestUri : False\n",
        );
        let Read::Routes(r) = read(&o) else {
            panic!("a route")
        };
        assert_eq!(r[0].pattern, "fabrikam.net");
        assert_eq!(r[0].next_hop, "rccgw.fabrikam.net");
        assert_eq!(r[0].port, 5065);
        assert_eq!(r[0].transport, Transport::Tls);
    }

    #[test]
    fn reads_wmi_routes_and_authorized_hosts_in_wmic_form() {
        let o = object("MatchURI=*.northwind.local\nNextHop=10.20.0.5\nNextHopPort=5060\nNextHopTransport=TCP\nEnabled=TRUE\n");
        let Read::Routes(r) = read(&o) else {
            panic!("a route")
        };
        assert_eq!(r[0].transport, Transport::Tcp);
        assert_eq!((r[0].next_hop.as_str(), r[0].port), ("10.20.0.5", 5060));
        let o = object("Server               : mcm.northwind.local\nOutboundOnly         : False\nThrottleAsServer     : True\nTreatAsAuthenticated : True\n");
        let Read::Authorized(h) = read(&o) else {
            panic!("a host")
        };
        assert!(h.authenticated && h.throttle_as_server && !h.outbound_only);
    }

    #[test]
    fn the_collection_view_gives_routes_without_a_next_hop() {
        let o = object("Identity : Global\nRoute    : {MatchUri=fabrikam.net;MatchOnlyPhoneUri=False;Enabled=True;ReplaceHostInRequestUri=False}\n");
        let Read::Collection(Some(c), r) = read(&o) else {
            panic!("a collection")
        };
        assert_eq!(c.pool, None);
        assert_eq!(r[0].pattern, "fabrikam.net");
        assert!(r[0].next_hop.is_empty());
        let o = object("Identity : Service:Registrar:LyncPool02.contoso.com\nRoute    : {}\n");
        let Read::Collection(Some(c), r) = read(&o) else {
            panic!("a collection")
        };
        assert_eq!(c.pool.as_deref(), Some("lyncpool02.contoso.com"));
        assert!(r.is_empty());
    }
}
