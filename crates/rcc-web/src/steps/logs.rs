//! Step 4: logs. Paste, drop or pick client and server SIP traces (several at once). Files are
//! read as bytes, never through a giant textarea string; each file shows its detected format,
//! counts, parse badges and, in words, what reading it skipped, with a way to see those lines.

use crate::analysis::use_analysis;
use crate::collect::CollectHelp;
use crate::state::{AppState, LogData, LogInput, MAX_SAVED_LOG_BYTES};
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use rcc_core::generation::CollectInput;
use rcc_core::ingest::{FileReport, LogFormat};
use rcc_core::report::counted;

/// Notes about a file shown on its card before "more notes".
const NOTES_SHOWN: usize = 3;
/// Lines shown before and after the line a note points at.
const CONTEXT_LINES: u32 = 6;

#[component]
pub fn LogsStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <h2 tabindex="-1">"Logs"</h2>
        <p class="lead">
            "Add what you have: a Communicator client trace (.uccapilog), a server Logging Tool capture, a Wireshark \"Follow stream\" text or raw SIP. Several files of the same incident are merged in time order. Everything is read in this page; nothing is uploaded."
        </p>
        <CollectHelp
            inputs=vec![CollectInput::ClientTrace, CollectInput::ServerTrace]
            summary="How to turn on client and server logging, and where the files are"
        />
        <DropZone />
        <PasteBox />
        <FileList />
        <Show when=move || !state.logs.get().is_empty()>
            <p class="hint">"Next, the diagnosis compares these messages with the known-good flow."</p>
        </Show>
    }
}

/// Adds browser `File`s to the state. Where the page has an analysis worker, a file too large
/// to save across a reload is kept as a `File` handle: the worker reads it, and the page's main
/// thread never copies its bytes. Smaller files (and every file without a worker) are read as
/// bytes.
fn add_files(state: AppState, files: web_sys::FileList) {
    let list: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
    for file in list {
        add_file(state, file);
    }
}

fn add_file(state: AppState, file: web_sys::File) {
    let name = file.name();
    if crate::worker::page_has_worker() && file.size() > MAX_SAVED_LOG_BYTES as f64 {
        state.add_log(LogInput::from_file(name, file));
        return;
    }
    leptos::task::spawn_local(async move {
        match gloo_file::futures::read_as_bytes(&gloo_file::File::from(file)).await {
            Ok(bytes) => state.add_log(LogInput::from_bytes(name, bytes)),
            Err(_) => state.notice.set(Some(format!(
                "The browser could not read {name}. Try copying its text and pasting it instead."
            ))),
        }
    });
}

#[component]
fn DropZone() -> impl IntoView {
    let state = expect_context::<AppState>();
    let over = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    view! {
        <div
            class="dropzone"
            class:over=move || over.get()
            data-testid="dropzone"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                over.set(true);
            }
            on:dragleave=move |_| over.set(false)
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                over.set(false);
                if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
                    add_files(state, files);
                }
            }
        >
            <svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">
                <path d="M12 3v12M7 8l5-5 5 5M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
            </svg>
            <p><strong>"Drop log files here"</strong> " or "</p>
            <label class="button-like" for="log-files">"Choose files…"</label>
            <input
                id="log-files"
                class="visually-hidden"
                type="file"
                multiple
                node_ref=input_ref
                on:change=move |_| {
                    if let Some(input) = input_ref.get() {
                        if let Some(files) = input.files() {
                            add_files(state, files);
                        }
                        input.set_value("");
                    }
                }
            />
        </div>
    }
}

