//! Byte-level helpers shared by the readers: fast line cursor, encoding sniffing, timestamps.
//!
//! Everything here works on untrusted bytes and never panics: every index comes from a search in
//! the same slice, and arithmetic on offsets goes through `get`.

use crate::file_text::{FileBytes, FileText};
use std::borrow::Cow;
use std::sync::Arc;

/// Position of the first `b` in `hay` (memchr: SIMD where the target has it).
#[inline]
pub(crate) fn find_byte(hay: &[u8], b: u8) -> Option<usize> {
    memchr::memchr(b, hay)
}

/// Number of `\n` in `hay` (the physical lower bound of any line-based reader).
pub fn count_newlines(hay: &[u8]) -> usize {
    newlines_and_ascii(hay).0
}

/// One physical line of the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// The line without its `\n` and without a trailing `\r`.
    pub text: &'a [u8],
    /// Byte offset of the first byte of the line.
    pub start: usize,
    /// Byte offset just past the line terminator (start of the next line).
    pub next: usize,
    /// The line ended with `\n` but no `\r` before it.
    pub lf_only: bool,
    /// 1-based line number in the file.
    pub num: u32,
}

/// Walks the lines of a buffer, keeping offsets and line numbers.
#[derive(Debug, Clone)]
pub(crate) struct LineCursor<'a> {
    buf: &'a [u8],
    pos: usize,
    num: u32,
}

impl<'a> LineCursor<'a> {
    pub fn new(buf: &'a [u8], first_line: u32) -> Self {
        LineCursor {
            buf,
            pos: 0,
            num: first_line,
        }
    }

    /// Offset of the next line's first byte.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Number of the next line.
    pub fn line(&self) -> u32 {
        self.num
    }

    pub fn buf(&self) -> &'a [u8] {
        self.buf
    }

    /// Move to a byte offset (must be a line start) with its line number.
    pub fn seek(&mut self, pos: usize, num: u32) {
        self.pos = pos.min(self.buf.len());
        self.num = num;
    }

    pub fn peek(&self) -> Option<Line<'a>> {
        self.clone().next()
    }

    /// Moves past `line`, the line [`LineCursor::peek`] just gave: where it ends is known, so
    /// its newline is not searched for a second time (readers that look before they take a
    /// line searched every line of a packet twice).
    pub fn move_past(&mut self, line: &Line<'a>) {
        self.seek(line.next, line.num.saturating_add(1));
    }
}

impl<'a> Iterator for LineCursor<'a> {
    type Item = Line<'a>;

    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let (raw, adv, had_nl) = match find_byte(rest, b'\n') {
            Some(i) => (rest.get(..i).unwrap_or(rest), i + 1, true),
            None => (rest, rest.len(), false),
        };
        let (text, had_cr) = match raw.split_last() {
            Some((b'\r', t)) => (t, true),
            _ => (raw, false),
        };
        let line = Line {
            text,
            start: self.pos,
            next: self.pos + adv,
            lf_only: had_nl && !had_cr,
            num: self.num,
        };
        self.pos += adv;
        self.num = self.num.saturating_add(1);
        Some(line)
    }
}

/// Lines in a file as an editor counts them.
pub(crate) fn line_count(bytes: &[u8]) -> u32 {
    let n = count_newlines(bytes);
    let extra = usize::from(!bytes.is_empty() && bytes.last() != Some(&b'\n'));
    u32::try_from(n + extra).unwrap_or(u32::MAX)
}

/// A UTF-16 file (Notepad "Unicode", with its byte-order mark) as UTF-8 text; `None` when the
/// bytes do not start with a UTF-16 byte-order mark.
pub(crate) fn utf16_text(bytes: &[u8]) -> Option<String> {
    match bytes {
        [0xFF, 0xFE, rest @ ..] => Some(utf16(rest, u16::from_le_bytes)),
        [0xFE, 0xFF, rest @ ..] => Some(utf16(rest, u16::from_be_bytes)),
        _ => None,
    }
}

