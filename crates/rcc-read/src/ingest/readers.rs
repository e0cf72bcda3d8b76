//! One reader per log format. Each walks the file's lines once, cuts out the SIP text of every
//! packet/record and hands it to the lenient front end in [`super::sipmsg`].

use super::sipmsg::{
    build, frame_region, frame_region_ticked, parse_start_line, Body, Ctx, Meta, Out, Parts, Start,
};
use super::text::{
    lossy, needle, parse_mdy_time, parse_ymd_time, starts_with_ci, trim, Line, LineCursor,
};
use crate::sip::{Direction, LogEvent, SourceRef, Timestamp};
use std::borrow::Cow;

/// Calls `progress(bytes_done)` at most every 256 KiB.
pub(crate) struct Tick<'p> {
    pub cb: &'p mut dyn FnMut(usize),
    next: usize,
}

impl<'p> Tick<'p> {
    pub fn new(cb: &'p mut dyn FnMut(usize)) -> Self {
        Tick { cb, next: 1 << 18 }
    }
    #[inline]
    pub fn at(&mut self, pos: usize) {
        if pos >= self.next {
            (self.cb)(pos);
            self.next = pos + (1 << 18);
        }
    }
}

/// Raw SIP text (and anything not recognised: we still look for messages).
pub(crate) fn raw(buf: &[u8], first_line: u32, ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    frame_region_ticked(buf, first_line, ctx, &Meta::default(), out, Some((0, tick)));
}

fn ts(written: &[u8], millis: Option<i64>) -> Timestamp {
    Timestamp {
        written: lossy(written).into_owned(),
        millis,
    }
}

/// `MM/DD/YYYY|HH:MM:SS.mmm` at the start of a line?
pub(crate) fn uccapi_stamp(line: &[u8]) -> Option<&[u8]> {
    if line.len() < 23 || line.get(2) != Some(&b'/') || line.get(10) != Some(&b'|') {
        return None;
    }
    let end = line.iter().position(|&c| c == b' ').unwrap_or(line.len());
    line.get(..end)
}

/// `... End of Sending Packet - ...`, `... End of Received Packet - ...`,
/// `... End of Data Received - ...`
fn is_end_of_packet(line: &[u8]) -> bool {
    needle!(b"End of ").find_iter(line).any(|i| {
        let rest = line.get(i + 7..).unwrap_or(&[]);
        rest.starts_with(b"Sending Packet")
            || rest.starts_with(b"Received Packet")
            || rest.starts_with(b"Data Received")
    })
}

/// The packet a line opens: direction, what the log calls it, and where its peer address
/// starts. `Received Packet` is Communicator 2007's word, `Data Received` (with `To Local
/// Address:`) the Lync era's.
fn packet_opening(line: &[u8]) -> Option<(Direction, &'static str, usize)> {
    if let Some(i) = needle!(b"Sending Packet - ").find(line) {
        return Some((Direction::Sent, "Sending Packet", i + 17));
    }
    if let Some(i) = needle!(b"Received Packet - ").find(line) {
        return Some((Direction::Received, "Received Packet", i + 18));
    }
    if let Some(i) = needle!(b"Data Received - ").find(line) {
        return Some((Direction::Received, "Data Received", i + 16));
    }
    None
}

/// What a stamped trace line says of packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PacketWords {
    /// It opens one: the direction, what the log calls it, and where its peer address starts.
    Opening(Direction, &'static str, usize),
    /// `End of ...`: it closes one.
    End,
    /// Nothing of a packet.
    Other,
}

/// Where a trace line's text starts: after its first `:: ` (`... INFO :: Sending Packet - ...`).
fn said_at(line: &[u8]) -> Option<usize> {
    needle!(b":: ").find(line).map(|i| i + 3)
}

