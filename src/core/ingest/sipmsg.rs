//! The lenient SIP front end: framing, CRLF restoration, unfolding, compact and upper-case header
//! names, then rsip on the normalised text to grade the message ([`ParseQuality`]).
//!
//! This is the primary extractor: the start line and headers of every message come from here,
//! whatever rsip thinks of them, so no message is ever dropped.

use super::text::{find_byte, lossy, trim, Line, LineCursor};
use super::Problem;
use crate::core::sip::{
    Direction, Header, LogEvent, ParseQuality, SipMessage, SourceRef, StartLine, Timestamp,
};

/// How a reader wants messages built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub validate: bool,
}

/// What the container format says about a message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub timestamp: Option<Timestamp>,
    pub direction: Option<Direction>,
    pub local: Option<String>,
    pub peer: Option<String>,
}

/// What a reader produces for one file.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub messages: Vec<SipMessage>,
    pub events: Vec<LogEvent>,
    pub problems: Vec<Problem>,
}

impl Out {
    pub fn problem(&mut self, line: u32, message: impl Into<String>) {
        // A pathological file must not produce a million problems.
        const MAX: usize = 200;
        if self.problems.len() < MAX {
            self.problems.push(Problem {
                line,
                message: message.into(),
            });
        } else if self.problems.len() == MAX {
            self.problems.push(Problem {
                line,
                message: "More problems follow; only the first 200 are listed.".into(),
            });
        }
    }
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&c)
}

/// Is this line a SIP start line? (cheap; used for framing)
#[inline]
pub(crate) fn is_start_line(line: &[u8]) -> bool {
    parse_start_line(line).is_some()
}

/// Parse a request or status line leniently (extra spaces, lower-case `sip/2.0`, missing reason).
pub(crate) fn parse_start_line(line: &[u8]) -> Option<StartLine> {
    let first = *line.first()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    if line.len() >= 11 && line.get(..4)?.eq_ignore_ascii_case(b"SIP/") {
        // SIP/2.0 200 OK
        let rest = line.get(4..)?;
        let sp = rest.iter().position(|&c| c == b' ')?;
        if rest.get(..sp)? != b"2.0" {
            return None;
        }
        let rest = rest.get(sp..)?.trim_ascii_start();
        let code = rest.get(..3)?;
        if !code.iter().all(u8::is_ascii_digit)
            || rest.get(3).is_some_and(|&c| c != b' ' && c != b'\t')
        {
            return None;
        }
        let code = code.iter().fold(0u16, |a, &c| a * 10 + u16::from(c - b'0'));
        if !(100..=699).contains(&code) {
            return None;
        }
        let reason = lossy(trim(rest.get(3..)?)).into_owned();
        return Some(StartLine::Response { code, reason });
    }
    // METHOD SP URI SP SIP/2.0
    let line = trim(line);
    let sp = line.iter().position(|&c| c == b' ')?;
    let method = line.get(..sp)?;
    if method.len() > 32 || !method.iter().all(|&c| is_token_char(c)) {
        return None;
    }
    let rest = line.get(sp..)?.trim_ascii_start();
    let sp2 = rest.iter().rposition(|&c| c == b' ')?;
    let version = rest.get(sp2 + 1..)?;
    if !version.eq_ignore_ascii_case(b"SIP/2.0") {
        return None;
    }
    let uri = trim(rest.get(..sp2)?);
    if uri.is_empty() || uri.contains(&b' ') || !uri.contains(&b':') {
        return None;
    }
    Some(StartLine::Request {
        method: lossy(method).into_owned(),
        uri: lossy(uri).into_owned(),
    })
}

/// Compact form → long form (RFC 3261 §7.3.3 and extensions).
fn expand_compact(c: u8) -> Option<&'static str> {
    Some(match c.to_ascii_lowercase() {
        b'i' => "Call-ID",
        b'f' => "From",
        b't' => "To",
        b'v' => "Via",
        b'l' => "Content-Length",
        b'm' => "Contact",
        b'c' => "Content-Type",
        b'k' => "Supported",
        b's' => "Subject",
        b'e' => "Content-Encoding",
        b'o' => "Event",
        b'u' => "Allow-Events",
        b'r' => "Refer-To",
        b'x' => "Session-Expires",
        b'b' => "Referred-By",
        b'a' => "Accept-Contact",
        b'j' => "Reject-Contact",
        b'd' => "Request-Disposition",
        b'y' => "Identity",
        b'n' => "Identity-Info",
        _ => return None,
    })
}

