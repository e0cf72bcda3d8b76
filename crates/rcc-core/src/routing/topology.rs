//! Who is who: the gateway profile's participants with the names, addresses and listening
//! transport/port the admin entered (`[servers]`) or the logs show.

use super::rules::Host;
use crate::evidence::Evidence;
use crate::extract;
use crate::fxhash::FxMap;
use crate::ingest::text::find_ci;
use crate::profile::{Participant, Profile, Role};
use crate::sip::{Direction, SipMessage, Transport};
use crate::uri::{self, NameAddr};
use serde::{Deserialize, Serialize};

/// Who is who.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    pub hosts: Vec<Host>,
}

/// The evidence field of a name taken from the line server URI's host: a guess (a Nortel line
/// server URI names a domain the Home Server routes to the Application Proxy, not always the
/// proxy's own name), which anything the admin wrote about that server replaces.
const LINE_SERVER_HOST: &str = "line server URI host";

/// Places kept as a host's evidence. A few show who it is; a busy log names the same host in
/// thousands of messages, and keeping (and comparing) them all made reading it quadratic.
const HOST_EVIDENCE_KEPT: usize = 8;

impl Topology {
    /// The entered `[servers]` rows as a topology.
    pub fn entered(servers: &[Host]) -> Topology {
        Topology {
            hosts: servers.to_vec(),
        }
    }

