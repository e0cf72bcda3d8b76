//! The ladder (message sequence) view of the logs: one column per host, one row per message.
//!
//! Columns are hosts merged by their aliases: a machine shows up in logs as an IP with several
//! ports, an FQDN in a Via sent-by or Record-Route, a `Contact` address, the `Peer`/local address
//! of a log record, or simply "whoever wrote this log". A union-find over those aliases makes one
//! column per machine, labelled with its nicest name and, where a profile participant's product
//! hint matches what the host says about itself (`User-Agent`/`Server`), the participant label.
//!
//! Rows are the messages in time order with the delay since the previous one, the sending and
//! receiving column, a verdict (OK, error response, the diagnosis' failing leg, repaired or
//! partly parsed) and the dialog (Call-ID). Filters select one dialog, one method, or "RCC only".
//! [`window`] gives the rows a virtual scroller must render; [`to_mermaid`] exports the ladder as
//! Mermaid `sequenceDiagram` text.

use crate::diagnosis::{Diagnosis, LegState};
use crate::evidence::Evidence;
use crate::extract;
use crate::profile::Profile;
use crate::routing::Topology;
use crate::sip::{Direction, ParseQuality, SipMessage};
use serde::{Deserialize, Serialize};
// FxHash: the ladder hashes a few short keys per message, and SipHash showed in profiles.
type HashMap<K, V> = crate::fxhash::FxMap<K, V>;
type HashSet<K> = crate::fxhash::FxSet<K>;
use std::ops::Range;

/// One host column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Participant label when recognised, else the host name.
    pub label: String,
    /// Nicest host name (FQDN over IP), empty when only "the writer of a log" is known.
    pub host: String,
    /// Every alias merged into this column (hosts, `host:port`, `log:<file>`).
    pub aliases: Vec<String>,
    /// Profile participant id, when recognised.
    pub participant: Option<String>,
}

/// How a row is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    /// A final response ≥ 400.
    ErrorResponse,
    /// The message is evidence of the diagnosis' failing (or missing-route) leg.
    FailingLeg,
    /// Parsed after the lenient front end repaired it.
    Repaired,
    /// Only partly parsed.
    Partial,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::ErrorResponse => "error-response",
            Verdict::FailingLeg => "failing-leg",
            Verdict::Repaired => "repaired",
            Verdict::Partial => "partial",
        }
    }
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Index into the messages the ladder was built from.
    pub message: usize,
    /// Timestamp as written.
    pub time: String,
    pub millis: Option<i64>,
    /// Milliseconds since the previous message with a time.
    pub delta_ms: Option<i64>,
    /// Column indexes; `None` when the log does not say.
    pub from: Option<usize>,
    pub to: Option<usize>,
    /// `INVITE sip:rcc@mcm.contoso.com` or `404 Not Found (INVITE)`.
    pub label: String,
    /// Request method, or the CSeq method of a response (for the method filter).
    pub method: String,
    pub status: Option<u16>,
    pub verdict: Verdict,
    pub call_id: Option<String>,
    /// Part of remote call control (CSTA dialog or provisioning subscription).
    pub rcc: bool,
}

/// One Call-ID for the dialog filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogSummary {
    pub call_id: String,
    /// First request of the dialog, e.g. `INVITE sip:rcc@mcm.contoso.com`.
    pub label: String,
    pub rows: usize,
    pub rcc: bool,
}

/// The whole ladder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladder {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Call-IDs in order of first appearance.
    pub dialogs: Vec<DialogSummary>,
    /// Methods present, sorted.
    pub methods: Vec<String>,
}

/// Which rows to show. Every field set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderFilter {
    pub call_id: Option<String>,
    pub method: Option<String>,
    pub rcc_only: bool,
}

impl Ladder {
    /// Indexes of the rows passing `filter`, in order.
    pub fn filtered(&self, filter: &LadderFilter) -> Vec<usize> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                (!filter.rcc_only || r.rcc)
                    && filter
                        .call_id
                        .as_ref()
                        .is_none_or(|c| r.call_id.as_ref() == Some(c))
                    && filter
                        .method
                        .as_ref()
                        .is_none_or(|m| r.method.eq_ignore_ascii_case(m))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Index of the first row of the diagnosis' failing leg.
    pub fn first_failing(&self) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.verdict == Verdict::FailingLeg)
    }
}

/// The rows a virtual scroller renders: the visible ones plus `overscan` on each side.
pub fn window(
    rows: usize,
    row_height: f64,
    scroll_top: f64,
    viewport: f64,
    overscan: usize,
) -> Range<usize> {
    if rows == 0 || row_height <= 0.0 || !row_height.is_finite() {
        return 0..0;
    }
    let top = if scroll_top.is_finite() {
        scroll_top.max(0.0)
    } else {
        0.0
    };
    let view = if viewport.is_finite() {
        viewport.max(0.0)
    } else {
        0.0
    };
    let first = ((top / row_height).floor() as usize).min(rows);
    let last = (((top + view) / row_height).ceil() as usize).min(rows);
    let start = first.saturating_sub(overscan).min(rows.saturating_sub(1));
    let end = last.saturating_add(overscan).min(rows).max(start + 1);
    start..end
}

/// Header names the raw-message view highlights.
pub fn is_key_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "call-id" | "cseq" | "via" | "content-type" | "from" | "to"
    ) || n.starts_with("ms-diagnostics")
        || n == "ms-client-diagnostics"
}

// --- union-find over host aliases ------------------------------------------------------------

#[derive(Default)]
struct Aliases {
    index: HashMap<String, usize>,
    names: Vec<String>,
    parent: Vec<usize>,
    /// How often each alias was seen (for the nicest name).
    seen: Vec<u32>,
}

