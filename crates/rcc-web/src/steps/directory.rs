//! Step 2: provisioning and directory. The user pastes the msRTCSIP-* attributes as they have
//! them (LDIF, dsquery, PowerShell, ADSI Edit) or types them; the form shows what was
//! recognised, the option flags bit by bit, and every check with its fix.

use crate::analysis::use_analysis;
use crate::checks::{status_id, CheckList};
use crate::collect::CollectHelp;
use crate::glossary::Term;
use crate::state::AppState;
use leptos::prelude::*;
use rcc_core::directory::{self, decode_option_flags, AdFields, CheckStatus, RccAttribute};
use rcc_core::generation::CollectInput;
use rcc_core::report::counted;

#[component]
pub fn DirectoryStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <h2 tabindex="-1">"Provisioning and directory"</h2>
        <p class="lead">
            "After sign-in Communicator asks its " <Term t="Home Server" /> " for " <Term t="provisioning" />
            " data. Two values from Active Directory decide where it sends " <Term t="RCC" text="remote call control" />
            " (" <Term t="CSTA" /> ") commands: the " <strong><Term t="line URI" /></strong> " (which phone) and the "
            <strong><Term t="line server URI" text="remote call control SIP URI" /></strong>
            " (which gateway). Paste the user's attributes as you have them, or type them."
        </p>
        <label class="field" for="sign-in">"The user's sign-in address"</label>
        <input
            id="sign-in"
            type="text"
            autocomplete="off"
            placeholder="alice@contoso.com"
            prop:value=move || state.sign_in.get()
            on:input=move |ev| {
                state.begin_own_input();
                state.sign_in.set(event_target_value(&ev));
            }
        />
        <div class="two-col">
            <div>
                <label class="field" for="ad-paste">"Paste: LDIF, dsquery, PowerShell or name: value lines"</label>
                <textarea
                    id="ad-paste"
                    rows="12"
                    spellcheck="false"
                    aria-describedby="ad-paste-help"
                    placeholder="dn: CN=Alice,OU=Users,DC=contoso,DC=com\nmsRTCSIP-Line: tel:+14255550123;ext=5123\nmsRTCSIP-LineServer: sip:rcc@mcm.contoso.com"
                    prop:value=move || state.ad_text.get()
                    on:input=move |ev| {
                        state.begin_own_input();
                        state.ad_text.set(event_target_value(&ev));
                        state.ad_fields.set(None);
                    }
                ></textarea>
                <p id="ad-paste-help" class="hint">
                    "e.g. " <code>"ldifde -f alice.ldf -r \"(sAMAccountName=alice)\" -l msRTCSIP-Line,msRTCSIP-LineServer,msRTCSIP-OptionFlags,msRTCSIP-UserEnabled,msRTCSIP-PrimaryUserAddress"</code>
                </p>
                <PasteSummary />
                <PasteChecks />
                // Below the paste's own feedback, so a paste's failing checks stay in view.
                <CollectHelp
                    inputs=vec![CollectInput::UserAttributes]
                    summary="How to export this user's attributes (command ready to copy)"
                />
            </div>
            <AttributeForm />
        </div>
        <OptionFlags />
        <h3 id="checks" tabindex="-1">"Checks"</h3>
        {move || {
            let checks = use_analysis().with(|a| a.checks.clone());
            if checks.is_empty() {
                view! { <p class="hint" data-testid="no-checks">"Paste or type the attributes to see the checks."</p> }.into_any()
            } else {
                view! { <CheckList checks=checks /> }.into_any()
            }
        }}
    }
}

#[component]
fn PasteSummary() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        analysis.with(|a| {
            let p = &a.ad_paste;
            if p.recognised.is_empty() && p.problems.is_empty() && p.ignored.is_empty() {
                return None;
            }
            Some(view! {
                <div class="paste-summary" data-testid="ad-format" data-format=format!("{:?}", p.format)>
                    <p>
                        "Read as " <strong>{p.format.label()}</strong> ": "
                        {counted(p.recognised.len(), "attribute")} " recognised, "
                        {counted(p.ignored.len(), "line")} " ignored."
                    </p>
                    {(!p.problems.is_empty()).then(|| view! {
                        <ul class="problems-list">
                            {p.problems.iter().map(|x| view! {
                                <li>{(x.line > 0).then(|| format!("Line {}: ", x.line))}{x.message.clone()}</li>
                            }).collect_view()}
                        </ul>
                    })}
                    {(!p.ignored.is_empty()).then(|| view! {
                        <details>
                            <summary>"Ignored lines"</summary>
                            <ul class="ignored">
                                {p.ignored.iter().take(100).map(|x| view! {
                                    <li><span class="mono">"line " {x.line} ": " {x.text.clone()}</span> " — " {x.why.clone()}</li>
                                }).collect_view()}
                            </ul>
                        </details>
                    })}
                </div>
            })
        })
    }
}

