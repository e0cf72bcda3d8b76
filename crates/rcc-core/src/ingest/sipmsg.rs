//! The lenient SIP front end: framing, CRLF restoration, unfolding, compact and upper-case header
//! names, then rsip on the normalised text to grade the message ([`ParseQuality`]).
//!
//! This is the primary extractor: the start line and headers of every message come from here,
//! whatever rsip thinks of them, so no message is ever dropped.
//!
//! Nothing is copied that can be pointed at: the pieces of a message are [`Span`]s into the
//! shared file text ([`Ctx::text`]); only what the front end rewrites goes into the message's
//! `extra` text (see [`crate::sip`]).

use super::correlate::FxMap;
use super::text::{find_byte, lossy, trim, Line, LineCursor};
use super::Problem;
use crate::sip::{
    known, known_header, Direction, ExtraText, LogEvent, ParseQuality, SipMessage, Slot, SourceRef,
    Span, StartLineRef, StartSpans,
};
use std::sync::Arc;

/// How a reader wants messages built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub file: &'a Arc<str>,
    /// The whole decoded file; every slice a reader hands over should lie in it.
    pub text: &'a Arc<String>,
    pub validate: bool,
}

impl Ctx<'_> {
    /// `sub` as a span of the file text, when it is one (and cut at character boundaries).
    #[inline]
    pub fn span_of(&self, sub: &[u8]) -> Option<Span> {
        let base = self.text.as_bytes();
        let start = (sub.as_ptr() as usize).checked_sub(base.as_ptr() as usize)?;
        let end = start.checked_add(sub.len())?;
        if end > base.len()
            || !self.text.is_char_boundary(start)
            || !self.text.is_char_boundary(end)
        {
            return None;
        }
        let start = u32::try_from(start).ok().filter(|s| s & Span::EXTRA == 0)?;
        Some(Span {
            start,
            len: u32::try_from(sub.len()).ok()?,
        })
    }

    /// A span for `sub`: in the file text when it is there, else copied into `extra`.
    #[inline]
    pub fn put(&self, extra: &mut ExtraText, sub: &[u8]) -> Span {
        match self.span_of(sub) {
            Some(s) => s,
            None => extra.push(&lossy(sub)),
        }
    }
}

/// What the container format says about a message (slices of the file text where possible).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Meta<'a> {
    /// As written, and parsed.
    pub timestamp: Option<(&'a [u8], Option<i64>)>,
    pub direction: Option<Direction>,
    pub local: Option<&'a [u8]>,
    pub peer: Option<&'a [u8]>,
}

/// What a reader produces for one file.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub messages: Vec<SipMessage>,
    pub events: Vec<LogEvent>,
    pub problems: Vec<Problem>,
    /// rsip's verdict per start line (it depends on nothing else, see [`rsip_check`]).
    rsip_verdicts: FxMap<String, Result<(), String>>,
    /// Reused buffers: the text rsip reads, and the header slots of the message being read.
    scratch_text: String,
    scratch_slots: Vec<Slot>,
}

impl Out {
    /// A header accumulator reusing this file's slot buffer (given back by [`build`]).
    pub fn header_acc(&mut self) -> HeaderAcc {
        let mut slots = std::mem::take(&mut self.scratch_slots);
        slots.clear();
        HeaderAcc {
            slots,
            ..HeaderAcc::default()
        }
    }

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

/// RFC 3261 `token` characters, as a table: this runs on every byte of every header name.
const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        c += 1;
    }
    t
};

#[inline]
fn is_token_char(c: u8) -> bool {
    TOKEN[usize::from(c)]
}

/// Is this line a SIP start line? (cheap; used for framing)
#[inline]
pub(crate) fn is_start_line(line: &[u8]) -> bool {
    start_line_parts(line).is_some()
}

/// A start line split into slices: request (method, uri) or response (code, reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parts<'a> {
    Request(&'a [u8], &'a [u8]),
    Response(u16, &'a [u8]),
}

/// Parse a request or status line leniently (extra spaces, lower-case `sip/2.0`, missing reason).
#[inline]
pub(crate) fn parse_start_line(line: &[u8]) -> Option<Parts<'_>> {
    start_line_parts(line)
}

