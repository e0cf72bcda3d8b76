//! One reader per log format. Each walks the file's lines once, cuts out the SIP text of every
//! packet/record and hands it to the lenient front end in [`super::sipmsg`].

use super::sipmsg::{
    build, frame_region, frame_region_ticked, parse_start_line, Body, Ctx, Meta, Out, Parts, Start,
};
use super::text::{
    find, lossy, parse_mdy_time, parse_ymd_time, starts_with_ci, trim, Line, LineCursor,
};
use crate::sip::{Direction, LogEvent, SourceRef, Timestamp};

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
pub(crate) fn raw(buf: &[u8], ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    frame_region_ticked(buf, 1, ctx, &Meta::default(), out, Some((0, tick)));
}

fn ts(written: &[u8], millis: Option<i64>) -> Timestamp {
    Timestamp {
        written: lossy(written).into_owned(),
        millis,
    }
}

/// `MM/DD/YYYY|HH:MM:SS.mmm` at the start of a line?
fn uccapi_stamp(line: &[u8]) -> Option<&[u8]> {
    if line.len() < 23 || line.get(2) != Some(&b'/') || line.get(10) != Some(&b'|') {
        return None;
    }
    let end = line.iter().position(|&c| c == b' ').unwrap_or(line.len());
    line.get(..end)
}

/// `... End of Sending Packet - ...` / `... End of Received Packet - ...`
fn is_end_of_packet(line: &[u8]) -> bool {
    find(line, b"End of Sending Packet").is_some()
        || find(line, b"End of Received Packet").is_some()
}

/// The token after `key` up to a space or ')'.
fn token_after<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let i = find(line, key)? + key.len();
    let rest = line.get(i..)?.trim_ascii_start();
    let end = rest
        .iter()
        .position(|&c| c == b' ' || c == b')' || c == b'(')
        .unwrap_or(rest.len());
    let t = rest.get(..end)?;
    (!t.is_empty()).then_some(t)
}