/// The input as UTF-8-ish bytes for sniffing: UTF-16 files decoded, a UTF-8 BOM skipped.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, [u8]> {
    match utf16_text(bytes) {
        Some(text) => Cow::Owned(text.into_bytes()),
        None => Cow::Borrowed(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)),
    }
}

/// Newlines in `b`, and whether every byte is ASCII, in one pass over memory (two reductions
/// in one loop: a log is read once for both).
///
/// The wasm build spells the loop out in 128-bit SIMD: LLVM vectorises loops only after link-time
/// optimisation, at the optimisation level of the crate linked (the app's, for size), where it
/// does not, so the plain loop ran a byte at a time there (1.5 GB/s in Chromium against 13 GB/s
/// vectorised, on 100 MB). Natively the plain loop is vectorised (the command line is linked
/// at `opt-level = 3`).
pub fn newlines_and_ascii(b: &[u8]) -> (usize, bool) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd128::newlines_and_ascii(b);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    return newlines_and_ascii_plain(b);
}

/// [`newlines_and_ascii`] of a large file in two halves at once (see [`super::at_once`]).
fn newlines_and_ascii_at_once(b: &[u8]) -> (usize, bool) {
    if b.len() < super::HALVES_FROM {
        return newlines_and_ascii(b);
    }
    let (head, rest) = b.split_at(b.len() / 2);
    let ((n, ascii), (m, rest_ascii)) =
        super::at_once(|| newlines_and_ascii(head), || newlines_and_ascii(rest));
    (n + m, ascii && rest_ascii)
}

fn newlines_and_ascii_plain(b: &[u8]) -> (usize, bool) {
    let mut newlines = 0usize;
    let mut high = 0u8;
    // Blocks of at most 255 bytes: a byte counts each block's newlines without overflowing,
    // so the vectoriser adds 16 (or 32) bytes' compares at a time instead of widening them.
    for block in b.chunks(255) {
        let mut n = 0u8;
        for &c in block {
            n += u8::from(c == b'\n');
            high |= c;
        }
        newlines += usize::from(n);
    }
    (newlines, high < 0x80)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use core::arch::wasm32::{
        i8x16_sub, u16x8_extadd_pairwise_u8x16, u32x4_extadd_pairwise_u16x8, u32x4_extract_lane,
        u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_load, v128_or,
    };

    const LANES: usize = 16;

    /// [`super::newlines_and_ascii`], 16 bytes at a time: each lane counts its newlines in a
    /// byte over at most 255 steps, then the lanes are added up.
    pub(super) fn newlines_and_ascii(b: &[u8]) -> (usize, bool) {
        let newline = u8x16_splat(b'\n');
        let mut high = u8x16_splat(0);
        let mut newlines = 0usize;
        let mut tail_ascii = true;
        for block in b.chunks(LANES * 255) {
            let mut counts = u8x16_splat(0);
            let mut words = block.chunks_exact(LANES);
            for word in &mut words {
                // SAFETY: `word` is LANES readable bytes, and `v128_load` reads unaligned.
                #[allow(unsafe_code)]
                let v = unsafe { v128_load(word.as_ptr().cast::<v128>()) };
                // A newline's lane compares to all ones, -1: subtracting it counts one.
                counts = i8x16_sub(counts, u8x16_eq(v, newline));
                high = v128_or(high, v);
            }
            let sums = u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(counts));
            let lanes = [
                u32x4_extract_lane::<0>(sums),
                u32x4_extract_lane::<1>(sums),
                u32x4_extract_lane::<2>(sums),
                u32x4_extract_lane::<3>(sums),
            ];
            newlines += lanes.iter().map(|&n| n as usize).sum::<usize>();
            // The bytes short of a word (only in the last block): the plain loop.
            let (n, ascii) = super::newlines_and_ascii_plain(words.remainder());
            newlines += n;
            tail_ascii &= ascii;
        }
        (newlines, u8x16_bitmask(high) == 0 && tail_ascii)
    }
}

