//! Who sent each message to whom, as host aliases: the first phase of building a ladder.
//!
//! A machine shows up in logs under many names (an IP with several ports, an FQDN in a Via
//! sent-by or Record-Route, a `Contact` address, the `Peer`/local address of a log record, or
//! "whoever wrote this log"). Each message gets a sender and a receiver alias, and what the
//! message says about its hops merges aliases that name the same machine (a union-find).

use super::HashMap;
use crate::extract::{self, ViaView};
use crate::index_table::IndexTable;
use crate::sip::{known, via_branch, Direction, SipMessage};
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;

#[derive(Default)]
pub(super) struct Aliases {
    index: HashMap<String, usize>,
    pub(super) names: Vec<String>,
    parent: Vec<usize>,
    /// How often each alias was seen (for the nicest name).
    pub(super) seen: Vec<u32>,
    /// The alias each address text read by [`Aliases::address`] named.
    addresses: HashMap<String, Option<usize>>,
}

impl Aliases {
    /// [`Aliases::id`] of a host as written (lower-cased here, copied only when it is not).
    fn host(&mut self, host: &str) -> usize {
        if host.bytes().any(|b| b.is_ascii_uppercase()) {
            self.id(&host.to_ascii_lowercase())
        } else {
            self.id(host)
        }
    }

    /// One more sighting of an alias known by its id.
    fn seen_again(&mut self, i: usize) -> usize {
        self.seen[i] += 1;
        i
    }

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

    /// [`Aliases::id`] of the host an address (`host[:port]`, a URI) names, `None` for none.
    /// Each text is read once: a log names the same few addresses in every message.
    fn address(&mut self, text: &str) -> Option<usize> {
        if let Some(&id) = self.addresses.get(text) {
            if let Some(i) = id {
                self.seen[i] += 1;
            }
            return id;
        }
        let id = host_key(text).map(|h| self.id(&h));
        self.addresses.insert(text.to_string(), id);
        id
    }

    pub(super) fn find(&mut self, mut i: usize) -> usize {
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

pub(super) fn is_ip(h: &str) -> bool {
    crate::uri::is_ip(h)
}

pub(super) fn is_fqdn(h: &str) -> bool {
    crate::uri::is_fqdn(h)
}

/// The hosts a `Route`/`Record-Route` value list names, in order, as written (see
/// [`host_of_header`]); `name` is [`known::ROUTE`] or [`known::RECORD_ROUTE`].
fn route_hosts(m: &SipMessage, name: u16) -> impl Iterator<Item = &str> + '_ {
    m.known_header_values(name)
        .flat_map(|v| v.split(','))
        .filter_map(host_of_header)
}

/// The host of the URI in a header value, as written (`Aliases::host` folds its case): what
/// [`crate::uri::host_of_header`] reads, without a copy.
fn host_of_header(value: &str) -> Option<&str> {
    crate::uri::NameAddr::parse(value)
        .view()
        .map(|v| v.host.trim_end_matches('.'))
}

fn contact_host(m: &SipMessage) -> Option<&str> {
    host_of_header(m.known_header_value(known::CONTACT)?)
}

/// A transaction: Call-ID, CSeq number and method (any case), top Via branch; borrowed from
/// the message.
type TxKey<'m> = (&'m str, u32, Caseless<'m>, &'m str);

/// A method compared and hashed regardless of case, without an upper-case copy (a `Cow` would
/// take a third more of every entry of the request table).
#[derive(Debug, Clone, Copy)]
struct Caseless<'m>(&'m str);

impl PartialEq for Caseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Caseless<'_> {}

impl Hash for Caseless<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Upper-cased a chunk at a time on the stack (a method is a few bytes).
        let mut upper = [0u8; 32];
        for chunk in self.0.as_bytes().chunks(upper.len()) {
            let upper = &mut upper[..chunk.len()];
            upper.copy_from_slice(chunk);
            upper.make_ascii_uppercase();
            state.write(upper);
        }
        // As `str` does: no method's hash input is a prefix of another's.
        state.write_u8(0xff);
    }
}

