//! The lenient SIP front end: framing, CRLF restoration, indentation, unfolding, compact and
//! upper-case header names; then the message is graded by [`super::validate`].
//!
//! This is the primary extractor: the start line and headers of every message come from here,
//! whatever shape they are in, so no message is ever dropped. Grading only judges what was
//! read.
//!
//! Framing, in the order a reader meets it:
//! - a start line is a request line (`token SP URI SP SIP/d.d`, read leniently: extra spaces,
//!   a space inside the URI, `<URI>`, any version) or a status line (`SIP/d.d SP digits ...`,
//!   any number of digits); white space before it is allowed (indented pastes);
//! - the header block ends at a blank (or white-space-only) line, or where the next start line
//!   begins without one. The first header line fixes the block's indent: a line indented like it
//!   is a header line, a line indented deeper continues the previous header (folding), so a
//!   message pasted with every line indented (a KB article, an e-mail) reads as if it were not;
//! - the body is framed by Content-Length, counted in wire bytes (a bare LF stands for the CRLF it
//!   replaced, an indent is not part of the message, a U+FFFD for one byte that was not UTF-8);
//!   in a TCP stream the next message may start right after the body on the same line. Without
//!   a length that fits, the body runs to the next start line.
//!
//! Nothing is copied that can be pointed at: the pieces of a message are [`Span`]s into the
//! shared file text ([`Ctx::text`]); only what the front end rewrites goes into the message's
//! `extra` text (see [`crate::sip`]).

use super::grammar::is_token;
use super::text::{find_byte, lossy, starts_with_ci, trim, Line, LineCursor};
use super::validate::{self, BodyFit, Facts};
use super::Problem;
use crate::file_text::FileText;
use crate::sip::{
    known, known_header, known_header_bytes, Direction, ExtraText, LogEvent, MessageSpans,
    ParseQuality, SipMessage, Slot, SourceRef, Span, StartSpans, Timestamp,
};
use std::sync::Arc;

/// How a reader wants messages built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub file: &'a Arc<str>,
    /// The whole decoded file; every slice a reader hands over should lie in it.
    pub text: &'a Arc<FileText>,
    /// Grade messages (RFC 3261 checks); off: only the front end's own repairs are reported.
    pub validate: bool,
    /// The file had bytes that were not UTF-8, each now one U+FFFD.
    pub lossy: bool,
    /// The file's lines: how far a message's last line is into the file (to size the messages).
    pub lines: u32,
}

impl Ctx<'_> {
    /// `sub` as a span of the file text, when it is one (and cut at character boundaries).
    #[inline(always)]
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

    /// A span for `sub`: in the file text when it is there, else copied into `extra` (inlined:
    /// it runs for every header line, and the copy is rare).
    #[inline(always)]
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
    /// Reused buffers: the header slots and their lines of the message being read, its faults.
    scratch_slots: Vec<Slot>,
    scratch_lines: Vec<u32>,
    scratch_flags: Vec<Problem>,
    /// Header values already graded legal in this file.
    known_good: validate::Seen,
    /// The last repairs graded, shared by the next message with the same (most of a file's
    /// messages have the same repairs or none).
    last_repaired: Option<Arc<ParseQuality>>,
    /// `Some` when the file is read again only to grade its messages ([`super::grade_later`]):
    /// each message is graded here and dropped.
    pub grades: Option<Grades>,
}

/// What a read that only grades ([`super::grade_later`]) keeps of the messages: most are
/// clean, and a clean message needs no grade kept (a grade per message took 12 bytes a
/// message on wasm32, at the grading's memory high-water mark).
#[derive(Debug, Default)]
pub(crate) struct Grades {
    /// How many messages were graded clean, repaired and partly parsed.
    pub clean: usize,
    pub repaired: usize,
    pub partial: usize,
    /// The grades that are not clean, in reading order: a message without one is clean. A
    /// clean grade is kept after one of a message from the same line, so that the last grade
    /// of a line is the one found, as for every other line.
    pub kept: Vec<Grade>,
    /// Every message's line range, kept only for a file with something to place among them
    /// ([`has_places_outside`]).
    pub ranges: Option<Vec<(u32, u32)>>,
}

/// A grade kept by a read that only grades: the message's first line and its quality.
#[derive(Debug)]
pub(crate) struct Grade {
    pub line_start: u32,
    /// `None`: clean.
    pub quality: Option<Arc<ParseQuality>>,
}

/// Whether a file has bytes to place inside or outside its messages: NUL bytes, or bytes that
/// were not UTF-8 (`lossy`).
pub(crate) fn has_places_outside(buf: &[u8], lossy: bool) -> bool {
    lossy || memchr::memchr(0, buf).is_some()
}

impl Grades {
    /// For a read of `buf` that only grades.
    pub fn for_file(buf: &[u8], lossy: bool) -> Grades {
        Grades {
            ranges: has_places_outside(buf, lossy).then(Vec::new),
            ..Grades::default()
        }
    }

