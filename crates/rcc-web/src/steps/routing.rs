//! Step 3: topology and routing rules. Pick the gateway profile, paste or type the Home Server
//! and Application Proxy rules, and see the remote call control INVITE routed hop by hop.

use crate::analysis::use_analysis;
use crate::collect::CollectHelp;
use crate::copy::CopyButton;
use crate::glossary::Term;
use crate::paint::AfterPaint;
use crate::state::AppState;
use leptos::prelude::*;
use rcc_core::generation::{CollectInput, Generation};
use rcc_core::profile::{self, Profile};
use rcc_core::routing::{PathOutcome, RoutePath, RULES_HELP};

/// The gateway and the server generation first (the first screen); the rules, how to export
/// them and the simulation below them after that screen's paint (see [`AfterPaint`]).
#[component]
pub fn RoutingStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <h2 tabindex="-1">"Topology and routing rules"</h2>
        <p class="lead">
            "The control session travels from Communicator through its " <Term t="Home Server" />
            " to the gateway (for Nortel: " <Term t="MCM" /> " on an " <Term t="Application Proxy" />
            ", then " <Term t="NRS" /> " and the CS 1000), and the gateway's answers and events travel back. Every server on the way needs a "
            <Term t="static route" /> " for the next hop, in both directions."
        </p>
        <ProfilePicker />
        <GenerationPicker />
        <AfterPaint>
            <CollectHelp
                inputs=vec![CollectInput::Routes, CollectInput::Trust]
                summary="How to export the routes and trusted hosts from your servers"
            />
            <label class="field" for="rules">"Routing rules"</label>
            <textarea
                id="rules"
                rows="14"
                spellcheck="false"
                aria-describedby="rules-help"
                placeholder="[home-server]\nroute  mcm-ap.contoso.com  -> mcm-ap.contoso.com:5061 tls\n\n[app-proxy]\nroute  *  -> lcs01.contoso.com:5061 tls"
                prop:value=move || state.rules_text.get()
                on:input=move |ev| {
                    state.begin_own_input();
                    state.rules_text.set(event_target_value(&ev));
                }
            ></textarea>
            <details id="rules-help" class="help">
                <summary>"How to write the rules (and where to find them in the consoles)"</summary>
                <pre>{RULES_HELP}</pre>
            </details>
            <RuleProblems />
            <SimulationView />
        </AfterPaint>
    }
}

#[component]
fn ProfilePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <fieldset class="profiles">
            <legend>"Gateway"</legend>
            {profile::profiles()
                .iter()
                .map(|p| {
                    let id = p.id.clone();
                    let id2 = p.id.clone();
                    view! {
                        <label class="profile-card" data-profile=p.id.clone()>
                            <input
                                type="radio"
                                name="profile"
                                value=p.id.clone()
                                prop:checked=move || state.profile.get() == id
                                on:change=move |_| {
                                    state.begin_own_input();
                                    state.profile.set(id2.clone());
                                }
                            />
                            <span class="profile-text">
                                <strong>{p.name.clone()}</strong>
                                <Chain profile=p.clone() />
                            </span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
        <super::diagnosis::GatewayNote />
    }
}

/// Which server generation runs the pool: it decides the words of every fix (console steps or
/// shell commands). Left on "read it from the inputs", the analysis names it and says why.
#[component]
fn GenerationPicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let analysis = use_analysis();
    let seen = move || {
        analysis.with(|a| {
            a.diagnosis
                .generation
                .as_ref()
                .map(|g| (g.generation.name().to_string(), g.basis.clone()))
        })
    };
    view! {
        <div class="generation-picker">
            <label class="field" for="generation">"Server generation"</label>
            <select
                id="generation"
                aria-describedby="generation-seen"
                on:change=move |ev| state.generation.set(Generation::from_id(&event_target_value(&ev)))
            >
                <option value="" selected=move || state.generation.get().is_none()>
                    "Not sure: read it from the logs and pastes"
                </option>
                {Generation::ALL
                    .into_iter()
                    .map(|g| view! {
                        <option value=g.id() selected=move || state.generation.get() == Some(g)>
                            {g.name()}
                        </option>
                    })
                    .collect_view()}
            </select>
            <p id="generation-seen" class="hint" data-testid="generation-seen">
                {move || match (state.generation.get(), seen()) {
                    (Some(g), _) => format!("The fixes are written for {}.", g.name()),
                    (None, Some((name, basis))) => {
                        format!("Read from your inputs: {name} ({basis}).")
                    }
                    (None, None) => "Nothing names it yet: the fixes stay generic until you \
                                     choose it or add a log."
                        .to_string(),
                }}
            </p>
        </div>
    }
}

/// The participants of a profile as a chain: Communicator → Home Server → … → phone.
#[component]
fn Chain(profile: Profile) -> impl IntoView {
    let n = profile.participants.len();
    view! {
        <span class="chain">
            {profile
                .participants
                .into_iter()
                .enumerate()
                .map(|(i, p)| view! {
                    <span class="chain-node">{p.label}</span>
                    {(i + 1 < n).then(|| view! { <span class="chain-arrow" aria-hidden="true">" → "</span> })}
                })
                .collect_view()}
        </span>
    }
}

#[component]
fn RuleProblems() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        let problems = analysis.with(|a| {
            a.rules
                .as_ref()
                .map(|r| r.problems.clone())
                .unwrap_or_default()
        });
        (!problems.is_empty()).then(|| view! {
            <ul class="problems-list" data-testid="rule-problems">
                {problems.into_iter().map(|p| view! { <li>"Line " {p.line} ": " {p.message}</li> }).collect_view()}
            </ul>
        })
    }
}