/// What a trace line says of packets, read first where the trace writes it, at the start of
/// its text (`said`, from [`said_at`]), with no search; else anywhere on the line, as
/// [`is_end_of_packet`] and [`packet_opening`] read it.
fn packet_words(line: &[u8], said: Option<usize>) -> PacketWords {
    const OPENINGS: [(&[u8], Direction, &str); 3] = [
        (b"Sending Packet - ", Direction::Sent, "Sending Packet"),
        (
            b"Received Packet - ",
            Direction::Received,
            "Received Packet",
        ),
        (b"Data Received - ", Direction::Received, "Data Received"),
    ];
    if let Some((at, text)) = said.and_then(|at| Some((at, line.get(at..)?))) {
        for (words, dir, what) in OPENINGS {
            if text.starts_with(words) {
                return PacketWords::Opening(dir, what, at + words.len());
            }
        }
        if text.strip_prefix(b"End of ").is_some_and(|rest| {
            [&b"Sending Packet"[..], b"Received Packet", b"Data Received"]
                .iter()
                .any(|w| rest.starts_with(w))
        }) {
            return PacketWords::End;
        }
    }
    if is_end_of_packet(line) {
        return PacketWords::End;
    }
    match packet_opening(line) {
        Some((dir, what, peer_at)) => PacketWords::Opening(dir, what, peer_at),
        None => PacketWords::Other,
    }
}

/// Offset in `line` of a SIP start line written on the trace line itself, after the prefix's
/// `:: ` (`... INFO :: SIP/2.0 200 OK`) or after a packet line's `bytes:`.
pub(crate) fn start_on_trace_line(line: &[u8]) -> Option<usize> {
    start_on_trace_line_said(line, said_at(line))
}

/// [`start_on_trace_line`] when where the line's text starts is known ([`said_at`]).
fn start_on_trace_line_said(line: &[u8], said: Option<usize>) -> Option<usize> {
    let after = |at: usize| {
        let rest = line.get(at..)?;
        let skip = rest.len() - rest.trim_ascii_start().len();
        super::sipmsg::is_start_line(rest.get(skip..)?).then_some(at + skip)
    };
    said.and_then(after)
        .or_else(|| needle!(b"bytes:").find(line).and_then(|i| after(i + 6)))
}

/// The token from `at` (after white space) up to a space or a parenthesis.
fn token_at(line: &[u8], at: usize) -> Option<&[u8]> {
    let rest = line.get(at..)?.trim_ascii_start();
    let end = rest
        .iter()
        .position(|&c| c == b' ' || c == b')' || c == b'(')
        .unwrap_or(rest.len());
    let t = rest.get(..end)?;
    (!t.is_empty()).then_some(t)
}

/// Moves `cur` over unstamped lines; returns where they end (the next stamped line, which is
/// not consumed, or the end of the buffer).
///
/// A stamped line has its `|` at offset 10, and a packet's lines have almost none: the next
/// stamp is found among the `|`s, and the lines passed over are only counted, not cut one by one
/// (the packet's own reader cuts them next; cutting them here too was a tenth of reading a trace).
fn skip_to_stamp(cur: &mut LineCursor, len: usize) -> usize {
    let buf = cur.buf();
    let from = cur.pos().min(buf.len());
    let mut search = from;
    let end = loop {
        let Some(bar) = super::text::find_byte(&buf[search..], b'|').map(|i| search + i) else {
            break len.min(buf.len());
        };
        search = bar + 1;
        let Some(start) = bar.checked_sub(10).filter(|&s| s >= from) else {
            continue;
        };
        let at_line_start = start == from || buf[start - 1] == b'\n';
        if !at_line_start || super::text::find_byte(&buf[start..bar], b'\n').is_some() {
            continue;
        }
        let line = &buf[start..];
        let line = &line[..super::text::find_byte(line, b'\n').unwrap_or(line.len())];
        let text = line.strip_suffix(b"\r").unwrap_or(line);
        if uccapi_stamp(text).is_some() {
            break start;
        }
    };
    let passed = super::text::line_count(&buf[from..end]);
    cur.seek(end, cur.line().saturating_add(passed));
    end
}