/// A file as the text its messages share (see [`shared_text`]).
#[derive(Clone)]
pub(crate) struct Shared {
    pub text: Arc<FileText>,
    /// Bytes of `text` to skip (a UTF-8 byte-order mark).
    pub skip: usize,
    /// Lines as an editor counts them.
    pub lines: u32,
    /// The file was UTF-16 and was converted.
    pub utf16: bool,
    /// The file had bytes that are not UTF-8; each became one U+FFFD.
    pub lossy: bool,
    /// The first and last line that lost an e-mail's quote marks ([`unquoted`]).
    pub unquoted: Option<(u32, u32)>,
    /// The first line of a paste whose HTML escapes were decoded ([`Shared::unescaped`]).
    pub unescaped: Option<u32>,
}

/// The file as the text its messages will share: UTF-8 taken as is (no copy), UTF-16 decoded,
/// anything else read as UTF-8 with each byte that is not UTF-8 replaced by one U+FFFD (one per
/// byte, so a body's Content-Length can still be counted: see `sipmsg`).
pub(crate) fn shared_text(bytes: FileBytes) -> Shared {
    if let Some(text) = utf16_text(&bytes) {
        let lines = line_count(text.as_bytes());
        return Shared {
            text: Arc::new(FileText::from(text)),
            skip: 0,
            lines,
            utf16: true,
            lossy: false,
            unquoted: None,
            unescaped: None,
        }
        .unquoted()
        .unescaped();
    }
    let skip = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    // Most logs are ASCII: one pass counts the lines and proves the bytes are UTF-8.
    let (newlines, ascii) = newlines_and_ascii_at_once(&bytes);
    let utf8 = ascii || std::str::from_utf8(&bytes).is_ok();
    let lines = if ascii {
        let partial = usize::from(bytes.last().is_some_and(|&b| b != b'\n'));
        u32::try_from(newlines + partial).unwrap_or(u32::MAX)
    } else {
        line_count(bytes.get(skip..).unwrap_or(&[]))
    };
    let (text, lossy) = if utf8 {
        // SAFETY: checked just above (all ASCII, or valid UTF-8).
        #[allow(unsafe_code)]
        let text = unsafe { bytes.into_text_unchecked() };
        (text, false)
    } else {
        lossy_text(&bytes)
    };
    // Replacing bytes changes no line count: a newline is ASCII and stays.
    Shared {
        text: Arc::new(text),
        skip,
        lines,
        utf16: false,
        lossy,
        unquoted: None,
        unescaped: None,
    }
    .unquoted()
    .unescaped()
}

/// Files up to this size are looked at for e-mail quote marks: a trace forwarded in a mail is
/// a paste of a few pages, and looking costs a scan of the text.
const QUOTED_MAIL_MAX: usize = 16 << 20;

/// Lines in a row that start with a quote mark before a file counts as a quoted e-mail.
const QUOTED_RUN: usize = 3;

impl Shared {
    /// The text its reader reads: without a byte-order mark.
    pub fn body(&self) -> &[u8] {
        self.text.as_bytes().get(self.skip..).unwrap_or(&[])
    }

