//! `rcc-doctor analyze`: the whole analysis, as text for people or JSON for tools.

use rcc_core::analysis::{analyze_owned, Analysis, AnalysisInput, LogFileInput};
use rcc_core::diagnosis::LegState;
use rcc_core::sip::ParseQuality;
use std::collections::BTreeMap;

struct Options {
    json: bool,
    input: AnalysisInput,
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn read_text(path: &str) -> Result<String, String> {
    read(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut json = false;
    let mut input = AnalysisInput::default();
    let mut offsets: Vec<(String, i64)> = Vec::new();
    let mut logs: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--json" => json = true,
            "--profile" => input.profile_id = value("--profile")?,
            "--ad" => input.ad_text = read_text(&value("--ad")?)?,
            "--routes" => input.rules_text = read_text(&value("--routes")?)?,
            "--sign-in" => input.sign_in = value("--sign-in")?,
            "--offset" => {
                let v = value("--offset")?;
                let (file, ms) = v
                    .rsplit_once('=')
                    .ok_or_else(|| format!("--offset takes FILE=MS, got `{v}`"))?;
                let ms = ms
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| format!("--offset: `{ms}` is not a number of milliseconds"))?;
                offsets.push((file.to_string(), ms));
            }
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            path => logs.push(path.to_string()),
        }
    }
    if !input.profile_id.is_empty() && rcc_core::profile::profile(&input.profile_id).is_none() {
        return Err(format!(
            "unknown profile `{}` (see `rcc-doctor profiles`)",
            input.profile_id
        ));
    }
    for path in logs {
        let bytes = read(&path)?;
        let clock_offset_ms = offsets
            .iter()
            .find(|(f, _)| *f == path || path.ends_with(f.as_str()))
            .map(|(_, ms)| *ms)
            .unwrap_or(0);
        input.logs.push(LogFileInput {
            name: path,
            bytes,
            clock_offset_ms,
        });
    }
    Ok(Options { json, input })
}

pub fn run(args: &[String]) -> i32 {
    let opts = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("rcc-doctor analyze: {e}");
            return 2;
        }
    };
    // Taken, not borrowed: the log bytes become the messages' shared text (no second copy).
    let analysis = analyze_owned(opts.input, &mut |_| {}, &mut |_| {});
    if opts.json {
        match serde_json::to_string_pretty(&json_report(&analysis)) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("rcc-doctor analyze: cannot write JSON: {e}");
                return 2;
            }
        }
    } else {
        print!("{}", text_report(&analysis));
    }
    0
}

/// The `--json` document: the same schema as the browser's JSON export (docs/report-schema.md).
pub fn json_report(a: &Analysis) -> serde_json::Value {
    let input = rcc_core::report::ReportInput::from_analysis(a, "");
    rcc_core::report::to_json_value(&input, &a.diagnosis)
}

fn text_report(a: &Analysis) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "Gateway profile: {}", a.profile.name);
    if !a.ingested.files.is_empty() {
        let _ = writeln!(out, "\nLogs");
        for f in &a.ingested.files {
            let _ = writeln!(
                out,
                "  {}: {} — {} messages ({} clean, {} repaired, {} partly parsed), {} diagnostic records, {} lines",
                f.name, f.format.label(), f.messages, f.clean, f.repaired, f.partial, f.events, f.lines
            );
            if let Some(ms) = f.suggested_clock_offset_ms {
                let _ = writeln!(
                    out,
                    "    clock looks {ms:+} ms off; try --offset {}={ms}",
                    f.name
                );
            }
            for p in f.problems.iter().take(10) {
                let _ = writeln!(out, "    line {}: {}", p.line, p.message);
            }
            if f.problems.len() > 10 {
                let _ = writeln!(out, "    … {} more notes", f.problems.len() - 10);
            }
        }
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for m in &a.ingested.messages {
            match &m.quality {
                ParseQuality::Clean => {}
                ParseQuality::Repaired { reasons: r } => {
                    for x in r {
                        *reasons.entry(format!("repaired: {x}")).or_default() += 1;
                    }
                }
                ParseQuality::Partial { reason, .. } => {
                    let short: String = reason.chars().take(70).collect();
                    *reasons
                        .entry(format!("partly parsed: {short}"))
                        .or_default() += 1;
                }
            }
        }
        let _ = writeln!(
            out,
            "  merged: {} distinct messages, {} dialogs, {} transactions, {} diagnostic records",
            a.ingested.messages.len(),
            a.ingested.dialogs.len(),
            a.ingested.transactions.len(),
            a.ingested.events.len()
        );
        for (r, n) in reasons {
            let _ = writeln!(out, "  {n:>5} × {r}");
        }
    }
    if !a.ad_paste.recognised.is_empty() || !a.ad_paste.problems.is_empty() {
        let _ = writeln!(
            out,
            "\nDirectory: {} ({} attributes recognised, {} lines ignored)",
            a.ad_paste.format.label(),
            a.ad_paste.recognised.len(),
            a.ad_paste.ignored.len()
        );
        for p in &a.ad_paste.problems {
            let _ = writeln!(out, "  line {}: {}", p.line, p.message);
        }
    }
    if !a.checks.is_empty() {
        use rcc_core::directory::CheckStatus;
        let _ = writeln!(out, "\nDirectory checks");
        for c in &a.checks {
            let mark = match c.status {
                CheckStatus::Pass => "pass   ",
                CheckStatus::Fail => "FAIL   ",
                CheckStatus::Warning => "warning",
                CheckStatus::Unknown => "unknown",
            };
            let _ = writeln!(out, "  {mark} {} ({}): {}", c.title, c.id, c.why);
            if c.status != CheckStatus::Pass {
                for f in &c.fix {
                    let _ = writeln!(out, "          fix: {f}");
                }
            }
        }
    }
    if let Some(r) = &a.rules {
        for p in &r.problems {
            let _ = writeln!(out, "Routing rules line {}: {}", p.line, p.message);
        }
    }
    let _ = writeln!(out, "\nFindings");
    if a.diagnosis.findings.is_empty() {
        let _ = writeln!(
            out,
            "  none: the evidence given does not decide anything yet"
        );
    }
    for f in &a.diagnosis.findings {
        let _ = writeln!(
            out,
            "  [{:?}] {} ({}; confidence {:?})",
            f.severity, f.title, f.id, f.confidence
        );
        if let Some(leg) = &f.leg {
            let _ = writeln!(
                out,
                "    failing leg: {} → {}: {}",
                leg.from, leg.to, leg.message
            );
        }
        if let Some(rule) = &f.rule {
            let _ = writeln!(out, "    rule to add: {rule}");
        }
        for e in &f.evidence {
            let _ = writeln!(out, "    evidence: {}", e.label());
        }
        for (i, step) in f.fix.iter().enumerate() {
            let _ = writeln!(out, "    fix {}: {step}", i + 1);
        }
    }
    if !a.diagnosis.needed.is_empty() {
        let _ = writeln!(out, "\nWould decide more");
        for n in &a.diagnosis.needed {
            let _ = writeln!(out, "  {} (wizard step: {})", n.what, n.step);
        }
    }
    if !a.diagnosis.flow.is_empty() {
        let _ = writeln!(out, "\nFlow");
        for l in &a.diagnosis.flow {
            let mark = match l.state {
                LegState::Ok => "ok     ",
                LegState::Failing => "FAILING",
                LegState::MissingRoute => "NOROUTE",
                LegState::NotReached => "-      ",
            };
            let _ = writeln!(out, "  {mark} {} → {}: {}", l.from, l.to, l.message);
        }
    }
    out
}
