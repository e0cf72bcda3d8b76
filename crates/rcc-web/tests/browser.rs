//! Browser unit tests: run in headless Chromium by wasm-bindgen-test
//! (`cargo test --target wasm32-unknown-unknown --test browser`). They prove the core behaves
//! the same compiled to wasm, and that the app mounts and renders its shell.
#![cfg(target_arch = "wasm32")]

use rcc_core::wizard::Step;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn step_hashes_round_trip_in_wasm() {
    for s in Step::ALL {
        assert_eq!(Step::from_hash(&s.hash()), Some(s));
    }
}

#[wasm_bindgen_test]
fn the_app_mounts_and_shows_the_step_rail() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let host: web_sys::HtmlElement = wasm_bindgen::JsCast::dyn_into(host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), rcc_web::App);
    let rail = host.query_selector_all("nav.rail a").unwrap();
    assert_eq!(rail.length(), 5);
    let footer = host.query_selector("footer").unwrap().unwrap();
    assert!(footer.text_content().unwrap().contains("RCC Doctor v"));
    drop(handle);
}

/// The worker's end of the protocol, called as web/worker.js calls it: the summary comes back,
/// the details stay and answer queries about that analysis only.
#[wasm_bindgen_test]
fn the_worker_answers_about_the_analysis_it_holds_and_no_other() {
    use rcc_core::analysis::AnalysisSummary;
    use rcc_core::ladder::{LadderFilter, RawMessage, Row};
    use rcc_web::worker::{analyze_in_worker, holds_logs, query_in_worker, Query};
    use wasm_bindgen::{JsCast, JsValue};

    let ex = rcc_core::example::nortel_seed();
    // The page posts the inputs without the log bytes; they travel as transferred arrays.
    let (input, _) = rcc_core::analysis::example_input(&ex);
    let files = js_sys::Array::new();
    for (_, text) in &ex.logs {
        files.push(&js_sys::Uint8Array::from(text.as_bytes()));
    }
    let json = serde_json::to_string(&input).unwrap();
    let progress = js_sys::Function::new_no_args("");
    let summary: AnalysisSummary = serde_json::from_str(
        &analyze_in_worker(7, &json, files.clone(), false, &progress, Some("k".into())).unwrap(),
    )
    .unwrap();
    assert!(summary.messages > 0);
    assert_eq!(summary.ladder.rows, summary.messages);
    let ask = |id: u32, q: &Query| query_in_worker(id, &serde_json::to_string(q).unwrap()).unwrap();
    let all = ask(
        7,
        &Query::Filter {
            filter: LadderFilter::default(),
        },
    );
    let all = all.dyn_into::<js_sys::Uint32Array>().expect("row indexes");
    assert_eq!(all.length() as usize, summary.messages);
    let rows: Vec<Row> = serde_json::from_str(
        &ask(7, &Query::Rows { rows: vec![2, 0] })
            .as_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].message, 2);
    let failing = summary
        .ladder
        .first_failing
        .expect("the seed's failing row");
    let raw: Option<RawMessage> =
        serde_json::from_str(&ask(7, &Query::Raw { row: failing }).as_string().unwrap()).unwrap();
    assert_eq!(raw.expect("raw message").row, failing);
    assert!(ask(7, &Query::ReportSvg)
        .as_string()
        .unwrap()
        .starts_with("<svg"));
    // Not redacted: no redacted log to give.
    assert!(ask(7, &Query::RedactedLog { index: 0 }).is_null());
    // Another id: undefined, which the page drops.
    assert_eq!(ask(6, &Query::ReportSvg), JsValue::UNDEFINED);
    // The same logs again (same key): read before, so analysed without their bytes.
    assert!(holds_logs("k", false));
    assert!(!holds_logs("k", true), "never for a redacted analysis");
    assert!(!holds_logs("other", false));
    let again: AnalysisSummary = serde_json::from_str(
        &analyze_in_worker(
            9,
            &json,
            js_sys::Array::new(),
            false,
            &progress,
            Some("k".into()),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(again.timings.logs_reused);
    assert_eq!(again.messages, summary.messages);
    assert_eq!(ask(7, &Query::ReportSvg), JsValue::UNDEFINED);
    assert!(ask(9, &Query::ReportSvg).as_string().is_some());
    // A newer, redacted analysis replaces the held one, and its logs are not kept for reuse.
    analyze_in_worker(8, &json, files, true, &progress, Some("k".into())).unwrap();
    assert!(!holds_logs("k", false));
    assert_eq!(ask(9, &Query::ReportSvg), JsValue::UNDEFINED);
    let blob = ask(8, &Query::RedactedLog { index: 0 });
    let blob = blob
        .dyn_into::<web_sys::Blob>()
        .expect("a Blob of the redacted log");
    assert!(blob.size() > 0.0);
}
