//! The SIP message model every other core module reads.
//!
//! A [`SipMessage`] borrows nothing but shares the text of the file it was read from: its start
//! line, header names and values, body, timestamp and addresses are spans (`Span`) into that one
//! shared buffer (an `Arc<FileText>` of the whole decoded file), like httparse's borrowed slices
//! but owned enough to outlive the reader and cross the worker boundary. Whatever the lenient
//! front end had to rewrite (an unfolded header, a restored CRLF body, an upper-case name turned
//! canonical) lives in the message's own small `extra` text instead. Headers are packed 8 bytes
//! each (value span and known-name index; the rare unknown name or 64 KiB value takes two more
//! slots), and what few messages have (a repair list, other places seen) is kept out of line. So
//! a clean message costs its spans and no copy of its text, and reading a 100 MB log needs about
//! the log once plus ~220 bytes per message (~190 on wasm32; `cargo bench --bench ingest -- mem`).
//!
//! Header names are canonical long form (`Call-ID`, not `i` or `CALL-ID`); well-known names are
//! indexes into one static table, so lookups compare integers, not strings.
//!
//! Code that builds messages by hand (tests, deserialisation) writes a [`MessageParts`] (the
//! plain owned shape, also the JSON shape) and converts it with `SipMessage::from`.

use crate::evidence::Evidence;
use crate::file_text::FileText;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// Where a message came from: file name and 1-based inclusive line range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Shared by every message of the file.
    pub file: Arc<str>,
    pub line_start: u32,
    pub line_end: u32,
}

/// Direction as seen by whoever wrote the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
}

/// A SIP transport a route or a listening server uses (Via `SIP/2.0/TLS`, `;transport=tcp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Tls,
    Tcp,
    Udp,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tls => "tls",
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
    }

    /// The port a server of this transport listens on unless told otherwise (RFC 3261 19.1.2).
    pub fn default_port(self) -> u16 {
        match self {
            Transport::Tls => 5061,
            Transport::Tcp | Transport::Udp => 5060,
        }
    }

    /// Reads `tls`, `TLS`, `mtls` (Lync's name for mutual TLS), `tcp`, `udp`.
    pub fn parse(s: &str) -> Option<Transport> {
        let s = s.trim();
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        if is("tls") || is("mtls") {
            Some(Transport::Tls)
        } else if is("tcp") {
            Some(Transport::Tcp)
        } else if is("udp") {
            Some(Transport::Udp)
        } else {
            None
        }
    }
}

/// A timestamp as written in the log and, where it could be read, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    /// Exactly as written, e.g. `11/30/2006|14:02:11.123`.
    pub written: String,
    /// Milliseconds since 1970-01-01 UTC (or since midnight when the log has no date).
    pub millis: Option<i64>,
}

/// The first line of a SIP message (owned form; see [`SipMessage::start_line`] for the borrowed
/// one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StartLine {
    Request { method: String, uri: String },
    Response { code: u16, reason: String },
}

/// The first line of a message, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartLineRef<'a> {
    Request { method: &'a str, uri: &'a str },
    Response { code: u16, reason: &'a str },
}

impl StartLineRef<'_> {
    pub fn to_owned_line(self) -> StartLine {
        match self {
            StartLineRef::Request { method, uri } => StartLine::Request {
                method: method.to_string(),
                uri: uri.to_string(),
            },
            StartLineRef::Response { code, reason } => StartLine::Response {
                code,
                reason: reason.to_string(),
            },
        }
    }
}

/// One header line (owned form), name in canonical long form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// One header line of a message, borrowed from it. An empty `name` is a line the reader could
/// not split into name and value (kept whole in `value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderRef<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

/// A message's timestamp, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampRef<'a> {
    pub written: &'a str,
    pub millis: Option<i64>,
}

/// How far the message, as written, is legal SIP (RFC 3261). Every message is kept and read in
/// full by the lenient front end whatever its grade; the grade describes the message, not a
/// parser's limits (the checks and what each grade covers: `ingest::validate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ParseQuality {
    /// Legal SIP as written (compact names, folding, escapes, odd tokens, IPv6 references and
    /// empty reason phrases are legal).
    Clean,
    /// Not legal as written, but a mechanical, lossless repair made it so (LF-only line ends,
    /// a uniform indent, ...); `reasons` lists the repairs.
    Repaired { reasons: Vec<String> },
    /// Really wrong: `reason` says what, starting with the first faulty `line` of the file (the
    /// file's problems list every fault on its line). Start line and headers were still read.
    Partial {
        reason: String,
        #[serde(default)]
        line: u32,
    },
}

/// Canonical spellings of the header names logs use; a [`Span`] can name one by index.
pub const KNOWN_HEADERS: &[&str] = &[
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Contact",
    "Content-Length",
    "Content-Type",
    "Max-Forwards",
    "User-Agent",
    "Supported",
    "Route",
    "Record-Route",
    "Event",
    "Expires",
    "Server",
    "Accept",
    "Accept-Contact",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Authentication-Info",
    "Authorization",
    "Call-Info",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Date",
    "Error-Info",
    "History-Info",
    "In-Reply-To",
    "Min-Expires",
    "Min-SE",
    "MIME-Version",
    "Organization",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Priority",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "RAck",
    "Reason",
    "Refer-To",
    "Referred-By",
    "Reply-To",
    "Require",
    "Retry-After",
    "RSeq",
    "Session-Expires",
    "Subject",
    "Subscription-State",
    "Timestamp",
    "Unsupported",
    "Warning",
    "WWW-Authenticate",
    "Content-ID",
    "Path",
    "Privacy",
    "Replaces",
    "Request-Disposition",
    "Reject-Contact",
    "Identity",
    "Identity-Info",
    "SIP-ETag",
    "SIP-If-Match",
    "ms-diagnostics",
    "ms-diagnostics-public",
    "ms-client-diagnostics",
    "ms-keep-alive",
    "ms-subnet",
    "ms-endpoint-location-data",
    "ms-text-format",
    "ms-conversation-id",
    "ms-application-via",
    "ms-edge-proxy-message-trust",
    "ms-user-logon-data",
    "ms-asserted-verification-level",
    "ms-server",
    "ms-accepted-content-type",
    "ms-trusted-proxy",
    "ms-received-port",
    "ms-received-cid",
    "ms-split-domain-info",
    "ms-sensitivity",
    "ms-fe",
    "ms-source-network",
];

/// Indexes in [`KNOWN_HEADERS`] of the names the core looks up most (a test checks them).
pub mod known {
    pub const VIA: u16 = 0;
    pub const FROM: u16 = 1;
    pub const TO: u16 = 2;
    pub const CALL_ID: u16 = 3;
    pub const CSEQ: u16 = 4;
    pub const CONTACT: u16 = 5;
    pub const CONTENT_LENGTH: u16 = 6;
    pub const CONTENT_TYPE: u16 = 7;
    pub const MAX_FORWARDS: u16 = 8;
    pub const USER_AGENT: u16 = 9;
    pub const SUPPORTED: u16 = 10;
    pub const ROUTE: u16 = 11;
    pub const RECORD_ROUTE: u16 = 12;
    pub const EVENT: u16 = 13;
    pub const EXPIRES: u16 = 14;
    pub const SERVER: u16 = 15;
    pub const AUTHENTICATION_INFO: u16 = 23;
    pub const AUTHORIZATION: u16 = 24;
    pub const PROXY_AUTHORIZATION: u16 = 41;
    pub const MS_DIAGNOSTICS: u16 = 68;
    pub const MS_DIAGNOSTICS_PUBLIC: u16 = 69;
    pub const MS_CLIENT_DIAGNOSTICS: u16 = 70;
}

