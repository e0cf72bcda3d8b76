//! SIP and tel URIs: the one reader every other module uses.
//!
//! Two layers, like Wireshark's `dissect_sip_uri` beneath its header dissectors:
//!
//! * **Lenient views** for what logs and pastes contain: [`UriView`] splits a SIP/SIPS URI into
//!   scheme, user, host, port, parameters and headers as slices of the input, and [`NameAddr`]
//!   splits a header value (`"Alice" <sip:alice@contoso.com>;tag=1`) into display name, URI and
//!   header parameters. They never fail on odd text: they return `None` or the best split. Hosts
//!   are compared through [`host_key`] (lower case, no port, no IPv6 brackets).
//! * **Strict validation** for values an admin must fix ([`validate_sip_uri`],
//!   [`validate_tel_uri`], [`validate_line_uri`]): the error says what is wrong and how to write
//!   it. Equivalence ([`sip_uris_equivalent`], [`line_uris_equivalent`]) sits on top.
//!
//! Routing, extraction, the ladder, the diagnosis, the directory checks and the redaction
//! scanner all read URIs and hosts here, so a fix to IPv6 or port handling is made once.

use crate::ingest::text::find_ci;
use crate::sip::{strip_runs, trim_quoted, trim_value};
use serde::{Deserialize, Serialize};

// =============================================================================================
// Lenient views

/// A SIP or SIPS URI split as written (slices of the input). Built by [`UriView::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UriView<'a> {
    /// `sip` or `sips`, as written.
    pub scheme: &'a str,
    /// The user part (before the last `@`), if any.
    pub user: Option<&'a str>,
    /// The host without port and without IPv6 brackets, as written.
    pub host: &'a str,
    /// The port, when one is written and is a number.
    pub port: Option<u16>,
    /// The URI parameters after the first `;` of the host part (without the `;`), may be "".
    pub params: &'a str,
    /// The headers after `?`, if any.
    pub headers: Option<&'a str>,
}

impl<'a> UriView<'a> {
    /// Reads a SIP/SIPS URI leniently: surrounding space and angle brackets are ignored, the
    /// scheme is case-insensitive. `None` when it is not a SIP URI or names no host.
    pub fn parse(uri: &'a str) -> Option<UriView<'a>> {
        let uri = trim_value(strip_runs(trim_value(uri), b'<', b'>'));
        let (scheme, rest) = if let Some(r) = strip_scheme(uri, "sips:") {
            (&uri[..4], r)
        } else if let Some(r) = strip_scheme(uri, "sip:") {
            (&uri[..3], r)
        } else {
            return None;
        };
        // Byte searches: every delimiter is ASCII, which no multi-byte character contains (this
        // reads every Contact, Route and request URI the ladder and the diagnosis look at).
        let (before_headers, headers) = match memchr::memchr(b'?', rest.as_bytes()) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        // The user part may hold ';' (RFC 3261 allows it, RFC 4475 semiuri), so the host part
        // starts after the last '@'; parameters start at the first ';' after it.
        let (user, host_part) = match memchr::memrchr(b'@', before_headers.as_bytes()) {
            Some(i) => (Some(&before_headers[..i]), &before_headers[i + 1..]),
            None => (None, before_headers),
        };
        let (hostport, params) = match memchr::memchr(b';', host_part.as_bytes()) {
            Some(i) => (&host_part[..i], &host_part[i + 1..]),
            None => (host_part, ""),
        };
        let (host, port) = split_host_port(hostport);
        (!host.is_empty()).then_some(UriView {
            scheme,
            user,
            host,
            port,
            params,
            headers,
        })
    }

    /// The value of a URI parameter (`transport`, `user`, `maddr`...), name case-insensitive;
    /// `Some("")` for a parameter without a value.
    pub fn param(&self, name: &str) -> Option<&'a str> {
        param_in(self.params, name)
    }

    /// The host in [`host_key`] form.
    pub fn host_key(&self) -> String {
        self.host.trim_end_matches('.').to_ascii_lowercase()
    }

    /// Whether [`UriView::aor`] is `aor`, compared in place (no string written).
    pub fn aor_is(&self, aor: &str) -> bool {
        let Some(rest) = aor.as_bytes().strip_prefix(b"sip:") else {
            return false;
        };
        let folds_to = |written: &str, lower: &[u8]| {
            written.len() == lower.len()
                && written
                    .bytes()
                    .zip(lower)
                    .all(|(w, &l)| w.to_ascii_lowercase() == l)
        };
        let host = self.host.trim_end_matches('.');
        match self.user {
            Some(u) => {
                rest.len() == u.len() + 1 + host.len()
                    && folds_to(u, &rest[..u.len()])
                    && rest[u.len()] == b'@'
                    && folds_to(host, &rest[u.len() + 1..])
            }
            None => folds_to(host, rest),
        }
    }