/// Sender and receiver alias of a message.
pub(super) type Ends = (Option<usize>, Option<usize>);

/// [`Ends`] as kept per message and per request while a ladder is built: alias ids plus one in
/// 4 bytes each, where a pair of `Option<usize>` takes 16 on wasm32. (Alias ids are far below
/// `u32::MAX`: a log names fewer hosts than it has bytes.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PackedEnds(Option<NonZeroU32>, Option<NonZeroU32>);

impl PackedEnds {
    pub(super) fn pack((from, to): Ends) -> PackedEnds {
        let one = |a: Option<usize>| {
            a.and_then(|a| u32::try_from(a + 1).ok())
                .and_then(NonZeroU32::new)
        };
        PackedEnds(one(from), one(to))
    }

    pub(super) fn ends(self) -> Ends {
        let id = |a: Option<NonZeroU32>| a.map(|a| a.get() as usize - 1);
        (id(self.0), id(self.1))
    }

    /// Both ends as alias ids, when they are below `below` (`none` for an unknown end).
    pub(super) fn narrow(self, below: u16, none: u16) -> Option<(u16, u16)> {
        let one = |a: Option<NonZeroU32>| match a {
            None => Some(none),
            Some(a) => u16::try_from(a.get() - 1).ok().filter(|&id| id < below),
        };
        Some((one(self.0)?, one(self.1)?))
    }

    /// [`PackedEnds::narrow`] undone.
    pub(super) fn widen((from, to): (u16, u16), none: u16) -> PackedEnds {
        let one = |id: u16| (id != none).then_some(usize::from(id));
        PackedEnds::pack((one(from), one(to)))
    }
}

/// The messages' ends and the aliases they were named by.
pub(super) struct Traced<'m> {
    pub(super) aliases: Aliases,
    /// The product strings each alias said about itself, and how many messages said each.
    pub(super) products: HashMap<(usize, &'m str), u32>,
}

/// Follows the messages one at a time ([`Tracer::step`], in order): their ends, and the
/// aliases they show to name one machine.
pub(super) struct Tracer<'m> {
    messages: &'m [SipMessage],
    /// How many messages were walked: the index of the next.
    walked: u32,
    al: Aliases,
    /// Requests (their index in `messages`) by transaction, for responses that do not say
    /// where they came from.
    requests: IndexTable,
    products: HashMap<(usize, &'m str), u32>,
    /// "Whoever wrote this log", one alias per file (named once per file, not per message).
    writers: Vec<(std::sync::Arc<str>, Writer)>,
}

impl<'m> Tracer<'m> {
    /// A tracer for `messages` (walked in order by [`Tracer::step`]), of which `requests` are
    /// requests.
    pub(super) fn new(messages: &'m [SipMessage], requests: usize) -> Self {
        Tracer {
            messages,
            walked: 0,
            al: Aliases::default(),
            // Sized once: rehashing grew to a fifth of the walk on a large log. To the requests,
            // not the messages: the table is at the high-water mark of the analysis' memory.
            requests: IndexTable::with_capacity(requests),
            products: HashMap::default(),
            writers: Vec::new(),
        }
    }

