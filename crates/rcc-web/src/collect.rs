//! "How do I get this?": for the inputs a step asks for, the way to collect them in the case's
//! server generation (chosen, or read from the inputs; every generation's way while unknown),
//! with the commands filled in for the user and ready to copy. The rows are
//! `data/generations.toml`'s `[[collect]]`, each with its source.

use crate::analysis::use_analysis;
use crate::copy::CopyButton;
use crate::paint::AfterPaint;
use crate::state::AppState;
use leptos::prelude::*;
use rcc_core::fixes;
use rcc_core::generation::CollectInput;

#[component]
pub fn CollectHelp(inputs: Vec<CollectInput>, summary: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    let analysis = use_analysis();
    // Memos: a new analysis (every change of any input) that names the same generation and
    // user leaves what the box holds as it is.
    let generation = Memo::new(move |_| {
        state
            .generation
            .get()
            .or_else(|| analysis.with(|a| a.diagnosis.generation.as_ref().map(|g| g.generation)))
    });
    // The user as the case resolved it, else as typed.
    let user = Memo::new(move |_| {
        analysis
            .with(|a| a.case.user.as_ref().map(|u| u.value.clone()))
            .or_else(|| Some(state.sign_in.get()).filter(|s| !s.trim().is_empty()))
    });
    let inputs = StoredValue::new(inputs);
    // What the box holds is built after the paint of the step around it: the box starts
    // closed, and while the generation is unknown it holds every generation's way, a good
    // part of a step's nodes. Built then, not when opened, so the browser's find in page
    // sees it.
    view! {
        <details class="help how-to-collect" data-testid="how-to-collect">
            <summary>{summary}</summary>
            <AfterPaint>
                <p class="hint">
                    {move || match generation.get() {
                        Some(g) => format!("For {}.", g.name()),
                        None => "Every server generation's way, until the generation is known (routing step).".to_string(),
                    }}
                </p>
                {move || {
                    let (g, u) = (generation.get(), user.get());
                    inputs.with_value(|inputs| {
                        inputs
                        .iter()
                        .flat_map(|input| fixes::how_to_collect(*input, g, u.as_deref()))
                        .map(|(c, to_fill)| view! {
                            <section class="collect" data-collect=c.id.clone()>
                                <h4>{c.title.clone()}</h4>
                                <ol>{c.steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ol>
                                {c.command.clone().map(|cmd| view! {
                                    <div class="commands">
                                        <pre class="mono" data-testid="collect-command">{cmd.clone()}</pre>
                                        <CopyButton text=cmd label="Copy commands" />
                                    </div>
                                })}
                                {(!to_fill.is_empty()).then(|| view! {
                                    <ul class="to-fill">
                                        {to_fill.into_iter().map(|p| view! {
                                            <li><code>{format!("<{}>", p.name)}</code> ": " {p.meaning}</li>
                                        }).collect_view()}
                                    </ul>
                                })}
                                {c.run_on.clone().map(|r| view! { <p class="hint">"Run in: " {r}</p> })}
                                {c.output.clone().map(|o| view! { <p class="hint">"Output: " <span class="mono">{o}</span></p> })}
                                {c.inferred.then(|| view! { <p class="hint">"Not verified against a source; treat as advice."</p> })}
                            </section>
                        })
                        .collect_view()
                    })
                }}
            </AfterPaint>
        </details>
    }
}
