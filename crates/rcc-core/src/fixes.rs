//! The fix in the words of the admin's own tools: a finding's rule rendered through
//! `data/fix-templates.toml` for the case's server generation (the LCS / OCS consoles, or Lync
//! Server Management Shell commands ready to paste), with every placeholder the case can fill
//! filled in, and the others named with what they mean.
//!
//! Only findings with a template row get one; without a known generation there is none, and the
//! diagnosis asks for the generation instead of guessing the tool.

use crate::case::Case;
use crate::directory::{parse_option_flags, RccOn};
use crate::findings::FindingId;
use crate::generation::{self, Generation, HowToCollect};
use crate::knowledge::{data_json, load};
use crate::profile::Role;
use crate::routing::Rule;
use crate::sip::Transport;
use crate::uri;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The fix for one finding, written for one generation's tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminFix {
    /// The template row (`route-lync`, `trust-lcs-ocs`).
    pub template: String,
    pub generation: Generation,
    /// `mmc`, `aduc`, `powershell`, `ldifde` or `gateway`.
    pub tool: String,
    pub title: String,
    /// False when the generation has no such setting (`steps` then say what to do instead).
    pub applies: bool,
    pub steps: Vec<String>,
    /// The variant chosen for this case (by the rule's transport), when the row has variants.
    pub chosen: Option<FixVariant>,
    /// The row's other variants, filled in the same way.
    pub alternatives: Vec<FixVariant>,
    /// A command or step that shows the fix took effect.
    pub check: Option<String>,
    /// Placeholders the case could not fill, left as `<name>` in the text, with their meaning.
    pub to_fill: Vec<Placeholder>,
    /// The row is advice inferred from sources, not a documented procedure.
    pub inferred: bool,
    pub note: Option<String>,
    pub sources: Vec<String>,
}

/// One way to apply a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixVariant {
    pub id: String,
    pub label: String,
    pub when: String,
    /// Commands to paste, one per line.
    pub commands: Option<String>,
    pub steps: Vec<String>,
}

/// A placeholder left for the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholder {
    pub name: String,
    pub meaning: String,
}

#[derive(Deserialize)]
struct TemplateFile {
    fix: Vec<Template>,
    placeholder: Vec<Placeholder>,
    #[serde(default)]
    gateway: Vec<GatewayFacts>,
}

/// What a gateway vendor requires beyond Microsoft's own procedure (`[[gateway]]`).
#[derive(Deserialize)]
struct GatewayFacts {
    profile: String,
    #[serde(default)]
    requirement: Vec<Requirement>,
}

#[derive(Deserialize)]
struct Requirement {
    /// `microsoft`, or the gateway's side.
    side: String,
    generations: Vec<Generation>,
    findings: Vec<FindingId>,
    text: String,
    evidence: String,
}

/// What the evidence says caused a finding, where a fix template is written for that cause
/// only (`cause` in `data/fix-templates.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixCause {
    /// The TLS connection failed on the next hop's certificate (a code marked `tls_certificate`
    /// in `data/diagnostic-codes.toml`).
    Certificate,
}

#[derive(Deserialize)]
struct Template {
    id: String,
    finding: FindingId,
    #[serde(default)]
    cause: Option<FixCause>,
    generations: Vec<Generation>,
    applies: bool,
    tool: String,
    title: String,
    steps: Vec<String>,
    #[serde(default)]
    variant: Vec<VariantTemplate>,
    check: Option<String>,
    #[serde(default)]
    inferred: bool,
    note: Option<String>,
    #[serde(default)]
    source: Vec<String>,
}

#[derive(Deserialize)]
struct VariantTemplate {
    id: String,
    label: String,
    when: String,
    commands: Option<String>,
    #[serde(default)]
    steps: Vec<String>,
}

fn templates() -> &'static TemplateFile {
    static FILE: OnceLock<TemplateFile> = OnceLock::new();
    FILE.get_or_init(|| load("fix-templates", data_json!("fix-templates")))
}

/// Whether any generation has a template for `id` (the diagnosis asks for the generation only
/// when it would change the fix).
pub fn has_template(id: FindingId) -> bool {
    templates().fix.iter().any(|t| t.finding == id)
}