/// Communicator / UCCAPI client trace (Communicator 2007 and Lync 2010/2013 layouts).
///
/// A packet runs from its `Sending Packet` / `Received Packet` / `Data Received` line to its
/// `End of ...` line (or, in a truncated log, the next trace line). A SIP message may also sit
/// on a trace line of its own (`... INFO :: SIP/2.0 200 OK`, headers on the next lines), or
/// follow a trace line on unstamped lines: both are read up to the next trace line, with the
/// line's time and no direction. Other trace lines are context; ERROR/WARN lines are kept as
/// events.
pub(crate) fn uccapi(buf: &[u8], first_line: u32, ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let mut cur = LineCursor::new(buf, first_line);
    let mut last_stamp: Option<&[u8]> = None;
    while let Some(line) = cur.next() {
        tick.at(line.start);
        let text = line.text;
        let Some(stamp) = uccapi_stamp(text) else {
            // Unstamped lines continue the previous trace line, unless a SIP message starts.
            if super::sipmsg::is_start_line(text.trim_ascii_start()) {
                let end = skip_to_stamp(&mut cur, buf.len());
                let meta = Meta {
                    timestamp: last_stamp.map(|s| (s, parse_mdy_time(s))),
                    ..Meta::default()
                };
                let region = buf.get(line.start..end).unwrap_or(&[]);
                frame_region(region, line.num, ctx, &meta, out);
            }
            continue;
        };
        last_stamp = Some(stamp);
        let said = said_at(text);
        let words = packet_words(text, said);
        if words == PacketWords::End {
            // An "End of ... Packet" line without its opening line: noise.
            continue;
        }
        let timestamp = Some((stamp, parse_mdy_time(stamp)));
        let on_line = start_on_trace_line_said(text, said);
        let PacketWords::Opening(dir, what, peer_at) = words else {
            match on_line {
                Some(at) => {
                    let end = skip_to_stamp(&mut cur, buf.len());
                    let meta = Meta {
                        timestamp,
                        ..Meta::default()
                    };
                    let region = buf.get(line.start + at..end).unwrap_or(&[]);
                    frame_region(region, line.num, ctx, &meta, out);
                }
                None => uccapi_event(line, stamp, ctx, out),
            }
            continue;
        };
        let meta = Meta {
            timestamp,
            direction: Some(dir),
            local: needle!(b"Local Address:")
                .find(text)
                .and_then(|i| token_at(text, i + 14)),
            peer: token_at(text, peer_at),
        };
        // The packet runs to its "End of ..." line, or (truncated log) the next log line.
        let (region_start, region_line) = match on_line {
            Some(at) => (line.start + at, line.num),
            None => (cur.pos(), cur.line()),
        };
        let region_end = skip_to_stamp(&mut cur, buf.len());
        let closed = cur
            .peek()
            .is_some_and(|l| packet_words(l.text, said_at(l.text)) == PacketWords::End);
        if closed {
            cur.next();
        }
        let region = buf.get(region_start..region_end).unwrap_or(&[]);
        let before = out.built();
        frame_region(region, region_line, ctx, &meta, out);
        if !closed {
            out.problem(
                line.num,
                format!(
                    "Line {}: the packet logged here has no \"End of {what}\" line; the log may be \
                     truncated. What was readable was kept.",
                    line.num
                ),
            );
        }
        if out.built() == before && !trim(region).is_empty() {
            out.problem(
                line.num,
                format!(
                    "Line {}: this packet holds no SIP start line; it was skipped.",
                    line.num
                ),
            );
        }
    }
}

/// UCCAPI ERROR/WARN lines are kept as events (they often say why a request failed).
fn uccapi_event(line: Line, stamp: &[u8], ctx: Ctx, out: &mut Out) {
    let text = line.text;
    let level = needle!(b" ERROR :: ")
        .find(text)
        .map(|i| (i, &b" ERROR :: "[..]))
        .or_else(|| {
            needle!(b" WARN :: ")
                .find(text)
                .map(|i| (i, &b" WARN :: "[..]))
        })
        .or_else(|| {
            needle!(b" WARNING :: ")
                .find(text)
                .map(|i| (i, &b" WARNING :: "[..]))
        });
    let Some((i, k)) = level else { return };
    let msg = text.get(i + k.len()..).unwrap_or(&[]);
    out.events.push(LogEvent {
        source: SourceRef {
            file: ctx.file.clone(),
            line_start: line.num,
            line_end: line.num,
        },
        timestamp: Some(ts(stamp, parse_mdy_time(stamp))),
        fields: vec![
            ("Level".into(), lossy(trim(&k[..k.len() - 3])).into_owned()),
            ("Text".into(), lossy(trim(msg)).into_owned()),
        ],
    });
}