const CANONICAL: &[&str] = &[
    "Accept",
    "Accept-Contact",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Authentication-Info",
    "Authorization",
    "Call-ID",
    "Call-Info",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Error-Info",
    "Event",
    "Expires",
    "From",
    "History-Info",
    "In-Reply-To",
    "Max-Forwards",
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
    "Record-Route",
    "Refer-To",
    "Referred-By",
    "Reply-To",
    "Require",
    "Retry-After",
    "Route",
    "RSeq",
    "Server",
    "Session-Expires",
    "Subject",
    "Subscription-State",
    "Supported",
    "Timestamp",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
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

/// Canonical long form of a header name, and whether it was compact.
fn canonical_name(name: &[u8]) -> (String, bool) {
    if name.len() == 1 {
        if let Some(long) = expand_compact(name[0]) {
            return (long.to_string(), true);
        }
    }
    for c in CANONICAL {
        if c.len() == name.len() && c.as_bytes().eq_ignore_ascii_case(name) {
            return ((*c).to_string(), false);
        }
    }
    let s = lossy(name);
    if name.iter().any(u8::is_ascii_lowercase) {
        return (s.into_owned(), false);
    }
    // Unknown upper-case name (server logs): ms-* in Microsoft's lower case, else Title-Case.
    if crate::core::ingest::text::starts_with_ci(name, b"ms-") {
        return (s.to_ascii_lowercase(), false);
    }
    let mut out = String::with_capacity(s.len());
    let mut up = true;
    for ch in s.chars() {
        if up {
            out.extend(ch.to_uppercase());
        } else {
            out.extend(ch.to_lowercase());
        }
        up = !ch.is_alphanumeric();
    }
    (out, false)
}

/// Accumulates header lines one by one, counting what had to be repaired.
#[derive(Debug, Default)]
pub(crate) struct HeaderAcc {
    pub headers: Vec<Header>,
    folded: u32,
    compact: u32,
    space_colon: u32,
    pub malformed: u32,
    pub lf_only: bool,
}

impl HeaderAcc {
    /// Add one line of the header block (without its line terminator).
    pub fn push(&mut self, line: &[u8]) {
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if let Some(last) = self.headers.last_mut() {
                let cont = trim(line);
                if !cont.is_empty() {
                    last.value.push(' ');
                    last.value.push_str(&lossy(cont));
                }
                self.folded += 1;
                return;
            }
        }
        match find_byte(line, b':') {
            Some(colon) if colon > 0 => {
                let raw_name = line.get(..colon).unwrap_or(&[]);
                let name = raw_name.trim_ascii_end();
                if name.is_empty() || !name.iter().all(|&c| is_token_char(c)) {
                    self.malformed_line(line);
                    return;
                }
                if name.len() != raw_name.len() {
                    self.space_colon += 1;
                }
                let (name, compact) = canonical_name(name);
                self.compact += u32::from(compact);
                let value = trim(line.get(colon + 1..).unwrap_or(&[]));
                self.headers.push(Header {
                    name,
                    value: lossy(value).into_owned(),
                });
            }
            _ => self.malformed_line(line),
        }
    }

    fn malformed_line(&mut self, line: &[u8]) {
        self.malformed += 1;
        // Kept (with an empty name) so the raw text stays reconstructible.
        self.headers.push(Header {
            name: String::new(),
            value: lossy(line).into_owned(),
        });
    }

    fn reasons(&self, out: &mut Vec<String>) {
        if self.lf_only {
            out.push("LF-only line endings restored to CRLF".into());
        }
        if self.folded > 0 {
            out.push(plural(self.folded, "folded header line", "unfolded"));
        }
        if self.compact > 0 {
            out.push("compact header names expanded".into());
        }
        if self.space_colon > 0 {
            out.push(plural(
                self.space_colon,
                "space before ':' in a header name",
                "removed",
            ));
        }
    }
}