    /// `sip:user@host` in lower case, without port or parameters (the address of record).
    pub fn aor(&self) -> String {
        match self.user {
            Some(u) => format!("sip:{}@{}", u.to_ascii_lowercase(), self.host_key()),
            None => format!("sip:{}", self.host_key()),
        }
    }
}

/// A header value in name-addr or addr-spec form, split as written: display name, the URI and
/// the header parameters after it (`;tag=`, `;epid=`, `;lr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// The display name without quotes, if any.
    pub display: Option<&'a str>,
    /// The URI (inside `<>` when the value has brackets).
    pub uri: &'a str,
    /// The header parameters after the URI, without the first `;` (may be "").
    pub params: &'a str,
}

impl<'a> NameAddr<'a> {
    /// Splits one header value (not a comma-separated list). Never fails: text without brackets
    /// is an addr-spec whose parameters start at the first `;` after the host.
    pub fn parse(value: &'a str) -> NameAddr<'a> {
        let v = trim_value(value);
        if let Some(open) = find_unquoted(v, b'<') {
            let display = trim_value(trim_quoted(&v[..open]));
            let after = &v[open + 1..];
            let close = memchr::memchr(b'>', after.as_bytes()).unwrap_or(after.len());
            let uri = trim_value(&after[..close]);
            let rest = after.get(close + 1..).unwrap_or("").trim_start();
            let params = rest.strip_prefix(';').unwrap_or(rest);
            return NameAddr {
                display: (!display.is_empty()).then_some(display),
                uri,
                params,
            };
        }
        // addr-spec: header parameters cannot be told from URI parameters without brackets
        // (RFC 3261 20.10), so they are the header's.
        let host_start = memchr::memrchr(b'@', v.as_bytes()).map_or(0, |i| i + 1);
        match memchr::memchr(b';', &v.as_bytes()[host_start..]) {
            Some(i) => NameAddr {
                display: None,
                uri: trim_value(&v[..host_start + i]),
                params: &v[host_start + i + 1..],
            },
            None => NameAddr {
                display: None,
                uri: v,
                params: "",
            },
        }
    }

    /// The URI as a SIP URI view.
    pub fn view(&self) -> Option<UriView<'a>> {
        UriView::parse(self.uri)
    }

    /// The value of a header parameter (`tag`, `epid`), name case-insensitive.
    pub fn param(&self, name: &str) -> Option<&'a str> {
        param_in(self.params, name)
    }
}

/// The position of `c` in `s` outside double quotes.
pub fn find_unquoted(s: &str, c: u8) -> Option<usize> {
    // Most values have no quote before `c`: one vectorised search settles them.
    match memchr::memchr2(c, b'"', s.as_bytes()) {
        None => return None,
        Some(i) if s.as_bytes()[i] == c => return Some(i),
        Some(_) => {}
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            quoted = !quoted;
        } else if b == c && !quoted {
            return Some(i);
        }
    }
    None
}

/// The value of `name` in a `;`-separated parameter list (`a=1;lr;b="x"`), quotes removed.
fn param_in<'a>(params: &'a str, name: &str) -> Option<&'a str> {
    params.split(';').find_map(|p| {
        let (k, v) = match p.split_once('=') {
            Some((k, v)) => (k, v.trim().trim_matches('"')),
            None => (p, ""),
        };
        k.trim().eq_ignore_ascii_case(name).then_some(v)
    })
}

/// Splits `host[:port]`, `[v6]:port` or a bare IPv6 address into host (no brackets) and port.
pub fn split_host_port(s: &str) -> (&str, Option<u16>) {
    let (host, port) = split_host_port_text(s);
    (host, port.and_then(|p| p.parse().ok()))
}

/// [`split_host_port`] with the port as written (a reader of the host alone parses nothing).
pub fn split_host_port_text(s: &str) -> (&str, Option<&str>) {
    let s = trim_value(s);
    if let Some(rest) = s.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => (rest, None),
        };
    }
    // By bytes (every Via and URI host of the ladder and the diagnosis passes here).
    let b = s.as_bytes();
    match memchr::memrchr(b':', b) {
        // One colon: host:port. More (a bare IPv6 address): no port.
        Some(i) if memchr::memchr(b':', &b[..i]).is_none() => (&s[..i], Some(&s[i + 1..])),
        _ => (s, None),
    }
}

/// A host as the core compares hosts: lower case, no port, no IPv6 brackets, no trailing dot.
/// Accepts a bare host, `host:port`, `[v6]:port`, or a SIP URI (its host).
pub fn host_key(s: &str) -> Option<String> {
    let s = s.trim().trim_matches(|c| c == '"' || c == '\'');
    let host = match UriView::parse(s) {
        Some(v) => v.host,
        None => split_host_port(s.trim_start_matches('<').trim_end_matches('>')).0,
    };
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    (!h.is_empty()).then_some(h)
}

/// The address a typed or pasted sign-in holds: what the angle brackets hold when it was
/// pasted with its display name, as Outlook copies an address (`"Ruiz, Dana" <sip:…>`).
pub fn typed_address(typed: &str) -> &str {
    let typed = typed.trim();
    match (typed.find('<'), typed.rfind('>')) {
        (Some(open), Some(close)) if open < close => typed[open + 1..close].trim(),
        _ => typed,
    }
}

