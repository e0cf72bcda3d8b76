//! Reports: the diagnosis as Markdown (paste into a ticket), JSON (tooling; the schema of
//! `docs/report-schema.md`) and a self-contained printable HTML page (inline CSS with a print
//! stylesheet, diagrams as inline SVG, no external references, works offline).
//!
//! Callers supply what the core cannot know: the time ([`ReportInput::generated_at`]) and the
//! diagrams (rendered SVG). Run the inputs through [`crate::redact`] first when the report
//! leaves the organisation; the report itself copies text as given.

use crate::analysis::AnalysisSummary;
use crate::diagnosis::{Diagnosis, Finding, LegState};
use crate::evidence::Evidence;
use crate::findings::{FindingId, Severity};
use crate::fixes::AdminFix;
use crate::version::VERSION;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// `n` and the noun it counts, singular for one: "1 dialog", "3 dialogs" (every noun the
/// summaries count takes a plain -s).
pub fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The tool name written in every report.
pub const TOOL_NAME: &str = "rcc-doctor";

/// One input log as summarised in reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFileSummary {
    pub name: String,
    /// Format label, e.g. `Communicator/UCCAPI client trace`.
    pub format: String,
    pub messages: usize,
    /// Messages that are legal SIP as written.
    pub clean: usize,
    /// Messages made legal by a mechanical, lossless repair (LF-only line ends, an indent).
    pub repaired: usize,
    /// Messages that are really wrong somewhere; `problems` says where and what.
    pub partly_parsed: usize,
    /// Non-SIP records kept as evidence (server diagnostic records, lone ms-diagnostics lines).
    pub events: usize,
    pub lines: u32,
    /// What the reader has to say about the file, each on its line: text that is not SIP,
    /// truncation, binary data, and every fault of a partly parsed message.
    pub problems: Vec<crate::ingest::Problem>,
    /// False when the report was made while the messages were still being graded (the page,
    /// in the second after a large log's diagnosis): the grades and their faults are not in.
    #[serde(
        default = "crate::ingest::graded_by_default",
        skip_serializing_if = "crate::ingest::is_true"
    )]
    pub graded: bool,
}

impl From<&crate::ingest::FileReport> for InputFileSummary {
    fn from(f: &crate::ingest::FileReport) -> InputFileSummary {
        InputFileSummary {
            name: f.name.clone(),
            format: f.format.label().to_string(),
            messages: f.messages,
            clean: f.clean,
            repaired: f.repaired,
            partly_parsed: f.partial,
            events: f.events,
            lines: f.lines,
            problems: f.problems.clone(),
            graded: f.graded,
        }
    }
}

/// Rendered diagrams (SVG documents), inlined into the HTML report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagrams {
    pub flow_svg: String,
    pub ladder_svg: String,
}

/// What the report says about its inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInput {
    /// Gateway profile name (as shown to the user).
    pub profile: String,
    pub files: Vec<InputFileSummary>,
    /// One line about the AD attributes (`None` = not supplied).
    pub ad: Option<String>,
    /// One line about the routing rules (`None` = not supplied).
    pub rules: Option<String>,
    /// Usually [`VERSION`].
    pub tool_version: String,
    /// When the report was made, as the caller writes it (e.g. `2026-11-26 08:00 UTC`).
    pub generated_at: String,
    /// Flow and ladder diagrams (HTML only).
    pub diagrams: Option<Diagrams>,
    /// The directory checks (empty when no AD attributes were given).
    pub checks: Vec<crate::directory::Check>,
    /// Participant ids and their labels, so people read "Home Server", not `home-server`.
    #[serde(default)]
    pub participants: Vec<(String, String)>,
    /// One line about the gateway the logs name (`None` = none named).
    #[serde(default)]
    pub gateway_in_logs: Option<String>,
}

