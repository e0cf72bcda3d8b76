//! Step 4: logs. Paste, drop or pick client and server SIP traces (several at once). Files are
//! read as bytes, never through a giant textarea string; each file shows its detected format,
//! counts, parse badges and problems with line numbers.

use crate::analysis::use_analysis;
use crate::collect::CollectHelp;
use crate::state::{AppState, LogInput, MAX_SAVED_LOG_BYTES};
use crate::timing::ReadTimingNote;
use leptos::prelude::*;
use rcc_core::generation::CollectInput;
use rcc_core::ingest::{FileReport, LogFormat};

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
    let worker = crate::worker::page_has_worker();
    for file in list {
        let name = file.name();
        if worker && file.size() > MAX_SAVED_LOG_BYTES as f64 {
            state.add_log(LogInput::from_file(name, file));
            continue;
        }
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buf) => {
                    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                    state.add_log(LogInput::from_bytes(name, bytes));
                }
                Err(_) => state.notice.set(Some(format!(
                    "The browser could not read {name}. Try copying its text and pasting it instead."
                ))),
            }
        });
    }
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

#[component]
fn PasteBox() -> impl IntoView {
    let state = expect_context::<AppState>();
    let pasted = RwSignal::new(String::new());
    view! {
        <details class="paste-box" open=move || state.logs.with(|l| l.is_empty())>
            <summary>"Or paste a log"</summary>
            <label class="field" for="log-paste">"Log text"</label>
            <textarea
                id="log-paste"
                rows="8"
                spellcheck="false"
                placeholder="INVITE sip:rcc@mcm.contoso.com SIP/2.0\nVia: SIP/2.0/TLS 10.0.0.20:1234;branch=z9hG4bK1\n..."
                prop:value=move || pasted.get()
                on:input=move |ev| pasted.set(event_target_value(&ev))
            ></textarea>
            <button
                type="button"
                class="secondary"
                data-action="add-pasted-log"
                disabled=move || pasted.with(|p| p.trim().is_empty())
                on:click=move |_| {
                    let text = pasted.get_untracked();
                    let name = format!("pasted-{}.log", state.logs.with_untracked(|l| l.len()) + 1);
                    state.add_log(LogInput::from_bytes(name, text.into_bytes()));
                    pasted.set(String::new());
                }
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
            analysis.with(|a| (a.files.clone(), a.messages, a.dialogs));
        if reports.is_empty() {
            return None;
        }
        Some(view! {
            <h3>"Files read"</h3>
            <p class="summary" data-testid="logs-summary">
                {reports.len()} " file(s), " {total_messages} " distinct SIP messages, " {dialogs} " dialogs"
            </p>
            <ReadTimingNote />
            <ul class="file-list">
                {reports
                    .into_iter()
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
    let problem_count = problems.len();
    view! {
        <li class="file-card" data-file=report.name.clone() data-format=LogFormat::id(report.format)>
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
                <span data-count="messages">{report.messages} " messages"</span>
                " · " <span class="badge ok">{report.clean} " clean"</span>
                " " <span class="badge warn" title="Not valid SIP as written, but a lossless repair (LF-only line ends, an indent) made them valid; the repairs are listed per message">{report.repaired} " repaired"</span>
                " " <span class="badge bad" title="Really wrong somewhere (the problems below say what, on which line); start line and headers were still read">{report.partial} " partly parsed"</span>
                " · " {report.events} " diagnostic records"
                " · " {report.lines} " lines"
            </p>
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
            {(problem_count > 0).then(|| view! {
                <details class="problems">
                    <summary>{problem_count} " note(s) about this file"</summary>
                    <ul>
                        {problems.into_iter().take(200).map(|p| view! {
                            <li><span class="mono">"line " {p.line}</span> ": " {p.message}</li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </li>
    }
}

fn format_offset(ms: i64) -> String {
    if ms.abs() >= 1000 {
        format!("{:+.3} s", ms as f64 / 1000.0)
    } else {
        format!("{ms:+} ms")
    }
}
