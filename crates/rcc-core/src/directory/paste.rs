//! Paste parsing: turns what an admin copies out of their tools into [`AdAttributes`], saying
//! which lines were used, which were ignored and why, and what looks wrong.

use super::{AdAttributes, AdValue, RccAttribute};
use serde::{Deserialize, Serialize};

/// The format a paste was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdFormat {
    /// `ldifde` export.
    Ldif,
    /// Column output: `dsquery * ... -attr ...`, `dsget`, or PowerShell `Format-Table`.
    Dsquery,
    /// PowerShell `Get-ADUser ... | Format-List`.
    #[serde(rename = "powershell-list")]
    PowerShellList,
    /// Lync Server Management Shell `Get-CsUser ... | Format-List` (LineURI, LineServerURI,
    /// RemoteCallControlTelephonyEnabled, SipAddress, Enabled, ...).
    #[serde(rename = "lync-user")]
    LyncUser,
    /// ADSI Edit style `name: value`, `name = value` or `name<TAB>value`.
    NameValue,
    /// Nothing but whitespace.
    Empty,
    /// None of the above.
    Unrecognised,
}

impl AdFormat {
    /// Human label for the UI.
    pub fn label(&self) -> &'static str {
        match self {
            AdFormat::Ldif => "LDIF (ldifde export)",
            AdFormat::Dsquery => "columns (dsquery, dsget or Format-Table)",
            AdFormat::PowerShellList => "PowerShell Get-ADUser | Format-List",
            AdFormat::LyncUser => "Lync Get-CsUser | Format-List",
            AdFormat::NameValue => "name: value lines (ADSI Edit)",
            AdFormat::Empty => "empty",
            AdFormat::Unrecognised => "unrecognised",
        }
    }
}

/// An attribute taken from the paste.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognised {
    /// Canonical name, e.g. `msRTCSIP-Line`.
    pub attribute: String,
    pub value: String,
    /// 1-based line where the attribute starts.
    pub line: u32,
}

/// A line that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ignored {
    pub line: u32,
    /// The line, truncated.
    pub text: String,
    pub why: String,
}

/// Something wrong with the paste, said so the admin knows what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasteProblem {
    /// 1-based line, 0 when it concerns the whole paste.
    pub line: u32,
    pub message: String,
}

/// The result of [`parse_paste`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdPaste {
    pub format: AdFormat,
    pub attributes: AdAttributes,
    /// Lync's `RegistrarPool` (Get-CsUser): the user's pool, which routes the RCC INVITE.
    #[serde(default)]
    pub registrar_pool: Option<AdValue>,
    pub recognised: Vec<Recognised>,
    pub ignored: Vec<Ignored>,
    pub problems: Vec<PasteProblem>,
}

const TRUNCATE_AT: usize = 80;

/// Property names only `Get-CsUser` prints (Lync Server 2010 / 2013 user objects).
const LYNC_PROPERTIES: [&str; 5] = [
    "LineServerURI",
    "RegistrarPool",
    "RemoteCallControlTelephonyEnabled",
    "EnterpriseVoiceEnabled",
    "SipAddress",
];

fn truncate(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(TRUNCATE_AT)
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if s.chars().nth(TRUNCATE_AT).is_some() {
        out.push('…');
    }
    out
}

/// An attribute line before mapping to canonical names.
#[derive(Debug, Clone)]
struct Raw {
    name: String,
    value: String,
    line: u32,
    /// The source line as pasted, for `Ignored::text`.
    text: String,
}

#[derive(Default)]
struct Sink {
    raws: Vec<Raw>,
    ignored: Vec<Ignored>,
    problems: Vec<PasteProblem>,
    /// A column export's header: the attributes it was asked for.
    columns: Option<Vec<String>>,
    /// Where a second object of a PowerShell list begins (its first line).
    objects_from: Option<u32>,
}

impl Sink {
    fn ignore(&mut self, line: u32, text: &str, why: impl Into<String>) {
        self.ignored.push(Ignored {
            line,
            text: truncate(text),
            why: why.into(),
        });
    }
    fn problem(&mut self, line: u32, message: impl Into<String>) {
        self.problems.push(PasteProblem {
            line,
            message: message.into(),
        });
    }
}

