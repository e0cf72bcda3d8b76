//! The scanner behind [`super::Redactor`]: line by line, with the header or attribute name of the
//! line as context, then inline recognisers for URIs, DNs, parameters, numbers, addresses and
//! names. Everything not recognised is copied unchanged. Total: never panics on any input.

use super::{Kind, Redactor};
use crate::base64;

/// Redacts (or, while learning, only reads) a whole text.
pub(super) fn redact(r: &mut Redactor, text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let ldif = lines.iter().any(|l| {
        let l = l.trim_start_matches('\u{feff}');
        l.len() > 3 && starts_with_ci(l, "dn:")
    });
    if ldif {
        redact_ldif(r, &lines)
    } else {
        redact_lines(r, &lines)
    }
}

fn split_ending(line: &str) -> (&str, &str) {
    let body = line.trim_end_matches(['\n', '\r']);
    (body, &line[body.len()..])
}

// --- LDIF --------------------------------------------------------------------------------------

/// LDIF: folded lines (continuations start with one space) are joined, redacted as one line and
/// folded again into as many lines; `name:: base64` values are decoded, redacted and encoded.
fn redact_ldif(r: &mut Redactor, lines: &[&str]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut ctx = LineCtx::default();
    while i < lines.len() {
        let mut group = vec![lines[i]];
        let mut j = i + 1;
        while j < lines.len() && lines[j].starts_with(' ') && !split_ending(lines[i]).0.is_empty() {
            group.push(lines[j]);
            j += 1;
        }
        i = j;
        let ending = split_ending(group[group.len() - 1]).1.to_string();
        let mut logical = String::new();
        let mut piece_lens = Vec::new();
        for (k, g) in group.iter().enumerate() {
            let (b, _) = split_ending(g);
            let b = if k > 0 { &b[1..] } else { b };
            piece_lens.push(b.len());
            logical.push_str(b);
        }
        let red = ldif_line(r, &logical, &mut ctx);
        if group.len() == 1 {
            out.push_str(&red);
            out.push_str(&ending);
            continue;
        }
        // Fold again into the same number of lines where possible.
        let inner_endings: Vec<String> = group[..group.len() - 1]
            .iter()
            .map(|g| split_ending(g).1.to_string())
            .collect();
        let n = group.len();
        let per = red.len().div_ceil(n).max(1);
        let mut rest = red.as_str();
        for k in 0..n {
            if k > 0 {
                if rest.is_empty() {
                    break;
                }
                out.push_str(&inner_endings[k - 1]);
                out.push(' ');
            }
            let mut cut = if k == n - 1 {
                rest.len()
            } else {
                per.min(rest.len())
            };
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            out.push_str(&rest[..cut]);
            rest = &rest[cut..];
        }
        out.push_str(&ending);
    }
    out
}

fn ldif_line(r: &mut Redactor, line: &str, ctx: &mut LineCtx) -> String {
    if let Some(pos) = line.find(":: ") {
        let name = &line[..pos];
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b';')
        {
            let value = line[pos + 3..].trim();
            if let Some(bytes) = base64::decode(value) {
                let new_value = match String::from_utf8(bytes) {
                    Ok(text) => {
                        let red = redact_line(r, &format!("{name}: {text}"), ctx);
                        let v = red
                            .split_once(": ")
                            .map(|(_, v)| v.to_string())
                            .unwrap_or(red);
                        base64::encode(v.as_bytes())
                    }
                    Err(_) => {
                        let t = r.map_id(Kind::Guid, value);
                        if r.learning() {
                            value.to_string()
                        } else {
                            base64::encode(t.as_bytes())
                        }
                    }
                };
                return format!("{name}:: {new_value}");
            }
        }
    }
    redact_line(r, line, ctx)
}

// --- lines and Content-Length --------------------------------------------------------------------

#[derive(Default)]
struct LineCtx {
    /// Header name of the previous line (lower case), for folded continuation lines.
    prev_header: Option<String>,
}

enum Cl {
    None,
    /// Inside headers after a Content-Length: waiting for the body.
    Headers(usize),
    /// Inside the body of patch `usize`.
    Body(usize),
}

struct Patch {
    pos: usize,
    len: usize,
    old: i64,
    delta: i64,
    /// The packet byte count this patch's region lies in (its digit change adds to it).
    parent: Option<usize>,
    /// Takes the value of another patch (the "End of ... Packet ... N bytes" line).
    same_as: Option<usize>,
}

/// `... Sending Packet - host:port (...) 895 bytes:` (UCCAPI): offset and length of the count.
fn packet_count(line: &str, end: bool) -> Option<(usize, usize, i64)> {
    let t = line.trim_end();
    let suffix = if end { " bytes" } else { " bytes:" };
    if !t.contains("Packet - ") || !t.ends_with(suffix) || t.contains("End of ") != end {
        return None;
    }
    let before = &t[..t.len() - suffix.len()];
    let len = before.bytes().rev().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 12 {
        return None;
    }
    let start = before.len() - len;
    Some((start, len, before[start..].parse().ok()?))
}

