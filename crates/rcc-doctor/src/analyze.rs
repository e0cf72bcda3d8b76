//! `rcc-doctor analyze`: the whole analysis, as text for people or JSON for tools.

use rcc_core::analysis::{
    analyze, AnalysisInput, AnalysisSummary, Counting, Grading, Hooks, LadderBuild, LogFileInput,
    Options as AnalysisOptions,
};
use rcc_core::diagnosis::{LegState, OtherMessage};
use rcc_core::ingest::{FileBytes, OwnedInput};
use rcc_core::report::counted;

struct Options {
    json: bool,
    /// Print where the run spent its time to stderr (`--timings`).
    timings: bool,
    input: AnalysisInput,
    logs: Vec<OwnedInput>,
}

fn read(path: &str) -> Result<FileBytes, String> {
    #[cfg(unix)]
    if let Some(bytes) = crate::map::map(path, crate::map::MAP_FROM) {
        return Ok(bytes);
    }
    std::fs::read(path)
        .map(FileBytes::from)
        .map_err(|e| format!("cannot read {path}: {e}"))
}

fn read_text(path: &str) -> Result<String, String> {
    read(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut json = false;
    let mut timings = false;
    let mut input = AnalysisInput::default();
    let mut offsets: Vec<(String, i64)> = Vec::new();
    let mut logs: Vec<String> = Vec::new();
    let mut bytes: Vec<OwnedInput> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--json" => json = true,
            "--timings" => timings = true,
            "--profile" => input.profile_id = value("--profile")?,
            "--ad" => input.ad_text = read_text(&value("--ad")?)?,
            "--routes" => input.rules_text = read_text(&value("--routes")?)?,
            "--sign-in" => input.sign_in = value("--sign-in")?,
            "--generation" => {
                let g = value("--generation")?;
                input.generation = Some(
                    rcc_core::generation::Generation::from_id(&g).ok_or_else(|| {
                        format!(
                            "unknown generation `{g}` (lcs2005, ocs2007, ocs2007r2, lync2010, lync2013)"
                        )
                    })?,
                );
            }
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
        let clock_offset_ms = offsets
            .iter()
            .find(|(f, _)| *f == path || path.ends_with(f.as_str()))
            .map(|(_, ms)| *ms)
            .unwrap_or(0);
        bytes.push(OwnedInput {
            bytes: read(&path)?,
            name: path.clone(),
        });
        input.logs.push(LogFileInput {
            name: path,
            clock_offset_ms,
        });
    }
    Ok(Options {
        json,
        timings,
        input,
        logs: bytes,
    })
}

pub fn run(args: &[String]) -> i32 {
    let start = std::time::Instant::now();
    let opts = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("rcc-doctor analyze: {e}");
            return 2;
        }
    };
    let mut clock = move || start.elapsed().as_secs_f64() * 1000.0;
    let want_timings = opts.timings;
    let profile_chosen = !opts.input.profile_id.is_empty();
    // Taken, not borrowed: the log bytes become the messages' shared text (no second copy).
    // No report here shows the message ladder, so it is never asked for, never built.
    let (analysis, details) = analyze(
        opts.input,
        opts.logs,
        &mut Hooks {
            progress: None,
            clock: want_timings.then_some(&mut clock as &mut dyn FnMut() -> f64),
        },
        AnalysisOptions {
            ladder: LadderBuild::OnRequest,
            // The reports show the grades: a second thread reads half of a large log, graded,
            // or grades a log meanwhile.
            grading: Grading::Alongside,
            // Only the text report shows how many dialogs and transactions there are.
            counting: if opts.json {
                Counting::Later
            } else {
                Counting::WithReading
            },
            ..AnalysisOptions::default()
        },
    );
    let report = if opts.json {
        match serde_json::to_string_pretty(&json_report(&analysis)) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("rcc-doctor analyze: cannot write JSON: {e}");
                return 2;
            }
        }
    } else {
        text_report(&analysis, profile_chosen)
    };
    let reported_ms = clock();
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if out
            .write_all(report.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return 2;
        }
    }
    let written_ms = clock();
    // The process ends next and the OS takes its memory back whole; freeing the messages one
    // block at a time would cost ~80 ms per 50 MB of log.
    std::mem::forget(details);
    if want_timings {
        eprintln!(
            "{}",
            timings_line(&analysis.timings, reported_ms, written_ms, clock())
        );
    }
    0
}