/// Communicator / UCCAPI client trace.
pub(crate) fn uccapi(buf: &[u8], ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let mut cur = LineCursor::new(buf, 1);
    while let Some(line) = cur.next() {
        tick.at(line.start);
        let Some(stamp) = uccapi_stamp(line.text) else {
            continue;
        };
        let text = line.text;
        let end_marker = is_end_of_packet(text);
        let dir = if end_marker {
            // An "End of ... Packet" line without its opening line: noise.
            continue;
        } else if find(text, b"Sending Packet - ").is_some() {
            Direction::Sent
        } else if find(text, b"Received Packet - ").is_some() {
            Direction::Received
        } else {
            uccapi_event(line, stamp, ctx, out);
            continue;
        };
        let meta = Meta {
            timestamp: Some((stamp, parse_mdy_time(stamp))),
            direction: Some(dir),
            local: token_after(text, b"Local Address:"),
            peer: token_after(text, b"Packet - "),
        };
        // The packet runs to its "End of ... Packet" line, or (truncated log) the next log line.
        let region_start = cur.pos();
        let region_line = cur.line();
        let mut region_end = buf.len();
        let mut closed = false;
        while let Some(l) = cur.peek() {
            if uccapi_stamp(l.text).is_some() {
                region_end = l.start;
                if is_end_of_packet(l.text) {
                    cur.next();
                    closed = true;
                }
                break;
            }
            cur.next();
        }
        let region = buf.get(region_start..region_end).unwrap_or(&[]);
        let before = out.messages.len();
        frame_region(region, region_line, ctx, &meta, out);
        if !closed {
            out.problem(
                line.num,
                format!(
                    "Line {}: the packet logged here has no \"End of {} Packet\" line; the log may be \
                     truncated. What was readable was kept.",
                    line.num,
                    if dir == Direction::Sent { "Sending" } else { "Received" }
                ),
            );
        }
        if out.messages.len() == before && !trim(region).is_empty() {
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
    let level = [&b" ERROR :: "[..], b" WARN :: ", b" WARNING :: "]
        .iter()
        .find_map(|k| find(text, k).map(|i| (i, *k)));
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

/// LCS 2005 / OCS 2007 Logging Tool (SIPStack) text.
pub(crate) fn server_log(buf: &[u8], ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let mut cur = LineCursor::new(buf, 1);
    while let Some(line) = cur.next() {
        tick.at(line.start);
        if !trim(line.text).ends_with(b"$$begin_record") {
            continue;
        }
        server_record(buf, &mut cur, line, ctx, out);
    }
}

fn server_record(buf: &[u8], cur: &mut LineCursor, head: Line, ctx: Ctx, out: &mut Out) {
    let h = head.text;
    // TL_INFO(TF_PROTOCOL) [0]0AE8.0B20::11/30/2006-14:02:11.123.0000000f (SIPStack,...)$$begin_record
    let level_end = h.iter().position(|&c| c == b'(').unwrap_or(0);
    let level = trim(h.get(..level_end).unwrap_or(&[]));
    let flag = h
        .get(level_end + 1..)
        .and_then(|r| r.get(..r.iter().position(|&c| c == b')')?))
        .unwrap_or(&[]);
    let stamp = find(h, b"::").and_then(|i| {
        let r = h.get(i + 2..)?;
        r.get(..r.iter().position(|&c| c == b' ').unwrap_or(r.len()))
    });
    let timestamp = stamp.map(|s| ts(s, parse_mdy_time(s)));

    let mut fields: Vec<(String, String)> = Vec::new();
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
        if t.ends_with(b"$$begin_record") {
            body_to = line.start;
            break;
        }
        cur.next();
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
                    fields.push((lossy(k).into_owned(), lossy(v).into_owned()));
                } else if let Some(last) = fields.last_mut() {
                    if !t.is_empty() {
                        last.1.push(' ');
                        last.1.push_str(&lossy(t));
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
    let mut extra = vec![
        ("Level".to_string(), lossy(level).into_owned()),
        ("Flag".to_string(), lossy(flag).into_owned()),
    ];
    match start {
        Some((parts, raw, line)) => {
            let get = |k: &str| {
                fields
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v.as_str())
            };
            let direction = get("Direction").and_then(|d| {
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
                timestamp: stamp.map(|s| (s, parse_mdy_time(s))),
                direction,
                local: None,
                peer: get("Peer").map(str::as_bytes),
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
            extra.extend(fields);
            out.events.push(LogEvent {
                source: SourceRef {
                    file: ctx.file.clone(),
                    line_start: head.num,
                    line_end: end_line,
                },
                timestamp,
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

/// Wireshark "Follow TCP/UDP Stream" text, plain or with tshark's `-z follow` header and chunk
/// length lines (node 0 chunks flush left, node 1 chunks tab-indented).
pub(crate) fn wireshark(buf: &[u8], ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let cur = LineCursor::new(buf, 1);
    let mut nodes: [Option<&[u8]>; 2] = [None, None];
    let mut region: Option<(usize, u32, Meta)> = None;
    let mut header_done = false;
    let flush =
        |region: &mut Option<(usize, u32, Meta)>, end: usize, out: &mut Out, tick: &mut Tick| {
            if let Some((start, line, meta)) = region.take() {
                let r = buf.get(start..end).unwrap_or(&[]);
                frame_region_ticked(r, line, ctx, &meta, out, Some((start, tick)));
            }
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
pub(crate) fn sipp(buf: &[u8], ctx: Ctx, out: &mut Out, tick: &mut Tick) {
    let cur = LineCursor::new(buf, 1);
    let mut region: Option<(usize, u32, Meta)> = None;
    let mut pending_ts: Option<(&[u8], Option<i64>)> = None;
    let flush =
        |region: &mut Option<(usize, u32, Meta)>, end: usize, out: &mut Out, tick: &mut Tick| {
            if let Some((start, line, meta)) = region.take() {
                let r = buf.get(start..end).unwrap_or(&[]);
                frame_region_ticked(r, line, ctx, &meta, out, Some((start, tick)));
            }
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
        let sent = find(t, b"message sent").is_some();
        let recv = find(t, b"message received").is_some();
        if (sent || recv) && region.is_none() && trim(t).len() < 80 {
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