#[component]
fn SimulationView() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        let (sim, profile) = analysis.with(|a| (a.simulation.clone(), a.profile.clone()));
        let label = move |id: &str| {
            profile
                .participant(id)
                .map(|p| p.label.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let has_rules = analysis.with(|a| a.rules.is_some());
        let Some(sim) = sim else {
            let why = if has_rules {
                "To route the INVITE the simulation needs the remote call control SIP URI: enter msRTCSIP-LineServer in the Directory step, or add a client log that shows the provisioning answer."
            } else {
                "Enter the rules to see the remote call control INVITE routed hop by hop."
            };
            return view! { <p class="hint" data-testid="no-simulation">{why}</p> }.into_any();
        };
        let path = |title: &'static str, dir: &'static str, p: &RoutePath| {
            let outcome = match p.outcome {
                PathOutcome::Reached => "reached",
                PathOutcome::Stopped => "stopped",
                PathOutcome::Unknown => "unknown",
            };
            view! {
                <div class=format!("route-path {outcome}") data-path=dir data-outcome=outcome>
                    <h4>{title} " " <code>{p.request_uri.clone()}</code></h4>
                    <ol class="hops">
                        {p.hops.iter().map(|h| view! {
                            <li>
                                <strong>{label(&h.at)}</strong>
                                {match &h.next {
                                    Some(n) => format!(" → {}", label(n)),
                                    None => " → stops here".to_string(),
                                }}
                                <span class="evidence mono">{h.evidence.label()}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                    <p class="route-detail">{p.detail.clone()}</p>
                </div>
            }
        };
        view! {
            <h3>"Route simulation"</h3>
            {path("Communicator's INVITE to", "forward", &sim.forward)}
            {sim.back.as_ref().map(|b| path("The gateway's requests back to", "back", b))}
            {sim.problems.iter().map(|p| {
                let rule = p.rule.as_ref().map(|r| r.text());
                view! {
                    <div class="route-problem" data-route-problem=p.finding.as_str()>
                        <p><strong>{label(&p.at)} ": "</strong> {p.message.clone()}</p>
                        {p.assumption.clone().map(|a| view! { <p class="hint">"Assumed: " {a}</p> })}
                        {p.rule_assumptions.iter().map(|a| view! { <p class="hint">{a.clone()}</p> }).collect_view()}
                        {rule.map(|r| view! {
                            <div class="rule-to-add">
                                <span>"Add this rule:"</span>
                                <code>{r.clone()}</code>
                                <CopyButton text=r label="Copy rule" />
                            </div>
                        })}
                        <ol class="fix-steps">{p.fix.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}</ol>
                    </div>
                }
            }).collect_view()}
            {(!sim.unknowns.is_empty()).then(|| view! {
                <p class="hint">"Not enough to decide: " {sim.unknowns.join("; ")}</p>
            })}
        }
        .into_any()
    }
}
