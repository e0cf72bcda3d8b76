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
use super::window::{plan, Drawn, Edit};
use crate::source::{AnalysisSource, LadderFrame};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsValue;
use rcc_core::ladder::{self, LadderFilter, RawMessage, Verdict};
use std::ops::Range;
use std::sync::Arc;

pub const ROW_H: f64 = 30.0;
const TIME_W: f64 = 118.0;
const DELTA_W: f64 = 64.0;
const COL_W: f64 = 168.0;
/// Columns style/diagram.css has position classes for (`at-0`…, `span-1`…).
const MAX_COLS: usize = 16;
const OVERSCAN: usize = 6;
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
    let time = rcc_core::ladder::time_of_day(&row.time);
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

/// The ladder's state, shared by its parts. Copy: every field is a reactive handle.
#[derive(Clone, Copy)]
struct LadderState {
    filter: RwSignal<LadderFilter>,
    /// The rows passing the filter: a resource of the filter (on the page it is there before
    /// the first render; from the worker later). `None` until the first answer.
    listed: AsyncDerived<Option<Listed>, LocalStorage>,
    scroll_top: RwSignal<f64>,
    viewport: RwSignal<f64>,
    /// The positions (in the filtered list) of the rows in the DOM. A memo: a scroll within a
    /// row changes `scroll_top` but not the window, and wakes nothing that draws or fetches.
    window: Memo<Range<usize>>,
    selected: RwSignal<Option<usize>>,
    /// The selected row's message, for the detail pane: a resource of the selection.
    raw: AsyncDerived<Option<RawMessage>, LocalStorage>,
    /// The row "Jump to failing message" scrolls to once the list that shows it is here.
    pending_jump: RwSignal<Option<usize>>,
    scroller: NodeRef<leptos::html::Div>,
}

impl LadderState {
    fn new(source: &AnalysisSource, rcc_only: bool) -> LadderState {
        let filter = RwSignal::new(LadderFilter {
            rcc_only,
            ..LadderFilter::default()
        });
        let selected = RwSignal::new(None::<usize>);
        let listed = {
            let source = source.clone();
            AsyncDerived::new_unsync(move || {
                let (source, filter) = (source.clone(), filter.get());
                async move {
                    let rows = source.filter(filter.clone()).await?;
                    Some(Listed { filter, rows })
                }
            })
        };
        let raw = {
            let source = source.clone();
            AsyncDerived::new_unsync(move || {
                let (source, row) = (source.clone(), selected.get());
                async move { source.raw(row?).await }
            })
        };
        let (scroll_top, viewport) = (RwSignal::new(0.0), RwSignal::new(DEFAULT_VIEWPORT));
        let window = Memo::new(move |_| {
            ladder::window(
                count_of(listed).unwrap_or(0),
                ROW_H,
                scroll_top.get(),
                viewport.get(),
                OVERSCAN,
            )
        });
        LadderState {
            filter,
            listed,
            scroll_top,
            viewport,
            window,
            selected,
            raw,
            pending_jump: RwSignal::new(None),
            scroller: NodeRef::new(),
        }
    }

    /// How many rows pass the filter; `None` until the first answer.
    fn count(self) -> Option<usize> {
        count_of(self.listed)
    }

    fn with_listed<T>(self, f: impl FnOnce(&Listed) -> T) -> Option<T> {
        self.listed
            .with(|l| l.as_ref().and_then(|l| l.as_ref()).map(f))
    }

    fn scroll_to(self, top: f64) {
        if let Some(el) = self.scroller.get_untracked() {
            el.set_scroll_top(top as i32);
        }
        self.scroll_top.set(top);
    }

    /// The live row element of row `r`, if it is in the window.
    fn row_element(self, r: usize) -> Option<web_sys::Element> {
        let el = self.scroller.get_untracked()?;
        el.query_selector(&format!(".ladder-row[data-row=\"{r}\"]"))
            .ok()
            .flatten()
    }
}

