//! The SIP grammar of RFC 3261 §25.1 in one place: byte classes as tables, and small checkers
//! over borrowed bytes that answer with a [`Fault`].
//!
//! Written in the manner of httparse: each character class is one 256-entry table built from
//! the RFC's own alternatives (quoted in the doc of the table), each checker walks a slice once
//! with `get`, never panics, never allocates and never copies. The checkers are for *grading*
//! (is this legal SIP, and if not, what is wrong); the lenient reading of a message is done
//! elsewhere (`sipmsg`) and never depends on them.
//!
//! What is checked is what matters for trusting a message: tokens, URIs (SIP and SIPS in full,
//! other schemes as RFC 2396 `absoluteURI`), hosts (IPv4, IPv6 as RFC 4291 writes it, host
//! names), name-addr / addr-spec with parameters, quoted strings, Via, CSeq, the numeric
//! headers and their limits, and the RFC 1123 date. Deliberate leniencies, each a real-world
//! habit rather than a grammar hole:
//! - host names may contain `_` (Windows machine names do);
//! - an unquoted parameter value may hold `:`, `[` and `]` as well as token characters (an
//!   IPv6 `received=` value, RFC 5118 §4.5);
//! - white space at the end of a header value is not a fault (every stack trims it).

/// A 256-entry byte class from byte patterns.
macro_rules! byte_class {
    ($($p:pat_param)|+) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = matches!(i as u8, $($p)|+);
            i += 1;
        }
        t
    }};
}

/// `token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")`
static TOKEN: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
);

/// `word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" /
/// ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")` (Call-ID)
static WORD: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        | b'(' | b')' | b'<' | b'>' | b':' | b'\\' | b'"' | b'/' | b'[' | b']' | b'?' | b'{' | b'}'
);

/// `user = 1*( unreserved / escaped / user-unreserved )`, `unreserved = alphanum / mark`,
/// `mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"`,
/// `user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"` (`%` starts `escaped`)
static USER: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        | b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/'
);

/// `password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )`
static PASSWORD: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        | b'&' | b'=' | b'+' | b'$' | b','
);

/// `paramchar = param-unreserved / unreserved / escaped`,
/// `param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"`
static PARAM: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        | b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$'
);

/// `hname = 1*( hnv-unreserved / unreserved / escaped )`, `hvalue` the same with zero allowed,
/// `hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"`
static HNV: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        | b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$'
);

/// RFC 2396 `uric = reserved / unreserved / escaped`,
/// `reserved = ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / ","`
static URIC: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        | b';' | b'/' | b'?' | b':' | b'@' | b'&' | b'=' | b'+' | b'$' | b','
);

/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (after the first character)
static SCHEME: [bool; 256] =
    byte_class!(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'+' | b'-' | b'.');

/// Host name characters: `alphanum / "-"` (RFC 3261 `domainlabel`), plus `_` (leniency) and
/// the `.` between labels.
static HOST: [bool; 256] =
    byte_class!(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.');

/// An unquoted parameter value: `gen-value = token / host` (host adds `[`, `]` and `:` for
/// IPv6), plus `:` for the unbracketed IPv6 of `received=` (RFC 5118 §4.5).
static GEN_VALUE: [bool; 256] = byte_class!(
    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        | b':' | b'[' | b']'
);

/// Characters that may not appear raw in a header value: `CTL` other than HTAB (RFC 3261
/// `TEXT-UTF8char = %x21-7E / UTF8-NONASCII`, plus `LWS`). Inside a quoted string, a
/// `quoted-pair` may still carry one (`"\" (%x00-09 / %x0B-0C / %x0E-7F)`).
static CTL: [bool; 256] = byte_class!(0x00..=0x08 | 0x0A..=0x1F | 0x7F);

/// `token` character?
#[inline]
pub fn is_token(c: u8) -> bool {
    TOKEN[usize::from(c)]
}

/// `word` character (Call-ID)?
#[inline]
pub fn is_word(c: u8) -> bool {
    WORD[usize::from(c)]
}

#[inline]
fn in_class(class: &[bool; 256], c: u8) -> bool {
    class[usize::from(c)]
}

#[inline]
fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// First `b` in `s`. URI parts are a few bytes long: a plain scan beats memchr's dispatch.
#[inline]
fn pos(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

/// First `a` or `b` in `s` (see [`pos`]).
#[inline]
fn pos2(a: u8, b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == a || c == b)
}

#[inline]
fn is_hex(c: Option<&u8>) -> bool {
    c.is_some_and(u8::is_ascii_hexdigit)
}

/// What is wrong, in words a user can act on. Small and `Copy`, like httparse's `Error`: the
/// caller adds where (line, header) and the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// A character the URI grammar does not allow there.
    UriChar,
    /// White space inside a URI.
    UriWhitespace,
    /// No `scheme:` at the start of a URI.
    NoScheme,
    /// A SIP URI with an empty user part (`sip:@host`).
    EmptyUser,
    /// Not a host name, IPv4 address or bracketed IPv6 reference.
    BadHost,
    /// An IPv6 address without its `[` `]`.
    Ipv6Unbracketed,
    /// Brackets that do not hold an IPv6 address as RFC 4291 writes it.
    BadIpv6,
    /// A port that is not a number from 0 to 65535.
    BadPort,
    /// An empty parameter (`;;`, a trailing `;`) or list element (`,,`).
    EmptyParam,
    /// A parameter with characters its grammar does not allow.
    BadParam,
    /// Headers (`?name=value`) in a Request-URI, which RFC 3261 §19.1.1 forbids.
    HeadersInRequestUri,
    /// A URI with `?` (or `,`) outside `<...>`, where it must be bracketed (RFC 3261 §20).
    NeedsBrackets,
    /// A request URI written in `<...>`.
    BracketedRequestUri,
    /// A quoted string without its closing `"`.
    UnbalancedQuote,
    /// A `<` without its `>`.
    UnbalancedAngle,
    /// White space just inside `<` or `>`.
    SpaceInBrackets,
    /// A display name with characters outside `token` that is not quoted.
    DisplayNameNeedsQuotes,
    /// Neither `<URI>`, `"name" <URI>` nor a URI.
    BadAddress,
    /// Something left over after the value.
    TrailingText,
    /// An empty value where one is required.
    Empty,
    /// Not a number where the grammar wants digits.
    NotNumber,
    /// A CSeq number of 2^31 or more (RFC 3261 §8.1.1.5).
    CSeqTooLarge,
    /// A Max-Forwards above 255 (RFC 3261 §20.22).
    MaxForwardsTooLarge,
    /// A number of seconds above 2^32-1 (`delta-seconds`, RFC 3261 §20.19, §20.33, §10.2.1.1).
    SecondsTooLarge,
    /// A Content-Length too large to be a body length.
    ContentLengthTooLarge,
    /// Not a `token` where the grammar wants one.
    NotToken,
    /// Not `SIP/2.0/transport host[:port]` with parameters.
    BadVia,
    /// Not an RFC 1123 date in GMT.
    BadDate,
    /// A warning code that is not three digits.
    BadWarnCode,
    /// A raw control character.
    ControlChar,
    /// A Call-ID with characters outside `word ["@" word]`.
    BadCallId,
}

