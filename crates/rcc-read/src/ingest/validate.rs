//! Grading a message read by the lenient front end: is it legal SIP (RFC 3261) as written?
//!
//! The front end (`sipmsg`) reads every message whatever its state; this module only *judges*
//! what was read, with the grammar of [`super::grammar`], and says what is wrong on which line.
//! The grade ([`crate::sip::ParseQuality`]) describes the message, not a library's limits:
//!
//! - **clean**: legal SIP as written. Compact names, folded lines, white space before `:`
//!   (`HCOLON`), escapes, any `token` method, `;` in a user part, IPv6 references, an empty
//!   reason phrase, binary body parts are all legal.
//! - **repaired**: not legal as written, but a mechanical, lossless repair made it so; the
//!   repairs are listed (LF-only line ends restored to CRLF, a uniform indent removed, the
//!   space before an empty reason phrase restored).
//! - **partly parsed**: really wrong, each fault flagged on its line with the reason: a
//!   Content-Length that does not fit the body, unbalanced quotes, a bracketed or spaced
//!   request URI, wrong spacing in the start line, an unknown SIP version, an invalid status
//!   code, scalars beyond their RFC limits, a bad Date, missing mandatory headers, a CSeq method
//!   that is not the request's, a second To/From/Call-ID/CSeq/Max-Forwards/Content-Length/
//!   Content-Type with another value, control characters, bytes that are not UTF-8 in a header.
//!
//! What is *not* graded (a server may object, the message is still well formed): Max-Forwards
//! 0, unknown URI schemes, a Via without a `z9hG4bK` branch, `Require` of unknown extensions,
//! unknown authentication schemes, unknown body types. These do not change how far the message
//! can be trusted as evidence.

use super::grammar::{self as g, AddrRules, Fault, UriUse};
use super::Problem;
use crate::sip::{SipMessage, StartSpans, KNOWN_HEADERS};
use std::sync::OnceLock;

/// How a body fitted the Content-Length the message declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyFit {
    /// No usable Content-Length, or nothing to compare (the value itself is graded).
    Unchecked,
    /// The declared length framed the body.
    Fits,
    /// The declared length (`declared`) does not fit the `wire` bytes of body that were there.
    Mismatch { declared: u64, wire: usize },
}

/// What the reader knows about a message beyond its parts.
pub(crate) struct Facts<'a> {
    /// The start line as written (without a removed indent).
    pub start_raw: &'a [u8],
    pub start_line: u32,
    /// White space before the start line that is not a uniform indent of the whole message.
    pub leading_ws: bool,
    /// File line of each header slot (parallel to the message's slots).
    pub lines: &'a [u32],
    pub body: BodyFit,
    /// The file had bytes that were not UTF-8 (each became U+FFFD).
    pub lossy: bool,
}

/// What a header's value is checked as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Via,
    Addr(AddrRules),
    CSeq,
    CallId,
    MaxForwards,
    ContentLength,
    Seconds,
    Date,
    Warning,
    RetryAfter,
    ContentType,
    /// Structured, with quoted strings: only quotes and control characters are checked.
    Quoted,
    /// Free text (extension headers, Subject, User-Agent, ...): control characters only.
    Text,
}

impl Kind {
    fn of(name: &str) -> Kind {
        let one = AddrRules::default();
        let list = AddrRules {
            list: true,
            contact: false,
        };
        match name {
            "Via" => Kind::Via,
            "From" | "To" | "Reply-To" | "Refer-To" | "Referred-By" => Kind::Addr(one),
            "Contact" => Kind::Addr(AddrRules {
                list: true,
                contact: true,
            }),
            "Route" | "Record-Route" | "Path" | "P-Asserted-Identity" | "P-Preferred-Identity" => {
                Kind::Addr(list)
            }
            "CSeq" => Kind::CSeq,
            "Call-ID" => Kind::CallId,
            "Max-Forwards" => Kind::MaxForwards,
            "Content-Length" => Kind::ContentLength,
            "Expires" | "Min-Expires" => Kind::Seconds,
            "Date" => Kind::Date,
            "Warning" => Kind::Warning,
            "Retry-After" => Kind::RetryAfter,
            "Content-Type" => Kind::ContentType,
            "Authorization"
            | "Proxy-Authorization"
            | "WWW-Authenticate"
            | "Proxy-Authenticate"
            | "Authentication-Info"
            | "Accept"
            | "Event"
            | "Subscription-State"
            | "Content-Disposition"
            | "Reason"
            | "Call-Info"
            | "Alert-Info"
            | "Error-Info"
            | "ms-diagnostics"
            | "ms-diagnostics-public"
            | "ms-client-diagnostics" => Kind::Quoted,
            _ => Kind::Text,
        }
    }