    fn count(&self) -> usize {
        self.clean + self.repaired + self.partial
    }

    fn add(&mut self, lines: (u32, u32), quality: Option<Arc<ParseQuality>>) {
        match quality.as_deref() {
            None | Some(ParseQuality::Clean) => self.clean += 1,
            Some(ParseQuality::Repaired { .. }) => self.repaired += 1,
            Some(ParseQuality::Partial { .. }) => self.partial += 1,
        }
        if let Some(ranges) = self.ranges.as_mut() {
            ranges.push(lines);
        }
        let line_start = lines.0;
        let after_same_line = self.kept.last().is_some_and(|g| g.line_start == line_start);
        if quality.is_some() || after_same_line {
            self.kept.push(Grade {
                line_start,
                quality,
            });
        }
    }
}

impl Out {
    /// Takes in what a read of the next part of the same file found (see
    /// [`super::ReadMode::Halves`]): its messages, events and problems after these. A part's
    /// reading state (its scratch buffers, the header values it knew legal) goes with it.
    pub fn append(&mut self, next: Out) {
        debug_assert!(self.grades.is_none() && next.grades.is_none());
        self.messages.extend(next.messages);
        self.events.extend(next.events);
        self.problems.extend(next.problems);
    }

    /// How many messages were read so far.
    pub fn built(&self) -> usize {
        self.messages.len() + self.grades.as_ref().map_or(0, Grades::count)
    }

    /// The line range of every message read, in reading order (in a read that only grades,
    /// kept only where [`has_places_outside`]).
    pub fn line_ranges(&self) -> Vec<(u32, u32)> {
        match &self.grades {
            Some(grades) => grades.ranges.clone().unwrap_or_default(),
            None => self
                .messages
                .iter()
                .map(|m| (m.source.line_start, m.source.line_end))
                .collect(),
        }
    }

    /// A header accumulator reusing this file's buffers (given back by [`build`]).
    pub fn header_acc(&mut self) -> HeaderAcc {
        let mut slots = std::mem::take(&mut self.scratch_slots);
        slots.clear();
        let mut lines = std::mem::take(&mut self.scratch_lines);
        lines.clear();
        HeaderAcc {
            slots,
            lines,
            ..HeaderAcc::default()
        }
    }

    /// A `Repaired` quality with these repairs, shared with the message before when it had the
    /// same.
    fn shared_repairs(&mut self, reasons: Vec<String>) -> Arc<ParseQuality> {
        let quality = ParseQuality::Repaired { reasons };
        match &self.last_repaired {
            Some(last) if **last == quality => last.clone(),
            _ => self.last_repaired.insert(Arc::new(quality)).clone(),
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

/// Is this line a SIP start line? (cheap; used for framing)
#[inline]
pub(crate) fn is_start_line(line: &[u8]) -> bool {
    start_line_parts(line).is_some()
}

/// A start line split into slices: request (method, uri) or response (code, reason). A status
/// code that is not a number below 1000 is 0 (the grade says what it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parts<'a> {
    Request(&'a [u8], &'a [u8]),
    Response(u16, &'a [u8]),
}

/// Parse a request or status line leniently (see the module doc); `line` starts at its first
/// non-blank character.
#[inline]
pub(crate) fn parse_start_line(line: &[u8]) -> Option<Parts<'_>> {
    start_line_parts(line)
}

/// `SIP/` digits `.` digits (any version: the grade judges it).
fn version_len(b: &[u8]) -> Option<usize> {
    if !b.get(..4)?.eq_ignore_ascii_case(b"SIP/") {
        return None;
    }
    let rest = b.get(4..)?;
    let major = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if major == 0 || rest.get(major) != Some(&b'.') {
        return None;
    }
    let minor = rest
        .get(major + 1..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (minor > 0).then_some(4 + major + 1 + minor)
}

#[inline]
fn start_line_parts(line: &[u8]) -> Option<Parts<'_>> {
    // One scan of the leading token decides: a header line stops at its ':', a status line at
    // the '/' of `SIP/`, a request line at the space after its method.
    let tok = line.iter().position(|&c| !is_token(c))?;
    match line.get(tok) {
        Some(b'/') if tok == 3 => status_line_parts(line),
        Some(b' ' | b'\t') if tok > 0 && tok <= 128 => request_line_parts(line, tok),
        _ => None,
    }
}

/// `SIP/2.0 200 OK` (any version, any number of code digits: the grade judges them).
fn status_line_parts(line: &[u8]) -> Option<Parts<'_>> {
    let vl = version_len(line)?;
    let rest = line.get(vl..)?;
    if !matches!(rest.first(), Some(b' ' | b'\t')) {
        return None;
    }
    let rest = rest.trim_ascii_start();
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 12 || rest.get(digits).is_some_and(|&c| c != b' ' && c != b'\t') {
        return None;
    }
    let code = super::grammar::number(rest.get(..digits)?)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|&n| n < 1000)
        .unwrap_or(0);
    Some(Parts::Response(code, trim(rest.get(digits..)?)))
}