/// `--timings`: one line on stderr, `rcc-doctor timings: {JSON}`: the ms of each stage, one after
/// the other on one clock that starts with the command (the process start before it is not
/// seen here), and their sum `total_ms`. Stages: reading the arguments and the files, ingesting,
/// the diagnosis, waiting for the grades read alongside it, the ladder build, making the report
/// (JSON or text), writing it, leaving the analysis to the OS (not freed: the process ends).
fn timings_line(
    t: &rcc_core::analysis::StageTimings,
    reported_ms: f64,
    written_ms: f64,
    freed_ms: f64,
) -> String {
    let analysed_ms = t.started_ms + t.read_ms + t.diagnose_ms;
    let v = serde_json::json!({
        "bytes": t.bytes,
        "read_files_ms": t.started_ms,
        "ingest_ms": t.read_ms,
        "diagnose_ms": t.diagnose_ms - t.ladder_ms - t.grades_wait_ms,
        "grades_wait_ms": t.grades_wait_ms,
        "ladder_ms": t.ladder_ms,
        "report_ms": reported_ms - analysed_ms,
        "write_ms": written_ms - reported_ms,
        "free_ms": freed_ms - written_ms,
        "total_ms": freed_ms,
    });
    format!("rcc-doctor timings: {v}")
}

/// The `--json` document: the same schema as the browser's JSON export (docs/report-schema.md).
pub fn json_report(a: &AnalysisSummary) -> serde_json::Value {
    let input = rcc_core::report::ReportInput::from_summary(a, "");
    rcc_core::report::to_json_value(&input, &a.diagnosis)
}

