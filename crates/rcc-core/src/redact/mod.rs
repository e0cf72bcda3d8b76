//! Redaction: replaces everything that identifies a customer in logs, AD pastes and routing rules
//! with consistent pseudonyms, so a diagnosis can be shared with a ticket or a PBX vendor.
//!
//! One [`Redactor`] holds one pseudonym map for all files of a case: the same value gets the same
//! token in every file, so dialogs still correlate, the line server URI in AD still equals the one
//! in the provisioning answer, and routing rules still match the hosts in the logs. Tokens keep
//! the shape the diagnosis reads:
//!
//! | category | examples | token |
//! |---|---|---|
//! | `phone` | `+14255550123`, `;ext=123`, `<deviceID>5123</deviceID>` | same digit count and separators, `+15550100001`, `501`, `5001` |
//! | `user` | `sip:alice@…`, `alice@contoso.com`, `sAMAccountName: alice` | `user-1` |
//! | `name` | `"Alice Smith" <sip:…>`, `CN=Alice Smith`, `displayName` | `User 1` |
//! | `host` | `contoso.com`, `lcs01.contoso.com`, `source="lcs01"`, `DC=contoso,DC=com` | `domain-a.example`, `host-1.domain-a.example`, `host-1` |
//! | `ip` | `10.0.0.5`, `fe80::1` | `192.0.2.1` (then `198.51.100.x`, `203.0.113.x`), `2001:db8::1` |
//! | `id` | `tag=`, `epid=`, `branch=`, Call-ID, GRUU `opaque=user:epid:…`, `+sip.instance` | `tag-1`, `epid-1`, `z9hG4bK-branch-1`, `callid-1`, `user:epid:opaque-1`, `urn:uuid:00000000-0000-0000-0000-000000000001` |
//! | `auth` | NTLM/Kerberos/Digest parameters in `Authorization`, `WWW-Authenticate`, `Authentication-Info`, … | `redacted-1` |
//! | `org` | `OU=Sales`, `company`, `department` | `org-1` |
//!
//! Kept as written: SIP methods, status codes and reasons, header names, CSTA element names,
//! `ms-diagnostics` codes and reasons, protocol keywords and parameters (`transport=tls`,
//! `user=phone`, `phone-context=dialstring`), product strings in `Server`/`User-Agent`, XML
//! namespaces and public vendor domains (`microsoft.com`, `ecma-international.org`, `w3.org`,
//! reserved `.example`/`.test`/`.invalid`). When a message body changes length, its
//! `Content-Length` is corrected so the message still frames, and so is the byte count of a
//! Communicator trace's `Sending/Received Packet ... N bytes` lines. Line counts never change
//! (LDIF values folded over several lines are folded again into as many lines), so evidence
//! line numbers stay valid.
//!
//! Sharing a finished diagnosis: [`Redactor::redact_diagnosis`] and
//! [`crate::report::ReportInput::redacted`] redact its texts with the same map as the files, which gives
//! the same result as diagnosing the redacted files (tested over every scenario).
//!
//! The scanner is hand-written (no regex crate, to keep the wasm small). It looks at shape and
//! context: URIs, header names, XML device elements, LDAP DNs, `name: value` attribute lines
//! (LDIF `name:: base64` values are decoded, redacted and encoded again).
//!
//! # Using it
//!
//! For several files, call [`Redactor::learn`] on every file first, then
//! [`Redactor::redact_text`] on each ([`redact_all`] does both). Learning lets a name seen only in
//! one file (a display name in an AD paste) be replaced where it appears bare in another (an HTML
//! page title), and keeps tokens from colliding with originals. [`Redactor::report`] gives counts
//! per category and the mapping (original → token) for the user's own preview; the mapping holds
//! the originals, so export it only when the user asks ([`RedactionReport::without_mapping`]).

mod scan;