/// `METHOD SP URI SP SIP/2.0`, the method being `line[..sp]`.
fn request_line_parts(line: &[u8], sp: usize) -> Option<Parts<'_>> {
    let method = line.get(..sp)?;
    let rest = line.get(sp..)?.trim_ascii();
    let sp2 = rest.iter().rposition(|&c| c == b' ' || c == b'\t')?;
    let version = rest.get(sp2 + 1..)?;
    if version_len(version) != Some(version.len()) {
        return None;
    }
    let uri = trim(rest.get(..sp2)?);
    // A URI begins with a scheme (or, wrongly, '<'): text with a space before any ':' is prose.
    // The scan stops at the scheme's ':', not at the end of the URI.
    let first = uri.first().copied();
    let starts_well = first.is_some_and(|c| c.is_ascii_alphabetic() || c == b'<');
    let colon_first = uri.iter().find(|&&c| matches!(c, b' ' | b'\t' | b':')) == Some(&b':');
    if !starts_well || !(colon_first || first == Some(b'<')) {
        return None;
    }
    Some(Parts::Request(method, uri))
}

/// Length of the `token` at the start of `b`.
#[inline]
fn token_len(b: &[u8]) -> usize {
    b.iter().position(|&c| !is_token(c)).unwrap_or(b.len())
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
    /// A [`crate::sip::KNOWN_HEADERS`] entry (however it was spelled).
    Known(u16),
    /// As written (already a sensible spelling).
    AsWritten,
    /// An unknown upper-case name of a server log, rewritten.
    Rewritten(String),
}

/// Canonical long form of a header name.
fn canonical_name(name: &[u8]) -> Name {
    if name.len() == 1 {
        if let Some(i) = name
            .first()
            .and_then(|&c| expand_compact(c))
            .and_then(known_header)
        {
            return Name::Known(i);
        }
    }
    // `known_header_bytes` knows the usual spellings without a lookup.
    if let Some(i) = known_header_bytes(name) {
        return Name::Known(i);
    }
    if name.iter().any(u8::is_ascii_lowercase) {
        return Name::AsWritten;
    }
    let s = lossy(name);
    // Unknown upper-case name (server logs): ms-* in Microsoft's lower case, else Title-Case.
    if starts_with_ci(name, b"ms-") {
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
        Name::Known(i) => crate::sip::KNOWN_HEADERS[usize::from(i)].to_string(),
        Name::AsWritten => lossy(name).into_owned(),
        Name::Rewritten(s) => s,
    }
}

/// Accumulates header lines one by one, with their file lines and what had to be repaired.
#[derive(Default)]
pub(crate) struct HeaderAcc {
    slots: Vec<Slot>,
    /// File line of each slot (for faults).
    lines: Vec<u32>,
    /// What could not be pointed at in the file text (unfolded values, rewritten names).
    pub extra: ExtraText,
    /// Index of the last `Content-Length` slot.
    content_length: Option<usize>,
    pub lf_only: bool,
    /// The indent removed from the header lines (and, up to this many white-space characters,
    /// from the body's lines).
    indent: usize,
    /// Lines that lost an indent.
    indented: u32,
}

impl HeaderAcc {
    /// Add one line of the header block (without its line terminator and without the block's
    /// indent; a slice of the file text). `line` is its line number in the file.
    pub fn push(&mut self, ctx: &Ctx, text: &[u8], line: u32) {
        self.push_scanned(ctx, text, token_len(text), line);
    }

    /// [`HeaderAcc::push`] when the caller already knows the length of the line's leading token
    /// (the header name, when a ':' follows it).
    fn push_scanned(&mut self, ctx: &Ctx, text: &[u8], tok: usize, line: u32) {
        if matches!(text.first(), Some(b' ' | b'\t')) {
            if let Some(last) = self.slots.last().copied() {
                let cont = trim(text);
                if !cont.is_empty() {
                    // The unfolded value is new text: the old value, a space, the continuation.
                    let old = self.text(ctx, last.value).to_string();
                    let joined = if old.is_empty() {
                        lossy(cont).into_owned()
                    } else {
                        format!("{old} {}", lossy(cont))
                    };
                    let value = self.extra.push(&joined);
                    if let Some(l) = self.slots.last_mut() {
                        l.value = value;
                    }
                }
                return;
            }
        }
        // name HCOLON value, HCOLON = *( SP / HTAB ) ":" SWS: white space before ':' is legal.
        let colon = match text.get(tok) {
            Some(b':') => Some(tok),
            Some(b' ' | b'\t') => {
                let ws = text.get(tok..).unwrap_or(&[]);
                let n = ws.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
                (ws.get(n) == Some(&b':')).then_some(tok + n)
            }
            _ => None,
        };
        match colon {
            Some(colon) if tok > 0 => {
                let name = text.get(..tok).unwrap_or(&[]);
                let name = match canonical_name(name) {
                    Name::Known(i) => {
                        if i == known::CONTENT_LENGTH {
                            self.content_length = Some(self.slots.len());
                        }
                        Span::known(i)
                    }
                    Name::AsWritten => ctx.put(&mut self.extra, name),
                    Name::Rewritten(n) => self.extra.push(&n),
                };
                let value = trim(text.get(colon + 1..).unwrap_or(&[]));
                let value = ctx.put(&mut self.extra, value);
                self.slots.push(Slot { name, value });
                self.lines.push(line);
            }
            _ => self.malformed_line(ctx, text, line),
        }
    }