    /// Kind per [`KNOWN_HEADERS`] index, computed once.
    fn of_known(i: u16) -> Kind {
        static KINDS: OnceLock<Vec<Kind>> = OnceLock::new();
        KINDS
            .get_or_init(|| KNOWN_HEADERS.iter().map(|n| Kind::of(n)).collect())
            .get(usize::from(i))
            .copied()
            .unwrap_or(Kind::Text)
    }

    fn quoted(self) -> bool {
        !matches!(self, Kind::Text | Kind::CallId)
    }

    /// Does this kind's own checker reject every raw control character? (Then the separate
    /// control-character pass runs only to name the fault when the checker fails.)
    fn rejects_controls(self) -> bool {
        !matches!(self, Kind::Quoted | Kind::Text | Kind::RetryAfter)
    }

    /// The single-instance headers a second, different copy makes ambiguous: index in `seen`.
    fn single(self, known: Option<u16>) -> Option<usize> {
        use crate::sip::known;
        Some(match self {
            Kind::Addr(_) if known == Some(known::FROM) => 0,
            Kind::Addr(_) if known == Some(known::TO) => 1,
            Kind::CallId => 2,
            Kind::CSeq => 3,
            Kind::MaxForwards => 4,
            Kind::ContentLength => 5,
            Kind::ContentType => 6,
            _ => return None,
        })
    }
}

/// Header values already judged legal in this file, by kind: a dialog's From, To and Contact,
/// a transaction's Via repeat across its messages (and, without their identifiers, across a
/// client's transactions: [`Memo`]), and a value judged once need not be parsed again. Exact:
/// the bytes are kept and compared, not only a hash. Bounded and never grown: both parts are
/// reserved once, at their limits ([`Seen::MAX_VALUES`], [`Seen::MAX_BYTES`]), and it starts
/// over when either is full, so a large log neither pays for growing them step by step nor
/// holds a doubled table at its peak.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    index: crate::fxhash::FxMap<u64, (u32, u32)>,
    arena: Vec<u8>,
}

impl Seen {
    /// A client's distinct values fill a few KiB; a busy server's dialogs, far more than this
    /// holds, and those repeat within a dialog, which a recent window keeps.
    const MAX_BYTES: usize = 1 << 17;
    const MAX_VALUES: usize = 2048;

    /// Reserved at the first insertion, so a file with nothing to remember pays nothing.
    fn reserve(&mut self) {
        if self.arena.capacity() == 0 {
            self.index.reserve(Self::MAX_VALUES);
            self.arena.reserve_exact(Self::MAX_BYTES);
        }
    }

    /// The key of a value under a kind's tag: computed once per value, for the look-up and,
    /// when it was not there, the insertion.
    fn key(tag: u8, v: &[u8]) -> u64 {
        Self::key_of(tag, Memo::whole(v))
    }

    fn key_of(tag: u8, m: Memo) -> u64 {
        use std::hash::Hasher;
        let mut h = crate::fxhash::Fx::default();
        // An excised value never shares a key with a whole one of the same bytes.
        h.write_u8(if m.tail.is_some() {
            tag | EXCISED_TAG
        } else {
            tag
        });
        h.write(m.head);
        if let Some(tail) = m.tail {
            h.write(tail);
        }
        h.finish()
    }