/// `TL_<LEVEL>(TF_<FLAG>) [n]pid.tid::...`: the header line of a Logging Tool trace entry.
fn is_trace_header(t: &[u8]) -> bool {
    t.starts_with(b"TL_") && needle!(b"(TF_").find(t).is_some() && needle!(b"::").find(t).is_some()
}

/// The first line of a record's fields (a trace header line followed by one of these is a
/// record even without `$$begin_record`).
fn is_record_field(t: &[u8]) -> bool {
    const FIELDS: [&[u8]; 13] = [
        b"LogType:",
        b"Severity:",
        b"Text:",
        b"Result-Code:",
        b"Instance-Id:",
        b"Trace-Correlation-Id:",
        b"Direction:",
        b"Peer:",
        b"Message-Type:",
        b"Start-Line:",
        b"SIP-Start-Line:",
        b"SIP-Call-ID:",
        b"SIP-CSeq:",
    ];
    let t = trim(t);
    FIELDS.iter().any(|f| starts_with_ci(t, f))
}

/// Does `line` open a record? `next` gives the line after it (asked only for a trace header).
fn opens_record<'a>(line: &[u8], next: impl FnOnce() -> Option<Line<'a>>) -> bool {
    let t = trim(line);
    t.ends_with(b"$$begin_record")
        || (is_trace_header(t) && next().is_some_and(|n| is_record_field(n.text)))
}

/// LCS 2005 / OCS 2007 Logging Tool (SIPStack) text: protocol records (a SIP message) and
/// diagnostic records (kept as events), each from its trace header line to `$$end_record`. The
/// header line ends with `$$begin_record`, or (diagnostic records as OCS 2007 R2 writes them)
/// carries the trace text instead and the fields follow directly.
pub(crate) fn server_log(buf: &[u8], first_line: u32, ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let mut cur = LineCursor::new(buf, first_line);
    while let Some(line) = cur.next() {
        tick.at(line.start);
        if opens_record(line.text, || cur.peek()) {
            server_record(buf, &mut cur, line, ctx, out);
        }
    }
}

/// The parts of a trace header line:
/// `TL_ERROR(TF_COMPONENT) [0]0860.0CDC::01/18/2012-05:07:42.622.000d0b31 (SIPStack,...)( 00... ) Exit - ...`
struct TraceHeader<'a> {
    level: &'a [u8],
    flag: &'a [u8],
    stamp: Option<&'a [u8]>,
    /// Everything after the stamp (component group and trace text, see [`component_and_trace`]).
    rest: &'a [u8],
}

fn trace_header(h: &[u8]) -> TraceHeader<'_> {
    let level_end = h.iter().position(|&c| c == b'(').unwrap_or(0);
    let level = trim(h.get(..level_end).unwrap_or(&[]));
    let flag = h
        .get(level_end + 1..)
        .and_then(|r| r.get(..r.iter().position(|&c| c == b')')?))
        .unwrap_or(&[]);
    let stamp_at = needle!(b"::").find(h).map(|i| i + 2);
    let stamp = stamp_at.and_then(|i| {
        let r = h.get(i..)?;
        r.get(..r.iter().position(|&c| c == b' ').unwrap_or(r.len()))
    });
    let after_stamp = stamp_at.map_or(h.len(), |i| i + stamp.map_or(0, <[u8]>::len));
    TraceHeader {
        level,
        flag,
        stamp,
        rest: h.get(after_stamp..).unwrap_or(&[]),
    }
}