fn redact_lines(r: &mut Redactor, lines: &[&str]) -> String {
    let mut out = String::new();
    let mut ctx = LineCtx::default();
    let mut cl = Cl::None;
    let mut patches: Vec<Patch> = Vec::new();
    let mut packet: Option<usize> = None;
    for raw in lines {
        let (line, ending) = split_ending(raw);
        if let Cl::Body(_) | Cl::Headers(_) = cl {
            if is_boundary(line) {
                cl = Cl::None;
            }
        }
        if let Cl::Headers(p) = cl {
            if line.trim().is_empty() {
                cl = Cl::Body(p);
                out.push_str(line);
                out.push_str(ending);
                continue;
            }
            if starts_with_ci(line, "message-body:") {
                cl = Cl::Body(p);
            }
        }
        let start = out.len();
        let red = redact_line(r, line, &mut ctx);
        let delta = red.len() as i64 - line.len() as i64;
        // UCCAPI packet framing: the count covers the lines between start and end.
        if let Some(pk) = packet {
            if let Some((off, len, old)) = packet_count(&red, true) {
                patches.push(Patch {
                    pos: start + off,
                    len,
                    old,
                    delta: 0,
                    parent: None,
                    same_as: Some(pk),
                });
                packet = None;
            } else if is_boundary(line) && line.contains("Packet - ") {
                packet = None;
            } else {
                patches[pk].delta += delta;
            }
        }
        if let Some((off, len, old)) = packet_count(&red, false) {
            patches.push(Patch {
                pos: start + off,
                len,
                old,
                delta: 0,
                parent: None,
                same_as: None,
            });
            packet = Some(patches.len() - 1);
        }
        if let Cl::Body(p) = cl {
            patches[p].delta += delta;
            // A message framed back to back: the next start line begins inside this line.
            if line.contains("SIP/2.0 ") || line.trim_end().ends_with(" SIP/2.0") {
                cl = Cl::None;
            }
        }
        out.push_str(&red);
        out.push_str(ending);
        // A Content-Length header: remember where its digits went.
        if let Some((name, _)) = header_split(line) {
            let n = name.to_ascii_lowercase();
            if n == "content-length" || n == "l" {
                if let Some((off, len, old)) = digits_after_colon(&red) {
                    if old > 0 && matches!(cl, Cl::None | Cl::Headers(_)) {
                        patches.push(Patch {
                            pos: start + off,
                            len,
                            old,
                            delta: 0,
                            parent: packet,
                            same_as: None,
                        });
                        cl = Cl::Headers(patches.len() - 1);
                    }
                }
            }
        }
    }
    if patches.iter().all(|p| p.delta == 0) {
        return out;
    }
    // New values: inner (Content-Length) patches first, their digit changes add to the packet.
    let mut values: Vec<Option<i64>> = vec![None; patches.len()];
    for k in (0..patches.len()).rev() {
        if patches[k].same_as.is_some() {
            continue;
        }
        let new = patches[k].old + patches[k].delta;
        if patches[k].delta != 0 && new >= 0 {
            values[k] = Some(new);
            if let Some(parent) = patches[k].parent {
                patches[parent].delta += new.to_string().len() as i64 - patches[k].len as i64;
            }
        }
    }
    for k in 0..patches.len() {
        if let Some(src) = patches[k].same_as {
            values[k] = values[src];
        }
    }
    // Apply in one pass (patches are in output order).
    let mut fixed = String::with_capacity(out.len() + 16);
    let mut at = 0;
    for (p, v) in patches.iter().zip(&values) {
        let Some(v) = v else { continue };
        if p.pos < at || !out.is_char_boundary(p.pos) || !out.is_char_boundary(p.pos + p.len) {
            continue;
        }
        fixed.push_str(&out[at..p.pos]);
        fixed.push_str(&v.to_string());
        at = p.pos + p.len;
    }
    fixed.push_str(&out[at..]);
    fixed
}

/// Offset, length and value of the number after the first ':'.
fn digits_after_colon(line: &str) -> Option<(usize, usize, i64)> {
    let colon = line.find(':')?;
    let rest = &line[colon + 1..];
    let lead = rest.len() - rest.trim_start().len();
    let start = colon + 1 + lead;
    let len = line[start..].bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 12 {
        return None;
    }
    Some((start, len, line[start..start + len].parse().ok()?))
}

/// A line that ends a message body: a SIP start line or a log wrapper line.
fn is_boundary(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("SIP/2.0 ") || t.contains("$$end_record") || t.contains("$$begin_record") {
        return true;
    }
    if t.starts_with("-----") || t.starts_with("=====") || starts_with_ci(t, "start-line:") {
        return true;
    }
    let b = line.as_bytes();
    if b.len() > 11 && b[2] == b'/' && b[5] == b'/' && b[10] == b'|' {
        return true;
    }
    if line
        .trim_start_matches('\t')
        .bytes()
        .all(|c| c.is_ascii_digit())
        && !line.trim().is_empty()
    {
        return true;
    }
    // METHOD uri SIP/2.0
    if let Some(rest) = line.strip_suffix("SIP/2.0") {
        let mut it = rest.split_whitespace();
        if let (Some(m), Some(_)) = (it.next(), it.next()) {
            return m.bytes().all(|c| c.is_ascii_uppercase());
        }
    }
    false
}

fn starts_with_ci(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p)
}

/// `name` and the byte offset of the value for lines like `Name: value`, `Name = value`,
/// `Name<TAB>value`, `Name   : value` (PowerShell), `name:: base64`.
fn header_split(line: &str) -> Option<(&str, usize)> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let ns = i;
    if i >= b.len() || !b[i].is_ascii_alphabetic() {
        return None;
    }
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b'_' | b'.')) {
        i += 1;
    }
    let name = &line[ns..i];
    if matches!(
        name.to_ascii_lowercase().as_str(),
        "sip" | "sips" | "tel" | "urn" | "http" | "https" | "mailto" | "smtp"
    ) {
        return None;
    }
    let mut j = i;
    while j < b.len() && b[j] == b' ' {
        j += 1;
    }
    if j < b.len() && (b[j] == b':' || b[j] == b'=') {
        j += 1;
        if j < b.len() && b[j] == b':' {
            j += 1;
        }
    } else if j < b.len() && b[i] == b'\t' {
        // name<TAB>value
    } else {
        return None;
    }
    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
        j += 1;
    }
    Some((name, j))
}

const AUTH_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "www-authenticate",
    "proxy-authenticate",
    "authentication-info",
    "proxy-authentication-info",
];
const CALL_ID_HEADERS: [&str; 4] = ["call-id", "i", "sip-call-id", "callid"];
const NAME_HEADERS: [&str; 17] = [
    "from",
    "to",
    "f",
    "t",
    "contact",
    "m",
    "refer-to",
    "referred-by",
    "p-asserted-identity",
    "p-preferred-identity",
    "sip-from",
    "sip-to",
    "reply-to",
    "diversion",
    "history-info",
    "route",
    "record-route",
];
const AD_NAME_ATTRS: [&str; 7] = [
    "displayname",
    "cn",
    "name",
    "givenname",
    "sn",
    "initials",
    "display-name",
];
const AD_USER_ATTRS: [&str; 5] = [
    "samaccountname",
    "samid",
    "uid",
    "mailnickname",
    "logonname",
];
const AD_PHONE_ATTRS: [&str; 10] = [
    "telephonenumber",
    "mobile",
    "ipphone",
    "homephone",
    "othertelephone",
    "pager",
    "facsimiletelephonenumber",
    "otheripphone",
    "othermobile",
    "othertelephonenumber",
];
const AD_ORG_ATTRS: [&str; 9] = [
    "company",
    "department",
    "physicaldeliveryofficename",
    "title",
    "streetaddress",
    "postalcode",
    "description",
    "office",
    "manager",
];

