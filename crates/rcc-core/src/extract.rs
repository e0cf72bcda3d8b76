//! What remote call control needs from a SIP message: the client's configuration answer (line
//! URI and line server URI, every generation), the CSTA body, `ms-diagnostics` headers, the hop
//! chain and the product string.
//!
//! Bodies are read by a tolerant tag scanner rather than an XML parser: logs truncate bodies,
//! mix namespace prefixes (`csta:MonitorStart`, `lcs:line`) and sometimes escape or fold them.
//! Every function here is total: odd input gives `None` or an empty list, never a panic.
//!
//! Where the client learns its line (domain.md section 3, after pidgin-sipe):
//! * Communicator 2005 / LCS 2005 (`vnd-microsoft-provisioning`): the answer's
//!   `<provision><user uri="..."><line uri="tel:..." server="sip:..."/></user></provision>`.
//! * Communicator 2007 and later (`vnd-microsoft-roaming-self`): category `userProperties`,
//!   `<lines><line lineType="Rcc" lineServer="sip:...">tel:...</line></lines>`, in the 200 OK
//!   to the SUBSCRIBE or a later NOTIFY / BENOTIFY. Only lineType Rcc or Dual with a lineServer
//!   starts remote call control; `Uc` is Enterprise Voice only.
//! * `vnd-microsoft-provisioning-v2` (Communicator 2007 and later) carries server
//!   configuration, **no line**: its answer says nothing about remote call control.

use crate::evidence::Evidence;
use crate::ingest::text::find_ci;
use crate::rcc_marks;
use crate::sip::{known, split_at_white_space, trim_value, SipMessage, KNOWN_HEADERS};
use crate::uri;
use serde::{Deserialize, Serialize};

/// Which configuration document a client read its line from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigSource {
    /// `vnd-microsoft-provisioning` (Communicator 2005 / LCS 2005): `<line uri server/>`.
    Provisioning,
    /// `vnd-microsoft-provisioning-v2` (Communicator 2007 and later): no line data.
    ProvisioningV2,
    /// `vnd-microsoft-roaming-self`, category `userProperties` (Communicator 2007 and later).
    RoamingSelf,
}

impl ConfigSource {
    /// The event package, as logs show it.
    pub fn event(self) -> &'static str {
        match self {
            ConfigSource::Provisioning => "vnd-microsoft-provisioning",
            ConfigSource::ProvisioningV2 => "vnd-microsoft-provisioning-v2",
            ConfigSource::RoamingSelf => "vnd-microsoft-roaming-self",
        }
    }
}

/// The RCC part of a configuration answer (see the module docs for the generations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provisioning {
    pub source: ConfigSource,
    /// The line URI (`msRTCSIP-Line`), when present.
    pub line_uri: Option<String>,
    /// The remote call control server URI (`msRTCSIP-LineServer`), when present.
    pub line_server_uri: Option<String>,
    /// roaming-self `lineType` (`Rcc`, `Dual`, `Uc`, `UcPrivate`), as written.
    pub line_type: Option<String>,
    /// roaming-self `telephonyMode`, as written.
    pub telephony_mode: Option<String>,
    pub evidence: Evidence,
}

impl Provisioning {
    /// Whether the document speaks about the line at all: a provisioning-v2 answer or a
    /// roaming-self document without `userProperties` does not (it is neither a yes nor a no).
    pub fn speaks_of_line(&self) -> bool {
        match self.source {
            ConfigSource::Provisioning => true,
            ConfigSource::ProvisioningV2 => {
                self.line_uri.is_some() || self.line_server_uri.is_some()
            }
            ConfigSource::RoamingSelf => {
                self.line_type.is_some() || self.telephony_mode.is_some() || self.line_uri.is_some()
            }
        }
    }

    /// Whether a client given this starts remote call control: a line server URI, and in
    /// roaming-self a line of type Rcc or Dual (pidgin-sipe's rule).
    pub fn starts_rcc(&self) -> bool {
        self.line_server_uri.is_some()
            && match self.source {
                ConfigSource::RoamingSelf => self.line_type.as_deref().is_none_or(|t| {
                    t.eq_ignore_ascii_case("rcc") || t.eq_ignore_ascii_case("dual")
                }),
                _ => true,
            }
    }
}

/// The CSTA content of a message body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CstaBody {
    /// Root element local name: `RequestSystemStatus`, `RequestSystemStatusResponse`,
    /// `MonitorStart`, `MonitorStartResponse`, `GetCSTAFeatures`, `CSTAErrorCode`, ...
    pub name: String,
    pub invoke_id: Option<String>,
    /// `systemStatus` text (`normal`, `disabled`, ...).
    pub system_status: Option<String>,
    /// CSTA error, `category: value` (e.g. `operation: invalidDeviceID`).
    pub error: Option<String>,
    /// Device the message is about: `lcs:line`, `deviceObject`, `deviceID`, `callingDevice`.
    pub device: Option<String>,
    pub monitor_cross_ref: Option<String>,
    /// The number a `MakeCall` asks the gateway to dial (`calledDirectoryNumber`).
    pub called: Option<String>,
}