/// The `(component,function:file(line))` group after the stamp (balanced parentheses), and the
/// trace text after it without `$$begin_record`. Only events keep them.
fn component_and_trace(rest: &[u8]) -> (&[u8], &[u8]) {
    let (component, trace) = match rest.iter().position(|&c| c == b'(') {
        Some(open) => {
            let mut depth = 0usize;
            let mut close = rest.len();
            for (i, &c) in rest.iter().enumerate().skip(open) {
                match c {
                    b'(' => depth += 1,
                    b')' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            close = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            (
                rest.get(open + 1..close).unwrap_or(&[]),
                rest.get(close + 1..).unwrap_or(&[]),
            )
        }
        None => (&[][..], rest),
    };
    let trace = trim(trace);
    (
        component,
        trim(trace.strip_suffix(b"$$begin_record").unwrap_or(trace)),
    )
}

fn server_record(buf: &[u8], cur: &mut LineCursor, head: Line, ctx: Ctx, out: &mut Out) {
    let th = trace_header(head.text);
    let stamp = th.stamp;
    let millis = stamp.and_then(parse_mdy_time);

    // The record's fields as written (text already UTF-8), owned only when a value continues on
    // a second line: a SIP record reads two of them, an event keeps them all.
    let mut fields: Vec<(&[u8], Cow<[u8]>)> = Vec::new();
    let mut start: Option<(Parts, &[u8], u32)> = None;
    let mut acc = out.header_acc();
    let mut body_from: Option<usize> = None;
    let mut end_line = head.num;
    let mut closed = false;
    let mut body_to = buf.len();
    enum St {
        Fields,
        Headers,
        Body,
    }
    let mut st = St::Fields;
    while let Some(line) = cur.peek() {
        let t = trim(line.text);
        // The next record (with or without $$begin_record) ends a record without $$end_record.
        let next = || {
            let mut after = cur.clone();
            after.next();
            after.next()
        };
        if opens_record(line.text, next) {
            body_to = line.start;
            break;
        }
        cur.move_past(&line);
        end_line = line.num;
        if t == b"$$end_record" {
            body_to = line.start;
            closed = true;
            break;
        }
        match st {
            St::Fields => {
                if starts_with_ci(t, b"Start-Line:") {
                    let sl = trim(t.get(11..).unwrap_or(&[]));
                    match parse_start_line(sl) {
                        Some(p) => start = Some((p, sl, line.num)),
                        None => out.problem(
                            line.num,
                            format!(
                                "Line {}: the Start-Line of this record is not a SIP request or \
                                 status line; the record is kept as an event.",
                                line.num
                            ),
                        ),
                    }
                    st = St::Headers;
                } else if let Some(c) = t.iter().position(|&c| c == b':') {
                    let k = trim(t.get(..c).unwrap_or(&[]));
                    let v = trim(t.get(c + 1..).unwrap_or(&[]));
                    fields.push((k, Cow::Borrowed(v)));
                } else if let Some(last) = fields.last_mut() {
                    if !t.is_empty() {
                        let value = last.1.to_mut();
                        value.push(b' ');
                        value.extend_from_slice(t);
                    }
                }
            }
            St::Headers => {
                if starts_with_ci(t, b"Message-Body:") {
                    let after = line
                        .text
                        .iter()
                        .position(|&c| c == b':')
                        .map_or(line.next, |i| line.start + i + 1);
                    let same = trim(buf.get(after..line.start + line.text.len()).unwrap_or(&[]));
                    body_from = Some(if same.is_empty() || same == b"-" {
                        line.next
                    } else {
                        after
                            + buf
                                .get(after..)
                                .map_or(0, |r| r.len() - r.trim_ascii_start().len())
                    });
                    st = St::Body;
                } else if !line.text.is_empty() {
                    acc.push(&ctx, line.text, line.num);
                }
            }
            St::Body => {}
        }
    }
    if !closed {
        out.problem(
            head.num,
            format!(
                "Line {}: this record has no $$end_record line; the log may be truncated or two \
                 records overlap. What was readable was kept.",
                head.num
            ),
        );
    }
    match start {
        Some((parts, raw, line)) => {
            let get = |k: &str| {
                fields
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(k.as_bytes()))
                    .map(|(_, v)| &**v)
            };
            let direction = get("Direction").and_then(|d| {
                let d = lossy(d);
                let d = d.split(';').next().unwrap_or("").trim();
                if d.eq_ignore_ascii_case("incoming") {
                    Some(Direction::Received)
                } else if d.eq_ignore_ascii_case("outgoing") {
                    Some(Direction::Sent)
                } else {
                    None
                }
            });
            let meta = Meta {
                timestamp: stamp.map(|s| (s, millis)),
                direction,
                local: None,
                peer: get("Peer"),
            };
            let (body, raw_body) = match body_from {
                Some(from) => {
                    let raw_body = buf.get(from..body_to.max(from)).unwrap_or(&[]);
                    let b = trim_nl(raw_body);
                    if trim(b) == b"-" {
                        (&[][..], &[][..])
                    } else {
                        (b, raw_body)
                    }
                }
                None => (&[][..], &[][..]),
            };
            let fit = super::sipmsg::record_body_fit(acc.declared_length(&ctx), body, raw_body);
            let start = Start {
                parts,
                raw,
                line,
                leading_ws: false,
            };
            build(
                ctx,
                &meta,
                start,
                acc,
                Body { text: body, fit },
                head.num,
                end_line,
                out,
            );
        }
        None => {
            let mut extra = vec![
                ("Level".to_string(), lossy(th.level).into_owned()),
                ("Flag".to_string(), lossy(th.flag).into_owned()),
            ];
            let (component, trace) = component_and_trace(th.rest);
            if !component.is_empty() {
                extra.push(("Component".into(), lossy(component).into_owned()));
            }
            if !trace.is_empty() {
                extra.push(("Trace".into(), lossy(trace).into_owned()));
            }
            extra.extend(
                fields
                    .iter()
                    .map(|(k, v)| (lossy(k).into_owned(), lossy(v).into_owned())),
            );
            out.events.push(LogEvent {
                source: SourceRef {
                    file: ctx.file.clone(),
                    line_start: head.num,
                    line_end: end_line,
                },
                timestamp: stamp.map(|s| ts(s, millis)),
                fields: extra,
            });
        }
    }
}

fn trim_nl(mut b: &[u8]) -> &[u8] {
    while let Some((last, init)) = b.split_last() {
        if matches!(last, b'\r' | b'\n') {
            b = init;
        } else {
            break;
        }
    }
    b
}

/// A region of a file between marker lines, waiting to be framed: its start, its first line,
/// and what the marker said of it.
type Region<'a> = (usize, u32, Meta<'a>);