/// The host of the URI in a header value (`"x" <sip:a@B.com;gruu>;tag=1` → `b.com`).
pub fn host_of_header(value: &str) -> Option<String> {
    NameAddr::parse(value).view().map(|v| v.host_key())
}

/// The address of record (`sip:user@host`, lower case) of a URI or header value.
pub fn aor(value: &str) -> Option<String> {
    NameAddr::parse(value).view().map(|v| v.aor())
}

/// Whether [`aor`] of `value` is `aor`, compared in place: the logs' many messages are matched
/// against one user without writing each one's address. A value that does not hold the
/// address's user part with its `@` and its host (in any case: [`UriView`] is slices of it)
/// is not parsed: most values searched name another user. The user part is looked for before
/// an `@` of the value, not searched from each of its first letters: a value holds one or two
/// `@`, and searching short values letter by letter cost more than parsing the few that pass.
pub fn aor_is(value: &str, aor: &str) -> bool {
    let Some(rest) = aor.strip_prefix("sip:") else {
        return false;
    };
    // memchr's: `str::rfind` of a char cost half of this function (it runs for every call's
    // INVITE and every configuration answer).
    let (user, host) = match memchr::memrchr(b'@', rest.as_bytes()) {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let v = value.as_bytes();
    let user_written = |user: &str| {
        memchr::memchr_iter(b'@', v).any(|at| {
            at.checked_sub(user.len())
                .is_some_and(|start| v[start..at].eq_ignore_ascii_case(user.as_bytes()))
        })
    };
    user.is_none_or(user_written)
        && find_ci(v, host.as_bytes()).is_some()
        && NameAddr::parse(value).view().is_some_and(|v| v.aor_is(aor))
}

/// Is this host an IP address (IPv4 dotted quad or IPv6, with or without brackets)?
pub fn is_ip(host: &str) -> bool {
    let h = strip_runs(trim_value(host), b'[', b']');
    h.parse::<std::net::IpAddr>().is_ok()
}

/// Is this host an IPv4 dotted quad?
pub fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// A host name's first label, lower case: WMI and admins name a server by its NetBIOS-style
/// name, routes and logs by FQDN, so the two meet there.
pub fn first_label(host: &str) -> String {
    host.split('.').next().unwrap_or(host).to_ascii_lowercase()
}

/// A fully qualified host name (dotted, not an address, with letters).
pub fn is_fqdn(host: &str) -> bool {
    host.contains('.')
        && !is_ip(host)
        && host.chars().any(|c| c.is_ascii_alphabetic())
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// The user-typed form of a SIP address made into a URI: `alice@contoso.com` → `sip:alice@…`.
pub fn with_sip_scheme(s: &str) -> String {
    let s = s.trim();
    if strip_scheme(s, "sip:").is_some() || strip_scheme(s, "sips:").is_some() {
        s.to_string()
    } else {
        format!("sip:{s}")
    }
}

// =============================================================================================
// Strict validation

/// A SIP URI split into parts. Names keep their case as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipUriParts {
    /// `sip` or `sips` (lower case).
    pub scheme: String,
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// URI parameters (`;transport=tls`, `;user=phone`, ...), name lower-cased.
    pub params: Vec<(String, Option<String>)>,
    /// Anything after `?` (headers), as written.
    pub headers: Option<String>,
}

/// A tel URI (RFC 3966) split into parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelUriParts {
    /// `+` form (global number).
    pub global: bool,
    /// The number as written, without the scheme and parameters.
    pub number: String,
    /// The number's digits only (no `+`, no visual separators).
    pub digits: String,
    /// `;ext=` digits only.
    pub extension: Option<String>,
    /// `;phone-context=` as written.
    pub phone_context: Option<String>,
    /// All parameters, name lower-cased.
    pub params: Vec<(String, Option<String>)>,
}

/// A parsed line URI: a tel URI or a SIP URI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LineUri {
    Tel(TelUriParts),
    Sip(SipUriParts),
}

pub(crate) fn strip_scheme<'a>(s: &'a str, scheme: &str) -> Option<&'a str> {
    let n = scheme.len();
    if s.len() > n && s.is_char_boundary(n) && s[..n].eq_ignore_ascii_case(scheme) {
        Some(&s[n..])
    } else {
        None
    }
}

fn common_form_errors(s: &str, example: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err(format!("the value is empty: enter a URI such as {example}"));
    }
    if s.starts_with('<') || s.ends_with('>') {
        return Err(format!(
            "remove the angle brackets: the attribute holds the bare URI, e.g. {example}"
        ));
    }
    if s.starts_with('"') || s.ends_with('"') || s.starts_with('\'') {
        return Err(format!(
            "remove the quotes: the attribute holds the bare URI, e.g. {example}"
        ));
    }
    if s.chars().any(char::is_whitespace) {
        let joined: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        return Err(format!("the URI contains spaces; remove them: {joined}"));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err("the URI contains control characters; retype it".to_string());
    }
    Ok(())
}