    fn contains(&self, key: u64, v: &[u8]) -> bool {
        self.contains_memo(key, Memo::whole(v))
    }

    fn contains_memo(&self, key: u64, m: Memo) -> bool {
        self.index.get(&key).is_some_and(|&(at, len)| {
            let (at, len) = (at as usize, len as usize);
            let tail = m.tail.unwrap_or(&[]);
            len == m.head.len() + tail.len()
                && self.arena.get(at..at + m.head.len()) == Some(m.head)
                && self.arena.get(at + m.head.len()..at + len) == Some(tail)
        })
    }

    fn insert(&mut self, key: u64, v: &[u8]) {
        self.insert_memo(key, Memo::whole(v));
    }

    fn insert_memo(&mut self, key: u64, m: Memo) {
        self.reserve();
        let tail = m.tail.unwrap_or(&[]);
        let n = m.head.len() + tail.len();
        if n > Self::MAX_BYTES {
            return;
        }
        // The map's capacity is at least MAX_VALUES; full means the next insertion would grow it.
        if self.arena.len() + n > Self::MAX_BYTES || self.index.len() == self.index.capacity() {
            self.index.clear();
            self.arena.clear();
        }
        let (Ok(at), Ok(len)) = (u32::try_from(self.arena.len()), u32::try_from(n)) else {
            return;
        };
        self.arena.extend_from_slice(m.head);
        self.arena.extend_from_slice(tail);
        self.index.insert(key, (at, len));
    }
}

/// What of a header value [`Seen`] remembers: the whole value, or the value without the one
/// identifier that is new in every transaction or dialog (a Via's branch, a From's or To's
/// tag), so that the next transaction of the same client is not parsed again. Sound because
/// the identifier is a run of `token` characters right after `;branch=` (`;tag=`) where the
/// grammar reads it as a parameter value or inside a quoted string: there every `token`
/// character is read alike, so any other non-empty run gives the same verdict. (Inside a
/// URI it would not: `%` is a `token` character but must be escaped there; hence a tag only
/// after the last `>`.) The `grammar` fuzz target checks this.
#[derive(Debug, Clone, Copy)]
struct Memo<'a> {
    head: &'a [u8],
    /// After the identifier; `None`: nothing excised.
    tail: Option<&'a [u8]>,
}

impl<'a> Memo<'a> {
    fn whole(v: &'a [u8]) -> Memo<'a> {
        Memo {
            head: v,
            tail: None,
        }
    }

    /// `v` without its identifier run ([`g::identifier_run`]), or whole.
    fn of(known: Option<u16>, v: &'a [u8]) -> Memo<'a> {
        use crate::sip::known;
        let which = match known {
            Some(known::VIA) => g::Identified::Via,
            Some(known::FROM | known::TO) => g::Identified::Address,
            _ => return Memo::whole(v),
        };
        match g::identifier_run(which, v) {
            Some((a, b)) => Memo {
                head: v.get(..a).unwrap_or(v),
                tail: Some(v.get(b..).unwrap_or(&[])),
            },
            None => Memo::whole(v),
        }
    }
}

/// Set in the tag of a value remembered without its identifier ([`Memo`]).
const EXCISED_TAG: u8 = 0x40;

/// The tags under which legal start lines are remembered.
const REQUEST_LINE_TAG: u8 = 0;
const STATUS_LINE_TAG: u8 = 8;

/// The tag under which a kind's legal values are remembered (`None`: not worth it; a Call-ID
/// is one pass over word characters, cheaper than hashing and remembering it, and it repeats
/// only within its dialog).
fn seen_tag(kind: Kind) -> Option<u8> {
    Some(match kind {
        Kind::Via => 1,
        Kind::Addr(r) => 2 + u8::from(r.list) + 2 * u8::from(r.contact),
        Kind::ContentType => 7,
        _ => return None,
    })
}

/// The mandatory headers (RFC 3261 §8.1.1), in the order of `seen`.
const MANDATORY: [&str; 5] = ["From", "To", "Call-ID", "CSeq", "Max-Forwards"];

/// At most this many faults are listed per message.
const MAX_FLAGS: usize = 8;

/// A value shortened for a message: at most 48 characters, control characters shown as `·`.
fn excerpt(v: &str) -> String {
    let v = v.trim();
    let mut s: String = v
        .chars()
        .take(48)
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    if v.chars().nth(48).is_some() {
        s.push('…');
    }
    s
}

struct Flags<'a>(&'a mut Vec<Problem>);

impl Flags<'_> {
    fn push(&mut self, line: u32, text: String) {
        if self.0.len() < MAX_FLAGS {
            self.0.push(Problem {
                line,
                message: format!("Line {line}: {text}"),
            });
        }
    }
}