/// Index of a known header name (any letter case).
pub fn known_header(name: &str) -> Option<u16> {
    known_header_bytes(name.as_bytes())
}

/// [`known_header`] on the bytes of a name (readers hold bytes; a name is ASCII).
pub(crate) fn known_header_bytes(name: &[u8]) -> Option<u16> {
    // The names logs and code use most, without a lookup: by length, then a whole-word compare
    // of fixed size (no call to compare bytes) for the usual spelling, or in place in any
    // letter case (server logs write them upper case; scanning a list of them instead cost six
    // times as much per line there).
    let is = |word: &[u8]| name == word || name.eq_ignore_ascii_case(word);
    let common = match name.len() {
        2 if is(b"To") => known::TO,
        3 if is(b"Via") => known::VIA,
        4 if is(b"From") => known::FROM,
        4 if is(b"CSeq") => known::CSEQ,
        5 if is(b"Route") => known::ROUTE,
        5 if is(b"Event") => known::EVENT,
        6 if is(b"Server") => known::SERVER,
        7 if is(b"Call-ID") => known::CALL_ID,
        7 if is(b"Contact") => known::CONTACT,
        7 if is(b"Expires") => known::EXPIRES,
        9 if is(b"Supported") => known::SUPPORTED,
        10 if is(b"User-Agent") => known::USER_AGENT,
        12 if is(b"Content-Type") => known::CONTENT_TYPE,
        12 if is(b"Max-Forwards") => known::MAX_FORWARDS,
        12 if is(b"Record-Route") => known::RECORD_ROUTE,
        14 if is(b"Content-Length") => known::CONTENT_LENGTH,
        _ => u16::MAX,
    };
    if common != u16::MAX {
        return Some(common);
    }
    // Lower-cased into a stack buffer, then one hash lookup (no known name is this long).
    let mut buf = [0u8; 40];
    let lower = buf.get_mut(..name.len())?;
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    let lower = std::str::from_utf8(lower).ok()?;
    known_by_lower_case().get(lower).copied()
}

fn known_by_lower_case() -> &'static crate::fxhash::FxMap<String, u16> {
    static MAP: std::sync::OnceLock<crate::fxhash::FxMap<String, u16>> = std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        KNOWN_HEADERS
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((k.to_ascii_lowercase(), u16::try_from(i).ok()?)))
            .collect()
    })
}

/// A piece of a message's text: `len` bytes at `start` of the shared file text, or of the
/// message's own `extra` text when `start` has [`Span::EXTRA`] set. A header name span may
/// instead name a [`KNOWN_HEADERS`] entry ([`Span::known`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub const EXTRA: u32 = 1 << 31;
    const KNOWN: u32 = u32::MAX;

    pub fn known(index: u16) -> Span {
        Span {
            start: Span::KNOWN,
            len: u32::from(index),
        }
    }

    /// This span's text: in `text` (the file), or in `extra` when it is marked so. "" for a
    /// span that is not valid there; never panics.
    #[inline]
    pub fn in_texts<'a>(self, text: &'a str, extra: &'a str) -> &'a str {
        let (base, start) = if self.start & Span::EXTRA != 0 {
            (extra, self.start & !Span::EXTRA)
        } else {
            (text, self.start)
        };
        let a = start as usize;
        base.get(a..a.saturating_add(self.len as usize))
            .unwrap_or("")
    }

    pub fn known_index(self) -> Option<u16> {
        (self.start == Span::KNOWN).then(|| u16::try_from(self.len).unwrap_or(u16::MAX))
    }
}

/// One header line: its name (a [`KNOWN_HEADERS`] index or text) and value. The working form
/// readers build; a message keeps its headers packed ([`PackedSlot`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub name: Span,
    pub value: Span,
}

/// A header as a message keeps it, in 8 bytes: value start, value length and the name's
/// [`KNOWN_HEADERS`] index. A header whose name is not a known one or whose value is 64 KiB or
/// longer is [`PackedSlot::WIDE`]: its two full spans follow the message's headers in the same
/// box, `value_start` saying which pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedSlot {
    value_start: u32,
    value_len: u16,
    name: u16,
}

impl PackedSlot {
    /// A line that could not be split into name and value (empty name).
    const NAMELESS: u16 = u16::MAX;
    const WIDE: u16 = u16::MAX - 1;

    /// One span in a slot's place (the pairs of wide headers).
    fn of_span(s: Span) -> PackedSlot {
        PackedSlot {
            value_start: s.start,
            value_len: (s.len & 0xFFFF) as u16,
            name: (s.len >> 16) as u16,
        }
    }

    fn as_span(self) -> Span {
        Span {
            start: self.value_start,
            len: u32::from(self.value_len) | (u32::from(self.name) << 16),
        }
    }

    /// `headers` packed: one slot each, then a (name, value) pair of slots per wide header.
    pub(crate) fn pack(headers: &[Slot]) -> Box<[PackedSlot]> {
        let narrow = |h: &Slot| -> Option<PackedSlot> {
            let name = match h.name.known_index() {
                Some(i) if i < PackedSlot::WIDE => i,
                Some(_) => return None,
                None if h.name.len == 0 => PackedSlot::NAMELESS,
                None => return None,
            };
            Some(PackedSlot {
                value_start: h.value.start,
                value_len: u16::try_from(h.value.len).ok().filter(|&l| l != u16::MAX)?,
                name,
            })
        };
        let wide = headers.iter().filter(|h| narrow(h).is_none()).count();
        let mut packed = Vec::with_capacity(headers.len() + 2 * wide);
        let mut pairs = Vec::with_capacity(2 * wide);
        for h in headers {
            packed.push(narrow(h).unwrap_or_else(|| {
                let pair = u32::try_from(pairs.len() / 2).unwrap_or(u32::MAX);
                pairs.push(PackedSlot::of_span(h.name));
                pairs.push(PackedSlot::of_span(h.value));
                PackedSlot {
                    value_start: pair,
                    value_len: 0,
                    name: PackedSlot::WIDE,
                }
            }));
        }
        packed.extend(pairs);
        packed.into_boxed_slice()
    }