impl Aliases {
    fn id(&mut self, alias: &str) -> usize {
        if let Some(&i) = self.index.get(alias) {
            self.seen[i] += 1;
            return i;
        }
        let i = self.names.len();
        self.index.insert(alias.to_string(), i);
        self.names.push(alias.to_string());
        self.parent.push(i);
        self.seen.push(1);
        i
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // Keep the older alias as root so column order follows first appearance.
            let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[child] = root;
        }
    }
}

/// Host part of `host[:port]`, `[v6]:port` or a SIP URI, lower case; `None` for empty.
fn host_key(s: &str) -> Option<String> {
    crate::uri::host_key(s)
}

fn is_ip(h: &str) -> bool {
    crate::uri::is_ip(h)
}

fn is_fqdn(h: &str) -> bool {
    crate::uri::is_fqdn(h)
}

/// The first host of a `Route`/`Record-Route` value list.
fn route_hosts(m: &SipMessage, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for v in m.headers_named(name) {
        for part in v.split(',') {
            if let Some(h) = crate::uri::host_of_header(part) {
                out.push(h);
            }
        }
    }
    out
}

fn contact_host(m: &SipMessage) -> Option<String> {
    crate::uri::host_of_header(m.header("Contact")?)
}

fn strip_uri_params(uri: &str) -> String {
    uri.trim()
        .trim_matches(|c| c == '<' || c == '>')
        .split([';', '?'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn evidence_lines(diagnosis: &Diagnosis) -> Vec<(String, u32)> {
    diagnosis
        .flow
        .iter()
        .filter(|l| matches!(l.state, LegState::Failing | LegState::MissingRoute))
        .flat_map(|l| l.evidence.iter())
        .filter_map(|e| match e {
            Evidence::Log {
                file, line_start, ..
            } => Some((file.clone(), *line_start)),
            _ => None,
        })
        .collect()
}

/// A transaction: Call-ID, CSeq number and method, top Via branch.
type TxKey = (String, u32, String, String);
/// Sender and receiver alias of a message.
type Ends = (Option<usize>, Option<usize>);

/// Build the ladder. `profile` labels columns with participants; `diagnosis` marks the rows
/// that are evidence of its failing leg.
pub fn build(
    messages: &[SipMessage],
    profile: Option<&Profile>,
    diagnosis: Option<&Diagnosis>,
) -> Ladder {
    build_with_topology(messages, profile, diagnosis, None)
}

/// As [`build`], also recognising participants by the FQDNs and IPs a topology knows (the
/// `[servers]` section of the routing rules, or what the analysis inferred).
pub fn build_with_topology(
    messages: &[SipMessage],
    profile: Option<&Profile>,
    diagnosis: Option<&Diagnosis>,
    topology: Option<&Topology>,
) -> Ladder {
    let mut al = Aliases::default();
    // Per message: (from alias id, to alias id).
    let mut ends: Vec<Ends> = Vec::with_capacity(messages.len());
    // Request endpoints by transaction, for responses that do not say where they came from.
    let mut requests: HashMap<TxKey, Ends> = HashMap::default();
    // Product strings each alias said about itself.
    let mut products: Vec<(usize, String)> = Vec::new();
    let mut line_servers: HashSet<String> = HashSet::default();

    for m in messages {
        if let Some(p) = extract::provisioning(m) {
            if let Some(s) = p.line_server_uri {
                line_servers.insert(strip_uri_params(&s));
            }
        }
    }

    // "Whoever wrote this log", one alias per file (made once per file, not per message).
    let mut writers: Vec<(std::sync::Arc<str>, String)> = Vec::new();
    for m in messages {
        let (top_via, via_count) = extract::top_via(m);
        let top_via = top_via.as_ref();
        let is_request = m.method().is_some();
        let w = match writers
            .iter()
            .position(|(f, _)| std::sync::Arc::ptr_eq(f, &m.source.file) || **f == *m.source.file)
        {
            Some(w) => w,
            None => {
                writers.push((m.source.file.clone(), format!("log:{}", m.source.file)));
                writers.len() - 1
            }
        };
        let writer = writers[w].1.as_str();
        let local = m.local().and_then(host_key);
        let peer = m.peer().and_then(host_key);
        let branch_key = {
            let (n, meth) = m.cseq().unwrap_or((0, ""));
            let branch = m
                .header("Via")
                .and_then(|v| {
                    v.split(';').find_map(|p| {
                        let (k, val) = p.split_once('=')?;
                        k.trim()
                            .eq_ignore_ascii_case("branch")
                            .then(|| val.trim().split(',').next().unwrap_or("").to_string())
                    })
                })
                .unwrap_or_else(|| top_via.map(|v| v.sent_by.clone()).unwrap_or_default());
            (
                m.call_id().unwrap_or("").to_string(),
                n,
                meth.to_ascii_uppercase(),
                branch,
            )
        };
        // Where the message was sent by whom, as far as the log says.
        let (from, to) = match m.direction {
            Some(dir) => {
                let me = al.id(writer);
                if let Some(l) = &local {
                    let l = al.id(l);
                    al.union(me, l);
                }
                let other = peer.as_ref().map(|p| al.id(p));
                match dir {
                    Direction::Sent => {
                        let other = other.or_else(|| {
                            if is_request {
                                route_hosts(m, "Route")
                                    .first()
                                    .cloned()
                                    .or_else(|| {
                                        m.request_uri().and_then(crate::uri::host_of_header)
                                    })
                                    .map(|h| al.id(&h))
                            } else {
                                requests
                                    .get(&branch_key)
                                    .and_then(|r| r.0)
                                    .or_else(|| top_via.map(|v| al.id(&v.host)))
                            }
                        });
                        (Some(me), other)
                    }
                    Direction::Received => {
                        let other = other.or_else(|| {
                            if is_request {
                                top_via.map(|v| al.id(&v.host))
                            } else {
                                requests.get(&branch_key).and_then(|r| r.1)
                            }
                        });
                        (other, Some(me))
                    }
                }
            }
            None => {
                if is_request {
                    let from = top_via.map(|v| al.id(&v.host));
                    let to = route_hosts(m, "Route")
                        .first()
                        .cloned()
                        .or_else(|| m.request_uri().and_then(crate::uri::host_of_header))
                        .map(|h| al.id(&h));
                    (from, to)
                } else {
                    match requests.get(&branch_key) {
                        Some(&(f, t)) => (t, f),
                        None => {
                            let from = extract::ms_diagnostics(m)
                                .into_iter()
                                .find_map(|d| d.source)
                                .and_then(|s| host_key(&s))
                                .or_else(|| contact_host(m))
                                .map(|h| al.id(&h));
                            (from, top_via.map(|v| al.id(&v.host)))
                        }
                    }
                }
            }
        };
        // Aliases that name the same machine.
        if is_request {
            if let (Some(f), Some(v)) = (from, top_via) {
                // The sender of a request put the top Via in.
                let vh = al.id(&v.host);
                al.union(f, vh);
                if let Some(r) = v.received.as_deref().and_then(host_key) {
                    let r = al.id(&r);
                    al.union(f, r);
                }
            }
            if let (Some(f), Some(c)) = (from, contact_host(m)) {
                if via_count == 1 && is_ip(&c) {
                    let c = al.id(&c);
                    al.union(f, c);
                }
            }
            if m.direction == Some(Direction::Sent) {
                if let (Some(t), Some(r)) = (to, route_hosts(m, "Route").first()) {
                    let r = al.id(r);
                    al.union(t, r);
                }
            }
            if m.direction == Some(Direction::Received) {
                if let (Some(f), Some(r)) = (from, route_hosts(m, "Record-Route").first()) {
                    let r = al.id(r);
                    al.union(f, r);
                }
            }
            requests.insert(branch_key.clone(), (from, to));
        } else {
            if let (Some(t), Some(v)) = (to, top_via) {
                // A response goes back to whoever put the top Via in.
                let vh = al.id(&v.host);
                al.union(t, vh);
            }
            let rr = route_hosts(m, "Record-Route");
            if m.direction == Some(Direction::Received) {
                if let (Some(f), Some(r)) = (from, rr.last()) {
                    let r = al.id(r);
                    al.union(f, r);
                }
            }
            if let (Some(f), Some(c)) = (from, contact_host(m)) {
                // Only a dialog-creating answer's Contact is the responder (a REGISTER answer
                // lists the registrar's bindings: the client's own address).
                let creates_dialog = m.cseq().is_some_and(|(_, x)| {
                    x.eq_ignore_ascii_case("INVITE") || x.eq_ignore_ascii_case("SUBSCRIBE")
                });
                if rr.is_empty()
                    && creates_dialog
                    && is_ip(&c)
                    && m.status().is_some_and(|s| (200..300).contains(&s))
                {
                    let c = al.id(&c);
                    al.union(f, c);
                }
            }
            if m.direction.is_some() && via_count == 1 {
                if let Some(f) = from {
                    for d in extract::ms_diagnostics(m) {
                        if let Some(h) = d.source.as_deref().and_then(host_key) {
                            let h = al.id(&h);
                            al.union(f, h);
                        }
                    }
                }
            }
        }
        if let (Some(f), Some(p)) = (from, extract::product(m)) {
            products.push((f, p));
        }
        ends.push((from, to));
    }

    // Columns: one per root that is an endpoint.
    let mut root_col: HashMap<usize, usize> = HashMap::default();
    let mut roots_in_order: Vec<usize> = Vec::new();
    for &(f, t) in &ends {
        for a in [f, t].into_iter().flatten() {
            let r = al.find(a);
            if let std::collections::hash_map::Entry::Vacant(e) = root_col.entry(r) {
                e.insert(roots_in_order.len());
                roots_in_order.push(r);
            }
        }
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); roots_in_order.len()];
    for i in 0..al.names.len() {
        let r = al.find(i);
        if let Some(&c) = root_col.get(&r) {
            members[c].push(i);
        }
    }
    // Participants: product hints first, then the host of the line server URI.
    let mut participant: Vec<Option<String>> = vec![None; roots_in_order.len()];
    let mut taken: HashSet<String> = HashSet::default();
    if let Some(profile) = profile {
        // Known FQDNs and IPs first: they are configuration, not a guess.
        if let Some(topo) = topology {
            for (c, mem) in members.iter().enumerate() {
                if let Some(pid) = mem
                    .iter()
                    .find_map(|&i| topo.who_is(&al.names[i]))
                    .filter(|pid| !taken.contains(pid))
                {
                    taken.insert(pid.clone());
                    participant[c] = Some(pid);
                }
            }
        }
        let mut votes: HashMap<(usize, String), u32> = HashMap::default();
        for (a, prod) in &products {
            let c = root_col[&al.find(*a)];
            let lower = prod.to_ascii_lowercase();
            if let Some(p) = profile.participants.iter().find(|p| {
                p.product_hints
                    .iter()
                    .any(|h| lower.contains(&h.to_ascii_lowercase()))
            }) {
                *votes.entry((c, p.id.clone())).or_default() += 1;
            }
        }
        let mut votes: Vec<((usize, String), u32)> = votes.into_iter().collect();
        votes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for ((c, pid), _) in votes {
            if participant[c].is_none() && !taken.contains(&pid) {
                taken.insert(pid.clone());
                participant[c] = Some(pid);
            }
        }
        if let Some(ls) = profile.line_server_host() {
            if !taken.contains(&ls.id) {
                let hosts: HashSet<String> = line_servers
                    .iter()
                    .filter_map(|u| crate::uri::UriView::parse(u).map(|v| v.host_key()))
                    .collect();
                for (c, mem) in members.iter().enumerate() {
                    if participant[c].is_none() && mem.iter().any(|&i| hosts.contains(&al.names[i]))
                    {
                        participant[c] = Some(ls.id.clone());
                        break;
                    }
                }
            }
        }
    }
    let mut columns: Vec<Column> = members
        .iter()
        .enumerate()
        .map(|(c, mem)| {
            let mut names: Vec<(usize, &String)> = mem.iter().map(|&i| (i, &al.names[i])).collect();
            // Keys computed once (`sort_by_cached_key`, stable): with the host tests inlined
            // into every comparison, `sort_by_key` was the wasm's largest sort (~60 KB).
            names.sort_by_cached_key(|(i, n)| {
                let rank = if is_fqdn(n) {
                    0
                } else if is_ip(n) {
                    1
                } else if n.starts_with("log:") {
                    3
                } else {
                    2
                };
                (rank, std::cmp::Reverse(al.seen[*i]), *i)
            });
            let host = names
                .first()
                .map(|(_, n)| n.to_string())
                .filter(|n| !n.starts_with("log:"))
                .unwrap_or_default();
            let pid = participant[c].clone();
            let plabel = pid
                .as_ref()
                .and_then(|id| profile.and_then(|p| p.participant(id)))
                .map(|p| p.label.clone());
            let label = plabel.unwrap_or_else(|| {
                if host.is_empty() {
                    names
                        .first()
                        .map(|(_, n)| format!("writer of {}", n.trim_start_matches("log:")))
                        .unwrap_or_else(|| "?".into())
                } else {
                    host.clone()
                }
            });
            Column {
                label,
                host,
                aliases: names.iter().map(|(_, n)| n.to_string()).collect(),
                participant: pid,
            }
        })
        .collect();
    // Order: profile participants in profile order, then the rest by first appearance.
    let mut order: Vec<usize> = (0..columns.len()).collect();
    if let Some(profile) = profile {
        let rank = |c: usize| {
            columns[c]
                .participant
                .as_ref()
                .and_then(|id| profile.participants.iter().position(|p| &p.id == id))
                .unwrap_or(usize::MAX)
        };
        order.sort_by_cached_key(|&c| (rank(c), c));
    }
    let mut new_index = vec![0; columns.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut sorted: Vec<Column> = Vec::with_capacity(columns.len());
    for &old in &order {
        sorted.push(std::mem::replace(
            &mut columns[old],
            Column {
                label: String::new(),
                host: String::new(),
                aliases: vec![],
                participant: None,
            },
        ));
    }
    let columns = sorted;

    // RCC dialogs.
    let mut rcc_calls: HashSet<String> = HashSet::default();
    for m in messages {
        let Some(cid) = m.call_id() else { continue };
        let Some(method) = m.method() else { continue };
        let method = method.to_ascii_uppercase();
        let csta = m
            .content_type()
            .is_some_and(|c| c.to_ascii_lowercase().contains("csta"));
        let to_line_server = m
            .request_uri()
            .is_some_and(|u| line_servers.contains(&strip_uri_params(u)));
        let provisioning = matches!(method.as_str(), "SUBSCRIBE" | "NOTIFY" | "BENOTIFY")
            && extract::event(m).is_some_and(|e| e.starts_with("vnd-microsoft-provisioning"));
        if (matches!(method.as_str(), "INVITE" | "INFO" | "BYE") && (csta || to_line_server))
            || provisioning
        {
            rcc_calls.insert(cid.to_string());
        }
    }

    let failing = diagnosis.map(evidence_lines).unwrap_or_default();
    let is_failing = |m: &SipMessage| {
        std::iter::once(&m.source)
            .chain(m.also_seen.iter())
            .any(|s| {
                failing.iter().any(|(f, l)| {
                    **f == *s.file && *l >= s.line_start && *l <= s.line_end.max(s.line_start)
                })
            })
    };

    let mut rows = Vec::with_capacity(messages.len());
    let mut prev: Option<i64> = None;
    let mut dialogs: Vec<DialogSummary> = Vec::new();
    let mut dialog_index: HashMap<String, usize> = HashMap::default();
    let mut methods: HashSet<String> = HashSet::default();
    for (i, m) in messages.iter().enumerate() {
        let millis = m.millis();
        let delta_ms = match (prev, millis) {
            (Some(p), Some(t)) => Some(t - p),
            _ => None,
        };
        if millis.is_some() {
            prev = millis;
        }
        let method = match m.method() {
            Some(x) => x.to_ascii_uppercase(),
            None => m
                .cseq()
                .map(|(_, x)| x.to_ascii_uppercase())
                .unwrap_or_default(),
        };
        let label = match (m.method(), m.request_uri()) {
            (Some(meth), Some(uri)) => format!("{meth} {uri}"),
            _ => {
                let reason = m.reason().unwrap_or("");
                format!("{} {reason} ({method})", m.status().unwrap_or(0)).replace("  ", " ")
            }
        };
        let verdict = if is_failing(m) {
            Verdict::FailingLeg
        } else if m.status().is_some_and(|s| s >= 400) {
            Verdict::ErrorResponse
        } else {
            match m.quality {
                ParseQuality::Partial { .. } => Verdict::Partial,
                ParseQuality::Repaired { .. } => Verdict::Repaired,
                ParseQuality::Clean => Verdict::Ok,
            }
        };
        let call_id = m.call_id().map(str::to_string);
        let rcc = call_id.as_ref().is_some_and(|c| rcc_calls.contains(c));
        if let Some(c) = &call_id {
            match dialog_index.get(c) {
                Some(&d) => dialogs[d].rows += 1,
                None => {
                    dialog_index.insert(c.clone(), dialogs.len());
                    dialogs.push(DialogSummary {
                        call_id: c.clone(),
                        label: label.clone(),
                        rows: 1,
                        rcc,
                    });
                }
            }
        }
        if !method.is_empty() {
            methods.insert(method.clone());
        }
        let (f, t) = ends[i];
        let col = |a: Option<usize>, al: &mut Aliases| a.map(|a| new_index[root_col[&al.find(a)]]);
        rows.push(Row {
            message: i,
            time: m
                .timestamp()
                .map(|t| t.written.to_string())
                .unwrap_or_default(),
            millis,
            delta_ms,
            from: col(f, &mut al),
            to: col(t, &mut al),
            label,
            method,
            status: m.status(),
            verdict,
            call_id,
            rcc,
        });
    }
    let mut methods: Vec<String> = methods.into_iter().collect();
    methods.sort();
    Ladder {
        columns,
        rows,
        dialogs,
        methods,
    }
}

/// Escape text for a Mermaid label: `#`, `;`, angle brackets, quotes and `&` become Mermaid
/// entity codes (`#59;`), line breaks become spaces.
pub fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '"' => out.push_str("#34;"),
            '&' => out.push_str("#38;"),
            '%' => out.push_str("#37;"),
            '\r' | '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The whole ladder as Mermaid `sequenceDiagram` text.
pub fn to_mermaid(ladder: &Ladder) -> String {
    let all: Vec<usize> = (0..ladder.rows.len()).collect();
    to_mermaid_rows(ladder, &all)
}

/// Some rows of the ladder (e.g. [`Ladder::filtered`]) as Mermaid `sequenceDiagram` text.
/// Participants get safe aliases `H0`, `H1`… (`U` for an unknown end).
pub fn to_mermaid_rows(ladder: &Ladder, rows: &[usize]) -> String {
    let mut out = String::from("sequenceDiagram\n    autonumber\n");
    let mut used: Vec<bool> = vec![false; ladder.columns.len()];
    let mut unknown = false;
    for &r in rows {
        if let Some(row) = ladder.rows.get(r) {
            for c in [row.from, row.to] {
                match c {
                    Some(c) if c < used.len() => used[c] = true,
                    _ => unknown = true,
                }
            }
        }
    }
    for (i, c) in ladder.columns.iter().enumerate() {
        if used[i] {
            let label = if c.host.is_empty() || c.host == c.label {
                c.label.clone()
            } else {
                format!("{} ({})", c.label, c.host)
            };
            out.push_str(&format!(
                "    participant H{i} as {}\n",
                mermaid_escape(&label)
            ));
        }
    }
    if unknown {
        out.push_str("    participant U as unknown\n");
    }
    let name = |c: Option<usize>| match c {
        Some(c) if c < ladder.columns.len() => format!("H{c}"),
        _ => "U".to_string(),
    };
    for &r in rows {
        let Some(row) = ladder.rows.get(r) else {
            continue;
        };
        let arrow = match row.status {
            None => "->>",
            Some(s) if s >= 400 => "--x",
            Some(_) => "-->>",
        };
        out.push_str(&format!(
            "    {}{arrow}{}: {}\n",
            name(row.from),
            name(row.to),
            mermaid_escape(&row.label)
        ));
    }
    out
}

/// Most rows drawn by [`to_svg`]; a report wants the story, not 10,000 arrows.
pub const SVG_MAX_ROWS: usize = 200;

/// A standalone SVG of the given rows (at most [`SVG_MAX_ROWS`]): host columns with lifelines and
/// one arrow per message, coloured by verdict. Used by the HTML report and the ladder export.
pub fn to_svg(ladder: &Ladder, rows: &[usize]) -> String {
    use crate::diagram::xml_escape;
    use std::fmt::Write;
    const COL_W: f64 = 190.0;
    const ROW_H: f64 = 30.0;
    const TOP: f64 = 56.0;
    const LEFT: f64 = 96.0;
    let rows: Vec<&Row> = rows
        .iter()
        .filter_map(|&i| ladder.rows.get(i))
        .take(SVG_MAX_ROWS)
        .collect();
    let cols = ladder.columns.len().max(1);
    let width = LEFT + COL_W * cols as f64 + 20.0;
    let height = TOP + ROW_H * (rows.len() as f64 + 1.0);
    let x = |c: usize| LEFT + COL_W * (c as f64 + 0.5);
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Message ladder\">\
<style>text{{font:12px system-ui,sans-serif;fill:#1b1f24}}.h{{font-weight:700}}.t{{fill:#57606a;font-size:11px}}\
.l{{stroke:#d0d7de;stroke-dasharray:4 4}}.a{{stroke-width:1.6;fill:none}}.ok{{stroke:#1a7f37}}.error-response,.failing-leg{{stroke:#cf222e}}\
.repaired{{stroke:#9a6700}}.partial{{stroke:#8c959f}}</style>\
<defs><marker id=\"h\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#57606a\"/></marker></defs>\
<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    for (i, c) in ladder.columns.iter().enumerate() {
        let cx = x(i);
        let label: String = c.label.chars().take(28).collect();
        let _ = write!(
            o,
            "<text class=\"h\" x=\"{cx}\" y=\"24\" text-anchor=\"middle\">{}</text><line class=\"l\" x1=\"{cx}\" y1=\"34\" x2=\"{cx}\" y2=\"{height}\"/>",
            xml_escape(&label)
        );
    }
    for (n, r) in rows.iter().enumerate() {
        let y = TOP + ROW_H * (n as f64 + 0.5);
        let time: String = r
            .time
            .chars()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let _ = write!(
            o,
            "<text class=\"t\" x=\"4\" y=\"{}\">{}</text>",
            y + 4.0,
            xml_escape(&time)
        );
        let label: String = r.label.chars().take(60).collect();
        let (x1, x2) = match (r.from, r.to) {
            (Some(a), Some(b)) if a != b => (x(a), x(b)),
            (Some(a), _) | (_, Some(a)) => (x(a), x(a) + COL_W * 0.4),
            (None, None) => (x(0), x(0) + COL_W * 0.4),
        };
        let _ = write!(
            o,
            "<g data-verdict=\"{v}\"><line class=\"a {v}\" x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" marker-end=\"url(#h)\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\">{}</text></g>",
            xml_escape(&label),
            v = r.verdict.as_str(),
            tx = (x1 + x2) / 2.0,
            ty = y - 5.0
        );
    }
    o.push_str("</svg>");
    o
}

// --- queries: what a view asks of a ladder that may live elsewhere --------------------------

/// Most dialogs a [`LadderSummary`] lists for the dialog filter; RCC dialogs are listed first.
/// A select with tens of thousands of options helps nobody and costs the page a long task.
pub const MAX_DIALOGS_LISTED: usize = 500;

/// Everything a ladder view draws before it has any row: the columns, what the filters offer,
/// how many rows there are and where the failing leg is. Its size does not grow with the log
/// (beyond [`MAX_DIALOGS_LISTED`] dialogs), so a page decodes it in no time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderSummary {
    pub columns: Vec<Column>,
    /// At most [`MAX_DIALOGS_LISTED`], RCC dialogs first, then in order of first appearance.
    pub dialogs: Vec<DialogSummary>,
    /// All dialogs, listed or not.
    pub dialogs_total: usize,
    pub methods: Vec<String>,
    /// Number of rows (one per message).
    pub rows: usize,
    /// Index of the first row of the diagnosis' failing leg.
    pub first_failing: Option<usize>,
}

impl Ladder {
    /// The summary a view needs before its first row (see [`LadderSummary`]).
    pub fn summary(&self) -> LadderSummary {
        let rcc = self.dialogs.iter().filter(|d| d.rcc);
        let other = self.dialogs.iter().filter(|d| !d.rcc);
        LadderSummary {
            columns: self.columns.clone(),
            dialogs: rcc.chain(other).take(MAX_DIALOGS_LISTED).cloned().collect(),
            dialogs_total: self.dialogs.len(),
            methods: self.methods.clone(),
            rows: self.rows.len(),
            first_failing: self.first_failing(),
        }
    }

    /// The rows at these indexes, in the order asked (indexes past the end are skipped).
    pub fn rows_at(&self, indexes: &[u32]) -> Vec<Row> {
        indexes
            .iter()
            .filter_map(|&i| self.rows.get(i as usize).cloned())
            .collect()
    }
}

/// Where row `row` is shown in a filtered list (row indexes in ascending order, as
/// [`Ladder::filtered`] returns them); `None` when the filter hides it.
pub fn position_of(filtered: &[u32], row: usize) -> Option<usize> {
    let row = u32::try_from(row).ok()?;
    filtered.binary_search(&row).ok()
}

/// One header line of a [`RawMessage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawHeader {
    pub name: String,
    pub value: String,
    /// One of the headers that matter ([`is_key_header`]): highlighted.
    pub key: bool,
}

