//! Sharing the diagnosis: the redaction switch, per-category counts, a before/after preview,
//! and exports (Markdown for tickets, JSON for tools, a printable self-contained HTML report,
//! the redacted logs). Everything is built in the page and downloaded locally.

use crate::analysis::{use_analysis, Current};
use crate::copy::CopyButton;
use crate::diagram::{download_js, download_text};
use crate::state::AppState;
use leptos::prelude::*;
use rcc_core::analysis::AnalysisSummary;
use rcc_core::diagram::{self, SvgTheme};
use rcc_core::report::{self, Diagrams, InputFileSummary, ReportInput};

fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// The report's input, with the file reports graded as far as the page has them (the worker
/// grades after it sends the summary). Reactive.
fn report_input(a: &Current) -> ReportInput {
    let mut input = ReportInput::from_summary(a, &now_iso());
    input.files = a.files().iter().map(InputFileSummary::from).collect();
    input
}

/// The HTML report, with both diagrams inlined as SVG (the ladder's comes from wherever the
/// messages are: see [`crate::source::AnalysisSource::report_svg`]; asking for it waits for the
/// grades, which the HTML report does not show).
fn html_report(a: &AnalysisSummary, ladder_svg: String) -> String {
    let mut input = ReportInput::from_summary(a, &now_iso());
    let layout = diagram::layout(&a.profile, &a.diagnosis.flow, &a.diagnosis.findings);
    input.diagrams = Some(Diagrams {
        flow_svg: diagram::to_svg(&layout, SvgTheme::Light),
        ladder_svg,
    });
    report::to_html(&input, &a.diagnosis)
}

#[component]
pub fn SharePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let analysis = use_analysis();
    let markdown = move || analysis.with(|a| report::to_markdown(&report_input(a), &a.diagnosis));
    let ticket = move || analysis.with(|a| report::ticket_summary(&report_input(a), &a.diagnosis));
    let save = move |name: &'static str, mime: &'static str, text: String| {
        if download_text(name, mime, &text).is_err() {
            state
                .notice
                .set(Some(format!("The browser refused to save {name}.")));
        }
    };
    view! {
        <section class="share" aria-labelledby="share-heading">
            <h3 id="share-heading">"Share the diagnosis"</h3>
            <label class="switch">
                <input
                    type="checkbox"
                    data-action="redact"
                    prop:checked=move || state.redact.get()
                    on:change=move |ev| state.redact.set(event_target_checked(&ev))
                />
                <span>
                    <strong>"Redact"</strong>
                    " phone numbers, user and server names, domains, IP addresses, tags and credentials in everything shown here, copied or exported. The same value always gets the same pseudonym, so the flow still reads."
                </span>
            </label>
            <RedactionSummary />
            <div class="share-actions">
                {move || view! { <CopyButton text=ticket() label="Copy summary for a ticket" what="ticket" /> }}
                {move || view! { <CopyButton text=markdown() label="Copy full report" what="report" /> }}
                <button type="button" class="secondary" data-action="export-md"
                    on:click=move |_| save("rcc-doctor-report.md", "text/markdown", markdown())>
                    "Download Markdown"
                </button>
                <button type="button" class="secondary" data-action="export-json"
                    on:click=move |_| save("rcc-doctor-report.json", "application/json",
                        analysis.with(|a| report::to_json(&report_input(a), &a.diagnosis)))>
                    "Download JSON"
                </button>
                <button type="button" class="secondary" data-action="export-html"
                    on:click=move |_| {
                        let current = analysis.get_untracked();
                        let summary = current.summary.clone();
                        leptos::task::spawn_local(async move {
                            if let Some(svg) = current.source.report_svg().await {
                                save("rcc-doctor-report.html", "text/html", html_report(&summary, svg));
                            }
                        });
                    }>
                    "Download HTML report"
                </button>
                <button type="button" class="ghost" data-action="print" on:click=move |_| { let _ = window().print(); }>
                    "Print"
                </button>
            </div>
        </section>
    }
}

/// Counts per category, the redacted logs to download, and a before/after preview.
#[component]
fn RedactionSummary() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        let current = analysis.get();
        let red = current.redacted()?;
        let counts = red.counts.clone();
        let files = red.files.clone();
        let source = current.source.clone();
        Some(view! {
            <div class="redaction" data-testid="redaction">
                <table class="counts">
                    <caption>"Replaced"</caption>
                    <thead><tr><th scope="col">"What"</th><th scope="col">"Replacements"</th><th scope="col">"Different values"</th></tr></thead>
                    <tbody>
                        {counts.into_iter().map(|c| view! {
                            <tr data-category=c.category.id()>
                                <td>{c.category.label()}</td><td>{c.occurrences}</td><td>{c.distinct}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(!files.is_empty()).then(|| view! {
                    <h4>"Redacted logs"</h4>
                    <ul class="redacted-files">
                        {files.into_iter().enumerate().map(|(i, f)| {
                            let name = f.name.clone();
                            let source = source.clone();
                            let download = move |_| {
                                let (name, source) = (name.clone(), source.clone());
                                leptos::task::spawn_local(async move {
                                    if let Some(bytes) = source.redacted_log(i).await {
                                        let _ = download_js(&name, "text/plain", &bytes);
                                    }
                                });
                            };
                            view! {
                                <li>
                                    <button type="button" class="secondary" data-action="download-redacted" on:click=download>
                                        "Download " {f.name.clone()}
                                    </button>
                                    <details class="preview">
                                        <summary>"Preview: " {f.original_name.clone()} " beside " {f.name.clone()}</summary>
                                        <div class="side-by-side">
                                            <pre aria-label="Original">{f.original_preview.clone()}</pre>
                                            <pre aria-label="Redacted" data-testid="redacted-preview">{f.redacted_preview.clone()}</pre>
                                        </div>
                                    </details>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })}
            </div>
        })
    }
}
