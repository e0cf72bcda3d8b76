//! What the RCC index ([`crate::observe::RccIndex`]) asks of each message, read when the
//! message is built, while its text is still in the cache. Asked in the index's walk instead,
//! each message's start line and headers were a cache miss there: 14 of the 25 ms the index
//! took on a 50 MB client trace. This module reads only the message, so the readers can ask
//! it as they build.

use crate::sip::{known, SipMessage};

/// The answers, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RccMarks(u8);

impl RccMarks {
    /// A SUBSCRIBE for the client's configuration (provisioning or roaming-self).
    pub const CONFIG_SUBSCRIBE: u8 = 1;
    /// It may be a configuration answer ([`config_candidate`]).
    pub const CONFIG_CANDIDATE: u8 = 2;
    /// [`is_csta_invite`].
    pub const CSTA_INVITE: u8 = 4;
    /// A REGISTER, or an answer to one.
    pub const REGISTER: u8 = 8;
    /// An answer to a SUBSCRIBE.
    pub const SUBSCRIBE_ANSWER: u8 = 16;
    /// An INFO whose body is CSTA ([`is_csta_info`]): a session the log shows only from
    /// inside (its INVITE before the log began) is found by these.
    pub const CSTA_INFO: u8 = 32;

    /// The marks stored with the message when it was built, else read now.
    pub fn read(m: &SipMessage) -> RccMarks {
        m.stored_rcc_marks()
            .map_or_else(|| RccMarks::of(m), RccMarks)
    }

    /// The marks of `m`, read from its text.
    pub fn of(m: &SipMessage) -> RccMarks {
        let named = |method: &str, name: &str| method.eq_ignore_ascii_case(name);
        let marks = match m.method() {
            Some(method) if named(method, "NOTIFY") || named(method, "BENOTIFY") => {
                Self::candidate(m)
            }
            Some(method) if named(method, "SUBSCRIBE") => {
                let config = m.event_package().is_some_and(|e| {
                    [
                        &b"vnd-microsoft-provisioning"[..],
                        b"vnd-microsoft-roaming-self",
                    ]
                    .iter()
                    .any(|p| starts_with_ci(e.as_bytes(), p))
                });
                if config {
                    Self::CONFIG_SUBSCRIBE
                } else {
                    0
                }
            }
            Some(method) if named(method, "INVITE") && is_csta_invite(m) => Self::CSTA_INVITE,
            Some(method) if named(method, "REGISTER") => Self::REGISTER,
            Some(method) if named(method, "INFO") && is_csta_info(m) => Self::CSTA_INFO,
            Some(_) => 0,
            None => {
                Self::candidate(m)
                    | match m.cseq() {
                        Some((_, method)) if named(method, "SUBSCRIBE") => Self::SUBSCRIBE_ANSWER,
                        Some((_, method)) if named(method, "REGISTER") => Self::REGISTER,
                        _ => 0,
                    }
            }
        };
        RccMarks(marks)
    }

    /// The marks [`RccMarks::bits`] gave (a message stores them as a byte).
    pub fn from_bits(bits: u8) -> RccMarks {
        RccMarks(bits)
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn has(self, mark: u8) -> bool {
        self.0 & mark != 0
    }

    fn candidate(m: &SipMessage) -> u8 {
        if config_candidate(m).is_some() {
            Self::CONFIG_CANDIDATE
        } else {
            0
        }
    }
}

/// A CSTA INVITE: an INVITE whose body is CSTA (content type, or a RequestSystemStatus body).
pub fn is_csta_invite(m: &SipMessage) -> bool {
    m.method().is_some_and(|x| x.eq_ignore_ascii_case("INVITE"))
        && (m
            .content_type()
            .is_some_and(|c| mentions(c.as_bytes(), b"csta", 1))
            || m.body().contains("RequestSystemStatus"))
}

/// A CSTA INFO: an INFO whose Content-Type is CSTA (a request or an event inside the session).
pub fn is_csta_info(m: &SipMessage) -> bool {
    m.method().is_some_and(|x| x.eq_ignore_ascii_case("INFO"))
        && m.content_type()
            .is_some_and(|c| mentions(c.as_bytes(), b"csta", 1))
}

fn starts_with_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// What decides whether a message is a configuration answer and what it says: its Content-Type,
/// Event and body; `None` for a message that cannot be one.
pub type ConfigText<'m> = (&'m str, &'m str, &'m str);

/// The [`ConfigText`] of a message that may be a configuration answer (what
/// [`crate::extract::ConfigReader::read`] reads). Every configuration document mentions
/// "provision" or "roaming" in its Content-Type, Event or root element: most messages are
/// rejected here, before any XML is read.
pub fn config_candidate(m: &SipMessage) -> Option<ConfigText<'_>> {
    if m.method()
        .is_some_and(|x| !(x.eq_ignore_ascii_case("NOTIFY") || x.eq_ignore_ascii_case("BENOTIFY")))
    {
        return None;
    }
    let body = m.body();
    let ct = m.content_type().unwrap_or("");
    let event = m.known_header_value(known::EVENT).unwrap_or("");
    // Each word searched from its `v` or `g`: see [`mentions`].
    let provision = |s: &str| mentions(s.as_bytes(), b"provision", 3);
    let named = provision(ct)
        || provision(event)
        || mentions(ct.as_bytes(), b"roaming-self", 6)
        || mentions(event.as_bytes(), b"roaming-self", 6);
    // Else the root element names it; a body typed SDP or CSTA has none of those (most answers
    // in a log: calls' and CSTA requests'), so its head is not searched.
    let typed_other =
        || ct.eq_ignore_ascii_case("application/sdp") || mentions(ct.as_bytes(), b"csta", 1);
    let rooted = || {
        let head = body.get(..body.len().min(512)).unwrap_or(body);
        provision(head) || mentions(head.as_bytes(), b"roaming", 6)
    };
    (named || (!body.is_empty() && !typed_other() && rooted())).then_some((ct, event, body))
}

/// Whether `hay` holds `needle` (lower case ASCII) in any case, found from its byte `anchor`:
/// nearly every message the index reads is no configuration answer, and a search from the
/// first byte stops at every `p` and `r` of the head of a body (XML, SDP) to compare; `v` and
/// `g` are rare there (those stops were 7.3M of the 80.6M instructions of the diagnose stage
/// on the 10 MB synthetic raw log).
pub fn mentions(hay: &[u8], needle: &[u8], anchor: usize) -> bool {
    // Most Events and many Content-Types are empty: no search at all for those.
    if hay.len() < needle.len() {
        return false;
    }
    let at = needle[anchor];
    memchr::memchr2_iter(at, at.to_ascii_uppercase(), hay).any(|i| {
        i.checked_sub(anchor)
            .and_then(|start| hay.get(start..start + needle.len()))
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}