fn redact_line(r: &mut Redactor, line: &str, ctx: &mut LineCtx) -> String {
    // Folded continuation of the previous header.
    if (line.starts_with(' ') || line.starts_with('\t')) && !line.trim().is_empty() {
        if let Some(prev) = ctx.prev_header.clone() {
            if AUTH_HEADERS.contains(&prev.as_str()) {
                let lead = line.len() - line.trim_start().len();
                return format!("{}{}", &line[..lead], auth_value(r, &line[lead..]));
            }
        }
    } else {
        ctx.prev_header = None;
    }
    let Some((name, voff)) = header_split(line) else {
        return inline(r, line, false);
    };
    let lname = name.to_ascii_lowercase();
    ctx.prev_header = Some(lname.clone());
    let head = &line[..voff];
    let value = &line[voff..];
    if value.is_empty() {
        return line.to_string();
    }
    let n = lname.as_str();
    let red = if AUTH_HEADERS.contains(&n) {
        auth_value(r, value)
    } else if CALL_ID_HEADERS.contains(&n) {
        let t = value.trim_end();
        format!("{}{}", r.map_id(Kind::CallId, t), &value[t.len()..])
    } else if n == "peer" {
        inline(r, value, true)
    } else if n == "via" || n == "v" {
        via_value(r, value)
    } else if NAME_HEADERS.contains(&n) {
        display_value(r, value)
    } else if AD_NAME_ATTRS.contains(&n) && !value.contains(['@', ':', '<']) {
        if value.contains('=') {
            inline(r, value, false)
        } else {
            r.map_name(value)
        }
    } else if AD_USER_ATTRS.contains(&n) && !value.contains(['@', ':', '<', '=']) {
        let t = value.trim_end();
        format!("{}{}", r.map_user(t), &value[t.len()..])
    } else if AD_PHONE_ATTRS.contains(&n) && value.bytes().any(|b| b.is_ascii_digit()) {
        if value.contains(':') {
            inline(r, value, false)
        } else {
            r.map_phone(value)
        }
    } else if AD_ORG_ATTRS.contains(&n) && !value.contains(['@', ':', '<']) {
        if value.contains('=') {
            inline(r, value, false)
        } else {
            r.map_org(value)
        }
    } else {
        inline(r, value, false)
    };
    format!("{head}{red}")
}

/// `Via: SIP/2.0/TLS host:port;params` — the sent-by host may be a bare name.
fn via_value(r: &mut Redactor, value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    // Several Via values may share one line, separated by commas.
    loop {
        let lead = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..lead]);
        rest = &rest[lead..];
        let proto_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let proto = &rest[..proto_end];
        if !starts_with_ci(proto, "SIP/") {
            out.push_str(&inline(r, rest, false));
            return out;
        }
        out.push_str(proto);
        rest = &rest[proto_end..];
        let end = rest.find(',').unwrap_or(rest.len());
        out.push_str(&inline(r, &rest[..end], true));
        rest = &rest[end..];
        if rest.is_empty() {
            return out;
        }
        out.push(',');
        rest = &rest[1..];
    }
}

/// From/To/Contact-style values: an unquoted display name before `<` is a name.
fn display_value(r: &mut Redactor, value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    loop {
        if let Some(lt) = rest.find('<') {
            let before = &rest[..lt];
            let t = before.trim();
            if !t.is_empty()
                && !t.starts_with('"')
                && !t.contains([':', ';', ',', '>', '"', '@'])
                && t.chars().any(char::is_alphabetic)
            {
                out.push_str(&r.map_name(before));
                let close = rest[lt..]
                    .find('>')
                    .map(|c| lt + c + 1)
                    .unwrap_or(rest.len());
                let seg_end = rest[close..]
                    .find(',')
                    .map(|c| close + c + 1)
                    .unwrap_or(rest.len());
                out.push_str(&inline(r, &rest[lt..seg_end], false));
                rest = &rest[seg_end..];
                if rest.is_empty() {
                    return out;
                }
                continue;
            }
        }
        out.push_str(&inline(r, rest, false));
        return out;
    }
}

/// Authentication header values: scheme and parameter names kept, values redacted (except
/// `qop`, `algorithm`, `version`, `stale`, `cnum`, `snum`).
fn auth_value(r: &mut Redactor, value: &str) -> String {
    const KEEP: [&str; 6] = ["qop", "algorithm", "version", "stale", "cnum", "snum"];
    let b = value.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut first = true;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\t' || c == b',' {
            out.push(c as char);
            i += 1;
            continue;
        }
        // A word: scheme, parameter name, or a token68 blob.
        let start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'\t' | b',' | b'=' | b'"') {
            i += 1;
        }
        let word = &value[start..i];
        let is_param = i < b.len()
            && b[i] == b'='
            && !word.is_empty()
            && word.len() <= 24
            && b.get(i + 1).is_some_and(|&n| n != b'=')
            && word
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if is_param {
            out.push_str(word);
            out.push('=');
            i += 1;
            let keep = KEEP.contains(&word.to_ascii_lowercase().as_str());
            if i < b.len() && b[i] == b'"' {
                let vstart = i + 1;
                let vend = value[vstart..]
                    .find('"')
                    .map(|e| vstart + e)
                    .unwrap_or(b.len());
                let v = &value[vstart..vend];
                out.push('"');
                out.push_str(&if keep { v.to_string() } else { r.map_auth(v) });
                if vend < b.len() {
                    out.push('"');
                }
                i = (vend + 1).min(b.len());
            } else {
                let vstart = i;
                while i < b.len() && !matches!(b[i], b' ' | b'\t' | b',') {
                    i += 1;
                }
                let v = &value[vstart..i];
                out.push_str(&if keep { v.to_string() } else { r.map_auth(v) });
            }
        } else if first && !word.is_empty() && word.len() <= 24 && i < b.len() && b[i] != b'=' {
            out.push_str(word); // the scheme
        } else {
            // token68 (Negotiate/Kerberos blob), with its '=' padding.
            while i < b.len() && b[i] == b'=' {
                i += 1;
            }
            let blob = &value[start..i];
            if blob.is_empty() {
                out.push(b[i] as char);
                i += 1;
            } else {
                out.push_str(&r.map_auth(blob));
            }
        }
        first = false;
    }
    out
}