impl CstaBody {
    pub fn is_error(&self) -> bool {
        self.error.is_some() || self.name.eq_ignore_ascii_case("CSTAErrorCode")
    }
}

/// One `ms-diagnostics`-family header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsDiagnostic {
    pub code: u32,
    pub reason: String,
    pub source: Option<String>,
    /// `ms-diagnostics`, `ms-diagnostics-public` or `ms-client-diagnostics`.
    pub header: String,
}

/// One Via entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Via {
    /// `TLS`, `TCP`, `UDP`.
    pub transport: String,
    /// `host[:port]` as written.
    pub sent_by: String,
    /// Host part of `sent_by`, lower case.
    pub host: String,
    pub received: Option<String>,
}

/// Which hops a message went through: Via (top first) and Record-Route hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopChain {
    pub vias: Vec<Via>,
    pub record_route: Vec<String>,
}

// --- scanning helpers ------------------------------------------------------------------------

/// A start tag found by [`tags`].
struct Tag<'a> {
    /// Local name (prefix stripped).
    local: &'a str,
    attrs: &'a str,
    self_closing: bool,
    /// Byte offset just after `>`.
    end: usize,
}

/// Start tags in order (no end tags, comments, declarations).
fn tags(body: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    let b = body.as_bytes();
    while let Some(off) = body[i..].find('<') {
        let start = i + off + 1;
        if start >= b.len() {
            break;
        }
        let Some(close) = body[start..].find('>') else {
            break;
        };
        let inner = &body[start..start + close];
        i = start + close + 1;
        if inner.starts_with(['/', '?', '!']) {
            continue;
        }
        let self_closing = inner.ends_with('/');
        let inner = inner.trim_end_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_end];
        let local = name.rsplit(':').next().unwrap_or(name);
        if local.is_empty() {
            continue;
        }
        out.push(Tag {
            local,
            attrs: &inner[name_end..],
            self_closing,
            end: i,
        });
    }
    out
}

/// An attribute value from a tag's attribute text (name compared without prefix).
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].split_whitespace().last().unwrap_or("");
        let key = key.rsplit(':').next().unwrap_or(key);
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next()?;
        let (value, next) = if quote == '"' || quote == '\'' {
            let body = &after[1..];
            let end = body.find(quote).unwrap_or(body.len());
            (&body[..end], &body[(end + 1).min(body.len())..])
        } else {
            let end = after
                .find(|c: char| c.is_whitespace())
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(unescape(value));
        }
        rest = next;
    }
    None
}

/// Text content of the first element with this local name (case-insensitive), trimmed.
fn text_of(body: &str, local: &str) -> Option<String> {
    text_of_first(body, &tags(body), local)
}

/// [`text_of`] over the body's tags already read (a reader that walks them asks for several).
fn text_of_first(body: &str, all: &[Tag], local: &str) -> Option<String> {
    let t = all.iter().find(|t| t.local.eq_ignore_ascii_case(local))?;
    text_of_tag(body, t)
}

/// XML's five predefined entities replaced (text without `&`, nearly all of it, is copied as
/// it is).
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

// --- provisioning ----------------------------------------------------------------------------

/// The configuration answer in a message, if it is one (a response or NOTIFY / BENOTIFY carrying
/// a provisioning, provisioning-v2 or roaming-self document). Fields are `None` where the
/// document has no line data.
pub fn provisioning(m: &SipMessage) -> Option<Provisioning> {
    let (ct, event, body) = rcc_marks::config_candidate(m)?;
    config_document(ct, event, body, m)
}

/// Reads configuration answers like [`provisioning`], each distinct document once: a log
/// repeats the same few documents to every sign-in, and reading each copy's XML again was most
/// of indexing a large log. It numbers the documents instead of copying one per answer: the
/// caller keeps (message, document) pairs and writes out only the answers it shows.
#[derive(Default)]
pub struct ConfigReader<'m> {
    /// Each text's document number (`None`: the text is no configuration document).
    read: crate::fxhash::FxMap<rcc_marks::ConfigText<'m>, Option<usize>>,
    documents: Vec<Provisioning>,
}

impl<'m> ConfigReader<'m> {
    /// The number of `m`'s configuration document (see [`ConfigReader::into_documents`]), if
    /// `m` is a configuration answer.
    pub fn read(&mut self, m: &'m SipMessage) -> Option<usize> {
        let text = rcc_marks::config_candidate(m)?;
        let (ct, event, body) = text;
        let documents = &mut self.documents;
        *self.read.entry(text).or_insert_with(|| {
            documents.push(config_document(ct, event, body, m)?);
            Some(documents.len() - 1)
        })
    }

    /// The documents read, by number; each with the first message that carried it as evidence.
    pub fn into_documents(self) -> Vec<Provisioning> {
        self.documents
    }
}