    /// What is known of a participant.
    pub fn entry(&self, participant: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.participant == participant)
    }

    /// FQDN of a profile participant, if known.
    pub fn fqdn(&self, participant: &str) -> Option<String> {
        self.entry(participant)?.fqdn.clone()
    }

    /// Which profile participant a host name or IP (optionally with `:port`, or a SIP URI) is.
    pub fn who_is(&self, host: &str) -> Option<String> {
        let host = uri::host_key(host)?;
        self.hosts
            .iter()
            .find(|h| h.fqdn.as_deref() == Some(host.as_str()) || h.ips.contains(&host))
            .map(|h| h.participant.clone())
    }

    /// Drops a participant's name where it rests only on the line server URI's host, so that
    /// a route the admin wrote names it instead.
    pub fn forget_guessed_name(&mut self, participant: &str) {
        let guessed =
            |e: &Evidence| matches!(e, Evidence::Input { field, .. } if field == LINE_SERVER_HOST);
        if let Some(h) = self.hosts.iter_mut().find(|h| h.participant == participant) {
            if !h.entered && h.ips.is_empty() && h.evidence.iter().all(guessed) {
                h.fqdn = None;
                h.evidence.clear();
            }
        }
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
                    if h.port.is_none() && h.transport.is_none() {
                        h.port = o.port;
                        h.transport = o.transport;
                    }
                    h.entered |= o.entered;
                    for e in &o.evidence {
                        if h.evidence.len() >= HOST_EVIDENCE_KEPT {
                            break;
                        }
                        if !h.evidence.contains(e) {
                            h.evidence.push(e.clone());
                        }
                    }
                }
                None => self.hosts.push(o.clone()),
            }
        }
    }

    /// Set (or add) a participant's FQDN, IP or listening point when not already known.
    pub fn learn(&mut self, participant: &str, learned: Learned, evidence: Evidence) {
        self.learn_with(participant, learned, || evidence);
    }

    /// As [`Topology::learn`], building the evidence only when the host keeps it (it keeps
    /// [`HOST_EVIDENCE_KEPT`] places; a log names its servers in nearly every message).
    pub fn learn_with(
        &mut self,
        participant: &str,
        learned: Learned,
        evidence: impl FnOnce() -> Evidence,
    ) {
        let open = self.open(participant);
        let teaches_host = learned.host.as_deref().is_some_and(|h| {
            if uri::is_ip(h) {
                !self.knows_ip(participant, h)
            } else {
                open.name
            }
        });
        let teaches_point = learned.port.is_some() || learned.transport.is_some();
        if !(open.evidence || teaches_host || open.listening_point && teaches_point) {
            return;
        }
        let kept_all = self
            .entry(participant)
            .is_some_and(|h| h.evidence.len() >= HOST_EVIDENCE_KEPT);
        let evidence = if kept_all { vec![] } else { vec![evidence()] };
        let (fqdn, ip) = match learned.host {
            Some(h) if uri::is_ip(&h) => (None, Some(h)),
            Some(h) => (Some(h), None),
            None => (None, None),
        };
        let add = Topology {
            hosts: vec![Host {
                participant: participant.to_string(),
                fqdn,
                ips: ip.into_iter().collect(),
                port: learned.port,
                transport: learned.transport,
                evidence,
                entered: false,
            }],
        };
        self.merge(&add);
    }

    /// [`Topology::learn_with`] of a host as a message writes it, with its port and its
    /// transport (read only when needed). A log names its servers in thousands of messages, and
    /// most teach nothing new: they are answered before the host is lower-cased into a
    /// [`Learned`], which nearly every message used to allocate and drop.
    fn learn_host_with(
        &mut self,
        participant: &str,
        host: &str,
        port: Option<u16>,
        transport: impl FnOnce() -> Option<Transport>,
        evidence: impl FnOnce() -> Evidence,
    ) -> Taught {
        let open = self.open(participant);
        // As `learn_with` judges the host, but on the host as written: an address in another
        // letter case than the one known (IPv6 only) is left to `learn_with` to judge.
        let may_teach_host = if uri::is_ip(host) {
            host.bytes().any(|b| b.is_ascii_uppercase()) || !self.knows_ip(participant, host)
        } else {
            open.name
        };
        // `learn_with` goes on only for what these allow (a listening point whatever its port
        // and transport).
        if !(open.evidence || may_teach_host || open.listening_point) {
            return Taught::Nothing;
        }
        let learned = Learned {
            host: Some(host.to_ascii_lowercase()),
            port,
            transport: transport(),
        };
        self.learn_with(participant, learned, evidence);
        Taught::Maybe
    }

    /// What of a participant's entry [`Topology::open`] and [`Topology::knows_ip`] read:
    /// [`Topology::merge`] only adds, so an equal state is an unchanged entry.
    fn entry_state(&self, participant: &str) -> EntryState {
        self.entry(participant).map(|h| {
            (
                h.evidence.len(),
                h.ips.len(),
                h.fqdn.is_some(),
                h.port.is_some() || h.transport.is_some(),
            )
        })
    }

    /// Whether `ip` (as written, compared exactly) is among the participant's addresses.
    fn knows_ip(&self, participant: &str, ip: &str) -> bool {
        self.entry(participant)
            .is_some_and(|e| e.ips.iter().any(|known| known == ip))
    }

    /// What a message can still teach of a participant besides a new IP address:
    /// [`Topology::merge`] never replaces a known name or listening point, and keeps
    /// [`HOST_EVIDENCE_KEPT`] places. A log names its servers in nearly every message; reading
    /// what they can no longer add (a Contact, the ms-diagnostics) was most of inferring the
    /// topology.
    fn open(&self, participant: &str) -> Open {
        match self.entry(participant) {
            Some(h) if h.evidence.len() >= HOST_EVIDENCE_KEPT => Open {
                name: h.fqdn.is_none(),
                listening_point: h.port.is_none() && h.transport.is_none(),
                evidence: false,
            },
            _ => Open {
                name: true,
                listening_point: true,
                evidence: true,
            },
        }
    }

    /// Who is who from the logs (only the messages given: the caller passes the ones that
    /// matter for remote call control). The client's peer is its Home Server; a Server or
    /// User-Agent string matching a participant's product hints names it, with the host and
    /// listening point its Contact, Record-Route or Via shows; ms-diagnostics sources name the
    /// server that answered; the line server URI's host is the participant that hosts it.
    pub fn infer<'m>(
        profile: &Profile,
        messages: impl IntoIterator<Item = &'m SipMessage>,
        line_server_host: Option<&str>,
    ) -> Topology {
        let mut t = Topology::default();
        let hs = profile.home_server().map(str::to_string);
        let target = profile.line_server_host().map(|p| p.id.clone());
        if let (Some(target), Some(lsh)) = (&target, line_server_host) {
            if !uri::is_ip(lsh) {
                t.learn(
                    target,
                    Learned::host(lsh),
                    Evidence::Input {
                        field: LINE_SERVER_HOST.into(),
                        value: lsh.into(),
                    },
                );
            }
        }
        let mut products = Products::new(profile);
        let client = products.participant("client");
        let others: Vec<(&Participant, ParticipantAt)> = profile
            .participants
            .iter()
            .filter(|p| p.role != Role::Client)
            .map(|p| (p, products.participant(&p.id)))
            .collect();
        // The client sends to one peer again and again: once that peer taught the Home Server
        // nothing, it teaches nothing until the Home Server's entry changes.
        let mut quiet_peer: Option<(&str, EntryState)> = None;
        let mut record_routed: Option<(String, &SipMessage)> = None;
        for m in messages {
            let named = products.named_by(m);
            // Client traces: the client only talks to its Home Server. A server's log sends
            // the client's requests on too (its own Via on top): that peer is the next hop.
            let from_client = named.names(client);
            if let (Some(hs), Some(peer), true) = (&hs, m.peer(), from_client) {
                if m.direction == Some(Direction::Sent) && m.is_request() {
                    let state = t.entry_state(hs);
                    if quiet_peer != Some((peer, state)) && extract::top_via_view(m).1 == 1 {
                        let (host, port) = uri::split_host_port(peer);
                        let taught = t.learn_host_with(
                            hs,
                            host,
                            port,
                            || top_via_transport(m),
                            || m.evidence(),
                        );
                        quiet_peer = (taught == Taught::Nothing).then_some((peer, state));
                    }
                }
            }
            // The client authenticates to its Home Server (or pool) by name.
            if let (Some(hs), true) = (&hs, from_client) {
                // A name only: nothing to learn once the Home Server's is known and kept.
                let open = t.open(hs);
                if let Some(name) = Some(m)
                    .filter(|_| open.name || open.evidence)
                    .and_then(extract::auth_target)
                {
                    t.learn_with(hs, Learned::host(&name), || m.evidence());
                }
            }
            // Each proxy puts its Record-Route on top (RFC 3261 16.6), so in a dialog the
            // client opened the last entry is the proxy nearest the client, its Home Server:
            // in the client's trace and in the server's log alike. That names one Front End,
            // not its pool, so it counts only where nothing else names the Home Server.
            if record_routed.is_none() && (from_client || m.status().is_some()) {
                record_routed = extract::record_route(m)
                    .pop()
                    .filter(|h| !uri::is_ip(h))
                    .map(|h| (h, m));
            }
            for &(p, at) in &others {
                if !named.names(at) {
                    continue;
                }
                if m.status().is_some() {
                    let open = t.open(&p.id);
                    // A response names its sender through its Contact (a UA such as a gateway;
                    // not a REGISTER's answer, whose Contact is the client's) and, for Microsoft
                    // servers, the ms-diagnostics source: host names only (and the Contact a
                    // listening point), so neither is read once those are known and kept.
                    let contact_teaches = open.evidence || open.name || open.listening_point;
                    let register = || {
                        m.cseq()
                            .is_some_and(|c| c.1.eq_ignore_ascii_case("REGISTER"))
                    };
                    if let Some(c) = Some(m)
                        .filter(|_| contact_teaches && !register())
                        .and_then(|m| m.header("Contact"))
                        .and_then(|c| NameAddr::parse(c).view())
                    {
                        if !uri::is_ip(c.host) {
                            t.learn_with(&p.id, Learned::of_uri(&c), || m.evidence());
                        }
                    }
                    let diagnostics = if open.evidence || open.name {
                        extract::ms_diagnostics(m)
                    } else {
                        Vec::new()
                    };
                    for d in diagnostics {
                        if let Some(src) = d.source.as_deref().and_then(uri::host_key) {
                            if !uri::is_ip(&src) {
                                t.learn_with(&p.id, Learned::host(&src), || m.evidence());
                            }
                        }
                    }
                } else if let Some(v) = extract::bottom_via_view(m) {
                    // A request names its maker (the UA its User-Agent names) in its bottom Via:
                    // the top one is the last proxy's.
                    let (host, port) = uri::split_host_port(v.sent_by);
                    if p.role != Role::HomeServer || !uri::is_ip(host) {
                        let transport = || Transport::parse(v.transport);
                        t.learn_host_with(&p.id, host, port, transport, || m.evidence());
                    }
                }
            }
        }
        if let (Some(hs), Some((name, m))) = (&hs, record_routed) {
            if t.entry(hs).is_none_or(|h| h.fqdn.is_none()) {
                t.learn(hs, Learned::host(&name), m.evidence());
            }
        }
        t
    }
}

