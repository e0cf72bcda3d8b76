//! `Ladder`: the messages of the logs as a ladder diagram, one column per host.
//!
//! Rows are virtualised: the scroll container has the full height of all rows, but only the
//! rows in [`rcc_core::ladder::window`] (visible plus overscan) exist in the DOM, so 170,000
//! messages scroll as smoothly as 10. Clicking a row (or Enter/Space on it) opens the raw message
//! with the headers that matter highlighted.
//!
//! Everything about the messages comes from an [`AnalysisSource`]: the filtered row indexes,
//! the rows of the window (fetched a page ahead; a row not fetched yet is drawn as a placeholder)
//! and the raw message. From the analysis worker these arrive later; on the page at once.

use super::export::{copy_js_text, download_js};
use crate::source::AnalysisSource;
use leptos::prelude::*;
use rcc_core::ladder::{self, LadderFilter, RawMessage, Verdict};
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
    rcc_core::diagram::xml_escape(s)
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

/// The filtered row indexes, and the filter they answer.
#[derive(Clone)]
struct Listed {
    filter: LadderFilter,
    rows: Arc<[u32]>,
}

#[component]
pub fn Ladder(
    /// Where the ladder and its messages are (the page or the analysis worker).
    source: AnalysisSource,
    /// Start with "RCC only" on.
    #[prop(optional)]
    rcc_only: bool,
) -> impl IntoView {
    let summary = source.ladder().clone();
    let filter = RwSignal::new(LadderFilter {
        rcc_only,
        ..LadderFilter::default()
    });
    // None until the first answer; an answer for an older filter is dropped.
    let visible = RwSignal::new(None::<Listed>);
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(DEFAULT_VIEWPORT);
    let selected = RwSignal::new(None::<usize>);
    let raw = RwSignal::new(None::<RawMessage>);
    let copied = RwSignal::new(false);
    // The row "Jump to failing message" scrolls to once the list that shows it is here.
    let pending_jump = RwSignal::new(None::<usize>);
    // A focused placeholder row is replaced when its row arrives: focus the real one then.
    let focus_when_loaded = RwSignal::new(None::<usize>);
    let scroller = NodeRef::<leptos::html::Div>::new();

    let ask_filter = {
        let source = source.clone();
        move |f: LadderFilter| {
            let wanted = f.clone();
            source.filter(&f, move |rows| {
                if filter.try_get_untracked().as_ref() == Some(&wanted) {
                    visible.try_set(Some(Listed {
                        filter: wanted,
                        rows,
                    }));
                }
            });
        }
    };
    // The page answers now, before the first render; the worker later.
    let asked = StoredValue::new(filter.get_untracked());
    ask_filter(filter.get_untracked());
    // A new filter (even one set before this effect first ran): ask for its rows, start at the
    // top.
    Effect::new(move |_| {
        let f = filter.get();
        if asked.with_value(|a| *a != f) {
            asked.set_value(f.clone());
            ask_filter(f);
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
    });

    let count = move || visible.with(|v| v.as_ref().map(|l| l.rows.len()));
    let range = move || {
        ladder::window(
            count().unwrap_or(0),
            ROW_H,
            scroll_top.get(),
            viewport.get(),
            OVERSCAN,
        )
    };
    // Fetch the window's rows and a page around it (a no-op on the page).
    {
        let source = source.clone();
        Effect::new(move |_| {
            let r = range();
            visible.with(|v| {
                if let Some(v) = v {
                    source.want(&v.rows, r);
                }
            });
        });
    }
    // The selected row's message, for the detail pane.
    {
        let source = source.clone();
        Effect::new(move |_| {
            let Some(r) = selected.get() else { return };
            if raw.with_untracked(|m| m.as_ref().map(|m| m.row)) == Some(r) {
                return;
            }
            source.raw(r, move |m| {
                if selected.try_get_untracked() == Some(Some(r)) {
                    raw.try_set(m);
                }
            });
        });
    }
    // Jump: once the list for the current filter is here, scroll to the row.
    Effect::new(move |_| {
        let Some(r) = pending_jump.get() else { return };
        let pos = visible.with(|v| {
            v.as_ref()
                .filter(|l| l.filter == filter.get_untracked())
                .map(|l| ladder::position_of(&l.rows, r))
        });
        let Some(pos) = pos else { return };
        pending_jump.set(None);
        if let Some(pos) = pos {
            request_animation_frame(move || {
                if let Some(el) = scroller.get_untracked() {
                    let top = (pos as f64 * ROW_H - ROW_H * 2.0).max(0.0);
                    el.set_scroll_top(top as i32);
                    scroll_top.set(top);
                }
            });
        }
    });
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
    {
        let source = source.clone();
        Effect::new(move |_| {
            use leptos::wasm_bindgen::JsCast;
            let Some(r) = focus_when_loaded.get() else {
                return;
            };
            if source.row(r).is_none() {
                return;
            }
            focus_when_loaded.set(None);
            // After the rows are redrawn: if the focus went with the placeholder, it goes to the
            // row that replaced it.
            request_animation_frame(move || {
                let lost = document()
                    .active_element()
                    .is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"));
                let row = scroller.get_untracked().and_then(|el| {
                    el.query_selector(&format!(".ladder-row[data-row=\"{r}\"]"))
                        .ok()
                        .flatten()
                });
                if let (true, Some(row)) = (lost, row) {
                    if let Ok(row) = row.dyn_into::<web_sys::HtmlElement>() {
                        let _ = row.focus();
                    }
                }
            });
        });
    }

    let columns = summary.columns.len();
    let inner_w = TIME_W + DELTA_W + columns.max(1) as f64 * COL_W;
    let header = summary
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
    // on the body, by the row's `data-row`. A row not fetched yet is a placeholder with the same
    // position and keys; it is replaced (new key) when the row arrives.
    let row_view = move |(pos, r, row): (usize, usize, Option<ladder::Row>)| {
        let (class, verdict, html) = match &row {
            Some(row) => (
                format!("ladder-row v-{}", row.verdict.as_str()),
                Some(row.verdict.as_str()),
                row_html(row),
            ),
            None => (
                "ladder-row pending".to_string(),
                None,
                format!(
                    r#"<span class="ladder-pending">Loading message {}…</span>"#,
                    r + 1
                ),
            ),
        };
        view! {
            <div
                class=class
                role="button"
                tabindex="0"
                data-row=r
                data-verdict=verdict
                aria-busy=row.is_none().then_some("true")
                class:selected=selected.get_untracked() == Some(r)
                style:position="absolute"
                style:left="0"
                style:right="0"
                style:top=format!("{}px", pos as f64 * ROW_H)
                style:height=format!("{ROW_H}px")
                inner_html=html
            ></div>
        }
    };
    let window_rows = {
        let source = source.clone();
        move || {
            let r = range();
            visible.with(|v| {
                let Some(v) = v else { return Vec::new() };
                r.filter_map(|pos| {
                    let i = *v.rows.get(pos)? as usize;
                    Some((pos, i, source.row(i)))
                })
                .collect::<Vec<_>>()
            })
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
    let on_body_focus = move |ev: web_sys::FocusEvent| {
        if let Some((el, r)) = row_of(&ev) {
            let pending = el.class_list().contains("pending");
            let wait = pending.then_some(r);
            if focus_when_loaded.get_untracked() != wait {
                focus_when_loaded.set(wait);
            }
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

    let raw_view = move || {
        selected.get().map(|r| {
            raw.with(|m| match m {
                Some(m) if m.row == r => {
                    let headers = m
                        .headers
                        .iter()
                        .map(|h| {
                            view! {
                                <span class="raw-header" class:key=h.key data-header=h.name.clone()>
                                    <span class="raw-name">{h.name.clone()}</span>
                                    ": "
                                    {h.value.clone()}
                                    "\n"
                                </span>
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="ladder-raw" aria-label="Raw message" data-row=r>
                            <header>
                                <strong>{m.label.clone()}</strong>
                                <span class="muted">{m.source.clone()} " · " {verdict_label(m.verdict)}</span>
                                <button type="button" class="ghost" on:click=move |_| selected.set(None)>
                                    "Close"
                                </button>
                            </header>
                            <pre><span class="raw-start">{m.start_line.clone()} "\n"</span>{headers}"\n"{m.body.clone()}</pre>
                        </section>
                    }
                    .into_any()
                }
                _ => view! {
                    <section class="ladder-raw" aria-label="Raw message" aria-busy="true" data-row=r>
                        <p class="muted">"Loading message " {r + 1} "…"</p>
                    </section>
                }
                .into_any(),
            })
        })
    };

    let hidden_dialogs = summary.dialogs_total.saturating_sub(summary.dialogs.len());
    let dialogs = summary
        .dialogs
        .iter()
        .map(|d| {
            let label: String = d.label.chars().take(60).collect();
            view! { <option value=d.call_id.clone()>{format!("{label} ({})", d.rows)}</option> }
        })
        .collect_view();
    let methods = summary
        .methods
        .iter()
        .map(|m| view! { <option value=m.clone()>{m.clone()}</option> })
        .collect_view();
    let total_rows = summary.rows;

    let export_mermaid = {
        let source = source.clone();
        move |_| {
            source.mermaid(&filter.get_untracked(), |text| {
                let _ = download_js("rcc-ladder.mmd", "text/plain", &text);
            });
        }
    };
    let copy_mermaid = {
        let source = source.clone();
        move |_| {
            source.mermaid(&filter.get_untracked(), move |text| {
                copy_js_text(&text);
                copied.try_set(true);
            });
        }
    };
    let first_failing = summary.first_failing;
    let jump_failing = move |_| {
        if let Some(r) = first_failing {
            // Show everything so the row is there, then scroll to it (when the list is here).
            selected.set(Some(r));
            if filter.get_untracked() != LadderFilter::default() {
                filter.set(LadderFilter::default());
            }
            pending_jump.set(Some(r));
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
                        {(hidden_dialogs > 0).then(|| view! {
                            <option value="" disabled>{format!("… {hidden_dialogs} more dialogs not listed")}</option>
                        })}
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
                    {move || match count() {
                        Some(n) => format!("{n} of {total_rows} messages"),
                        None => format!("… of {total_rows} messages"),
                    }}
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
                    let fit = HEAD_H + count().unwrap_or(0) as f64 * ROW_H + 2.0;
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
                    on:focusin=on_body_focus
                    style:position="relative"
                    style:width=format!("{inner_w}px")
                    style:height=move || format!("{}px", count().unwrap_or(0) as f64 * ROW_H)
                >
                    {lifelines}
                    <For
                        each=window_rows
                        key=|(pos, r, row)| (*pos, *r, row.is_some())
                        children=row_view
                    />
                </div>
            </div>
            {raw_view}
        </div>
    }
}