/// Frames the pending region of a reader that cuts its file at marker lines (Wireshark's chunk
/// lengths, SIPp's separators), ending at `end`.
fn flush_region(
    buf: &[u8],
    region: &mut Option<Region>,
    end: usize,
    ctx: Ctx,
    out: &mut Out,
    tick: &mut Tick,
) {
    if let Some((start, line, meta)) = region.take() {
        let r = buf.get(start..end).unwrap_or(&[]);
        frame_region_ticked(r, line, ctx, &meta, out, Some((start, tick)));
    }
}

/// Wireshark "Follow TCP/UDP Stream" text, plain or with tshark's `-z follow` header and chunk
/// length lines (node 0 chunks flush left, node 1 chunks tab-indented).
pub(crate) fn wireshark(buf: &[u8], first_line: u32, ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let cur = LineCursor::new(buf, first_line);
    let mut nodes: [Option<&[u8]>; 2] = [None, None];
    let mut region: Option<Region> = None;
    let mut header_done = false;
    let flush = |region: &mut Option<Region>, end: usize, out: &mut Out, tick: &mut Tick| {
        flush_region(buf, region, end, ctx, out, tick)
    };
    for line in cur {
        let t = line.text;
        if t.starts_with(b"=====") {
            flush(&mut region, line.start, out, tick);
            continue;
        }
        if !header_done {
            if trim(t).is_empty() {
                continue;
            }
            if starts_with_ci(t, b"Follow:") || starts_with_ci(t, b"Filter:") {
                continue;
            }
            if starts_with_ci(t, b"Node 0:") || starts_with_ci(t, b"Node 1:") {
                let n = usize::from(t.get(5) == Some(&b'1'));
                nodes[n] = Some(trim(t.get(7..).unwrap_or(&[])));
                continue;
            }
        }
        let digits = trim(t);
        let is_marker =
            !digits.is_empty() && digits.len() <= 9 && digits.iter().all(u8::is_ascii_digit);
        if is_marker && (nodes[0].is_some() || header_done) {
            header_done = true;
            flush(&mut region, line.start, out, tick);
            let node1 = t.first() == Some(&b'\t');
            let (local, peer) = if node1 { (1, 0) } else { (0, 1) };
            let meta = Meta {
                timestamp: None,
                direction: Some(if node1 {
                    Direction::Received
                } else {
                    Direction::Sent
                }),
                local: nodes[local],
                peer: nodes[peer],
            };
            region = Some((line.next, line.num + 1, meta));
            continue;
        }
        if region.is_none() {
            header_done = true;
            region = Some((line.start, line.num, Meta::default()));
        }
    }
    flush(&mut region, buf.len(), out, tick);
}