/// (`profile_chosen`: `--profile` named the gateway; else the default one stands in for it,
/// and the report says so rather than present its participants as the user's.)
fn text_report(a: &AnalysisSummary, profile_chosen: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let seen = a.case.gateway_seen.as_ref();
    let named =
        |s: &rcc_core::routing::GatewaySeen| format!("{} in {}", s.product, s.evidence.label());
    let basis = match seen {
        _ if profile_chosen => String::new(),
        Some(s) if s.profile == a.profile.id => format!(" (from the logs: {})", named(s)),
        _ => " (assumed: no --profile given; `rcc-doctor profiles` lists the gateways)".into(),
    };
    let _ = writeln!(out, "Gateway profile: {}{basis}", a.profile.name);
    if let Some(s) = seen.filter(|s| profile_chosen && s.profile != a.profile.id) {
        let other = rcc_core::profile::profile(&s.profile).map_or(s.profile.clone(), |p| p.name);
        let _ = writeln!(
            out,
            "  but the logs name another gateway ({other}): {}; check --profile",
            named(s)
        );
    }
    if let Some(g) = &a.diagnosis.generation {
        let _ = writeln!(
            out,
            "Generation: {} (from {}{})",
            g.generation.name(),
            g.basis,
            // Where in a log; a paste's basis names its own line.
            g.evidence
                .first()
                .filter(|e| matches!(e, rcc_core::evidence::Evidence::Log { .. }))
                .map(|e| format!(" in {}", e.label()))
                .unwrap_or_default()
        );
    }
    if !a.files.is_empty() {
        let _ = writeln!(out, "\nLogs");
        for f in &a.files {
            let _ = writeln!(
                out,
                "  {}: {} — {} ({} clean, {} repaired, {} partly parsed), {}, {}",
                f.name,
                f.format.label(),
                counted(f.messages, "message"),
                f.clean,
                f.repaired,
                f.partial,
                counted(f.events, "diagnostic record"),
                counted(f.lines as usize, "line")
            );
            if let Some(ms) = f.suggested_clock_offset_ms {
                let _ = writeln!(
                    out,
                    "    clock looks {ms:+} ms off; try --offset {}={ms}",
                    f.name
                );
            }
            for p in f.problems.iter().take(10) {
                let _ = writeln!(out, "    {}", at_line(p.line, &p.message));
            }
            if f.problems.len() > 10 {
                let _ = writeln!(out, "    … {} more notes", f.problems.len() - 10);
            }
        }
        // The command line reads with the counts (`Grading::Alongside`); "?" only if a caller
        // left them for later.
        let count = |n: Option<usize>, noun: &str| {
            n.map_or_else(|| format!("? {noun}s"), |n| counted(n, noun))
        };
        let _ = writeln!(
            out,
            "  merged: {}, {}, {}, {}",
            counted(a.messages, "distinct message"),
            count(a.dialogs, "dialog"),
            count(a.transactions, "transaction"),
            counted(a.events, "diagnostic record")
        );
    }
    if !a.ad_paste.recognised.is_empty() || !a.ad_paste.problems.is_empty() {
        let _ = writeln!(
            out,
            "\nDirectory: {} ({} recognised, {} ignored)",
            a.ad_paste.format.label(),
            counted(a.ad_paste.recognised.len(), "attribute"),
            counted(a.ad_paste.ignored.len(), "line")
        );
        for p in &a.ad_paste.problems {
            let _ = writeln!(out, "  {}", at_line(p.line, &p.message));
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
            "  [{}] {} ({}; confidence {})",
            f.severity.as_str(),
            f.title,
            f.id,
            f.confidence.as_str()
        );
        if let Some(leg) = &f.leg {
            let _ = writeln!(
                out,
                "    failing leg: {} → {}: {}",
                a.profile.label(&leg.from),
                a.profile.label(&leg.to),
                leg.message
            );
        }
        if let Some(rule) = &f.rule {
            let _ = writeln!(out, "    rule to add: {rule}");
        }
        for x in &f.assumptions {
            let _ = writeln!(out, "    assumed: {x}");
        }
        for e in &f.evidence {
            let _ = writeln!(out, "    evidence: {}", e.label());
        }
        for (i, step) in f.fix.iter().enumerate() {
            let _ = writeln!(out, "    fix {}: {step}", i + 1);
        }
        if let Some(fix) = &f.admin_fix {
            write_admin_fix(&mut out, fix);
        }
    }
    if !a.diagnosis.needed.is_empty() {
        let _ = writeln!(out, "\nWould decide more");
        for n in &a.diagnosis.needed {
            let _ = writeln!(out, "  {} (wizard step: {})", n.what, n.step.id());
        }
    }
    if !a.diagnosis.flow.is_empty() {
        let _ = writeln!(out, "\nFlow");
        for l in &a.diagnosis.flow {
            let mark = match l.state {
                LegState::Ok => "ok      ",
                LegState::Inferred => "inferred",
                LegState::Failing => "FAILING ",
                LegState::MissingRoute => "NO ROUTE",
                LegState::NotReached => "-       ",
                LegState::Unknown => "?       ",
            };
            // As the diagram draws it, with the other message beside it.
            let shown = l.shown_message();
            let message = match l.other_message() {
                Some(OtherMessage::Expected(m)) => format!("{shown} [expected: {m}]"),
                Some(OtherMessage::Seen(m)) => format!("{shown} [seen: {m}]"),
                None => shown.to_string(),
            };
            let _ = writeln!(
                out,
                "  {mark} {} → {}: {message}",
                a.profile.label(&l.from),
                a.profile.label(&l.to),
            );
        }
    }
    out
}

/// The fix in the generation's own tools: steps, the chosen variant's commands, the
/// placeholders left to fill, and how to check.
fn write_admin_fix(out: &mut String, fix: &rcc_core::fixes::AdminFix) {
    use std::fmt::Write;
    let _ = writeln!(
        out,
        "    in {} ({}): {}{}",
        fix.generation.name(),
        fix.tool,
        fix.title,
        if fix.inferred { " [inferred]" } else { "" }
    );
    for (i, step) in fix.steps.iter().enumerate() {
        let _ = writeln!(out, "      {}. {step}", i + 1);
    }
    if let Some(v) = &fix.chosen {
        let _ = writeln!(out, "      {}:", v.label);
        for line in v.commands.iter().flat_map(|c| c.lines()) {
            let _ = writeln!(out, "        {line}");
        }
        for step in &v.steps {
            let _ = writeln!(out, "      - {step}");
        }
    }
    for p in &fix.to_fill {
        let _ = writeln!(out, "      fill <{}>: {}", p.name, p.meaning);
    }
    for v in &fix.alternatives {
        let _ = writeln!(out, "      or: {} ({})", v.label, v.when);
    }
    if let Some(c) = &fix.check {
        let _ = writeln!(out, "      check: {c}");
    }
}

/// A note with its line number in front, unless its text already starts with it ("Line 89:
/// …", as the readers write most of theirs).
fn at_line(line: u32, message: &str) -> String {
    if message.starts_with(&format!("Line {line}:")) {
        message.to_string()
    } else {
        format!("line {line}: {message}")
    }
}