impl Fault {
    /// One sentence (no final period) saying what is wrong.
    pub fn text(self) -> &'static str {
        match self {
            Fault::BadEscape => "a '%' that is not followed by two hex digits",
            Fault::UriChar => "a character that a URI may not hold there (escape it as %XX)",
            Fault::UriWhitespace => "white space inside the URI",
            Fault::NoScheme => "no URI scheme (such as sip:) at the start",
            Fault::EmptyUser => "an empty user part before '@'",
            Fault::BadHost => "the host is not a host name or an IP address",
            Fault::Ipv6Unbracketed => "an IPv6 address must be written in [brackets] here",
            Fault::BadIpv6 => "the [brackets] do not hold a valid IPv6 address",
            Fault::BadPort => "the port is not a number from 0 to 65535",
            Fault::EmptyParam => "an empty parameter or list element (';;', ',,' or a trailing ';')",
            Fault::BadParam => "a parameter with characters its grammar does not allow",
            Fault::HeadersInRequestUri => {
                "the request URI carries headers ('?name=value'), which a Request-URI may not (RFC 3261 §19.1.1)"
            }
            Fault::NeedsBrackets => {
                "a URI with '?' or ',' must be enclosed in <> in a header (RFC 3261 §20)"
            }
            Fault::BracketedRequestUri => {
                "the request URI is enclosed in <>; a Request-URI is written without them (RFC 3261 §7.1)"
            }
            Fault::UnbalancedQuote => "a quoted string is not closed (unbalanced '\"')",
            Fault::UnbalancedAngle => "a '<' without its '>'",
            Fault::SpaceInBrackets => "white space just inside the <...> of the address",
            Fault::DisplayNameNeedsQuotes => {
                "the display name has characters (such as ',') that need \"quotes\""
            }
            Fault::BadAddress => "neither a URI nor a name with <URI>",
            Fault::TrailingText => "unexpected text after the value",
            Fault::Empty => "the value is empty",
            Fault::NotNumber => "not a number",
            Fault::CSeqTooLarge => "the sequence number must be below 2^31 (RFC 3261 §8.1.1.5)",
            Fault::MaxForwardsTooLarge => "Max-Forwards must be 0 to 255 (RFC 3261 §20.22)",
            Fault::SecondsTooLarge => "a number of seconds must be at most 2^32-1 (4294967295)",
            Fault::ContentLengthTooLarge => "the length is larger than any message body",
            Fault::NotToken => "not a token (letters, digits and -.!%*_+`'~)",
            Fault::BadVia => "not 'SIP/2.0/transport host[:port]' with ';parameters'",
            Fault::BadDate => {
                "not an RFC 1123 date in GMT such as 'Sat, 13 Nov 2010 23:29:00 GMT' (RFC 3261 §20.17)"
            }
            Fault::BadWarnCode => "the warning code must be three digits (RFC 3261 §20.43)",
            Fault::ControlChar => "a raw control character",
            Fault::BadCallId => "characters a Call-ID may not hold (it is word[@word])",
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// A result of the checkers.
pub type Check = Result<(), Fault>;

/// Is `s` a non-empty `token`?
pub fn token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&c| is_token(c))
}

/// `s` in `class`, where `%` must start `escaped = "%" HEXDIG HEXDIG`.
fn escaped_run(s: &[u8], class: &[bool; 256]) -> Check {
    let mut it = s.iter();
    while let Some(&c) = it.next() {
        if c == b'%' {
            if !(is_hex(it.next()) && is_hex(it.next())) {
                return Err(Fault::BadEscape);
            }
        } else if !in_class(class, c) {
            return Err(if is_ws(c) {
                Fault::UriWhitespace
            } else {
                Fault::UriChar
            });
        }
    }
    Ok(())
}

/// Length of the run of `class` characters at the start of `v`.
#[inline]
fn run(v: &[u8], class: &[bool; 256]) -> usize {
    v.iter()
        .position(|&c| !in_class(class, c))
        .unwrap_or(v.len())
}

/// Where a URI is written: the rules for `?` and brackets differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriUse {
    /// The Request-URI of a request line: no headers (`?...`), no brackets.
    Request,
    /// Inside `<...>` in a header: anything a URI may hold.
    Bracketed,
    /// A bare `addr-spec` in a header: `?` would need brackets.
    Bare,
}

/// A URI: `SIP-URI / SIPS-URI / absoluteURI` (RFC 3261 §25.1, RFC 2396 for other schemes).
pub fn uri(s: &[u8], use_: UriUse) -> Check {
    if s.is_empty() {
        return Err(Fault::Empty);
    }
    if use_ == UriUse::Request && s.first() == Some(&b'<') {
        return Err(Fault::BracketedRequestUri);
    }
    // White space anywhere is the fault to report, whatever part of the URI it broke.
    uri_inner(s, use_).map_err(|e| match pos2(b' ', b'\t', s) {
        Some(_) => Fault::UriWhitespace,
        None => e,
    })
}