/// SIPp `-trace_msg` output.
pub(crate) fn sipp(buf: &[u8], first_line: u32, ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let cur = LineCursor::new(buf, first_line);
    let mut region: Option<Region> = None;
    let mut pending_ts: Option<(&[u8], Option<i64>)> = None;
    let flush = |region: &mut Option<Region>, end: usize, out: &mut Out, tick: &mut Tick| {
        flush_region(buf, region, end, ctx, out, tick)
    };
    for line in cur {
        let t = line.text;
        if t.starts_with(b"----------") {
            flush(&mut region, line.start, out, tick);
            let stamp = trim(
                t.get(t.iter().position(|&c| c != b'-').unwrap_or(t.len())..)
                    .unwrap_or(&[]),
            );
            pending_ts = (!stamp.is_empty()).then(|| (stamp, parse_ymd_time(stamp)));
            continue;
        }
        // A packet's opening line comes only between regions, and is short: the two searches
        // are not run on every line of every message.
        let may_open = region.is_none() && trim(t).len() < 80;
        let sent = may_open && needle!(b"message sent").find(t).is_some();
        if sent || may_open && needle!(b"message received").find(t).is_some() {
            let meta = Meta {
                timestamp: pending_ts.take(),
                direction: Some(if sent {
                    Direction::Sent
                } else {
                    Direction::Received
                }),
                local: None,
                peer: None,
            };
            region = Some((line.next, line.num + 1, meta));
            continue;
        }
        if region.is_none() {
            region = Some((line.start, line.num, Meta::default()));
        }
    }
    flush(&mut region, buf.len(), out, tick);
}