    fn malformed_line(&mut self, ctx: &Ctx, text: &[u8], line: u32) {
        // Kept (with an empty name) so the raw text stays reconstructible.
        let value = ctx.put(&mut self.extra, text);
        self.slots.push(Slot {
            name: Span::default(),
            value,
        });
        self.lines.push(line);
    }

    /// The text of a span of this accumulator (file text or its `extra`).
    fn text<'s>(&'s self, ctx: &Ctx<'s>, s: Span) -> &'s str {
        s.in_texts(ctx.text, self.extra.as_str())
    }

    /// The value of the last Content-Length header, when it is a number.
    fn content_length(&self, ctx: &Ctx) -> Option<u64> {
        let slot = self.slots.get(self.content_length?)?;
        super::grammar::number(self.text(ctx, slot.value).trim().as_bytes())
    }

    fn repairs(&self, out: &mut Vec<String>) {
        if self.lf_only {
            out.push("LF-only line ends restored to CRLF".into());
        }
        if self.indented > 0 {
            out.push(format!(
                "indent of {} white-space character{} removed from {} line{}",
                self.indent,
                if self.indent == 1 { "" } else { "s" },
                self.indented,
                if self.indented == 1 { "" } else { "s" }
            ));
        }
    }
}

/// The start line of a message being built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start<'a> {
    pub parts: Parts<'a>,
    /// As written, from its first non-blank character.
    pub raw: &'a [u8],
    pub line: u32,
    /// White space before it that is not a uniform indent of the message.
    pub leading_ws: bool,
}

/// The body of a message being built, and how it fitted its Content-Length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Body<'a> {
    pub text: &'a [u8],
    pub fit: BodyFit,
}

/// Build the message from parsed parts, grade it and add it to `out`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    ctx: Ctx,
    meta: &Meta,
    start: Start,
    acc: HeaderAcc,
    body: Body,
    line_start: u32,
    line_end: u32,
    out: &mut Out,
) {
    let mut repairs = Vec::new();
    acc.repairs(&mut repairs);
    let HeaderAcc {
        slots,
        lines,
        mut extra,
        lf_only,
        indent,
        ..
    } = acc;
    let start_spans = match start.parts {
        Parts::Request(method, uri) => StartSpans::Request {
            method: ctx.put(&mut extra, method),
            uri: ctx.put(&mut extra, uri),
        },
        Parts::Response(code, reason) => StartSpans::Response {
            code,
            reason: ctx.put(&mut extra, reason),
        },
    };
    let b = body.text;
    let body_span = if (lf_only || indent > 0) && b.contains(&b'\n') {
        extra.push(&normalise_body(&lossy(b), lf_only, indent))
    } else {
        ctx.put(&mut extra, b)
    };
    let time = meta.timestamp.map(|(w, ms)| (ctx.put(&mut extra, w), ms));
    let local = meta.local.map(|l| ctx.put(&mut extra, l));
    let peer = meta.peer.map(|p| ctx.put(&mut extra, p));
    let mut m = SipMessage::from_spans(MessageSpans {
        text: ctx.text.clone(),
        extra: extra.finish(),
        source: SourceRef {
            file: ctx.file.clone(),
            line_start,
            line_end: line_end.max(line_start),
        },
        time,
        direction: meta.direction,
        local,
        peer,
        start: start_spans,
        headers: &slots,
        body: body_span,
        quality: None,
    });
    let mut flags = std::mem::take(&mut out.scratch_flags);
    flags.clear();
    if ctx.validate {
        let facts = Facts {
            start_raw: start.raw,
            start_line: start.line,
            leading_ws: start.leading_ws,
            lines: &lines,
            body: body.fit,
            lossy: ctx.lossy,
        };
        validate::check(&m, &facts, &mut out.known_good, &mut flags, &mut repairs);
    }
    out.scratch_slots = slots;
    out.scratch_lines = lines;
    let quality = match flags.first() {
        Some(first) => {
            let mut reason: String = first.message.chars().take(110).collect();
            if reason.len() < first.message.len() {
                reason.push('…');
            }
            if flags.len() > 1 {
                reason.push_str(&format!(" (+{} more)", flags.len() - 1));
            }
            Some(Arc::new(ParseQuality::Partial {
                reason,
                line: first.line,
            }))
        }
        None if repairs.is_empty() => None,
        None => Some(out.shared_repairs(repairs)),
    };
    m.set_shared_quality(quality.clone());
    if !flags.is_empty() {
        let what = match m.start_line() {
            crate::sip::StartLineRef::Request { method, .. } => method.chars().take(40).collect(),
            crate::sip::StartLineRef::Response { code: 0, .. } => "response".to_string(),
            crate::sip::StartLineRef::Response { code, .. } => format!("{code} response"),
        };
        for f in flags.drain(..) {
            out.problem(
                f.line,
                format!(
                    "{}. The {what} starting on line {line_start} was kept, graded partly parsed.",
                    f.message
                ),
            );
        }
    }
    out.scratch_flags = flags;
    if let Some(grades) = out.grades.as_mut() {
        grades.add((m.source.line_start, m.source.line_end), quality);
        return;
    }
    m.store_rcc_marks(crate::rcc_marks::RccMarks::of(&m).bits());
    if out.messages.len() == out.messages.capacity() {
        reserve_for_the_rest(&mut out.messages, line_end, ctx.lines);
    }
    out.messages.push(m);
}