/// Whether [`Topology::learn_host_with`] stopped before reading the message: what the
/// participant's entry holds already covers the host (the same host, with the entry unchanged,
/// stops there again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taught {
    Nothing,
    Maybe,
}

/// [`Topology::entry_state`]: evidence kept, addresses, whether a name and a listening point
/// are known; `None` for a participant not known yet.
type EntryState = Option<(usize, usize, bool, bool)>;

/// What [`Topology::open`] says a message can still teach of a participant.
#[derive(Debug, Clone, Copy)]
struct Open {
    name: bool,
    listening_point: bool,
    /// Its evidence is not full yet (any message that names it is kept).
    evidence: bool,
}

/// What a message shows of a participant's address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Learned {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub transport: Option<Transport>,
}

impl Learned {
    pub fn host(h: &str) -> Learned {
        Learned {
            host: uri::host_key(h),
            ..Learned::default()
        }
    }

    /// The host, port and transport a SIP URI names (`<sip:gw:5065;transport=tcp>`).
    pub fn of_uri(v: &uri::UriView) -> Learned {
        Learned {
            host: Some(v.host_key()),
            port: v.port,
            transport: v.param("transport").and_then(Transport::parse),
        }
    }
}

fn top_via_transport(m: &SipMessage) -> Option<Transport> {
    extract::top_via_view(m)
        .0
        .and_then(|v| Transport::parse(v.transport))
}