/// What the case's gateway requires for finding `id` (in the generation, when known), each
/// line saying which side it is done on; empty for gateways without vendor facts.
pub fn gateway_steps(id: FindingId, case: &Case) -> Vec<String> {
    let profile = &case.profile;
    let generation = case.generation.as_ref().map(|g| g.generation);
    let gateway = profile
        .line_server_host()
        .map_or("the gateway", |p| p.label.as_str());
    templates()
        .gateway
        .iter()
        .filter(|g| g.profile == profile.id)
        .flat_map(|g| &g.requirement)
        .filter(|r| {
            r.findings.contains(&id) && generation.is_none_or(|g| r.generations.contains(&g))
        })
        .map(|r| {
            let side = if r.side == "microsoft" {
                "On the LCS/OCS/Lync side".to_string()
            } else {
                format!("On {gateway}")
            };
            let basis = if r.evidence == "community" {
                " (from the vendor's integration notes)"
            } else {
                ""
            };
            format!("{side}: {}{basis}", r.text.trim_end_matches('.')) + "."
        })
        .collect()
}

/// How to collect `input` in `generation` (every generation's way when it is not known), the
/// commands filled in for `user` (`alice@contoso.com`), with what is left to fill named.
pub fn how_to_collect(
    input: generation::CollectInput,
    generation: Option<Generation>,
    user: Option<&str>,
) -> Vec<(HowToCollect, Vec<Placeholder>)> {
    let mut values = Values::default();
    values.set(
        "user",
        user.map(|u| u.trim().trim_start_matches("sip:").to_string()),
    );
    generation::how_to_collect(input, generation)
        .into_iter()
        .map(|row| {
            let mut missing = Vec::new();
            let mut row = row.clone();
            row.command = row.command.map(|c| values.fill(c.trim_end(), &mut missing));
            row.output = row.output.map(|o| values.fill(&o, &mut missing));
            row.steps = row
                .steps
                .iter()
                .map(|s| values.fill(s, &mut missing))
                .collect();
            (row, placeholders(missing))
        })
        .collect()
}

/// The meaning of each placeholder left in a text.
fn placeholders(names: Vec<String>) -> Vec<Placeholder> {
    names
        .into_iter()
        .map(|name| Placeholder {
            meaning: templates()
                .placeholder
                .iter()
                .find(|p| p.name == name)
                .map_or_else(String::new, |p| p.meaning.clone()),
            name,
        })
        .collect()
}