    /// The known-name index of a narrow slot (`None` for a wide or nameless one).
    #[inline]
    fn known(self) -> Option<u16> {
        (self.name < PackedSlot::WIDE).then_some(self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartSpans {
    Request { method: Span, uri: Span },
    Response { code: u16, reason: Span },
}

/// A SIP message read from a log. See the module docs for how its text is stored; read it
/// through the accessors.
#[derive(Clone)]
pub struct SipMessage {
    /// The file text the spans point into (shared by every message of the file).
    pub(crate) text: Arc<FileText>,
    /// Text the front end rewrote (rarely any): behind one thin pointer, as a `Box<str>` would
    /// be two words in every message.
    extra: Option<Box<Box<str>>>,
    pub source: SourceRef,
    /// The timestamp's milliseconds, when [`Present::MILLIS`].
    millis: i64,
    /// The headers, packed: the first `header_count` are one per header line.
    pub(crate) slots: Box<[PackedSlot]>,
    /// `None` is clean; messages of a file with the same repairs share one.
    quality: Option<Arc<ParseQuality>>,
    /// Other places the same message was seen (e.g. the client log and the server log); rare,
    /// so out of line.
    also_seen: Option<Box<AlsoSeen>>,
    time_span: Span,
    local_span: Span,
    peer_span: Span,
    /// Method and URI of a request; the status code (as `start`) and reason of a response.
    start_first: Span,
    start_second: Span,
    pub(crate) body_span: Span,
    header_count: u32,
    present: Present,
    pub direction: Option<Direction>,
    /// What the RCC index asks of it ([`crate::rcc_marks`]), read as it was built;
    /// [`SipMessage::MARKS_NOT_READ`] for a message made another way. In the padding: no message
    /// grows.
    rcc_marks: u8,
}

// What a kept message costs beside the file text on wasm32, where the app keeps it (a test checks
// the 64-bit size).
#[cfg(target_pointer_width = "32")]
const _: () = assert!(std::mem::size_of::<SipMessage>() <= 104);

/// A message's other places, behind one thin pointer (a `Box<[_]>` would be two words in every
/// message).
#[derive(Debug, Clone, Default)]
struct AlsoSeen(Vec<SourceRef>);

/// Which of a message's optional parts it has (one byte instead of an `Option` around each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Present(u8);

impl Present {
    pub const TIME: u8 = 1;
    pub const MILLIS: u8 = 2;
    pub const LOCAL: u8 = 4;
    pub const PEER: u8 = 8;
    pub const RESPONSE: u8 = 16;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    fn with(self, bit: u8, on: bool) -> Present {
        Present(if on { self.0 | bit } else { self.0 & !bit })
    }
}

/// The parts of a message read from a log, as spans: what [`SipMessage::from_spans`] packs.
pub(crate) struct MessageSpans<'a> {
    pub(crate) text: Arc<FileText>,
    pub extra: Box<str>,
    pub source: SourceRef,
    pub time: Option<(Span, Option<i64>)>,
    pub direction: Option<Direction>,
    pub local: Option<Span>,
    pub peer: Option<Span>,
    pub start: StartSpans,
    pub headers: &'a [Slot],
    pub body: Span,
    pub quality: Option<Arc<ParseQuality>>,
}

/// A SIP message as plain owned data: what tests and deserialisation build, and the JSON shape
/// of [`SipMessage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageParts {
    pub source: SourceRef,
    pub timestamp: Option<Timestamp>,
    pub direction: Option<Direction>,
    /// Local address (`ip:port`) where the format gives it.
    pub local: Option<String>,
    /// Peer address (`ip:port` or host) where the format gives it.
    pub peer: Option<String>,
    pub start_line: StartLine,
    pub headers: Vec<Header>,
    pub body: String,
    pub quality: ParseQuality,
    #[serde(default)]
    pub also_seen: Vec<SourceRef>,
}

/// Builds the `extra` text of a message from parts that are not in a shared text.
#[derive(Default)]
pub(crate) struct ExtraText(String);

impl ExtraText {
    pub fn push(&mut self, s: &str) -> Span {
        let start = u32::try_from(self.0.len()).unwrap_or(0) | Span::EXTRA;
        self.0.push_str(s);
        Span {
            start,
            len: u32::try_from(s.len()).unwrap_or(0),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn finish(self) -> Box<str> {
        self.0.into_boxed_str()
    }
}

impl From<MessageParts> for SipMessage {
    fn from(p: MessageParts) -> SipMessage {
        let mut x = ExtraText::default();
        let start = match &p.start_line {
            StartLine::Request { method, uri } => StartSpans::Request {
                method: x.push(method),
                uri: x.push(uri),
            },
            StartLine::Response { code, reason } => StartSpans::Response {
                code: *code,
                reason: x.push(reason),
            },
        };
        let headers: Vec<Slot> = p
            .headers
            .iter()
            .map(|h| Slot {
                name: match known_header(&h.name)
                    .filter(|&i| KNOWN_HEADERS.get(usize::from(i)) == Some(&h.name.as_str()))
                {
                    Some(i) => Span::known(i),
                    None => x.push(&h.name),
                },
                value: x.push(&h.value),
            })
            .collect();
        let time = p.timestamp.as_ref().map(|t| (x.push(&t.written), t.millis));
        let local = p.local.as_deref().map(|s| x.push(s));
        let peer = p.peer.as_deref().map(|s| x.push(s));
        let body = x.push(&p.body);
        let mut m = SipMessage::from_spans(MessageSpans {
            text: Arc::default(),
            extra: x.finish(),
            source: p.source,
            time,
            direction: p.direction,
            local,
            peer,
            start,
            headers: &headers,
            body,
            quality: None,
        });
        m.set_quality(p.quality);
        for seen in p.also_seen {
            m.add_also_seen(seen);
        }
        m
    }
}

impl SipMessage {
    pub(crate) fn from_spans(p: MessageSpans) -> SipMessage {
        let (time_span, millis) = p.time.unwrap_or_default();
        let (start_first, start_second, response) = match p.start {
            StartSpans::Request { method, uri } => (method, uri, false),
            StartSpans::Response { code, reason } => (
                Span {
                    start: u32::from(code),
                    len: 0,
                },
                reason,
                true,
            ),
        };
        let present = Present::default()
            .with(Present::TIME, p.time.is_some())
            .with(Present::MILLIS, millis.is_some())
            .with(Present::LOCAL, p.local.is_some())
            .with(Present::PEER, p.peer.is_some())
            .with(Present::RESPONSE, response);
        SipMessage {
            text: p.text,
            extra: (!p.extra.is_empty()).then(|| Box::new(p.extra)),
            source: p.source,
            millis: millis.unwrap_or(0),
            slots: PackedSlot::pack(p.headers),
            quality: p.quality,
            also_seen: None,
            time_span,
            local_span: p.local.unwrap_or_default(),
            peer_span: p.peer.unwrap_or_default(),
            start_first,
            start_second,
            body_span: p.body,
            header_count: u32::try_from(p.headers.len()).unwrap_or(u32::MAX),
            present,
            direction: p.direction,
            rcc_marks: Self::MARKS_NOT_READ,
        }
    }

    const MARKS_NOT_READ: u8 = u8::MAX;

    /// The [`crate::rcc_marks`] stored when the message was built, if they were.
    pub fn stored_rcc_marks(&self) -> Option<u8> {
        (self.rcc_marks != Self::MARKS_NOT_READ).then_some(self.rcc_marks)
    }

    /// Keeps [`crate::rcc_marks`] read while the message's text is still in the cache.
    pub(crate) fn store_rcc_marks(&mut self, marks: u8) {
        if marks != Self::MARKS_NOT_READ {
            self.rcc_marks = marks;
        }
    }

    /// The `Event` package without parameters, as written.
    pub fn event_package(&self) -> Option<&str> {
        self.known_header_value(known::EVENT).map(|e| {
            let end = memchr::memchr(b';', e.as_bytes()).unwrap_or(e.len());
            trim_value(&e[..end])
        })
    }

    /// The start line's spans.
    pub(crate) fn start(&self) -> StartSpans {
        if self.present.has(Present::RESPONSE) {
            StartSpans::Response {
                code: u16::try_from(self.start_first.start).unwrap_or(0),
                reason: self.start_second,
            }
        } else {
            StartSpans::Request {
                method: self.start_first,
                uri: self.start_second,
            }
        }
    }

    /// The value of the first header whose name is [`KNOWN_HEADERS`] entry `known` as its
    /// slot says (a name written as text is not looked at), as [`SipMessage::slots`] would find
    /// it but unpacking only wide slots.
    pub(crate) fn first_known_slot(&self, known: u16) -> Option<&str> {
        let narrow = self.slots.get(..self.header_count as usize).unwrap_or(&[]);
        narrow.iter().find_map(|&p| match p.known() {
            Some(i) => (i == known).then(|| self.span(self.unpack(p).value)),
            None => {
                let h = self.unpack(p);
                (h.name.known_index() == Some(known)).then(|| self.span(h.value))
            }
        })
    }

    /// [`SipMessage::first_known_slot`] of each of `known`, in one walk of the slots that ends
    /// once each was found (the Via, Call-ID, CSeq, From and To of every message come early).
    pub(crate) fn first_known_slots<const N: usize>(&self, known: [u16; N]) -> [Option<&str>; N] {
        let mut found = [None; N];
        let mut left = N;
        let narrow = self.slots.get(..self.header_count as usize).unwrap_or(&[]);
        for &p in narrow {
            let slot = match p.known() {
                Some(i) => known
                    .iter()
                    .position(|&k| k == i)
                    .map(|at| (at, self.unpack(p))),
                None => {
                    let h = self.unpack(p);
                    h.name
                        .known_index()
                        .and_then(|i| known.iter().position(|&k| k == i))
                        .map(|at| (at, h))
                }
            };
            if let Some((at, h)) = slot {
                if found[at].is_none() {
                    found[at] = Some(self.span(h.value));
                    left -= 1;
                    if left == 0 {
                        break;
                    }
                }
            }
        }
        found
    }

    /// The header slots in order, unpacked.
    pub(crate) fn slots(&self) -> impl ExactSizeIterator<Item = Slot> + '_ {
        let narrow = self.slots.get(..self.header_count as usize).unwrap_or(&[]);
        narrow.iter().map(|&p| self.unpack(p))
    }

    #[inline]
    fn unpack(&self, p: PackedSlot) -> Slot {
        match p.name {
            PackedSlot::WIDE => {
                let at = self.header_count as usize + 2 * p.value_start as usize;
                let span = |i: usize| self.slots.get(i).map_or(Span::default(), |s| s.as_span());
                Slot {
                    name: span(at),
                    value: span(at + 1),
                }
            }
            PackedSlot::NAMELESS => Slot {
                name: Span::default(),
                value: Span {
                    start: p.value_start,
                    len: u32::from(p.value_len),
                },
            },
            known => Slot {
                name: Span::known(known),
                value: Span {
                    start: p.value_start,
                    len: u32::from(p.value_len),
                },
            },
        }
    }

    /// How far the message is legal SIP.
    pub fn quality(&self) -> &ParseQuality {
        static CLEAN: ParseQuality = ParseQuality::Clean;
        self.quality.as_deref().unwrap_or(&CLEAN)
    }

    pub fn set_quality(&mut self, quality: ParseQuality) {
        self.set_shared_quality((quality != ParseQuality::Clean).then(|| Arc::new(quality)));
    }

    /// [`SipMessage::set_quality`] with one that may be shared (`None`: clean).
    pub(crate) fn set_shared_quality(&mut self, quality: Option<Arc<ParseQuality>>) {
        self.quality = quality;
    }

    /// Other places the same message was seen (e.g. the client log and the server log).
    pub fn also_seen(&self) -> &[SourceRef] {
        self.also_seen.as_deref().map_or(&[], |s| s.0.as_slice())
    }

    pub fn add_also_seen(&mut self, source: SourceRef) {
        self.also_seen.get_or_insert_default().0.push(source);
    }

    /// The text of a span ("" for a span that is not valid here; never panics).
    #[inline]
    pub(crate) fn span(&self, s: Span) -> &str {
        s.in_texts(&self.text, self.extra())
    }

    fn extra(&self) -> &str {
        self.extra.as_deref().map_or("", |x| x)
    }

    /// The name of a header slot (canonical).
    #[inline]
    pub(crate) fn name_of(&self, s: Span) -> &str {
        match s.known_index() {
            Some(i) => KNOWN_HEADERS.get(usize::from(i)).copied().unwrap_or(""),
            None => self.span(s),
        }
    }

    /// The headers in order.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = HeaderRef<'_>> + '_ {
        self.slots().map(|h| HeaderRef {
            name: self.name_of(h.name),
            value: self.span(h.value),
        })
    }