const EXPORT_HINT: &str = "Export the user with: ldifde -f user.ldf -r \"(sAMAccountName=alice)\" -l msRTCSIP-UserEnabled,msRTCSIP-PrimaryUserAddress,msRTCSIP-PrimaryHomeServer,msRTCSIP-Line,msRTCSIP-LineServer,msRTCSIP-OptionFlags (or Get-ADUser alice -Properties msRTCSIP-* | Format-List) and paste the output.";

/// Why a line is not text we can use, if it is not.
fn garbage_reason(line: &str) -> Option<&'static str> {
    if line.chars().any(|c| c.is_control() && c != '\t') {
        return Some("contains binary or control characters");
    }
    if line.contains('\u{FFFD}') {
        return Some("contains undecodable bytes (binary data?)");
    }
    let t = line.trim();
    if t.starts_with('<') && t.contains('>') && !t.to_ascii_lowercase().starts_with("<not set>") {
        return Some("HTML/XML markup: copy the text the tool shows, not the page source");
    }
    None
}

/// A command prompt line copied with the output (`PS C:\> Get-ADUser ...`, `C:\>dsquery ...`),
/// or the bare command itself (`dsquery * -filter ... -attr ...`).
fn is_prompt(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("PS ") && t.contains('>') {
        return true;
    }
    let first = t
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(
        first.as_str(),
        "dsquery"
            | "dsget"
            | "ldifde"
            | "get-aduser"
            | "get-adobject"
            | "csvde"
            | "$user"
            | "import-module"
    ) {
        return true;
    }
    let b = t.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' && t.contains('>')
}

fn is_status_line(line: &str) -> bool {
    let t = line.trim().to_ascii_lowercase();
    t.starts_with("dsget succeeded")
        || t.starts_with("dsquery succeeded")
        || t.starts_with("dsget failed")
        || t.starts_with("dsquery failed")
        || t.starts_with("type dsget /?")
        || t.starts_with("type dsquery /?")
}

fn is_name_token(t: &str) -> bool {
    let mut cs = t.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && t.len() <= 80
}

/// Splits text into lines (LF, CRLF or CR), stripping a BOM; undoes UTF-16 read as bytes.
fn split_lines(text: &str, sink: &mut Sink) -> Vec<String> {
    let mut t = text.strip_prefix('\u{FEFF}').unwrap_or(text).to_string();
    let nuls = t.chars().filter(|c| *c == '\0').count();
    if nuls > 0 && nuls * 4 >= t.chars().count() {
        t.retain(|c| c != '\0');
        t = t.strip_prefix('\u{FEFF}').unwrap_or(&t).to_string();
        sink.problem(
            0,
            "The paste looked like UTF-16 text read as bytes (ldifde -u output?); read it as UTF-16 text. Parsed it with the NUL bytes removed.",
        );
    }
    let t = t.replace("\r\n", "\n").replace('\r', "\n");
    t.split('\n').map(str::to_string).collect()
}

fn detect(lines: &[String]) -> AdFormat {
    let content: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if content.is_empty() {
        return AdFormat::Empty;
    }
    let ldif = content.iter().any(|l| {
        let low = l.to_ascii_lowercase();
        low.starts_with("dn:")
            || low.starts_with("changetype:")
            || ldif_split(l).is_some_and(|(_, kind, _)| kind == LdifKind::Base64)
    });
    if ldif {
        return AdFormat::Ldif;
    }
    if column_header(lines).is_some() {
        return AdFormat::Dsquery;
    }
    if content
        .iter()
        .any(|l| ps_split(l).is_some_and(|(_, spaced, _)| spaced))
    {
        return AdFormat::PowerShellList;
    }
    if content
        .iter()
        .any(|l| garbage_reason(l).is_none() && nv_split(l).is_some())
    {
        return AdFormat::NameValue;
    }
    AdFormat::Unrecognised
}

/// The address a user's entry gives (`msRTCSIP-PrimaryUserAddress` / `SipAddress`), for
/// comparing: lower case, without `sip:`.
fn address_key(value: &str) -> String {
    let v = crate::uri::typed_address(value);
    crate::uri::strip_scheme(v, "sip:")
        .unwrap_or(v)
        .to_ascii_lowercase()
}