/// The configuration answer a candidate's text holds, with `m` as its evidence.
fn config_document(ct: &str, event: &str, body: &str, m: &SipMessage) -> Option<Provisioning> {
    let ct = ct.to_ascii_lowercase();
    let event = event.to_ascii_lowercase();
    let all = tags(body);
    let root = all.first().map(|t| t.local.to_ascii_lowercase());
    let source = if ct.contains("roaming-self")
        || event.contains("roaming-self")
        || matches!(
            root.as_deref(),
            Some("roamingdata" | "categories" | "category")
        ) {
        ConfigSource::RoamingSelf
    } else if root.as_deref() == Some("provisiongrouplist")
        || ct.contains("provisioning-v2")
        || event.contains("provisioning-v2")
    {
        ConfigSource::ProvisioningV2
    } else if root.as_deref() == Some("provision")
        || ct.contains("roaming-provisioning")
        || (event.contains("vnd-microsoft-provisioning") && !body.trim().is_empty())
    {
        ConfigSource::Provisioning
    } else {
        return None;
    };
    let mut p = Provisioning {
        source,
        line_uri: None,
        line_server_uri: None,
        line_type: None,
        telephony_mode: None,
        evidence: m.evidence(),
    };
    for t in &all {
        let l = t.local.to_ascii_lowercase();
        match l.as_str() {
            "telephonymode" if source == ConfigSource::RoamingSelf => {
                p.telephony_mode = p.telephony_mode.take().or_else(|| text_of_tag(body, t));
            }
            // userProperties' <line lineType="Rcc" lineServer="sip:...">tel:...</line>; the first
            // line wins.
            "line"
                if source == ConfigSource::RoamingSelf
                    && p.line_type.is_none()
                    && p.line_uri.is_none() =>
            {
                p.line_type = attr(t.attrs, "lineType");
                p.line_server_uri = attr(t.attrs, "lineServer");
                p.line_uri = text_of_tag(body, t).or_else(|| attr(t.attrs, "uri"));
            }
            "line" if source == ConfigSource::RoamingSelf => {}
            "line" => {
                p.line_uri = p.line_uri.take().or_else(|| attr(t.attrs, "uri"));
                p.line_server_uri = p.line_server_uri.take().or_else(|| attr(t.attrs, "server"));
            }
            "lineuri" | "line-uri" => {
                p.line_uri = p
                    .line_uri
                    .take()
                    .or_else(|| text_of_first(body, &all, t.local));
            }
            "lineserveruri" | "line-server-uri" | "lineserver" | "remotecallcontroluri" => {
                p.line_server_uri = p
                    .line_server_uri
                    .take()
                    .or_else(|| text_of_first(body, &all, t.local));
            }
            "property" | "entry" => {
                let name = attr(t.attrs, "name")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let value = || attr(t.attrs, "value").or_else(|| text_of_tag(body, t));
                if name == "lineuri" || name == "line" {
                    p.line_uri = p.line_uri.take().or_else(value);
                } else if name == "lineserveruri" || name == "lineserver" {
                    p.line_server_uri = p.line_server_uri.take().or_else(value);
                }
            }
            _ => {}
        }
    }
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    p.line_uri = clean(p.line_uri);
    p.line_server_uri = clean(p.line_server_uri);
    p.line_type = clean(p.line_type);
    p.telephony_mode = clean(p.telephony_mode);
    Some(p)
}

/// Text content right after a start tag (up to the next tag), trimmed and unescaped.
fn text_of_tag(body: &str, t: &Tag) -> Option<String> {
    if t.self_closing {
        return None;
    }
    let rest = body.get(t.end..)?;
    let end = rest.find('<').unwrap_or(rest.len());
    let v = unescape(rest[..end].trim());
    (!v.is_empty()).then_some(v)
}

// --- CSTA ------------------------------------------------------------------------------------

/// The CSTA body of a message, if it has one.
pub fn csta(m: &SipMessage) -> Option<CstaBody> {
    let ct = m.content_type().unwrap_or("").to_ascii_lowercase();
    let body = m.body();
    let all = tags(body);
    let root = all.first()?;
    let known = [
        "RequestSystemStatus",
        "RequestSystemStatusResponse",
        "MonitorStart",
        "MonitorStartResponse",
        "MonitorStop",
        "MonitorStopResponse",
        "GetCSTAFeatures",
        "GetCSTAFeaturesResponse",
        "CSTAErrorCode",
        "MakeCall",
        "MakeCallResponse",
        "ClearConnection",
        "SystemStatus",
    ];
    let looks = ct.contains("csta")
        || body.contains("ecma-323")
        || body.contains("ecma-international.org")
        || known.iter().any(|k| k.eq_ignore_ascii_case(root.local))
        || root.local.ends_with("Event");
    if !looks {
        return None;
    }
    let mut c = CstaBody {
        name: root.local.to_string(),
        ..Default::default()
    };
    c.invoke_id = attr(root.attrs, "invokeID").or_else(|| text_of(body, "invokeID"));
    c.system_status = text_of(body, "systemStatus");
    c.monitor_cross_ref = text_of(body, "monitorCrossRefID");
    c.device = [
        "line",
        "deviceObject",
        "deviceID",
        "callingDevice",
        "device",
    ]
    .iter()
    .find_map(|n| text_of(body, n));
    if root.local.eq_ignore_ascii_case("MakeCall") {
        c.called = text_of(body, "calledDirectoryNumber");
    }
    if root.local.eq_ignore_ascii_case("CSTAErrorCode") {
        // The first child names the category; its text the value.
        let err = all.get(1).map(|t| {
            let v = text_of(body, t.local).unwrap_or_default();
            if v.is_empty() {
                t.local.to_string()
            } else {
                format!("{}: {v}", t.local)
            }
        });
        c.error = Some(err.unwrap_or_else(|| "CSTAErrorCode".into()));
    } else if let Some(t) = all.iter().find(|t| {
        t.local.eq_ignore_ascii_case("CSTAErrorCode") || t.local.eq_ignore_ascii_case("errorValue")
    }) {
        c.error = Some(text_of(body, t.local).unwrap_or_else(|| t.local.to_string()));
    }
    Some(c)
}