fn uri_inner(s: &[u8], use_: UriUse) -> Check {
    // scheme ":" in one pass: ALPHA, then scheme characters up to the colon.
    if !s.first().is_some_and(u8::is_ascii_alphabetic) {
        return Err(Fault::NoScheme);
    }
    let colon = s
        .iter()
        .position(|&c| !in_class(&SCHEME, c))
        .filter(|&i| s.get(i) == Some(&b':'))
        .ok_or(Fault::NoScheme)?;
    let scheme = s.get(..colon).unwrap_or(&[]);
    let rest = s.get(colon + 1..).unwrap_or(&[]);
    if scheme.eq_ignore_ascii_case(b"sip") || scheme.eq_ignore_ascii_case(b"sips") {
        sip_uri(rest, use_)
    } else {
        // absoluteURI = scheme ":" ( hier-part / opaque-part ): any run of uric.
        if rest.is_empty() {
            return Err(Fault::Empty);
        }
        escaped_run(rest, &URIC)
    }
}

/// `[ userinfo ] hostport uri-parameters [ headers ]` after `sip:` / `sips:`.
fn sip_uri(s: &[u8], use_: UriUse) -> Check {
    // The user part may hold ';' and '?', but never a raw '@': the first '@' ends it.
    let (userinfo, hostpart) = match pos(b'@', s) {
        Some(i) => (s.get(..i), s.get(i + 1..).unwrap_or(&[])),
        None => (None, s),
    };
    if let Some(ui) = userinfo {
        // userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
        let (user, password) = match ui.iter().position(|&c| c == b':') {
            Some(i) => (ui.get(..i).unwrap_or(&[]), ui.get(i + 1..)),
            None => (ui, None),
        };
        if user.is_empty() {
            return Err(Fault::EmptyUser);
        }
        escaped_run(user, &USER)?;
        if let Some(p) = password {
            escaped_run(p, &PASSWORD)?;
        }
    }
    let end = pos2(b';', b'?', hostpart).unwrap_or(hostpart.len());
    hostport(hostpart.get(..end).unwrap_or(&[]))?;
    let mut rest = hostpart.get(end..).unwrap_or(&[]);
    // uri-parameters = *( ";" uri-parameter ), uri-parameter = pname [ "=" pvalue ]
    while let Some((b';', tail)) = rest.split_first() {
        let e = pos2(b';', b'?', tail).unwrap_or(tail.len());
        let p = tail.get(..e).unwrap_or(&[]);
        let (name, value) = match pos(b'=', p) {
            Some(i) => (p.get(..i).unwrap_or(&[]), p.get(i + 1..)),
            None => (p, None),
        };
        if name.is_empty() {
            return Err(Fault::EmptyParam);
        }
        escaped_run(name, &PARAM).map_err(param_fault)?;
        if let Some(v) = value {
            if v.is_empty() {
                return Err(Fault::BadParam);
            }
            escaped_run(v, &PARAM).map_err(param_fault)?;
        }
        rest = tail.get(e..).unwrap_or(&[]);
    }
    if let Some((b'?', headers)) = rest.split_first() {
        match use_ {
            UriUse::Request => return Err(Fault::HeadersInRequestUri),
            UriUse::Bare => return Err(Fault::NeedsBrackets),
            UriUse::Bracketed => {}
        }
        // headers = "?" header *( "&" header ), header = hname "=" hvalue
        for h in headers.split(|&c| c == b'&') {
            let (name, value) = match h.iter().position(|&c| c == b'=') {
                Some(i) => (h.get(..i).unwrap_or(&[]), h.get(i + 1..).unwrap_or(&[])),
                None => return Err(Fault::BadParam),
            };
            if name.is_empty() {
                return Err(Fault::EmptyParam);
            }
            escaped_run(name, &HNV).map_err(param_fault)?;
            escaped_run(value, &HNV).map_err(param_fault)?;
        }
    }
    Ok(())
}

fn param_fault(f: Fault) -> Fault {
    match f {
        Fault::UriChar => Fault::BadParam,
        f => f,
    }
}

/// `hostport = host [ ":" port ]`, `host = hostname / IPv4address / IPv6reference`.
pub fn hostport(s: &[u8]) -> Check {
    if let Some(inner) = s.strip_prefix(b"[") {
        let close = inner
            .iter()
            .position(|&c| c == b']')
            .ok_or(Fault::BadIpv6)?;
        if !ipv6(inner.get(..close).unwrap_or(&[])) {
            return Err(Fault::BadIpv6);
        }
        return match inner.get(close + 1..).unwrap_or(&[]) {
            [] => Ok(()),
            [b':', port @ ..] => check_port(port),
            _ => Err(Fault::BadHost),
        };
    }
    match pos(b':', s) {
        Some(i) => {
            let port = s.get(i + 1..).unwrap_or(&[]);
            if pos(b':', port).is_some() {
                return Err(Fault::Ipv6Unbracketed);
            }
            host(s.get(..i).unwrap_or(&[]))?;
            check_port(port)
        }
        None => host(s),
    }
}

fn check_port(p: &[u8]) -> Check {
    match number(p) {
        Some(n) if n <= 65_535 => Ok(()),
        _ => Err(Fault::BadPort),
    }
}

/// `host = hostname / IPv4address` (IPv6 references are handled by [`hostport`]);
/// `hostname = *( domainlabel "." ) toplabel [ "." ]`, `domainlabel = alphanum / alphanum *(
/// alphanum / "-" ) alphanum` (and `_`, see the module doc).
pub fn host(s: &[u8]) -> Check {
    if s.is_empty() || run(s, &HOST) != s.len() {
        return Err(Fault::BadHost);
    }
    let numeric_start = s.first().is_some_and(u8::is_ascii_digit);
    if numeric_start && ipv4(s) {
        return Ok(());
    }
    // Labels: not empty, not starting or ending with '-'; one trailing '.' is allowed.
    let name = s.strip_suffix(b".").unwrap_or(s);
    for label in name.split(|&c| c == b'.') {
        match (label.first(), label.last()) {
            (Some(&first), Some(&last)) if first != b'-' && last != b'-' => {}
            _ => return Err(Fault::BadHost),
        }
    }
    // Digits and dots only, but not an IPv4 address (`1.2.3`, `999.1.1.1`).
    if numeric_start && name.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
        return Err(Fault::BadHost);
    }
    Ok(())
}

/// `IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT`, each at most 255. One pass.
pub fn ipv4(s: &[u8]) -> bool {
    let (mut parts, mut digits, mut value) = (1u32, 0u32, 0u32);
    for &c in s {
        if c == b'.' {
            if digits == 0 {
                return false;
            }
            parts += 1;
            digits = 0;
            value = 0;
        } else if c.is_ascii_digit() {
            digits += 1;
            value = value * 10 + u32::from(c - b'0');
            if digits > 3 || value > 255 {
                return false;
            }
        } else {
            return false;
        }
    }
    parts == 4 && digits > 0
}