/// The first line, starting in `from..to`, where a read of `format` may start afresh: reading
/// the file up to that line and from that line on (its line number carried over) gives the
/// messages, events and problems of one read of the whole, so the two parts can be read at once
/// ([`super::ReadMode::Halves`]). Such a line ends every record or packet before it and carries
/// all the state its reader keeps across lines:
/// - a Communicator trace: a stamped line that is not an `End of …` line (the reader visits
///   every stamped line but the one that closes a packet, and a stamped line sets the only
///   state, the last stamp);
/// - a Logging Tool file: a trace header line that ends with `$$begin_record` (a record stops
///   before the next that opens, and such a line is not a record's field, which the line
///   before it may look ahead for);
/// - a SIPp trace: a `----------` line (it ends the message before it and sets the next one's
///   time).
///
/// Raw SIP (framed by Content-Length) and Wireshark's text (the stream's node addresses, read
/// once at its head) have none.
pub fn fresh_start(format: super::LogFormat, buf: &[u8], from: usize, to: usize) -> Option<usize> {
    use super::LogFormat;
    let starts_afresh: fn(&[u8]) -> bool = match format {
        LogFormat::Uccapi => {
            |t| uccapi_stamp(t).is_some() && packet_words(t, said_at(t)) != PacketWords::End
        }
        LogFormat::ServerLog => |t| {
            let t = trim(t);
            t.ends_with(b"$$begin_record") && is_trace_header(t)
        },
        LogFormat::SippTrace => |t| t.starts_with(b"----------"),
        LogFormat::RawSip | LogFormat::WiresharkFollow | LogFormat::Unknown => return None,
    };
    // The first line start after `from`: just past a newline at or after `from - 1`.
    let back = from.checked_sub(1)?;
    let first = back + super::text::find_byte(buf.get(back..to.min(buf.len()))?, b'\n')? + 1;
    let mut cur = LineCursor::new(buf, 0);
    cur.seek(first, 0);
    cur.take_while(|line| line.start < to)
        .find(|line| starts_afresh(line.text))
        .map(|line| line.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read where the trace writes them, the packet words say what the searches anywhere on
    /// the line say, on Communicator 2007's and Lync's lines, and lines without them.
    #[test]
    fn packet_words_read_as_the_searches_read_them() {
        for line in [
            "11/30/2006|14:00:00.016 0AE8:0B20 INFO  :: Sending Packet - 10.0.0.5:5061 (From Local Address: 10.0.0.20:50120) 778 bytes:",
            "11/30/2006|14:00:00.016 0AE8:0B20 INFO  :: End of Sending Packet - 10.0.0.5:5061 (From Local Address: 10.0.0.20:50120) 778 bytes",
            "11/30/2006|14:00:00.100 0AE8:0B20 INFO  :: Received Packet - 10.0.0.5:5061 (To Local Address: 10.0.0.20:50120) 500 bytes:",
            "11/30/2006|14:00:00.100 0AE8:0B20 INFO  :: End of Received Packet - 10.0.0.5:5061 500 bytes",
            "02/14/2013|09:15:02.511 1F68:2A4 INFO :: Data Received - 198.51.100.10:5061 (To Local Address: 192.0.2.44:51023) 288 bytes:",
            "02/14/2013|09:15:02.511 1F68:2A4 INFO :: End of Data Received - 198.51.100.10:5061 (To Local Address: 192.0.2.44:51023) 288 bytes",
            "02/14/2013|09:15:02.511 1F68:2A4 INFO :: SIP/2.0 200 OK",
            "02/14/2013|09:15:02.511 1F68:2A4 ERROR :: Connection lost",
            "02/14/2013|09:15:02.511 1F68:2A4 INFO Sending Packet - 198.51.100.10:5061 (no colons) 10 bytes:",
            "02/14/2013|09:15:02.511 1F68:2A4 INFO :: note: End of Data Received - later on the line",
        ] {
            let b = line.as_bytes();
            let searched = if is_end_of_packet(b) {
                PacketWords::End
            } else {
                packet_opening(b).map_or(PacketWords::Other, |(d, w, at)| {
                    PacketWords::Opening(d, w, at)
                })
            };
            assert_eq!(packet_words(b, said_at(b)), searched, "{line}");
            assert_eq!(
                start_on_trace_line_said(b, said_at(b)),
                start_on_trace_line(b)
            );
        }
    }

    /// Where the next stamped line is, as looking at every line finds it: lines with `|`s
    /// anywhere (a stamp's `|` at offset 10 after a `\n` inside the last 10 bytes, a `|` near
    /// the start), CRLF and LF, no newline at the end, a stamp on the first line.
    #[test]
    fn the_next_stamp_is_where_every_line_looked_at_finds_it() {
        fn line_by_line(cur: &mut LineCursor, len: usize) -> usize {
            while let Some(l) = cur.peek() {
                if uccapi_stamp(l.text).is_some() {
                    return l.start;
                }
                cur.move_past(&l);
            }
            len
        }
        const PIECES: [&str; 10] = [
            "11/30/2006|14:00:00.016 INFO :: x\r\n",
            "11/30/2006|14:00:00.016\n",
            "Via: a|b|c\r\n",
            "ab\n11/30/2006|14:00:00.016 short\n",
            "|||||||||||\n",
            "0123456789|0123456789012345\n",
            "11/30/2006|14:00:00.0\n",
            "\r\n",
            "x",
            "12/01/2026|09:15:02.511 1F68:2A4 INFO :: y",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 7) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let buf = text.as_bytes();
            let mut a = LineCursor::new(buf, 1);
            let mut b = LineCursor::new(buf, 1);
            // Start after a line or two, as a packet's first line is taken before the skip.
            for _ in 0..(seed % 3) {
                if let Some(l) = a.next() {
                    b.move_past(&l);
                }
            }
            loop {
                let (x, y) = (
                    skip_to_stamp(&mut a, buf.len()),
                    line_by_line(&mut b, buf.len()),
                );
                assert_eq!((x, a.pos(), a.line()), (y, b.pos(), b.line()), "{text:?}");
                if a.next().is_none() {
                    break;
                }
                b.next();
            }
        }
    }
}