/// A paste of several users' entries (each begins where a property repeats) keeps one: the
/// entry whose address the sign-in names, else the first; the others' lines are ignored, and a
/// problem says whose entry was used. Entries that do not each give a distinct address: a
/// PowerShell list's objects (`objects_from`, the second's first line) keep the first; any
/// other paste is returned as it is (a repeated attribute is then reported line by line).
fn one_user(
    raws: Vec<Raw>,
    sign_in: Option<&str>,
    objects_from: Option<u32>,
    ignored: &mut Vec<Ignored>,
    problems: &mut Vec<PasteProblem>,
) -> Vec<Raw> {
    let mut entries: Vec<Vec<Raw>> = vec![Vec::new()];
    // The current entry's property names (a paste of noise has thousands).
    let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
    for raw in raws {
        let name = raw.name.to_ascii_lowercase();
        if names.contains(&name) {
            entries.push(Vec::new());
            names.clear();
        }
        names.insert(name);
        entries.last_mut().expect("one entry at least").push(raw);
    }
    let address = |entry: &[Raw]| {
        entry.iter().find_map(|r| {
            (RccAttribute::from_name(&r.name) == Some(RccAttribute::PrimaryUserAddress))
                .then(|| address_key(&clean_value(&r.value)))
                .filter(|a| !a.is_empty())
        })
    };
    let addresses: Vec<Option<String>> = entries.iter().map(|e| address(e)).collect();
    let mut distinct: Vec<&String> = addresses.iter().flatten().collect();
    distinct.dedup();
    if entries.len() < 2 || addresses.iter().any(Option::is_none) || distinct.len() < 2 {
        let Some(n) = objects_from.filter(|_| entries.len() >= 2) else {
            return entries.into_iter().flatten().collect();
        };
        problems.push(PasteProblem {
            line: n,
            message: format!(
                "The output holds more than one object; used the first and ignored everything \
                 from line {n}. Run Get-ADUser for one user."
            ),
        });
        let mut entries = entries.into_iter();
        let first = entries.next().unwrap_or_default();
        ignored.extend(entries.flatten().map(|r| Ignored {
            line: r.line,
            text: truncate(&r.text),
            why: "another object: only the first user is checked".into(),
        }));
        return first;
    }
    let wanted = sign_in.map(address_key).filter(|s| s.contains('@'));
    let chosen = wanted
        .as_ref()
        .and_then(|w| addresses.iter().position(|a| a.as_ref() == Some(w)));
    let pick = chosen.unwrap_or(0);
    let names: Vec<String> = addresses.iter().flatten().cloned().collect();
    let used = names[pick].clone();
    let first_line = entries[pick].first().map_or(0, |r| r.line);
    problems.push(PasteProblem {
        line: first_line,
        message: match chosen {
            Some(_) => format!(
                "The paste holds {} users' entries ({}): used {used}'s, the one the sign-in \
                 address names.",
                entries.len(),
                names.join(", ")
            ),
            None => format!(
                "The paste holds {} users' entries ({}): used the first, {used}'s. Enter the \
                 user's sign-in address to use another.",
                entries.len(),
                names.join(", ")
            ),
        },
    });
    let mut kept = Vec::new();
    for (k, entry) in entries.into_iter().enumerate() {
        if k == pick {
            kept = entry;
            continue;
        }
        let whose = names[k].clone();
        ignored.extend(entry.into_iter().map(|r| Ignored {
            line: r.line,
            text: truncate(&r.text),
            why: format!("another user's entry ({whose})"),
        }));
    }
    kept
}

/// Reads an Active Directory paste. Never panics; unusable lines land in `ignored` with a reason.
pub fn parse_paste(text: &str) -> AdPaste {
    parse_paste_for(text, None)
}