/// Which participants products name, each distinct product string matched against the hints
/// once: a log names the same few products in nearly every message, and matching every
/// participant's hints on every message was most of resolving the case.
struct Products<'p, 'm> {
    profile: &'p Profile,
    /// For each product string, the participants (by index) whose hints it contains.
    named: FxMap<&'m str, u64>,
}

/// A participant as [`Products`] knows it: the index of the first with its id, as
/// [`Profile::participant`] finds it; `None` for an id the profile lacks.
type ParticipantAt = Option<usize>;

/// The participants one message's products name.
struct Named<'p, 'm> {
    profile: &'p Profile,
    message: &'m SipMessage,
    /// Set for each participant (by index) a product names (unused for a profile with more
    /// participants than bits: [`product_is`] decides there).
    mask: u64,
}

impl<'p, 'm> Products<'p, 'm> {
    fn new(profile: &'p Profile) -> Self {
        Products {
            profile,
            named: FxMap::default(),
        }
    }

    fn participant(&self, id: &str) -> ParticipantAt {
        self.profile.participants.iter().position(|p| p.id == id)
    }

    fn named_by(&mut self, m: &'m SipMessage) -> Named<'p, 'm> {
        let mut mask = 0;
        if self.profile.participants.len() <= u64::BITS as usize {
            let participants = &self.profile.participants;
            for (_, product) in m.headers_among(&extract::PRODUCT_HEADERS) {
                mask |= *self.named.entry(product).or_insert_with(|| {
                    participants
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| hint_match(&p.product_hints, product))
                        .fold(0, |bits, (i, _)| bits | 1 << i)
                });
            }
        }
        Named {
            profile: self.profile,
            message: m,
            mask,
        }
    }
}

impl Named<'_, '_> {
    /// [`product_is`] of this message.
    fn names(&self, participant: ParticipantAt) -> bool {
        let Some(i) = participant else {
            return false;
        };
        if self.profile.participants.len() > u64::BITS as usize {
            return product_is(self.profile, &self.profile.participants[i].id, self.message);
        }
        self.mask & 1 << i != 0
    }
}

/// Whether the message's Server / User-Agent names this participant (its product hints).
pub fn product_is(profile: &Profile, participant: &str, m: &SipMessage) -> bool {
    let Some(p) = profile.participant(participant) else {
        return false;
    };
    if p.product_hints.is_empty() {
        return false;
    }
    m.headers_among(&extract::PRODUCT_HEADERS)
        .any(|(_, product)| hint_match(&p.product_hints, product))
}