/// One message as the detail pane shows it: what its row says and the message as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawMessage {
    /// The row index.
    pub row: usize,
    pub label: String,
    pub verdict: Verdict,
    /// `file:first-last` line range.
    pub source: String,
    pub start_line: String,
    pub headers: Vec<RawHeader>,
    pub body: String,
}

impl RawMessage {
    /// The detail of row `row` of a ladder built from `messages`. (The one place the ladder reads
    /// a message's header list as a whole.)
    pub fn of(ladder: &Ladder, messages: &[SipMessage], row: usize) -> Option<RawMessage> {
        let r = ladder.rows.get(row)?;
        let m = messages.get(r.message)?;
        Some(RawMessage {
            row,
            label: r.label.clone(),
            verdict: r.verdict,
            source: format!(
                "{}:{}-{}",
                m.source.file, m.source.line_start, m.source.line_end
            ),
            start_line: m.start_line_text(),
            headers: m
                .headers()
                .map(|h| RawHeader {
                    name: h.name.to_string(),
                    value: h.value.to_string(),
                    key: is_key_header(h.name),
                })
                .collect(),
            body: m.body().to_string(),
        })
    }
}

/// A ladder with the messages it was built from: answers every question a ladder view asks.
/// It lives where the analysis ran: in the analysis worker (the page asks it through messages)
/// or in the page itself (asked directly).
#[derive(Debug, Clone, Default)]
pub struct LadderData {
    pub ladder: Ladder,
    pub messages: Vec<SipMessage>,
}