    /// The next message: its ends. `ends_of` gives those of an earlier message, by index (the
    /// rows keep them: a vector of them here took 8 bytes a message at the ladder's
    /// high-water mark).
    pub(super) fn step(
        &mut self,
        m: &'m SipMessage,
        ends_of: impl Fn(u32) -> Option<PackedEnds>,
    ) -> PackedEnds {
        let al = &mut self.al;
        let (view, via_count) = extract::top_via_view(m);
        let mut top_via = TopVia { view, alias: None };
        let cseq = m.cseq();
        let is_request = m.method().is_some();
        let writers = &mut self.writers;
        let w = match writers
            .iter()
            .position(|(f, _)| std::sync::Arc::ptr_eq(f, &m.source.file) || **f == *m.source.file)
        {
            Some(w) => w,
            None => {
                let name = format!("log:{}", m.source.file);
                writers.push((m.source.file.clone(), Writer { name, id: None }));
                writers.len() - 1
            }
        };
        let writer = &mut writers[w].1;
        let branch_key = transaction(m, cseq, || view.map(|v| v.sent_by));
        let messages = self.messages;
        let request_key = |j: u32| {
            let r = &messages[j as usize];
            transaction(r, r.cseq(), || {
                extract::top_via_view(r).0.map(|v| v.sent_by)
            })
        };
        // The request a response answers: its ends, as traced when it was walked.
        let request = if is_request {
            None
        } else {
            self.requests
                .find(&branch_key, request_key)
                .and_then(ends_of)
        };
        let (from, to) = message_ends(al, request, m, writer, &mut top_via);
        if is_request {
            merge_request_aliases(al, m, (from, to), &mut top_via, via_count);
            self.requests.insert(&branch_key, self.walked, request_key);
        } else {
            let creates_dialog = cseq.is_some_and(|(_, x)| {
                x.eq_ignore_ascii_case("INVITE") || x.eq_ignore_ascii_case("SUBSCRIBE")
            });
            let ends = (from, to);
            merge_response_aliases(al, m, ends, &mut top_via, via_count, creates_dialog);
        }
        if let (Some(f), Some(p)) = (from, extract::product(m)) {
            *self.products.entry((f, p)).or_default() += 1;
        }
        self.walked = self.walked.saturating_add(1);
        PackedEnds::pack((from, to))
    }

    pub(super) fn finish(self) -> Traced<'m> {
        Traced {
            aliases: self.al,
            products: self.products,
        }
    }
}

/// A message's top Via, and the alias of its host once named: each later use counts a
/// sighting, as naming it again would, without looking it up again.
struct TopVia<'m> {
    view: Option<ViaView<'m>>,
    alias: Option<usize>,
}

impl TopVia<'_> {
    fn alias(&mut self, al: &mut Aliases) -> Option<usize> {
        let host = self.view?.host;
        Some(match self.alias {
            Some(i) => al.seen_again(i),
            None => *self.alias.insert(al.host(host)),
        })
    }
}

/// The writer of a log: its alias name, and its id once a message named it.
struct Writer {
    name: String,
    id: Option<usize>,
}

impl Writer {
    fn id(&mut self, al: &mut Aliases) -> usize {
        match self.id {
            Some(i) => al.seen_again(i),
            None => *self.id.insert(al.id(&self.name)),
        }
    }
}

/// The transaction a message belongs to (its top Via branch, else the Via's sent-by).
/// (`sent_by`: the top Via's, asked only when it has no branch.)
fn transaction<'m>(
    m: &'m SipMessage,
    cseq: Option<(u32, &'m str)>,
    sent_by: impl FnOnce() -> Option<&'m str>,
) -> TxKey<'m> {
    let (n, meth) = cseq.unwrap_or((0, ""));
    let branch = m
        .known_header_value(known::VIA)
        .and_then(via_branch)
        .or_else(sent_by)
        .unwrap_or("");
    (m.call_id().unwrap_or(""), n, Caseless(meth), branch)
}