    /// Number of header lines.
    pub fn header_count(&self) -> usize {
        self.header_count as usize
    }

    /// The first header with this name (case-insensitive; pass the long form).
    pub fn header(&self, name: &str) -> Option<&str> {
        #[cfg(debug_assertions)]
        reads::count();
        match known_header(name) {
            Some(known) => self.first_known(known, name),
            None => self.values_named(None, name).next(),
        }
    }

    /// [`SipMessage::header`] of a name in [`KNOWN_HEADERS`], by its index: no name to look up
    /// (the accessors below run for every message in every pass).
    pub fn known_header_value(&self, known: u16) -> Option<&str> {
        #[cfg(debug_assertions)]
        reads::count();
        let name = KNOWN_HEADERS.get(usize::from(known)).copied().unwrap_or("");
        self.first_known(known, name)
    }

    /// The value of the first header named `name`, whose [`KNOWN_HEADERS`] index is `known`:
    /// one compare of integers per narrow slot, the wide ones read out of line. The ladder and
    /// the diagnosis ask this for every message several times over; an iterator of closures
    /// around the same walk cost a third of their instructions.
    #[inline]
    fn first_known(&self, known: u16, name: &str) -> Option<&str> {
        let narrow = self.slots.get(..self.header_count as usize).unwrap_or(&[]);
        for &p in narrow {
            if p.name == known {
                return Some(self.narrow_value(p));
            }
            if p.name == PackedSlot::WIDE {
                if let Some(value) = self.wide_value_named(p, known, name) {
                    return Some(value);
                }
            }
        }
        None
    }