// --- ms-diagnostics --------------------------------------------------------------------------

/// All `ms-diagnostics`, `ms-diagnostics-public` and `ms-client-diagnostics` headers.
pub fn ms_diagnostics(m: &SipMessage) -> Vec<MsDiagnostic> {
    const NAMES: [u16; 3] = [
        known::MS_DIAGNOSTICS,
        known::MS_DIAGNOSTICS_PUBLIC,
        known::MS_CLIENT_DIAGNOSTICS,
    ];
    let mut found: Vec<(usize, &str)> = m.headers_among(&NAMES).collect();
    // Each name's headers in order, the names in the order above.
    found.sort_by_key(|&(k, _)| k);
    let mut out = Vec::new();
    for (k, v) in found {
        let name = KNOWN_HEADERS[usize::from(NAMES[k])];
        let parts = split_params(v);
        let head = parts.first().copied().unwrap_or_default();
        let code = head
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        let mut reason = String::new();
        let mut source = None;
        for p in parts.into_iter().skip(1) {
            if let Some((k, val)) = p.split_once('=') {
                let val = val.trim().trim_matches('"').to_string();
                match k.trim().to_ascii_lowercase().as_str() {
                    "reason" => reason = val,
                    "source" => source = Some(val),
                    _ => {}
                }
            }
        }
        out.push(MsDiagnostic {
            code,
            reason,
            source,
            header: name.to_string(),
        });
    }
    out
}

/// Split on `;` outside double quotes.
fn split_params(v: &str) -> Vec<&str> {
    params_of(v).collect()
}

/// The pieces of [`split_params`], one at a time.
fn params_of(v: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut start = 0;
    let mut bytes = v.bytes().enumerate();
    std::iter::from_fn(move || {
        if start > v.len() {
            return None;
        }
        for (i, b) in bytes.by_ref() {
            match b {
                b'"' => quoted = !quoted,
                b';' if !quoted => {
                    let piece = &v[start..i];
                    start = i + 1;
                    return Some(piece);
                }
                _ => {}
            }
        }
        let piece = &v[start..];
        start = v.len() + 1;
        Some(piece)
    })
}

/// Split a header value on commas outside quotes and angle brackets (Via, Record-Route).
fn split_list(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut start) = (false, false, 0);
    for (i, c) in v.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                out.push(v[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(v[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

// --- hops and product ------------------------------------------------------------------------

/// Via entries (top first) and Record-Route hosts.
pub fn hop_chain(m: &SipMessage) -> HopChain {
    let mut chain = HopChain::default();
    for v in m.known_header_values(known::VIA) {
        chain.vias.extend(split_list(v).into_iter().map(via_entry));
    }
    chain.record_route = record_route(m);
    chain
}

/// The Record-Route hosts of [`hop_chain`], without reading the Vias.
pub fn record_route(m: &SipMessage) -> Vec<String> {
    m.known_header_values(known::RECORD_ROUTE)
        .flat_map(split_list)
        .filter_map(crate::uri::host_of_header)
        .collect()
}

/// The top Via (the last hop that handled the message) and how many Via entries there are: what
/// the ladder needs of every message, without reading the whole chain.
pub fn top_via(m: &SipMessage) -> (Option<Via>, usize) {
    let (top, count) = top_via_view(m);
    (top.map(ViaView::to_owned_via), count)
}

/// [`top_via`] as slices of the message: nothing copied (the ladder and the topology read it
/// for nearly every message).
pub fn top_via_view(m: &SipMessage) -> (Option<ViaView<'_>>, usize) {
    let mut top = None;
    let mut count = 0;
    for v in m.known_header_values(known::VIA) {
        let (first, more) = list_entries(v);
        if top.is_none() {
            top = first.map(via_view);
        }
        count += usize::from(first.is_some()) + more;
    }
    (top, count)
}

/// The bottom Via as written: the one the request's maker added (each proxy adds its own above),
/// so the UA its User-Agent names. A client trace receives a gateway's request with its Home
/// Server's Via on top.
pub fn bottom_via_view(m: &SipMessage) -> Option<ViaView<'_>> {
    let last = m.known_header_values(known::VIA).last()?;
    split_list(last).last().copied().map(via_view)
}

/// One Via entry as written (see [`Via`] for its owned, case-folded form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViaView<'a> {
    /// The last word of the protocol (`TLS`), as written.
    pub transport: &'a str,
    /// `host[:port]` as written.
    pub sent_by: &'a str,
    /// Host part of `sent_by`, as written.
    pub host: &'a str,
    /// The parameters after `sent_by` (read when asked: most readers want none of them).
    params: &'a str,
}

impl<'a> ViaView<'a> {
    /// The `received` parameter.
    pub fn received(&self) -> Option<&'a str> {
        // Most Vias have none (`ms-received-port` is not one): the parameters are split only
        // where "received" stands after a `;` and before a `=`.
        const NAME: &[u8] = b"received";
        let b = self.params.as_bytes();
        // A byte outside ASCII may be space `trim` removes: such a place is split too.
        let may_have = memchr::memchr2_iter(b'r', b'R', b).any(|at| {
            let (Some(word), Some(before)) = (b.get(at..at + NAME.len()), b.get(..at)) else {
                return false;
            };
            let after = &b[at + NAME.len()..];
            word.eq_ignore_ascii_case(NAME)
                && before
                    .trim_ascii_end()
                    .last()
                    .is_some_and(|&c| c == b';' || !c.is_ascii())
                && after
                    .trim_ascii_start()
                    .first()
                    .is_some_and(|&c| c == b'=' || !c.is_ascii())
        });
        if !may_have {
            return None;
        }
        params_of(self.params).skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case("received").then(|| v.trim())
        })
    }

    pub fn to_owned_via(self) -> Via {
        Via {
            transport: self.transport.to_ascii_uppercase(),
            sent_by: self.sent_by.to_string(),
            host: self.host.to_ascii_lowercase(),
            received: self.received().map(str::to_string),
        }
    }
}