/// [`parse_paste`], choosing among several users' entries (a query that matched a manager and
/// an assistant) the one `sign_in` names.
pub fn parse_paste_for(text: &str, sign_in: Option<&str>) -> AdPaste {
    let mut sink = Sink::default();
    let lines = split_lines(text, &mut sink);
    let mut format = detect(&lines);
    // Get-CsUser prints the user's Lync properties; there `Enabled` is the Lync switch
    // (msRTCSIP-UserEnabled), not the AD account's.
    if format == AdFormat::PowerShellList
        && lines.iter().any(|l| {
            ps_split(l).is_some_and(|(name, _, _)| {
                LYNC_PROPERTIES.iter().any(|p| p.eq_ignore_ascii_case(name))
            })
        })
    {
        format = AdFormat::LyncUser;
    }
    match format {
        AdFormat::Empty => {}
        AdFormat::Ldif => parse_ldif(&lines, &mut sink),
        AdFormat::Dsquery => parse_columns(&lines, &mut sink),
        AdFormat::PowerShellList | AdFormat::LyncUser => parse_powershell(&lines, &mut sink),
        AdFormat::NameValue => parse_name_value(&lines, &mut sink),
        AdFormat::Unrecognised => {
            for (i, l) in lines.iter().enumerate() {
                if !l.trim().is_empty() {
                    let why = garbage_reason(l).unwrap_or("not in a recognised format");
                    sink.ignore(i as u32 + 1, l, why);
                }
            }
            let content: Vec<&String> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
            if content.len() == 1 && crate::uri::parse_line_uri_lenient(content[0]).is_ok() {
                sink.problem(
                    0,
                    "This is a bare value without its attribute name: type it into the matching field (Line URI or Server URI) of the form, or paste it as 'msRTCSIP-Line: <value>'.",
                );
            }
            sink.problem(
                0,
                format!("Could not recognise this paste. Paste ldifde output, dsquery * -attr output, Get-ADUser | Format-List output, or 'msRTCSIP-Line: tel:+14255550123' lines. {EXPORT_HINT}"),
            );
        }
    }
    let Sink {
        raws,
        mut ignored,
        mut problems,
        columns,
        objects_from,
    } = sink;
    let raws = one_user(raws, sign_in, objects_from, &mut ignored, &mut problems);
    let mut attributes = AdAttributes {
        lync_names: format == AdFormat::LyncUser,
        ..AdAttributes::default()
    };
    if let Some(columns) = columns {
        attributes.not_exported = RccAttribute::ALL
            .into_iter()
            .filter(|&a| {
                !columns
                    .iter()
                    .any(|c| RccAttribute::from_name(c) == Some(a))
            })
            .collect();
    }
    let mut recognised = Vec::new();
    let mut registrar_pool = None;
    for raw in raws {
        if format == AdFormat::LyncUser && raw.name.eq_ignore_ascii_case("RegistrarPool") {
            let value = clean_value(&raw.value);
            if !value.is_empty() {
                registrar_pool = Some(AdValue {
                    value,
                    line: Some(raw.line),
                });
                continue;
            }
        }
        let lync_enabled = format == AdFormat::LyncUser && raw.name.eq_ignore_ascii_case("Enabled");
        let Some(a) = RccAttribute::from_name(&raw.name)
            .or(lync_enabled.then_some(RccAttribute::UserEnabled))
        else {
            let why = if raw.name.to_ascii_lowercase().starts_with("msrtcsip-") {
                format!(
                    "{} is not one of the attributes remote call control depends on",
                    raw.name
                )
            } else {
                format!("{} is not an RCC attribute", raw.name)
            };
            ignored.push(Ignored {
                line: raw.line,
                text: truncate(&raw.text),
                why,
            });
            continue;
        };
        let value = clean_value(&raw.value);
        if value.is_empty() || value.eq_ignore_ascii_case("<not set>") {
            problems.push(PasteProblem {
                line: raw.line,
                message: format!(
                    "{} on line {} has no value: the attribute is not set on this user.",
                    if raw.name.eq_ignore_ascii_case(a.name()) {
                        a.name().to_string()
                    } else {
                        format!("{} ({})", raw.name, a.name())
                    },
                    raw.line
                ),
            });
            continue;
        }
        if value.ends_with("...") || value.ends_with('…') {
            problems.push(PasteProblem {
                line: raw.line,
                message: format!(
                    "{} ends with '...': the tool shortened the value. Use Format-List (not Format-Table), or (Get-ADUser alice -Properties {}).'{}', to see all of it.",
                    a.name(),
                    a.name(),
                    a.name()
                ),
            });
        }
        if let Some(first) = attributes.get(a) {
            let first_line = first.line.unwrap_or(0);
            let same = first.value == value;
            problems.push(PasteProblem {
                line: raw.line,
                message: if same {
                    format!(
                        "{} appears twice (lines {first_line} and {}) with the same value; used line {first_line}.",
                        a.name(),
                        raw.line
                    )
                } else {
                    format!(
                        "{} appears twice with different values: line {first_line} ({}) won, line {} ({}) was ignored. Check that the paste holds a single user, and remove the wrong line.",
                        a.name(),
                        truncate(&first.value),
                        raw.line,
                        truncate(&value)
                    )
                },
            });
            ignored.push(Ignored {
                line: raw.line,
                text: truncate(&raw.text),
                why: format!(
                    "duplicate {}: the first one (line {first_line}) is used",
                    a.name()
                ),
            });
            continue;
        }
        recognised.push(Recognised {
            attribute: a.name().to_string(),
            value: value.clone(),
            line: raw.line,
        });
        *attributes.slot_mut(a) = Some(AdValue {
            value,
            line: Some(raw.line),
        });
    }
    if attributes.is_empty() && !matches!(format, AdFormat::Empty | AdFormat::Unrecognised) {
        problems.push(PasteProblem {
            line: 0,
            message: format!(
                "Read the paste as {}, but it holds none of the attributes remote call control depends on. {EXPORT_HINT}",
                format.label()
            ),
        });
    }
    ignored.sort_by_key(|i| i.line);
    AdPaste {
        format,
        attributes,
        registrar_pool,
        recognised,
        ignored,
        problems,
    }
}