fn parse_params(s: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out = Vec::new();
    for p in s.split(';') {
        if p.is_empty() {
            return Err("an empty ';' parameter: remove the stray ';'".to_string());
        }
        let (name, value) = match p.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (p, None),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.!~*'()%[]/:&+$".contains(c))
        {
            return Err(format!("parameter name '{name}' is not valid"));
        }
        out.push((name.to_ascii_lowercase(), value));
    }
    Ok(out)
}

fn valid_hostname(h: &str) -> bool {
    if h.is_empty() || h.len() > 255 {
        return false;
    }
    if let Some(inner) = h.strip_prefix('[') {
        return inner.strip_suffix(']').is_some_and(|v6| {
            !v6.is_empty()
                && v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        });
    }
    let h = h.strip_suffix('.').unwrap_or(h);
    !h.is_empty()
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn valid_user(u: &str) -> bool {
    let b = u.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if i + 2 >= b.len() {
                return false;
            }
            if !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/".contains(&c)) {
            return false;
        }
        i += 1;
    }
    !u.is_empty()
}

/// Validates a SIP URI such as `sip:rcc@mcm.contoso.com` or `sip:mcm.contoso.com:5061;transport=tls`.
/// The error says what is wrong and how to write it.
pub fn validate_sip_uri(s: &str) -> Result<SipUriParts, String> {
    let s = s.trim();
    common_form_errors(s, "sip:rcc@mcm.contoso.com")?;
    let (scheme, rest) = if let Some(r) = strip_scheme(s, "sips:") {
        ("sips", r)
    } else if let Some(r) = strip_scheme(s, "sip:") {
        ("sip", r)
    } else if strip_scheme(s, "tel:").is_some() {
        return Err(
            "this is a tel URI, not a SIP URI: a SIP URI looks like sip:rcc@mcm.contoso.com".into(),
        );
    } else if s.contains('@') && !s.contains(':') {
        return Err(format!("add the scheme: sip:{s}"));
    } else {
        return Err("a SIP URI starts with sip: (e.g. sip:rcc@mcm.contoso.com)".into());
    };
    if rest.starts_with("//") {
        return Err("remove the '//': a SIP URI is written sip:user@host, not sip://".into());
    }
    let (before_headers, headers) = match rest.split_once('?') {
        Some((a, h)) => (a, Some(h.to_string())),
        None => (rest, None),
    };
    let (user, hostpart) = match before_headers.rfind('@') {
        Some(i) => (Some(&before_headers[..i]), &before_headers[i + 1..]),
        None => (None, before_headers),
    };
    if let Some(u) = user {
        if u.is_empty() {
            return Err(
                "nothing before the '@': write the user part, e.g. sip:rcc@mcm.contoso.com".into(),
            );
        }
        if u.contains('@') {
            return Err("more than one '@' in the URI".into());
        }
        if !valid_user(u) {
            return Err(format!(
                "the user part '{u}' has characters a SIP URI does not allow"
            ));
        }
    }
    let (hostport, params) = match hostpart.split_once(';') {
        Some((hp, p)) => (hp, parse_params(p)?),
        None => (hostpart, Vec::new()),
    };
    if hostport.is_empty() {
        return Err(
            "the host is missing: write it after the '@' (e.g. sip:rcc@mcm.contoso.com)".into(),
        );
    }
    let (host, port) = if hostport.starts_with('[') {
        match hostport.find(']') {
            Some(i) => {
                let (h, p) = hostport.split_at(i + 1);
                (h, p.strip_prefix(':'))
            }
            None => return Err("unclosed '[' in the host".into()),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if !valid_hostname(host) {
        return Err(format!(
            "'{host}' is not a valid host name: use the FQDN of the server (e.g. mcm.contoso.com)"
        ));
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => Some(n),
            _ => return Err(format!("port '{p}' is not a number between 1 and 65535")),
        },
    };
    Ok(SipUriParts {
        scheme: scheme.to_string(),
        user: user.map(str::to_string),
        host: host.to_string(),
        port,
        params,
        headers,
    })
}

const VISUAL: &str = "-.()";

/// What makes a number Communicator asks the gateway to dial (MakeCall's
/// `calledDirectoryNumber`) one no phone can dial, if anything: a character that is not a digit,
/// `*`, `#`, DTMF `A`-`D`, a `+` in front, a space or a visual separator, in the number of a
/// `tel:` URI (before its parameters) or of a bare number. A SIP URI is another party's address, not a
/// dial string, and is not judged. Cisco's gateway took `tel:5555551234v:41234` off hook and
/// dialled nothing (domain.md F9; sipe commit f7d0d5b4).
pub fn dial_string_flaw(called: &str) -> Option<String> {
    let s = called.trim();
    let number = match strip_scheme(s, "tel:") {
        Some(rest) => rest.split(';').next().unwrap_or(""),
        None if s.eq_ignore_ascii_case("tel:") => "",
        None if s.contains('@')
            || (s.contains(':') && !s.starts_with(|c: char| c.is_ascii_digit() || c == '+')) =>
        {
            return None
        }
        None => s,
    };
    let number = number.strip_prefix('+').unwrap_or(number);
    if number.is_empty() {
        return Some("it holds no number".into());
    }
    // Spaces too: not allowed in a tel URI, but no source shows a gateway failing on them.
    let dialable = |c: char| c.is_ascii_digit() || "*#ABCDabcd ".contains(c) || VISUAL.contains(c);
    let (at, c) = number.char_indices().find(|&(_, c)| !dialable(c))?;
    Some(format!(
        "'{c}' after {} is not something a phone dials",
        &number[..at]
    ))
}

/// Validates a tel URI per RFC 3966: a global number `tel:+14255550123` (visual separators
/// `-.()` allowed), or a local number that carries `;phone-context=`
/// (`tel:73124;phone-context=dialstring`), with optional `;ext=`.
pub fn validate_tel_uri(s: &str) -> Result<TelUriParts, String> {
    let s = s.trim();
    common_form_errors(s, "tel:+14255550123;ext=123")?;
    let rest = match strip_scheme(s, "tel:") {
        Some(r) => r,
        None => {
            if strip_scheme(s, "sip:").is_some() || strip_scheme(s, "sips:").is_some() {
                return Err("this is a SIP URI, not a tel URI".into());
            }
            if s.starts_with('+') || s.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(format!("add the scheme: tel:{s}"));
            }
            return Err("a tel URI starts with tel: (e.g. tel:+14255550123;ext=123)".into());
        }
    };
    if rest.starts_with("//") {
        return Err("remove the '//': a tel URI is written tel:+14255550123".into());
    }
    let (number, params) = match rest.split_once(';') {
        Some((n, p)) => (n, parse_params(p)?),
        None => (rest, Vec::new()),
    };
    if number.is_empty() {
        return Err("the number is missing after tel:".into());
    }
    let global = number.starts_with('+');
    let body = number.strip_prefix('+').unwrap_or(number);
    let digits: String;
    if global {
        if let Some(c) = body
            .chars()
            .find(|c| !(c.is_ascii_digit() || VISUAL.contains(*c)))
        {
            return Err(format!(
                "'{c}' is not allowed in a global number: use digits after '+' (separators - . ( ) allowed)"
            ));
        }
        digits = body.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Err("no digits after '+'".into());
        }
    } else {
        if let Some(c) = body
            .chars()
            .find(|c| !(c.is_ascii_hexdigit() || "*#".contains(*c) || VISUAL.contains(*c)))
        {
            return Err(format!("'{c}' is not allowed in a telephone number"));
        }
        if !body
            .chars()
            .any(|c| c.is_ascii_hexdigit() || "*#".contains(c))
        {
            return Err("the number has no digits".into());
        }
        digits = body
            .chars()
            .filter(|c| c.is_ascii_hexdigit() || "*#".contains(*c))
            .collect();
    }
    let mut extension = None;
    let mut phone_context = None;
    for (name, value) in &params {
        match name.as_str() {
            "ext" => {
                let v = value.as_deref().unwrap_or("");
                let d: String = v.chars().filter(char::is_ascii_digit).collect();
                if d.is_empty() || !v.chars().all(|c| c.is_ascii_digit() || VISUAL.contains(c)) {
                    return Err(format!("';ext={v}' must be digits, e.g. ;ext=123"));
                }
                if extension.is_some() {
                    return Err("';ext=' appears twice".into());
                }
                extension = Some(d);
            }
            "phone-context" => {
                let v = value.as_deref().unwrap_or("");
                let ok = if let Some(g) = v.strip_prefix('+') {
                    g.chars().any(|c| c.is_ascii_digit())
                        && g.chars().all(|c| c.is_ascii_digit() || VISUAL.contains(c))
                } else {
                    valid_hostname(v)
                };
                if !ok {
                    return Err(format!(
                        "';phone-context={v}' must be a global number prefix (+1425) or a domain name (dialstring, contoso.com)"
                    ));
                }
                if phone_context.is_some() {
                    return Err("';phone-context=' appears twice".into());
                }
                phone_context = Some(v.to_string());
            }
            _ => {}
        }
    }
    if global && phone_context.is_some() {
        return Err("a global (+) number must not carry ;phone-context=".into());
    }
    if !global && phone_context.is_none() {
        return Err(format!(
            "the local number '{number}' needs ;phone-context= (e.g. tel:{number};phone-context=dialstring), or write it in E.164 form: tel:+14255550123"
        ));
    }
    Ok(TelUriParts {
        global,
        number: number.to_string(),
        digits,
        extension,
        phone_context,
        params,
    })
}

