//! Reports match `docs/report-schema.md`: the JSON has exactly the documented keys (the example
//! document in the page is the schema), the Markdown has the documented headings in order, and
//! the HTML is self-contained and escaped.

use crate::support::example;
use rcc_core::analysis::AnalysisSummary;
use rcc_core::diagnosis::{Confidence, Diagnosis, Finding, Leg};
use rcc_core::evidence::Evidence;
use rcc_core::example::nortel_seed;
use rcc_core::findings::{FindingId, Severity};
use rcc_core::fixes::{AdminFix, FixVariant, Placeholder};
use rcc_core::generation::Generation;
use rcc_core::report::{
    summary_line, to_html, to_json, to_json_value, to_markdown, Diagrams, ReportInput,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn doc() -> String {
    std::fs::read_to_string(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("docs/report-schema.md"),
    )
    .expect("docs/report-schema.md")
}

/// The first fenced block of `lang` after `marker` (or from the start).
fn block(doc: &str, lang: &str, marker: Option<&str>) -> String {
    let from = marker.and_then(|m| doc.find(m)).unwrap_or(0);
    let open = format!("```{lang}\n");
    let s = doc[from..].find(&open).expect("fenced block") + from + open.len();
    let e = doc[s..].find("\n```").expect("closing fence") + s;
    doc[s..e].to_string()
}

fn seed_analysis() -> AnalysisSummary {
    example(&nortel_seed(), true, true).analyze()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn check_same_keys(doc: &Value, got: &Value, path: &str) {
    assert_eq!(keys(doc), keys(got), "keys of {path}");
}

#[test]
fn json_has_exactly_the_documented_keys() {
    let documented: Value = serde_json::from_str(&block(&doc(), "json", Some("## JSON")))
        .expect("the documented JSON parses");
    let a = seed_analysis();
    let input = ReportInput::from_summary(&a, "2026-11-26 08:00 UTC");
    let got: Value = serde_json::from_str(&to_json(&input, &a.diagnosis)).unwrap();
    assert_eq!(got, to_json_value(&input, &a.diagnosis));
    check_same_keys(&documented, &got, "top level");
    check_same_keys(&documented["tool"], &got["tool"], "tool");
    check_same_keys(&documented["checks"][0], &got["checks"][0], "checks[]");
    check_same_keys(&documented["inputs"], &got["inputs"], "inputs");
    let doc_file = &documented["inputs"]["files"][0];
    let doc_problem = &doc_file["problems"][0];
    assert!(!got["inputs"]["files"].as_array().unwrap().is_empty());
    for f in got["inputs"]["files"].as_array().unwrap() {
        check_same_keys(doc_file, f, "inputs.files[]");
        let n = |k: &str| f[k].as_u64().unwrap();
        assert_eq!(
            n("clean") + n("repaired") + n("partly_parsed"),
            n("messages")
        );
        for p in f["problems"].as_array().unwrap() {
            check_same_keys(doc_problem, p, "inputs.files[].problems[]");
            assert!(p["line"].as_u64().unwrap() >= 1);
        }
    }
    let df = &documented["findings"][0];
    let findings = got["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "the seed case has findings");
    let doc_evidence: Vec<&Value> = df["evidence"].as_array().unwrap().iter().collect();
    let doc_kind = |k: &str| {
        doc_evidence
            .iter()
            .find(|e| e["kind"] == k)
            .copied()
            .unwrap_or_else(|| panic!("evidence kind {k} not documented"))
    };
    assert!(
        findings.iter().any(|f| !f["admin_fix"].is_null()),
        "the seed case names its generation, so its route finding has an admin fix"
    );
    for f in findings {
        check_same_keys(df, f, "findings[]");
        if !f["admin_fix"].is_null() {
            let (d, g) = (&df["admin_fix"], &f["admin_fix"]);
            check_same_keys(d, g, "findings[].admin_fix");
            if !g["chosen"].is_null() {
                check_same_keys(&d["chosen"], &g["chosen"], "findings[].admin_fix.chosen");
            }
            for p in g["to_fill"].as_array().unwrap() {
                check_same_keys(&d["to_fill"][0], p, "findings[].admin_fix.to_fill[]");
            }
        }
        if !f["leg"].is_null() {
            check_same_keys(&df["leg"], &f["leg"], "findings[].leg");
        }
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(["high", "medium", "low"].contains(&f["confidence"].as_str().unwrap()));
        for e in f["evidence"].as_array().unwrap() {
            check_same_keys(doc_kind(e["kind"].as_str().unwrap()), e, "evidence[]");
        }
    }
    for l in got["flow"].as_array().unwrap() {
        check_same_keys(&documented["flow"][0], l, "flow[]");
        assert!([
            "ok",
            "inferred",
            "failing",
            "missing-route",
            "not-reached",
            "unknown"
        ]
        .contains(&l["state"].as_str().unwrap()));
        for e in l["evidence"].as_array().unwrap() {
            check_same_keys(
                doc_kind(e["kind"].as_str().unwrap()),
                e,
                "flow[].evidence[]",
            );
        }
    }
    check_same_keys(&documented["generation"], &got["generation"], "generation");
    for n in got["needed"].as_array().unwrap() {
        check_same_keys(&documented["needed"][0], n, "needed[]");
    }
    assert_eq!(got["tool"]["name"], "rcc-doctor");
    assert_eq!(got["tool"]["version"], rcc_core::version::VERSION);
}

/// A diagnosis with every part present and hostile text everywhere.
fn hostile() -> Diagnosis {
    let evil = "<script>alert('x')</script> | *bold* `tick` # head";
    Diagnosis {
        findings: vec![Finding {
            id: FindingId::HomeServerRouteMissing,
            severity: Severity::Error,
            confidence: Confidence::High,
            title: format!("Title {evil}"),
            explanation: format!("Explanation {evil}"),
            leg: Some(Leg {
                from: "home-server".into(),
                to: "app-proxy".into(),
                message: format!("INVITE {evil}"),
            }),
            rule: Some("route  ```x```  -> y:5061 tls".into()),
            admin_fix: Some(AdminFix {
                template: "route-lync".into(),
                generation: Generation::Lync2013,
                tool: "powershell".into(),
                title: format!("Fix {evil}"),
                applies: true,
                steps: vec![format!("Step {evil}")],
                chosen: Some(FixVariant {
                    id: "tls-global".into(),
                    label: format!("Label {evil}"),
                    when: format!("When {evil}"),
                    commands: Some(format!("New-CsStaticRoute ```\n{evil}")),
                    steps: vec![format!("Then {evil}")],
                }),
                alternatives: vec![],
                check: Some(format!("Get-Cs {evil}")),
                to_fill: vec![Placeholder {
                    name: "port".into(),
                    meaning: format!("Port {evil}"),
                }],
                inferred: false,
                note: None,
                sources: vec![],
            }),
            evidence: vec![Evidence::Log {
                file: "a<b>.log".into(),
                line_start: 3,
                line_end: 4,
                excerpt: format!("SIP/2.0 404 {evil}"),
            }],
            fix: vec![format!("Do {evil}")],
            assumptions: vec![format!("Assumed {evil}")],
        }],
        flow: vec![],
        needed: vec![],
        generation: None,
    }
}

#[test]
fn markdown_has_the_documented_headings_in_order() {
    let documented: Vec<String> = block(&doc(), "text", Some("<!-- markdown-headings -->"))
        .lines()
        .map(String::from)
        .collect();
    let a = seed_analysis();
    let input = ReportInput::from_summary(&a, "2026-11-26 08:00 UTC");
    for d in [&a.diagnosis, &hostile(), &Diagnosis::default()] {
        let md = to_markdown(&input, d);
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
        // Expand the ### line once per finding.
        let mut expected: Vec<String> = Vec::new();
        for h in &documented {
            if h.starts_with("### ") {
                for (n, f) in d.findings.iter().enumerate() {
                    let sev = match f.severity {
                        Severity::Error => "ERROR",
                        Severity::Warning => "WARNING",
                        Severity::Info => "INFO",
                    };
                    expected.push(format!("### {}. [{sev}]", n + 1));
                }
            } else {
                expected.push(h.clone());
            }
        }
        assert_eq!(headings.len(), expected.len(), "{headings:?}");
        for (h, e) in headings.iter().zip(&expected) {
            assert!(h.starts_with(e.as_str()), "{h} should start with {e}");
        }
        assert!(md.contains("**Summary:**"));
        assert!(md.contains(&format!("rcc-doctor {}", rcc_core::version::VERSION)));
    }
    // The seed case: rule in a code block, evidence as file:line, fix steps numbered.
    let md = to_markdown(&input, &a.diagnosis);
    assert!(md.contains("**Rule to add:**\n\n```text\n"), "{md}");
    assert!(md.contains("**Evidence:**\n\n- `"));
    // The seed names LCS 2005 SP1 (Server: RTC/2.0): the fix is in its console's words.
    assert!(
        md.contains("**Fix in Live Communications Server 2005 SP1 (mmc):** "),
        "{md}"
    );
    assert!(md.contains(
        ":** Add a static route on the Home Server for the RCC server URI's domain\n\n1. "
    ));
    assert!(md.contains("| # | From | To | Message | State |"));
    // Hostile text cannot open headings, tables or code.
    let md = to_markdown(&input, &hostile());
    assert!(!md.lines().any(|l| l.starts_with("# head")));
    assert!(md.contains("````text\nroute  ```x```"));
}

#[test]
fn summary_line_names_the_first_problem() {
    let a = seed_analysis();
    let s = summary_line(&a.diagnosis);
    assert!(s.starts_with("Remote call control fails: "), "{s}");
    assert_eq!(
        summary_line(&Diagnosis::default()),
        "Remote call control: no finding yet; more evidence is needed."
    );
}

fn svg(label: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 320 60\" width=\"320\" height=\"60\"><rect x=\"1\" y=\"1\" width=\"318\" height=\"58\" fill=\"#eef\" stroke=\"#336\"/><text x=\"12\" y=\"36\" font-size=\"16\">{label}</text></svg>"
    )
}

#[test]
fn html_is_self_contained_escaped_and_printable() {
    let a = seed_analysis();
    let mut input = ReportInput::from_summary(&a, "2026-11-26 08:00 UTC");
    input.diagrams = Some(Diagrams {
        flow_svg: svg("flow diagram"),
        ladder_svg: "<svg><script>alert(1)</script></svg>".into(),
    });
    let html = to_html(&input, &a.diagnosis);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@media print"));
    for id in ["findings", "diagrams", "flow", "needed", "inputs"] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(html.contains("<figure><svg"), "flow diagram inlined");
    assert!(html.contains("diagram left out"), "unsafe ladder refused");
    assert!(!html.to_ascii_lowercase().contains("<script"));
    // No external references: the only URL is the SVG namespace.
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for bad in ["http://", "https://", "src=", "<link", "@import", "url("] {
        assert!(!without_ns.contains(bad), "{bad} in the HTML");
    }
    assert!(html.contains(rcc_core::version::VERSION));
    for f in &a.diagnosis.findings {
        assert!(html.contains(&rcc_core::report::escape_html(&f.title)));
    }
    // Hostile text is escaped.
    let h = to_html(&input, &hostile());
    assert!(!h.contains("<script>alert('x')"));
    assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(h.contains("a&lt;b&gt;.log:3-4"));
    // Leave a copy for the Chromium screenshot (scripts/ or by hand).
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-example.html");
    let _ = std::fs::write(out, &html);
}