/// The first entry of a comma list (as [`split_list`] splits it) and how many more there are,
/// without collecting them.
fn list_entries(v: &str) -> (Option<&str>, usize) {
    // Nearly every value is one entry with no quote or bracket: one vectorised look says so.
    if memchr::memchr3(b',', b'"', b'<', v.as_bytes()).is_none() {
        let entry = trim_value(v);
        return ((!entry.is_empty()).then_some(entry), 0);
    }
    let (mut quoted, mut angle, mut start) = (false, false, 0);
    let mut first: Option<&str> = None;
    let mut more = 0;
    // Bytes, not chars: every delimiter is ASCII, which no multi-byte character contains.
    for (i, c) in v
        .bytes()
        .enumerate()
        .chain(std::iter::once((v.len(), b',')))
    {
        match c {
            b'"' => quoted = !quoted,
            b'<' if !quoted => angle = true,
            b'>' if !quoted => angle = false,
            // The end of the value closes the last entry whatever the quotes say.
            b',' if i == v.len() || (!quoted && !angle) => {
                let entry = v[start..i].trim();
                start = i + 1;
                if !entry.is_empty() {
                    match first {
                        None => first = Some(entry),
                        Some(_) => more += 1,
                    }
                }
            }
            _ => {}
        }
    }
    (first, more)
}

/// One Via entry (`SIP/2.0/TLS host:port;branch=...;received=...`).
fn via_entry(entry: &str) -> Via {
    via_view(entry).to_owned_via()
}

/// [`via_entry`] as slices of the entry.
fn via_view(entry: &str) -> ViaView<'_> {
    let (proto, rest) = split_at_white_space(entry).unwrap_or((entry, ""));
    let rest = trim_value(rest);
    let transport = memchr::memrchr(b'/', proto.as_bytes()).map_or(proto, |i| &proto[i + 1..]);
    // The sent-by ends at the first `;` unless a quote comes first (then `params_of` decides).
    let sent_by = match memchr::memchr2(b';', b'"', rest.as_bytes()) {
        Some(i) if rest.as_bytes()[i] == b';' => &rest[..i],
        None => rest,
        Some(_) => params_of(rest).next().unwrap_or_default(),
    };
    let sent_by = trim_value(sent_by);
    let host = crate::uri::split_host_port_text(sent_by).0;
    ViaView {
        transport,
        sent_by,
        host,
        params: rest,
    }
}

/// The server a client authenticates to: the `targetname` of its `Proxy-Authorization` or
/// `Authorization` (NTLM, Kerberos and TLS-DSK name the Home Server's or pool's FQDN there), or
/// of the server's `Authentication-Info`. Kerberos names it as its service principal,
/// `sip/<fqdn>` (MS-SIPAE 4.2): the FQDN after `sip/`.
pub fn auth_target(m: &SipMessage) -> Option<String> {
    // By index: the topology asks every message of the client's until the Home Server's name
    // is known, and these names are not among the few looked up without a hash.
    [
        known::PROXY_AUTHORIZATION,
        known::AUTHORIZATION,
        known::AUTHENTICATION_INFO,
    ]
    .into_iter()
    .filter_map(|h| m.known_header_value(h))
    .find_map(|v| {
        let at = find_ci(v.as_bytes(), b"targetname=")? + "targetname=".len();
        let rest = v[at..].trim_start_matches('"');
        let end = rest.find(['"', ',', ' ']).unwrap_or(rest.len());
        let name = rest[..end].trim().to_ascii_lowercase();
        Some(match name.strip_prefix("sip/") {
            Some(fqdn) => fqdn.to_string(),
            None => name,
        })
    })
    .filter(|t| uri::is_fqdn(t))
}