/// Where the message was sent by whom, as far as the log says: its direction and addresses
/// when the log records them, else its Via, Route and request URI (and, for a response, the
/// request it answers, `request`).
fn message_ends(
    al: &mut Aliases,
    request: Option<PackedEnds>,
    m: &SipMessage,
    writer: &mut Writer,
    top_via: &mut TopVia,
) -> Ends {
    let is_request = m.method().is_some();
    match m.direction {
        Some(dir) => {
            let me = writer.id(al);
            if let Some(l) = m.local().and_then(|a| al.address(a)) {
                al.union(me, l);
            }
            let other = m.peer().and_then(|a| al.address(a));
            match dir {
                Direction::Sent => {
                    let other = other.or_else(|| {
                        if is_request {
                            route_hosts(m, known::ROUTE)
                                .next()
                                .or_else(|| m.request_uri().and_then(host_of_header))
                                .map(|h| al.host(h))
                        } else {
                            request
                                .and_then(|r| r.ends().0)
                                .or_else(|| top_via.alias(al))
                        }
                    });
                    (Some(me), other)
                }
                Direction::Received => {
                    let other = other.or_else(|| {
                        if is_request {
                            top_via.alias(al)
                        } else {
                            request.and_then(|r| r.ends().1)
                        }
                    });
                    (other, Some(me))
                }
            }
        }
        None => {
            if is_request {
                let from = top_via.alias(al);
                let to = route_hosts(m, known::ROUTE)
                    .next()
                    .or_else(|| m.request_uri().and_then(host_of_header))
                    .map(|h| al.host(h));
                (from, to)
            } else {
                match request.map(|r| r.ends()) {
                    Some((f, t)) => (t, f),
                    None => {
                        let from = extract::ms_diagnostics(m)
                            .into_iter()
                            .find_map(|d| d.source)
                            .and_then(|s| host_key(&s))
                            .or_else(|| contact_host(m).map(str::to_ascii_lowercase))
                            .map(|h| al.id(&h));
                        (from, top_via.alias(al))
                    }
                }
            }
        }
    }
}

/// Aliases a request shows to name one machine: its sender put in the top Via (and the
/// `received` the next hop noted), a lone Via's IP Contact, the Route it was sent to, the
/// Record-Route of whoever sent it here.
fn merge_request_aliases(
    al: &mut Aliases,
    m: &SipMessage,
    (from, to): Ends,
    top_via: &mut TopVia,
    via_count: usize,
) {
    if let (Some(f), Some(v)) = (from, top_via.view) {
        // The sender of a request put the top Via in.
        if let Some(vh) = top_via.alias(al) {
            al.union(f, vh);
        }
        if let Some(r) = v.received().and_then(host_key) {
            let r = al.id(&r);
            al.union(f, r);
        }
    }
    if let Some(f) = from.filter(|_| via_count == 1) {
        if let Some(c) = contact_host(m).filter(|c| is_ip(c)) {
            let c = al.host(c);
            al.union(f, c);
        }
    }
    if m.direction == Some(Direction::Sent) {
        if let (Some(t), Some(r)) = (to, route_hosts(m, known::ROUTE).next()) {
            let r = al.host(r);
            al.union(t, r);
        }
    }
    if m.direction == Some(Direction::Received) {
        if let (Some(f), Some(r)) = (from, route_hosts(m, known::RECORD_ROUTE).next()) {
            let r = al.host(r);
            al.union(f, r);
        }
    }
}

/// Aliases a response shows to name one machine: the top Via is whoever it goes back to, the
/// last Record-Route and a dialog-creating answer's IP Contact are the responder, and so is
/// the source its ms-diagnostics name when it made one hop. (`creates_dialog`: it answers an
/// INVITE or a SUBSCRIBE.)
fn merge_response_aliases(
    al: &mut Aliases,
    m: &SipMessage,
    (from, to): Ends,
    top_via: &mut TopVia,
    via_count: usize,
    creates_dialog: bool,
) {
    if let Some(t) = to {
        // A response goes back to whoever put the top Via in.
        if let Some(vh) = top_via.alias(al) {
            al.union(t, vh);
        }
    }
    let last_rr = route_hosts(m, known::RECORD_ROUTE).last();
    if m.direction == Some(Direction::Received) {
        if let (Some(f), Some(r)) = (from, last_rr) {
            let r = al.host(r);
            al.union(f, r);
        }
    }
    // Only a dialog-creating answer's Contact is the responder (a REGISTER answer lists the
    // registrar's bindings: the client's own address).
    let ok = m.status().is_some_and(|s| (200..300).contains(&s));
    if let Some(f) = from.filter(|_| last_rr.is_none() && ok && creates_dialog) {
        if let Some(c) = contact_host(m).filter(|c| is_ip(c)) {
            let c = al.host(c);
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
