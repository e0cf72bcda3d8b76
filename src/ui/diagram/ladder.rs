//! `Ladder`: the messages of the logs as a ladder diagram, one column per host.
//!
//! Rows are virtualised: the scroll container has the full height of all rows, but only the
//! rows in [`crate::core::ladder::window`] (visible plus overscan) exist in the DOM, so 10,000
//! messages scroll as smoothly as 10. Clicking a row (or Enter/Space on it) opens the raw message
//! with the headers that matter highlighted.

use super::export::{copy_text, download_text};
use crate::core::diagnosis::Diagnosis;
use crate::core::ladder::{self, is_key_header, LadderFilter, Verdict};
use crate::core::profile::Profile;
use crate::core::routing::Topology;
use crate::core::sip::SipMessage;
use leptos::prelude::*;
use std::sync::Arc;

pub const ROW_H: f64 = 30.0;
const TIME_W: f64 = 118.0;
const DELTA_W: f64 = 64.0;
const COL_W: f64 = 168.0;
/// Columns style/diagram.css has position classes for (`at-0`…, `span-1`…).
const MAX_COLS: usize = 16;
const OVERSCAN: usize = 10;
/// Height of the scroll container until it has been measured.
const DEFAULT_VIEWPORT: f64 = 480.0;
/// Height of the sticky column header.
const HEAD_H: f64 = 44.0;

fn col_x(c: usize) -> f64 {
    TIME_W + DELTA_W + c as f64 * COL_W + COL_W / 2.0
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "OK",
        Verdict::ErrorResponse => "error response",
        Verdict::FailingLeg => "the failing leg",
        Verdict::Repaired => "repaired while reading",
        Verdict::Partial => "only partly read",
    }
}

fn esc(s: &str) -> String {
    crate::core::diagram::xml_escape(s)
}

/// The inside of one row as HTML (escaped): time, delay, the arrow with its label, the verdict
/// for screen readers.
fn row_html(row: &ladder::Row) -> String {
    // Positions are classes (style/diagram.css), not style attributes: the app runs under a
    // CSP without 'unsafe-inline', which blocks style attributes in parsed HTML.
    let arrow = match (row.from, row.to) {
        (Some(a), Some(b)) if a != b => {
            let dir = if b > a { "ltr" } else { "rtl" };
            format!(
                r#"<span class="ladder-arrow {dir} at-{} span-{}">"#,
                a.min(b).min(MAX_COLS - 1),
                a.abs_diff(b).min(MAX_COLS - 1)
            )
        }
        (a, b) => format!(
            r#"<span class="ladder-arrow self at-{}">"#,
            a.or(b).unwrap_or(0).min(MAX_COLS - 1)
        ),
    };
    let delta = row.delta_ms.map(|d| format!("+{d} ms")).unwrap_or_default();
    let time = row.time.rsplit(['|', ' ', '-']).next().unwrap_or("");
    format!(
        r#"<span class="ladder-time" title="{}">{}</span><span class="ladder-delta">{}</span>{arrow}<span class="ladder-label">{}</span></span><span class="visually-hidden">, {}</span>"#,
        esc(&row.time),
        esc(time),
        delta,
        esc(&row.label),
        verdict_label(row.verdict)
    )
}