/// The checks that fail (or warn), right under the paste box: the answer where the user is
/// looking, with a way down to every check and its fix.
#[component]
fn PasteChecks() -> impl IntoView {
    let analysis = use_analysis();
    // The answer to a paste belongs where the user looks: while the paste box has the focus,
    // checks that arrive below the fold are scrolled up into view (once; nothing moves while
    // they are visible).
    Effect::new(move |_| {
        if analysis.with(|a| a.checks.is_empty()) {
            return;
        }
        request_animation_frame(|| {
            let doc = document();
            let pasting = doc.active_element().is_some_and(|e| e.id() == "ad-paste");
            let Some(el) = doc
                .query_selector("[data-testid=paste-checks]")
                .ok()
                .flatten()
            else {
                return;
            };
            let bottom = el.get_bounding_client_rect().bottom();
            let height = window()
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(f64::MAX);
            if pasting && bottom > height {
                el.scroll_into_view_with_bool(false);
            }
        });
    });
    move || {
        let checks = analysis.with(|a| a.checks.clone());
        if checks.is_empty() {
            return None;
        }
        let problems: Vec<_> = checks
            .into_iter()
            .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Warning))
            .collect();
        let fails = problems
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .count();
        let head = match (fails, problems.len()) {
            (0, 0) => "Every check passes or needs more input.".to_string(),
            (0, n) => format!("No check fails; {}:", counted(n, "warning")),
            (1, 1) => "1 check fails:".to_string(),
            (f, n) if n == f => format!("{f} checks fail:"),
            (f, n) => format!(
                "{} {}, {}:",
                counted(f, "check"),
                if f == 1 { "fails" } else { "fail" },
                counted(n - f, "warning")
            ),
        };
        Some(view! {
            <div class="paste-checks" data-testid="paste-checks" role="status">
                <p><strong>{head}</strong></p>
                {(!problems.is_empty()).then(|| view! {
                    <ul>
                        {problems.into_iter().map(|c| view! {
                            <li class=format!("check-line {}", status_id(c.status)) data-check-summary=c.id.as_str()>
                                <span class="visually-hidden">{if c.status == CheckStatus::Fail { "Fails: " } else { "Warning: " }}</span>
                                <span aria-hidden="true">{if c.status == CheckStatus::Fail { "✕ " } else { "! " }}</span>
                                {c.title.clone()}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                <button
                    type="button"
                    class="ghost"
                    data-action="to-checks"
                    on:click=move |_| {
                        if let Some(h) = document().get_element_by_id("checks") {
                            h.scroll_into_view();
                            if let Ok(h) = leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h) {
                                let _ = h.focus();
                            }
                        }
                    }
                >
                    "Every check with its fix ↓"
                </button>
            </div>
        })
    }
}

/// One field per attribute, filled from the paste until the user edits one.
#[component]
fn AttributeForm() -> impl IntoView {
    let state = expect_context::<AppState>();
    let analysis = use_analysis();
    let current = move || {
        state.ad_fields.get().unwrap_or_else(|| {
            analysis.with(|a| directory::fields_from_attributes(&a.ad_paste.attributes))
        })
    };
    view! {
        <fieldset class="attr-form">
            <legend>"Attributes"</legend>
            {RccAttribute::ALL
                .into_iter()
                .map(|attr| {
                    let id = format!("attr-{}", attr.name());
                    view! {
                        <label class="field small" for=id.clone()>
                            {attr.console_label()} " " <span class="mono muted">"(" {attr.name()} ")"</span>
                        </label>
                        <input
                            id=id
                            type="text"
                            autocomplete="off"
                            spellcheck="false"
                            data-attr=attr.name()
                            prop:value=move || current().field(attr).to_string()
                            on:input=move |ev| {
                                // Typing over the example starts the user's own case: only what
                                // they type is theirs.
                                let mut f = if state.example.get_untracked() {
                                    state.begin_own_input();
                                    AdFields::default()
                                } else {
                                    current()
                                };
                                *AdFields::field_mut(&mut f, attr) = event_target_value(&ev);
                                state.ad_fields.set(Some(f));
                            }
                        />
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// `msRTCSIP-OptionFlags` decoded bit by bit, the remote call control bit called out.
#[component]
fn OptionFlags() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        let value = analysis.with(|a| {
            a.ad.as_ref()
                .and_then(|ad| ad.option_flags.as_ref())
                .map(|v| v.value.clone())
        })?;
        Some(match decode_option_flags(&value) {
            Err(e) => view! { <p class="problem" data-testid="flags-error">"msRTCSIP-OptionFlags: " {e}</p> }.into_any(),
            Ok(bits) => view! {
                <details class="flags" open>
                    <summary>"msRTCSIP-OptionFlags = " <code>{value.clone()}</code> " bit by bit"</summary>
                    <table>
                        <thead><tr><th scope="col">"Bit"</th><th scope="col">"Value"</th><th scope="col">"Meaning"</th><th scope="col">"Set"</th></tr></thead>
                        <tbody>
                            {bits.into_iter().map(|b| {
                                let rcc = b.mask == directory::RCC_MASK;
                                view! {
                                    <tr class:rcc=rcc class:set=b.set data-flag=b.mask>
                                        <td>{b.bit}</td>
                                        <td class="mono">{b.mask}</td>
                                        <td>{b.name.clone()} <span class="muted">" — " {b.note.clone()}</span></td>
                                        <td>{if b.set { "yes" } else { "no" }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            }.into_any(),
        })
    }
}