/// The values the case gives for the placeholders.
#[derive(Debug, Default)]
struct Values {
    pairs: Vec<(&'static str, String)>,
}

impl Values {
    fn set(&mut self, name: &'static str, value: Option<String>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            if !self.pairs.iter().any(|(n, _)| *n == name) {
                self.pairs.push((name, v));
            }
        }
    }

    /// `text` with known placeholders filled and unknown ones written `<name>` (and noted).
    fn fill(&self, text: &str, missing: &mut Vec<String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map(|c| open + c);
            let name = close.map(|c| &rest[open + 1..c]);
            match (close, name) {
                (Some(close), Some(name)) if name.starts_with("collect:") => {
                    // The first command of a how-to row, itself filled.
                    out.push_str(&rest[..open]);
                    let command = generation::collect_row(&name["collect:".len()..])
                        .and_then(|c| c.command.as_deref())
                        .and_then(|c| c.lines().map(str::trim).find(|l| !l.is_empty()));
                    match command {
                        Some(c) => out.push_str(&self.fill(c, missing)),
                        None => out.push_str(name),
                    }
                    rest = &rest[close + 1..];
                }
                (Some(close), Some(name))
                    if !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
                {
                    out.push_str(&rest[..open]);
                    match self.pairs.iter().find(|(n, _)| *n == name) {
                        Some((_, v)) => out.push_str(v),
                        None => {
                            out.push('<');
                            out.push_str(name);
                            out.push('>');
                            if !missing.iter().any(|m| m == name) {
                                missing.push(name.to_string());
                            }
                        }
                    }
                    rest = &rest[close + 1..];
                }
                _ => {
                    // Not a placeholder (PowerShell's @{Add=$r}): copy through the brace.
                    out.push_str(&rest[..=open]);
                    rest = &rest[open + 1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A route's next hop as LCS and OCS's Add Static Route dialog takes it: a name in "FQDN"
/// (with TLS only), an address in "IP address" (with TCP only).
fn next_hop_entry(next_hop: &str, transport: Transport) -> String {
    match (uri::is_ip(next_hop), transport) {
        (true, Transport::Tls) => format!(
            "\"IP address\" = {next_hop} is taken only with \"Transport\" TCP: for TLS enter \
             the FQDN its certificate names in \"FQDN\""
        ),
        (true, t) => format!(
            "\"IP address\" = {next_hop}, \"Transport\" {}",
            t.as_str().to_ascii_uppercase()
        ),
        (false, Transport::Tls) => format!("\"FQDN\" = {next_hop}, \"Transport\" TLS"),
        (false, _) => format!(
            "\"FQDN\" = {next_hop} is taken only with \"Transport\" TLS: for TCP enter its \
             IP address in \"IP address\""
        ),
    }
}

/// What the case and the finding's rule say about each placeholder.
fn values(case: &Case, rule: Option<&Rule>) -> Values {
    let mut v = Values::default();
    let profile = &case.profile;
    let topology = &case.topology;
    let fqdn_of = |role: Role| {
        profile
            .by_role(role)
            .and_then(|p| topology.fqdn(&p.id))
            .map(|f| f.trim_end_matches('.').to_string())
    };
    let gateway = profile
        .line_server_host()
        .and_then(|p| topology.entry(&p.id));
    match rule {
        Some(Rule::Route(r)) => {
            v.set("match_uri", Some(r.pattern.clone()));
            v.set("port", Some(r.port.to_string()));
            v.set("next_hop", Some(r.next_hop.clone()));
            v.set(
                "next_hop_entry",
                Some(next_hop_entry(&r.next_hop, r.transport)),
            );
            if uri::is_ip(&r.next_hop) {
                v.set("gateway_ip", Some(r.next_hop.clone()));
            } else {
                v.set("gateway_fqdn", Some(r.next_hop.clone()));
            }
        }
        Some(Rule::Authorize(h)) => {
            let (value, field) = if uri::is_ip(&h.host) {
                ("gateway_ip", "IP address")
            } else {
                ("gateway_fqdn", "FQDN")
            };
            v.set(value, Some(h.host.clone()));
            v.set("next_hop", Some(h.host.clone()));
            v.set("server_entry", Some(format!("\"{field}\" = {}", h.host)));
            // Where the gateway is seen to listen, else where the route to it sends, else
            // the profile's usual port.
            let port = gateway.and_then(|g| g.port).or(h.port).or_else(|| {
                profile
                    .line_server_host()
                    .and_then(|p| p.listens.as_ref())
                    .map(|l| l.port)
            });
            v.set("port", port.map(|p| p.to_string()));
        }
        None => {}
    }
    if let Some(g) = gateway {
        v.set("gateway_fqdn", g.fqdn.clone());
        v.set("gateway_ip", g.ips.first().cloned());
    }
    v.set(
        "rcc_host",
        profile.line_server_host().map(|p| p.label.clone()),
    );
    let home = fqdn_of(Role::HomeServer);
    v.set("pool_fqdn", home.clone());
    v.set("home_server_fqdn", home);
    v.set("app_proxy_fqdn", fqdn_of(Role::AppProxy));
    if let Some(u) = case.user_aor() {
        v.set(
            "user",
            Some(u.strip_prefix("sip:").unwrap_or(&u).to_string()),
        );
    }
    v.set("line_uri", case.line_uri.as_ref().map(|r| r.value.clone()));
    v.set(
        "line_server_uri",
        case.line_server_uri.as_ref().map(|r| r.value.clone()),
    );
    if let Some(line_server) = &case.line_server_uri {
        v.set(
            "match_uri",
            uri::UriView::parse(&line_server.value).map(|u| u.host_key()),
        );
    }
    v.set(
        "option_flags",
        case.option_flags
            .as_ref()
            .and_then(|f| parse_option_flags(&f.value).ok())
            .map(|n| RccOn::from_flags(n).value().to_string()),
    );
    v
}

/// The variant a case's rule picks: its transport, else the row's default.
fn chosen_variant(t: &Template, rule: Option<&Rule>) -> Option<usize> {
    let tcp = match rule {
        Some(Rule::Route(r)) => Some(r.transport == Transport::Tcp),
        Some(Rule::Authorize(h)) => Some(uri::is_ip(&h.host)),
        None => None,
    };
    // A route for a pool that has its own static routing collection goes into that one.
    let pool = matches!(rule, Some(Rule::Route(r)) if r.collection.is_some());
    let by_transport = tcp.and_then(|tcp| {
        let want = if tcp { "tcp" } else { "tls" };
        let of_transport = |v: &&VariantTemplate| v.id.split('-').next() == Some(want);
        let in_pool = format!("{want}-pool");
        pool.then(|| t.variant.iter().position(|v| v.id == in_pool))
            .flatten()
            .or_else(|| t.variant.iter().position(|v| of_transport(&v)))
    });
    by_transport.or_else(|| {
        t.variant
            .iter()
            .position(|v| v.when.trim().eq_ignore_ascii_case("default."))
    })
}

/// The fix for finding `id` in the case's generation, or None (no template, or no generation):
/// the row written for `cause` where there is one, else the finding's general row.
pub fn admin_fix(
    id: FindingId,
    case: &Case,
    rule: Option<&Rule>,
    cause: Option<FixCause>,
) -> Option<AdminFix> {
    let generation = case.generation.as_ref()?.generation;
    let row = |cause: Option<FixCause>| {
        templates()
            .fix
            .iter()
            .find(|t| t.finding == id && t.cause == cause && t.generations.contains(&generation))
    };
    let t = cause.and_then(|c| row(Some(c))).or_else(|| row(None))?;
    let values = values(case, rule);
    let mut missing = Vec::new();
    let mut fill = |s: &str| values.fill(s, &mut missing);
    let steps = t.steps.iter().map(|s| fill(s)).collect();
    let chosen_at = chosen_variant(t, rule);
    let check = t.check.as_deref().map(&mut fill);
    let note = t.note.as_deref().map(&mut fill);
    let variant = |v: &VariantTemplate, missing: &mut Vec<String>| FixVariant {
        id: v.id.clone(),
        label: v.label.clone(),
        when: values.fill(&v.when, missing),
        commands: v
            .commands
            .as_deref()
            .map(|c| values.fill(c.trim_end(), missing)),
        steps: v.steps.iter().map(|s| values.fill(s, missing)).collect(),
    };
    let chosen = chosen_at.map(|i| variant(&t.variant[i], &mut missing));
    // The alternatives show their own `<name>`s; `to_fill` lists what the chosen way needs.
    let alternatives = t
        .variant
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != chosen_at)
        .map(|(_, v)| variant(v, &mut Vec::new()))
        .collect();
    let to_fill = placeholders(missing);
    Some(AdminFix {
        template: t.id.clone(),
        generation,
        tool: t.tool.clone(),
        title: t.title.clone(),
        applies: t.applies,
        steps,
        chosen,
        alternatives,
        check,
        to_fill,
        inferred: t.inferred,
        note,
        sources: t.source.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_names_a_catalog_finding_and_every_placeholder_has_a_meaning() {
        let file = templates();
        assert!(!file.fix.is_empty());
        let mut missing = Vec::new();
        let empty = Values::default();
        for t in &file.fix {
            assert!(!t.generations.is_empty(), "{}", t.id);
            let mut texts: Vec<&str> = t.steps.iter().map(String::as_str).collect();
            texts.extend(t.check.as_deref());
            texts.extend(t.note.as_deref());
            for v in &t.variant {
                texts.extend(v.commands.as_deref());
                texts.push(&v.when);
                texts.extend(v.steps.iter().map(String::as_str));
            }
            for text in texts {
                empty.fill(text, &mut missing);
            }
        }
        for name in &missing {
            assert!(
                file.placeholder.iter().any(|p| &p.name == name),
                "placeholder {{{name}}} has no [[placeholder]] row"
            );
        }
        for id in [
            FindingId::HomeServerRouteMissing,
            FindingId::HostNotAuthorized,
            FindingId::RccNotEnabled,
            FindingId::AppProxyReturnRouteMissing,
        ] {
            for g in Generation::ALL {
                assert!(
                    file.fix
                        .iter()
                        .any(|t| t.finding == id && t.generations.contains(&g)),
                    "no {id} template for {}",
                    g.id()
                );
            }
        }
        // A row for a cause sits beside the finding's general row, and no two rows compete.
        for t in &file.fix {
            for g in &t.generations {
                let same = |u: &&Template| {
                    u.finding == t.finding && u.cause == t.cause && u.generations.contains(g)
                };
                assert_eq!(
                    file.fix.iter().filter(same).count(),
                    1,
                    "{} in {}",
                    t.id,
                    g.id()
                );
                if t.cause.is_some() {
                    assert!(
                        file.fix.iter().any(|u| u.finding == t.finding
                            && u.cause.is_none()
                            && u.generations.contains(g)),
                        "{}: no general row beside it in {}",
                        t.id,
                        g.id()
                    );
                }
            }
        }
    }

    #[test]
    fn every_collect_reference_names_a_how_to_row_with_a_command() {
        for t in &templates().fix {
            let texts = t.steps.iter().chain(t.check.iter());
            for text in texts {
                for part in text.split("{collect:").skip(1) {
                    let id = part.split('}').next().unwrap();
                    let row = generation::collect_row(id)
                        .unwrap_or_else(|| panic!("{}: no [[collect]] row {id}", t.id));
                    assert!(row.command.is_some(), "{}: {id} has no command", t.id);
                }
            }
        }
    }

    #[test]
    fn every_gateway_names_a_shipped_profile_and_each_requirement_a_finding() {
        for g in &templates().gateway {
            assert!(
                crate::profile::profile(&g.profile).is_some(),
                "[[gateway]] {} is not a shipped profile",
                g.profile
            );
            for r in &g.requirement {
                assert!(
                    !r.findings.is_empty() && !r.generations.is_empty(),
                    "{}",
                    r.text
                );
            }
        }
    }

    #[test]
    fn export_commands_are_filled_for_the_user() {
        use generation::CollectInput;
        let rows = how_to_collect(
            CollectInput::UserAttributes,
            Some(Generation::Ocs2007R2),
            Some("sip:alice@contoso.com"),
        );
        let (ldifde, left) = rows
            .iter()
            .find(|(r, _)| r.id == "user-attributes-ldifde")
            .expect("ldifde for OCS 2007 R2");
        let cmd = ldifde.command.as_deref().unwrap();
        assert!(
            cmd.contains("(msRTCSIP-PrimaryUserAddress=sip:alice@contoso.com)"),
            "{cmd}"
        );
        assert!(cmd.contains("<out_dir>"), "{cmd}");
        assert_eq!(
            left.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["out_dir"]
        );
        assert!(!left[0].meaning.is_empty());
        let lync = how_to_collect(
            CollectInput::UserAttributes,
            Some(Generation::Lync2013),
            None,
        );
        assert!(lync
            .iter()
            .any(|(r, left)| r.id == "user-attributes-get-csuser"
                && left.iter().any(|p| p.name == "user")));
    }

    #[test]
    fn fill_keeps_powershell_braces_and_marks_what_is_missing() {
        let mut v = Values::default();
        v.set("match_uri", Some("fabrikam.net".into()));
        let mut missing = Vec::new();
        let out = v.fill(
            "$r = New-CsStaticRoute -MatchUri \"{match_uri}\" -Port {port}\nSet-CsStaticRoutingConfiguration -Route @{Add=$r}",
            &mut missing,
        );
        assert_eq!(
            out,
            "$r = New-CsStaticRoute -MatchUri \"fabrikam.net\" -Port <port>\nSet-CsStaticRoutingConfiguration -Route @{Add=$r}"
        );
        assert_eq!(missing, ["port"]);
    }
}