impl ReportInput {
    /// This summary with file names and summaries redacted by `r` (the map the logs were
    /// redacted with). Diagrams are kept as given: render them from the redacted diagnosis.
    pub fn redacted(&self, r: &mut crate::redact::Redactor) -> ReportInput {
        let mut i = self.clone();
        for f in &mut i.files {
            f.name = r.redact_snippet(&f.name);
        }
        i.ad = i.ad.as_deref().map(|s| r.redact_snippet(s));
        i.rules = i.rules.as_deref().map(|s| r.redact_snippet(s));
        i.gateway_in_logs = i.gateway_in_logs.as_deref().map(|s| r.redact_snippet(s));
        for c in &mut i.checks {
            c.why = r.redact_snippet(&c.why);
            c.value = c.value.as_deref().map(|v| r.redact_snippet(v));
            c.fix = c.fix.iter().map(|f| r.redact_snippet(f)).collect();
            c.evidence = c.evidence.iter().map(|e| r.redact_evidence(e)).collect();
        }
        i
    }

    /// A participant's label (its id when the report does not know it).
    pub fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.participants
            .iter()
            .find(|(i, _)| i == id)
            .map_or(id, |(_, l)| l.as_str())
    }
}

impl ReportInput {
    /// The input summary of an analysis (diagrams left out: add them if rendered).
    pub fn from_summary(a: &AnalysisSummary, generated_at: &str) -> ReportInput {
        Self::from_parts(
            Parts {
                profile: &a.profile,
                files: &a.files,
                ad_paste: &a.ad_paste,
                ad: a.ad.as_ref(),
                rules: a.rules.as_ref(),
                checks: &a.checks,
                gateway_seen: a.case.gateway_seen.as_ref(),
            },
            generated_at,
        )
    }

    fn from_parts(a: Parts<'_>, generated_at: &str) -> ReportInput {
        let ad = (!a.ad_paste.recognised.is_empty() || a.ad.is_some()).then(|| {
            format!(
                "{}: {} recognised, {} ignored, {}",
                a.ad_paste.format.label(),
                counted(a.ad_paste.recognised.len(), "attribute"),
                counted(a.ad_paste.ignored.len(), "line"),
                counted(a.ad_paste.problems.len(), "problem")
            )
        });
        let rules = a.rules.map(|r| {
            let part = |label: &str, v: Option<usize>| match v {
                Some(n) => format!("{label}: {n}"),
                None => format!("{label}: not supplied"),
            };
            format!(
                "{}; {}; {}; {}",
                part(
                    "Home Server routes",
                    r.config.home_server.as_ref().map(Vec::len)
                ),
                part(
                    "host authorization rows",
                    r.config.host_authorization.as_ref().map(Vec::len)
                ),
                part(
                    "Application Proxy routes",
                    r.config.app_proxy.as_ref().map(Vec::len)
                ),
                counted(r.problems.len(), "problem")
            )
        });
        ReportInput {
            profile: a.profile.name.clone(),
            files: a.files.iter().map(InputFileSummary::from).collect(),
            ad,
            rules,
            tool_version: VERSION.to_string(),
            generated_at: generated_at.to_string(),
            diagrams: None,
            checks: a.checks.to_vec(),
            participants: a
                .profile
                .participants
                .iter()
                .map(|p| (p.id.clone(), p.label.clone()))
                .collect(),
            gateway_in_logs: a.gateway_seen.map(|g| {
                let name =
                    crate::profile::profile(&g.profile).map_or(g.profile.clone(), |p| p.name);
                format!("{} ({name}), {}", g.product, g.evidence.label())
            }),
        }
    }
}

/// What a report reads of an analysis, borrowed from a full one or from its summary.
struct Parts<'a> {
    profile: &'a crate::profile::Profile,
    files: &'a [crate::ingest::FileReport],
    ad_paste: &'a crate::directory::AdPaste,
    ad: Option<&'a crate::directory::AdAttributes>,
    rules: Option<&'a crate::routing::ParsedRules>,
    checks: &'a [crate::directory::Check],
    gateway_seen: Option<&'a crate::routing::GatewaySeen>,
}

fn severity_word(s: Severity) -> &'static str {
    s.as_str()
}

fn state_word(s: LegState) -> &'static str {
    s.label()
}

/// One line for a ticket title or summary: the first error (or warning), and how many more.
pub fn summary_line(d: &Diagnosis) -> String {
    let problems: Vec<_> = d
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .collect();
    match problems.first() {
        None if d.has(FindingId::AllClear) => {
            "Remote call control: no problem found (all clear).".to_string()
        }
        None => "Remote call control: no finding yet; more evidence is needed.".to_string(),
        Some(f) => {
            let more = problems.len() - 1;
            let tail = match more {
                0 => String::new(),
                1 => " (+1 more finding)".to_string(),
                n => format!(" (+{n} more findings)"),
            };
            format!(
                "Remote call control fails: {} [{}]{tail}",
                f.title,
                severity_word(f.severity)
            )
        }
    }
}