/// How many rows of `listed` pass its filter; `None` until the first answer.
fn count_of(listed: AsyncDerived<Option<Listed>, LocalStorage>) -> Option<usize> {
    listed.with(|l| l.as_ref().and_then(|l| l.as_ref()).map(|l| l.rows.len()))
}

/// The ladder once its frame is at hand; until then (the worker builds it after it sends the
/// diagnosis) a note that it is being drawn.
#[component]
pub fn Ladder(
    /// Where the ladder and its messages are (the page or the analysis worker).
    source: AnalysisSource,
    /// Start with "RCC only" on.
    #[prop(optional)]
    rcc_only: bool,
) -> impl IntoView {
    let frame = {
        let source = source.clone();
        Memo::new(move |_| source.ladder())
    };
    move || match frame.get() {
        LadderFrame::Ready(summary) => {
            view! { <LadderOf source=source.clone() summary=summary rcc_only=rcc_only /> }
                .into_any()
        }
        LadderFrame::Building => view! {
            <p class="hint ladder-building" role="status" data-testid="ladder-building">
                <span class="spinner" aria-hidden="true"></span>
                "Drawing the message ladder…"
            </p>
        }
        .into_any(),
        LadderFrame::Unavailable => view! {
            <p class="notice" data-testid="ladder-unavailable">
                "The message ladder could not be drawn. The diagnosis above is complete; \
                 analysing again (change any input) draws it anew."
            </p>
        }
        .into_any(),
    }
}

#[component]
fn LadderOf(
    source: AnalysisSource,
    summary: Arc<ladder::LadderSummary>,
    rcc_only: bool,
) -> impl IntoView {
    let state = LadderState::new(&source, rcc_only);
    follow_the_state(state, &source);
    let (rows, columns) = (summary.rows, summary.columns.len());
    view! {
        <div class="ladder" data-rows=rows data-columns=columns>
            <LadderToolbar state=state source=source.clone() summary=Arc::clone(&summary) />
            <LadderRows state=state source=source summary=summary />
            <RawPane state=state />
        </div>
    }
}

/// What happens when the ladder's state changes: a new filter starts at the top, the window's
/// rows are fetched, a jump scrolls once its list is here, and the selection is drawn on the
/// live row.
fn follow_the_state(state: LadderState, source: &AnalysisSource) {
    Effect::watch(
        move || state.filter.get(),
        move |_, _, _| state.scroll_to(0.0),
        false,
    );
    // Fetch the window's rows and a page around it (a no-op on the page).
    {
        let source = source.clone();
        Effect::new(move |_| {
            let window = state.window.get();
            state.with_listed(|l| source.want(&l.rows, window));
        });
    }
    Effect::new(move |_| {
        let Some(r) = state.pending_jump.get() else {
            return;
        };
        let filter = state.filter.get_untracked();
        let Some(pos) = state
            .with_listed(|l| (l.filter == filter).then(|| ladder::position_of(&l.rows, r)))
            .flatten()
        else {
            return;
        };
        state.pending_jump.set(None);
        if let Some(pos) = pos {
            request_animation_frame(move || {
                state.scroll_to((pos as f64 * ROW_H - ROW_H * 2.0).max(0.0))
            });
        }
    });
    // The selected row's highlight is a class set on the live row (rows created later read the
    // selection when they are made); no inline <style>, which a strict CSP would block.
    Effect::new(move |before: Option<Option<usize>>| {
        let now = state.selected.get();
        if let Some(e) = before.flatten().and_then(|r| state.row_element(r)) {
            let _ = e.class_list().remove_1("selected");
        }
        if let Some(e) = now.and_then(|r| state.row_element(r)) {
            let _ = e.class_list().add_1("selected");
        }
        now
    });
}