/// Room for the messages a file still holds, guessed from how many lines the ones read so far
/// took, instead of doubling: the messages are the largest block of a read, and doubling keeps the old block beside the new one (a 100 MB raw
/// SIP log: 14 MiB beside 29 MiB for 20 MiB of messages, at the analysis' high-water mark in
/// wasm, whose memory never shrinks). Small vectors still double (a few thousand messages say little about the rest); the guess has a
/// margin of an eighth (cut off by `shrink_to_fit` in place at the end), so a file whose later
/// messages are shorter than its earlier ones grows once more, by another guess.
fn reserve_for_the_rest(messages: &mut Vec<SipMessage>, line_end: u32, lines: u32) {
    const DOUBLE_BELOW: usize = 4096;
    let read = messages.len();
    if read < DOUBLE_BELOW || line_end == 0 {
        messages.reserve(1);
        return;
    }
    let lines_left = u64::from(lines.saturating_sub(line_end));
    let guess = read as u64 * lines_left / u64::from(line_end);
    // A message takes a line at least, so the lines left bound any guess.
    let room = (guess + guess / 8).min(lines_left) + 64;
    messages.reserve_exact(usize::try_from(room).unwrap_or(1));
}

/// The body as the message had it: CRLF line ends (when the paste lost them) and, when the
/// message was indented, each line without up to `indent` leading white-space characters.
fn normalise_body(s: &str, lf_only: bool, indent: usize) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 32);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            if lf_only && !out.ends_with('\r') {
                out.push('\r');
            }
            out.push('\n');
        }
        let ws = line
            .bytes()
            .take(indent)
            .take_while(|&c| c == b' ' || c == b'\t')
            .count();
        out.push_str(line.get(ws..).unwrap_or(line));
    }
    out
}

/// How a body's text maps to wire bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Form {
    /// A bare LF stands for CRLF.
    lf_only: bool,
    /// Up to this many leading white-space characters of each line are an indent, not body.
    indent: usize,
    /// A U+FFFD stands for one byte that was not UTF-8.
    lossy: bool,
}

impl Form {
    fn plain(self) -> bool {
        !self.lf_only && self.indent == 0 && !self.lossy
    }
}

/// Walks `rest` counting wire bytes; stops (returning the offset) once `limit` are counted.
/// Returns (offset reached, wire bytes counted).
fn walk_wire(rest: &[u8], limit: usize, form: Form) -> (usize, usize) {
    if form.plain() {
        let n = limit.min(rest.len());
        return (n, n);
    }
    let mut wire = 0usize;
    let mut i = 0usize;
    let mut prev = 0u8;
    let mut line_start = true;
    while let Some(&b) = rest.get(i) {
        if wire >= limit {
            break;
        }
        if line_start && form.indent > 0 {
            let ws = rest
                .get(i..)
                .unwrap_or(&[])
                .iter()
                .take(form.indent)
                .take_while(|&&c| c == b' ' || c == b'\t')
                .count();
            line_start = false;
            if ws > 0 {
                i += ws;
                continue;
            }
        }
        if form.lossy && b == 0xEF && rest.get(i + 1..i + 3) == Some(&[0xBF, 0xBD]) {
            wire += 1;
            i += 3;
            prev = 0xBD;
            continue;
        }
        wire += if b == b'\n' && prev != b'\r' && form.lf_only {
            2
        } else {
            1
        };
        line_start = b == b'\n';
        prev = b;
        i += 1;
    }
    (i, wire)
}

/// Where a body of `cl` wire bytes ends in `rest` (`None` when `rest` is shorter).
fn body_end(rest: &[u8], cl: usize, form: Form) -> Option<usize> {
    // A byte of text stands for at most two wire bytes (a bare LF): no need to walk.
    if cl > rest.len().saturating_mul(2) {
        return None;
    }
    let (end, wire) = walk_wire(rest, cl, form);
    (wire >= cl).then_some(end)
}