fn evidence_excerpt(e: &Evidence) -> Option<&str> {
    match e {
        Evidence::Log { excerpt, .. } if !excerpt.is_empty() => Some(excerpt),
        _ => None,
    }
}

/// Evidence lines a ticket summary quotes at most.
const TICKET_EVIDENCE: usize = 3;

/// A short summary to paste into a ticket: about ten lines, in the participants' words (never
/// their ids): the verdict, the finding, the failing leg, the rule to add and where, the evidence
/// lines that show it, the other findings by title, and what the analysis read. The full report
/// is [`to_markdown`].
pub fn ticket_summary(input: &ReportInput, d: &Diagnosis) -> String {
    let mut o = Vec::new();
    o.push(summary_line(d));
    let problems: Vec<_> = d
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .collect();
    if let Some(f) = problems.first() {
        o.push(format!(
            "Finding: {} ({}, {} confidence)",
            f.title,
            f.id.as_str(),
            f.confidence.as_str()
        ));
        let leg = f.leg.clone().or_else(|| d.failing_leg().map(|l| l.leg()));
        if let Some(l) = &leg {
            o.push(format!(
                "Failing leg: {} → {}: {}",
                input.label(&l.from),
                input.label(&l.to),
                l.message
            ));
        }
        if let Some(rule) = &f.rule {
            match &leg {
                Some(l) => o.push(format!(
                    "Rule to add on the {}: {rule}",
                    input.label(&l.from)
                )),
                None => o.push(format!("Rule to add: {rule}")),
            }
        }
        let evidence: Vec<String> = f
            .evidence
            .iter()
            .take(TICKET_EVIDENCE)
            .map(
                |e| match evidence_excerpt(e).and_then(|x| x.lines().next()) {
                    Some(x) => format!("- {}: {}", e.label(), x.trim()),
                    None => format!("- {}", e.label()),
                },
            )
            .collect();
        if !evidence.is_empty() {
            let more = f.evidence.len().saturating_sub(TICKET_EVIDENCE);
            o.push(if more > 0 {
                format!("Evidence ({more} more in the full report):")
            } else {
                "Evidence:".to_string()
            });
            o.extend(evidence);
        }
        if !f.assumptions.is_empty() {
            o.push(format!(
                "How sure: rests on {}, listed in the full report.",
                counted(f.assumptions.len(), "assumption")
            ));
        }
        for other in problems.iter().skip(1).take(2) {
            o.push(match &other.rule {
                Some(rule) => format!("Also: {} (rule to add: {rule})", other.title),
                None => format!("Also: {}", other.title),
            });
        }
    } else {
        for n in d.needed.iter().take(2) {
            o.push(format!(
                "Still needed: {} ({} step)",
                n.what,
                n.step.label()
            ));
        }
    }
    let logs = match input.files.len() {
        0 => "no logs".to_string(),
        1 => format!("1 log ({})", input.files[0].name),
        n => format!("{n} logs"),
    };
    o.push(format!(
        "Read: {logs}; AD attributes {}; routing rules {}; gateway {}. {TOOL_NAME} {}",
        if input.ad.is_some() {
            "given"
        } else {
            "not given"
        },
        if input.rules.is_some() {
            "given"
        } else {
            "not given"
        },
        input.profile,
        input.tool_version
    ));
    o.join("\n") + "\n"
}

// --- Markdown -----------------------------------------------------------------------------------