    /// The text without an e-mail's quote marks (`> `, `>> `, `> > `) where some
    /// [`QUOTED_RUN`] lines in a row start with one: a message's line may start with `>` (an XML
    /// tag wrapped before its `>`), three in a row do not. Each run loses the quote depth all
    /// its lines share, so a quoted line that itself starts with `>` keeps it; every line keeps
    /// its number, so each place in the file is still where the user sees it.
    fn unquoted(self) -> Shared {
        let text: &str = self.text.get(self.skip..).unwrap_or("");
        if text.len() > QUOTED_MAIL_MAX || !quoted_run(text) {
            return self;
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut out = String::with_capacity(text.len());
        let (mut first, mut last) = (None, 0usize);
        let mut at = 0;
        while at < lines.len() {
            let run = lines[at..]
                .iter()
                .take_while(|l| l.starts_with('>'))
                .count();
            if run < QUOTED_RUN {
                // Not a quote: the lines as they are (a run too short, or no mark at all).
                for line in &lines[at..at + run.max(1)] {
                    out.push_str(line);
                }
                at += run.max(1);
                continue;
            }
            let depth = lines[at..at + run]
                .iter()
                .map(|l| quote_depth(l))
                .min()
                .unwrap_or(0);
            for line in &lines[at..at + run] {
                out.push_str(strip_quote_marks(line, depth));
            }
            first.get_or_insert(at + 1);
            last = at + run;
            at += run;
        }
        let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Shared {
            text: Arc::new(FileText::from(out)),
            skip: 0,
            unquoted: first.map(|f| (number(f), number(last))),
            ..self
        }
    }
}

/// What says a paste was copied from a web page's HTML source: SIP's angle brackets and
/// quotes written as entities. An escaped paste is escaped throughout, so its head tells.
pub(crate) const HTML_ESCAPES: [&str; 4] = ["&lt;sip:", "&lt;tel:", "&lt;sips:", "&quot;"];

/// The part of a file looked at for [`HTML_ESCAPES`].
const HTML_HEAD: usize = 64 << 10;

/// The line of the first of [`HTML_ESCAPES`] in the head of `text`, if any is there.
pub(crate) fn html_escape_line(text: &[u8]) -> Option<u32> {
    let head = &text[..text.len().min(HTML_HEAD)];
    let at = HTML_ESCAPES
        .iter()
        .filter_map(|needle| memchr::memmem::find(head, needle.as_bytes()))
        .min()?;
    Some(line_count(&head[..at]).max(1) + u32::from(at > 0 && head[at - 1] == b'\n'))
}

impl Shared {
    /// The text with its HTML escapes decoded (`&lt;` `&gt;` `&quot;` `&apos;` `&#39;`
    /// `&amp;`, once: a body's own `&amp;` was escaped again and comes back as written) where
    /// the head shows [`HTML_ESCAPES`]. No escape holds a newline, so every line keeps its
    /// number.
    fn unescaped(self) -> Shared {
        let text: &str = self.text.get(self.skip..).unwrap_or("");
        if text.len() > QUOTED_MAIL_MAX {
            return self;
        }
        let Some(line) = html_escape_line(text.as_bytes()) else {
            return self;
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let decoded = [
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
                ("&apos;", '\''),
                ("&#39;", '\''),
                ("&amp;", '&'),
            ]
            .into_iter()
            .find(|(entity, _)| rest.starts_with(entity));
            match decoded {
                Some((entity, c)) => {
                    out.push(c);
                    rest = &rest[entity.len()..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        Shared {
            text: Arc::new(FileText::from(out)),
            skip: 0,
            unescaped: Some(line),
            ..self
        }
    }
}

/// The note a paste whose HTML escapes were decoded gets.
pub(crate) fn unescaped_note(line: u32) -> String {
    format!(
        "Line {line}: the text was HTML-escaped (&lt; &gt; &quot; for < > \"), as copied from a \
         web page's source: it was read with them put back. Line numbers are the file's; a \
         body's Content-Length may count the original bytes."
    )
}

/// Whether [`QUOTED_RUN`] lines in a row start with a quote mark.
fn quoted_run(text: &str) -> bool {
    // Most files have no line that starts with '>': one vectorised search says so.
    if !text.starts_with('>') && memchr::memmem::find(text.as_bytes(), b"\n>").is_none() {
        return false;
    }
    let mut run = 0;
    for line in text.split('\n') {
        run = if line.starts_with('>') { run + 1 } else { 0 };
        if run >= QUOTED_RUN {
            return true;
        }
    }
    false
}

/// How many quote marks `line` starts with: `>`, each maybe followed by one space or tab.
fn quote_depth(line: &str) -> usize {
    let mut rest = line;
    let mut depth = 0;
    while let Some(after) = rest.strip_prefix('>') {
        rest = after.strip_prefix([' ', '\t']).unwrap_or(after);
        depth += 1;
    }
    depth
}

/// `line` without its first `depth` quote marks (see [`quote_depth`]).
fn strip_quote_marks(line: &str, depth: usize) -> &str {
    let mut rest = line;
    for _ in 0..depth {
        match rest.strip_prefix('>') {
            Some(after) => rest = after.strip_prefix([' ', '\t']).unwrap_or(after),
            None => break,
        }
    }
    rest
}

/// The note a file whose lines lost e-mail quote marks gets.
pub(crate) fn unquoted_note(first: u32, last: u32) -> String {
    format!(
        "Lines {first}-{last} were quoted in an e-mail (lines starting with '>'): they were read \
         without the quote marks. If a line was wrapped by the mail program, its message may \
         be partly parsed: the original file reads best."
    )
}

/// Bytes that are not all UTF-8, with each byte that is not replaced by one U+FFFD.
fn lossy_text(bytes: &[u8]) -> (FileText, bool) {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for _ in chunk.invalid() {
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    (FileText::from(text), true)
}

/// The note a file gets when it had bytes that are not UTF-8 outside its messages' bodies.
pub(crate) fn not_utf8_note(line: u32) -> String {
    format!(
        "Line {line}: the file has bytes that are not UTF-8 (from here on, maybe more); they are \
         shown as U+FFFD. Was it saved in another encoding? Everything else was read."
    )
}

/// The note a converted UTF-16 file gets.
pub(crate) const UTF16_NOTE: &str =
    "The file is UTF-16 (\"Unicode\"); it was converted to UTF-8 for reading.";

fn utf16(bytes: &[u8], f: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| f([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Bytes as text, replacing invalid UTF-8.
#[inline]
pub(crate) fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// Trim ASCII whitespace at both ends.
#[inline]
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Case-insensitive prefix test.
#[inline]
pub(crate) fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len()
        && b.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Offset of the first `needle` in `hay`, ASCII letters in any case: what `find` gives on both
/// lower-cased, without the copies.
pub fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return Some(0);
    };
    // Candidates are where the first byte stands, in either case: a vectorised search.
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, hay).find(|&i| {
        hay.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// A constant needle searched on many lines, as a `&'static memchr::memmem::Finder` built
/// once: building a finder costs more than searching a log line with it, and [`find`] builds
/// one per call. `needle!(b"Sending Packet - ").find(line)`.
macro_rules! needle {
    ($s:literal) => {{
        static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new($s));
        &*FINDER
    }};
}
pub(crate) use needle;

/// Offset of `needle` in `hay` (memchr's substring search: no restart per first-byte hit). For a
/// constant needle searched per line, use [`needle!`].
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(hay, needle)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |a, &c| a * 10 + i64::from(c - b'0')))
}

/// `HH:MM:SS[.fraction]` → milliseconds since midnight.
pub(crate) fn parse_hms(b: &[u8]) -> Option<i64> {
    let mut parts = b.splitn(3, |&c| c == b':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let rest = parts.next()?;
    let (s, frac) = match rest.iter().position(|&c| c == b'.' || c == b',') {
        Some(i) => (rest.get(..i)?, rest.get(i + 1..)?),
        None => (rest, &b""[..]),
    };
    let s = num(s)?;
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Milliseconds: the first three fraction digits, padded with zeros (no allocation).
    let mut ms = 0;
    let mut digits = frac.iter().take_while(|c| c.is_ascii_digit());
    for _ in 0..3 {
        ms = ms * 10 + digits.next().map_or(0, |&c| i64::from(c - b'0'));
    }
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

fn date_ms(y: i64, mo: i64, d: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || !(1970..=2200).contains(&y) {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400_000)
}

/// `MM/DD/YYYY` + separator + `HH:MM:SS.mmm` (UCCAPI `|`, server log `-`).
pub(crate) fn parse_mdy_time(b: &[u8]) -> Option<i64> {
    fixed_mdy_time(b).or_else(|| any_mdy_time(b))
}

/// [`parse_mdy_time`] of the layout both logs write, `MM/DD/YYYY?HH:MM:SS.mmm`, digit by digit
/// (every packet of a client trace has a time; this was ~400 instructions a time read as
/// [`any_mdy_time`] reads it). `None` when the text is laid out otherwise.
fn fixed_mdy_time(b: &[u8]) -> Option<i64> {
    let b: &[u8; 23] = b.get(..23)?.try_into().ok()?;
    if b[2] != b'/' || b[5] != b'/' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[19], b'.' | b',') {
        return None;
    }
    let digit = |i: usize| b[i].is_ascii_digit().then(|| i64::from(b[i] - b'0'));
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let (h, m, s) = (two(11)?, two(14)?, two(17)?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let ms = digit(20)? * 100 + two(21)?;
    let date = date_ms(two(6)? * 100 + two(8)?, two(0)?, two(3)?)?;
    Some(date + ((h * 60 + m) * 60 + s) * 1000 + ms)
}

/// [`parse_mdy_time`] of any layout it accepts (one-digit hours, no fraction, more digits).
fn any_mdy_time(b: &[u8]) -> Option<i64> {
    let mo = num(b.get(0..2)?)?;
    let d = num(b.get(3..5)?)?;
    let y = num(b.get(6..10)?)?;
    if b.get(2) != Some(&b'/') || b.get(5) != Some(&b'/') {
        return None;
    }
    Some(date_ms(y, mo, d)? + parse_hms(b.get(11..)?)?)
}

/// `YYYY-MM-DD HH:MM:SS.ffffff` (SIPp).
pub(crate) fn parse_ymd_time(b: &[u8]) -> Option<i64> {
    let y = num(b.get(0..4)?)?;
    let mo = num(b.get(5..7)?)?;
    let d = num(b.get(8..10)?)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    Some(date_ms(y, mo, d)? + parse_hms(b.get(11..)?)?)
}

/// A SIP `Date` header's value (`Wed, 21 Mar 2007 18:31:40 GMT`, RFC 3261 20.17's rfc1123-date)
/// → milliseconds since 1970 (UTC). `None` for any other layout.
pub fn parse_sip_date(v: &[u8]) -> Option<i64> {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let v = v.trim_ascii();
    if super::grammar::date(v).is_err() {
        return None;
    }
    let month = MONTHS.iter().position(|m| v.get(8..11) == Some(*m))?;
    let day = date_ms(num(v.get(12..16)?)?, month as i64 + 1, num(v.get(5..7)?)?)?;
    Some(day + parse_hms(v.get(17..25)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sip_date_is_read_as_utc() {
        assert_eq!(
            parse_sip_date(b"Wed, 21 Mar 2007 18:31:40 GMT"),
            Some(1_174_501_900_000)
        );
        assert_eq!(
            parse_sip_date(b" Tue, 20 Mar 2007 23:58:12 GMT "),
            Some(1_174_435_092_000)
        );
        for bad in [
            &b"Wed, 21 Mar 2007 18:31:40 CET"[..],
            b"21 Mar 2007",
            b"",
            b"Wed, 21 Xyz 2007 18:31:40 GMT",
        ] {
            assert_eq!(parse_sip_date(bad), None);
        }
    }

    /// A trace quoted in an e-mail is read without the quote marks, every line keeping its
    /// number; a '>' that starts fewer than three lines in a row (an XML body wrapped before a
    /// '>') leaves the file as it is.
    #[test]
    fn quote_marks_go_from_an_e_mailed_trace_and_only_from_one() {
        let mail = "Hi,\n\n> INVITE sip:a@b SIP/2.0\n> Via: SIP/2.0/TLS h\n> Content-Length: 9\n>\n> <a\n> >b</a\n> >\n\n-- \nPavel\n";
        let s = shared_text(mail.as_bytes().to_vec().into());
        assert_eq!(
            &**s.text,
            "Hi,\n\nINVITE sip:a@b SIP/2.0\nVia: SIP/2.0/TLS h\nContent-Length: 9\n\n<a\n>b</a\n>\n\n-- \nPavel\n"
        );
        assert_eq!(s.unquoted, Some((3, 9)));
        // Quoted twice: both marks go, wherever the forwards put their spaces.
        let twice = shared_text(b">> a\n> > b\n>>c\n".to_vec().into());
        assert_eq!(&**twice.text, "a\nb\nc\n");
        assert_eq!(s.lines, line_count(mail.as_bytes()));
        for kept in [
            "INVITE sip:a@b SIP/2.0\r\nContent-Length: 9\r\n\r\n<a\r\n>b</a\r\n>\r\n",
            "> one\n> two\nthree\n> four\n",
            "no quote at all\n",
        ] {
            let s = shared_text(kept.as_bytes().to_vec().into());
            assert_eq!(&**s.text, kept);
            assert_eq!(s.unquoted, None);
        }
    }
    use crate::file_text::KeptBytes;

    /// A paste from a web page's source is read with its escapes put back, once (a body's
    /// own `&amp;` stays), every line keeping its number; text without them is left alone.
    #[test]
    fn an_html_escaped_paste_is_read_decoded() {
        let page = "Ticket\nFrom: &quot;Ann&quot; &lt;sip:ann@a.example&gt;;tag=1\n\n&lt;x a=&quot;1&amp;amp;2&quot;/&gt; &#39;&amp\n";
        let s = shared_text(page.as_bytes().to_vec().into());
        assert_eq!(
            &**s.text,
            "Ticket\nFrom: \"Ann\" <sip:ann@a.example>;tag=1\n\n<x a=\"1&amp;2\"/> '&amp\n"
        );
        assert_eq!(s.unescaped, Some(2));
        assert_eq!(s.lines, line_count(page.as_bytes()));
        let plain = shared_text(b"From: <sip:a@b>\nX: a &amp; b\n".to_vec().into());
        assert_eq!(plain.unescaped, None);
        assert_eq!(&**plain.text, "From: <sip:a@b>\nX: a &amp; b\n");
    }

    #[test]
    fn find_ci_finds_the_first_place_in_any_case() {
        assert_eq!(find_ci(b"NTLM TargetName=\"a\"", b"targetname="), Some(5));
        assert_eq!(find_ci(b"application/CSTA+xml", b"csta"), Some(12));
        assert_eq!(find_ci(b"cstcsta", b"csta"), Some(3));
        assert_eq!(find_ci(b"cst", b"csta"), None);
        assert_eq!(find_ci(b"x", b""), Some(0));
        assert_eq!(find_ci(b"a/1 B/2", b"b/"), Some(4));
    }

    /// Peeking and moving past walks the lines as taking each does: the same lines, and the
    /// cursor in the same place after each (line endings of every kind, no final newline).
    #[test]
    fn moving_past_a_peeked_line_is_taking_it() {
        let text = b"a\r\nb\n\n\r\nlast";
        let (mut taken, mut skipped) = (LineCursor::new(text, 7), LineCursor::new(text, 7));
        while let Some(line) = skipped.peek() {
            skipped.move_past(&line);
            let next = taken.next().expect("as many lines");
            assert_eq!(
                (line.text, line.start, line.num),
                (next.text, next.start, next.num)
            );
            assert_eq!((skipped.pos(), skipped.line()), (taken.pos(), taken.line()));
        }
        assert!(taken.next().is_none());
        assert_eq!(skipped.line(), 7 + 5);
    }

    #[test]
    fn finds_bytes_and_lines() {
        let s = b"abcdefghijklmnop\nq";
        assert_eq!(find_byte(s, b'\n'), Some(16));
        assert_eq!(find_byte(s, b'z'), None);
        assert_eq!(find_byte(b"", b'z'), None);
        let lines: Vec<_> = LineCursor::new(b"a\r\nb\n\nc", 1).collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].text, b"a");
        assert!(!lines[0].lf_only);
        assert!(lines[1].lf_only);
        assert_eq!(lines[3].text, b"c");
        assert_eq!(lines[3].num, 4);
        assert_eq!(line_count(b"a\nb"), 2);
        assert_eq!(newlines_and_ascii(b"a\nb\n"), (2, true));
        assert_eq!(newlines_and_ascii("a\n\u{e9}".as_bytes()), (1, false));
        let long: Vec<u8> = (0..10_000u32)
            .map(|i| if i % 7 == 0 { b'\n' } else { b'x' })
            .collect();
        assert_eq!(newlines_and_ascii(&long), (count_newlines(&long), true));
        assert_eq!(line_count(b"a\nb\n"), 2);
        assert_eq!(find(b"hello world", b"wor"), Some(6));
    }

    #[test]
    fn parses_times() {
        // 2006-11-30 14:02:11.123 UTC = 1164895331123
        assert_eq!(
            parse_mdy_time(b"11/30/2006|14:02:11.123"),
            Some(1_164_895_331_123)
        );
        assert_eq!(
            parse_mdy_time(b"11/30/2006-14:02:11.123.0000000f"),
            Some(1_164_895_331_123)
        );
        assert_eq!(
            parse_ymd_time(b"2006-11-30 14:02:11.123456"),
            Some(1_164_895_331_123)
        );
        assert_eq!(parse_mdy_time(b"13/30/2006|14:02:11.123"), None);
        assert_eq!(parse_mdy_time(b"1"), None);
    }

    /// The digit-by-digit reading of the usual layout gives what the general reading gives,
    /// and leaves every other layout to it.
    #[test]
    fn the_usual_time_layout_reads_as_any_layout_does() {
        for t in [
            "11/30/2006|14:02:11.123",
            "02/14/2013|09:15:02.331",
            "12/31/2199|23:59:60,999",
            "01/01/1970-00:00:00.000 trailing",
            "11/30/2006|14:02:11.1234",
            "11/30/2006|24:02:11.123",
            "11/30/2006|14:60:11.123",
            "11/30/2006|14:02:61.123",
            "13/30/2006|14:02:11.123",
            "11/32/2006|14:02:11.123",
            "11/30/1969|14:02:11.123",
            "11/30/2006|14:02:11.12",
            "11/30/2006|14:02:11",
            "11/30/2006|4:02:11.123",
            "11/30/2006|14:02:11:123",
            "11/30/2006|14:02:1a.123",
            "1a/30/2006|14:02:11.123",
        ] {
            let b = t.as_bytes();
            if let Some(ms) = fixed_mdy_time(b) {
                assert_eq!(Some(ms), any_mdy_time(b), "{t}");
            }
            assert_eq!(parse_mdy_time(b), any_mdy_time(b), "{t}");
        }
        assert!(fixed_mdy_time(b"02/14/2013|09:15:02.331").is_some());
    }

    struct Static(&'static [u8]);

    // SAFETY: a 'static slice never changes and is not inside the value.
    #[allow(unsafe_code)]
    unsafe impl KeptBytes for Static {
        fn bytes(&self) -> &[u8] {
            self.0
        }
    }

    #[test]
    fn counts_lines_as_an_editor_and_replaces_each_byte_that_is_not_utf8() {
        for (text, lines) in [
            ("", 0),
            ("a", 1),
            ("a\n", 1),
            ("a\nb", 2),
            ("\u{feff}a\nb\n", 2),
        ] {
            assert_eq!(
                shared_text(text.as_bytes().to_vec().into()).lines,
                lines,
                "{text:?}"
            );
        }
        // One U+FFFD per byte that is not UTF-8 (so lengths can be counted back).
        let s = shared_text(b"a\xff\xfeb\n".to_vec().into());
        assert!(s.lossy);
        assert_eq!(&**s.text, "a\u{FFFD}\u{FFFD}b\n");
    }

    #[test]
    fn kept_and_owned_bytes_read_as_the_same_text() {
        let cases: [&'static [u8]; 6] = [
            b"INVITE sip:a@b SIP/2.0\r\n\r\n",
            b"",
            b"no newline at the end",
            "\u{feff}caf\u{e9}\nline two\n".as_bytes(),
            b"bad \xff byte\n",
            b"\xff\xfeh\x00i\x00\n\x00",
        ];
        for bytes in cases {
            let owned = shared_text(bytes.to_vec().into());
            let kept = shared_text(FileBytes::kept(Box::new(Static(bytes))));
            assert_eq!(&**owned.text, &**kept.text, "{bytes:?}");
            assert_eq!(
                (owned.skip, owned.lines, owned.utf16, owned.lossy),
                (kept.skip, kept.lines, kept.utf16, kept.lossy),
                "{bytes:?}"
            );
        }
        // UTF-8 kept bytes are the text itself, not a copy.
        let b: &'static [u8] = b"REGISTER sip:x SIP/2.0\r\n";
        let kept = shared_text(FileBytes::kept(Box::new(Static(b))));
        assert_eq!(kept.text.as_ptr(), b.as_ptr());
    }
}