/// Whether the client itself sent this request (its product string names Communicator or
/// Lync), not a tool such as SIPp sending on the user's behalf. The one decider of both the
/// case's client tool and each CSTA attempt's `by_client`.
pub fn sent_by_client(profile: &Profile, m: &SipMessage) -> bool {
    profile
        .client()
        .is_some_and(|client| product_is(profile, client, m))
}

/// The participant (not the client) a product string names.
pub fn participant_of_product(profile: &Profile, product: &str) -> Option<String> {
    profile
        .participants
        .iter()
        .filter(|x| x.role != Role::Client)
        .find(|x| hint_match(&x.product_hints, product))
        .map(|x| x.id.clone())
}

/// The gateway the logs name: a product string on the remote call control dialogs that one
/// gateway profile's own participants claim (not the client's or the Home Server's, which every
/// profile shares), or, failing that, the product that answered a CSTA INVITE 2xx when no
/// profile knows it (the generic gateway).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySeen {
    /// The profile's id.
    pub profile: String,
    /// The `Server` or `User-Agent` value that names it.
    pub product: String,
    pub evidence: Evidence,
}

/// [`GatewaySeen`] from the messages of the CSTA calls (`calls`: indexes into `messages`).
/// `None` when nothing names a gateway, or two profiles' products appear (say nothing rather
/// than pick one).
pub fn gateway_in_logs<'m>(
    profiles: &[Profile],
    messages: &'m [SipMessage],
    calls: impl IntoIterator<Item = &'m [usize]>,
) -> Option<GatewaySeen> {
    let shared = |product: &str| {
        profiles.iter().any(|p| {
            p.participants.iter().any(|x| {
                matches!(x.role, Role::Client | Role::HomeServer)
                    && hint_match(&x.product_hints, product)
            })
        })
    };
    let mut named: Option<GatewaySeen> = None;
    let mut unknown_answer: Option<GatewaySeen> = None;
    for m in calls.into_iter().flatten().filter_map(|&i| messages.get(i)) {
        for (_, product) in m.headers_among(&extract::PRODUCT_HEADERS) {
            if shared(product) {
                continue;
            }
            let owners = profiles.iter().filter(|p| {
                p.id != GENERIC_PROFILE
                    && p.participants.iter().any(|x| {
                        !matches!(x.role, Role::Client | Role::HomeServer)
                            && hint_match(&x.product_hints, product)
                    })
            });
            let mut owner = None;
            for p in owners {
                if owner.is_some() {
                    return None;
                }
                owner = Some(p);
            }
            match (owner, &named) {
                (Some(p), Some(seen)) if seen.profile != p.id => return None,
                (Some(p), None) => {
                    named = Some(GatewaySeen {
                        profile: p.id.clone(),
                        product: product.trim().to_string(),
                        evidence: m.evidence(),
                    })
                }
                (None, _) if unknown_answer.is_none() && answers_csta_invite(m) => {
                    unknown_answer = Some(GatewaySeen {
                        profile: GENERIC_PROFILE.to_string(),
                        product: product.trim().to_string(),
                        evidence: m.evidence(),
                    })
                }
                _ => {}
            }
        }
    }
    named.or(unknown_answer)
}

/// The profile for a gateway no shipped profile names.
pub const GENERIC_PROFILE: &str = "generic";

/// A 2xx answer to an INVITE (on a CSTA call: the gateway's acceptance of the session).
fn answers_csta_invite(m: &SipMessage) -> bool {
    m.status().is_some_and(|s| (200..300).contains(&s))
        && m.cseq()
            .is_some_and(|(_, method)| method.eq_ignore_ascii_case("INVITE"))
}

