//! Step 5: the diagnosis: findings with evidence and fixes, what would decide more, and the
//! flow compared with the known-good flow.

use crate::analysis::use_analysis;
use crate::copy::CopyButton;
use crate::paint::AfterPaint;
use leptos::prelude::*;
use rcc_core::diagnosis::{Confidence, Diagnosis, EvidenceNeeded, Finding};
use rcc_core::findings::Severity;
use rcc_core::fixes::{AdminFix, FixVariant};
use rcc_core::profile::Profile;
use rcc_core::report::counted;

fn severity_id(s: Severity) -> &'static str {
    s.as_str()
}

fn confidence_label(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high confidence",
        Confidence::Medium => "medium confidence",
        Confidence::Low => "low confidence",
    }
}

/// The findings first; below them, each after the paint of the part above it (see
/// [`AfterPaint`]), the flow diagram, the message ladder and the share panel. Each part follows
/// the analysis on its own.
#[component]
pub fn DiagnosisStep() -> impl IntoView {
    let analysis = use_analysis();
    let state = expect_context::<crate::state::AppState>();
    view! {
        <h2 tabindex="-1">"Diagnosis"</h2>
        <Show when=move || state.redact.get()>
            <p class="notice redacted-note" data-testid="redacted-note">
                "Redaction is on: names, numbers and addresses below are pseudonyms."
            </p>
        </Show>
        {move || {
            let (diagnosis, profile) = analysis.with(|a| (a.diagnosis.clone(), a.profile.clone()));
            view! {
                <Headline diagnosis=diagnosis.clone() />
                <GenerationNote diagnosis=diagnosis.clone() />
                <GatewayNote />
                <Findings diagnosis=diagnosis.clone() profile=profile />
                <Needed diagnosis=diagnosis />
            }
        }}
        <AfterPaint>
            <FlowSection />
            <AfterPaint>
                <MessagesSection />
                <AfterPaint>
                    <crate::share::SharePanel />
                </AfterPaint>
            </AfterPaint>
        </AfterPaint>
    }
}

/// The flow compared with the known-good flow, leg by leg.
#[component]
fn FlowSection() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        let layout = analysis.with(|a| {
            rcc_core::diagram::layout(&a.profile, &a.diagnosis.flow, &a.diagnosis.findings)
        });
        view! {
            <h3>"The flow, hop by hop"</h3>
            <p class="hint">"Every leg of the known-good flow for this gateway, as your evidence shows it: where it broke, the answer that proves it, and the rule that is missing. Replay it leg by leg with the controls."</p>
            <crate::diagram::FlowDiagram layout=layout />
        }
    }
}

/// The ladder of the messages, when there are any.
#[component]
fn MessagesSection() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        analysis
            .with(|a| (a.messages > 0).then(|| a.source.clone()))
            .map(|source| {
                view! {
                    <h3>"The messages"</h3>
                    <crate::diagram::Ladder source=source rcc_only=true />
                }
            })
    }
}

/// Which server generation the fixes are written for, and what said so.
#[component]
fn GenerationNote(diagnosis: Diagnosis) -> impl IntoView {
    let text = match &diagnosis.generation {
        Some(g) => format!(
            "{} {}, from {}{}.",
            if g.inferred {
                "Assumed:"
            } else {
                "Fixes written for"
            },
            g.generation.name(),
            g.basis,
            // Where in a log; a paste's basis names its own line.
            g.evidence
                .first()
                .filter(|e| matches!(e, rcc_core::evidence::Evidence::Log { .. }))
                .map(|e| format!(" ({})", e.label()))
                .unwrap_or_default()
        ),
        None => "Server generation unknown: the fixes use no product's own words until you choose \
                 it on the routing step or add a log."
            .to_string(),
    };
    let id = diagnosis.generation.as_ref().map(|g| g.generation.id());
    view! { <p class="hint generation-note" data-testid="generation-note" data-generation=id>{text}</p> }
}

/// When the logs name another gateway than the one chosen: which, where, and a button that
/// switches to it (the diagnosis follows the choice).
#[component]
pub fn GatewayNote() -> impl IntoView {
    let analysis = use_analysis();
    let state = expect_context::<crate::state::AppState>();
    move || {
        let (seen, chosen) = analysis.with(|a| (a.case.gateway_seen.clone(), a.profile.clone()));
        let seen = seen.filter(|s| s.profile != chosen.id)?;
        let other = rcc_core::profile::profile(&seen.profile)?;
        let id = other.id.clone();
        Some(view! {
            <p class="notice gateway-note" data-testid="gateway-note" data-profile=other.id.clone()>
                {format!(
                    "Your logs name another gateway: {} ({}), {}. This diagnosis is for {}. ",
                    seen.product,
                    other.name,
                    seen.evidence.label(),
                    chosen.name
                )}
                <button
                    type="button"
                    class="link-button"
                    aria-label=format!("Use this gateway: {}", other.name)
                    on:click=move |_| state.profile.set(id.clone())
                >
                    "Use this gateway"
                </button>
            </p>
        })
    }
}