    /// The value of a narrow slot (a known name or none).
    #[inline]
    fn narrow_value(&self, p: PackedSlot) -> &str {
        self.span(Span {
            start: p.value_start,
            len: u32::from(p.value_len),
        })
    }

    /// The value of wide slot `p` when its name is `known` (or, kept as text, `name` in any
    /// letter case).
    #[inline(never)]
    fn wide_value_named(&self, p: PackedSlot, known: u16, name: &str) -> Option<&str> {
        let h = self.unpack(p);
        let named = match h.name.known_index() {
            Some(i) => i == known,
            None => self.span(h.name).eq_ignore_ascii_case(name),
        };
        named.then(|| self.span(h.value))
    }

    /// The values of the headers named `name` (whose [`KNOWN_HEADERS`] index is `known`): a
    /// known name compares as an integer, any other by its text.
    #[inline]
    fn values_named<'a: 'n, 'n>(
        &'a self,
        known: Option<u16>,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + 'n {
        let narrow = self.slots.get(..self.header_count as usize).unwrap_or(&[]);
        narrow
            .iter()
            .filter_map(move |&p| match (known, p.known()) {
                // The common case, without unpacking.
                (Some(k), Some(i)) => (k == i).then(|| self.narrow_value(p)),
                (Some(k), None) if p.name == PackedSlot::WIDE => self.wide_value_named(p, k, name),
                (Some(_), None) => None,
                (None, _) => {
                    let h = self.unpack(p);
                    (h.name.known_index().is_none() && self.span(h.name).eq_ignore_ascii_case(name))
                        .then(|| self.span(h.value))
                }
            })
    }

    /// The values of every header whose [`KNOWN_HEADERS`] index is `known`, in order.
    pub fn known_header_values(&self, known: u16) -> impl Iterator<Item = &str> + '_ {
        #[cfg(debug_assertions)]
        reads::count();
        let name = KNOWN_HEADERS.get(usize::from(known)).copied().unwrap_or("");
        self.values_named(Some(known), name)
    }

    /// Every header with this name, in order (Via, Record-Route, ms-diagnostics repeat).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        #[cfg(debug_assertions)]
        reads::count();
        self.values_named(known_header(name), name)
    }

    /// Every header with one of these [`KNOWN_HEADERS`] names (by index, see [`known`]), in
    /// order, with the place of its name in `names`: one walk for names read together (`Server`
    /// and `User-Agent`, the three `ms-diagnostics`). The names are indexes, not text, because
    /// the topology and the generation read them on every message the index keeps: looking each
    /// name up again on every call cost more than the walk.
    pub fn headers_among<'a>(
        &'a self,
        names: &'a [u16],
    ) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        #[cfg(debug_assertions)]
        reads::count();
        let narrow = self.slots.get(..self.header_count as usize).unwrap_or(&[]);
        narrow.iter().filter_map(move |&p| {
            match p.known() {
                // The common case: a known name, compared as an integer.
                Some(i) => {
                    let at = names.iter().position(|&k| k == i)?;
                    Some((at, self.narrow_value(p)))
                }
                None => self.wide_among(p, names),
            }
        })
    }

    /// [`SipMessage::headers_among`] of a wide or nameless slot, out of line.
    #[inline(never)]
    fn wide_among(&self, p: PackedSlot, names: &[u16]) -> Option<(usize, &str)> {
        let h = self.unpack(p);
        let at = match h.name.known_index() {
            Some(i) => names.iter().position(|&k| k == i)?,
            // A name kept as text (not in the canonical spelling) is compared as text, as
            // [`SipMessage::header`] does.
            None => {
                let name = self.span(h.name);
                names.iter().position(|&k| {
                    KNOWN_HEADERS
                        .get(usize::from(k))
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })?
            }
        };
        Some((at, self.span(h.value)))
    }

    /// The start line, borrowed.
    pub fn start_line(&self) -> StartLineRef<'_> {
        match self.start() {
            StartSpans::Request { method, uri } => StartLineRef::Request {
                method: self.span(method),
                uri: self.span(uri),
            },
            StartSpans::Response { code, reason } => StartLineRef::Response {
                code,
                reason: self.span(reason),
            },
        }
    }

    pub fn body(&self) -> &str {
        self.span(self.body_span)
    }

    /// Local address (`ip:port`) where the format gives it.
    pub fn local(&self) -> Option<&str> {
        self.present
            .has(Present::LOCAL)
            .then(|| self.span(self.local_span))
    }

    /// Peer address (`ip:port` or host) where the format gives it.
    pub fn peer(&self) -> Option<&str> {
        self.present
            .has(Present::PEER)
            .then(|| self.span(self.peer_span))
    }

    pub fn timestamp(&self) -> Option<TimestampRef<'_>> {
        self.present.has(Present::TIME).then(|| TimestampRef {
            written: self.span(self.time_span),
            millis: self.millis(),
        })
    }

    /// Milliseconds of the timestamp, when it could be read.
    pub fn millis(&self) -> Option<i64> {
        self.present.has(Present::MILLIS).then_some(self.millis)
    }

    /// Adds a clock offset to the timestamp (the `written` text stays as written).
    pub fn shift_millis(&mut self, offset_ms: i64) {
        if self.present.has(Present::MILLIS) {
            self.millis = self.millis.saturating_add(offset_ms);
        }
    }

    /// Heap bytes this message owns beyond its struct and the shared file text, and in how
    /// many blocks (for memory benchmarks).
    pub fn owned_heap(&self) -> (usize, usize) {
        let extra = self
            .extra
            .as_ref()
            .map_or(0, |x| std::mem::size_of::<Box<str>>() + x.len());
        let mut bytes = self.slots.len() * std::mem::size_of::<PackedSlot>() + extra;
        let mut blocks = usize::from(!self.slots.is_empty()) + 2 * usize::from(extra > 0);
        // A quality shared by several messages is counted with each (an upper bound), with the
        // reference counts of its `Arc`.
        let arc = std::mem::size_of::<ParseQuality>() + 2 * std::mem::size_of::<usize>();
        match self.quality.as_deref() {
            None | Some(ParseQuality::Clean) => {}
            Some(ParseQuality::Repaired { reasons }) => {
                bytes += arc
                    + reasons.capacity() * std::mem::size_of::<String>()
                    + reasons.iter().map(String::capacity).sum::<usize>();
                blocks += 2 + reasons.len();
            }
            Some(ParseQuality::Partial { reason, .. }) => {
                bytes += arc + reason.capacity();
                blocks += 2;
            }
        }
        if let Some(seen) = &self.also_seen {
            bytes += std::mem::size_of::<AlsoSeen>()
                + seen.0.capacity() * std::mem::size_of::<SourceRef>();
            blocks += 2;
        }
        (bytes, blocks)
    }

    /// The message as plain owned data.
    pub fn to_parts(&self) -> MessageParts {
        MessageParts {
            source: self.source.clone(),
            timestamp: self.timestamp().map(|t| Timestamp {
                written: t.written.to_string(),
                millis: t.millis,
            }),
            direction: self.direction,
            local: self.local().map(str::to_string),
            peer: self.peer().map(str::to_string),
            start_line: self.start_line().to_owned_line(),
            headers: self
                .headers()
                .map(|h| Header {
                    name: h.name.to_string(),
                    value: h.value.to_string(),
                })
                .collect(),
            body: self.body().to_string(),
            quality: self.quality().clone(),
            also_seen: self.also_seen().to_vec(),
        }
    }

    pub fn method(&self) -> Option<&str> {
        match self.start() {
            StartSpans::Request { method, .. } => Some(self.span(method)),
            StartSpans::Response { .. } => None,
        }
    }

    pub fn request_uri(&self) -> Option<&str> {
        match self.start() {
            StartSpans::Request { uri, .. } => Some(self.span(uri)),
            StartSpans::Response { .. } => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self.start() {
            StartSpans::Response { code, .. } => Some(code),
            StartSpans::Request { .. } => None,
        }
    }

    /// The reason phrase of a response.
    pub fn reason(&self) -> Option<&str> {
        match self.start() {
            StartSpans::Response { reason, .. } => Some(self.span(reason)),
            StartSpans::Request { .. } => None,
        }
    }

    pub fn is_request(&self) -> bool {
        !self.present.has(Present::RESPONSE)
    }

    pub fn call_id(&self) -> Option<&str> {
        self.known_header_value(known::CALL_ID).map(trim_value)
    }

    /// `CSeq` as (number, method).
    pub fn cseq(&self) -> Option<(u32, &str)> {
        let v = trim_value(self.known_header_value(known::CSEQ)?);
        // The number holds no white space: it is the whole word before the first.
        let (n, m) = split_at_white_space(v)?;
        Some((n.parse().ok()?, trim_value(m)))
    }

    pub fn from_tag(&self) -> Option<&str> {
        self.known_header_value(known::FROM).and_then(param_tag)
    }

    pub fn to_tag(&self) -> Option<&str> {
        self.known_header_value(known::TO).and_then(param_tag)
    }

    /// Content-Type without parameters, lower-cased comparison left to the caller.
    pub fn content_type(&self) -> Option<&str> {
        self.known_header_value(known::CONTENT_TYPE).map(|v| {
            let end = memchr::memchr(b';', v.as_bytes()).unwrap_or(v.len());
            trim_value(&v[..end])
        })
    }

    /// The evidence pointing at this message, with its start line as excerpt.
    pub fn evidence(&self) -> Evidence {
        Evidence::Log {
            file: self.source.file.to_string(),
            line_start: self.source.line_start,
            line_end: self.source.line_end,
            excerpt: self.start_line_text(),
        }
    }

    /// The message as SIP text (CRLF line ends, headers in order with canonical names, folded
    /// headers unfolded, body as read). For a message read `Clean` from CRLF text with long
    /// header names this is the original text.
    pub fn to_text(&self) -> String {
        let size = 64
            + self.body_span.len as usize
            + self
                .headers()
                .map(|h| h.name.len() + h.value.len() + 4)
                .sum::<usize>();
        let mut s = String::with_capacity(size);
        s.push_str(&self.start_line_text());
        s.push_str("\r\n");
        for h in self.headers() {
            // A line the reader could not split into name and value is kept whole (empty name).
            if !h.name.is_empty() {
                s.push_str(h.name);
                s.push_str(": ");
            }
            s.push_str(h.value);
            s.push_str("\r\n");
        }
        s.push_str("\r\n");
        s.push_str(self.body());
        s
    }

    /// The start line as it would be written.
    pub fn start_line_text(&self) -> String {
        match self.start_line() {
            StartLineRef::Request { method, uri } => format!("{method} {uri} SIP/2.0"),
            StartLineRef::Response { code, reason } => format!("SIP/2.0 {code} {reason}"),
        }
    }
}