impl LadderData {
    /// Builds the ladder (see [`build_with_topology`]) and keeps the messages.
    pub fn build(
        messages: Vec<SipMessage>,
        profile: Option<&Profile>,
        diagnosis: Option<&Diagnosis>,
        topology: Option<&Topology>,
    ) -> LadderData {
        let ladder = build_with_topology(&messages, profile, diagnosis, topology);
        LadderData { ladder, messages }
    }

    pub fn summary(&self) -> LadderSummary {
        self.ladder.summary()
    }

    /// Indexes of the rows passing `filter`, ascending.
    pub fn filter(&self, filter: &LadderFilter) -> Vec<u32> {
        self.ladder
            .filtered(filter)
            .into_iter()
            .map(|i| i as u32)
            .collect()
    }

    pub fn rows(&self, indexes: &[u32]) -> Vec<Row> {
        self.ladder.rows_at(indexes)
    }

    pub fn raw(&self, row: usize) -> Option<RawMessage> {
        RawMessage::of(&self.ladder, &self.messages, row)
    }

    /// The rows passing `filter` as Mermaid text.
    pub fn mermaid(&self, filter: &LadderFilter) -> String {
        to_mermaid_rows(&self.ladder, &self.ladder.filtered(filter))
    }

    /// The ladder drawn in the HTML report: the RCC rows (at most [`SVG_MAX_ROWS`]) as SVG.
    pub fn report_svg(&self) -> String {
        let rows = self.ladder.filtered(&LadderFilter {
            rcc_only: true,
            ..LadderFilter::default()
        });
        to_svg(&self.ladder, &rows)
    }
}