use crate::diagnosis::Diagnosis;
use crate::evidence::Evidence;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What kind of identifier a replacement hid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Phone,
    User,
    Name,
    Host,
    Ip,
    Id,
    Auth,
    Org,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Phone,
        Category::User,
        Category::Name,
        Category::Host,
        Category::Ip,
        Category::Id,
        Category::Auth,
        Category::Org,
    ];

    /// Stable id (as serialized): `phone`, `user`, ...
    pub fn id(self) -> &'static str {
        match self {
            Category::Phone => "phone",
            Category::User => "user",
            Category::Name => "name",
            Category::Host => "host",
            Category::Ip => "ip",
            Category::Id => "id",
            Category::Auth => "auth",
            Category::Org => "org",
        }
    }

    /// Label for counts in the UI and the CLI.
    pub fn label(self) -> &'static str {
        match self {
            Category::Phone => "Phone numbers and extensions",
            Category::User => "SIP and account user names",
            Category::Name => "Display and person names",
            Category::Host => "Host names and domains",
            Category::Ip => "IP addresses",
            Category::Id => "Tags, epids, branches, Call-IDs, GRUU and instance ids",
            Category::Auth => "Authentication data (NTLM/Kerberos)",
            Category::Org => "Organisation units and company data",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Options for a [`Redactor`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactOptions {
    /// Extra domains never redacted (with their sub-domains), e.g. a vendor's public domain.
    pub keep_domains: Vec<String>,
}

/// Replacements in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub category: Category,
    /// Replacements made (every occurrence).
    pub occurrences: usize,
    /// Different original values replaced.
    pub distinct: usize,
}

/// Replacements in one file, per category (occurrences only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCounts {
    pub file: String,
    pub counts: Vec<CategoryCount>,
}

/// One original value and its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingEntry {
    pub category: Category,
    pub original: String,
    pub token: String,
}

/// What a [`Redactor`] did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionReport {
    /// One entry per category, in [`Category::ALL`] order (zero counts included).
    pub counts: Vec<CategoryCount>,
    /// Per file, in the order redacted.
    pub files: Vec<FileCounts>,
    /// Original → token, in the order first replaced. Contains the originals: show it to the
    /// user, never export it unless asked.
    pub mapping: Vec<MappingEntry>,
}

impl RedactionReport {
    /// The same report with the mapping removed (safe to share).
    pub fn without_mapping(&self) -> RedactionReport {
        RedactionReport {
            mapping: Vec::new(),
            ..self.clone()
        }
    }

    /// Total replacements.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|c| c.occurrences).sum()
    }

    /// The token an original was replaced with, if any.
    pub fn token_for(&self, original: &str) -> Option<&str> {
        self.mapping
            .iter()
            .find(|m| m.original == original)
            .map(|m| m.token.as_str())
    }
}

/// Token kinds that share a counter (several kinds per category).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Phone,
    User,
    Name,
    Domain,
    HostLabel,
    Ip4,
    Ip6,
    Tag,
    Epid,
    Branch,
    CallId,
    Cid,
    Opaque,
    Uuid,
    Guid,
    Auth,
    Org,
}

impl Kind {
    fn category(self) -> Category {
        match self {
            Kind::Phone => Category::Phone,
            Kind::User => Category::User,
            Kind::Name => Category::Name,
            Kind::Domain | Kind::HostLabel => Category::Host,
            Kind::Ip4 | Kind::Ip6 => Category::Ip,
            Kind::Tag
            | Kind::Epid
            | Kind::Branch
            | Kind::CallId
            | Kind::Cid
            | Kind::Opaque
            | Kind::Uuid
            | Kind::Guid => Category::Id,
            Kind::Auth => Category::Auth,
            Kind::Org => Category::Org,
        }
    }
}

/// The pseudonym engine. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    options: RedactOptions,
    /// (kind, key) → token.
    map: HashMap<(Kind, String), String>,
    mapping: Vec<MappingEntry>,
    counters: HashMap<Kind, u64>,
    /// Per phone-number length counters.
    phone_counters: HashMap<usize, u64>,
    /// Lower-cased tokens handed out (a token is never redacted again).
    issued: HashSet<String>,
    /// Lower-cased originals seen (learned or redacted): tokens never equal one.
    seen: HashSet<String>,
    /// Lower-cased FQDNs seen, to map a bare host label like its FQDN.
    fqdns: Vec<String>,
    fqdn_set: HashSet<String>,
    /// Display/person names learned, by first word (case-sensitive), longest first.
    names: HashMap<String, Vec<String>>,
    /// User names learned (lower case).
    users: HashSet<String>,
    /// Long numbers learned (digits only, 7+ digits).
    numbers: HashSet<String>,
    /// True while learning: record originals, hand out nothing.
    learning: bool,
    /// Texts already learned (hash, length): learning twice adds nothing.
    learned: HashSet<(u64, usize)>,
    totals: [usize; 8],
    current: [usize; 8],
    files: Vec<FileCounts>,
}