/// Validates a line URI (`msRTCSIP-Line`): a tel URI or a SIP URI.
pub fn validate_line_uri(s: &str) -> Result<LineUri, String> {
    let t = s.trim();
    if strip_scheme(t, "sip:").is_some() || strip_scheme(t, "sips:").is_some() {
        validate_sip_uri(t).map(LineUri::Sip)
    } else {
        validate_tel_uri(t).map(LineUri::Tel)
    }
}

/// Like [`validate_line_uri`], but also accepts a local tel number without `;phone-context=`
/// (`tel:5123`), which RFC 3966 forbids but some gateways accept. The second value says how the
/// URI departs from RFC 3966, if it does.
pub fn parse_line_uri_lenient(s: &str) -> Result<(LineUri, Option<String>), String> {
    match validate_line_uri(s) {
        Ok(u) => Ok((u, None)),
        Err(e) if e.contains("needs ;phone-context=") => {
            let patched = format!("{};phone-context=rcc-doctor-lenient", s.trim());
            match validate_tel_uri(&patched) {
                Ok(mut t) => {
                    t.phone_context = None;
                    t.params.retain(|(k, _)| k != "phone-context");
                    Ok((LineUri::Tel(t), Some(e)))
                }
                Err(_) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// A line URI form a gateway profile may accept (`Profile::line_uri_forms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineUriForm {
    /// `tel:+14255550123`
    TelE164,
    /// `tel:+14255550123;ext=123`
    TelExtension,
    /// `tel:73124;phone-context=dialstring`
    TelPhoneContext,
    /// `sip:4255550123@pbx.contoso.com`
    Sip,
    /// `tel:5123`: a local number without `;phone-context=` (not RFC 3966, but some gateway
    /// profiles list it).
    TelLocal,
}

impl LineUriForm {
    pub fn label(self) -> &'static str {
        match self {
            LineUriForm::TelE164 => "E.164 tel URI",
            LineUriForm::TelExtension => "E.164 tel URI with ;ext=",
            LineUriForm::TelPhoneContext => "local tel URI with ;phone-context=",
            LineUriForm::Sip => "SIP URI",
            LineUriForm::TelLocal => "local tel URI without ;phone-context=",
        }
    }

    pub fn example(self) -> &'static str {
        match self {
            LineUriForm::TelE164 => "tel:+14255550123",
            LineUriForm::TelExtension => "tel:+14255550123;ext=123",
            LineUriForm::TelPhoneContext => "tel:73124;phone-context=dialstring",
            LineUriForm::Sip => "sip:4255550123@pbx.contoso.com",
            LineUriForm::TelLocal => "tel:5123",
        }
    }

    /// The forms of example line URIs, in order, without repeats; examples that are no line
    /// URI at all are skipped.
    pub fn from_examples<S: AsRef<str>>(examples: &[S]) -> Vec<LineUriForm> {
        let mut out = Vec::new();
        for e in examples {
            if let Ok((u, _)) = parse_line_uri_lenient(e.as_ref()) {
                let f = classify_line_uri(&u);
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    }
}

/// The form of a line URI, for matching against what a gateway profile accepts.
pub fn classify_line_uri(uri: &LineUri) -> LineUriForm {
    match uri {
        LineUri::Sip(_) => LineUriForm::Sip,
        LineUri::Tel(t) if !t.global && t.phone_context.is_none() => LineUriForm::TelLocal,
        LineUri::Tel(t) if !t.global => LineUriForm::TelPhoneContext,
        LineUri::Tel(t) if t.extension.is_some() => LineUriForm::TelExtension,
        LineUri::Tel(_) => LineUriForm::TelE164,
    }
}

/// Same SIP address? Scheme and host case-insensitive, user case-insensitive (as LCS/OCS treat
/// it), ports compared only when both are given, parameters and headers ignored.
pub fn sip_uris_equivalent(a: &str, b: &str) -> bool {
    match (validate_sip_uri(a), validate_sip_uri(b)) {
        (Ok(x), Ok(y)) => {
            x.scheme == y.scheme
                && x.host
                    .trim_end_matches('.')
                    .eq_ignore_ascii_case(y.host.trim_end_matches('.'))
                && match (&x.user, &y.user) {
                    (Some(u), Some(v)) => u.eq_ignore_ascii_case(v),
                    (None, None) => true,
                    _ => false,
                }
                && match (x.port, y.port) {
                    (Some(p), Some(q)) => p == q,
                    _ => true,
                }
        }
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

/// Telephone identity of a line-ish string: (number digits, extension digits).
fn phone_identity(s: &str) -> Option<(String, Option<String>)> {
    let t = s.trim();
    match validate_line_uri(t) {
        Ok(LineUri::Tel(p)) => Some((p.digits, p.extension)),
        Ok(LineUri::Sip(p)) => {
            // sip:+14255550123@contoso.com;user=phone or sip:+14255550123;ext=123@...
            let user = p.user?;
            let (num, ext) = match user.split_once(';') {
                Some((n, rest)) => (
                    n.to_string(),
                    rest.split(';').find_map(|kv| {
                        kv.strip_prefix("ext=")
                            .map(|e| e.chars().filter(char::is_ascii_digit).collect::<String>())
                    }),
                ),
                None => (user.clone(), None),
            };
            let n = num.strip_prefix('+').unwrap_or(&num);
            let phoneish =
                !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || VISUAL.contains(c));
            let user_phone = p.params.iter().any(|(k, v)| {
                k == "user"
                    && v.as_deref()
                        .is_some_and(|v| v.eq_ignore_ascii_case("phone"))
            });
            (phoneish && (user_phone || num.starts_with('+')))
                .then(|| (n.chars().filter(char::is_ascii_digit).collect(), ext))
        }
        Err(_) => {
            // A bare device number as CSTA often carries it: "+14255550123", "73124", "4255550123;ext=123".
            let (n, ext) = match t.split_once(";ext=") {
                Some((n, e)) => (n, Some(e.chars().filter(char::is_ascii_digit).collect())),
                None => (t, None),
            };
            let n = strip_scheme(n, "tel:").unwrap_or(n);
            let n = n.strip_prefix('+').unwrap_or(n);
            (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || VISUAL.contains(c)))
                .then(|| (n.chars().filter(char::is_ascii_digit).collect(), ext))
        }
    }
}

/// Same line? tel numbers (and `user=phone` SIP URIs, and bare device numbers) compare by digits
/// and extension; SIP URIs otherwise as [`sip_uris_equivalent`].
pub fn line_uris_equivalent(a: &str, b: &str) -> bool {
    if let (Some(x), Some(y)) = (phone_identity(a), phone_identity(b)) {
        // An extension on one side only still names the same line (CSTA often drops it).
        return x.0 == y.0 && (x.1 == y.1 || x.1.is_none() || y.1.is_none());
    }
    let sa = validate_sip_uri(a).is_ok();
    let sb = validate_sip_uri(b).is_ok();
    if sa && sb {
        return sip_uris_equivalent(a, b);
    }
    a.trim().eq_ignore_ascii_case(b.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Host and port split by bytes (bracketed IPv6, bare IPv6, white space outside ASCII).
    #[test]
    fn host_and_port_split_by_bytes() {
        for (s, host, port) in [
            ("", "", None),
            (":", "", Some("")),
            ("a", "a", None),
            ("a:5061", "a", Some("5061")),
            (" a:5061 ", "a", Some("5061")),
            ("a:", "a", Some("")),
            (":5061", "", Some("5061")),
            ("2001:db8::1", "2001:db8::1", None),
            ("[2001:db8::1]:5061", "2001:db8::1", Some("5061")),
            ("[::1]", "::1", None),
            ("[::1", "::1", None),
            ("h\u{e9}te:1", "h\u{e9}te", Some("1")),
            ("\u{a0}b.example:5060\u{3000}", "b.example", Some("5060")),
            ("a:b:c", "a:b:c", None),
            ("a::", "a::", None),
        ] {
            assert_eq!(split_host_port_text(s), (host, port), "{s:?}");
        }
    }

    /// A name-addr read by bytes as the char searches read it.
    #[test]
    fn name_addr_parts_read_as_by_chars() {
        for (value, display, uri, params) in [
            (
                "\"Bob\" <sip:bob@b.example>;tag=1",
                Some("Bob"),
                "sip:bob@b.example",
                "tag=1",
            ),
            (
                " \"\"x\"\" < sip:x@y > ; tag=2 ",
                Some("x"),
                "sip:x@y",
                " tag=2",
            ),
            ("\u{a0}Ann\u{3000}<sip:a@b>", Some("Ann"), "sip:a@b", ""),
            ("<sip:a@b", None, "sip:a@b", ""),
            (
                "sip:a;x@b.example;tag=3",
                None,
                "sip:a;x@b.example",
                "tag=3",
            ),
            ("sip:a@b.example ;tag=4", None, "sip:a@b.example", "tag=4"),
            ("sip:b.example", None, "sip:b.example", ""),
            ("", None, "", ""),
        ] {
            let n = NameAddr::parse(value);
            assert_eq!(
                (n.display, n.uri, n.params),
                (display, uri, params),
                "{value:?}"
            );
        }
    }

    #[test]
    fn aor_is_agrees_with_aor_whatever_the_value_looks_like() {
        let values = [
            "\"Alice\" <SIP:Alice@Contoso.COM.;transport=tls>;tag=1",
            "<sip:alice@[2001:db8::1]:5061>",
            "sip:a@b@contoso.com",
            "<sips:alice@contoso.com>",
            "sip:contoso.com",
            "<sip:bob@contoso.com>",
            "tel:+1555",
            "",
        ];
        let aors = [
            "sip:alice@contoso.com",
            "sip:alice@2001:db8::1",
            "sip:a@b@contoso.com",
            "sip:contoso.com",
            "sip:",
            "alice@contoso.com",
        ];
        for value in values {
            for a in aors {
                assert_eq!(
                    aor_is(value, a),
                    aor(value).as_deref() == Some(a),
                    "{value} / {a}"
                );
            }
        }
    }

    #[test]
    fn sip_uris() {
        let p = validate_sip_uri("sip:rcc@mcm.contoso.com").unwrap();
        assert_eq!(p.user.as_deref(), Some("rcc"));
        assert_eq!(p.host, "mcm.contoso.com");
        let p = validate_sip_uri("SIP:rcc@MCM.contoso.com:5061;transport=tls").unwrap();
        assert_eq!(p.port, Some(5061));
        assert_eq!(p.params[0].0, "transport");
        assert!(validate_sip_uri("rcc@mcm.contoso.com")
            .unwrap_err()
            .contains("sip:rcc@"));
        assert!(validate_sip_uri("sip:rcc@").is_err());
        assert!(validate_sip_uri("sip:rcc @mcm.contoso.com")
            .unwrap_err()
            .contains("spaces"));
        assert!(validate_sip_uri("<sip:rcc@mcm.contoso.com>").is_err());
        assert!(validate_sip_uri("sip:rcc@mcm_contoso").is_err());
        assert!(validate_sip_uri("sip:rcc@mcm.contoso.com:99999").is_err());
        assert!(validate_sip_uri("sip:rcc@[fe80::1]:5061").is_ok());
        assert!(validate_sip_uri("sip:a%2").is_err());
    }

    #[test]
    fn dial_strings_a_phone_cannot_dial() {
        let flaw = |s| dial_string_flaw(s);
        assert!(flaw("tel:5555551234v:41234")
            .unwrap()
            .contains("'v' after 5555551234"));
        assert!(flaw("5551234 x12").is_some());
        assert!(flaw("tel:").is_some());
        for fine in [
            "tel:+14255550123",
            "tel:+1 (425) 555-0123",
            "tel:5551234",
            "tel:+14255550123;ext=123",
            "tel:73124;phone-context=dialstring",
            "*67#",
            "+44.20.7946.0321",
            "sip:bob@contoso.com",
            "sip:+14255550123@contoso.com;user=phone",
            "4711@cups01.example",
        ] {
            assert_eq!(flaw(fine), None, "{fine}");
        }
    }

    #[test]
    fn tel_uris() {
        let t = validate_tel_uri("tel:+14255550123;ext=123").unwrap();
        assert!(t.global);
        assert_eq!(t.digits, "14255550123");
        assert_eq!(t.extension.as_deref(), Some("123"));
        assert!(validate_tel_uri("tel:+1-425-555-0123").is_ok());
        assert!(validate_tel_uri("tel:+1(425)555.0123").is_ok());
        let l = validate_tel_uri("tel:73124;phone-context=dialstring").unwrap();
        assert!(!l.global);
        assert!(validate_tel_uri("tel:73124")
            .unwrap_err()
            .contains("phone-context"));
        assert!(validate_tel_uri("tel:+1 425 555 0123")
            .unwrap_err()
            .contains("spaces"));
        assert!(validate_tel_uri("+14255550123")
            .unwrap_err()
            .contains("tel:+14255550123"));
        assert!(validate_tel_uri("tel:+14255550123;ext=").is_err());
        assert!(validate_tel_uri("tel:+14255550123;phone-context=+1").is_err());
        assert!(validate_tel_uri("tel:+").is_err());
        assert!(validate_tel_uri("tel:5550123;phone-context=+1425").is_ok());
    }

    #[test]
    fn lenient_line_uris() {
        let (u, note) = parse_line_uri_lenient("tel:5123").unwrap();
        assert!(note.unwrap().contains("phone-context"));
        assert_eq!(classify_line_uri(&u), LineUriForm::TelLocal);
        let (u, note) = parse_line_uri_lenient("tel:+14255550123;ext=123").unwrap();
        assert!(note.is_none());
        assert_eq!(classify_line_uri(&u), LineUriForm::TelExtension);
        assert!(parse_line_uri_lenient("tel:51 23").is_err());
    }

    #[test]
    fn equivalence() {
        assert!(sip_uris_equivalent(
            "sip:RCC@mcm.contoso.com",
            "sip:rcc@MCM.contoso.com;transport=tls"
        ));
        assert!(!sip_uris_equivalent(
            "sip:rcc@mcm.contoso.com",
            "sip:rcc@mcm2.contoso.com"
        ));
        assert!(line_uris_equivalent(
            "tel:+14255550123;ext=123",
            "tel:+1-425-555-0123;ext=123"
        ));
        assert!(!line_uris_equivalent(
            "tel:+14255550123;ext=123",
            "tel:+14255550123;ext=124"
        ));
        assert!(line_uris_equivalent("tel:+14255550123", "+14255550123"));
        assert!(line_uris_equivalent(
            "tel:+14255550123",
            "sip:+14255550123@contoso.com;user=phone"
        ));
        assert!(!line_uris_equivalent(
            "tel:+14255550123",
            "tel:+14255550124"
        ));
    }
}
