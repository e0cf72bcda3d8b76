//! SIP and tel URI validation and comparison for AD values and what logs show.
//!
//! Deliberately small: the checks need "is this a URI Communicator and a CSTA gateway will
//! accept, and do two URIs name the same thing", not a full RFC 3261 parser.

use serde::{Deserialize, Serialize};

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

fn strip_scheme<'a>(s: &'a str, scheme: &str) -> Option<&'a str> {
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

/// The form of a line URI, for matching against what a gateway profile accepts.
pub fn classify_line_uri(uri: &LineUri) -> super::LineUriForm {
    use super::LineUriForm;
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
        assert_eq!(
            classify_line_uri(&u),
            crate::directory::LineUriForm::TelLocal
        );
        let (u, note) = parse_line_uri_lenient("tel:+14255550123;ext=123").unwrap();
        assert!(note.is_none());
        assert_eq!(
            classify_line_uri(&u),
            crate::directory::LineUriForm::TelExtension
        );
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