impl Redactor {
    pub fn new(options: RedactOptions) -> Self {
        Redactor {
            options,
            ..Redactor::default()
        }
    }

    /// Reads a file without redacting it, so identifiers it names are known before any file is
    /// redacted (see the module docs). Call it for every file first.
    pub fn learn(&mut self, text: &str) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        if !self.learned.insert((h.finish(), text.len())) {
            return;
        }
        self.learning = true;
        let _ = scan::redact(self, text);
        self.learning = false;
    }

    /// Redacts one file's text (a log, an AD paste, routing rules) and records its counts under
    /// `file_name`. Learns the file first, so it also works alone.
    pub fn redact_text(&mut self, file_name: &str, text: &str) -> String {
        self.learn(text);
        self.current = [0; 8];
        let out = scan::redact(self, text);
        let counts = Category::ALL
            .iter()
            .map(|c| CategoryCount {
                category: *c,
                occurrences: self.current[c.index()],
                distinct: 0,
            })
            .collect();
        self.files.push(FileCounts {
            file: file_name.to_string(),
            counts,
        });
        out
    }

    /// Redacts file bytes: UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded and
    /// written back in the same encoding; anything else is read as lossy UTF-8.
    pub fn redact_bytes(&mut self, file_name: &str, bytes: &[u8]) -> Vec<u8> {
        match decode(bytes) {
            Decoded::Utf8 { bom, text } => {
                let mut out = if bom {
                    vec![0xEF, 0xBB, 0xBF]
                } else {
                    Vec::new()
                };
                out.extend_from_slice(self.redact_text(file_name, &text).as_bytes());
                out
            }
            Decoded::Utf16 { le, text } => {
                let red = self.redact_text(file_name, &text);
                let mut out = if le {
                    vec![0xFF, 0xFE]
                } else {
                    vec![0xFE, 0xFF]
                };
                for u in red.encode_utf16() {
                    let b = if le { u.to_le_bytes() } else { u.to_be_bytes() };
                    out.extend_from_slice(&b);
                }
                out
            }
        }
    }

    /// Learns text from bytes (same decoding as [`Redactor::redact_bytes`]).
    pub fn learn_bytes(&mut self, bytes: &[u8]) {
        match decode(bytes) {
            Decoded::Utf8 { text, .. } | Decoded::Utf16 { text, .. } => self.learn(&text),
        }
    }

    /// Redacts a short text (a fix step, a summary, a file name, a copied excerpt) with the same
    /// map, without adding a per-file entry to the report. Counts still add to the totals.
    pub fn redact_snippet(&mut self, text: &str) -> String {
        self.learn(text);
        scan::redact(self, text)
    }

    /// A diagnosis with every free text redacted by the same map (titles, explanations, rules,
    /// evidence, fix steps, flow messages, what is needed). Finding ids, severities, states and
    /// participant ids are kept, so the redacted diagnosis reads exactly like one computed from
    /// the redacted inputs. Learn the inputs first so the tokens match the redacted files.
    pub fn redact_diagnosis(&mut self, d: &Diagnosis) -> Diagnosis {
        let mut d = d.clone();
        for f in &mut d.findings {
            f.title = self.redact_snippet(&f.title);
            f.explanation = self.redact_snippet(&f.explanation);
            if let Some(l) = &mut f.leg {
                l.message = self.redact_snippet(&l.message);
            }
            f.rule = f.rule.as_deref().map(|r| self.redact_snippet(r));
            for e in &mut f.evidence {
                *e = self.redact_evidence(e);
            }
            for step in &mut f.fix {
                *step = self.redact_snippet(step);
            }
            for a in &mut f.assumptions {
                *a = self.redact_snippet(a);
            }
            if let Some(fix) = &mut f.admin_fix {
                for step in &mut fix.steps {
                    *step = self.redact_snippet(step);
                }
                for v in fix.chosen.iter_mut().chain(fix.alternatives.iter_mut()) {
                    v.when = self.redact_snippet(&v.when);
                    v.commands = v.commands.as_deref().map(|c| self.redact_snippet(c));
                    for step in &mut v.steps {
                        *step = self.redact_snippet(step);
                    }
                }
                fix.check = fix.check.as_deref().map(|c| self.redact_snippet(c));
            }
        }
        for l in &mut d.flow {
            l.message = self.redact_snippet(&l.message);
            l.observed = l.observed.as_deref().map(|o| self.redact_snippet(o));
            for e in &mut l.evidence {
                *e = self.redact_evidence(e);
            }
        }
        for n in &mut d.needed {
            n.what = self.redact_snippet(&n.what);
        }
        if let Some(g) = &mut d.generation {
            g.basis = self.redact_snippet(&g.basis);
            for e in &mut g.evidence {
                *e = self.redact_evidence(e);
            }
        }
        d
    }

    /// One piece of evidence, redacted (file names included: redact them the same way when
    /// naming the redacted files).
    pub fn redact_evidence(&mut self, e: &Evidence) -> Evidence {
        match e {
            Evidence::Log {
                file,
                line_start,
                line_end,
                excerpt,
            } => Evidence::Log {
                file: self.redact_snippet(file),
                line_start: *line_start,
                line_end: *line_end,
                excerpt: self.redact_snippet(excerpt),
            },
            Evidence::Attribute { name, value } => Evidence::Attribute {
                name: name.clone(),
                value: self
                    .redact_snippet(&format!("{name}: {value}"))
                    .split_once(": ")
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default(),
            },
            Evidence::Rule { table, row, text } => Evidence::Rule {
                table: table.clone(),
                row: *row,
                text: self.redact_snippet(text),
            },
            Evidence::Input { field, value } => Evidence::Input {
                field: field.clone(),
                value: self.redact_snippet(value),
            },
        }
    }

    /// Counts so far and the mapping.
    pub fn report(&self) -> RedactionReport {
        let mut distinct = [0usize; 8];
        for m in &self.mapping {
            distinct[m.category.index()] += 1;
        }
        RedactionReport {
            counts: Category::ALL
                .iter()
                .map(|c| CategoryCount {
                    category: *c,
                    occurrences: self.totals[c.index()],
                    distinct: distinct[c.index()],
                })
                .collect(),
            files: self.files.clone(),
            mapping: self.mapping.clone(),
        }
    }

    /// True when `value` is a token this redactor handed out.
    pub fn is_token(&self, value: &str) -> bool {
        self.issued.contains(&value.to_ascii_lowercase())
    }

    // --- mapping ------------------------------------------------------------------------------

    fn count(&mut self, kind: Kind) {
        if !self.learning {
            let i = kind.category().index();
            self.totals[i] += 1;
            self.current[i] += 1;
        }
    }

    /// The token for `original` under `kind`, keyed by `key`; `make` builds a fresh token from
    /// the counter value. Returns the original unchanged while learning or when it is a token.
    fn token(
        &mut self,
        kind: Kind,
        key: &str,
        original: &str,
        make: &dyn Fn(u64) -> String,
    ) -> String {
        if self.learning {
            self.seen.insert(key.to_ascii_lowercase());
            self.seen.insert(original.to_ascii_lowercase());
            return original.to_string();
        }
        if self.issued.contains(&original.to_ascii_lowercase()) {
            return original.to_string();
        }
        if let Some(t) = self.map.get(&(kind, key.to_string())) {
            let t = t.clone();
            self.count(kind);
            return t;
        }
        self.seen.insert(original.to_ascii_lowercase());
        let mut n = self.counters.get(&kind).copied().unwrap_or(0);
        let token = loop {
            n += 1;
            let t = make(n);
            let l = t.to_ascii_lowercase();
            if !self.seen.contains(&l) && !self.issued.contains(&l) {
                break t;
            }
        };
        self.counters.insert(kind, n);
        self.issued.insert(token.to_ascii_lowercase());
        self.map.insert((kind, key.to_string()), token.clone());
        self.mapping.push(MappingEntry {
            category: kind.category(),
            original: original.to_string(),
            token: token.clone(),
        });
        self.count(kind);
        token
    }

    pub(crate) fn map_user(&mut self, user: &str) -> String {
        if user.is_empty() || user == "*" {
            return user.to_string();
        }
        let key = user.to_ascii_lowercase();
        if self.learning && !scan::is_protected_word(&key) && key.len() >= 3 {
            self.users.insert(key.clone());
        }
        self.token(Kind::User, &key, user, &|n| format!("user-{n}"))
    }

    pub(crate) fn map_name(&mut self, name: &str) -> String {
        let trimmed = name.trim();
        if trimmed.is_empty() || !trimmed.chars().any(char::is_alphabetic) {
            return name.to_string();
        }
        if self.learning && trimmed.chars().count() >= 3 {
            let first = trimmed.split_whitespace().next().unwrap_or("").to_string();
            if !scan::is_protected_word(&first.to_ascii_lowercase()) || trimmed.contains(' ') {
                let v = self.names.entry(first).or_default();
                if !v.iter().any(|n| n == trimmed) {
                    v.push(trimmed.to_string());
                    v.sort_by_key(|n| std::cmp::Reverse(n.len()));
                }
            }
        }
        let key = trimmed.to_lowercase();
        let t = self.token(Kind::Name, &key, trimmed, &|n| format!("User {n}"));
        // Keep surrounding whitespace (column layouts).
        let lead = &name[..name.len() - name.trim_start().len()];
        let trail = &name[name.trim_end().len()..];
        format!("{lead}{t}{trail}")
    }

    pub(crate) fn map_org(&mut self, v: &str) -> String {
        let trimmed = v.trim();
        if trimmed.is_empty() {
            return v.to_string();
        }
        let key = trimmed.to_lowercase();
        let t = self.token(Kind::Org, &key, trimmed, &|n| format!("org-{n}"));
        let lead = &v[..v.len() - v.trim_start().len()];
        let trail = &v[v.trim_end().len()..];
        format!("{lead}{t}{trail}")
    }

    pub(crate) fn map_auth(&mut self, v: &str) -> String {
        if v.is_empty() {
            return String::new();
        }
        self.token(Kind::Auth, v, v, &|n| format!("redacted-{n}"))
    }

    pub(crate) fn map_id(&mut self, kind: Kind, v: &str) -> String {
        if v.is_empty() {
            return String::new();
        }
        let prefix = match kind {
            Kind::Tag => "tag",
            Kind::Epid => "epid",
            Kind::CallId => "callid",
            Kind::Cid => "cid",
            Kind::Guid => "guid",
            _ => "opaque",
        };
        match kind {
            Kind::Branch => {
                let rest = v.strip_prefix("z9hG4bK").unwrap_or(v);
                if rest.is_empty() {
                    return v.to_string();
                }
                let cookie = if rest.len() < v.len() { "z9hG4bK" } else { "" };
                let t = self.token(Kind::Branch, v, v, &|n| format!("z9hG4bK-branch-{n}"));
                if self.learning {
                    return v.to_string();
                }
                if cookie.is_empty() {
                    t.trim_start_matches("z9hG4bK-").to_string()
                } else {
                    t
                }
            }
            Kind::Uuid => self.token(Kind::Uuid, &v.to_ascii_lowercase(), v, &|n| {
                format!("00000000-0000-0000-0000-{n:012}")
            }),
            _ => self.token(kind, v, v, &|n| format!("{prefix}-{n}")),
        }
    }

    /// A phone number or extension: digits replaced in place (separators and length kept).
    pub(crate) fn map_phone(&mut self, s: &str) -> String {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if digits.len() < 2 {
            return s.to_string();
        }
        if self.learning {
            self.seen.insert(digits.clone());
            if digits.len() >= 7 {
                self.numbers.insert(digits.clone());
            }
            return s.to_string();
        }
        if self.issued.contains(&digits) {
            return s.to_string();
        }
        let token = if let Some(t) = self.map.get(&(Kind::Phone, digits.clone())) {
            t.clone()
        } else {
            let len = digits.len();
            let mut n = self.phone_counters.get(&len).copied().unwrap_or(0);
            let limit = 10u64.saturating_pow(len.min(18) as u32);
            let t = loop {
                n += 1;
                let t = phone_digits(len, n);
                if n >= limit || (!self.seen.contains(&t) && !self.issued.contains(&t)) {
                    break t;
                }
            };
            self.phone_counters.insert(len, n);
            self.seen.insert(digits.clone());
            self.issued.insert(t.clone());
            self.map.insert((Kind::Phone, digits.clone()), t.clone());
            self.mapping.push(MappingEntry {
                category: Category::Phone,
                original: s.trim().to_string(),
                token: substitute_digits(s.trim(), &t),
            });
            t
        };
        self.count(Kind::Phone);
        substitute_digits(s, &token)
    }

    pub(crate) fn map_ip4(&mut self, ip: &str) -> String {
        self.token(Kind::Ip4, ip, ip, &|n| {
            let n = n as u32;
            if n <= 254 {
                format!("192.0.2.{n}")
            } else if n <= 508 {
                format!("198.51.100.{}", n - 254)
            } else if n <= 762 {
                format!("203.0.113.{}", n - 508)
            } else {
                let m = n - 762;
                format!("198.18.{}.{}", (m / 254) % 256, m % 254 + 1)
            }
        })
    }

    pub(crate) fn map_ip6(&mut self, ip: &str) -> String {
        let key = ip.to_ascii_lowercase();
        self.token(Kind::Ip6, &key, ip, &|n| format!("2001:db8::{n:x}"))
    }

    /// True when `host` (lower case, no trailing dot) must be kept: public protocol domains,
    /// reserved names and the user's keep list.
    pub(crate) fn keep_domain(&self, host: &str) -> bool {
        const KEEP: [&str; 13] = [
            "microsoft.com",
            "ecma-international.org",
            "w3.org",
            "ietf.org",
            "xmlsoap.org",
            "iana.org",
            "example",
            "example.com",
            "example.net",
            "example.org",
            "invalid",
            "test",
            "localhost",
        ];
        let under = |d: &str| {
            let d = d.trim_start_matches("*.").to_ascii_lowercase();
            host == d || host.ends_with(&format!(".{d}"))
        };
        KEEP.iter().any(|d| under(d)) || self.options.keep_domains.iter().any(|d| under(d))
    }

    /// A fully qualified name: `contoso.com` → `domain-a.example`, `lcs01.contoso.com` →
    /// `host-1.domain-a.example` (each label below the domain gets a token keyed by its full
    /// name, so `*.contoso.com` patterns still match).
    pub(crate) fn map_host(&mut self, host: &str) -> String {
        let h = host.trim_end_matches('.');
        let dots = &host[h.len()..];
        let lower = h.to_ascii_lowercase();
        if lower.is_empty() || self.keep_domain(&lower) || self.issued.contains(&lower) {
            return host.to_string();
        }
        let labels: Vec<&str> = lower.split('.').collect();
        if labels.len() < 2 {
            return format!("{}{dots}", self.map_bare_host(h));
        }
        if self.learning && self.fqdn_set.insert(lower.clone()) {
            self.fqdns.push(lower.clone());
        }
        let dl = domain_labels(&labels);
        let domain = labels[labels.len() - dl..].join(".");
        let mut out = self.token(Kind::Domain, &domain, &domain, &|n| {
            format!("domain-{}.example", letters(n))
        });
        let mut suffix = domain.clone();
        for l in labels[..labels.len() - dl].iter().rev() {
            if *l == "*" {
                out = format!("*.{out}");
                suffix = format!("*.{suffix}");
                continue;
            }
            suffix = format!("{l}.{suffix}");
            let t = self.token(Kind::HostLabel, &suffix, &suffix, &|n| format!("host-{n}"));
            out = format!("{t}.{out}");
        }
        if self.learning {
            return host.to_string();
        }
        out.push_str(dots);
        out
    }

    /// A bare host label (`lcs01`, NetBIOS names): the same token as the first label of a known
    /// FQDN with that label, else its own `host-N`.
    pub(crate) fn map_bare_host(&mut self, label: &str) -> String {
        let lower = label.to_ascii_lowercase();
        if lower.is_empty() || lower == "*" || self.issued.contains(&lower) {
            return label.to_string();
        }
        if self.learning {
            self.seen.insert(lower);
            return label.to_string();
        }
        let full = self
            .fqdns
            .iter()
            .find(|f| f.split('.').next() == Some(lower.as_str()))
            .cloned();
        if let Some(f) = full {
            let mapped = self.map_host(&f);
            return mapped.split('.').next().unwrap_or("").to_string();
        }
        self.token(Kind::HostLabel, &lower, label, &|n| format!("host-{n}"))
    }

    /// Learned display/person names starting at `s` (longest first).
    pub(crate) fn learned_name_at(&self, s: &str) -> Option<usize> {
        let first_end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
            .unwrap_or(s.len());
        let first = &s[..first_end];
        let cands = self.names.get(first)?;
        cands.iter().find_map(|n| {
            let end = n.len();
            (s.starts_with(n.as_str())
                && s[end..]
                    .chars()
                    .next()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_')))
            .then_some(end)
        })
    }

    pub(crate) fn is_learned_user(&self, word: &str) -> bool {
        self.users.contains(&word.to_ascii_lowercase())
    }

    pub(crate) fn is_known_host_label(&self, label: &str) -> bool {
        self.fqdns
            .iter()
            .any(|f| f.split('.').next() == Some(label))
    }

    pub(crate) fn is_learned_number(&self, digits: &str) -> bool {
        self.numbers.contains(digits)
    }

    pub(crate) fn learning(&self) -> bool {
        self.learning
    }
}