fn plural(n: u32, what: &str, verb: &str) -> String {
    if n == 1 {
        format!("1 {what} {verb}")
    } else {
        format!("{n} {what}s {verb}")
    }
}

/// The header block text rsip sees: start line, headers, blank line (body left out: rsip only
/// copies it, and skipping it keeps validation cheap).
fn head_text(start: &StartLine, headers: &[Header]) -> String {
    let mut s = String::with_capacity(
        64 + headers
            .iter()
            .map(|h| h.name.len() + h.value.len() + 4)
            .sum::<usize>(),
    );
    match start {
        StartLine::Request { method, uri } => {
            s.push_str(method);
            s.push(' ');
            s.push_str(uri);
            s.push_str(" SIP/2.0\r\n");
        }
        StartLine::Response { code, reason } => {
            s.push_str("SIP/2.0 ");
            s.push_str(&code.to_string());
            s.push(' ');
            s.push_str(reason);
            s.push_str("\r\n");
        }
    }
    for h in headers {
        if !h.name.is_empty() {
            s.push_str(&h.name);
            s.push_str(": ");
        }
        s.push_str(&h.value);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s
}

/// Grade a message: rsip on the normalised text.
pub(crate) fn grade(
    start: &StartLine,
    headers: &[Header],
    reasons: Vec<String>,
    validate: bool,
) -> ParseQuality {
    if validate {
        let text = head_text(start, headers);
        if let Err(e) = rsip::SipMessage::try_from(text.as_str()) {
            return ParseQuality::Partial {
                reason: short_error(&e.to_string()),
            };
        }
    }
    if reasons.is_empty() {
        ParseQuality::Clean
    } else {
        ParseQuality::Repaired { reasons }
    }
}

/// rsip error strings repeat the whole remaining message: keep the first line, ~120 chars.
fn short_error(e: &str) -> String {
    let mut first = e.lines().next().unwrap_or("").trim();
    // rsip nests "Tokenizer error: " prefixes; keep the innermost message.
    loop {
        let lower = first.get(..17).map(str::to_ascii_lowercase);
        match lower.as_deref() {
            Some("tokenizer error: ") => first = first.get(17..).unwrap_or("").trim_start(),
            _ => match first.strip_prefix("rsip error: ") {
                Some(rest) => first = rest,
                None => break,
            },
        }
    }
    let mut out: String = first.chars().take(120).collect();
    if out.len() < first.len() || e.lines().nth(1).is_some() {
        out.push('…');
    }
    if out.is_empty() {
        out = "rsip rejected the message".into();
    }
    format!("rsip: {out}")
}

/// Build the owned message from parsed parts.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    ctx: Ctx,
    meta: &Meta,
    start: StartLine,
    acc: HeaderAcc,
    body: &[u8],
    line_start: u32,
    line_end: u32,
    extra_reasons: Vec<String>,
) -> SipMessage {
    let mut reasons = Vec::new();
    acc.reasons(&mut reasons);
    if matches!(&start, StartLine::Response { reason, .. } if reason.is_empty()) {
        reasons.push("status line without reason phrase: trailing space added".into());
    }
    reasons.extend(extra_reasons);
    let mut body_s = match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => {
            reasons.push("non-UTF-8 bytes in the body replaced".into());
            String::from_utf8_lossy(body).into_owned()
        }
    };
    if acc.lf_only && body_s.contains('\n') {
        body_s = restore_crlf(&body_s);
    }
    let quality = grade(&start, &acc.headers, reasons, ctx.validate);
    SipMessage {
        source: SourceRef {
            file: ctx.file.to_string(),
            line_start,
            line_end: line_end.max(line_start),
        },
        timestamp: meta.timestamp.clone(),
        direction: meta.direction,
        local: meta.local.clone(),
        peer: meta.peer.clone(),
        start_line: start,
        headers: acc.headers,
        body: body_s,
        quality,
        also_seen: Vec::new(),
    }
}