// --- inline recognisers --------------------------------------------------------------------------

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_atom(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Words never replaced as learned user names.
pub(super) fn is_protected_word(w: &str) -> bool {
    const P: &[&str] = &[
        "rcc",
        "sip",
        "sips",
        "tel",
        "tls",
        "tcp",
        "udp",
        "user",
        "users",
        "phone",
        "admin",
        "administrator",
        "server",
        "client",
        "local",
        "test",
        "info",
        "invite",
        "ack",
        "bye",
        "options",
        "register",
        "subscribe",
        "notify",
        "message",
        "refer",
        "service",
        "benotify",
        "negotiate",
        "cancel",
        "update",
        "prack",
        "publish",
        "trying",
        "ringing",
        "true",
        "false",
        "enabled",
        "disabled",
        "normal",
        "name",
        "example",
        "gateway",
        "proxy",
        "edge",
        "internal",
        "external",
        "line",
        "pool",
        "home",
        "guest",
        "support",
        "default",
        "system",
        "presence",
        "registration",
        "provisioning",
        "dialog",
        "conference",
        "media",
        "voice",
        "audio",
        "video",
        "call",
        "calls",
        "rtc",
        "lcs",
        "ocs",
        "mcm",
        "nrs",
        "csta",
        "monitor",
        "auth",
        "ntlm",
        "kerberos",
        "private",
        "public",
        "none",
        "null",
        "unknown",
        "error",
        "warning",
        "request",
        "response",
        "incoming",
        "outgoing",
        "route",
        "routing",
        "tag",
        "epid",
        "branch",
        "transport",
        "maddr",
        "received",
        "contact",
        "from",
        "to",
        "via",
        "event",
        "events",
        "expires",
        "supported",
        "require",
        "allow",
        "accept",
        "content",
        "status",
        "device",
        "devices",
        "features",
        "start",
        "stop",
        "timer",
        "signal",
    ];
    w.len() < 3 || P.contains(&w)
}

const DEVICE_HINTS: [&str; 6] = ["device", "number", "line", "phone", "monitorobject", "dn"];

/// Scans free text. `host_first`: the first atom is a host even without dots (Peer, Via).
///
/// One pass, left to right: at each byte the recognisers below are tried in order, and the
/// first that takes the text there writes its redaction and says where to go on.
fn inline(r: &mut Redactor, s: &str, host_first: bool) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    let mut host_next = host_first;
    let mut atom_at = usize::MAX;
    while i < b.len() {
        let c = b[i];
        let prev = if i > 0 { b[i - 1] } else { b' ' };
        let boundary = !is_word(prev);
        // Quoted strings: a display name before '<', else scanned inside.
        if c == b'"' {
            i = quoted(r, s, i, &mut out);
            continue;
        }
        if boundary {
            if let Some(ni) = scheme_uri(r, s, i, &mut out) {
                i = ni;
                continue;
            }
        }
        // LDAP DN.
        if boundary && is_dn_start(s, i) {
            i = dn(r, s, i, &mut out);
            continue;
        }
        // ;param=value identifiers.
        if (c == b';' || c == b' ' || c == b',')
            && i + 1 < b.len()
            && b[i + 1].is_ascii_alphabetic()
        {
            if let Some(ni) = param(r, s, i, &mut out) {
                i = ni;
                continue;
            }
        }
        if c == b'<' {
            if let Some(ni) = device_tag(r, s, i, &mut out) {
                i = ni;
                continue;
            }
        }
        if c == b'+' && boundary {
            if let Some(ni) = e164(r, s, i, &mut out) {
                i = ni;
                continue;
            }
        }
        // Feature tags (+sip.instance, +g.oma...) are protocol.
        if c == b'+' && i + 1 < b.len() && b[i + 1].is_ascii_alphabetic() {
            let end = i + 1 + s[i + 1..].bytes().take_while(|&b| is_atom(b)).count();
            out.push_str(&s[i..end]);
            i = end;
            continue;
        }
        // Windows profile paths.
        if c == b'\\' && starts_with_ci(&s[i..], "\\users\\") {
            i = profile_path(r, s, i, &mut out);
            continue;
        }
        // IPv6.
        if (c.is_ascii_hexdigit() || c == b':') && !is_atom(prev) && prev != b':' {
            if let Some(ni) = ipv6(r, s, i, &mut out) {
                i = ni;
                host_next = false;
                continue;
            }
        }
        if is_atom(c) && (!is_atom(prev) || atom_at == i) {
            i = atom(r, s, i, prev, &mut host_next, &mut atom_at, &mut out);
            continue;
        }
        // Anything else: copy one character.
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

/// A quoted string at `i`: a display name when a `<` follows (and it is not a parameter's
/// value), else scanned inside. Returns where the scan goes on.
fn quoted(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> usize {
    if let Some(e) = s[i + 1..].find('"') {
        let inner = &s[i + 1..i + 1 + e];
        let after = s[i + 2 + e..].trim_start();
        let before = s[..i].trim_end();
        let is_value = before.ends_with('=');
        out.push('"');
        if !is_value
            && after.starts_with('<')
            && !inner.contains(['<', '>', '=', ';'])
            && !inner.is_empty()
        {
            out.push_str(&r.map_name(inner));
        } else {
            out.push_str(&inline(r, inner, false));
        }
        out.push('"');
        return i + e + 2;
    }
    out.push('"');
    i + 1
}

/// A `sip:`, `sips:`, `tel:` or `urn:uuid:` URI starting at `i` (at a word boundary).
fn scheme_uri(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> Option<usize> {
    let c = s.as_bytes()[i];
    if c == b's' || c == b'S' {
        let scheme_len = if starts_with_ci(&s[i..], "sips:") {
            5
        } else if starts_with_ci(&s[i..], "sip:") {
            4
        } else {
            0
        };
        if scheme_len > 0 {
            out.push_str(&s[i..i + scheme_len]);
            return Some(sip_uri(r, s, i + scheme_len, out));
        }
    }
    if (c == b't' || c == b'T') && starts_with_ci(&s[i..], "tel:") {
        out.push_str(&s[i..i + 4]);
        return Some(tel_uri(r, s, i + 4, out));
    }
    if (c == b'u' || c == b'U') && starts_with_ci(&s[i..], "urn:uuid:") {
        out.push_str(&s[i..i + 9]);
        let start = i + 9;
        let end = start
            + s[start..]
                .bytes()
                .take_while(|b| b.is_ascii_hexdigit() || *b == b'-')
                .count();
        out.push_str(&r.map_id(Kind::Uuid, &s[start..end]));
        return Some(end);
    }
    None
}

/// An XML start tag at `i` (not a URI in angle brackets): copied through [`inline_tag`]; the
/// text of a device element after it is a number.
fn device_tag(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> Option<usize> {
    let b = s.as_bytes();
    if !(i + 1 < b.len()
        && b[i + 1].is_ascii_alphabetic()
        && ![
            "sip:", "sips:", "tel:", "urn:", "http:", "https:", "mailto:", "pres:", "im:",
        ]
        .iter()
        .any(|p| starts_with_ci(&s[i + 1..], p)))
    {
        return None;
    }
    let gt = s[i..].find('>')?;
    let tag = &s[i + 1..i + gt];
    if tag.ends_with('/') || !looks_like_tag(tag) {
        return None;
    }
    let name = tag.split_whitespace().next().unwrap_or("");
    let local = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
    out.push_str(&inline_tag(r, &s[i..i + gt + 1]));
    let mut i = i + gt + 1;
    if DEVICE_HINTS.iter().any(|h| local.contains(h)) && local != "deviceid_" {
        let end = s[i..].find('<').map(|e| i + e).unwrap_or(b.len());
        let text = &s[i..end];
        let t = text.trim();
        if t.bytes().filter(u8::is_ascii_digit).count() >= 2
            && t.bytes()
                .all(|c| c.is_ascii_digit() || b"+-.() *#".contains(&c))
        {
            out.push_str(&r.map_phone(text));
            i = end;
        }
    }
    Some(i)
}

/// An E.164 number at `i` (a `+` and 7 to 15 digits).
fn e164(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> Option<usize> {
    let b = s.as_bytes();
    if i + 1 < b.len() && b[i + 1].is_ascii_digit() {
        let end = phone_end(s, i + 1, true);
        let digits = s[i..end].bytes().filter(u8::is_ascii_digit).count();
        if (7..=15).contains(&digits) {
            out.push_str(&r.map_phone(&s[i..end]));
            return Some(end);
        }
    }
    None
}

/// A Windows profile path at `i` (`\Users\<name>`): the user name is mapped, except the
/// shared profiles.
fn profile_path(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> usize {
    out.push_str(&s[i..i + 7]);
    let i = i + 7;
    let end = i + s[i..].bytes().take_while(|&b| is_atom(b)).count();
    let w = &s[i..end];
    if !w.is_empty() && !w.eq_ignore_ascii_case("public") && !w.eq_ignore_ascii_case("default") {
        out.push_str(&r.map_user(w));
    } else {
        out.push_str(w);
    }
    end
}

/// An IPv6 address at `i` (at least two colons, and it parses).
fn ipv6(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> Option<usize> {
    let end = i + s[i..]
        .bytes()
        .take_while(|b| b.is_ascii_hexdigit() || *b == b':' || *b == b'.')
        .count();
    let cand = s[i..end].trim_end_matches(['.', ':']);
    if cand.matches(':').count() >= 2
        && cand.bytes().any(|b| b.is_ascii_hexdigit())
        && cand.parse::<std::net::Ipv6Addr>().is_ok()
    {
        out.push_str(&r.map_ip6(cand));
        return Some(i + cand.len());
    }
    None
}

/// A word (an atom) at `i`: `user@host`, a host, an address or an identifier
/// ([`classify_atom`]), a learned name or user, or protocol text copied as is. Leading dots
/// and dashes are copied first and the atom is taken again after them (`atom_at`); a host
/// expected next (`host_next`) is spent on the first atom.
fn atom(
    r: &mut Redactor,
    s: &str,
    i: usize,
    prev: u8,
    host_next: &mut bool,
    atom_at: &mut usize,
    out: &mut String,
) -> usize {
    let end = i + s[i..].bytes().take_while(|&b| is_atom(b)).count();
    let raw = &s[i..end];
    let lead = raw.len() - raw.trim_start_matches(['.', '-']).len();
    if lead > 0 {
        out.push_str(&raw[..lead]);
        *atom_at = i + lead;
        return i + lead;
    }
    let atom = raw.trim_end_matches(['.', '-']);
    if atom.is_empty() {
        out.push_str(raw);
        return end;
    }
    let aend = i + atom.len();
    if let Some(ni) = user_at_host(r, s, i, atom, out) {
        *host_next = false;
        return ni;
    }
    if let Some(red) = classify_atom(r, s, i, atom, prev, *host_next) {
        out.push_str(&red);
        *host_next = false;
        return aend;
    }
    *host_next = false;
    if let Some(ni) = learned(r, s, i, atom, out) {
        return ni;
    }
    out.push_str(atom);
    aend
}

/// `user@host` at `i`, where `atom` is the user part.
fn user_at_host(
    r: &mut Redactor,
    s: &str,
    i: usize,
    atom: &str,
    out: &mut String,
) -> Option<usize> {
    let b = s.as_bytes();
    let aend = i + atom.len();
    if aend < b.len() && b[aend] == b'@' && !atom.is_empty() {
        let hs = aend + 1;
        let hend = hs
            + s[hs..]
                .bytes()
                .take_while(|&b| is_atom(b) || b == b'*' || b == b'[' || b == b']' || b == b':')
                .count();
        let hraw = s[hs..hend].trim_end_matches(['.', '-', ':']);
        if !hraw.is_empty() {
            out.push_str(&user_part(r, atom));
            out.push('@');
            out.push_str(&host_part(r, hraw, true));
            return Some(hs + hraw.len());
        }
    }
    None
}

/// Learned names (possibly several words) and users at `i`, also users inside file names
/// (`alice.ldf`, `alice.smith.log`).
fn learned(r: &mut Redactor, s: &str, i: usize, atom: &str, out: &mut String) -> Option<usize> {
    let aend = i + atom.len();
    if atom.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        if let Some(len) = r.learned_name_at(&s[i..]) {
            out.push_str(&r.map_name(&s[i..i + len]));
            return Some(i + len);
        }
        let lw = atom.to_ascii_lowercase();
        if !atom.contains('.') && !is_protected_word(&lw) && r.is_learned_user(atom) {
            out.push_str(&r.map_user(atom));
            return Some(aend);
        }
        // `alice.ldf`, `alice.smith.log`: learned users inside file names.
        if atom.contains('.') {
            let parts: Vec<&str> = atom.split('.').collect();
            if parts
                .iter()
                .any(|p| !is_protected_word(&p.to_ascii_lowercase()) && r.is_learned_user(p))
            {
                let mapped: Vec<String> = parts
                    .iter()
                    .map(|p| {
                        if !is_protected_word(&p.to_ascii_lowercase()) && r.is_learned_user(p) {
                            r.map_user(p)
                        } else {
                            p.to_string()
                        }
                    })
                    .collect();
                out.push_str(&mapped.join("."));
                return Some(aend);
            }
        }
    }
    None
}

/// `name attr="v" attr2='w'` — an XML start tag's inside (not prose in angle brackets).
fn looks_like_tag(inner: &str) -> bool {
    let b = inner.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'.' | b'-');
    let mut i = b.iter().take_while(|&&c| name_char(c)).count();
    if i == 0 {
        return false;
    }
    loop {
        let ws = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        i += ws;
        if i >= b.len() {
            return true;
        }
        if ws == 0 {
            return false;
        }
        let n = b[i..].iter().take_while(|&&c| name_char(c)).count();
        if n == 0 {
            return false;
        }
        i += n;
        i += b[i..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        if i >= b.len() || b[i] != b'=' {
            return false;
        }
        i += 1;
        i += b[i..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        let Some(&q) = b.get(i) else { return false };
        if q != b'"' && q != b'\'' {
            return false;
        }
        match b[i + 1..].iter().position(|&c| c == q) {
            Some(e) => i += e + 2,
            None => return false,
        }
    }
}

/// A start tag's attributes: `displayName="..."` is a name; the rest is scanned.
fn inline_tag(r: &mut Redactor, tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    for key in ["displayname=\"", "display-name=\"", "friendlyname=\""] {
        if let Some(p) = lower.find(key) {
            let vs = p + key.len();
            if let Some(e) = tag[vs..].find('"') {
                let before = inline_tag(r, &tag[..vs]);
                let name = r.map_name(&tag[vs..vs + e]);
                let after = inline_tag(r, &tag[vs + e..]);
                return format!("{before}{name}{after}");
            }
        }
    }
    // Element and attribute names stay; values are scanned.
    let mut out = String::new();
    let mut rest = tag;
    while let Some(q) = rest.find('"') {
        out.push_str(&rest[..=q]);
        let after = &rest[q + 1..];
        let e = after.find('"').unwrap_or(after.len());
        out.push_str(&inline(r, &after[..e], false));
        rest = &after[e..];
        if let Some(stripped) = rest.strip_prefix('"') {
            out.push('"');
            rest = stripped;
        }
    }
    out.push_str(rest);
    out
}

/// Decides what a bare atom is: IPv4, FQDN, host in host context, a long learned number.
fn classify_atom(
    r: &mut Redactor,
    s: &str,
    i: usize,
    atom: &str,
    prev: u8,
    host_ctx: bool,
) -> Option<String> {
    if atom.is_empty() {
        return None;
    }
    if is_ipv4(atom) {
        let vprefix = i >= 1 && matches!(prev, b'/' | b'v' | b'V');
        if !vprefix {
            return Some(r.map_ip4(atom));
        }
        return None;
    }
    if prev == b'+' {
        return None;
    }
    if looks_fqdn(atom) {
        let lower = atom.to_ascii_lowercase();
        if r.keep_domain(&lower) || is_reverse_dns(&lower) {
            return None;
        }
        // Versions like 2.0.6362.111 never reach here (numeric last label).
        let _ = s;
        return Some(r.map_host(atom));
    }
    if host_ctx && valid_label(atom) && !is_protected_word(&atom.to_ascii_lowercase()) {
        return Some(r.map_bare_host(atom));
    }
    if atom.len() >= 7 && atom.bytes().all(|b| b.is_ascii_digit()) && r.is_learned_number(atom) {
        return Some(r.map_phone(atom));
    }
    None
}

fn user_part(r: &mut Redactor, user: &str) -> String {
    let digits = user.bytes().filter(u8::is_ascii_digit).count();
    if digits >= 2
        && user
            .bytes()
            .all(|c| c.is_ascii_digit() || b"+-.()*#".contains(&c))
    {
        r.map_phone(user)
    } else {
        r.map_user(user)
    }
}

/// A host in a URI or after '@': IP, FQDN, bare label, `*`, `[v6]`, with an optional `:port`.
fn host_part(r: &mut Redactor, h: &str, allow_port: bool) -> String {
    if let Some(inner) = h.strip_prefix('[') {
        if let Some(e) = inner.find(']') {
            let v6 = &inner[..e];
            let rest = &inner[e + 1..];
            let mapped = if v6.parse::<std::net::Ipv6Addr>().is_ok() {
                r.map_ip6(v6)
            } else {
                v6.to_string()
            };
            return format!("[{mapped}]{rest}");
        }
    }
    let (host, port) = match h.rfind(':') {
        Some(p) if allow_port && h[p + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (&h[..p], &h[p..])
        }
        _ => (h, ""),
    };
    let mapped = if host == "*" || host.is_empty() {
        host.to_string()
    } else if is_ipv4(host) {
        r.map_ip4(host)
    } else if host.parse::<std::net::Ipv6Addr>().is_ok() {
        r.map_ip6(host)
    } else if host.contains('.') {
        let lower = host.to_ascii_lowercase();
        if r.keep_domain(lower.trim_start_matches("*.")) {
            host.to_string()
        } else {
            r.map_host(host)
        }
    } else if valid_label(host) {
        r.map_bare_host(host)
    } else {
        host.to_string()
    };
    format!("{mapped}{port}")
}

/// `sip:`/`sips:` URI body starting at `i` (after the scheme); returns the index after it.
fn sip_uri(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> usize {
    let b = s.as_bytes();
    let end = i + s[i..]
        .bytes()
        .take_while(|c| {
            !matches!(
                c,
                b' ' | b'\t' | b'<' | b'>' | b'"' | b'\'' | b',' | b')' | b'}' | b'\r' | b'\n'
            )
        })
        .count();
    let body = &s[i..end];
    if body.is_empty() {
        return end;
    }
    // user@hostport;params?headers
    let params_at = body.find(['?']).unwrap_or(body.len());
    let at = body[..params_at].rfind('@');
    let (user, rest) = match at {
        Some(a) => (Some(&body[..a]), &body[a + 1..]),
        None => (None, body),
    };
    if let Some(u) = user {
        // user;user-params (rare) -- keep params after ';'.
        let (uname, uparams) = match u.find(';') {
            Some(p) => (&u[..p], &u[p..]),
            None => (u, ""),
        };
        out.push_str(&user_part(r, uname));
        out.push_str(&inline(r, uparams, false));
        out.push('@');
    }
    let hend = if rest.starts_with('[') {
        rest.find(']').map(|e| e + 1).unwrap_or(rest.len())
    } else {
        rest.find([';', '?', ':']).unwrap_or(rest.len())
    };
    let mut hend2 = hend;
    // :port
    if rest[hend..].starts_with(':') {
        let pl = rest[hend + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        hend2 = hend + 1 + pl;
    }
    out.push_str(&host_part(r, &rest[..hend2], true));
    out.push_str(&uri_params(r, &rest[hend2..]));
    let _ = b;
    end
}

/// `;name=value` URI parameters and `?headers`.
fn uri_params(r: &mut Redactor, p: &str) -> String {
    let mut out = String::new();
    let (params, headers) = match p.find('?') {
        Some(q) => (&p[..q], &p[q..]),
        None => (p, ""),
    };
    for (k, seg) in params.split(';').enumerate() {
        if k > 0 {
            out.push(';');
        }
        let Some((name, value)) = seg.split_once('=') else {
            out.push_str(seg);
            continue;
        };
        out.push_str(name);
        out.push('=');
        out.push_str(&param_value(r, &name.to_ascii_lowercase(), value));
    }
    out.push_str(&inline(r, headers, false));
    out
}

/// The value of a known parameter, redacted by kind; unknown parameters are scanned.
fn param_value(r: &mut Redactor, name: &str, value: &str) -> String {
    let (q, v) = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(v) => ("\"", v),
        None => ("", value),
    };
    let red = match name {
        "tag" | "to-tag" | "from-tag" => r.map_id(Kind::Tag, v),
        "epid" => r.map_id(Kind::Epid, v),
        "branch" => r.map_id(Kind::Branch, v),
        "ms-received-cid" => r.map_id(Kind::Cid, v),
        "ms-opaque" | "grid" => r.map_id(Kind::Opaque, v),
        "opaque" => {
            if let Some(p) = ["user:epid:", "app:conf:", "user:"]
                .iter()
                .find(|p| starts_with_ci(v, p))
            {
                format!("{}{}", &v[..p.len()], r.map_id(Kind::Opaque, &v[p.len()..]))
            } else {
                r.map_id(Kind::Opaque, v)
            }
        }
        "maddr" | "received" => host_part(r, v, false),
        "source" | "destination" => {
            let keep = v.contains(' ')
                || matches!(
                    v.to_ascii_lowercase().as_str(),
                    "local"
                        | "internal"
                        | "external"
                        | "client"
                        | "server"
                        | "remote"
                        | "edge"
                        | ""
                );
            if keep {
                inline(r, v, false)
            } else {
                host_part(r, v, true)
            }
        }
        "ext" => r.map_phone(v),
        "phone-context" => {
            if v.starts_with('+') {
                r.map_phone(v)
            } else if v.contains('.') {
                host_part(r, v, false)
            } else {
                v.to_string()
            }
        }
        _ => inline(r, v, false),
    };
    format!("{q}{red}{q}")
}

/// Header parameters outside URIs (`;tag=`, `;epid=`, `;branch=`, `source="..."`); returns the
/// index after the value when `name` is one of them.
fn param(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> Option<usize> {
    const NAMES: [&str; 13] = [
        "tag",
        "epid",
        "branch",
        "ms-received-cid",
        "ms-opaque",
        "opaque",
        "maddr",
        "received",
        "source",
        "destination",
        "ext",
        "to-tag",
        "from-tag",
    ];
    let ns = i + 1;
    let ne = ns
        + s[ns..]
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-')
            .count();
    if ne >= s.len() || s.as_bytes()[ne] != b'=' {
        return None;
    }
    let name = s[ns..ne].to_ascii_lowercase();
    if !NAMES.contains(&name.as_str()) {
        return None;
    }
    let vs = ne + 1;
    let ve = if s[vs..].starts_with('"') {
        s[vs + 1..].find('"').map(|e| vs + e + 2).unwrap_or(s.len())
    } else {
        vs + s[vs..]
            .bytes()
            .take_while(|c| !matches!(c, b';' | b',' | b' ' | b'\t' | b'>' | b'"' | b'\r' | b'\n'))
            .count()
    };
    out.push_str(&s[i..vs]);
    out.push_str(&param_value(r, &name, &s[vs..ve]));
    Some(ve)
}

/// `tel:` URI body at `i`; returns the index after it.
fn tel_uri(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> usize {
    let nend = phone_end(s, i, false);
    if nend > i {
        out.push_str(&r.map_phone(&s[i..nend]));
    }
    let end = nend
        + s[nend..]
            .bytes()
            .take_while(|c| {
                !matches!(
                    c,
                    b' ' | b'\t' | b'<' | b'>' | b'"' | b'\'' | b',' | b')' | b'}' | b'\r' | b'\n'
                )
            })
            .count();
    out.push_str(&uri_params(r, &s[nend..end]));
    end
}

/// End of a phone number starting at `i`: digits, `+`, visual separators, single spaces between
/// digit groups (`+1 425 555 0142`).
fn phone_end(s: &str, i: usize, after_plus: bool) -> usize {
    let b = s.as_bytes();
    let mut j = i;
    let mut last_digit = i;
    while j < b.len() {
        let c = b[j];
        if c.is_ascii_digit() {
            j += 1;
            last_digit = j;
        } else if (matches!(c, b'-' | b'.' | b'(' | b')' | b'+' | b'*' | b'#')
            && !(after_plus && c == b'+'))
            || (c == b' ' && j + 1 < b.len() && (b[j + 1].is_ascii_digit() || b[j + 1] == b'('))
        {
            j += 1;
        } else {
            break;
        }
    }
    // Do not swallow trailing separators (a closing ')' stays if it closes an opening one).
    let taken = &s[i..j];
    if taken.contains('(') && taken[last_digit - i..].starts_with(')') {
        return last_digit + 1;
    }
    last_digit
}

fn is_ipv4(a: &str) -> bool {
    let parts: Vec<&str> = a.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|v| v <= 255)
        })
}

fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !l.starts_with('-')
        && l.bytes().any(|b| b.is_ascii_alphabetic())
}

const FILE_EXTS: [&str; 58] = [
    "txt",
    "log",
    "ldf",
    "ldif",
    "csv",
    "json",
    "xml",
    "html",
    "htm",
    "cpp",
    "hpp",
    "h",
    "cs",
    "rs",
    "py",
    "js",
    "exe",
    "dll",
    "sys",
    "ini",
    "cfg",
    "conf",
    "config",
    "md",
    "toml",
    "yaml",
    "yml",
    "etl",
    "uccapilog",
    "pcap",
    "pcapng",
    "cap",
    "svg",
    "png",
    "jpg",
    "gif",
    "zip",
    "bak",
    "tmp",
    "out",
    "err",
    "ps1",
    "bat",
    "cmd",
    "msi",
    "pdb",
    "lib",
    "obj",
    "docx",
    "doc",
    "xlsx",
    "pdf",
    "rtf",
    "xsd",
    "wsdl",
    "aspx",
    "asp",
    "php",
];

/// Two or more DNS labels ending in an alphabetic TLD that is not a file extension.
pub(super) fn looks_fqdn(a: &str) -> bool {
    let a = a.trim_end_matches('.');
    let labels: Vec<&str> = a.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    if !labels.iter().all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    }) {
        return false;
    }
    let tld = labels[labels.len() - 1].to_ascii_lowercase();
    tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
        && !FILE_EXTS.contains(&tld.as_str())
}

/// `com.microsoft.autoextend`-style identifiers (reverse DNS) are protocol names.
fn is_reverse_dns(lower: &str) -> bool {
    let mut it = lower.split('.');
    matches!(it.next(), Some("com" | "org" | "net")) && lower.split('.').count() >= 3
}

fn is_dn_start(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    if i + 3 > b.len() {
        return false;
    }
    let key = [b[i].to_ascii_lowercase(), b[i + 1].to_ascii_lowercase()];
    b[i + 2] == b'=' && matches!(&key, b"cn" | b"ou" | b"dc")
}

/// Structural CN/OU values (Active Directory and LCS/OCS containers) that are not names.
fn structural_rdn(v: &str) -> bool {
    const S: [&str; 22] = [
        "lc services",
        "microsoft",
        "pools",
        "rtc service",
        "system",
        "users",
        "computers",
        "configuration",
        "services",
        "trusted services",
        "global settings",
        "domain controllers",
        "program data",
        "builtin",
        "groups",
        "rtc services",
        "application contacts",
        "trusted platform",
        "sites",
        "schema",
        "policies",
        "location profiles",
    ];
    S.contains(&v.trim().to_ascii_lowercase().as_str())
}

/// An LDAP DN starting at `i`; returns the index after it.
fn dn(r: &mut Redactor, s: &str, i: usize, out: &mut String) -> usize {
    let b = s.as_bytes();
    let mut rdns: Vec<(&str, &str)> = Vec::new();
    let mut j = i;
    loop {
        let ks = j;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' || j == ks {
            j = ks;
            break;
        }
        let key = &s[ks..j];
        j += 1;
        let vs = j;
        let dc = key.eq_ignore_ascii_case("dc");
        while j < b.len() {
            let c = b[j];
            if c == b'\\' && j + 1 < b.len() {
                j += 2;
                continue;
            }
            if matches!(
                c,
                b',' | b'"' | b'\r' | b'\n' | b'>' | b'}' | b';' | b'\t' | b'<'
            ) || (dc && c == b' ')
            {
                break;
            }
            j += 1;
        }
        j = j.min(b.len());
        rdns.push((key, &s[vs..j]));
        // Continue after ',' if another key= follows.
        if j < b.len() && b[j] == b',' {
            let mut k = j + 1;
            while k < b.len() && b[k] == b' ' {
                k += 1;
            }
            let ks2 = k;
            while k < b.len() && b[k].is_ascii_alphabetic() {
                k += 1;
            }
            if k > ks2 && k < b.len() && b[k] == b'=' && k - ks2 <= 12 {
                j += 1;
                // keep the spaces after the comma
                rdns.push((",", &s[j..ks2]));
                j = ks2;
                continue;
            }
        }
        break;
    }
    if rdns.is_empty() {
        out.push_str(&s[i..i + 1]);
        return i + 1;
    }
    // Emit, mapping runs of DC= as one domain.
    let mut k = 0;
    while k < rdns.len() {
        let (key, v) = rdns[k];
        if key == "," {
            out.push(',');
            out.push_str(v);
            k += 1;
            continue;
        }
        if key.eq_ignore_ascii_case("dc") {
            // Collect DC run: indices k, k+2, k+4 ... separated by ",".
            let mut parts = vec![(key, v)];
            let mut seps = Vec::new();
            let mut m = k + 1;
            while m + 1 < rdns.len() && rdns[m].0 == "," && rdns[m + 1].0.eq_ignore_ascii_case("dc")
            {
                seps.push(rdns[m].1);
                parts.push(rdns[m + 1]);
                m += 2;
            }
            let domain: Vec<&str> = parts.iter().map(|p| p.1.trim()).collect();
            let joined = domain.join(".");
            let mapped = if parts.len() >= 2 {
                r.map_host(&joined)
            } else {
                host_part(r, &joined, false)
            };
            let labels: Vec<&str> = mapped.split('.').collect();
            for (n, l) in labels.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                    out.push_str(seps.get(n - 1).copied().unwrap_or(""));
                }
                let key = parts.get(n).map(|p| p.0).unwrap_or(key);
                out.push_str(key);
                out.push('=');
                out.push_str(l);
            }
            k = m;
            continue;
        }
        out.push_str(key);
        out.push('=');
        let t = v.trim();
        if t.is_empty() || structural_rdn(t) {
            out.push_str(v);
        } else if key.eq_ignore_ascii_case("cn") {
            let lower = t.to_ascii_lowercase();
            let hostish = valid_label(t)
                && (t.bytes().any(|b| b.is_ascii_digit()) || r.is_known_host_label(&lower));
            let lead = &v[..v.len() - v.trim_start().len()];
            let trail = &v[v.trim_end().len()..];
            if hostish || looks_fqdn(t) {
                // A server's name (`CN=lcs01` in a pool's DN, `CN=gw.contoso.com` in a
                // certificate subject) maps as that host does everywhere else.
                out.push_str(lead);
                out.push_str(&if hostish {
                    r.map_bare_host(t)
                } else {
                    r.map_host(t)
                });
                out.push_str(trail);
            } else if !t.contains(' ') && r.is_learned_user(t) {
                out.push_str(&r.map_user(t));
            } else {
                out.push_str(&r.map_name(v));
            }
        } else {
            out.push_str(&r.map_org(v));
        }
        k += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fqdn_shapes() {
        assert!(looks_fqdn("lcs01.contoso.com"));
        assert!(looks_fqdn("contoso.local"));
        assert!(!looks_fqdn("SIPAdminLog.cpp"));
        assert!(!looks_fqdn("2.0.6362.111"));
        assert!(!looks_fqdn("0AE8.0B20"));
        assert!(!looks_fqdn("e.g"));
    }

    #[test]
    fn boundaries() {
        assert!(is_boundary("SIP/2.0 200 OK"));
        assert!(is_boundary("INVITE sip:a@b SIP/2.0"));
        assert!(is_boundary(
            "11/30/2006|14:02:11.123 0AE8:0B20 INFO  :: End"
        ));
        assert!(is_boundary("$$end_record"));
        assert!(!is_boundary("<?xml version=\"1.0\"?>"));
    }
}