/// Learns every file, then redacts each: the usual way to redact a case.
pub fn redact_all(
    options: RedactOptions,
    files: &[(String, String)],
) -> (Vec<String>, RedactionReport) {
    let mut r = Redactor::new(options);
    for (_, text) in files {
        r.learn(text);
    }
    let out = files
        .iter()
        .map(|(name, text)| r.redact_text(name, text))
        .collect();
    (out, r.report())
}

/// Labels forming the registrable domain: 2, or 3 under `co.uk`-style suffixes.
fn domain_labels(labels: &[&str]) -> usize {
    let n = labels.len();
    if n >= 3 {
        let sld = labels[n - 2];
        let tld = labels[n - 1];
        if tld.len() == 2
            && matches!(
                sld,
                "co" | "com" | "net" | "org" | "ac" | "gov" | "edu" | "ne" | "or" | "go" | "ltd"
            )
        {
            return 3;
        }
    }
    2.min(n)
}

/// `a`, `b`, ..., `z`, `aa`, `ab`, ...
fn letters(mut n: u64) -> String {
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Token digits for a number of `len` digits: `155501…n` for long numbers (the fictional 555-01xx
/// range), `5…n` for extensions.
fn phone_digits(len: usize, n: u64) -> String {
    let template = if len >= 8 { "155501" } else { "5" };
    let num = n.to_string();
    let mut t: Vec<u8> = template
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(len)
        .collect();
    let nb = num.as_bytes();
    let take = nb.len().min(len);
    let start = len - take;
    t[start..].copy_from_slice(&nb[nb.len() - take..]);
    String::from_utf8(t).unwrap_or_default()
}

/// Writes `digits` over the digits of `s`, in order, keeping everything else.
fn substitute_digits(s: &str, digits: &str) -> String {
    let mut d = digits.chars();
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                d.next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

enum Decoded {
    Utf8 { bom: bool, text: String },
    Utf16 { le: bool, text: String },
}

fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Decoded::Utf8 {
            bom: true,
            text: String::from_utf8_lossy(rest).into_owned(),
        };
    }
    for (bom, le) in [([0xFF, 0xFE], true), ([0xFE, 0xFF], false)] {
        if let Some(rest) = bytes.strip_prefix(&bom) {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| {
                    if le {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect();
            return Decoded::Utf16 {
                le,
                text: String::from_utf16_lossy(&units),
            };
        }
    }
    Decoded::Utf8 {
        bom: false,
        text: String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_tokens_keep_length() {
        assert_eq!(phone_digits(11, 1), "15550100001");
        assert_eq!(phone_digits(3, 1), "501");
        assert_eq!(phone_digits(4, 12), "5012");
        assert_eq!(
            substitute_digits("+1 (425) 555-0123", "15550100001"),
            "+1 (555) 010-0001"
        );
    }

    #[test]
    fn letters_count_like_columns() {
        assert_eq!(letters(1), "a");
        assert_eq!(letters(26), "z");
        assert_eq!(letters(27), "aa");
    }
}