fn clean_value(v: &str) -> String {
    let t = v.trim();
    let unq = if t.len() >= 2
        && ((t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\'')))
    {
        &t[1..t.len() - 1]
    } else {
        t
    };
    unq.trim().to_string()
}

// ---------------------------------------------------------------------------------------------
// LDIF

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LdifKind {
    Plain,
    Base64,
    Url,
}

/// `name[;options]: value`, `name:: base64`, `name:< url`.
fn ldif_split(line: &str) -> Option<(&str, LdifKind, &str)> {
    let colon = line.find(':')?;
    let name_opts = &line[..colon];
    let name = name_opts.split(';').next().unwrap_or("");
    if !is_name_token(name) {
        return None;
    }
    let rest = &line[colon + 1..];
    if let Some(b) = rest.strip_prefix(':') {
        Some((name, LdifKind::Base64, b.trim()))
    } else if let Some(u) = rest.strip_prefix('<') {
        Some((name, LdifKind::Url, u.trim()))
    } else {
        Some((
            name,
            LdifKind::Plain,
            rest.strip_prefix(' ').unwrap_or(rest).trim_end(),
        ))
    }
}

struct Entry {
    dn: Option<(String, u32)>,
    raws: Vec<Raw>,
}

fn parse_ldif(lines: &[String], sink: &mut Sink) {
    // Unfold: a line starting with one space continues the previous line.
    let mut logical: Vec<(u32, String)> = Vec::new();
    let mut prev_blank = true;
    for (i, l) in lines.iter().enumerate() {
        let n = i as u32 + 1;
        if l.trim().is_empty() {
            logical.push((n, String::new()));
            prev_blank = true;
            continue;
        }
        if let Some(cont) = l.strip_prefix(' ') {
            if !prev_blank {
                if let Some(last) = logical.last_mut() {
                    last.1.push_str(cont);
                    continue;
                }
            }
        }
        logical.push((n, l.clone()));
        prev_blank = false;
    }
    let mut entries: Vec<Entry> = vec![Entry {
        dn: None,
        raws: Vec::new(),
    }];
    for (n, l) in logical {
        if l.trim().is_empty() || l.starts_with('#') || l.trim() == "-" {
            continue;
        }
        if let Some(why) = garbage_reason(&l) {
            sink.ignore(n, &l, why);
            continue;
        }
        let Some((name, kind, v)) = ldif_split(&l) else {
            if is_prompt(&l) {
                sink.ignore(n, &l, "command prompt line");
            } else {
                sink.ignore(n, &l, "not an LDIF 'attribute: value' line");
            }
            continue;
        };
        let value = match kind {
            LdifKind::Plain => v.to_string(),
            LdifKind::Url => {
                sink.ignore(
                    n,
                    &l,
                    "value is a file reference (:<); paste the value itself",
                );
                continue;
            }
            LdifKind::Base64 => match crate::base64::decode(v) {
                None => {
                    sink.ignore(n, &l, "invalid base64 after '::'");
                    continue;
                }
                Some(bytes) => match String::from_utf8(bytes) {
                    Ok(s) if !s.chars().any(|c| c.is_control() && c != '\t') => s,
                    _ => {
                        sink.ignore(n, &l, format!("{name} is a binary value (not text)"));
                        continue;
                    }
                },
            },
        };
        let low = name.to_ascii_lowercase();
        match low.as_str() {
            "dn" => {
                let cur = entries.last().expect("at least one entry");
                if cur.dn.is_some() || !cur.raws.is_empty() {
                    entries.push(Entry {
                        dn: None,
                        raws: Vec::new(),
                    });
                }
                entries.last_mut().expect("pushed").dn = Some((value, n));
            }
            "version" | "changetype" | "add" | "replace" | "delete" | "increment" | "control" => {}
            _ => entries
                .last_mut()
                .expect("at least one entry")
                .raws
                .push(Raw {
                    name: name.to_string(),
                    value,
                    line: n,
                    text: l.clone(),
                }),
        }
    }
    entries.retain(|e| e.dn.is_some() || !e.raws.is_empty());
    if entries.is_empty() {
        return;
    }
    let has_rcc = |e: &Entry| {
        e.raws
            .iter()
            .any(|r| RccAttribute::from_name(&r.name).is_some())
    };
    let chosen = entries.iter().position(has_rcc).unwrap_or(0);
    if entries.len() > 1 {
        let (dn, line) = entries[chosen].dn.clone().unwrap_or_else(|| {
            (
                "(no dn)".into(),
                entries[chosen].raws.first().map_or(0, |r| r.line),
            )
        });
        sink.problem(
            line,
            format!(
                "The paste holds {} entries; used the first user entry ({}, line {line}) and ignored the others. Paste one user at a time.",
                entries.len(),
                truncate(&dn)
            ),
        );
    }
    for (i, e) in entries.into_iter().enumerate() {
        if i == chosen {
            sink.raws.extend(e.raws);
        } else {
            let (dn, line) =
                e.dn.unwrap_or_else(|| ("(no dn)".into(), e.raws.first().map_or(0, |r| r.line)));
            sink.ignore(
                line,
                &format!("dn: {dn}"),
                "another entry: only one user is checked",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// dsquery / dsget columns

/// The header row: index into `lines` and the start column (in chars) of each name.
fn column_header(lines: &[String]) -> Option<(usize, Vec<(String, usize)>)> {
    let idx = lines
        .iter()
        .position(|l| !l.trim().is_empty() && !is_prompt(l) && !l.trim_start().starts_with('#'))?;
    let h = &lines[idx];
    if h.contains(':') || h.contains('=') || garbage_reason(h).is_some() {
        return None;
    }
    let chars: Vec<char> = h.chars().collect();
    let mut cols = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        cols.push((chars[start..i].iter().collect::<String>(), start));
    }
    if cols.is_empty() || !cols.iter().all(|(t, _)| is_name_token(t)) {
        return None;
    }
    let known = cols.iter().any(|(t, _)| {
        t.to_ascii_lowercase().starts_with("msrtcsip-") && RccAttribute::from_name(t).is_some()
    });
    let dsget = lines.iter().any(|l| is_status_line(l)) && cols.len() >= 2;
    let has_row = lines[idx + 1..].iter().any(|l| !l.trim().is_empty());
    ((known || dsget) && has_row).then_some((idx, cols))
}

fn split_two_spaces(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut spaces = 0usize;
    for c in s.trim().chars() {
        if c == ' ' || c == '\t' {
            spaces += if c == '\t' { 2 } else { 1 };
            continue;
        }
        if spaces >= 2 {
            out.push(std::mem::take(&mut cur));
        } else if spaces == 1 {
            cur.push(' ');
        }
        spaces = 0;
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_columns(lines: &[String], sink: &mut Sink) {
    let Some((hidx, mut cols)) = column_header(lines) else {
        return;
    };
    sink.columns = Some(cols.iter().map(|(name, _)| name.clone()).collect());
    for (i, l) in lines[..hidx].iter().enumerate() {
        if !l.trim().is_empty() {
            sink.ignore(
                i as u32 + 1,
                l,
                if is_prompt(l) {
                    "command prompt line"
                } else {
                    "before the header row"
                },
            );
        }
    }
    let mut rows = 0;
    for (i, l) in lines.iter().enumerate().skip(hidx + 1) {
        let n = i as u32 + 1;
        if l.trim().is_empty() {
            continue;
        }
        if is_status_line(l) {
            continue;
        }
        if let Some(why) = garbage_reason(l) {
            sink.ignore(n, l, why);
            continue;
        }
        if is_prompt(l) {
            sink.ignore(n, l, "command prompt line");
            continue;
        }
        if rows == 0 && l.contains('-') && l.chars().all(|c| c == '-' || c == ' ') {
            // PowerShell Format-Table underlines the header; the dash runs give exact columns.
            let chars: Vec<char> = l.chars().collect();
            let starts: Vec<usize> = (0..chars.len())
                .filter(|&k| chars[k] == '-' && (k == 0 || chars[k - 1] == ' '))
                .collect();
            if starts.len() == cols.len() {
                for (c, st) in cols.iter_mut().zip(starts) {
                    c.1 = st;
                }
            }
            continue;
        }
        rows += 1;
        if rows > 1 {
            sink.ignore(n, l, "another result row: only the first user is checked");
            if rows == 2 {
                sink.problem(
                    n,
                    "The output holds more than one result row; used the first. Narrow the dsquery filter to one user.",
                );
            }
            continue;
        }
        let by_spaces = split_two_spaces(l);
        let cells: Vec<String> = if by_spaces.len() == cols.len() {
            by_spaces
        } else {
            let chars: Vec<char> = l.chars().collect();
            cols.iter()
                .enumerate()
                .map(|(k, (_, start))| {
                    let end = cols
                        .get(k + 1)
                        .map_or(chars.len(), |c| c.1)
                        .min(chars.len());
                    let s = (*start).min(end);
                    chars[s..end].iter().collect::<String>().trim().to_string()
                })
                .collect()
        };
        for ((name, _), cell) in cols.iter().zip(cells) {
            if !cell.is_empty() {
                sink.raws.push(Raw {
                    name: name.clone(),
                    text: format!("{name}: {cell}"),
                    value: cell,
                    line: n,
                });
            }
        }
    }
    if rows == 0 {
        sink.problem(
            hidx as u32 + 1,
            "The header row has no value row under it: the user may have none of these attributes set, or the filter matched nobody.",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// PowerShell Format-List

/// `Name   : value` at column 0: (name, whether a space precedes the colon, value).
fn ps_split(line: &str) -> Option<(&str, bool, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let colon = line.find(':')?;
    let before = &line[..colon];
    let name = before.trim_end();
    if !is_name_token(name) {
        return None;
    }
    let after = &line[colon + 1..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((name, before.len() > name.len(), after.trim()))
}

fn parse_powershell(lines: &[String], sink: &mut Sink) {
    let mut current: Option<usize> = None;
    let mut blank_since_attr = false;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, l) in lines.iter().enumerate() {
        let n = i as u32 + 1;
        if l.trim().is_empty() {
            current = None;
            blank_since_attr = true;
            continue;
        }
        if let Some(why) = garbage_reason(l) {
            sink.ignore(n, l, why);
            current = None;
            continue;
        }
        if is_prompt(l) {
            sink.ignore(n, l, "command prompt line");
            current = None;
            continue;
        }
        if let Some((name, _, value)) = ps_split(l) {
            let low = name.to_ascii_lowercase();
            // Another object (a query that matched several users): `one_user` keeps one.
            if blank_since_attr && seen.contains(&low) {
                sink.objects_from.get_or_insert(n);
                seen.clear();
            }
            blank_since_attr = false;
            seen.insert(low);
            sink.raws.push(Raw {
                name: name.to_string(),
                value: value.to_string(),
                line: n,
                text: l.clone(),
            });
            current = Some(sink.raws.len() - 1);
        } else if let (true, Some(idx)) = (l.starts_with(char::is_whitespace), current) {
            // Wrapped value: Format-List breaks long values at the console width, mid-word.
            sink.raws[idx].value.push_str(l.trim());
        } else {
            sink.ignore(n, l, "not a 'Name : value' line");
            current = None;
        }
    }
    // {a, b} multi-valued display and "..." truncation.
    let mut extra = Vec::new();
    for r in &mut sink.raws {
        let v = r.value.trim();
        if let Some(inner) = v.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            let parts: Vec<&str> = inner
                .split(", ")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() > 1 && RccAttribute::from_name(&r.name).is_some() {
                extra.push(PasteProblem {
                    line: r.line,
                    message: format!(
                        "{} shows {} values in {{...}}; used the first ({}). These attributes hold one value: remove the others.",
                        r.name,
                        parts.len(),
                        truncate(parts[0])
                    ),
                });
            }
            r.value = parts.first().copied().unwrap_or("").to_string();
        }
    }
    sink.problems.extend(extra);
}

// ---------------------------------------------------------------------------------------------
// name: value / name = value / name<TAB>value

fn name_like(n: &str) -> bool {
    let n = n.trim();
    !n.is_empty()
        && n.len() <= 60
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_. ".contains(c))
        && !n.contains("  ")
}

fn nv_split(line: &str) -> Option<(String, String)> {
    let t = line.trim();
    if let Some((n, v)) = t.split_once('\t') {
        if name_like(n) {
            // ADSI Edit may add a syntax column: name<TAB>syntax<TAB>value.
            let v = match v.split_once('\t') {
                Some((syntax, rest)) if !syntax.contains(':') && !rest.trim().is_empty() => rest,
                _ => v,
            };
            return Some((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let sep = t.find([':', '=']);
    if let Some(p) = sep {
        let (n, v) = (&t[..p], &t[p + 1..]);
        let scheme = ["tel", "sip", "sips", "http", "https", "ldap", "mailto"]
            .iter()
            .any(|x| n.eq_ignore_ascii_case(x));
        if name_like(n) && !scheme {
            return Some((n.trim().to_string(), v.trim().to_string()));
        }
    }
    // "msRTCSIP-Line    tel:+1..." separated by spaces only.
    let mut it = t.splitn(2, char::is_whitespace);
    let first = it.next()?;
    let rest = it.next()?.trim();
    (RccAttribute::from_name(first).is_some() && !rest.is_empty())
        .then(|| (first.to_string(), rest.to_string()))
}

fn parse_name_value(lines: &[String], sink: &mut Sink) {
    for (i, l) in lines.iter().enumerate() {
        let n = i as u32 + 1;
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        if let Some(why) = garbage_reason(l) {
            sink.ignore(n, l, why);
            continue;
        }
        if is_prompt(l) {
            sink.ignore(n, l, "command prompt line");
            continue;
        }
        match nv_split(l) {
            Some((name, value)) => sink.raws.push(Raw {
                name,
                value,
                line: n,
                text: l.clone(),
            }),
            None => sink.ignore(n, l, "no 'name: value', 'name = value' or 'name<TAB>value'"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query that matched a manager and an assistant: the sign-in picks the entry; without
    /// one the first is used and the paste says so; objects of one address keep the first.
    #[test]
    fn a_paste_of_several_users_keeps_the_one_the_sign_in_names() {
        let entry = |name: &str, line: &str| {
            format!(
                "Name                        : {name}\nmsRTCSIP-Line               : {line}\n\
                 msRTCSIP-PrimaryUserAddress : sip:{name}@contoso.com\n\n"
            )
        };
        let text = format!(
            "{}{}",
            entry("gideon", "tel:+1555"),
            entry("lena", "tel:+1556")
        );
        let lena = parse_paste_for(&text, Some("Lena@Contoso.com"));
        assert_eq!(lena.attributes.line.as_ref().unwrap().value, "tel:+1556");
        assert!(lena.problems[0].message.contains("used lena@contoso.com's"));
        assert!(lena
            .ignored
            .iter()
            .any(|i| i.why.contains("gideon@contoso.com")));
        let first = parse_paste_for(&text, Some("\"Ruiz, Dana\" <sip:dana@contoso.com>"));
        assert_eq!(first.attributes.line.as_ref().unwrap().value, "tel:+1555");
        assert!(first.problems[0]
            .message
            .contains("Enter the user's sign-in address"));
        let same = format!(
            "{}{}",
            entry("lena", "tel:+1555"),
            entry("lena", "tel:+1556")
        );
        let p = parse_paste_for(&same, Some("lena@contoso.com"));
        assert_eq!(p.attributes.line.as_ref().unwrap().value, "tel:+1555");
        assert!(p.problems[0].message.contains("more than one object"));
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(parse_paste("").format, AdFormat::Empty);
        assert_eq!(parse_paste(" \n\t\r\n").format, AdFormat::Empty);
    }

    #[test]
    fn name_value_forms() {
        let p = parse_paste("msRTCSIP-Line: tel:+14255550123\nmsrtcsip-lineserver = sip:rcc@mcm.contoso.com\nmsRTCSIP-OptionFlags\t16\n");
        assert_eq!(p.format, AdFormat::NameValue);
        assert_eq!(p.attributes.line.unwrap().value, "tel:+14255550123");
        assert_eq!(p.attributes.line_server.unwrap().line, Some(2));
        assert_eq!(p.attributes.option_flags.unwrap().value, "16");
    }

    #[test]
    fn duplicates_keep_first() {
        let p = parse_paste("msRTCSIP-Line: tel:+14255550123\nmsRTCSIP-Line: tel:+14255550199\n");
        assert_eq!(p.attributes.line.unwrap().value, "tel:+14255550123");
        assert!(p
            .problems
            .iter()
            .any(|x| x.line == 2 && x.message.contains("line 1")));
    }
}