/// One sentence on top: what is wrong, or that nothing is decided yet.
#[component]
fn Headline(diagnosis: Diagnosis) -> impl IntoView {
    let top = diagnosis
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
        .or_else(|| diagnosis.findings.first())
        .cloned();
    let count = |s: Severity| {
        diagnosis
            .findings
            .iter()
            .filter(|f| f.severity == s)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let also = match warnings {
        0 => String::new(),
        n => format!(" Also {} to check.", counted(n, "warning")),
    };
    match top {
        Some(f) => view! {
            <div class=format!("headline {}", severity_id(f.severity)) data-testid="headline">
                <p class="headline-title">{f.title.clone()}</p>
                <p class="headline-sub">
                    {match (errors, warnings) {
                        (0, 0) => "Nothing blocks remote call control in the evidence given.".to_string(),
                        (0, n) => format!("No certain error; {} to check below, with the evidence.", counted(n, "warning")),
                        (1, _) => format!("One problem found. The fix is below, with its evidence.{also}"),
                        (n, _) => format!("{n} problems found. Fix them in the order shown.{also}"),
                    }}
                </p>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="headline unknown" data-testid="headline">
                <p class="headline-title">"Not enough evidence yet"</p>
                <p class="headline-sub">"RCC Doctor does not guess. Add what is listed below and the diagnosis fills in."</p>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn Findings(diagnosis: Diagnosis, profile: Profile) -> impl IntoView {
    let label = move |id: &str| {
        profile
            .participant(id)
            .map(|p| p.label.clone())
            .unwrap_or_else(|| id.to_string())
    };
    view! {
        <ol class="findings">
            {diagnosis
                .findings
                .into_iter()
                .map(|f| view! { <FindingCard finding=f from=label.clone() confirm=diagnosis.needed.clone() /> })
                .collect_view()}
        </ol>
    }
}

#[component]
fn FindingCard(
    finding: Finding,
    from: impl Fn(&str) -> String + 'static,
    /// What would decide more: shown under the finding's assumptions, with a link to the step
    /// that collects it.
    confirm: Vec<EvidenceNeeded>,
) -> impl IntoView {
    let fix_all = finding
        .fix
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect::<Vec<_>>()
        .join("\n");
    let leg = finding
        .leg
        .clone()
        .map(|l| (from(&l.from), from(&l.to), l.message));
    view! {
        <li class=format!("finding {}", severity_id(finding.severity)) data-finding=finding.id.as_str()>
            <div class="finding-head">
                <span class=format!("badge sev-{}", severity_id(finding.severity))>{severity_id(finding.severity)}</span>
                <h3>{finding.title.clone()}</h3>
                <span class="finding-meta"><code>{finding.id.as_str()}</code> " · " {confidence_label(finding.confidence)}</span>
            </div>
            <p>{finding.explanation.clone()}</p>
            {leg.map(|(a, b, m)| view! {
                <p class="failing-leg"><strong>"Failing leg: "</strong> {a} " → " {b} ": " <span class="mono">{m}</span></p>
            })}
            {(!finding.assumptions.is_empty()).then(|| view! {
                <div class="assumptions" data-testid="assumptions" role="note">
                    <p class="assumptions-head">
                        <strong>"How sure: "</strong>
                        {match finding.assumptions.len() {
                            1 => "this finding rests on one thing no input stated.".to_string(),
                            n => format!("this finding rests on {n} things no input stated."),
                        }}
                    </p>
                    <ul>{finding.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
                    {(!confirm.is_empty()).then(|| view! {
                        <p class="confirm"><strong>"To confirm it: "</strong></p>
                        <ul class="confirm-list">
                            {confirm.iter().map(|n| view! {
                                <li>
                                    {n.what.clone()} " "
                                    <a href=n.step.hash() data-confirm-step=n.step.id()>
                                        "Go to the " {n.step.label()} " step"
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                </div>
            })}
            {finding.rule.clone().map(|r| view! {
                <div class="rule-to-add">
                    <span>"Rule to add:"</span>
                    <code data-testid="rule">{r.clone()}</code>
                    <CopyButton text=r label="Copy rule" />
                </div>
            })}
            {(!finding.fix.is_empty()).then(|| view! {
                <div class="fix">
                    <div class="fix-head">
                        <strong>"How to fix"</strong>
                        <CopyButton text=fix_all.clone() label="Copy all steps" />
                    </div>
                    <ol>
                        {finding.fix.iter().map(|s| view! {
                            <li>
                                <span>{s.clone()}</span>
                                " "
                                <CopyButton text=s.clone() label="Copy" />
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            })}
            {finding.admin_fix.clone().map(|fix| view! { <AdminFixView fix=fix /> })}
            {(!finding.evidence.is_empty()).then(|| view! {
                <details class="evidence-list">
                    <summary>"Evidence (" {finding.evidence.len()} ")"</summary>
                    <ul>
                        {finding.evidence.iter().map(|e| view! {
                            <li><span class="mono">{e.label()}</span>
                            {match e {
                                rcc_core::evidence::Evidence::Log { excerpt, .. } if !excerpt.is_empty() =>
                                    Some(view! { <pre class="excerpt">{excerpt.clone()}</pre> }),
                                _ => None,
                            }}
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </li>
    }
}

/// Where the admin applies a fix, in words a helpdesk engineer knows.
fn tool_label(tool: &str) -> &str {
    match tool {
        "mmc" => "in the server's management console",
        "aduc" => "in Active Directory Users and Computers",
        "powershell" => "in Lync Server Management Shell",
        "ldifde" => "with ldifde",
        "gateway" => "on the gateway",
        other => other,
    }
}

/// The fix in the generation's own tools: its steps, the commands to paste for the way this
/// case needs (others folded), what is left to fill in, and how to check.
#[component]
fn AdminFixView(fix: AdminFix) -> impl IntoView {
    let head = format!(
        "How to fix in {}, {}",
        fix.generation.name(),
        tool_label(&fix.tool)
    );
    let n_alt = fix.alternatives.len();
    view! {
        <div class="fix admin-fix" data-testid="admin-fix" data-template=fix.template.clone()>
            <div class="fix-head">
                <strong>{head}</strong>
                {fix.inferred.then(|| view! {
                    <span class="badge inferred" title="No source states this procedure; it is inferred from related documentation">"inferred"</span>
                })}
            </div>
            <p class="fix-title">{fix.title.clone()}</p>
            {(!fix.applies).then(|| view! {
                <p class="hint">"This generation has no such setting; do this instead:"</p>
            })}
            <ol>{fix.steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ol>
            {fix.chosen.clone().map(|v| view! { <FixVariantView variant=v chosen=true /> })}
            {(!fix.to_fill.is_empty()).then(|| view! {
                <div class="to-fill" data-testid="to-fill">
                    <strong>"Fill in before running: "</strong>
                    <ul>
                        {fix.to_fill.iter().map(|p| view! {
                            <li><code>{format!("<{}>", p.name)}</code> ": " {p.meaning.clone()}</li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {(n_alt > 0).then(|| view! {
                <details class="alternatives">
                    <summary>"Other ways (" {n_alt} ")"</summary>
                    {fix.alternatives.iter().cloned().map(|v| view! { <FixVariantView variant=v chosen=false /> }).collect_view()}
                </details>
            })}
            {fix.check.clone().map(|c| view! {
                <p class="fix-check"><strong>"Check: "</strong><code>{c.clone()}</code> " " <CopyButton text=c label="Copy" /></p>
            })}
            {fix.note.clone().map(|n| view! { <p class="hint">{n}</p> })}
        </div>
    }
}

#[component]
fn FixVariantView(variant: FixVariant, chosen: bool) -> impl IntoView {
    view! {
        <div class=if chosen { "fix-variant chosen" } else { "fix-variant" } data-variant=variant.id.clone()>
            <p><strong>{variant.label.clone()}</strong> {(!chosen).then(|| view! { ": " {variant.when.clone()} })}</p>
            {variant.commands.clone().map(|c| view! {
                <div class="commands">
                    <pre class="mono" data-testid="fix-commands">{c.clone()}</pre>
                    <CopyButton text=c label="Copy commands" />
                </div>
            })}
            {(!variant.steps.is_empty()).then(|| view! {
                <ul>{variant.steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

#[component]
fn Needed(diagnosis: Diagnosis) -> impl IntoView {
    (!diagnosis.needed.is_empty()).then(|| {
        view! {
            <div class="needed" data-testid="needed">
                <h3>"What would decide more"</h3>
                <ul>
                    {diagnosis.needed.into_iter().map(|n| {
                        let step = Some(n.step);
                        view! {
                            <li>
                                {n.what}
                                {step.map(|s| view! { " " <a href=s.hash()>"Go to " {s.label()}</a> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}