/// A virtual scroller fetches rows in pages of this many positions.
pub const PAGE_ROWS: usize = 64;

/// The positions of a filtered list a scroller should hold for `window`: the window widened to
/// whole pages of [`PAGE_ROWS`], plus one page before and one after (prefetch), within `total`.
pub fn prefetch_range(window: Range<usize>, total: usize) -> Range<usize> {
    if total == 0 || window.start >= window.end {
        return 0..0;
    }
    let first_page = (window.start / PAGE_ROWS).saturating_sub(1);
    let last_page = window.end.saturating_sub(1) / PAGE_ROWS + 1;
    let start = (first_page * PAGE_ROWS).min(total);
    let end = ((last_page + 1) * PAGE_ROWS).min(total);
    start..end
}

/// The rows a page holds of a ladder that lives elsewhere (the analysis worker): rows fetched,
/// rows asked for and not answered yet, and a bound on how many it keeps. Rows are keyed by row
/// index, so a new filter reuses every row already fetched.
#[derive(Debug, Clone)]
pub struct RowCache {
    rows: HashMap<u32, Row>,
    pending: HashSet<u32>,
    /// The rows of the last [`RowCache::request`]'s range: kept when the cache is over capacity.
    keep: HashSet<u32>,
    capacity: usize,
}