/// The wire length of a body's text.
fn wire_len(body: &[u8], form: Form) -> usize {
    if form.lf_only && form.indent == 0 && !form.lossy {
        // Each bare LF stands for CRLF: count them with memchr instead of walking every byte.
        let bare = memchr::memchr_iter(b'\n', body)
            .filter(|&i| i == 0 || body.get(i - 1) != Some(&b'\r'))
            .count();
        return body.len() + bare;
    }
    walk_wire(body, usize::MAX, form).1
}

/// After a body ending at `end`, is the rest of the region only separators, or a next message?
/// (Bounded like the length: blank lines beyond [`MAX_PAST_NEXT_START`] count as separators.)
fn plausible_after(rest: &[u8]) -> bool {
    let rest = rest
        .get(..MAX_PAST_NEXT_START.min(rest.len()))
        .unwrap_or(rest);
    let mut cur = LineCursor::new(rest, 0);
    // The body may end mid-line only if the rest of that line is empty or a next message.
    for line in &mut cur {
        if trim(line.text).is_empty() {
            continue;
        }
        return is_start_line(line.text);
    }
    true
}

/// How far past the next start line a Content-Length may reach (see `read_message`).
const MAX_PAST_NEXT_START: usize = 64 << 10;

/// Read every SIP message in `region` (a slice of the file whose first line is `first_line`).
/// Text before/between messages that is not SIP is reported once per run and skipped; a lone
/// `ms-diagnostics` header line becomes an event (see [`lone_diagnostics`]).
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
        let t = line.text;
        let stripped = t.trim_ascii_start();
        if stripped.is_empty() {
            continue;
        }
        let Some(start) = parse_start_line(stripped) else {
            if lone_diagnostics(line, stripped, ctx, meta, out) {
                if let Some((a, b, preview)) = junk.take() {
                    report_junk(out, a, b, &preview);
                }
                continue;
            }
            match &mut junk {
                Some((_, end, _)) => *end = line.num,
                None => {
                    let preview: String = lossy(t).chars().take(60).collect();
                    junk = Some((line.num, line.num, preview));
                }
            }
            continue;
        };
        if let Some((a, b, preview)) = junk.take() {
            report_junk(out, a, b, &preview);
        }
        read_message(
            &mut cur,
            line,
            t.len() - stripped.len(),
            start,
            ctx,
            meta,
            out,
        );
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

/// An `ms-diagnostics` (or `-public`, or `ms-client-diagnostics`) header line outside any
/// message, as support articles and tickets quote them: kept as an event with the code, reason
/// and source, and a note that the message around it is missing. `true` if `text` was one.
fn lone_diagnostics(line: Line, text: &[u8], ctx: Ctx, meta: &Meta, out: &mut Out) -> bool {
    let Some(colon) = find_byte(text, b':') else {
        return false;
    };
    let name = text.get(..colon).unwrap_or(&[]).trim_ascii_end();
    let is_diag = [
        &b"ms-diagnostics"[..],
        b"ms-diagnostics-public",
        b"ms-client-diagnostics",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n));
    if !is_diag {
        return false;
    }
    let value = trim(text.get(colon + 1..).unwrap_or(&[]));
    let value_s = lossy(value).into_owned();
    let mut fields = vec![
        ("Level".to_string(), "ms-diagnostics line".to_string()),
        (lossy(name).into_owned(), value_s.clone()),
    ];
    let code: String = value_s
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if !code.is_empty() {
        fields.push(("Code".into(), code));
    }
    for part in super::grammar::split_outside_quotes(value, b';').skip(1) {
        let part = lossy(part);
        if let Some((k, v)) = part.split_once('=') {
            let k = k.trim();
            let v = v.trim().trim_matches('"');
            let key = match k.to_ascii_lowercase().as_str() {
                "reason" => "Reason",
                "source" => "Source",
                _ => continue,
            };
            fields.push((key.into(), v.to_string()));
        }
    }
    out.events.push(LogEvent {
        source: SourceRef {
            file: ctx.file.clone(),
            line_start: line.num,
            line_end: line.num,
        },
        timestamp: meta.timestamp.map(|(w, ms)| Timestamp {
            written: lossy(w).into_owned(),
            millis: ms,
        }),
        fields,
    });
    out.problem(
        line.num,
        format!(
            "Line {}: an ms-diagnostics header without its SIP message; it was kept as a \
             diagnostic record. Paste the whole response (start line and headers) to show who \
             answered which request.",
            line.num
        ),
    );
    true
}