fn restore_crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 32);
    let mut prev = '\0';
    for ch in s.chars() {
        if ch == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(ch);
        prev = ch;
    }
    out
}

fn content_length(headers: &[Header]) -> Option<usize> {
    let v = headers.iter().rev().find(|h| h.name == "Content-Length")?;
    let t = v.value.trim();
    if t.is_empty() || t.len() > 9 {
        return None;
    }
    t.parse().ok()
}

/// Where a body of `cl` bytes (as counted on the wire, CRLF) ends in `rest`, counting a bare LF
/// as the CRLF it replaced when the paste lost its CRs.
fn body_end(rest: &[u8], cl: usize, lf_only: bool) -> Option<usize> {
    if !lf_only {
        return (cl <= rest.len()).then_some(cl);
    }
    let mut wire = 0usize;
    let mut prev = 0u8;
    for (i, &b) in rest.iter().enumerate() {
        if wire >= cl {
            return Some(i);
        }
        wire += if b == b'\n' && prev != b'\r' { 2 } else { 1 };
        prev = b;
    }
    (wire >= cl).then_some(rest.len())
}

/// After a body ending at `end`, is the rest of the region only separators, or a next message?
fn plausible_after(rest: &[u8]) -> bool {
    let mut cur = LineCursor::new(rest, 0);
    // The body may end mid-line only if the rest of that line is empty.
    for line in &mut cur {
        if trim(line.text).is_empty() {
            continue;
        }
        return is_start_line(line.text);
    }
    true
}

/// Read every SIP message in `region` (a slice of the file whose first line is `first_line`).
/// Text before/between messages that is not SIP is reported once per run and skipped.
pub(crate) fn frame_region(region: &[u8], first_line: u32, ctx: Ctx, meta: &Meta, out: &mut Out) {
    let mut cur = LineCursor::new(region, first_line);
    let mut junk: Option<(u32, u32, String)> = None;
    while let Some(line) = cur.next() {
        if trim(line.text).is_empty() {
            continue;
        }
        let Some(start) = parse_start_line(line.text) else {
            match &mut junk {
                Some((_, end, _)) => *end = line.num,
                None => {
                    let preview: String = lossy(line.text).chars().take(60).collect();
                    junk = Some((line.num, line.num, preview));
                }
            }
            continue;
        };
        if let Some((a, b, preview)) = junk.take() {
            report_junk(out, a, b, &preview);
        }
        read_message(&mut cur, line, start, ctx, meta, out);
    }
    if let Some((a, b, preview)) = junk.take() {
        report_junk(out, a, b, &preview);
    }
}

fn report_junk(out: &mut Out, a: u32, b: u32, preview: &str) {
    let preview: String = preview
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    let range = if a == b {
        format!("Line {a}")
    } else {
        format!("Lines {a}-{b}")
    };
    out.problem(
        a,
        format!(
            "{range}: text that is not part of a SIP message was skipped (starts \"{preview}\"). \
             If a message was cut here, paste the whole message from the start line."
        ),
    );
}