#[inline]
fn start_line_parts(line: &[u8]) -> Option<Parts<'_>> {
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
        return Some(Parts::Response(code, trim(rest.get(3..)?)));
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
    Some(Parts::Request(method, uri))
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

/// How a header name is stored.
enum Name {
    /// A [`KNOWN_HEADERS`] entry (however it was spelled).
    Known(u16, bool),
    /// As written (already a sensible spelling).
    AsWritten,
    /// An unknown upper-case name of a server log, rewritten.
    Rewritten(String),
}

/// Canonical long form of a header name (the bool: it was compact).
fn canonical_name(name: &[u8]) -> Name {
    if name.len() == 1 {
        if let Some(i) = name
            .first()
            .and_then(|&c| expand_compact(c))
            .and_then(known_header)
        {
            return Name::Known(i, true);
        }
    }
    // `known_header` knows the usual spellings without a lookup.
    let s = lossy(name);
    if let Some(i) = known_header(&s) {
        return Name::Known(i, false);
    }
    if name.iter().any(u8::is_ascii_lowercase) {
        return Name::AsWritten;
    }
    // Unknown upper-case name (server logs): ms-* in Microsoft's lower case, else Title-Case.
    if crate::ingest::text::starts_with_ci(name, b"ms-") {
        return Name::Rewritten(s.to_ascii_lowercase());
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
    if out == s {
        Name::AsWritten
    } else {
        Name::Rewritten(out)
    }
}

/// The name as text (tests and diagnostics).
#[cfg(test)]
fn canonical_text(name: &[u8]) -> String {
    match canonical_name(name) {
        Name::Known(i, _) => crate::sip::KNOWN_HEADERS[usize::from(i)].to_string(),
        Name::AsWritten => lossy(name).into_owned(),
        Name::Rewritten(s) => s,
    }
}

/// Accumulates header lines one by one, counting what had to be repaired.
#[derive(Default)]
pub(crate) struct HeaderAcc {
    slots: Vec<Slot>,
    /// What could not be pointed at in the file text (unfolded values, rewritten names).
    pub extra: ExtraText,
    /// Index of the last `Content-Length` slot.
    content_length: Option<usize>,
    folded: u32,
    compact: u32,
    space_colon: u32,
    pub malformed: u32,
    pub lf_only: bool,
}

impl HeaderAcc {
    /// Add one line of the header block (without its line terminator; a slice of the file text).
    pub fn push(&mut self, ctx: &Ctx, line: &[u8]) {
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if let Some(last) = self.slots.last().copied() {
                let cont = trim(line);
                if !cont.is_empty() {
                    // The unfolded value is new text: the old value, a space, the continuation.
                    let old = self.text(ctx, last.value).to_string();
                    let joined = format!("{old} {}", lossy(cont));
                    let value = self.extra.push(&joined);
                    if let Some(l) = self.slots.last_mut() {
                        l.value = value;
                    }
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
                    self.malformed_line(ctx, line);
                    return;
                }
                if name.len() != raw_name.len() {
                    self.space_colon += 1;
                }
                let name = match canonical_name(name) {
                    Name::Known(i, compact) => {
                        self.compact += u32::from(compact);
                        if i == known::CONTENT_LENGTH {
                            self.content_length = Some(self.slots.len());
                        }
                        Span::known(i)
                    }
                    Name::AsWritten => ctx.put(&mut self.extra, name),
                    Name::Rewritten(n) => self.extra.push(&n),
                };
                let value = trim(line.get(colon + 1..).unwrap_or(&[]));
                let value = ctx.put(&mut self.extra, value);
                self.slots.push(Slot { name, value });
            }
            _ => self.malformed_line(ctx, line),
        }
    }

    fn malformed_line(&mut self, ctx: &Ctx, line: &[u8]) {
        self.malformed += 1;
        // Kept (with an empty name) so the raw text stays reconstructible.
        let value = ctx.put(&mut self.extra, line);
        self.slots.push(Slot {
            name: Span::default(),
            value,
        });
    }

    /// The text of a span of this accumulator (file text or its `extra`).
    fn text<'s>(&'s self, ctx: &Ctx<'s>, s: Span) -> &'s str {
        s.in_texts(ctx.text, self.extra.as_str())
    }

    /// The value of the last Content-Length header.
    fn content_length(&self, ctx: &Ctx) -> Option<usize> {
        let slot = self.slots.get(self.content_length?)?;
        let t = self.text(ctx, slot.value).trim();
        if t.is_empty() || t.len() > 9 {
            return None;
        }
        t.parse().ok()
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

/// Writes the header block text rsip sees into `s`: start line, headers (all, or none), blank
/// line (the body is left out: rsip only copies it).
fn head_text(m: &SipMessage, with_headers: bool, s: &mut String) {
    s.clear();
    match m.start_line() {
        StartLineRef::Request { method, uri } => {
            s.push_str(method);
            s.push(' ');
            s.push_str(uri);
            s.push_str(" SIP/2.0\r\n");
        }
        StartLineRef::Response { code, reason } => {
            s.push_str("SIP/2.0 ");
            // A status code is three digits (the reader only accepts 100..=699).
            for d in [code / 100, code / 10 % 10, code % 10] {
                s.push(char::from(b'0' + (d % 10) as u8));
            }
            s.push(' ');
            s.push_str(reason);
            s.push_str("\r\n");
        }
    }
    if with_headers {
        for h in m.headers() {
            if !h.name.is_empty() {
                s.push_str(h.name);
                s.push_str(": ");
            }
            s.push_str(h.value);
            s.push_str("\r\n");
        }
    }
    s.push_str("\r\n");
}

/// rsip's verdict on the normalised message, cheaply.
///
/// rsip 0.4 accepts a header line iff its name is a token followed by ':' (the value is taken as
/// is and only converted to UTF-8), and our front end only emits token names and UTF-8 values,
/// except for lines it could not read as headers (kept with an empty name). So unless such a
/// line is present, rsip's verdict depends on the start line alone: rsip parses just that, and
/// the verdict is remembered per start line (a log repeats `SIP/2.0 200 OK` thousands of times).
/// `rsip_check_full` is the reference; a unit test checks they agree on the fixtures and on
/// damaged variants.
fn rsip_check(
    m: &SipMessage,
    malformed: bool,
    cache: &mut FxMap<String, Result<(), String>>,
    text: &mut String,
) -> Result<(), String> {
    if malformed {
        return rsip_check_full(m);
    }
    head_text(m, false, text);
    if let Some(v) = cache.get(text.as_str()) {
        return v.clone();
    }
    let verdict = match rsip::SipMessage::try_from(text.as_str()) {
        Ok(_) => Ok(()),
        Err(e) => Err(short_error(&e.to_string())),
    };
    // Bounded: a log with more distinct start lines than this starts over.
    if cache.len() >= 1 << 16 {
        cache.clear();
    }
    cache.insert(text.clone(), verdict.clone());
    verdict
}

/// rsip on the whole normalised header block (reference for [`rsip_check`]).
fn rsip_check_full(m: &SipMessage) -> Result<(), String> {
    let mut text = String::new();
    head_text(m, true, &mut text);
    match rsip::SipMessage::try_from(text.as_str()) {
        Ok(_) => Ok(()),
        Err(e) => Err(short_error(&e.to_string())),
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

/// Build the message from parsed parts, grade it and add it to `out`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    ctx: Ctx,
    meta: &Meta,
    start: Parts,
    acc: HeaderAcc,
    body: &[u8],
    line_start: u32,
    line_end: u32,
    out: &mut Out,
) {
    let mut reasons = Vec::new();
    acc.reasons(&mut reasons);
    let malformed = acc.malformed > 0;
    let HeaderAcc {
        slots,
        mut extra,
        lf_only,
        ..
    } = acc;
    let start = match start {
        Parts::Request(method, uri) => StartSpans::Request {
            method: ctx.put(&mut extra, method),
            uri: ctx.put(&mut extra, uri),
        },
        Parts::Response(code, reason) => {
            if reason.is_empty() {
                reasons.push("status line without reason phrase: trailing space added".into());
            }
            StartSpans::Response {
                code,
                reason: ctx.put(&mut extra, reason),
            }
        }
    };
    let body = if lf_only && body.contains(&b'\n') {
        extra.push(&restore_crlf(&lossy(body)))
    } else {
        match ctx.span_of(body) {
            Some(s) => s,
            None => {
                if std::str::from_utf8(body).is_err() {
                    reasons.push("non-UTF-8 bytes in the body replaced".into());
                }
                extra.push(&lossy(body))
            }
        }
    };
    let time = meta.timestamp.map(|(w, ms)| (ctx.put(&mut extra, w), ms));
    let local = meta.local.map(|l| ctx.put(&mut extra, l));
    let peer = meta.peer.map(|p| ctx.put(&mut extra, p));
    let mut m = SipMessage {
        text: ctx.text.clone(),
        extra: extra.finish(),
        source: SourceRef {
            file: ctx.file.clone(),
            line_start,
            line_end: line_end.max(line_start),
        },
        time,
        direction: meta.direction,
        local_span: local,
        peer_span: peer,
        start,
        // An exact-size copy; the growing buffer goes back to `out` for the next message.
        slots: Box::from(slots.as_slice()),
        body_span: body,
        quality: ParseQuality::Clean,
        also_seen: Vec::new(),
    };
    let verdict = if ctx.validate {
        rsip_check(&m, malformed, &mut out.rsip_verdicts, &mut out.scratch_text)
    } else {
        Ok(())
    };
    out.scratch_slots = slots;
    m.quality = match verdict {
        Err(reason) => ParseQuality::Partial { reason },
        Ok(()) if reasons.is_empty() => ParseQuality::Clean,
        Ok(()) => ParseQuality::Repaired { reasons },
    };
    out.messages.push(m);
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
    frame_region_ticked(region, first_line, ctx, meta, out, None);
}

/// [`frame_region`] reporting progress: `tick` gets (region offset in the file, tick).
pub(crate) fn frame_region_ticked(
    region: &[u8],
    first_line: u32,
    ctx: Ctx,
    meta: &Meta,
    out: &mut Out,
    mut tick: Option<(usize, &mut super::readers::Tick)>,
) {
    let mut cur = LineCursor::new(region, first_line);
    let mut junk: Option<(u32, u32, String)> = None;
    while let Some(line) = cur.next() {
        if let Some((base, t)) = tick.as_mut() {
            t.at(*base + line.start);
        }
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
    start: Parts,
    ctx: Ctx,
    meta: &Meta,
    out: &mut Out,
) {
    let region = cur.buf();
    let mut acc = out.header_acc();
    acc.lf_only = first.lf_only;
    let mut last_line = first.num;
    let mut body_start: Option<(usize, u32)> = None; // offset, line number
    while let Some(line) = cur.next() {
        // A blank (or whitespace-only) line ends the headers.
        if trim(line.text).is_empty() {
            body_start = Some((line.next, line.num + 1));
            break;
        }
        if is_start_line(line.text) {
            // The next message follows without a blank line; this one has no body.
            cur.seek(line.start, line.num);
            break;
        }
        acc.lf_only |= line.lf_only;
        acc.push(&ctx, line.text);
        last_line = line.num;
    }
    let mut body: &[u8] = &[];
    if let Some((bstart, bline)) = body_start {
        let rest = region.get(bstart..).unwrap_or(&[]);
        let framed = acc.content_length(&ctx).and_then(|cl| {
            let end = body_end(rest, cl, acc.lf_only)?;
            // Trust the length if what follows is a next message, or if the body ends on a line
            // boundary without swallowing a start line (then text after it is reported as
            // non-SIP rather than taken into the body). Otherwise frame by start lines.
            if plausible_after(rest.get(end..)?) {
                return Some(end);
            }
            let at_boundary = end == 0
                || rest.get(end - 1) == Some(&b'\n')
                || matches!(rest.get(end), None | Some(b'\r' | b'\n'));
            let swallows = scan_body_end(rest.get(..end)?) < end;
            (at_boundary && !swallows).then_some(end)
        });
        let end = match framed {
            Some(end) => end,
            None => scan_body_end(rest),
        };
        body = rest.get(..end).unwrap_or(&[]);
        if framed.is_none() {
            body = trim_trailing_newlines(body);
        }
        let body_nl = u32::try_from(super::text::count_newlines(body)).unwrap_or(u32::MAX);
        if !body.is_empty() {
            let ends_nl = body.last() == Some(&b'\n');
            last_line = bline.saturating_add(body_nl) - u32::from(ends_nl && body_nl > 0);
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
        let body_end_pos = bstart + body.len();
        let line_no = bline.saturating_add(body_nl).saturating_add(
            u32::try_from(super::text::count_newlines(
                region.get(body_end_pos..pos).unwrap_or(&[]),
            ))
            .unwrap_or(0),
        );
        cur.seek(pos, line_no);
    }
    build(ctx, meta, start, acc, body, first.num, last_line, out);
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
            Some(Parts::Request(..))
        ));
        assert!(matches!(
            parse_start_line(b"BENOTIFY sip:a@b;opaque=user:epid:x;gruu SIP/2.0"),
            Some(Parts::Request(..))
        ));
        assert_eq!(
            parse_start_line(b"SIP/2.0 200"),
            Some(Parts::Response(200, b""))
        );
        assert!(parse_start_line(b"Via: SIP/2.0/TLS 10.0.0.1").is_none());
        assert!(parse_start_line(b"SIP/2.0/TLS 10.0.0.1").is_none());
        assert!(parse_start_line(b"<p>hello world</p>").is_none());
        assert!(parse_start_line(b"").is_none());
    }

    #[test]
    fn header_names() {
        assert_eq!(canonical_text(b"i"), "Call-ID");
        assert!(matches!(canonical_name(b"i"), Name::Known(3, true)));
        assert_eq!(canonical_text(b"CALL-ID"), "Call-ID");
        assert_eq!(canonical_text(b"MS-DIAGNOSTICS"), "ms-diagnostics");
        assert_eq!(canonical_text(b"X-FOO-BAR"), "X-Foo-Bar");
        assert_eq!(canonical_text(b"X-Custom"), "X-Custom");
        assert!(matches!(canonical_name(b"X-Custom"), Name::AsWritten));
    }

    #[test]
    fn cheap_rsip_check_agrees_with_full_rsip() {
        let fixtures: [&[u8]; 4] = [
            include_bytes!("../../../../fixtures/logs/raw_ms_mix.txt"),
            include_bytes!("../../../../fixtures/logs/raw_damaged_lf.txt"),
            include_bytes!("../../../../fixtures/logs/server_home.log"),
            include_bytes!("../../../../fixtures/logs/client.uccapilog"),
        ];
        let damage: [(&str, &str); 8] = [
            ("", ""),
            ("Call-ID:", "Call ID:"),
            ("To:", "<b>To</b>:"),
            ("From: ", "From:\t"),
            ("CSeq: ", "CSeq:   "),
            ("SIP/2.0\r\n", "SIP/2.0 \r\n"),
            ("sip:", "sips:"),
            ("contoso.com", "[2001:db8::1]"),
        ];
        let mut n = 0;
        // One verdict cache for all, as for a file: cached verdicts must still agree.
        let mut cache = FxMap::default();
        for f in fixtures {
            let text = String::from_utf8_lossy(f);
            for (a, b) in damage {
                let t = if a.is_empty() {
                    text.to_string()
                } else {
                    text.replacen(a, b, 3)
                };
                let mut out = Out::default();
                let text = Arc::new(t);
                let ctx = Ctx {
                    file: &Arc::from("t"),
                    text: &text,
                    validate: false,
                };
                frame_region(text.as_bytes(), 1, ctx, &Meta::default(), &mut out);
                for m in &out.messages {
                    let malformed = m.headers().any(|h| h.name.is_empty());
                    let fast = rsip_check(m, malformed, &mut cache, &mut String::new()).is_ok();
                    let full = rsip_check_full(m).is_ok();
                    assert_eq!(fast, full, "{}", m.start_line_text());
                    n += 1;
                }
            }
        }
        assert!(n > 100);
    }

    #[test]
    fn lf_body_length() {
        // "ab\r\ncd" is 6 wire bytes; the LF-only paste "ab\ncd" is 5.
        assert_eq!(body_end(b"ab\ncdXYZ", 6, true), Some(5));
        assert_eq!(body_end(b"ab\r\ncd", 6, false), Some(6));
        assert_eq!(body_end(b"ab", 6, false), None);
    }
}