impl std::fmt::Debug for SipMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not derived: that would print the whole shared file text for every message.
        self.to_parts().fmt(f)
    }
}

impl PartialEq for SipMessage {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.timestamp() == other.timestamp()
            && self.direction == other.direction
            && self.local() == other.local()
            && self.peer() == other.peer()
            && self.start_line() == other.start_line()
            && self.headers().eq(other.headers())
            && self.body() == other.body()
            && self.quality() == other.quality()
            && self.also_seen() == other.also_seen()
    }
}

impl Eq for SipMessage {}

impl Serialize for SipMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_parts().serialize(s)
    }
}

impl<'de> Deserialize<'de> for SipMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SipMessage, D::Error> {
        MessageParts::deserialize(d).map(SipMessage::from)
    }
}

/// `s.trim()`, without its character-by-character search when both ends are printable ASCII
/// (as in most header values): no white space can be trimmed then.
#[inline]
pub fn trim_value(s: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&c| c > b' ' && c < 0x7F);
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// `s.split_once(char::is_whitespace)`, by bytes where the white space is ASCII: the words of
/// a CSeq or a Via's protocol and sent-by, read for every message by the ladder and the
/// diagnosis.
#[inline]
pub fn split_at_white_space(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    // char::is_whitespace's ASCII members (vertical tab included), or a byte that starts or
    // continues a character outside ASCII, which may be white space.
    let at = b
        .iter()
        .position(|&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') || c >= 0x80)?;
    if b[at] >= 0x80 {
        return s.split_once(char::is_whitespace);
    }
    Some((&s[..at], &s[at + 1..]))
}

/// `s` without the runs of `lead` at its start and of `trail` at its end, as
/// `s.trim_start_matches(lead).trim_end_matches(trail)` (both ASCII) but by bytes.
#[inline]
pub fn strip_runs(s: &str, lead: u8, trail: u8) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| c != lead).unwrap_or(b.len());
    let end = b[start..]
        .iter()
        .rposition(|&c| c != trail)
        .map_or(start, |i| start + i + 1);
    // Both ends are next to an ASCII byte or the text's ends: character boundaries.
    &s[start..end]
}

/// `s` trimmed ([`trim_value`]) and without the quotes around it (a quoted tag).
#[inline]
pub fn trim_quoted(s: &str) -> &str {
    strip_runs(trim_value(s), b'"', b'"')
}

/// The `tag` parameter of a From/To value: among the parameters after the closing '>' (after
/// the URI when there are no brackets), the first named `tag` (any case; SIP white space around
/// the name), its value trimmed and unquoted. Every message is asked (its dialog), so by bytes,
/// and the usual shape, a first parameter written `;tag=`, is tried first.
pub(crate) fn param_tag(value: &str) -> Option<&str> {
    let b = value.as_bytes();
    let from = memchr::memrchr(b'>', b).map_or(0, |i| i + 1);
    if b.get(from..).is_some_and(|r| r.starts_with(b";tag=")) {
        let start = from + 5;
        let len = memchr::memchr(b';', b.get(start..)?).unwrap_or(b.len() - start);
        // ASCII bytes around: the offsets are character boundaries.
        return value.get(start..start + len).map(trim_quoted);
    }
    let mut i = from;
    while let Some(p) = memchr::memchr(b';', b.get(i..)?) {
        let at = i + p + 1;
        let rest = b.get(at..)?;
        let name_end = memchr::memchr2(b'=', b';', rest).unwrap_or(rest.len());
        if rest.get(name_end) == Some(&b'=')
            && rest
                .get(..name_end)?
                .trim_ascii()
                .eq_ignore_ascii_case(b"tag")
        {
            let start = at + name_end + 1;
            let len = memchr::memchr(b';', b.get(start..)?).unwrap_or(b.len() - start);
            return value.get(start..start + len).map(trim_quoted);
        }
        i = at;
    }
    None
}