/// Whether the product string contains one of the hints, in any letter case (compared in
/// place: this runs for every participant on every message the topology is inferred from).
fn hint_match(hints: &[String], product: &str) -> bool {
    hints
        .iter()
        .any(|h| find_ci(product.as_bytes(), h.as_bytes()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gateway's request that reached the client through its Home Server carries the Home
    /// Server's Via on top of the gateway's own: the gateway is where its bottom Via says, never
    /// the Home Server's address (a working Lync case was judged a transport mismatch from it).
    #[test]
    fn a_request_names_its_maker_in_its_bottom_via() {
        let log = "INFO sip:alice@contoso.com;gruu SIP/2.0\r\n\
Via: SIP/2.0/TLS 10.140.2.15:5061;branch=z9hG4bK7a43\r\n\
Via: SIP/2.0/TLS 10.140.9.30:5065;branch=z9hG4bKcd47;received=10.140.9.30\r\n\
From: <sip:rcc@gw.contoso.com>;tag=f0\r\nTo: <sip:alice@contoso.com>;tag=13\r\n\
Call-ID: 26a8\r\nCSeq: 1 INFO\r\nUser-Agent: Kestrel-CSTA-Gateway/5.1.3\r\n\
Content-Length: 0\r\n\r\n";
        let files = vec![crate::ingest::OwnedInput {
            name: "trace".into(),
            bytes: log.as_bytes().to_vec().into(),
        }];
        let read = crate::ingest::ingest_owned(
            files,
            &crate::ingest::IngestOptions::default(),
            &mut |_| {},
        );
        let profile = crate::profile::profile("generic").unwrap();
        let t = Topology::infer(&profile, &read.messages, None);
        let gateway = t
            .entry("gateway")
            .expect("the gateway is named by its User-Agent");
        assert_eq!(gateway.ips, ["10.140.9.30"]);
        assert_eq!(gateway.port, Some(5065));
        assert!(t.who_is("10.140.2.15").is_none());
    }

    /// `learn_host_with` answers before lower-casing only where `learn_with` would learn
    /// nothing: both topologies stay equal through host names, addresses in either letter case
    /// (bracketed or not), repeats past the kept evidence, and a listening point and addresses
    /// first seen once nothing else can be learned (one address entered by the admin in upper
    /// case).
    #[test]
    fn learning_a_host_as_written_learns_what_learning_it_lower_cased_does() {
        let hosts = [
            ("gw.contoso.com", None, None),
            ("GW.Contoso.com", None, None),
            ("10.0.0.7", None, None),
            ("10.0.0.8", None, None),
            ("fe80::1", None, None),
            ("FE80::1", None, None),
            ("[FE80::2]", None, None),
            ("[fe80::2]", None, None),
            ("Other.Contoso.COM", None, None),
        ];
        let late = [
            ("GW.Contoso.com", None, Some(Transport::Tls)),
            ("10.0.0.7", Some(5061), Some(Transport::Tcp)),
            ("10.0.0.9", None, None),
            ("[FE80::3]", None, None),
            ("FE80::9", None, None),
            ("fe80::9", None, None),
        ];
        // Each host again and again (past HOST_EVIDENCE_KEPT, once the name and the listening
        // point are known), then new addresses.
        let steps = hosts.iter().cycle().take(hosts.len() * 3).chain(&late);
        let entered = [Host {
            participant: "gw".into(),
            fqdn: None,
            ips: vec!["FE80::9".into()],
            port: None,
            transport: None,
            evidence: Vec::new(),
            entered: true,
        }];
        let mut written = Topology::entered(&entered);
        let mut lowered = written.clone();
        for (k, &(host, port, transport)) in steps.enumerate() {
            let evidence = || Evidence::Input {
                field: "step".into(),
                value: k.to_string(),
            };
            written.learn_host_with("gw", host, port, || transport, evidence);
            let learned = Learned {
                host: Some(host.to_ascii_lowercase()),
                port,
                transport,
            };
            lowered.learn_with("gw", learned, evidence);
            assert_eq!(written, lowered, "after step {k} ({host})");
        }
        // The late listening point and addresses came when only they could still be learned.
        let gw = lowered.entry("gw").expect("the gateway is known");
        assert_eq!(gw.evidence.len(), HOST_EVIDENCE_KEPT);
        assert_eq!((gw.port, gw.transport), (None, Some(Transport::Tls)));
        for ip in ["10.0.0.9", "[fe80::3]", "fe80::9"] {
            assert!(gw.ips.iter().any(|x| x == ip), "{ip} in {:?}", gw.ips);
        }
    }
}