/// Grades `m`: faults go to `flags` (each on its line), mechanical repairs to `repairs`.
pub(crate) fn check(
    m: &SipMessage,
    f: &Facts,
    known_good: &mut Seen,
    flags: &mut Vec<Problem>,
    repairs: &mut Vec<String>,
) {
    let mut flags = Flags(flags);
    let request_method = match m.start() {
        StartSpans::Request { method, .. } => Some(m.span(method)),
        StartSpans::Response { .. } => None,
    };
    if f.leading_ws {
        flags.push(
            f.start_line,
            "white space before the start line (the headers are not indented like it); a SIP \
             message starts at the first character of the line"
                .into(),
        );
    }
    // A start line is judged by its bytes alone, and most repeat (the same request URI, `SIP/2.0
    // 200 OK`): one judged without a fault or a repair is remembered like a header value.
    let tag = match request_method {
        Some(_) => REQUEST_LINE_TAG,
        None => STATUS_LINE_TAG,
    };
    let start_key = Seen::key(tag, f.start_raw);
    if !known_good.contains(start_key, f.start_raw) {
        let before = (flags.0.len(), repairs.len());
        match request_method {
            Some(_) => request_line(f.start_raw, f.start_line, &mut flags),
            None => status_line(f.start_raw, f.start_line, &mut flags, repairs),
        }
        if (flags.0.len(), repairs.len()) == before {
            known_good.insert(start_key, f.start_raw);
        }
    }

    // seen[k] = (line, value) of the first single-instance header k; via separately.
    let mut seen: [Option<(u32, &str)>; 7] = [None; 7];
    let mut via = false;
    let mut cl_line = None;
    for (i, slot) in m.slots().enumerate() {
        let line = f.lines.get(i).copied().unwrap_or(f.start_line);
        let value = m.span(slot.value);
        let name = m.name_of(slot.name);
        if name.is_empty() {
            flags.push(
                line,
                format!(
                    "`{}` is not a header line (no `name:`); it was kept as text",
                    excerpt(value)
                ),
            );
            continue;
        }
        let known = slot.name.known_index();
        let kind = known.map_or(Kind::Text, Kind::of_known);
        let v = value.as_bytes();
        let fault = |flt: Fault| format!("{name} `{}`: {flt}", excerpt(value));
        if kind == Kind::Via {
            via = true;
        }
        if let Some(k) = kind.single(known) {
            match seen.get(k).copied().flatten() {
                None => {
                    if let Some(s) = seen.get_mut(k) {
                        *s = Some((line, value));
                    }
                }
                Some((first, v0)) if v0.trim() != value.trim() => flags.push(
                    line,
                    format!(
                        "a second {name} header with another value (the first is on line {first}); \
                         a message has one {name}"
                    ),
                ),
                Some(_) => {}
            }
        }
        let memo = Memo::of(known, v);
        let key = seen_tag(kind).map(|t| Seen::key_of(t, memo));
        if key.is_some_and(|k| known_good.contains_memo(k, memo)) {
            continue;
        }
        if f.lossy && value.contains('\u{FFFD}') {
            flags.push(
                line,
                format!(
                    "{name}: bytes that are not UTF-8 (shown as U+FFFD); SIP header text is UTF-8"
                ),
            );
            continue;
        }
        if !kind.rejects_controls() {
            if let Err(e) = g::text(v, kind.quoted()) {
                flags.push(line, fault(e));
                continue;
            }
        }
        if kind == Kind::Quoted {
            if let Err(e) = g::quotes(v) {
                flags.push(line, fault(e));
                continue;
            }
        }
        let result = match kind {
            Kind::Via => g::via(v),
            Kind::Addr(rules) => g::addresses(v, rules),
            Kind::CSeq => match g::cseq(v) {
                Ok(method) => {
                    if let Some(rm) = request_method {
                        if method != rm.as_bytes() {
                            flags.push(
                                line,
                                format!(
                                    "the CSeq method {} is not the request's method {rm} (RFC 3261 \
                                     §8.1.1.5)",
                                    String::from_utf8_lossy(method)
                                ),
                            );
                        }
                    }
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Kind::CallId => g::call_id(v),
            Kind::MaxForwards => g::bounded(v.trim_ascii(), 255, Fault::MaxForwardsTooLarge),
            Kind::ContentLength => {
                cl_line = Some(line);
                g::bounded(
                    v.trim_ascii(),
                    u64::from(u32::MAX),
                    Fault::ContentLengthTooLarge,
                )
            }
            Kind::Seconds => g::delta_seconds(v.trim_ascii()),
            Kind::Date => g::date(v),
            Kind::Warning => g::warning(v),
            Kind::RetryAfter => g::retry_after(v),
            Kind::ContentType => g::media_type(v),
            Kind::Quoted | Kind::Text => Ok(()),
        };
        // A control character is the fault to name, whatever the checker stumbled on.
        let result = result.map_err(|e| match g::text(v, kind.quoted()) {
            Err(ctl) => ctl,
            Ok(()) => e,
        });
        match (result, key) {
            (Err(e), _) => flags.push(line, fault(e)),
            (Ok(()), Some(k)) => known_good.insert_memo(k, memo),
            (Ok(()), None) => {}
        }
    }

    let what = match request_method {
        Some(_) => "request",
        None => "response",
    };
    let missing: Vec<&str> = MANDATORY
        .iter()
        .enumerate()
        .filter(|&(k, name)| {
            seen.get(k).copied().flatten().is_none()
                && (request_method.is_some() || *name != "Max-Forwards")
        })
        .map(|(_, n)| *n)
        .chain((!via).then_some("Via"))
        .collect();
    if !missing.is_empty() {
        let list = missing.join(", ");
        flags.push(
            f.start_line,
            format!(
                "this {what} has no {list} header{} (RFC 3261 §8.1.1: every request carries To, \
                 From, CSeq, Call-ID, Max-Forwards and Via; responses all but Max-Forwards)",
                if missing.len() > 1 { "s" } else { "" }
            ),
        );
    }

    if let BodyFit::Mismatch { declared, wire } = f.body {
        let text = if declared > wire as u64 {
            format!(
                "Content-Length {declared} is more than the {wire} bytes of body that follow; the \
                 message may be cut, or the length is wrong"
            )
        } else {
            format!(
                "Content-Length {declared} does not match the {wire} bytes of body up to the next \
                 message"
            )
        };
        flags.push(cl_line.unwrap_or(f.start_line), text);
    }
}

/// `Request-Line = Method SP Request-URI SP SIP-Version CRLF`.
fn request_line(raw: &[u8], line: u32, flags: &mut Flags) {
    let shown = || excerpt(&String::from_utf8_lossy(raw));
    if raw.len() != raw.trim_ascii_end().len() {
        flags.push(
            line,
            format!(
                "white space after the SIP version at the end of the request line `{}`",
                shown()
            ),
        );
    }
    let r = raw.trim_ascii_end();
    let m_end = r
        .iter()
        .position(|&c| c == b' ' || c == b'\t')
        .unwrap_or(r.len());
    let v_start = r
        .iter()
        .rposition(|&c| c == b' ' || c == b'\t')
        .map_or(r.len(), |i| i + 1);
    let method = r.get(..m_end).unwrap_or(&[]);
    if !g::token(method) {
        flags.push(line, format!("the method of `{}` is not a token", shown()));
    }
    let single = |sep: Option<&[u8]>| sep == Some(b" ");
    let after_method = r.get(m_end..).unwrap_or(&[]);
    let uri_ws_end = after_method
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(after_method.len());
    let before_version = r.get(..v_start.saturating_sub(1)).unwrap_or(&[]);
    let uri_trail = before_version.len() - before_version.trim_ascii_end().len();
    if !single(after_method.get(..uri_ws_end)) || uri_trail > 0 {
        flags.push(
            line,
            format!(
                "`{}`: the request line must have exactly one space between method, request URI \
                 and version (RFC 3261 §7.1)",
                shown()
            ),
        );
    }
    let uri = r.get(m_end..v_start.max(m_end)).unwrap_or(&[]).trim_ascii();
    if let Err(e) = g::uri(uri, UriUse::Request) {
        flags.push(
            line,
            format!(
                "request URI `{}`: {e}",
                excerpt(&String::from_utf8_lossy(uri))
            ),
        );
    }
    version(r.get(v_start..).unwrap_or(&[]), line, flags);
}

/// `SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT`, and only 2.0 exists.
fn version(v: &[u8], line: u32, flags: &mut Flags) {
    if v.eq_ignore_ascii_case(b"SIP/2.0") {
        return;
    }
    let shown = String::from_utf8_lossy(v);
    let well_formed = v.len() > 4
        && v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"))
        && v.get(4..).is_some_and(|d| {
            let mut parts = d.split(|&c| c == b'.');
            let num = |p: Option<&[u8]>| {
                p.is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
            };
            num(parts.next()) && num(parts.next()) && parts.next().is_none()
        });
    flags.push(
        line,
        if well_formed {
            format!("unknown SIP version {shown}: only SIP/2.0 exists (RFC 3261 §7.1)")
        } else {
            format!("`{shown}` is not a SIP version (SIP/2.0)")
        },
    );
}

/// `Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF`.
fn status_line(raw: &[u8], line: u32, flags: &mut Flags, repairs: &mut Vec<String>) {
    let sp = raw
        .iter()
        .position(|&c| c == b' ' || c == b'\t')
        .unwrap_or(raw.len());
    version(raw.get(..sp).unwrap_or(&[]), line, flags);
    let rest = raw.get(sp..).unwrap_or(&[]);
    let code_at = rest
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(rest.len());
    let after = rest.get(code_at..).unwrap_or(&[]);
    let code_len = after
        .iter()
        .position(|&c| c == b' ' || c == b'\t')
        .unwrap_or(after.len());
    let code = after.get(..code_len).unwrap_or(&[]);
    if rest.get(..code_at) != Some(b" ") {
        flags.push(
            line,
            "the status line must have exactly one space between version and status code (RFC \
             3261 §7.2)"
                .into(),
        );
    }
    let valid_code = code.len() == 3
        && code.iter().all(u8::is_ascii_digit)
        && g::number(code).is_some_and(|c| (100..=699).contains(&c));
    if !valid_code {
        flags.push(
            line,
            format!(
                "status code {} is not three digits from 100 to 699 (RFC 3261 §7.2)",
                excerpt(&String::from_utf8_lossy(code))
            ),
        );
    }
    let reason = after.get(code_len..).unwrap_or(&[]);
    match reason.first() {
        None => repairs.push("space before the empty reason phrase restored".into()),
        Some(b' ') => {}
        Some(_) => flags.push(
            line,
            "a tab between status code and reason phrase; RFC 3261 §7.2 wants one space".into(),
        ),
    }
    if g::text(reason, false).is_err() {
        flags.push(line, "a control character in the reason phrase".into());
    }
}