/// The `branch` parameter of a Via value's first via-parm (the top one: a transaction's
/// branch), its value trimmed. memchr scans: every message is asked (its transaction, in the
/// correlation and the ladder), and a Via value is long.
pub fn via_branch(via: &str) -> Option<&str> {
    let b = via.as_bytes();
    // The usual shape: the branch is the first parameter, written `;branch=`, and the first
    // via-parm has no ',' before it; the value ends at the next ';' or ','. Only the short
    // sent-protocol and sent-by are scanned for a ',', not the whole (long) value.
    let semi = memchr::memchr(b';', b)?;
    let first_parm = memchr::memchr(b',', b.get(..semi)?).is_none();
    if first_parm && b.get(semi + 1..).is_some_and(|r| r.starts_with(b"branch=")) {
        let start = semi + 8;
        let end = memchr::memchr2(b';', b',', b.get(start..)?).map_or(b.len(), |p| start + p);
        // ASCII bytes around: the offsets are character boundaries.
        return via.get(start..end).map(str::trim);
    }
    let first_end = memchr::memchr(b',', b).unwrap_or(b.len());
    let first = b.get(..first_end)?;
    let mut at = memchr::memchr(b';', first)?;
    while at < first_end {
        let start = at + 1;
        let end = memchr::memchr(b';', first.get(start..)?).map_or(first_end, |p| start + p);
        let param = first.get(start..end)?;
        if let Some(eq) = memchr::memchr(b'=', param) {
            let name = param.get(..eq)?.trim_ascii();
            if name.eq_ignore_ascii_case(b"branch") {
                return via.get(start + eq + 1..end).map(str::trim);
            }
        }
        at = end;
    }
    None
}

/// A non-SIP record a log carries as evidence, e.g. an LCS/OCS diagnostic record explaining why
/// the proxy rejected a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    pub source: SourceRef,
    pub timestamp: Option<Timestamp>,
    /// Fields as written (`Result-Code`, `SIP-Call-ID`, `Text`, ...).
    pub fields: Vec<(String, String)>,
}