/// The options of the dialog filter as HTML: "All dialogs", one per dialog listed (up to
/// [`ladder::MAX_DIALOGS_LISTED`]) and the count of those not listed. One parse for them all:
/// built as 500 views they took a good part of the task that draws the ladder.
fn dialog_options(summary: &ladder::LadderSummary) -> String {
    use std::fmt::Write;
    let mut html = String::from(r#"<option value="">All dialogs</option>"#);
    for d in &summary.dialogs {
        let label: String = d.label.chars().take(60).collect();
        let _ = write!(
            html,
            r#"<option value="{}">{} ({})</option>"#,
            esc(&d.call_id),
            esc(&label),
            d.rows
        );
    }
    let hidden = summary.dialogs_total.saturating_sub(summary.dialogs.len());
    if hidden > 0 {
        let _ = write!(
            html,
            r#"<option value="" disabled>… {hidden} more dialogs not listed</option>"#
        );
    }
    html
}

/// Keeps a filter `<select>` showing `value`: sets it only when the select shows another
/// (setting a select's value makes the browser walk its options, and the dialog filter has
/// hundreds), and only when that part of the filter changed.
fn follow_select(select: NodeRef<leptos::html::Select>, value: Memo<String>) {
    Effect::new(move |_| {
        let value = value.get();
        if let Some(el) = select.get() {
            if el.value() != value {
                el.set_value(&value);
            }
        }
    });
}

/// Filters, the count, "Jump to failing message" and the Mermaid export.
#[component]
fn LadderToolbar(
    state: LadderState,
    source: AnalysisSource,
    summary: Arc<ladder::LadderSummary>,
) -> impl IntoView {
    let filter = state.filter;
    let copied = RwSignal::new(false);
    let (dialog_select, method_select) = (NodeRef::new(), NodeRef::new());
    follow_select(
        dialog_select,
        Memo::new(move |_| filter.with(|f| f.call_id.clone().unwrap_or_default())),
    );
    follow_select(
        method_select,
        Memo::new(move |_| filter.with(|f| f.method.clone().unwrap_or_default())),
    );
    // The dialogs (up to 500 options) come after the paint of the ladder: until then the
    // filter shows "All dialogs", as it does after.
    let dialogs = dialog_options(&summary);
    crate::paint::after_next_paint(move || {
        // Unmounted before the paint: the node and the filter are gone, and nothing is done.
        let Some(el) = dialog_select.try_get_untracked().flatten() else {
            return;
        };
        el.set_inner_html(&dialogs);
        if let Some(call_id) = filter.try_with_untracked(|f| f.call_id.clone().unwrap_or_default())
        {
            if el.value() != call_id {
                el.set_value(&call_id);
            }
        }
    });
    let methods = summary
        .methods
        .iter()
        .map(|m| view! { <option value=m.clone()>{m.clone()}</option> })
        .collect_view();
    let total_rows = summary.rows;
    let mermaid = move |then: fn(&JsValue) -> bool| {
        let source = source.clone();
        move |_| {
            let source = source.clone();
            leptos::task::spawn_local(async move {
                if let Some(text) = source.mermaid(filter.get_untracked()).await {
                    if then(&text) {
                        copied.try_set(true);
                    }
                }
            });
        }
    };
    let export_mermaid = mermaid(|text| {
        let _ = download_js("rcc-ladder.mmd", "text/plain", text);
        false
    });
    let copy_mermaid = mermaid(|text| {
        copy_js_text(text);
        true
    });
    let first_failing = summary.first_failing;
    let jump_failing = move |_| {
        if let Some(r) = first_failing {
            // Show everything so the row is there, then scroll to it (when the list is here).
            state.selected.set(Some(r));
            if filter.get_untracked() != LadderFilter::default() {
                filter.set(LadderFilter::default());
            }
            state.pending_jump.set(Some(r));
        }
    };
    view! {
        <div class="ladder-toolbar" role="toolbar" aria-label="Ladder filters and export">
            <label>
                "Dialog "
                <select
                    data-filter="dialog"
                    node_ref=dialog_select
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filter.update(|f| f.call_id = (!v.is_empty()).then_some(v));
                    }
                >
                    <option value="">"All dialogs"</option>
                </select>
            </label>
            <label>
                "Method "
                <select
                    data-filter="method"
                    node_ref=method_select
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filter.update(|f| f.method = (!v.is_empty()).then_some(v));
                    }
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
                {move || match state.count() {
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
    }
}

/// The row under an event's target, and its index.
fn row_of(ev: &web_sys::Event) -> Option<(web_sys::HtmlElement, usize)> {
    use leptos::wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let row = target.closest("[data-row]").ok()??;
    let r = row.get_attribute("data-row")?.parse().ok()?;
    Some((row.dyn_into().ok()?, r))
}

/// Enter/Space selects a row, the arrows move between rows, Escape closes the message.
fn on_row_key(state: LadderState, ev: web_sys::KeyboardEvent) {
    use leptos::wasm_bindgen::JsCast;
    let Some((el, r)) = row_of(&ev) else { return };
    match ev.key().as_str() {
        "Enter" | " " => {
            ev.prevent_default();
            state.selected.set(Some(r));
        }
        k @ ("ArrowDown" | "ArrowUp") => {
            // The overscan keeps the neighbour rendered, and focusing it scrolls the window.
            ev.prevent_default();
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
        }
        "Escape" => state.selected.set(None),
        _ => {}
    }
}

/// One row of the window as HTML. A row not fetched yet is a placeholder with the same
/// attributes; it is replaced when the row arrives.
fn row_markup(out: &mut String, r: usize, row: Option<&ladder::Row>, selected: bool) {
    use std::fmt::Write;
    let sel = if selected { " selected" } else { "" };
    let _ = match row {
        Some(row) => write!(
            out,
            r#"<div class="ladder-row v-{v}{sel}" role="button" tabindex="0" data-row="{r}" data-verdict="{v}">{}</div>"#,
            row_html(row),
            v = row.verdict.as_str(),
        ),
        None => write!(
            out,
            r#"<div class="ladder-row pending{sel}" role="button" tabindex="0" data-row="{r}" aria-busy="true"><span class="ladder-pending">Loading message {}…</span></div>"#,
            r + 1
        ),
    };
}

/// Draws the window of rows into `.ladder-window` as HTML: a fast scroll replaces every row
/// each frame, and one parse for them all costs a fraction of one per row (measured: per-row
/// `innerHTML` took most of each frame). A scroll that keeps part of the window keeps those
/// rows, so the row under the pointer or the focus is not replaced. The rows flow in the window, which a
/// transform moves to the first row's place (CSSOM, which a strict CSP allows, unlike style
/// attributes in HTML). A row that had the focus and is drawn again gets it back.
fn draw_window(state: LadderState, source: AnalysisSource, window_el: NodeRef<leptos::html::Div>) {
    Effect::new(move |drawn: Option<Option<Drawn>>| {
        let window = state.window.get();
        let (list, rows) = state
            .with_listed(|l| {
                let rows = window
                    .clone()
                    .filter_map(|pos| {
                        let r = *l.rows.get(pos)? as usize;
                        Some((r, source.row(r)))
                    })
                    .collect::<Vec<_>>();
                (l.rows.as_ptr() as usize, rows)
            })
            .unwrap_or_default();
        let now = Drawn {
            list,
            start: window.start,
            rows: rows.iter().map(|(r, row)| (*r, row.is_some())).collect(),
        };
        let drawn = drawn.flatten();
        let el = window_el.get()?;
        if drawn.as_ref() == Some(&now) {
            return Some(now);
        }
        let selected = state.selected.get_untracked();
        let markup = |range: Range<usize>| {
            let mut html = String::with_capacity(range.len() * 400);
            for (r, row) in &rows[range] {
                row_markup(&mut html, *r, row.as_ref(), selected == Some(*r));
            }
            html
        };
        let focused = document()
            .active_element()
            .filter(|a| el.contains(Some(a)))
            .and_then(|a| a.get_attribute("data-row"));
        let _ = web_sys::HtmlElement::style(&el).set_property(
            "transform",
            &format!("translateY({}px)", now.start as f64 * ROW_H),
        );
        match plan(drawn.as_ref(), &now) {
            Edit::All => el.set_inner_html(&markup(0..rows.len())),
            Edit::Shift {
                drop_front,
                drop_back,
                redraw,
                prepend,
                append,
            } => {
                for _ in 0..drop_front {
                    el.first_element_child().inspect(|c| c.remove());
                }
                for _ in 0..drop_back {
                    el.last_element_child().inspect(|c| c.remove());
                }
                let children = el.children();
                for i in redraw {
                    if let Some(child) = children.item((i - prepend.len()) as u32) {
                        child.set_outer_html(&markup(i..i + 1));
                    }
                }
                if !prepend.is_empty() {
                    let _ = el.insert_adjacent_html("afterbegin", &markup(prepend));
                }
                if !append.is_empty() {
                    let _ = el.insert_adjacent_html("beforeend", &markup(append));
                }
            }
        }
        if let Some(r) = focused.and_then(|r| r.parse::<usize>().ok()) {
            use leptos::wasm_bindgen::JsCast;
            let lost = document()
                .active_element()
                .is_none_or(|a| !el.contains(Some(&a)));
            if let (true, Some(row)) = (
                lost,
                state
                    .row_element(r)
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
            ) {
                let opts = web_sys::FocusOptions::new();
                opts.set_prevent_scroll(true);
                let _ = row.focus_with_options(&opts);
            }
        }
        Some(now)
    });
}

/// The scrolling part: the sticky column header, the lifelines and the window of rows. Clicks
/// and keys are handled once, on the body, by the row's `data-row`.
#[component]
fn LadderRows(
    state: LadderState,
    source: AnalysisSource,
    summary: Arc<ladder::LadderSummary>,
) -> impl IntoView {
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
    let window_el = NodeRef::<leptos::html::Div>::new();
    draw_window(state, source, window_el);
    let on_scroll = move |_| {
        if let Some(el) = state.scroller.get_untracked() {
            state.scroll_top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 && h != state.viewport.get_untracked() {
                state.viewport.set(h);
            }
        }
    };
    view! {
        <div
            class="ladder-scroll"
            // Inline, so the virtual window holds even where diagram.css is not loaded.
            // A short log gets a short box.
            style:height=move || {
                let fit = HEAD_H + state.count().unwrap_or(0) as f64 * ROW_H + 2.0;
                format!("min({}px, 70vh)", fit.clamp(HEAD_H + 3.0 * ROW_H, DEFAULT_VIEWPORT))
            }
            style:overflow="auto"
            style:position="relative"
            node_ref=state.scroller
            on:scroll=on_scroll
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
                on:click=move |ev| {
                    if let Some((_, r)) = row_of(&ev) {
                        state.selected.set(Some(r));
                    }
                }
                on:keydown=move |ev| on_row_key(state, ev)
                style:position="relative"
                style:width=format!("{inner_w}px")
                style:height=move || format!("{}px", state.count().unwrap_or(0) as f64 * ROW_H)
            >
                {lifelines}
                <div
                    class="ladder-window"
                    node_ref=window_el
                    style:position="absolute"
                    style:top="0"
                    style:left="0"
                    style:right="0"
                ></div>
            </div>
        </div>
    }
}

/// The selected row's message, its key headers highlighted.
#[component]
fn RawPane(state: LadderState) -> impl IntoView {
    let selected = state.selected;
    move || {
        let r = selected.get()?;
        let shown = state.raw.with(|m| {
            let m = m.as_ref()?.as_ref().filter(|m| m.row == r)?;
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
            Some(view! {
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
            })
        });
        Some(match shown {
            Some(view) => view.into_any(),
            None => view! {
                <section class="ladder-raw" aria-label="Raw message" aria-busy="true" data-row=r>
                    <p class="muted">"Loading message " {r + 1} "…"</p>
                </section>
            }
            .into_any(),
        })
    }
}