/// An IPv6 address as RFC 4291 §2.2 writes it: eight groups of one to four hex digits, one `::`
/// for a run of zero groups, an IPv4 tail counting as two groups. (RFC 3261's own ABNF also
/// accepts `:::` before an IPv4 tail, a bug RFC 5118 §4.10 describes; this does not.)
pub fn ipv6(s: &[u8]) -> bool {
    let (head, tail, compressed) = match crate::ingest::text::find(s, b"::") {
        Some(i) => (
            s.get(..i).unwrap_or(&[]),
            s.get(i + 2..).unwrap_or(&[]),
            true,
        ),
        None => (s, &[][..], false),
    };
    if compressed && crate::ingest::text::find(tail, b"::").is_some() {
        return false;
    }
    let groups = |part: &[u8], v4_ok: bool| -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let mut n = 0;
        let mut it = part.split(|&c| c == b':').peekable();
        while let Some(g) = it.next() {
            let last = it.peek().is_none();
            if last && v4_ok && g.contains(&b'.') {
                if !ipv4(g) {
                    return None;
                }
                n += 2;
            } else if g.is_empty() || g.len() > 4 || !g.iter().all(u8::is_ascii_hexdigit) {
                return None;
            } else {
                n += 1;
            }
        }
        Some(n)
    };
    let (h, t) = if compressed {
        (groups(head, false), groups(tail, true))
    } else {
        (groups(head, true), Some(0))
    };
    match (h, t) {
        (Some(h), Some(t)) if compressed => h + t <= 7,
        (Some(h), Some(_)) => h == 8,
        _ => false,
    }
}

/// Decimal digits as a number (`None` for no digits, a non-digit, or more than 19 digits after
/// leading zeros, i.e. beyond `u64`).
pub fn number(s: &[u8]) -> Option<u64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // The overflow test by comparison, not `checked_mul`: on wasm32 a checked 64-bit multiply is
    // a call to a 128-bit multiply, and every message's Content-Length is read here.
    const LIMIT: u64 = u64::MAX / 10;
    let mut n: u64 = 0;
    for &c in s {
        let d = u64::from(c - b'0');
        if n > LIMIT || (n == LIMIT && d > u64::MAX % 10) {
            return None;
        }
        n = n * 10 + d;
    }
    Some(n)
}

/// The value as a number with a ceiling: `NotNumber`, or `over` when it is above `max`.
pub fn bounded(s: &[u8], max: u64, over: Fault) -> Check {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(Fault::NotNumber);
    }
    match number(s) {
        Some(n) if n <= max => Ok(()),
        _ => Err(over),
    }
}

/// `delta-seconds = 1*DIGIT`, at most 2^32-1.
pub fn delta_seconds(s: &[u8]) -> Check {
    bounded(s, u64::from(u32::MAX), Fault::SecondsTooLarge)
}

/// Skips `SWS` (spaces and tabs; folding is already undone) from `i`. Usually there is none:
/// the loop is one comparison then.
#[inline]
fn skip_ws(v: &[u8], mut i: usize) -> usize {
    while matches!(v.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The end of the run of `class` characters from `i`.
#[inline]
fn run_from(v: &[u8], i: usize, class: &[bool; 256]) -> usize {
    i + v.get(i..).map_or(0, |r| run(r, class))
}

/// `quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE` starting at `v[i] == '"'`;
/// returns the index after the closing quote.
pub fn quoted_string(v: &[u8], i: usize) -> Result<usize, Fault> {
    let mut j = i + 1;
    loop {
        // Jump to the next '"' or '\'; what lies between is qdtext (no raw control characters).
        let rest = v.get(j..).unwrap_or(&[]);
        let Some(k) = pos2(b'"', b'\\', rest) else {
            return Err(Fault::UnbalancedQuote);
        };
        if has_ctl(rest.get(..k).unwrap_or(&[])) {
            return Err(Fault::ControlChar);
        }
        j += k;
        match v.get(j) {
            Some(b'"') => return Ok(j + 1),
            // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
            _ => match v.get(j + 1) {
                Some(b'\r' | b'\n') | None => return Err(Fault::UnbalancedQuote),
                Some(_) => j += 2,
            },
        }
    }
}

/// Is there a raw control character (other than HTAB) in `v`? One pass without early exit,
/// which the compiler vectorises: header values are most of a log.
#[inline]
fn has_ctl(v: &[u8]) -> bool {
    v.iter()
        .fold(false, |a, &c| a | ((c < 0x20) & (c != b'\t')) | (c == 0x7F))
}

/// Raw control characters outside quoted pairs (`quoted` = the value's grammar has quoted
/// strings, so `"..."` and `\x` inside them are honoured).
pub fn text(v: &[u8], quoted: bool) -> Check {
    if !has_ctl(v) {
        return Ok(());
    }
    if !quoted {
        return Err(Fault::ControlChar);
    }
    let mut i = 0;
    while let Some(&c) = v.get(i) {
        if c == b'"' {
            i = quoted_string(v, i)?;
            continue;
        }
        if in_class(&CTL, c) {
            return Err(Fault::ControlChar);
        }
        i += 1;
    }
    Ok(())
}

/// Every quoted string in `v` is closed (for values whose own grammar is not checked further).
pub fn quotes(v: &[u8]) -> Check {
    let mut i = 0;
    while let Some(p) = v.get(i..).and_then(|r| pos(b'"', r)) {
        i = quoted_string(v, i + p)?;
    }
    Ok(())
}

/// What a parameter list may carry beyond `generic-param`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParamRules {
    /// `expires` is `delta-seconds` (Contact).
    pub expires_seconds: bool,
}

/// `*( SEMI generic-param )` from `i`; `generic-param = token [ EQUAL gen-value ]`,
/// `gen-value = token / host / quoted-string`. Returns where the list ended (at a `,` or the
/// end after white space).
fn params(v: &[u8], mut i: usize, rules: ParamRules) -> Result<usize, Fault> {
    loop {
        i = skip_ws(v, i);
        if v.get(i) != Some(&b';') {
            return Ok(i);
        }
        i = skip_ws(v, i + 1);
        let start = i;
        i = run_from(v, i, &TOKEN);
        let name = v.get(start..i).unwrap_or(&[]);
        if name.is_empty() {
            return Err(match v.get(i) {
                None | Some(b';' | b',') => Fault::EmptyParam,
                Some(_) => Fault::BadParam,
            });
        }
        let j = skip_ws(v, i);
        if v.get(j) != Some(&b'=') {
            continue;
        }
        i = skip_ws(v, j + 1);
        let vstart = i;
        if v.get(i) == Some(&b'"') {
            i = quoted_string(v, i)?;
        } else {
            i = run_from(v, i, &GEN_VALUE);
            if i == vstart {
                return Err(Fault::BadParam);
            }
        }
        if rules.expires_seconds && name.eq_ignore_ascii_case(b"expires") {
            delta_seconds(v.get(vstart..i).unwrap_or(&[]))?;
        }
    }
}

/// After an element: end of value, or (lists) `,` and the index of the next element.
fn next_element(v: &[u8], i: usize, list: bool) -> Result<Option<usize>, Fault> {
    let i = skip_ws(v, i);
    match v.get(i) {
        None => Ok(None),
        Some(b',') if list => {
            let j = skip_ws(v, i + 1);
            if j >= v.len() || v.get(j) == Some(&b',') {
                return Err(Fault::EmptyParam);
            }
            Ok(Some(j))
        }
        Some(_) => Err(Fault::TrailingText),
    }
}

/// Which address header: lists (`Contact`, `Route`, ...) separate elements with `,`; Contact
/// also allows `*` and has `delta-seconds` in `expires`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddrRules {
    pub list: bool,
    pub contact: bool,
}

