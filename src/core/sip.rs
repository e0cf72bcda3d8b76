//! The SIP message model every other core module reads.
//!
//! Messages are owned (not borrowed from the input) because they cross the worker boundary in the
//! browser and outlive the file buffer; the readers in [`crate::core::ingest`] build them.
//! Header names are stored in canonical long form (`Call-ID`, not `i` or `CALL-ID`) so lookups
//! are simple and case-insensitive comparisons are rare.

use crate::core::evidence::Evidence;
use serde::{Deserialize, Serialize};

/// Where a message came from: file name and 1-based inclusive line range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub file: String,
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

/// A timestamp as written in the log and, where it could be read, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    /// Exactly as written, e.g. `11/30/2006|14:02:11.123`.
    pub written: String,
    /// Milliseconds since 1970-01-01 UTC (or since midnight when the log has no date).
    pub millis: Option<i64>,
}

/// The first line of a SIP message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StartLine {
    Request { method: String, uri: String },
    Response { code: u16, reason: String },
}

/// One header line, name in canonical long form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// How well the message parsed. Every message is kept; this says how much to trust its typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ParseQuality {
    /// rsip accepted it as written.
    Clean,
    /// rsip accepted it after the lenient front end fixed the listed things.
    Repaired { reasons: Vec<String> },
    /// rsip could not type it; start line and key headers come from the lenient reader.
    Partial { reason: String },
}

/// A SIP message read from a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipMessage {
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
    /// Other places the same message was seen (e.g. the client log and the server log).
    pub also_seen: Vec<SourceRef>,
}

impl SipMessage {
    /// The first header with this name (case-insensitive; pass the long form).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// Every header with this name, in order (Via, Record-Route, ms-diagnostics repeat).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    pub fn method(&self) -> Option<&str> {
        match &self.start_line {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    pub fn request_uri(&self) -> Option<&str> {
        match &self.start_line {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match &self.start_line {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }

    pub fn call_id(&self) -> Option<&str> {
        self.header("Call-ID").map(str::trim)
    }

    /// `CSeq` as (number, method).
    pub fn cseq(&self) -> Option<(u32, &str)> {
        let v = self.header("CSeq")?.trim();
        let (n, m) = v.split_once(char::is_whitespace)?;
        Some((n.trim().parse().ok()?, m.trim()))
    }

    pub fn from_tag(&self) -> Option<&str> {
        self.header("From").and_then(param_tag)
    }

    pub fn to_tag(&self) -> Option<&str> {
        self.header("To").and_then(param_tag)
    }

    /// Content-Type without parameters, lower-cased comparison left to the caller.
    pub fn content_type(&self) -> Option<&str> {
        self.header("Content-Type")
            .map(|v| v.split(';').next().unwrap_or("").trim())
    }

    /// The evidence pointing at this message, with its start line as excerpt.
    pub fn evidence(&self) -> Evidence {
        Evidence::Log {
            file: self.source.file.clone(),
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
            + self.body.len()
            + self
                .headers
                .iter()
                .map(|h| h.name.len() + h.value.len() + 4)
                .sum::<usize>();
        let mut s = String::with_capacity(size);
        s.push_str(&self.start_line_text());
        s.push_str("\r\n");
        for h in &self.headers {
            // A line the reader could not split into name and value is kept whole (empty name).
            if !h.name.is_empty() {
                s.push_str(&h.name);
                s.push_str(": ");
            }
            s.push_str(&h.value);
            s.push_str("\r\n");
        }
        s.push_str("\r\n");
        s.push_str(&self.body);
        s
    }

    /// The start line as it would be written.
    pub fn start_line_text(&self) -> String {
        match &self.start_line {
            StartLine::Request { method, uri } => format!("{method} {uri} SIP/2.0"),
            StartLine::Response { code, reason } => format!("SIP/2.0 {code} {reason}"),
        }
    }
}

/// The `tag` parameter of a From/To value.
fn param_tag(value: &str) -> Option<&str> {
    // Parameters after the closing '>' (or after the URI when there are no brackets).
    let params = match value.rfind('>') {
        Some(i) => &value[i + 1..],
        None => value,
    };
    params.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("tag")
            .then(|| v.trim().trim_matches('"'))
    })
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
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(headers: &[(&str, &str)]) -> SipMessage {
        SipMessage {
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