/// Read one message whose start line (`first`, with `indent` leading white-space bytes) was
/// just consumed from `cur`.
fn read_message(
    cur: &mut LineCursor,
    first: Line,
    indent: usize,
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
                                                     // The indent of the header block, fixed by its first line (which cannot be a fold).
    let mut base: Option<&[u8]> = None;
    while let Some(line) = cur.next() {
        let t = line.text;
        let stripped = t.trim_ascii_start();
        // A blank (or whitespace-only) line ends the headers.
        if stripped.is_empty() {
            body_start = Some((line.next, line.num + 1));
            break;
        }
        let ws = t.len() - stripped.len();
        let b = *base.get_or_insert(t.get(..ws).unwrap_or(&[]));
        // A line indented less than the block (or differently) is still a header line.
        let text = if b.is_empty() {
            t
        } else {
            t.strip_prefix(b).unwrap_or(stripped)
        };
        // One scan of the leading token: `name:` is a header line, not a next start line.
        let tok = token_len(text);
        if text.get(tok) != Some(&b':') && ws <= b.len() && is_start_line(stripped) {
            // The next message follows without a blank line; this one has no body.
            cur.seek(line.start, line.num);
            break;
        }
        acc.indented += u32::from(!b.is_empty());
        acc.lf_only |= line.lf_only;
        acc.push_scanned(&ctx, text, tok, line.num);
        last_line = line.num;
    }
    let base_len = base.map_or(0, <[u8]>::len);
    acc.indent = base_len;
    if indent > 0 && base_len > 0 {
        // The start line was indented too: one uniformly indented message.
        acc.indented += 1;
    }
    let form = Form {
        lf_only: acc.lf_only,
        indent: base_len,
        lossy: ctx.lossy,
    };
    let declared = acc.content_length(&ctx);
    let mut body: &[u8] = &[];
    let mut fit = BodyFit::Unchecked;
    match body_start {
        Some((bstart, bline)) => {
            let rest = region.get(bstart..).unwrap_or(&[]);
            // Where the body ends without a length: the next start line (or the region's end).
            // Found only when needed: a length that frames the body usually settles it.
            let next_start_found = std::cell::OnceCell::new();
            let next_start = || *next_start_found.get_or_init(|| scan_body_end(rest));
            let framed = declared
                .and_then(|cl| usize::try_from(cl).ok())
                .and_then(|cl| {
                    // A length may run past the next start line (a message/sipfrag body holds
                    // one), but at most MAX_PAST_NEXT_START bytes: a wrong length then costs a
                    // bounded walk, not one to the end of the file per message. A plain body
                    // takes one byte of text per byte of length, so one no longer than that
                    // bound lies within it wherever the next start line is.
                    let window = if form.plain() && cl <= MAX_PAST_NEXT_START {
                        rest
                    } else {
                        let limit = next_start().saturating_add(MAX_PAST_NEXT_START);
                        rest.get(..limit.min(rest.len()))?
                    };
                    let end = body_end(window, cl, form)?;
                    // Trust the length if what follows is a next message, or if the body ends on
                    // a line boundary without swallowing a start line (then text after it is
                    // reported as non-SIP rather than taken into the body). Otherwise frame by
                    // start lines.
                    if plausible_after(rest.get(end..)?) {
                        return Some(end);
                    }
                    let at_boundary = end == 0
                        || rest.get(end - 1) == Some(&b'\n')
                        || matches!(rest.get(end), None | Some(b'\r' | b'\n'));
                    (at_boundary && end <= next_start()).then_some(end)
                });
            let end = framed.unwrap_or_else(next_start);
            body = rest.get(..end).unwrap_or(&[]);
            if framed.is_none() {
                body = trim_trailing_newlines(body);
            }
            fit = match (declared, framed) {
                (None, _) => BodyFit::Unchecked,
                (Some(_), Some(_)) => BodyFit::Fits,
                (Some(cl), None) => BodyFit::Mismatch {
                    declared: cl,
                    wire: wire_len(body, form),
                },
            };
            let body_nl = body_newlines(body);
            if !body.is_empty() {
                let ends_nl = body.last() == Some(&b'\n');
                last_line = bline.saturating_add(body_nl) - u32::from(ends_nl && body_nl > 0);
            }
            // Continue after the body: the rest of its last line when the body ended mid-line
            // and a next message starts there (a TCP stream), else the next line.
            let mut pos = bstart + end;
            if pos > 0 && region.get(pos - 1) != Some(&b'\n') {
                let line_end = region
                    .get(pos..)
                    .and_then(|r| find_byte(r, b'\n'))
                    .map_or(region.len(), |i| pos + i + 1);
                if trim(region.get(pos..line_end).unwrap_or(&[])).is_empty() {
                    pos = line_end;
                }
            }
            let counted = bstart + body.len();
            let line_no = bline
                .saturating_add(body_nl)
                .saturating_add(body_newlines(region.get(counted..pos).unwrap_or(&[])));
            cur.seek(pos, line_no);
        }
        None => {
            if let Some(cl) = declared.filter(|&cl| cl > 0) {
                fit = BodyFit::Mismatch {
                    declared: cl,
                    wire: 0,
                };
            }
        }
    }
    let start = Start {
        parts: start,
        raw: first.text.get(indent..).unwrap_or(&[]),
        line: first.num,
        leading_ws: indent > 0 && base_len == 0,
    };
    build(
        ctx,
        meta,
        start,
        acc,
        Body { text: body, fit },
        first.num,
        last_line,
        out,
    );
}