/// Read one message whose start line was just consumed from `cur`.
fn read_message(
    cur: &mut LineCursor,
    first: Line,
    start: StartLine,
    ctx: Ctx,
    meta: &Meta,
    out: &mut Out,
) {
    let region = cur.buf();
    let mut acc = HeaderAcc {
        lf_only: first.lf_only,
        ..HeaderAcc::default()
    };
    let mut last_line = first.num;
    let mut body_start: Option<(usize, u32)> = None; // offset, line number
    while let Some(line) = cur.peek() {
        if line.text.is_empty()
            || trim(line.text).is_empty() && !matches!(line.text.first(), Some(b' ' | b'\t'))
        {
            cur.next();
            body_start = Some((line.next, line.num + 1));
            break;
        }
        if is_start_line(line.text) {
            break; // next message follows without a blank line; this one has no body
        }
        cur.next();
        acc.lf_only |= line.lf_only;
        acc.push(line.text);
        last_line = line.num;
    }
    let mut body: &[u8] = &[];
    if let Some((bstart, bline)) = body_start {
        let rest = region.get(bstart..).unwrap_or(&[]);
        let framed = content_length(&acc.headers).and_then(|cl| {
            let end = body_end(rest, cl, acc.lf_only)?;
            // Trust the length if what follows is a next message, or the body ends on a line
            // boundary (text after that is reported as non-SIP, not swallowed into the body).
            let at_boundary = end == 0
                || rest.get(end - 1) == Some(&b'\n')
                || matches!(rest.get(end), None | Some(b'\r' | b'\n'));
            (at_boundary || plausible_after(rest.get(end..)?)).then_some(end)
        });
        let end = match framed {
            Some(end) => end,
            None => scan_body_end(rest),
        };
        body = rest.get(..end).unwrap_or(&[]);
        if framed.is_none() {
            body = trim_trailing_newlines(body);
        }
        if !body.is_empty() {
            let nl = super::text::count_newlines(body) as u32;
            let ends_nl = body.last() == Some(&b'\n');
            last_line = bline.saturating_add(nl) - u32::from(ends_nl && nl > 0);
        }
        // Continue after the body: the next line start at or after `bstart + end`.
        let mut pos = bstart + end;
        if pos > 0 && region.get(pos - 1) != Some(&b'\n') {
            // Body ended mid-line: skip the rest of that line.
            pos = match region.get(pos..).and_then(|r| find_byte(r, b'\n')) {
                Some(i) => pos + i + 1,
                None => region.len(),
            };
        }
        let line_no = super::text::line_of(region, bstart, bline, pos);
        cur.seek(pos, line_no);
    }
    let msg = build(
        ctx,
        meta,
        start,
        acc,
        body,
        first.num,
        last_line,
        Vec::new(),
    );
    out.messages.push(msg);
}

/// Without a usable Content-Length the body runs to the next start line.
fn scan_body_end(rest: &[u8]) -> usize {
    for line in LineCursor::new(rest, 0) {
        if is_start_line(line.text) {
            return line.start;
        }
    }
    rest.len()
}

fn trim_trailing_newlines(mut b: &[u8]) -> &[u8] {
    while let Some((last, init)) = b.split_last() {
        if matches!(last, b'\r' | b'\n') {
            b = init;
        } else {
            break;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines() {
        assert!(matches!(
            parse_start_line(b"INVITE sip:rcc@mcm.contoso.com SIP/2.0"),
            Some(StartLine::Request { .. })
        ));
        assert!(matches!(
            parse_start_line(b"BENOTIFY sip:a@b;opaque=user:epid:x;gruu SIP/2.0"),
            Some(StartLine::Request { .. })
        ));
        assert_eq!(
            parse_start_line(b"SIP/2.0 200"),
            Some(StartLine::Response {
                code: 200,
                reason: String::new()
            })
        );
        assert!(parse_start_line(b"Via: SIP/2.0/TLS 10.0.0.1").is_none());
        assert!(parse_start_line(b"SIP/2.0/TLS 10.0.0.1").is_none());
        assert!(parse_start_line(b"<p>hello world</p>").is_none());
        assert!(parse_start_line(b"").is_none());
    }

    #[test]
    fn header_names() {
        assert_eq!(canonical_name(b"i").0, "Call-ID");
        assert_eq!(canonical_name(b"CALL-ID").0, "Call-ID");
        assert_eq!(canonical_name(b"MS-DIAGNOSTICS").0, "ms-diagnostics");
        assert_eq!(canonical_name(b"X-FOO-BAR").0, "X-Foo-Bar");
        assert_eq!(canonical_name(b"X-Custom").0, "X-Custom");
    }

    #[test]
    fn lf_body_length() {
        // "ab\r\ncd" is 6 wire bytes; the LF-only paste "ab\ncd" is 5.
        assert_eq!(body_end(b"ab\ncdXYZ", 6, true), Some(5));
        assert_eq!(body_end(b"ab\r\ncd", 6, false), Some(6));
        assert_eq!(body_end(b"ab", 6, false), None);
    }
}