/// The product string: `Server` (responses) or `User-Agent`, trimmed.
pub fn product(m: &SipMessage) -> Option<&str> {
    // Two tight walks cost less than one that asks which name each header has.
    m.known_header_value(known::SERVER)
        .or_else(|| m.known_header_value(known::USER_AGENT))
        .map(trim_value)
        .filter(|s| !s.is_empty())
}

/// The headers that name a product: a response's `Server`, a request's `User-Agent`.
pub(crate) const PRODUCT_HEADERS: [u16; 2] = [known::SERVER, known::USER_AGENT];

/// The session interval a message sets (RFC 4028 `Session-Expires: 1800;refresher=uac`): the
/// seconds, and the `refresher` parameter in lower case.
pub fn session_expires(m: &SipMessage) -> Option<(u32, Option<String>)> {
    let v = m.header("Session-Expires")?;
    let (secs, params) = v.split_once(';').unwrap_or((v, ""));
    let refresher = params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("refresher")
            .then(|| v.trim().to_ascii_lowercase())
    });
    Some((secs.trim().parse().ok()?, refresher))
}

/// The `Event` package without parameters, lower case.
pub fn event(m: &SipMessage) -> Option<String> {
    m.event_package()
        .map(str::to_ascii_lowercase)
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::{Header, MessageParts, ParseQuality, SourceRef, StartLine};

    fn msg(start: StartLine, headers: &[(&str, &str)], body: &str) -> SipMessage {
        SipMessage::from(MessageParts {
            source: SourceRef {
                file: "t.log".into(),
                line_start: 10,
                line_end: 20,
            },
            timestamp: None,
            direction: None,
            local: None,
            peer: None,
            start_line: start,
            headers: headers
                .iter()
                .map(|(n, v)| Header {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            body: body.into(),
            quality: ParseQuality::Clean,
            also_seen: vec![],
        })
    }

    fn ok() -> StartLine {
        StartLine::Response {
            code: 200,
            reason: "OK".into(),
        }
    }

    #[test]
    fn auth_target_reads_ntlm_and_kerberos_names() {
        let target = |h: &str, v: &str| auth_target(&msg(ok(), &[(h, v)], ""));
        let ntlm = r#"NTLM qop="auth", realm="SIP Communications Service", targetname="fe01.contoso.com", crand="1""#;
        assert_eq!(
            target("Proxy-Authorization", ntlm),
            Some("fe01.contoso.com".into())
        );
        // MS-SIPAE 4.2: Kerberos names the service principal.
        let krb = r#"Kerberos qop="auth", realm="SIP Communications Service", targetname="sip/FE01.contoso.com", crand="2""#;
        assert_eq!(
            target("Proxy-Authorization", krb),
            Some("fe01.contoso.com".into())
        );
        assert_eq!(
            target("Authentication-Info", krb),
            Some("fe01.contoso.com".into())
        );
        assert_eq!(
            target("Proxy-Authorization", r#"Kerberos targetname="sip/""#),
            None
        );
    }

    #[test]
    fn session_expires_reads_the_interval_and_the_refresher() {
        let read = |v: &str| session_expires(&msg(ok(), &[("Session-Expires", v)], ""));
        assert_eq!(read("1800;refresher=uac"), Some((1800, Some("uac".into()))));
        assert_eq!(
            read(" 90 ; Refresher = UAS"),
            Some((90, Some("uas".into())))
        );
        assert_eq!(read("3600"), Some((3600, None)));
        assert_eq!(read("soon"), None);
        assert_eq!(session_expires(&msg(ok(), &[], "")), None);
    }

    #[test]
    fn mentions_finds_a_word_in_any_case_as_find_ci_does() {
        for hay in [
            "provision",
            "xxPROVISIONyy",
            "vprovisio",
            "v",
            "",
            "<roamingData>",
            "roamin",
            "grOaMiNg",
            "application/vnd-microsoft-roaming-self+xml",
        ] {
            for (needle, anchor) in [("provision", 3), ("roaming", 6), ("roaming-self", 6)] {
                assert_eq!(
                    rcc_marks::mentions(hay.as_bytes(), needle.as_bytes(), anchor),
                    find_ci(hay.as_bytes(), needle.as_bytes()).is_some(),
                    "{hay} / {needle}"
                );
            }
        }
    }

    #[test]
    fn reads_lcs2005_provisioning() {
        let m = msg(
            ok(),
            &[(
                "Content-Type",
                "application/vnd-microsoft-roaming-provisioning+xml",
            )],
            r#"<provision><user uri="sip:alice@contoso.com"><line uri="tel:+14255550123;ext=5123" server="sip:rcc@mcm-ap.contoso.com"/></user></provision>"#,
        );
        let p = provisioning(&m).unwrap();
        assert_eq!(p.line_uri.as_deref(), Some("tel:+14255550123;ext=5123"));
        assert_eq!(
            p.line_server_uri.as_deref(),
            Some("sip:rcc@mcm-ap.contoso.com")
        );
        assert_eq!(p.source, ConfigSource::Provisioning);
        assert!(p.starts_rcc());
    }

    #[test]
    fn reads_v2_shapes_and_empty_provisioning() {
        let m = msg(
            ok(),
            &[(
                "Content-Type",
                "application/vnd-microsoft-roaming-provisioning-v2+xml",
            )],
            r#"<?xml version="1.0"?><provisionGroupList xmlns="http://schemas.microsoft.com/2006/09/sip/provisiongrouplist-notification"><provisionGroup name="ServerConfiguration"><focusFactoryUri>sip:x</focusFactoryUri></provisionGroup><provisionGroup name="user"><propertyEntryList><property name="lineUri">tel:5123;phone-context=dialstring</property><property name="lineServerUri">sip:rcc@cups.contoso.com</property></propertyEntryList></provisionGroup></provisionGroupList>"#,
        );
        let p = provisioning(&m).unwrap();
        assert_eq!(
            p.line_uri.as_deref(),
            Some("tel:5123;phone-context=dialstring")
        );
        assert_eq!(
            p.line_server_uri.as_deref(),
            Some("sip:rcc@cups.contoso.com")
        );
        assert_eq!(p.source, ConfigSource::ProvisioningV2);

        let m = msg(
            ok(),
            &[(
                "Content-Type",
                "application/vnd-microsoft-roaming-provisioning+xml",
            )],
            r#"<provision><user uri="sip:alice@contoso.com"></user></provision>"#,
        );
        let p = provisioning(&m).unwrap();
        assert_eq!(p.line_uri, None);
        assert_eq!(p.line_server_uri, None);

        let plain = msg(ok(), &[("Content-Type", "application/sdp")], "v=0");
        assert!(provisioning(&plain).is_none());
    }

    #[test]
    fn reads_csta_bodies_with_prefixes() {
        let inv = msg(
            StartLine::Request {
                method: "INVITE".into(),
                uri: "sip:rcc@mcm-ap.contoso.com".into(),
            },
            &[("Content-Type", "application/csta+xml")],
            r#"<?xml version="1.0"?><RequestSystemStatus xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><extensions><privateData><private><lcs:line xmlns:lcs="http://schemas.microsoft.com/Lcs/2005/04/RCCExtension">tel:+14255550123;ext=5123</lcs:line></private></privateData></extensions></RequestSystemStatus>"#,
        );
        let c = csta(&inv).unwrap();
        assert_eq!(c.name, "RequestSystemStatus");
        assert_eq!(c.device.as_deref(), Some("tel:+14255550123;ext=5123"));

        let resp = msg(
            ok(),
            &[("Content-Type", "application/csta+xml")],
            "<csta:RequestSystemStatusResponse xmlns:csta=\"x\"><csta:systemStatus>normal</csta:systemStatus></csta:RequestSystemStatusResponse>",
        );
        let c = csta(&resp).unwrap();
        assert_eq!(c.name, "RequestSystemStatusResponse");
        assert_eq!(c.system_status.as_deref(), Some("normal"));

        let err = msg(
            ok(),
            &[("Content-Type", "application/csta+xml")],
            "<CSTAErrorCode xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"><operation>invalidDeviceID</operation></CSTAErrorCode>",
        );
        let c = csta(&err).unwrap();
        assert!(c.is_error());
        assert_eq!(c.error.as_deref(), Some("operation: invalidDeviceID"));

        let mon = msg(
            ok(),
            &[("Content-Type", "application/csta+xml")],
            "<MonitorStartResponse><monitorCrossRefID>99fda87c</monitorCrossRefID></MonitorStartResponse>",
        );
        assert_eq!(
            csta(&mon).unwrap().monitor_cross_ref.as_deref(),
            Some("99fda87c")
        );
    }

    #[test]
    fn reads_roaming_self_user_properties_lines() {
        let body = r#"<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"><categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:bob@fabrikam.net"><category name="userProperties" instance="0"><userProperties xmlns="http://schemas.microsoft.com/2006/09/sip/options/userProperties"><telephonyMode>Rcc</telephonyMode><lines><line lineType="Rcc" lineServer="sip:rcc@cups.fabrikam.net">tel:73124;phone-context=dialstring</line></lines></userProperties></category></categories></roamingData>"#;
        let notify = msg(
            StartLine::Request {
                method: "BENOTIFY".into(),
                uri: "sip:bob@fabrikam.net".into(),
            },
            &[
                ("Event", "vnd-microsoft-roaming-self"),
                ("Content-Type", "application/vnd-microsoft-roaming-self+xml"),
            ],
            body,
        );
        let p = provisioning(&notify).unwrap();
        assert_eq!(p.source, ConfigSource::RoamingSelf);
        assert_eq!(p.line_type.as_deref(), Some("Rcc"));
        assert_eq!(
            p.line_server_uri.as_deref(),
            Some("sip:rcc@cups.fabrikam.net")
        );
        assert_eq!(
            p.line_uri.as_deref(),
            Some("tel:73124;phone-context=dialstring")
        );
        assert!(p.starts_rcc() && p.speaks_of_line());
        // Enterprise Voice only: a line, but of type Uc.
        let uc = msg(
            ok(),
            &[("Content-Type", "application/vnd-microsoft-roaming-self+xml")],
            &body
                .replace("Rcc", "Uc")
                .replace(r#" lineServer="sip:rcc@cups.fabrikam.net""#, ""),
        );
        let p = provisioning(&uc).unwrap();
        assert!(!p.starts_rcc() && p.speaks_of_line());
        // A roaming-self document about contacts says nothing about the line.
        let other = msg(
            ok(),
            &[("Content-Type", "application/vnd-microsoft-roaming-self+xml")],
            r#"<roamingData><categories><category name="contactCard"/></categories></roamingData>"#,
        );
        assert!(!provisioning(&other).unwrap().speaks_of_line());
        // The SUBSCRIBE that asks for it is not an answer.
        let sub = msg(
            StartLine::Request {
                method: "SUBSCRIBE".into(),
                uri: "sip:bob@fabrikam.net".into(),
            },
            &[("Event", "vnd-microsoft-roaming-self")],
            "<roamingList/>",
        );
        assert!(provisioning(&sub).is_none());
    }

    #[test]
    fn reads_ms_diagnostics_with_spaces_as_real_logs_write_them() {
        let m = msg(
            ok(),
            &[(
                "ms-diagnostics",
                r#"1017; reason="Cannot route From and To domains in this combination"; summary="x""#,
            )],
            "",
        );
        let d = ms_diagnostics(&m);
        assert_eq!(d[0].code, 1017);
        assert_eq!(
            d[0].reason,
            "Cannot route From and To domains in this combination"
        );
    }

    #[test]
    fn never_panics_on_junk() {
        for body in [
            "<",
            "<>",
            "</",
            "<a b=",
            "<a b=\"",
            "<<<>>>",
            "<x:/>",
            "<?xml",
            "\u{e9}<\u{e9}",
        ] {
            let m = msg(ok(), &[("Content-Type", "application/csta+xml")], body);
            let _ = csta(&m);
            let _ = provisioning(&m);
        }
    }

    #[test]
    fn reads_ms_diagnostics_vias_and_record_route() {
        let m = msg(
            StartLine::Response {
                code: 404,
                reason: "Not Found".into(),
            },
            &[
                ("ms-diagnostics", "1003;reason=\"User does not exist; no route\";source=\"lcs01.contoso.com\""),
                ("ms-diagnostics-public", "1003;reason=\"User does not exist\""),
                ("Via", "SIP/2.0/TLS 10.0.0.10:5061;branch=z9;received=10.0.0.10, SIP/2.0/TLS 10.0.0.5:1234;ms-received-port=1234"),
                ("Record-Route", "<sip:mcm-ap.contoso.com:5061;transport=tls;lr>,<sip:lcs01.contoso.com;lr>"),
                ("Server", "RTC/2.0"),
            ],
            "",
        );
        let d = ms_diagnostics(&m);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].code, 1003);
        assert_eq!(d[0].reason, "User does not exist; no route");
        assert_eq!(d[0].source.as_deref(), Some("lcs01.contoso.com"));
        assert_eq!(d[1].header, "ms-diagnostics-public");
        let h = hop_chain(&m);
        assert_eq!(h.vias.len(), 2);
        assert_eq!(h.vias[0].transport, "TLS");
        assert_eq!(h.vias[0].host, "10.0.0.10");
        assert_eq!(h.vias[0].received.as_deref(), Some("10.0.0.10"));
        assert_eq!(
            h.record_route,
            vec!["mcm-ap.contoso.com", "lcs01.contoso.com"]
        );
        assert_eq!(product(&m), Some("RTC/2.0"));
    }

    #[test]
    fn the_first_list_entry_and_the_count_are_what_the_whole_split_gives() {
        for v in [
            "",
            " , ,",
            "SIP/2.0/TLS a:5061;branch=z1",
            "SIP/2.0/TLS a;branch=z1, SIP/2.0/TCP b;received=\"x,y\" , ,SIP/2.0/UDP c",
            "<sip:a,b@h;lr>, <sip:c@d>",
            "\"open quote, never closed",
            "<sip:open angle, never closed",
        ] {
            let all = split_list(v);
            let more = all.len().saturating_sub(1);
            assert_eq!(list_entries(v), (all.first().copied(), more), "{v:?}");
        }
        assert_eq!(split_params("a;b=\"x;y\";;c"), ["a", "b=\"x;y\"", "", "c"]);
    }
}