/// `( name-addr / addr-spec ) *( SEMI param )`, repeated with `,` for lists (To, From,
/// Contact, Route, Record-Route, Reply-To, Refer-To, P-Asserted-Identity, ...).
pub fn addresses(v: &[u8], rules: AddrRules) -> Check {
    let mut i = skip_ws(v, 0);
    if v.get(i).is_none() {
        return Err(Fault::Empty);
    }
    if rules.contact && v.get(i) == Some(&b'*') && skip_ws(v, i + 1) >= v.len() {
        return Ok(());
    }
    let prules = ParamRules {
        expires_seconds: rules.contact,
    };
    loop {
        i = address(v, i)?;
        i = params(v, i, prules)?;
        match next_element(v, i, rules.list)? {
            None => return Ok(()),
            Some(j) => i = j,
        }
    }
}

/// One `name-addr` or `addr-spec` from `i`; returns the index after it.
fn address(v: &[u8], i: usize) -> Result<usize, Fault> {
    // name-addr = [ display-name ] LAQUOT addr-spec RAQUOT,
    // display-name = *(token LWS) / quoted-string
    let lt = if v.get(i) == Some(&b'"') {
        let j = skip_ws(v, quoted_string(v, i)?);
        if v.get(j) != Some(&b'<') {
            return Err(Fault::BadAddress);
        }
        j
    } else {
        let j = i + v.get(i..).map_or(0, |r| {
            r.iter()
                .position(|&c| !(is_token(c) || is_ws(c)))
                .unwrap_or(r.len())
        });
        match v.get(j) {
            Some(b'<') => j,
            // addr-spec: a scheme (token characters without white space) and ':'.
            Some(b':') if !v.get(i..j).unwrap_or(&[]).iter().any(|&c| is_ws(c)) => {
                let end = i + v.get(i..).map_or(0, |r| {
                    r.iter()
                        .position(|&c| c == b';' || c == b',' || is_ws(c))
                        .unwrap_or(r.len())
                });
                // A ',' inside a SIP URI's user part is legal but would split the list.
                uri(v.get(i..end).unwrap_or(&[]), UriUse::Bare)?;
                return Ok(end);
            }
            _ => {
                // Text before a '<' that is neither a token list nor quoted: a display name
                // that needed quotes ("Bell, Alexander <sip:...>").
                return Err(if v.get(j..).unwrap_or(&[]).contains(&b'<') {
                    Fault::DisplayNameNeedsQuotes
                } else {
                    Fault::BadAddress
                });
            }
        }
    };
    let inner_start = lt + 1;
    let gt = v
        .get(inner_start..)
        .and_then(|r| pos(b'>', r))
        .map(|p| inner_start + p)
        .ok_or(Fault::UnbalancedAngle)?;
    let inner = v.get(inner_start..gt).unwrap_or(&[]);
    if inner.first().is_some_and(|&c| is_ws(c)) || inner.last().is_some_and(|&c| is_ws(c)) {
        return Err(Fault::SpaceInBrackets);
    }
    uri(inner, UriUse::Bracketed)?;
    Ok(gt + 1)
}

/// A header whose value carries an identifier that is new in every transaction or dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identified {
    /// `;branch=` (any Via).
    Via,
    /// `;tag=` after the last `>` (a From or To in `name-addr` form).
    Address,
}

/// Where the identifier of `v` lies: the non-empty run of `token` characters after the
/// marker. Replacing it by any other such run cannot change the verdict of [`via`] or of
/// [`addresses`] (single): there the run is read as a parameter value or inside a quoted
/// string, where every `token` character is read alike. Inside a URI it would not be (`%` is a
/// `token` character that a URI must escape), hence only after the last `>` for addresses.
pub fn identifier_run(which: Identified, v: &[u8]) -> Option<(usize, usize)> {
    let (marker, from): (&[u8], usize) = match which {
        Identified::Via => (b";branch=", 0),
        Identified::Address => (b";tag=", memchr::memrchr(b'>', v)?),
    };
    let at = from + memchr::memmem::find(v.get(from..)?, marker)? + marker.len();
    let len = v.get(at..)?.iter().take_while(|&&c| is_token(c)).count();
    (len > 0).then_some((at, at + len))
}