/// A code fence longer than any backtick run in `s`.
fn fence(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Inline code that survives backticks in the text.
fn code(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.contains('`') {
        format!("`` {one_line} ``")
    } else {
        format!("`{one_line}`")
    }
}

/// Markdown-safe table cell / inline text.
fn md_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.replace(['\n', '\r'], " ").chars() {
        if matches!(
            c,
            '|' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '`' | '\\'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The diagnosis as ticket-ready Markdown (headings documented in `docs/report-schema.md`).
/// A flow leg's message as the reports list it: what it is shown saying, and the other message
/// it names (as the CLI and the diagram's list say them).
fn leg_message(l: &crate::diagnosis::FlowLeg) -> String {
    use crate::diagnosis::OtherMessage;
    let shown = l.shown_message();
    match l.other_message() {
        Some(OtherMessage::Expected(m)) => format!("{shown} (expected: {m})"),
        Some(OtherMessage::Seen(m)) => format!("{shown} (seen: {m})"),
        None => shown.to_string(),
    }
}

pub fn to_markdown(input: &ReportInput, d: &Diagnosis) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# RCC Doctor report\n");
    let _ = writeln!(o, "**Summary:** {}\n", md_text(&summary_line(d)));
    let _ = writeln!(o, "## Findings\n");
    if d.findings.is_empty() {
        let _ = writeln!(
            o,
            "No findings: the evidence given does not decide anything yet (see *Evidence still needed*).\n"
        );
    }
    for (n, f) in d.findings.iter().enumerate() {
        let _ = writeln!(
            o,
            "### {}. [{}] {}\n",
            n + 1,
            severity_word(f.severity).to_uppercase(),
            md_text(&f.title)
        );
        let _ = writeln!(o, "- **Id:** {}", code(f.id.as_str()));
        let _ = writeln!(
            o,
            "- **Severity:** {} · **Confidence:** {}",
            severity_word(f.severity),
            f.confidence.as_str()
        );
        if let Some(l) = &f.leg {
            let _ = writeln!(
                o,
                "- **Failing leg:** {} → {}: {}",
                md_text(input.label(&l.from)),
                md_text(input.label(&l.to)),
                md_text(&l.message)
            );
        }
        let _ = writeln!(o, "\n{}\n", md_text(&f.explanation));
        if let Some(rule) = &f.rule {
            let fe = fence(rule);
            let _ = writeln!(o, "**Rule to add:**\n\n{fe}text\n{rule}\n{fe}\n");
        }
        if !f.evidence.is_empty() {
            let _ = writeln!(o, "**Evidence:**\n");
            for e in &f.evidence {
                match evidence_excerpt(e) {
                    Some(x) => {
                        let _ = writeln!(o, "- {} — {}", code(&e.label()), code(x));
                    }
                    None => {
                        let _ = writeln!(o, "- {}", code(&e.label()));
                    }
                }
            }
            o.push('\n');
        }
        if !f.fix.is_empty() {
            let _ = writeln!(o, "**Fix:**\n");
            for (k, step) in f.fix.iter().enumerate() {
                let _ = writeln!(o, "{}. {}", k + 1, md_text(step));
            }
            o.push('\n');
        }
        if let Some(fix) = &f.admin_fix {
            let _ = writeln!(
                o,
                "**Fix in {} ({}):** {}{}\n",
                md_text(fix.generation.name()),
                md_text(&fix.tool),
                md_text(&fix.title),
                if fix.inferred { " *(inferred)*" } else { "" }
            );
            for (k, step) in fix.steps.iter().enumerate() {
                let _ = writeln!(o, "{}. {}", k + 1, md_text(step));
            }
            o.push('\n');
            for v in fix.chosen.iter().chain(&fix.alternatives) {
                let _ = writeln!(o, "*{}* — {}\n", md_text(&v.label), md_text(&v.when));
                if let Some(c) = &v.commands {
                    let fe = fence(c);
                    let _ = writeln!(o, "{fe}powershell\n{c}\n{fe}\n");
                }
                for step in &v.steps {
                    let _ = writeln!(o, "- {}", md_text(step));
                }
            }
            for p in &fix.to_fill {
                let _ = writeln!(
                    o,
                    "- Fill {}: {}",
                    code(&format!("<{}>", p.name)),
                    md_text(&p.meaning)
                );
            }
            if let Some(c) = &fix.check {
                let _ = writeln!(o, "\n**Check:** {}\n", code(c));
            }
        }
    }
    let _ = writeln!(o, "## Flow\n");
    if d.flow.is_empty() {
        let _ = writeln!(o, "No flow: no logs were read.\n");
    } else {
        let _ = writeln!(o, "| # | From | To | Message | State |");
        let _ = writeln!(o, "|---|---|---|---|---|");
        for (n, l) in d.flow.iter().enumerate() {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                n + 1,
                md_text(input.label(&l.from)),
                md_text(input.label(&l.to)),
                md_text(&leg_message(l)),
                state_word(l.state)
            );
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## Evidence still needed\n");
    if d.needed.is_empty() {
        let _ = writeln!(o, "Nothing: the evidence given is enough.\n");
    } else {
        for n in &d.needed {
            let _ = writeln!(
                o,
                "- {} (wizard step: {})",
                md_text(&n.what),
                code(n.step.id())
            );
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## Inputs\n");
    let _ = writeln!(o, "- **Gateway profile:** {}", md_text(&input.profile));
    if let Some(g) = &input.gateway_in_logs {
        let _ = writeln!(o, "- **Gateway the logs name:** {}", md_text(g));
    }
    let _ = writeln!(o, "- **Generated:** {}", md_text(&input.generated_at));
    let _ = writeln!(
        o,
        "- **Active Directory:** {}",
        md_text(input.ad.as_deref().unwrap_or("not supplied"))
    );
    let _ = writeln!(
        o,
        "- **Routing rules:** {}",
        md_text(input.rules.as_deref().unwrap_or("not supplied"))
    );
    if input.files.is_empty() {
        let _ = writeln!(o, "- **Logs:** none");
    } else {
        let _ = writeln!(o, "- **Logs:**\n");
        let _ = writeln!(o, "| File | Format | Messages | Records | Lines |");
        let _ = writeln!(o, "|---|---|---|---|---|");
        for f in &input.files {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                md_text(&f.name),
                md_text(&f.format),
                f.messages,
                f.events,
                f.lines
            );
        }
    }
    let _ = writeln!(
        o,
        "\n---\n_Generated by {TOOL_NAME} {}_",
        md_text(&input.tool_version)
    );
    o
}

// --- JSON ---------------------------------------------------------------------------------------

/// The report as a JSON value (schema in `docs/report-schema.md`).
pub fn to_json_value(input: &ReportInput, d: &Diagnosis) -> serde_json::Value {
    serde_json::json!({
        "tool": { "name": TOOL_NAME, "version": input.tool_version },
        "findings": d.findings,
        "flow": d.flow,
        "needed": d.needed,
        "generation": d.generation,
        "checks": input.checks,
        "inputs": {
            "profile": input.profile,
            "generated_at": input.generated_at,
            "files": input.files,
            "ad": input.ad,
            "rules": input.rules,
            "participants": input.participants,
            "gateway_in_logs": input.gateway_in_logs,
        },
    })
}

/// The report as pretty-printed JSON.
pub fn to_json(input: &ReportInput, d: &Diagnosis) -> String {
    serde_json::to_string_pretty(&to_json_value(input, d)).unwrap_or_else(|_| "{}".to_string())
}

// --- HTML ---------------------------------------------------------------------------------------

/// HTML-escapes text for element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// An SVG document made safe to inline: prolog and doctype removed; `None` when it contains
/// script, event handlers, `foreignObject`, or any reference outside the document.
pub fn inline_svg(svg: &str) -> Option<String> {
    let start = svg.find("<svg")?;
    let end = svg.rfind("</svg>")? + "</svg>".len();
    if end <= start {
        return None;
    }
    let body = &svg[start..end];
    let lower = body.to_ascii_lowercase();
    let bad = [
        "<script",
        "javascript:",
        "<foreignobject",
        "@import",
        "url(http",
        "url(//",
        "href=\"http",
        "href='http",
        "href=\"//",
        "href='//",
        "src=",
        "<iframe",
        "<!entity",
    ];
    if bad.iter().any(|b| lower.contains(b)) {
        return None;
    }
    // on* event handler attributes.
    for (i, w) in lower.match_indices(" on") {
        let rest = &lower[i + w.len()..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if name_len > 0 && rest[name_len..].trim_start().starts_with('=') {
            return None;
        }
    }
    Some(body.to_string())
}

const CSS: &str = r#"
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#ffffff; --soft:#f6f8fa;
  --error:#b42318; --warning:#9a6700; --info:#0b6bcb; --ok:#1a7f37; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.summary { font-size: 1.1rem; padding: .75rem 1rem; background: var(--soft); border-left: 4px solid var(--info); }
.finding { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
.finding.error { border-left-color: var(--error); }
.finding.warning { border-left-color: var(--warning); }
.finding.info { border-left-color: var(--info); }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em;
  padding: .05rem .45rem; border-radius: 999px; color: #fff; margin-right: .4rem; vertical-align: middle; }
.badge.error { background: var(--error); } .badge.warning { background: var(--warning); } .badge.info { background: var(--info); }
.id, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: .6rem .8rem;
  white-space: pre-wrap; word-break: break-word; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dt { color: var(--muted); } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
.state-ok { color: var(--ok); } .state-failing, .state-missing-route { color: var(--error); font-weight: 600; }
.state-not-reached { color: var(--muted); }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: .75rem; }
@media print {
  @page { margin: 15mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .finding, figure, pre, tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .summary { border-left-color: #000; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The diagnosis as one self-contained, printable HTML page (no external references).
pub fn to_html(input: &ReportInput, d: &Diagnosis) -> String {
    let mut o = String::new();
    html_head(&mut o, input, d);
    html_findings(&mut o, input, d);
    if let Some(dg) = &input.diagrams {
        html_diagrams(&mut o, dg);
    }
    html_flow(&mut o, input, d);
    html_needed(&mut o, d);
    html_inputs(&mut o, input);
    o
}

/// The document head (with the style sheet), the title, the meta line and the summary.
fn html_head(o: &mut String, input: &ReportInput, d: &Diagnosis) {
    let e = escape_html;
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n<title>RCC Doctor report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        TOOL_NAME,
        e(&input.tool_version)
    );
    let _ = writeln!(o, "<h1>RCC Doctor report</h1>");
    let _ = writeln!(
        o,
        "<p class=\"meta\">Gateway profile: {} · generated {} · {} {}</p>",
        e(&input.profile),
        e(&input.generated_at),
        TOOL_NAME,
        e(&input.tool_version)
    );
    let _ = writeln!(o, "<p class=\"summary\">{}</p>", e(&summary_line(d)));
}

/// The findings, one article each.
fn html_findings(o: &mut String, input: &ReportInput, d: &Diagnosis) {
    let _ = writeln!(o, "<section id=\"findings\">\n<h2>Findings</h2>");
    if d.findings.is_empty() {
        let _ = writeln!(
            o,
            "<p>No findings: the evidence given does not decide anything yet.</p>"
        );
    }
    for (n, f) in d.findings.iter().enumerate() {
        html_finding(o, input, n, f);
    }
    let _ = writeln!(o, "</section>");
}

/// Finding `n` (from 0): its id, confidence, leg, explanation, rule, evidence and fixes.
fn html_finding(o: &mut String, input: &ReportInput, n: usize, f: &Finding) {
    let e = escape_html;
    let sev = severity_word(f.severity);
    let _ = writeln!(o, "<article class=\"finding {sev}\">");
    let _ = writeln!(
        o,
        "<h3><span class=\"badge {sev}\">{sev}</span>{}. {}</h3>",
        n + 1,
        e(&f.title)
    );
    let conf = serde_json::to_value(f.confidence)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let _ = write!(
        o,
        "<dl><dt>Id</dt><dd class=\"id\">{}</dd><dt>Confidence</dt><dd>{}</dd>",
        e(f.id.as_str()),
        e(&conf)
    );
    if let Some(l) = &f.leg {
        let _ = write!(
            o,
            "<dt>Failing leg</dt><dd>{} → {}: {}</dd>",
            e(input.label(&l.from)),
            e(input.label(&l.to)),
            e(&l.message)
        );
    }
    let _ = writeln!(o, "</dl>");
    let _ = writeln!(o, "<p>{}</p>", e(&f.explanation));
    if let Some(rule) = &f.rule {
        let _ = writeln!(o, "<h4>Rule to add</h4>\n<pre>{}</pre>", e(rule));
    }
    if !f.evidence.is_empty() {
        let _ = writeln!(o, "<h4>Evidence</h4>\n<ul>");
        for ev in &f.evidence {
            match evidence_excerpt(ev) {
                Some(x) => {
                    let _ = writeln!(
                        o,
                        "<li><code>{}</code><pre>{}</pre></li>",
                        e(&ev.label()),
                        e(x)
                    );
                }
                None => {
                    let _ = writeln!(o, "<li><code>{}</code></li>", e(&ev.label()));
                }
            }
        }
        let _ = writeln!(o, "</ul>");
    }
    if !f.fix.is_empty() {
        let _ = writeln!(o, "<h4>Fix</h4>\n<ol>");
        for step in &f.fix {
            let _ = writeln!(o, "<li>{}</li>", e(step));
        }
        let _ = writeln!(o, "</ol>");
    }
    if let Some(fix) = &f.admin_fix {
        html_admin_fix(o, fix);
    }
    let _ = writeln!(o, "</article>");
}

/// A finding's fix in the words of its server generation's admin tool.
fn html_admin_fix(o: &mut String, fix: &AdminFix) {
    let e = escape_html;
    let _ = writeln!(
        o,
        "<h4>Fix in {} ({}): {}{}</h4>\n<ol>",
        e(fix.generation.name()),
        e(&fix.tool),
        e(&fix.title),
        if fix.inferred { " (inferred)" } else { "" }
    );
    for step in &fix.steps {
        let _ = writeln!(o, "<li>{}</li>", e(step));
    }
    let _ = writeln!(o, "</ol>");
    for v in fix.chosen.iter().chain(&fix.alternatives) {
        let _ = writeln!(o, "<p><strong>{}</strong>: {}</p>", e(&v.label), e(&v.when));
        if let Some(c) = &v.commands {
            let _ = writeln!(o, "<pre>{}</pre>", e(c));
        }
        if !v.steps.is_empty() {
            let _ = writeln!(o, "<ul>");
            for step in &v.steps {
                let _ = writeln!(o, "<li>{}</li>", e(step));
            }
            let _ = writeln!(o, "</ul>");
        }
    }
    if !fix.to_fill.is_empty() {
        let _ = writeln!(o, "<ul>");
        for p in &fix.to_fill {
            let _ = writeln!(
                o,
                "<li>Fill <code>&lt;{}&gt;</code>: {}</li>",
                e(&p.name),
                e(&p.meaning)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    if let Some(c) = &fix.check {
        let _ = writeln!(o, "<p>Check: <code>{}</code></p>", e(c));
    }
}

/// The flow and ladder diagrams, inlined when they are self-contained SVG.
fn html_diagrams(o: &mut String, dg: &Diagrams) {
    let e = escape_html;
    let _ = writeln!(o, "<section id=\"diagrams\">\n<h2>Diagrams</h2>");
    for (caption, svg) in [
        ("Flow: where the request stops", &dg.flow_svg),
        ("Message ladder", &dg.ladder_svg),
    ] {
        match inline_svg(svg) {
            Some(s) => {
                let _ = writeln!(
                    o,
                    "<figure>{s}<figcaption>{}</figcaption></figure>",
                    e(caption)
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "<p class=\"meta\">{}: diagram left out (not a self-contained SVG).</p>",
                    e(caption)
                );
            }
        }
    }
    let _ = writeln!(o, "</section>");
}

/// The flow as a table, one row per leg.
fn html_flow(o: &mut String, input: &ReportInput, d: &Diagnosis) {
    let e = escape_html;
    let _ = writeln!(o, "<section id=\"flow\">\n<h2>Flow</h2>");
    if d.flow.is_empty() {
        let _ = writeln!(o, "<p>No flow: no logs were read.</p>");
    } else {
        let _ = writeln!(
            o,
            "<table><thead><tr><th>#</th><th>From</th><th>To</th><th>Message</th><th>State</th></tr></thead><tbody>"
        );
        for (n, l) in d.flow.iter().enumerate() {
            let st = state_word(l.state);
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"state-{}\">{}</td></tr>",
                n + 1,
                e(input.label(&l.from)),
                e(input.label(&l.to)),
                e(&leg_message(l)),
                st.replace(' ', "-"),
                st
            );
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    let _ = writeln!(o, "</section>");
}

/// The evidence still needed, with the wizard step that takes it.
fn html_needed(o: &mut String, d: &Diagnosis) {
    let e = escape_html;
    let _ = writeln!(o, "<section id=\"needed\">\n<h2>Evidence still needed</h2>");
    if d.needed.is_empty() {
        let _ = writeln!(o, "<p>Nothing: the evidence given is enough.</p>");
    } else {
        let _ = writeln!(o, "<ul>");
        for n in &d.needed {
            let _ = writeln!(
                o,
                "<li>{} <span class=\"meta\">(wizard step: {})</span></li>",
                e(&n.what),
                e(n.step.id())
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</section>");
}

/// The inputs (profile, AD, rules, log files), the footer and the end of the document.
fn html_inputs(o: &mut String, input: &ReportInput) {
    let e = escape_html;
    let _ = writeln!(o, "<section id=\"inputs\">\n<h2>Inputs</h2>\n<dl>");
    let _ = writeln!(
        o,
        "<dt>Gateway profile</dt><dd>{}</dd>\n<dt>Active Directory</dt><dd>{}</dd>\n<dt>Routing rules</dt><dd>{}</dd>",
        e(&input.profile),
        e(input.ad.as_deref().unwrap_or("not supplied")),
        e(input.rules.as_deref().unwrap_or("not supplied"))
    );
    if let Some(g) = &input.gateway_in_logs {
        let _ = writeln!(o, "<dt>Gateway the logs name</dt><dd>{}</dd>", e(g));
    }
    let _ = writeln!(o, "</dl>");
    if input.files.is_empty() {
        let _ = writeln!(o, "<p>Logs: none.</p>");
    } else {
        let _ = writeln!(
            o,
            "<table><thead><tr><th>File</th><th>Format</th><th>Messages</th><th>Records</th><th>Lines</th></tr></thead><tbody>"
        );
        for f in &input.files {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e(&f.name),
                e(&f.format),
                f.messages,
                f.events,
                f.lines
            );
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    let _ = writeln!(o, "</section>");
    let _ = writeln!(
        o,
        "<footer>Generated by {} {} on {}. This page is self-contained: it loads nothing and works offline.</footer>",
        TOOL_NAME,
        e(&input.tool_version),
        e(&input.generated_at)
    );
    let _ = writeln!(o, "</main>\n</body>\n</html>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence("a ``` b"), "````");
        assert_eq!(fence("plain"), "```");
    }

    #[test]
    fn unsafe_svg_is_refused() {
        let ok =
            "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><text>a</text></svg>";
        assert!(inline_svg(ok).unwrap().starts_with("<svg"));
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><image href=\"https://x/y.png\"/></svg>",
            "<svg><rect onclick=\"x()\"/></svg>",
            "<svg><style>@import url(http://x)</style></svg>",
            "not svg",
        ] {
            assert!(inline_svg(bad).is_none(), "{bad}");
        }
    }

    /// The seed case as a ticket summary: short, in the participants' words, with the finding,
    /// the failing leg, the rule and where to add it, and the evidence lines.
    #[test]
    fn ticket_summary_is_short_and_in_the_participants_words() {
        let (input, logs) = crate::analysis::example_input(&crate::example::nortel_seed());
        let (summary, _) = crate::analysis::analyze(
            input,
            logs,
            &mut crate::analysis::Hooks::default(),
            crate::analysis::Options::default(),
        );
        let report = ReportInput::from_summary(&summary, "2026-12-01 08:00 UTC");
        let text = ticket_summary(&report, &summary.diagnosis);
        let lines: Vec<&str> = text.lines().collect();
        assert!((6..=12).contains(&lines.len()), "{text}");
        assert!(
            lines[0].starts_with("Remote call control fails: "),
            "{text}"
        );
        assert!(text.contains("Finding: "), "{text}");
        assert!(
            text.contains("Failing leg: Home Server (LCS 2005) → Application Proxy (Nortel MCM): "),
            "{text}"
        );
        assert!(
            text.contains("Rule to add on the Home Server (LCS 2005): route  mcm-ap.contoso.com"),
            "{text}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("- ") && l.contains(".uccapilog:")),
            "{text}"
        );
        assert!(
            text.contains("Also: "),
            "the second finding is named: {text}"
        );
        // Participant ids never appear on their own (finding ids may contain them).
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
        for id in ["home-server", "app-proxy", "nrs", "cs1k"] {
            for (at, _) in text.match_indices(id) {
                let standalone =
                    !word(text[..at].chars().last()) && !word(text[at + id.len()..].chars().next());
                assert!(!standalone, "participant id {id} in: {text}");
            }
        }
        // No finding: what is still needed.
        let empty = ticket_summary(&ReportInput::default(), &Diagnosis::default());
        assert!(
            empty.starts_with("Remote call control: no finding yet"),
            "{empty}"
        );
    }
}