#[component]
pub fn Ladder(
    /// The messages, in time order (e.g. `Ingested::messages`).
    #[prop(into)]
    messages: Arc<Vec<SipMessage>>,
    /// Labels host columns with the profile's participants.
    #[prop(optional)]
    profile: Option<Profile>,
    /// Marks the rows that are evidence of the failing leg.
    #[prop(optional)]
    diagnosis: Option<Diagnosis>,
    /// Names columns by the FQDNs/IPs it knows (e.g. the routing rules' `[servers]`).
    #[prop(optional)]
    topology: Option<Topology>,
    /// Start with "RCC only" on.
    #[prop(optional)]
    rcc_only: bool,
) -> impl IntoView {
    let model = Arc::new(ladder::build_with_topology(
        &messages,
        profile.as_ref(),
        diagnosis.as_ref(),
        topology.as_ref(),
    ));
    let filter = RwSignal::new(LadderFilter {
        rcc_only,
        ..LadderFilter::default()
    });
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(DEFAULT_VIEWPORT);
    let selected = RwSignal::new(None::<usize>);
    let copied = RwSignal::new(false);
    let scroller = NodeRef::<leptos::html::Div>::new();
    // The selected row's highlight is a class set on the live row (rows created later read the
    // selection when they are made); no inline <style>, which a strict CSP would block.
    Effect::new(move |_| {
        use leptos::wasm_bindgen::JsCast;
        let now = selected.get();
        let Some(el) = scroller.get() else { return };
        if let Ok(list) = el.query_selector_all(".ladder-row.selected") {
            for i in 0..list.length() {
                if let Some(e) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                {
                    let _ = e.class_list().remove_1("selected");
                }
            }
        }
        if let Some(r) = now {
            if let Ok(Some(e)) = el.query_selector(&format!(".ladder-row[data-row=\"{r}\"]")) {
                let _ = e.class_list().add_1("selected");
            }
        }
    });

    let visible = {
        let model = model.clone();
        Memo::new(move |_| model.filtered(&filter.get()))
    };
    // A new filter starts at the top.
    Effect::new(move |prev: Option<LadderFilter>| {
        let f = filter.get();
        if prev.is_some_and(|p| p != f) {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
        f
    });
    let range = move || {
        visible.with(|v| ladder::window(v.len(), ROW_H, scroll_top.get(), viewport.get(), OVERSCAN))
    };

    let columns = model.columns.len();
    let inner_w = TIME_W + DELTA_W + columns.max(1) as f64 * COL_W;
    let header = model
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let sub = (c.host != c.label && !c.host.is_empty()).then(|| c.host.clone());
            view! {
                <div
                    class="ladder-col"
                    data-column=i
                    data-participant=c.participant.clone().unwrap_or_default()
                    title=c.aliases.join(", ")
                    style:left=format!("{}px", col_x(i) - COL_W / 2.0)
                    style:width=format!("{COL_W}px")
                >
                    <span class="ladder-col-label">{c.label.clone()}</span>
                    {sub.map(|s| view! { <span class="ladder-col-host">{s}</span> })}
                </div>
            }
        })
        .collect_view();
    let lifelines = (0..columns)
        .map(|i| view! { <div class="ladder-lifeline" style:left=format!("{}px", col_x(i))></div> })
        .collect_view();

    // Rows are plain HTML strings with no per-row closures: creating the ~40 rows of a window
    // must stay cheap when a fast scroll replaces all of them. Clicks and keys are handled once,
    // on the body, by the row's `data-row`.
    let row_view = {
        let model = model.clone();
        move |(pos, r): (usize, usize)| {
            let row = &model.rows[r];
            view! {
                <div
                    class=format!("ladder-row v-{}", row.verdict.as_str())
                    role="button"
                    tabindex="0"
                    data-row=r
                    data-verdict=row.verdict.as_str()
                    class:selected=selected.get_untracked() == Some(r)
                    style:position="absolute"
                    style:left="0"
                    style:right="0"
                    style:top=format!("{}px", pos as f64 * ROW_H)
                    style:height=format!("{ROW_H}px")
                    inner_html=row_html(row)
                ></div>
            }
        }
    };
    let row_of = |ev: &web_sys::Event| -> Option<(web_sys::HtmlElement, usize)> {
        use leptos::wasm_bindgen::JsCast;
        let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
        let row = target.closest("[data-row]").ok()??;
        let r = row.get_attribute("data-row")?.parse().ok()?;
        Some((row.dyn_into().ok()?, r))
    };
    let on_body_click = move |ev: web_sys::MouseEvent| {
        if let Some((_, r)) = row_of(&ev) {
            selected.set(Some(r));
        }
    };
    let on_body_key = move |ev: web_sys::KeyboardEvent| {
        let Some((el, r)) = row_of(&ev) else { return };
        let k = ev.key();
        if k == "Enter" || k == " " {
            ev.prevent_default();
            selected.set(Some(r));
        } else if k == "ArrowDown" || k == "ArrowUp" {
            // Move between rows; the overscan keeps the neighbour rendered and focusing it
            // scrolls the window along.
            ev.prevent_default();
            use leptos::wasm_bindgen::JsCast;
            let next = if k == "ArrowDown" {
                el.next_element_sibling()
            } else {
                el.previous_element_sibling()
            };
            if let Some(n) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
                if n.has_attribute("data-row") {
                    let _ = n.focus();
                }
            }
        } else if k == "Escape" {
            selected.set(None);
        }
    };

    let raw = {
        let messages = messages.clone();
        let model = model.clone();
        move || {
            selected.get().map(|r| {
                let row = &model.rows[r];
                let m = &messages[row.message];
                let headers = m
                    .headers()
                    .map(|h| {
                        let key = is_key_header(h.name);
                        view! {
                            <span class="raw-header" class:key=key data-header=h.name.to_string()>
                                <span class="raw-name">{h.name.to_string()}</span>
                                ": "
                                {h.value.to_string()}
                                "\n"
                            </span>
                        }
                    })
                    .collect_view();
                let source = format!(
                    "{}:{}-{}",
                    m.source.file, m.source.line_start, m.source.line_end
                );
                view! {
                    <section class="ladder-raw" aria-label="Raw message" data-row=r>
                        <header>
                            <strong>{row.label.clone()}</strong>
                            <span class="muted">{source} " · " {verdict_label(row.verdict)}</span>
                            <button type="button" class="ghost" on:click=move |_| selected.set(None)>
                                "Close"
                            </button>
                        </header>
                        <pre><span class="raw-start">{m.start_line_text()} "\n"</span>{headers}"\n"{m.body().to_string()}</pre>
                    </section>
                }
            })
        }
    };

    let dialogs = model
        .dialogs
        .iter()
        .map(|d| {
            let label: String = d.label.chars().take(60).collect();
            view! { <option value=d.call_id.clone()>{format!("{label} ({})", d.rows)}</option> }
        })
        .collect_view();
    let methods = model
        .methods
        .iter()
        .map(|m| view! { <option value=m.clone()>{m.clone()}</option> })
        .collect_view();
    let total_rows = model.rows.len();

    let export_mermaid = {
        let model = model.clone();
        move |_| {
            let text = ladder::to_mermaid_rows(&model, &visible.get_untracked());
            let _ = download_text("rcc-ladder.mmd", "text/plain", &text);
        }
    };
    let copy_mermaid = {
        let model = model.clone();
        move |_| {
            copy_text(&ladder::to_mermaid_rows(&model, &visible.get_untracked()));
            copied.set(true);
        }
    };
    let first_failing = model.first_failing();
    let jump_failing = move |_| {
        if let Some(r) = first_failing {
            // Show everything so the row is there, then scroll to it.
            filter.set(LadderFilter::default());
            selected.set(Some(r));
            request_animation_frame(move || {
                if let Some(el) = scroller.get_untracked() {
                    let top = (r as f64 * ROW_H - ROW_H * 2.0).max(0.0);
                    el.set_scroll_top(top as i32);
                    scroll_top.set(top);
                }
            });
        }
    };

    view! {
        <div class="ladder" data-rows=total_rows data-columns=columns>
            <div class="ladder-toolbar" role="toolbar" aria-label="Ladder filters and export">
                <label>
                    "Dialog "
                    <select
                        data-filter="dialog"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            filter.update(|f| f.call_id = (!v.is_empty()).then_some(v));
                        }
                        prop:value=move || filter.get().call_id.unwrap_or_default()
                    >
                        <option value="">"All dialogs"</option>
                        {dialogs}
                    </select>
                </label>
                <label>
                    "Method "
                    <select
                        data-filter="method"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            filter.update(|f| f.method = (!v.is_empty()).then_some(v));
                        }
                        prop:value=move || filter.get().method.unwrap_or_default()
                    >
                        <option value="">"All methods"</option>
                        {methods}
                    </select>
                </label>
                <button
                    type="button"
                    class="secondary"
                    data-filter="rcc-only"
                    aria-pressed=move || filter.get().rcc_only.to_string()
                    title="Keep the CSTA dialogs and the provisioning subscription; hide REGISTER, OPTIONS and presence"
                    on:click=move |_| filter.update(|f| f.rcc_only = !f.rcc_only)
                >
                    "RCC only"
                </button>
                <button
                    type="button"
                    class="ghost"
                    data-action="ladder-jump-failing"
                    disabled=first_failing.is_none()
                    on:click=jump_failing
                >
                    "Jump to failing message"
                </button>
                <span class="ladder-count" aria-live="polite">
                    {move || format!("{} of {total_rows} messages", visible.with(Vec::len))}
                </span>
                <span class="spacer"></span>
                <button type="button" class="ghost" data-action="export-mermaid" on:click=export_mermaid>
                    "Download Mermaid"
                </button>
                <button type="button" class="ghost" data-action="copy-mermaid" on:click=copy_mermaid>
                    {move || if copied.get() { "Copied" } else { "Copy Mermaid" }}
                </button>
            </div>
            <div
                class="ladder-scroll"
                // Inline, so the virtual window holds even where diagram.css is not loaded.
                // A short log gets a short box.
                style:height=move || {
                    let fit = HEAD_H + visible.with(Vec::len) as f64 * ROW_H + 2.0;
                    format!("min({}px, 70vh)", fit.clamp(HEAD_H + 3.0 * ROW_H, DEFAULT_VIEWPORT))
                }
                style:overflow="auto"
                style:position="relative"
                node_ref=scroller
                on:scroll=move |_| {
                    if let Some(el) = scroller.get_untracked() {
                        scroll_top.set(el.scroll_top() as f64);
                        let h = el.client_height() as f64;
                        if h > 0.0 && h != viewport.get_untracked() {
                            viewport.set(h);
                        }
                    }
                }
            >
                <div class="ladder-head" style:width=format!("{inner_w}px")>
                    <div class="ladder-col ladder-col-time" style:width=format!("{TIME_W}px")>"Time"</div>
                    <div class="ladder-col ladder-col-delta" style:left=format!("{TIME_W}px") style:width=format!("{DELTA_W}px")>
                        <span aria-hidden="true">"Δ"</span>
                        <span class="visually-hidden">"Delay"</span>
                    </div>
                    {header}
                </div>
                <div
                    class="ladder-body"
                    on:click=on_body_click
                    on:keydown=on_body_key
                    style:position="relative"
                    style:width=format!("{inner_w}px")
                    style:height=move || format!("{}px", visible.with(Vec::len) as f64 * ROW_H)
                >
                    {lifelines}
                    <For
                        each=move || {
                            let r = range();
                            visible.with(|v| r.map(|pos| (pos, v[pos])).collect::<Vec<_>>())
                        }
                        key=|pair| *pair
                        children=row_view
                    />
                </div>
            </div>
            {raw}
        </div>
    }
}