/// The clipboard's text of a paste event, as a JavaScript string (never copied into wasm
/// memory here: a 20 MB paste stays one native string).
fn pasted_text(ev: &web_sys::ClipboardEvent) -> Option<js_sys::JsString> {
    let data = ev.clipboard_data()?;
    let get = js_sys::Reflect::get(&data, &JsValue::from_str("getData"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    get.call1(&data, &JsValue::from_str("text/plain"))
        .ok()?
        .dyn_into::<js_sys::JsString>()
        .ok()
        .filter(|s| s.length() > 0)
}

/// A pasted text as a log. A large paste is handled like a dropped file: the analysis worker
/// turns the clipboard's string into bytes and reads it, with the progress bar (encoding 20 MB
/// here would block the page); a smaller one is bytes in the page, saved across a reload.
fn add_pasted(state: AppState, text: js_sys::JsString) -> String {
    let name = state.next_pasted_name();
    let large = text.length() as usize > MAX_SAVED_LOG_BYTES;
    if large && crate::worker::page_has_worker() {
        state.add_log(LogInput::from_text(name.clone(), text));
    } else {
        state.add_log(LogInput::from_bytes(
            name.clone(),
            String::from(text).into_bytes(),
        ));
    }
    name
}

/// Text put into the paste box of the logs step is evidence: a paste becomes a log at once
/// (the clipboard data is read, not put into the textarea: a 20 MB textarea freezes the tab),
/// and typed text becomes one when the user moves on (see [`AppState::take_log_draft`]).
#[component]
fn PasteBox() -> impl IntoView {
    let state = expect_context::<AppState>();
    let added = RwSignal::new(None::<String>);
    let on_paste = move |ev: web_sys::ClipboardEvent| {
        let Some(text) = pasted_text(&ev) else {
            return;
        };
        // Into text being typed, a small paste goes where the caret is, as usual.
        let typing = state.log_draft.with_untracked(|d| !d.trim().is_empty());
        if typing && (text.length() as usize) < 256 * 1024 {
            return;
        }
        ev.prevent_default();
        let name = add_pasted(state, text);
        added.set(Some(name));
    };
    view! {
        // Open when there is no log yet; after that the user's choice (a reactive `open` would
        // fold the box under their hands as soon as their paste became a log).
        <details class="paste-box" open=state.logs.with_untracked(|l| l.is_empty())>
            <summary>"Or paste a log"</summary>
            <label class="field" for="log-paste">"Log text"</label>
            <textarea
                id="log-paste"
                rows="8"
                spellcheck="false"
                aria-describedby="log-paste-help"
                placeholder="INVITE sip:rcc@mcm.contoso.com SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.20:1234;branch=z9hG4bK1\n..."
                prop:value=move || state.log_draft.get()
                on:input=move |ev| state.log_draft.set(event_target_value(&ev))
                on:paste=on_paste
            ></textarea>
            <p id="log-paste-help" class="hint" aria-live="polite">
                {move || match added.get() {
                    Some(name) => format!("Pasted text added as {name}: its card is below."),
                    None => "A paste is read as a log at once. Typed text is read when you move on, or now:".to_string(),
                }}
            </p>
            <button
                type="button"
                class="secondary"
                data-action="add-pasted-log"
                disabled=move || state.log_draft.with(|p| p.trim().is_empty())
                on:click=move |_| state.take_log_draft()
            >
                "Add this log"
            </button>
        </details>
    }
}

#[component]
fn FileList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let analysis = use_analysis();
    move || {
        let (reports, total_messages, dialogs) =
            analysis.with(|a| (a.files(), a.messages, a.dialogs()));
        if reports.is_empty() {
            return None;
        }
        // The worker counts the dialogs with the grades, after the diagnosis.
        let dialogs = match dialogs {
            Some(n) => view! { <span data-count="dialogs">{counted(n, "dialog")}</span> }.into_any(),
            None => view! {
                <span class="grading" role="status" data-count="dialogs"><span class="spinner" aria-hidden="true"></span>"dialogs being counted…"</span>
            }
            .into_any(),
        };
        Some(view! {
            <h3>"Files read"</h3>
            <p class="summary" data-testid="logs-summary">
                {counted(reports.len(), "file")} ", " {counted(total_messages, "distinct SIP message")} ", " {dialogs}
            </p>
            <ReadTimingNote />
            <ul class="file-list">
                {reports
                    .iter()
                    .cloned()
                    .enumerate()
                    .map(|(i, r)| view! { <FileCard index=i report=r state=state /> })
                    .collect_view()}
            </ul>
        })
    }
}

#[component]
fn FileCard(index: usize, report: FileReport, state: AppState) -> impl IntoView {
    let unknown = report.format == LogFormat::Unknown;
    let suggested = report.suggested_clock_offset_ms;
    let problems = report.problems.clone();
    let viewing = RwSignal::new(None::<u32>);
    let note = move |p: rcc_core::ingest::Problem| {
        let line = p.line;
        view! {
            <li data-note-line=line>
                <span>{p.message}</span>
                " "
                {(line > 0).then(|| view! {
                    <button
                        type="button"
                        class="link-button"
                        data-action="show-line"
                        aria-expanded=move || (viewing.get() == Some(line)).to_string()
                        on:click=move |_| viewing.update(|v| *v = if *v == Some(line) { None } else { Some(line) })
                    >
                        {format!("Show line {line}")}
                    </button>
                })}
            </li>
        }
    };
    let shown: Vec<_> = problems.iter().take(NOTES_SHOWN).cloned().collect();
    let more: Vec<_> = problems
        .iter()
        .skip(NOTES_SHOWN)
        .take(200)
        .cloned()
        .collect();
    let more_count = more.len();
    let name = report.name.clone();
    // While the worker grades the messages (after the diagnosis), the counts and notes wait.
    let graded = report.graded;
    view! {
        <li class="file-card" data-file=report.name.clone() data-format=LogFormat::id(report.format) data-notes=graded.then_some(problems.len()) data-graded=graded.to_string()>
            <div class="file-head">
                <span class="file-name mono">{report.name.clone()}</span>
                <span class="badge" class:bad=unknown>{report.format.label()}</span>
                <span class="spacer"></span>
                <button
                    type="button"
                    class="ghost"
                    aria-label=format!("Remove {}", report.name)
                    on:click=move |_| state.remove_log(index)
                >
                    "Remove"
                </button>
            </div>
            <p class="file-counts">
                <span data-count="messages">{counted(report.messages, "message")}</span>
                " · "
                {if graded {
                    view! {
                        <span class="badge ok" data-count="clean">{report.clean} " clean"</span>
                        " " <span class="badge warn" data-count="repaired" title="Not valid SIP as written, but a lossless repair (LF-only line ends, an indent) made them valid; the repairs are listed per message">{report.repaired} " repaired"</span>
                        " " <span class="badge bad" data-count="partial" title="Really wrong somewhere (the problems below say what, on which line); start line and headers were still read">{report.partial} " partly parsed"</span>
                    }.into_any()
                } else {
                    view! {
                        <span class="grading" role="status" data-testid="grading">
                            <span class="spinner" aria-hidden="true"></span>
                            "Grading each message against RFC 3261…"
                        </span>
                    }.into_any()
                }}
                " · " {counted(report.events, "diagnostic record")}
                " · " {counted(report.lines as usize, "line")}
            </p>
            {(graded && !problems.is_empty()).then(|| view! {
                <div class="file-notes" data-testid="file-notes">
                    <p class="file-notes-head">
                        {match problems.len() {
                            1 => "Reading this file, one thing was skipped or may be cut:".to_string(),
                            n => format!("Reading this file, {n} things were skipped or may be cut:"),
                        }}
                    </p>
                    <ul>{shown.into_iter().map(note).collect_view()}</ul>
                    {(more_count > 0).then(|| view! {
                        <details class="problems">
                            <summary>{counted(more_count, "more note")}</summary>
                            <ul>{more.into_iter().map(note).collect_view()}</ul>
                        </details>
                    })}
                    {move || viewing.get().map(|line| view! {
                        <LineView index=index name=name.clone() line=line on_close=move || viewing.set(None) />
                    })}
                </div>
            })}
            {suggested.map(|ms| view! {
                <p class="hint">
                    "A response in this file appears before its request in another file: its clock looks "
                    {format_offset(ms)} " off. "
                    <button type="button" class="secondary" on:click=move |_| state.set_offset(index, ms)>
                        "Shift this file by " {format_offset(ms)}
                    </button>
                </p>
            })}
            <label class="offset">
                "Clock offset (ms) "
                <input
                    type="number"
                    step="1"
                    prop:value=report.clock_offset_ms.to_string()
                    on:change=move |ev| {
                        if let Ok(ms) = event_target_value(&ev).trim().parse::<i64>() {
                            state.set_offset(index, ms);
                        }
                    }
                />
            </label>
        </li>
    }
}

/// The lines of log `index` around `line`, read from wherever the log's bytes are.
#[component]
fn LineView(
    index: usize,
    name: String,
    line: u32,
    on_close: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let data = state
        .logs
        .with_untracked(|l| l.get(index).map(|l| l.data.clone()));
    let lines = RwSignal::new(None::<Vec<(u32, String)>>);
    leptos::task::spawn_local(async move {
        let read = match data {
            Some(data) => read_lines(data, line, CONTEXT_LINES).await,
            None => Vec::new(),
        };
        lines.try_set(Some(read));
    });
    let node = NodeRef::<leptos::html::Figure>::new();
    // Keyboard and screen-reader users land on the lines they asked for.
    Effect::new(move |_| {
        if lines.with(Option::is_some) {
            if let Some(el) = node.get() {
                let _ = el.focus();
            }
        }
    });
    let first = line.saturating_sub(CONTEXT_LINES).max(1);
    let close = on_close.clone();
    view! {
        <figure class="line-view" data-testid="line-view" data-line=line tabindex="-1" node_ref=node>
            <figcaption>
                <span class="mono">{name}</span> {format!(", lines {first}–{}", line + CONTEXT_LINES)}
                <button type="button" class="ghost" on:click=move |_| close()>"Close"</button>
            </figcaption>
            {move || match lines.get() {
                None => view! { <p class="muted">"Reading the file…"</p> }.into_any(),
                Some(v) if v.is_empty() => view! { <p class="muted">"This file is no longer here."</p> }.into_any(),
                Some(v) => view! {
                    <pre>
                        {v.into_iter().map(|(n, text)| view! {
                            <span class="ln-row" class:target=n == line data-ln=n>
                                <span class="ln" aria-hidden="true">{n}</span>
                                {text}
                            </span>
                        }).collect_view()}
                    </pre>
                }.into_any(),
            }}
        </figure>
    }
}

/// Lines `line - context ..= line + context` (1-based) of a log, as text. A log in page memory
/// is read at once; a large picked file is read a slice at a time, so the page never holds it
/// whole and no task runs long.
async fn read_lines(data: LogData, line: u32, context: u32) -> Vec<(u32, String)> {
    let from = line.saturating_sub(context).max(1);
    let to = line + context;
    match data {
        LogData::Bytes(bytes) => lines_of(&decode(&bytes), 1, from, to).0,
        LogData::Text(text) => {
            // A slice of the string at a time, cut after a line end, so no task runs long.
            const SLICE: u32 = 1 << 20;
            let len = text.length();
            let (mut at, mut next_line, mut out) = (0u32, 1u32, Vec::new());
            while at < len && next_line <= to {
                let chunk = String::from(text.substring(at, (at + SLICE).min(len)));
                let cut = if at + SLICE >= len {
                    chunk.len()
                } else {
                    chunk.rfind('\n').map_or(chunk.len(), |i| i + 1)
                };
                at += chunk[..cut].encode_utf16().count() as u32;
                let (found, after) = lines_of(&chunk[..cut], next_line, from, to);
                out.extend(found);
                next_line = after;
                // Let the page breathe between slices.
                next_task().await;
            }
            out
        }
        LogData::File(file) => {
            const SLICE: u64 = 4 << 20;
            let file = gloo_file::Blob::from((*file).clone());
            let size = file.size();
            let mut at = 0;
            let mut carry: Vec<u8> = Vec::new();
            let mut next_line = 1u32;
            let mut out = Vec::new();
            while at < size && next_line <= to {
                let slice = file.slice(at, (at + SLICE).min(size));
                let Ok(bytes) = gloo_file::futures::read_as_bytes(&slice).await else {
                    break;
                };
                at += SLICE;
                carry.extend(bytes);
                // Whole lines only; the last (partial) one waits for the next slice.
                let cut = if at >= size {
                    carry.len()
                } else {
                    carry.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
                };
                let rest = carry.split_off(cut);
                let (found, after) =
                    lines_of(&String::from_utf8_lossy(&carry), next_line, from, to);
                out.extend(found);
                next_line = after;
                carry = rest;
            }
            out
        }
    }
}

/// Lets the browser run other tasks (a timeout of 0).
async fn next_task() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// The log's text: UTF-16 traces (Communicator writes them with a byte order mark) decoded,
/// anything else read as UTF-8.
fn decode(bytes: &[u8]) -> String {
    let utf16 = |be: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Lines `from..=to` of `text`, whose first line is line `first`; and the number of the line
/// after `text`.
fn lines_of(text: &str, first: u32, from: u32, to: u32) -> (Vec<(u32, String)>, u32) {
    let mut n = first;
    let mut out = Vec::new();
    for l in text.split_inclusive('\n') {
        if n >= from && n <= to {
            out.push((n, l.trim_end_matches(['\n', '\r']).to_string()));
        }
        n += 1;
    }
    (out, n)
}

fn format_offset(ms: i64) -> String {
    if ms.abs() >= 1000 {
        format!("{:+.3} s", ms as f64 / 1000.0)
    } else {
        format!("{ms:+} ms")
    }
}

/// "Read 10.0 MB in 85 ms (118 MB/s) in the background", under the files read.
#[component]
pub fn ReadTimingNote() -> impl IntoView {
    let analysis = use_analysis();
    move || {
        let (t, in_worker) = analysis.with(|a| (a.summary.timings, a.source.in_worker()));
        let summary = t.read_summary()?;
        let place = if in_worker {
            " in the background."
        } else {
            " on this page."
        };
        Some(view! {
            <p
                class="hint"
                data-testid="read-timing"
                data-bytes=t.bytes.to_string()
                data-read-ms=format!("{:.3}", t.read_ms)
                data-diagnose-ms=format!("{:.3}", t.diagnose_ms)
                data-where=if in_worker { "worker" } else { "page" }
                data-memory-bytes=t.memory_bytes.map(|b| b.to_string())
            >
                {summary}
                {place}
            </p>
        })
    }
}