impl Default for RowCache {
    fn default() -> Self {
        RowCache::new(4096)
    }
}

impl RowCache {
    /// A cache that forgets rows far from the view once it holds more than `capacity`.
    pub fn new(capacity: usize) -> RowCache {
        RowCache {
            rows: HashMap::default(),
            pending: HashSet::default(),
            keep: HashSet::default(),
            capacity: capacity.max(PAGE_ROWS * 4),
        }
    }

    pub fn get(&self, row: usize) -> Option<&Row> {
        self.rows.get(&u32::try_from(row).ok()?)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Requested and not answered yet.
    pub fn is_pending(&self, row: usize) -> bool {
        u32::try_from(row).is_ok_and(|r| self.pending.contains(&r))
    }

    /// The row indexes to fetch so that `window` (positions in `filtered`) and its prefetch
    /// pages ([`prefetch_range`]) are held: those neither held nor already requested, in
    /// order. They are marked requested; answer with [`RowCache::fill`] or
    /// [`RowCache::cancel`].
    pub fn request(&mut self, filtered: &[u32], window: Range<usize>) -> Vec<u32> {
        let range = prefetch_range(window, filtered.len());
        let wanted = &filtered[range];
        self.keep = wanted.iter().copied().collect();
        let missing: Vec<u32> = wanted
            .iter()
            .copied()
            .filter(|r| !self.rows.contains_key(r) && !self.pending.contains(r))
            .collect();
        self.pending.extend(missing.iter().copied());
        missing
    }

    /// Stores fetched rows (`rows[i]` is row `indexes[i]`). Over capacity, only the rows of the
    /// last request's range stay.
    pub fn fill(&mut self, indexes: &[u32], rows: Vec<Row>) {
        for (&i, row) in indexes.iter().zip(rows) {
            self.pending.remove(&i);
            self.rows.insert(i, row);
        }
        // Indexes with no row (past the end) are not pending any more either.
        for i in indexes {
            self.pending.remove(i);
        }
        if self.rows.len() > self.capacity {
            let keep = &self.keep;
            self.rows.retain(|i, _| keep.contains(i));
        }
    }

    /// A request that will not be answered: its rows may be requested again.
    pub fn cancel(&mut self, indexes: &[u32]) {
        for i in indexes {
            self.pending.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_covers_the_viewport_plus_overscan() {
        assert_eq!(window(0, 28.0, 0.0, 400.0, 5), 0..0);
        assert_eq!(window(10_000, 28.0, 0.0, 280.0, 5), 0..15);
        assert_eq!(window(10_000, 28.0, 2800.0, 280.0, 5), 95..115);
        assert_eq!(window(10_000, 28.0, 1e9, 280.0, 5), 9995..10_000);
        assert_eq!(window(3, 28.0, -50.0, 1000.0, 2), 0..3);
    }

    fn row(i: usize) -> Row {
        Row {
            message: i,
            time: format!("t{i}"),
            millis: None,
            delta_ms: None,
            from: Some(0),
            to: Some(1),
            label: format!("INFO {i}"),
            method: "INFO".into(),
            status: None,
            verdict: Verdict::Ok,
            call_id: Some(format!("c{}", i % 3)),
            rcc: i.is_multiple_of(3),
        }
    }

    #[test]
    fn prefetch_covers_whole_pages_and_one_page_each_side() {
        assert_eq!(prefetch_range(0..0, 100), 0..0);
        assert_eq!(prefetch_range(0..10, 0), 0..0);
        // The first page and the next one.
        assert_eq!(prefetch_range(0..20, 10_000), 0..2 * PAGE_ROWS);
        // A window across a page boundary: both pages plus one each side.
        let w = PAGE_ROWS * 5 - 3..PAGE_ROWS * 5 + 10;
        assert_eq!(prefetch_range(w, 10_000), PAGE_ROWS * 3..PAGE_ROWS * 7);
        // Never past the end.
        assert_eq!(prefetch_range(90..100, 100), 0..100);
    }

    #[test]
    fn the_row_cache_requests_each_row_once_and_keeps_the_view_when_full() {
        let filtered: Vec<u32> = (0..10_000u32).filter(|i| i.is_multiple_of(2)).collect();
        let mut cache = RowCache::new(0); // capacity is at least four pages
        let first = cache.request(&filtered, 0..30);
        assert_eq!(first.len(), 2 * PAGE_ROWS);
        assert_eq!(first[..3], [0, 2, 4]);
        assert!(cache.is_pending(2));
        assert!(cache.get(2).is_none());
        // Asking again while the answer is in flight asks for nothing.
        assert!(cache.request(&filtered, 5..35).is_empty());
        let rows: Vec<Row> = first.iter().map(|&i| row(i as usize)).collect();
        cache.fill(&first, rows);
        assert!(!cache.is_pending(2));
        assert_eq!(cache.get(4).map(|r| r.label.as_str()), Some("INFO 4"));
        assert!(
            cache.request(&filtered, 0..30).is_empty(),
            "held rows are not asked again"
        );
        // Scroll far: the new pages are asked for; after filling past capacity only the new
        // view's rows are kept.
        let far = cache.request(&filtered, 3000..3030);
        assert!(far.iter().all(|&r| r >= 5000));
        let rows = far.iter().map(|&i| row(i as usize)).collect();
        cache.fill(&far, rows);
        assert_eq!(cache.len(), far.len(), "only the view's rows are kept");
        assert!(cache.get(0).is_none());
        assert!(cache.get(far[0] as usize).is_some());
        // A cancelled request can be made again.
        let again = cache.request(&filtered, 100..110);
        assert!(!again.is_empty());
        cache.cancel(&again);
        assert_eq!(cache.request(&filtered, 100..110), again);
        // Indexes past the end are answered with nothing and stop being pending.
        cache.fill(&[99_999], vec![]);
        assert!(!cache.is_pending(99_999));
    }

    #[test]
    fn position_of_finds_a_row_in_a_filtered_list() {
        let filtered = [1u32, 4, 9, 16];
        assert_eq!(position_of(&filtered, 9), Some(2));
        assert_eq!(position_of(&filtered, 5), None);
        assert_eq!(position_of(&filtered, usize::MAX), None);
    }

    #[test]
    fn the_summary_lists_rcc_dialogs_first_and_at_most_the_limit() {
        let dialogs = (0..MAX_DIALOGS_LISTED + 50)
            .map(|i| DialogSummary {
                call_id: format!("c{i}"),
                label: "REGISTER sip:contoso.com".into(),
                rows: 1,
                rcc: i == MAX_DIALOGS_LISTED + 10,
            })
            .collect();
        let ladder = Ladder {
            columns: vec![],
            rows: (0..12).map(row).collect(),
            dialogs,
            methods: vec!["INFO".into()],
        };
        let s = ladder.summary();
        assert_eq!(s.dialogs.len(), MAX_DIALOGS_LISTED);
        assert_eq!(s.dialogs_total, MAX_DIALOGS_LISTED + 50);
        assert_eq!(
            s.dialogs[0].call_id,
            format!("c{}", MAX_DIALOGS_LISTED + 10)
        );
        assert_eq!(s.dialogs[1].call_id, "c0");
        assert_eq!(s.rows, 12);
        assert_eq!(s.first_failing, None);
        assert_eq!(
            ladder
                .rows_at(&[3, 1, 99])
                .iter()
                .map(|r| r.message)
                .collect::<Vec<_>>(),
            [3, 1]
        );
    }

    #[test]
    fn mermaid_escape_neutralises_syntax() {
        assert_eq!(mermaid_escape("a;b#c<d>"), "a#59;b#35;c#60;d#62;");
    }

    #[test]
    fn svg_export_is_escaped_and_bounded() {
        let ladder = Ladder {
            columns: vec![Column {
                label: "A<&>".into(),
                host: String::new(),
                aliases: vec![],
                participant: None,
            }],
            rows: (0..500)
                .map(|i| Row {
                    message: i,
                    time: "10:00:00.000".into(),
                    millis: None,
                    delta_ms: None,
                    from: Some(0),
                    to: None,
                    label: "INVITE <sip:a@b>".into(),
                    method: "INVITE".into(),
                    status: None,
                    verdict: Verdict::Ok,
                    call_id: None,
                    rcc: true,
                })
                .collect(),
            dialogs: vec![],
            methods: vec![],
        };
        let all: Vec<usize> = (0..500).collect();
        let svg = to_svg(&ladder, &all);
        assert!(svg.starts_with("<svg xmlns="));
        assert!(svg.contains("A&lt;&amp;&gt;"));
        assert!(!svg.contains("<sip:"));
        assert_eq!(svg.matches("data-verdict=").count(), SVG_MAX_ROWS);
    }
}