/// How a record body (server log) fits its Content-Length: the container's line ends are
/// ambiguous, so the length may count the body with or without its trailing line ends.
pub(crate) fn record_body_fit(declared: Option<u64>, trimmed: &[u8], raw: &[u8]) -> BodyFit {
    let Some(cl) = declared else {
        return BodyFit::Unchecked;
    };
    let form = Form {
        lf_only: true,
        ..Form::default()
    };
    // `trimmed` is `raw` without its trailing line ends.
    let lo = wire_len(trimmed, form);
    let tail = raw.get(trimmed.len()..).unwrap_or(&[]);
    let hi = lo + wire_len(tail, form);
    if (lo as u64..=hi as u64).contains(&cl) {
        BodyFit::Fits
    } else {
        BodyFit::Mismatch {
            declared: cl,
            wire: lo,
        }
    }
}

impl HeaderAcc {
    /// The declared Content-Length (for readers that frame bodies themselves).
    pub fn declared_length(&self, ctx: &Ctx) -> Option<u64> {
        self.content_length(ctx)
    }
}

fn body_newlines(b: &[u8]) -> u32 {
    u32::try_from(super::text::count_newlines(b)).unwrap_or(u32::MAX)
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
        // Read leniently, graded later.
        assert_eq!(
            parse_start_line(b"SIP/2.0 4294967301 better not break the receiver"),
            Some(Parts::Response(0, b"better not break the receiver"))
        );
        assert!(matches!(
            parse_start_line(b"OPTIONS sip:t.watson@example.org SIP/7.0"),
            Some(Parts::Request(..))
        ));
        assert_eq!(
            parse_start_line(b"INVITE sip:user@example.com; lr SIP/2.0"),
            Some(Parts::Request(b"INVITE", b"sip:user@example.com; lr"))
        );
        assert_eq!(
            parse_start_line(b"INVITE <sip:user@example.com> SIP/2.0"),
            Some(Parts::Request(b"INVITE", b"<sip:user@example.com>"))
        );
        assert!(
            parse_start_line(b"!interesting-Method0123456789_*+`.%indeed'~ sip:a@b SIP/2.0")
                .is_some()
        );
        assert!(parse_start_line(b"Via: SIP/2.0/TLS 10.0.0.1").is_none());
        assert!(parse_start_line(b"SIP/2.0/TLS 10.0.0.1").is_none());
        assert!(parse_start_line(b"<p>hello world</p>").is_none());
        assert!(parse_start_line(b"Forwarded message about sip:x SIP/2.0").is_none());
        // A header line with white space before its colon is not a request line.
        assert!(parse_start_line(b"V : SIP/2.0").is_none());
        assert!(parse_start_line(b"").is_none());
    }

    #[test]
    fn header_names() {
        assert_eq!(canonical_text(b"i"), "Call-ID");
        assert!(matches!(canonical_name(b"i"), Name::Known(3)));
        assert_eq!(canonical_text(b"CALL-ID"), "Call-ID");
        assert_eq!(canonical_text(b"MS-DIAGNOSTICS"), "ms-diagnostics");
        assert_eq!(canonical_text(b"X-FOO-BAR"), "X-Foo-Bar");
        assert_eq!(canonical_text(b"X-Custom"), "X-Custom");
        assert!(matches!(canonical_name(b"X-Custom"), Name::AsWritten));
    }

    #[test]
    fn wire_lengths() {
        let lf = Form {
            lf_only: true,
            ..Form::default()
        };
        // "ab\r\ncd" is 6 wire bytes; the LF-only paste "ab\ncd" is 5.
        assert_eq!(body_end(b"ab\ncdXYZ", 6, lf), Some(5));
        assert_eq!(body_end(b"ab\r\ncd", 6, Form::default()), Some(6));
        assert_eq!(body_end(b"ab", 6, Form::default()), None);
        // An indented body: the indent is not counted.
        let ind = Form {
            indent: 2,
            ..Form::default()
        };
        assert_eq!(body_end(b"  ab\r\n  cdXY", 6, ind), Some(10));
        assert_eq!(wire_len(b"  ab\r\n  cd", ind), 6);
        // A replaced byte (U+FFFD) is one wire byte.
        let lossy = Form {
            lossy: true,
            ..Form::default()
        };
        assert_eq!(wire_len("a\u{FFFD}b".as_bytes(), lossy), 3);
        assert_eq!(normalise_body("  a\n  b\n", true, 1), " a\r\n b\r\n");
        assert_eq!(wire_len(b"a\nb\r\n\n", lf), 8);
        assert_eq!(wire_len(b"\n", lf), 2);
        // A record body may or may not count its trailing line end.
        assert_eq!(record_body_fit(Some(4), b"a\nb", b"a\nb\n"), BodyFit::Fits);
        assert_eq!(record_body_fit(Some(6), b"a\nb", b"a\nb\n"), BodyFit::Fits);
        assert_eq!(
            record_body_fit(Some(9), b"a\nb", b"a\nb\n"),
            BodyFit::Mismatch {
                declared: 9,
                wire: 4
            }
        );
    }
}