impl LogEvent {
    pub fn field(&self, name: &str) -> Option<&str> {
        #[cfg(debug_assertions)]
        reads::count();
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The work an analysis does, counted in debug builds only, for the core's own tests (no cost in
/// a release build; `rcc-core`'s tests, in another crate, count too): how
/// many times it read a message header ([`SipMessage::header`], [`SipMessage::headers_named`])
/// or a record's field ([`LogEvent::field`]), on this thread. Tests that double a log and
/// expect at most double the reads catch a per-message scan inside a per-message loop without
/// timing anything.
#[cfg(debug_assertions)]
pub mod reads {
    use std::cell::Cell;

    thread_local! {
        static READS: Cell<u64> = const { Cell::new(0) };
    }

    /// One read (also called by the few loops that compare without reading a header).
    pub fn count() {
        READS.with(|r| r.set(r.get() + 1));
    }

    /// The reads since the last call, and start again from zero.
    pub fn take() -> u64 {
        READS.with(|r| r.replace(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches() {
        let b = via_branch;
        assert_eq!(
            b("SIP/2.0/TLS h:5061;branch=z9hG4bKa;received=1.2.3.4"),
            Some("z9hG4bKa")
        );
        assert_eq!(
            b("SIP/2.0/TLS h;rport; BRANCH = z9x ,SIP/2.0/UDP g;branch=no"),
            Some("z9x")
        );
        assert_eq!(b("SIP/2.0/UDP h, SIP/2.0/UDP g;branch=second"), None);
        assert_eq!(b("SIP/2.0/UDP h;branch"), None);
        assert_eq!(b("SIP/2.0/UDP h"), None);
    }

    /// The branch reader against the plain reading (split at ',', ';' and '='), on the shapes
    /// logs write and some they should not: the first parameter or a later one, any case, white
    /// space, empty values, a second via-parm.
    #[test]
    fn branches_read_as_the_plain_split_reads_them() {
        fn plain(via: &str) -> Option<&str> {
            let first = via.split(',').next()?;
            first.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim_ascii()
                    .eq_ignore_ascii_case("branch")
                    .then(|| v.trim())
            })
        }
        for via in [
            "SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1;ms-received-port=5061",
            "SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1",
            "SIP/2.0/TLS 10.0.0.1:5061;branch=",
            "SIP/2.0/TLS 10.0.0.1:5061;branch= z9 ;x",
            "SIP/2.0/TLS 10.0.0.1:5061;branch=a,SIP/2.0/TLS h;branch=b",
            "SIP/2.0/TLS 10.0.0.1:5061,SIP/2.0/TLS h;branch=b",
            "SIP/2.0/TLS h;received=1.2.3.4;BRANCH = z9hG4bKx;rport",
            "SIP/2.0/TLS h;branchy=1;branch=2",
            "SIP/2.0/TLS h;branch;branch=3",
            "SIP/2.0/TLS h;;branch=4",
            "SIP/2.0/UDP h;branch=ü;x",
            "SIP/2.0/UDP h",
            "",
        ] {
            assert_eq!(via_branch(via), plain(via), "{via:?}");
        }
    }

    /// The tag reader against the plain reading (split at ';', then at '='), on the shapes logs
    /// write and some they should not.
    #[test]
    fn tags_read_as_the_plain_split_reads_them() {
        fn plain(value: &str) -> Option<&str> {
            let params = value.rfind('>').map_or(value, |i| &value[i + 1..]);
            params.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim_ascii()
                    .eq_ignore_ascii_case("tag")
                    .then(|| trim_quoted(v))
            })
        }
        for value in [
            "\"A\" <sip:a@b;tag=no>;tag=abc;epid=1",
            "<sip:a@b>;epid=1;TAG = x",
            "<sip:a@b>;epid=1;TAG=x",
            "sip:a@b;tag=q",
            "<sip:a@b>;tag",
            "<sip:a@b>",
            "<sip:a@b>;tag=",
            "<sip:a@b>;tag=\"quoted\";x=1",
            "<sip:a@b>;tag= spaced ;x=1",
            "<sip:a@b>;tagx=1;tag=2",
            "<sip:a@b>;tag;tag=3",
            "<sip:a@b>;;tag=4",
            ";tag=5",
            "<sip:a@b>;tag=ü",
            "",
        ] {
            assert_eq!(param_tag(value), plain(value), "{value:?}");
        }
        assert_eq!(
            param_tag("\"A\" <sip:a@b;tag=no>;tag=abc;epid=1"),
            Some("abc")
        );
        assert_eq!(param_tag("<sip:a@b>;epid=1;TAG = x"), Some("x"));
        assert_eq!(param_tag("<sip:a@b>;tag"), None);
    }

    fn msg(headers: &[(&str, &str)]) -> SipMessage {
        SipMessage::from(MessageParts {
            source: SourceRef {
                file: "t".into(),
                line_start: 1,
                line_end: 5,
            },
            timestamp: None,
            direction: None,
            local: None,
            peer: None,
            start_line: StartLine::Request {
                method: "INVITE".into(),
                uri: "sip:rcc@mcm.contoso.com".into(),
            },
            headers: headers
                .iter()
                .map(|(n, v)| Header {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            body: String::new(),
            quality: ParseQuality::Clean,
            also_seen: vec![],
        })
    }

    #[test]
    fn the_named_indexes_are_their_names() {
        for (i, name) in [
            (known::VIA, "Via"),
            (known::FROM, "From"),
            (known::TO, "To"),
            (known::CALL_ID, "Call-ID"),
            (known::CSEQ, "CSeq"),
            (known::CONTACT, "Contact"),
            (known::CONTENT_LENGTH, "Content-Length"),
            (known::CONTENT_TYPE, "Content-Type"),
            (known::MAX_FORWARDS, "Max-Forwards"),
            (known::USER_AGENT, "User-Agent"),
            (known::SUPPORTED, "Supported"),
            (known::ROUTE, "Route"),
            (known::RECORD_ROUTE, "Record-Route"),
            (known::EVENT, "Event"),
            (known::EXPIRES, "Expires"),
            (known::SERVER, "Server"),
            (known::AUTHENTICATION_INFO, "Authentication-Info"),
            (known::AUTHORIZATION, "Authorization"),
            (known::PROXY_AUTHORIZATION, "Proxy-Authorization"),
            (known::MS_DIAGNOSTICS, "ms-diagnostics"),
            (known::MS_DIAGNOSTICS_PUBLIC, "ms-diagnostics-public"),
            (known::MS_CLIENT_DIAGNOSTICS, "ms-client-diagnostics"),
        ] {
            assert_eq!(KNOWN_HEADERS[usize::from(i)], name);
            assert_eq!(known_header(name), Some(i));
            assert_eq!(known_header(&name.to_ascii_uppercase()), Some(i));
        }
    }

    #[test]
    fn a_message_and_its_headers_stay_small() {
        assert_eq!(std::mem::size_of::<PackedSlot>(), 8);
        assert!(std::mem::size_of::<SipMessage>() <= 136);
    }

    #[test]
    fn wide_and_nameless_headers_read_back() {
        let long = "x".repeat(70_000);
        let parts = [
            ("Via", long.as_str()),
            ("X-Custom", "a"),
            ("", "not a header"),
            ("CALL-ID", "written upper case"),
            ("To", "<sip:rcc@mcm.contoso.com>"),
            ("X-Custom", long.as_str()),
        ];
        let m = msg(&parts);
        let read: Vec<(&str, &str)> = m.headers().map(|h| (h.name, h.value)).collect();
        assert_eq!(read, parts);
        assert_eq!(m.header_count(), 6);
        assert_eq!(m.header("x-custom"), Some("a"));
        assert_eq!(m.headers_named("X-Custom").nth(1), Some(long.as_str()));
        assert_eq!(m.call_id(), Some("written upper case"));
        assert_eq!(m.header("To"), Some("<sip:rcc@mcm.contoso.com>"));
        assert_eq!(m.header("Via"), Some(long.as_str()));
        // Every way of asking by name reads what a walk of the headers by name reads.
        let server = "x".repeat(66_000);
        let m = msg(&[
            ("", "nameless"),
            ("user-agent", "text name"),
            ("Server", server.as_str()),
            ("Via", "SIP/2.0/TLS a;branch=1"),
            ("VIA", "SIP/2.0/TLS b;branch=2"),
            ("Server", "second"),
            ("Call-ID", &long),
        ]);
        for (i, name) in KNOWN_HEADERS.iter().enumerate() {
            let by_walk: Vec<&str> = m
                .headers()
                .filter(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value)
                .collect();
            let i = i as u16;
            assert_eq!(m.header(name), by_walk.first().copied(), "{name}");
            assert_eq!(m.known_header_value(i), by_walk.first().copied(), "{name}");
            assert_eq!(
                m.known_header_values(i).collect::<Vec<_>>(),
                by_walk,
                "{name}"
            );
            let names = [0, i];
            let among: Vec<&str> = m
                .headers_among(&names)
                .filter(|(at, _)| *at == 1)
                .map(|(_, v)| v)
                .collect();
            assert_eq!(among, if i == 0 { vec![] } else { by_walk }, "{name}");
        }
        assert_eq!(m.header(""), Some("nameless"));
    }

    #[test]
    fn quick_trims_trim_like_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}a\u{a0}",
            "a\u{3000}",
            "\u{1c}a",
            "\ta\r",
            "\"x\"",
            " \"x\" ",
            "\"\"",
            "x\"",
            "\u{85}",
        ] {
            assert_eq!(trim_value(s), s.trim(), "{s:?}");
            assert_eq!(trim_quoted(s), s.trim().trim_matches('"'), "{s:?}");
            assert_eq!(strip_runs(s, b'"', b'"'), s.trim_matches('"'), "{s:?}");
        }
        for s in [
            "", "<", "<>", "<<a>>", "<a", "a>", "<\u{e9}>", "><", "a<b>c", ">>>",
        ] {
            let by_chars = s.trim_start_matches('<').trim_end_matches('>');
            assert_eq!(strip_runs(s, b'<', b'>'), by_chars, "{s:?}");
        }
    }

    /// The words of a CSeq or a Via split by bytes as `split_once(char::is_whitespace)`
    /// splits them, ASCII white space (vertical tab too) or not.
    #[test]
    fn white_space_splits_as_the_char_split() {
        for s in [
            "",
            "1",
            "1 INVITE",
            "1\tINVITE",
            "1  INVITE ",
            " 1",
            "12\u{b}INFO",
            "12\u{c}INFO",
            "1\u{a0}INVITE",
            "1\u{3000}INVITE",
            "1\u{e9}\u{2003}X",
            "\u{85}x",
            "1\r\nX",
            "\u{1c}a b",
        ] {
            assert_eq!(
                split_at_white_space(s),
                s.split_once(char::is_whitespace),
                "{s:?}"
            );
        }
    }

    #[test]
    fn reads_tags_cseq_and_content_type() {
        let m = msg(&[
            ("From", "\"Alice\" <sip:alice@contoso.com>;tag=abc;epid=01"),
            ("To", "<sip:rcc@mcm.contoso.com>"),
            ("CSeq", "1 INVITE"),
            ("Content-Type", "application/csta+xml; charset=utf-8"),
        ]);
        assert_eq!(m.from_tag(), Some("abc"));
        assert_eq!(m.to_tag(), None);
        assert_eq!(m.cseq(), Some((1, "INVITE")));
        assert_eq!(m.content_type(), Some("application/csta+xml"));
    }
}