/// `Via = via-parm *(COMMA via-parm)`, `via-parm = sent-protocol LWS sent-by *( SEMI
/// via-params )`, `sent-protocol = protocol-name SLASH protocol-version SLASH transport`
/// (`SLASH = SWS "/" SWS`), `sent-by = host [ COLON port ]`.
pub fn via(v: &[u8]) -> Check {
    let mut i = skip_ws(v, 0);
    if i >= v.len() {
        return Err(Fault::Empty);
    }
    loop {
        for k in 0..3 {
            if k > 0 {
                i = skip_ws(v, i);
                if v.get(i) != Some(&b'/') {
                    return Err(Fault::BadVia);
                }
                i = skip_ws(v, i + 1);
            }
            let s = i;
            i = run_from(v, i, &TOKEN);
            if i == s {
                return Err(Fault::BadVia);
            }
        }
        let s = i;
        i = skip_ws(v, i);
        if i == s {
            return Err(Fault::BadVia);
        }
        let h = i;
        while v
            .get(i)
            .is_some_and(|&c| !is_ws(c) && c != b';' && c != b',')
        {
            i += 1;
        }
        hostport(v.get(h..i).unwrap_or(&[]))?;
        i = params(v, i, ParamRules::default())?;
        match next_element(v, i, true)? {
            None => return Ok(()),
            Some(j) => i = j,
        }
    }
}

/// `CSeq = 1*DIGIT LWS Method`; returns the method.
pub fn cseq(v: &[u8]) -> Result<&[u8], Fault> {
    let v = v.trim_ascii();
    let sp = v.iter().position(|&c| is_ws(c)).ok_or(Fault::NotToken)?;
    bounded(
        v.get(..sp).unwrap_or(&[]),
        (1 << 31) - 1,
        Fault::CSeqTooLarge,
    )?;
    let method = v.get(sp..).unwrap_or(&[]).trim_ascii_start();
    if !token(method) {
        return Err(Fault::NotToken);
    }
    Ok(method)
}

/// `Call-ID = word [ "@" word ]`.
pub fn call_id(v: &[u8]) -> Check {
    let v = v.trim_ascii();
    if v.is_empty() {
        return Err(Fault::Empty);
    }
    let mut parts = v.split(|&c| c == b'@');
    let ok = |w: Option<&[u8]>| w.is_some_and(|w| !w.is_empty() && w.iter().all(|&c| is_word(c)));
    if !ok(parts.next()) {
        return Err(Fault::BadCallId);
    }
    match parts.next() {
        None => Ok(()),
        w if ok(w) && parts.next().is_none() => Ok(()),
        _ => Err(Fault::BadCallId),
    }
}

/// `rfc1123-date = wkday "," SP date1 SP time SP "GMT"`, `date1 = 2DIGIT SP month SP 4DIGIT`,
/// `time = 2DIGIT ":" 2DIGIT ":" 2DIGIT`.
pub fn date(v: &[u8]) -> Check {
    const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let v = v.trim_ascii();
    let digits =
        |r: std::ops::Range<usize>| v.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let ok = v.len() == 29
        && v.get(0..3).is_some_and(|d| DAYS.contains(&d))
        && v.get(3..5) == Some(b", ")
        && digits(5..7)
        && v.get(7) == Some(&b' ')
        && v.get(8..11).is_some_and(|m| MONTHS.contains(&m))
        && v.get(11) == Some(&b' ')
        && digits(12..16)
        && v.get(16) == Some(&b' ')
        && digits(17..19)
        && v.get(19) == Some(&b':')
        && digits(20..22)
        && v.get(22) == Some(&b':')
        && digits(23..25)
        && v.get(25..29) == Some(b" GMT");
    if ok {
        Ok(())
    } else {
        Err(Fault::BadDate)
    }
}

/// `Warning = warning-value *(COMMA warning-value)`, `warning-value = warn-code SP warn-agent
/// SP warn-text`, `warn-code = 3DIGIT`.
pub fn warning(v: &[u8]) -> Check {
    text(v, true)?;
    for w in split_outside_quotes(v, b',') {
        let w = w.trim_ascii();
        let code_end = w.iter().position(|&c| is_ws(c)).unwrap_or(w.len());
        let code = w.get(..code_end).unwrap_or(&[]);
        if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
            return Err(Fault::BadWarnCode);
        }
    }
    Ok(())
}

/// `Retry-After = delta-seconds [ comment ] *( SEMI retry-param )`: the leading number.
pub fn retry_after(v: &[u8]) -> Check {
    let v = v.trim_ascii();
    let end = v
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(v.len());
    delta_seconds(v.get(..end).unwrap_or(&[]))
}

/// `m-type SLASH m-subtype *(SEMI m-parameter)` (Content-Type).
pub fn media_type(v: &[u8]) -> Check {
    let mut i = skip_ws(v, 0);
    for k in 0..2 {
        if k == 1 {
            i = skip_ws(v, i);
            if v.get(i) != Some(&b'/') {
                return Err(Fault::NotToken);
            }
            i = skip_ws(v, i + 1);
        }
        let s = i;
        i = run_from(v, i, &TOKEN);
        if i == s {
            return Err(Fault::NotToken);
        }
    }
    let i = params(v, i, ParamRules::default())?;
    match next_element(v, i, false)? {
        None => Ok(()),
        Some(_) => Err(Fault::TrailingText),
    }
}

