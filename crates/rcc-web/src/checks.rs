//! Renders directory checks: a status icon, the title, the value, a one-line why, evidence and
//! the exact fix with a copy button.

use crate::copy::CopyButton;
use leptos::prelude::*;
use rcc_core::directory::{Check, CheckStatus};
use rcc_core::report::counted;

pub fn status_id(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Pass => "pass",
        CheckStatus::Fail => "fail",
        CheckStatus::Warning => "warning",
        CheckStatus::Unknown => "unknown",
    }
}

fn status_label(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Pass => "Pass",
        CheckStatus::Fail => "Fail",
        CheckStatus::Warning => "Warning",
        CheckStatus::Unknown => "Unknown",
    }
}

fn status_glyph(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Pass => "✓",
        CheckStatus::Fail => "✕",
        CheckStatus::Warning => "!",
        CheckStatus::Unknown => "?",
    }
}

fn rank(s: CheckStatus) -> u8 {
    match s {
        CheckStatus::Fail => 0,
        CheckStatus::Warning => 1,
        CheckStatus::Unknown => 2,
        CheckStatus::Pass => 3,
    }
}

/// Problems first (stable within a status), with a one-line tally above.
#[component]
pub fn CheckList(mut checks: Vec<Check>) -> impl IntoView {
    checks.sort_by_key(|c| rank(c.status));
    let count = |s: CheckStatus| checks.iter().filter(|c| c.status == s).count();
    let tally = format!(
        "{} failed, {}, {} unknown, {} passed",
        count(CheckStatus::Fail),
        counted(count(CheckStatus::Warning), "warning"),
        count(CheckStatus::Unknown),
        count(CheckStatus::Pass)
    );
    view! {
        <p class="tally" data-testid="check-tally">{tally}</p>
        <ul class="checks">
            {checks.into_iter().map(|c| view! { <CheckRow check=c /> }).collect_view()}
        </ul>
    }
}

#[component]
fn CheckRow(check: Check) -> impl IntoView {
    let status = check.status;
    let fix_text = check.fix.join("\n");
    let has_fix = !check.fix.is_empty();
    view! {
        <li class=format!("check {}", status_id(status)) data-check=check.id.as_str() data-status=status_id(status)>
            <span class="check-icon" aria-hidden="true">{status_glyph(status)}</span>
            <div class="check-body">
                <div class="check-title">
                    <span class="visually-hidden">{status_label(status)} ": "</span>
                    {check.title.clone()}
                </div>
                {check.value.clone().map(|v| view! { <code class="check-value">{v}</code> })}
                <p class="check-why">{check.why.clone()}</p>
                {has_fix.then(|| view! {
                    <div class="fix">
                        <div class="fix-head">
                            <strong>"Fix"</strong>
                            <CopyButton text=fix_text.clone() label="Copy fix" />
                        </div>
                        <ol>{check.fix.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}</ol>
                    </div>
                })}
                {(!check.evidence.is_empty()).then(|| view! {
                    <p class="evidence-line">
                        "Evidence: "
                        {check.evidence.iter().map(|e| view! { <span class="evidence mono">{e.label()}</span> }).collect_view()}
                    </p>
                })}
            </div>
        </li>
    }
}