/// The pieces of `v` between `sep` bytes that are not inside a quoted string.
pub fn split_outside_quotes(v: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut i = 0;
    let mut quoted = false;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while let Some(&c) = v.get(i) {
            match c {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                c if c == sep && !quoted => {
                    let piece = v.get(start..i).unwrap_or(&[]);
                    i += 1;
                    start = i;
                    return Some(piece);
                }
                _ => {}
            }
            i += 1;
        }
        done = true;
        v.get(start..)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers up to `u64::MAX` whatever the leading zeros, `None` one past it, against the
    /// standard library's parse.
    #[test]
    fn numbers_up_to_the_largest_u64() {
        for s in [
            "0",
            "007",
            "1844674407370955161",
            "18446744073709551609",
            "18446744073709551615",
            "18446744073709551616",
            "18446744073709551620",
            "99999999999999999999",
            "00000000000000000000018446744073709551615",
            "00000000000000000000018446744073709551616",
        ] {
            assert_eq!(number(s.as_bytes()), s.parse::<u64>().ok(), "{s}");
        }
        assert_eq!(number(b""), None);
        assert_eq!(number(b"12a"), None);
        assert_eq!(number(b"+1"), None);
    }

    #[test]
    fn uris() {
        let ok: &[&[u8]] = &[
            b"sip:alice@contoso.com",
            b"sip:alice@contoso.com;opaque=user:epid:2OzzCqAXaVOTOgeJsAntDQAA;gruu",
            b"sip:user;par=u%40example.net@example.com",
            b"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
            b"sip:[2001:db8::10]",
            b"sip:[2001:db8::10]:5070",
            b"sip:[2001:db8::10:5070]",
            b"sip:user@[::ffff:192.0.2.2]",
            b"sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
            b"sips:10.0.0.5:5061;transport=tls",
            b"tel:+14255550123;ext=123",
            b"soap.beep://192.0.2.103:3002",
            b"nobodyKnowsThisScheme:totallyopaquecontent",
            b"urn:uuid:34D859DB-6585-5F91-A3B4-DE853C15347D",
            b"sip:null-%00-null@example.com",
            b"sip:host_1.contoso.com",
        ];
        for u in ok {
            assert_eq!(
                uri(u, UriUse::Request),
                Ok(()),
                "{}",
                String::from_utf8_lossy(u)
            );
        }
        let bad: &[(&[u8], UriUse, Fault)] = &[
            (
                b"<sip:user@example.com>",
                UriUse::Request,
                Fault::BracketedRequestUri,
            ),
            (
                b"sip:user@example.com; lr",
                UriUse::Request,
                Fault::UriWhitespace,
            ),
            (
                b"sip:user@example.com?Route=%3Csip:example.com%3E",
                UriUse::Request,
                Fault::HeadersInRequestUri,
            ),
            (
                b"sip:user@example.com?Route=%3Csip:example.com%3E",
                UriUse::Bare,
                Fault::NeedsBrackets,
            ),
            (b"sip:2001:db8::10", UriUse::Request, Fault::Ipv6Unbracketed),
            (
                b"sip:user@[2001:db8:::192.0.2.1]",
                UriUse::Request,
                Fault::BadIpv6,
            ),
            (b"sip:%zz@example.com", UriUse::Request, Fault::BadEscape),
            (b"sip:@example.com", UriUse::Request, Fault::EmptyUser),
            (b"sip:a@b;;c", UriUse::Bracketed, Fault::EmptyParam),
            (b"sip:a@host:99999", UriUse::Bracketed, Fault::BadPort),
            (b"sip:a@-host", UriUse::Bracketed, Fault::BadHost),
            (b"sip:a@300.1.1.1", UriUse::Bracketed, Fault::BadHost),
            (b"example.com", UriUse::Bracketed, Fault::NoScheme),
        ];
        for (u, use_, f) in bad {
            assert_eq!(uri(u, *use_), Err(*f), "{}", String::from_utf8_lossy(u));
        }
        assert_eq!(
            uri(
                b"sip:user@example.com?Route=%3Csip:example.com%3E",
                UriUse::Bracketed
            ),
            Ok(())
        );
    }

    #[test]
    fn ipv6_forms() {
        for ok in [
            "::",
            "::1",
            "2001:db8::10",
            "1:2:3:4:5:6:7:8",
            "::ffff:192.0.2.10",
            "2001:db8::192.0.2.1",
            "1:2:3:4:5:6:1.2.3.4",
        ] {
            assert!(ipv6(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "1:2:3:4:5:6:7",
            "2001:db8:::192.0.2.1",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "g::1",
            "::1.2.3",
        ] {
            assert!(!ipv6(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn addresses_and_params() {
        let one = AddrRules::default();
        let contact = AddrRules {
            list: true,
            contact: true,
        };
        let ok: &[(&[u8], AddrRules)] = &[
            (b"\"Gabriel Burt\"<sip:gabriel@ocs.provo.novell.com>;tag=2947328781;epid=1234567890", one),
            (b" sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n", one),
            (b"\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com> ;  tag = 98asjd8", one),
            (b"caller<sip:caller@example.com>;tag=323", one),
            (b"token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xd1\x80\";tag=_token~1'+`*%!-.", one),
            (b"isbn:2983792873", one),
            (b"<sip:192.168.172.6:12723;transport=tls;ms-opaque=fad3dfab32>;methods=\"INVITE, MESSAGE\";proxy=replace;+sip.instance=\"<urn:uuid:34D859DB>\"", contact),
            (b"<sip:a@b>;expires=7200, <sip:c@d>;q=0.5", contact),
            (b"*", contact),
            (b"sip:+19725552222@gw1.example.net;unknownparam", contact),
        ];
        for (v, r) in ok {
            assert_eq!(addresses(v, *r), Ok(()), "{}", String::from_utf8_lossy(v));
        }
        let bad: &[(&[u8], AddrRules, Fault)] = &[
            (
                b"\"Mr. J. User <sip:j.user@example.com>",
                one,
                Fault::UnbalancedQuote,
            ),
            (
                b"\"Watson, Thomas\" < sip:t.watson@example.org >",
                one,
                Fault::SpaceInBrackets,
            ),
            (
                b"Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
                one,
                Fault::DisplayNameNeedsQuotes,
            ),
            (
                b"\"Joe\" <sip:joe@example.org>;;;;",
                contact,
                Fault::EmptyParam,
            ),
            (
                b"sip:user@example.com?Route=%3Csip:sip.example.com%3E",
                contact,
                Fault::NeedsBrackets,
            ),
            (
                b"<sip:user@host129.example.com>;expires=280297596632815",
                contact,
                Fault::SecondsTooLarge,
            ),
            (b"<sip:a@b", one, Fault::UnbalancedAngle),
            (b"", one, Fault::Empty),
            (b"<sip:a@b>, <sip:c@d>", one, Fault::TrailingText),
        ];
        for (v, r, f) in bad {
            assert_eq!(addresses(v, *r), Err(*f), "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn vias() {
        for ok in [
            "SIP/2.0/TLS 10.0.0.20:50120;branch=z9hG4bKx;ms-received-port=50120;ms-received-cid=1A00",
            "SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw",
            "SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  , SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239",
            "SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3",
            "SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-111",
            "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw",
        ] {
            assert_eq!(via(ok.as_bytes()), Ok(()), "{ok}");
        }
        assert_eq!(via(b"SIP/2.0/UDP 192.0.2.15;;,;,,"), Err(Fault::EmptyParam));
        assert_eq!(via(b"SIP/2.0 192.0.2.15"), Err(Fault::BadVia));
        assert_eq!(via(b""), Err(Fault::Empty));
    }

    #[test]
    fn scalars_and_dates() {
        assert_eq!(cseq(b"0009 INVITE"), Ok(&b"INVITE"[..]));
        assert_eq!(
            cseq(b"36893488147419103232 REGISTER"),
            Err(Fault::CSeqTooLarge)
        );
        assert_eq!(cseq(b"2147483648 INVITE"), Err(Fault::CSeqTooLarge));
        assert_eq!(cseq(b"2147483647 INVITE").map(|_| ()), Ok(()));
        assert_eq!(
            bounded(b"300", 255, Fault::MaxForwardsTooLarge),
            Err(Fault::MaxForwardsTooLarge)
        );
        assert_eq!(
            bounded(b"-999", 255, Fault::MaxForwardsTooLarge),
            Err(Fault::NotNumber)
        );
        assert_eq!(delta_seconds(b"4294967295"), Ok(()));
        assert_eq!(delta_seconds(b"4294967296"), Err(Fault::SecondsTooLarge));
        assert_eq!(date(b"Sat, 15 Oct 2005 04:44:56 GMT"), Ok(()));
        assert_eq!(date(b"Fri, 01 Jan 2010 16:00:00 EST"), Err(Fault::BadDate));
        assert_eq!(
            warning(b"1812 overture \"In Progress\""),
            Err(Fault::BadWarnCode)
        );
        assert_eq!(warning(b"399 host \"x, y\", 307 h \"z\""), Ok(()));
        assert_eq!(
            retry_after(b"949302838503028349304023988"),
            Err(Fault::SecondsTooLarge)
        );
        assert_eq!(retry_after(b"120 (I'm in a meeting);duration=60"), Ok(()));
        assert_eq!(
            call_id(b"intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"),
            Ok(())
        );
        assert_eq!(call_id(b"a b"), Err(Fault::BadCallId));
        assert_eq!(
            media_type(b"multipart/mixed;boundary=7a9cbec02ceef655"),
            Ok(())
        );
        assert_eq!(media_type(b"application/sdp"), Ok(()));
        assert_eq!(
            text(b"\"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" <sip:a@b>", true),
            Ok(())
        );
        assert_eq!(text(b"a\x00b", true), Err(Fault::ControlChar));
        assert_eq!(
            quotes(b"NTLM qop=\"auth\", realm=\"SIP Communications Service\""),
            Ok(())
        );
        assert_eq!(quotes(b"Digest realm=\"x"), Err(Fault::UnbalancedQuote));
        for ok in [
            "contoso.com",
            "lcs01.contoso.com.",
            "host_1",
            "a-b.c",
            "10.0.0.5",
        ] {
            assert_eq!(host(ok.as_bytes()), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".",
            "a..b",
            "-a.b",
            "a-.b",
            "a b",
            "999.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
        ] {
            assert_eq!(host(bad.as_bytes()), Err(Fault::BadHost), "{bad}");
        }
        let parts: Vec<&[u8]> = split_outside_quotes(b"a,\"b,c\",d", b',').collect();
        assert_eq!(parts, [&b"a"[..], b"\"b,c\"", b"d"]);
    }

    #[test]
    fn never_panics_on_fragments() {
        let pieces: &[&[u8]] = &[
            b"", b"\"", b"\\", b"<", b">", b"[", b"]", b":", b";", b",", b"%", b"%4", b"sip:",
            b"@", b"*", b" ", b"=", b"/", b"\xff",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let v = [*a, *b, *c].concat();
                    let _ = uri(&v, UriUse::Request);
                    let _ = uri(&v, UriUse::Bare);
                    let _ = addresses(
                        &v,
                        AddrRules {
                            list: true,
                            contact: true,
                        },
                    );
                    let _ = via(&v);
                    let _ = cseq(&v);
                    let _ = call_id(&v);
                    let _ = date(&v);
                    let _ = warning(&v);
                    let _ = media_type(&v);
                    let _ = text(&v, true);
                    let _ = quotes(&v);
                    let _ = host(&v);
                    let _ = hostport(&v);
                    let _ = ipv6(&v);
                    let _ = split_outside_quotes(&v, b',').count();
                }
            }
        }
    }

    /// Where a value's identifier lies, and that another identifier keeps the verdict even
    /// where a character of it would be wrong elsewhere in the value (`%` in a URI).
    #[test]
    fn identifier_runs() {
        let sent = b"SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK.a1;received=10.0.0.9";
        let (a, b) = identifier_run(Identified::Via, sent).unwrap();
        assert_eq!(&sent[a..b], b"z9hG4bK.a1");
        let from = b"\"Bob\" <sip:bob@contoso.com;tag=inuri>;tag=1b6d82e7;epid=0102";
        let (a, b) = identifier_run(Identified::Address, from).unwrap();
        assert_eq!(&from[a..b], b"1b6d82e7");
        // No identifier: none, an empty one, or a tag only inside the URI.
        for (which, v) in [
            (Identified::Via, &b"SIP/2.0/UDP host;rport"[..]),
            (Identified::Via, b"SIP/2.0/UDP host;branch=;rport"),
            (Identified::Address, b"<sip:bob@contoso.com;tag=x>"),
            (Identified::Address, b"sip:bob@contoso.com;tag=x"),
        ] {
            assert_eq!(
                identifier_run(which, v),
                None,
                "{}",
                String::from_utf8_lossy(v)
            );
        }
        let swap =
            |v: &[u8], (a, b): (usize, usize), with: &[u8]| [&v[..a], with, &v[b..]].concat();
        for with in [&b"%"[..], b"x", b"'~`!*+_-."] {
            let v = swap(sent, identifier_run(Identified::Via, sent).unwrap(), with);
            assert_eq!(via(&v), Ok(()));
            let f = swap(
                from,
                identifier_run(Identified::Address, from).unwrap(),
                with,
            );
            assert_eq!(addresses(&f, AddrRules::default()), Ok(()));
            let quoted = b"<sip:a@b>;x=\">;tag=q\"";
            let q = swap(
                quoted,
                identifier_run(Identified::Address, quoted).unwrap(),
                with,
            );
            assert_eq!(addresses(&q, AddrRules::default()), Ok(()));
        }
    }
}
