//! Browser unit tests: run in headless Chromium by wasm-bindgen-test
//! (`cargo test --target wasm32-unknown-unknown --test browser`). They prove the core behaves
//! the same compiled to wasm, and that the app mounts and renders its shell.
#![cfg(target_arch = "wasm32")]

use rcc_core::wizard::Step;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The wasm build's newline and ASCII scan (128-bit SIMD, not the plain loop the native tests
/// check) says what a byte-by-byte count says: every length around its 16-byte words and
/// 4,080-byte blocks, at every alignment, with a newline or a byte above 0x7F in every place.
#[wasm_bindgen_test]
fn the_simd_newline_and_ascii_scan_counts_as_a_byte_loop_does() {
    use rcc_core::ingest::{count_newlines, newlines_and_ascii};
    let slow = |b: &[u8]| {
        (
            b.iter().filter(|&&c| c == b'\n').count(),
            b.iter().all(|&c| c < 0x80),
        )
    };
    let mut state = 0x2545_f491_u32;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    let base: Vec<u8> = (0..9000)
        .map(|_| match random() % 7 {
            0 => b'\n',
            1 => b'\r',
            _ => b'a' + (random() % 26) as u8,
        })
        .collect();
    for len in (0..40).chain(4070..4100).chain([8159, 8160, 8161, 8191]) {
        for start in 0..17 {
            let b = &base[start..start + len];
            assert_eq!(newlines_and_ascii(b), slow(b), "len {len} at {start}");
            assert_eq!(count_newlines(b), slow(b).0);
        }
    }
    for len in [1, 15, 16, 17, 300, 4080, 4081, 5000] {
        for at in (0..len).step_by(len / 15 + 1).chain([len - 1]) {
            for odd in [0x80, 0xC3, 0xFF] {
                let mut b = base[..len].to_vec();
                b[at] = odd;
                assert_eq!(
                    newlines_and_ascii(&b),
                    slow(&b),
                    "{odd:#x} at {at} of {len}"
                );
            }
            let all_newlines = vec![b'\n'; len];
            assert_eq!(newlines_and_ascii(&all_newlines), (len, true));
        }
    }
}

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

/// The worker's end of the protocol, driven as web/worker.js drives it: the summary comes back,
/// the details stay and answer queries about that analysis only; an analysis a newer one
/// overtook is skipped; the same logs are not read twice.
#[wasm_bindgen_test]
async fn the_worker_answers_about_the_analysis_it_holds_and_no_other() {
    use rcc_core::analysis::AnalysisSummary;
    use rcc_core::ladder::LadderFilter;
    use rcc_web::worker::host::Host;
    use rcc_web::worker::protocol::{Answer, FromWorker, Query, ToWorker};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::{JsCast, JsValue};

    let replies: Rc<RefCell<Vec<(FromWorker, JsValue)>>> = Rc::default();
    let host = {
        let replies = Rc::clone(&replies);
        Host::new(Box::new(move |m, payload| {
            replies.borrow_mut().push((m.clone(), payload))
        }))
    };
    // Everything received so far handled: the replies since the last call.
    let settle = |host: Rc<Host>| {
        let replies = Rc::clone(&replies);
        async move {
            while !host.is_idle() {
                gloo_timers::future::TimeoutFuture::new(1).await;
            }
            let mut got = replies.borrow_mut();
            got.retain(|(m, _)| !matches!(m, FromWorker::Progress { .. }));
            std::mem::take(&mut *got)
        }
    };
    let ex = rcc_core::example::nortel_seed();
    // The page posts the inputs without the log bytes; they travel as transferred arrays.
    let (input, _) = rcc_core::analysis::example_input(&ex);
    let files = || {
        let files = js_sys::Array::new();
        for (_, text) in &ex.logs {
            files.push(&js_sys::Uint8Array::from(text.as_bytes()));
        }
        JsValue::from(files)
    };
    let analyze = |seq: u32, redact: bool| ToWorker::Analyze {
        seq,
        input: input.clone(),
        redact,
    };
    let summary_of = |reply: &(FromWorker, JsValue)| -> AnalysisSummary {
        match &reply.0 {
            FromWorker::Analysed { .. } => rcc_web::worker::protocol::summary_of(&reply.1).unwrap(),
            other => panic!("expected an analysis, got {other:?}"),
        }
    };

    // Three "keystrokes" at once: the first two are overtaken before they start.
    for seq in [1, 2, 7] {
        host.receive(analyze(seq, false), files());
    }
    let got = settle(Rc::clone(&host)).await;
    assert!(
        matches!(got[0].0, FromWorker::Skipped { seq: 1 }),
        "{got:?}"
    );
    assert!(
        matches!(got[1].0, FromWorker::Skipped { seq: 2 }),
        "{got:?}"
    );
    let summary = summary_of(&got[2]);
    assert!(summary.messages > 0);
    // The diagnosis goes out before the ladder is built: the ladder comes when asked.
    assert_eq!(summary.ladder, None);
    assert_eq!(summary.timings.ladder_ms, 0.0);
    assert!(!summary.timings.logs_reused);

    let ask = |analysis: u32, query: Query| {
        let host = Rc::clone(&host);
        async move {
            host.receive(
                ToWorker::Query {
                    seq: 100,
                    analysis,
                    query,
                },
                JsValue::UNDEFINED,
            );
            let mut got = settle(host).await;
            assert_eq!(got.len(), 1, "one answer: {got:?}");
            match got.remove(0) {
                (FromWorker::Answer { seq: 100, answer }, payload) => (answer, payload),
                other => panic!("expected an answer, got {other:?}"),
            }
        }
    };
    let ladder = match ask(7, Query::Ladder).await.0 {
        Answer::Ladder {
            summary: ladder,
            memory_bytes,
            ..
        } => {
            assert!(memory_bytes.is_some_and(|b| b > 0));
            ladder
        }
        other => panic!("expected the ladder, got {other:?}"),
    };
    assert_eq!(ladder.rows, summary.messages);
    // Asked again: the same ladder, not built again.
    match ask(7, Query::Ladder).await.0 {
        Answer::Ladder {
            summary: again,
            built_ms,
            ..
        } => assert_eq!((again, built_ms), (ladder.clone(), 0.0)),
        other => panic!("expected the ladder, got {other:?}"),
    }
    let (answer, all) = ask(
        7,
        Query::Filter {
            filter: LadderFilter::default(),
        },
    )
    .await;
    assert!(matches!(answer, Answer::InPayload));
    let all = all.dyn_into::<js_sys::Uint32Array>().expect("row indexes");
    assert_eq!(all.length() as usize, summary.messages);
    match ask(7, Query::Rows { rows: vec![2, 0] }).await.0 {
        Answer::Rows { rows } => {
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0].message, 2);
        }
        other => panic!("expected rows, got {other:?}"),
    }
    let failing = ladder.first_failing.expect("the seed's failing row");
    match ask(7, Query::Raw { row: failing }).await.0 {
        Answer::Raw { message } => assert_eq!(message.expect("raw message").row, failing),
        other => panic!("expected a message, got {other:?}"),
    }
    let svg = ask(7, Query::ReportSvg).await.1;
    assert!(svg.as_string().unwrap().starts_with("<svg"));
    // Not redacted: no redacted log to give.
    assert!(ask(7, Query::RedactedLog { index: 0 }).await.1.is_null());
    // Another analysis: not held.
    assert!(matches!(ask(6, Query::ReportSvg).await.0, Answer::NotHeld));

    // The same logs again: read before, so analysed again without reading them.
    host.receive(analyze(9, false), files());
    let again = summary_of(&settle(Rc::clone(&host)).await[0]);
    assert!(again.timings.logs_reused);
    assert_eq!(again.messages, summary.messages);
    assert!(matches!(ask(7, Query::ReportSvg).await.0, Answer::NotHeld));
    assert!(ask(9, Query::ReportSvg).await.1.as_string().is_some());

    // A newer, redacted analysis replaces the held one, and its logs are never reused.
    host.receive(analyze(10, true), files());
    let redacted = summary_of(&settle(Rc::clone(&host)).await[0]);
    assert!(!redacted.timings.logs_reused);
    assert!(matches!(ask(9, Query::ReportSvg).await.0, Answer::NotHeld));
    let blob = ask(10, Query::RedactedLog { index: 0 }).await.1;
    let blob = blob
        .dyn_into::<web_sys::Blob>()
        .expect("a Blob of the redacted log");
    assert!(blob.size() > 0.0);
    host.receive(analyze(11, false), files());
    let fresh = summary_of(&settle(Rc::clone(&host)).await[0]);
    assert!(
        !fresh.timings.logs_reused,
        "a redacted analysis's logs are not reused"
    );

    // A picked file is read by the worker itself.
    let text = ex.logs[0].1;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(text.as_bytes()));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, ex.logs[0].0).unwrap();
    let mut one = input.clone();
    one.logs.truncate(1);
    host.receive(
        ToWorker::Analyze {
            seq: 12,
            input: one,
            redact: false,
        },
        js_sys::Array::of1(&file).into(),
    );
    let from_file = summary_of(&settle(Rc::clone(&host)).await[0]);
    assert!(from_file.messages > 0);
}

/// A picked file's progress: reading it fills the first share of the bar, ingesting the next,
/// and the bar stops where ingesting ends while the diagnosis runs; it never goes back.
#[wasm_bindgen_test]
async fn the_worker_reports_reading_a_file_then_ingesting_it_as_progress() {
    use rcc_web::worker::host::{Host, FILE_READ_SHARE, INGESTED_AT};
    use rcc_web::worker::protocol::{FromWorker, ToWorker};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsValue;

    let progress: Rc<RefCell<Vec<f64>>> = Rc::default();
    let analysed = Rc::new(RefCell::new(false));
    let host = {
        let (progress, analysed) = (Rc::clone(&progress), Rc::clone(&analysed));
        Host::new(Box::new(move |m, _| match m {
            FromWorker::Progress { fraction, .. } => progress.borrow_mut().push(*fraction),
            FromWorker::Analysed { .. } => *analysed.borrow_mut() = true,
            other => panic!("expected progress and an analysis, got {other:?}"),
        }))
    };
    let ex = rcc_core::example::nortel_seed();
    let (input, _) = rcc_core::analysis::example_input(&ex);
    // Each log as a File of ~4 MB (its text repeated), read by the worker as a stream.
    let files = js_sys::Array::new();
    for (name, text) in &ex.logs {
        let parts = js_sys::Array::new();
        for _ in 0..(4_000_000 / text.len().max(1)).max(1) {
            parts.push(&JsValue::from_str(text));
        }
        files.push(&web_sys::File::new_with_str_sequence(&parts, name).unwrap());
    }
    host.receive(
        ToWorker::Analyze {
            seq: 1,
            input,
            redact: false,
        },
        files.into(),
    );
    while !host.is_idle() {
        gloo_timers::future::TimeoutFuture::new(1).await;
    }
    assert!(*analysed.borrow());
    let p = progress.borrow();
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
    assert!(
        p.iter().any(|&f| f > 0.0 && f <= FILE_READ_SHARE),
        "reading the files shows: {p:?}"
    );
    assert!(
        p.iter().any(|&f| f > FILE_READ_SHARE && f < INGESTED_AT),
        "ingesting shows: {p:?}"
    );
    assert_eq!(p.last(), Some(&INGESTED_AT), "{p:?}");
}

/// A picked file reads into a lent buffer, read after read, and gives the same bytes as the
/// stream's own chunks: here with a buffer of 7 bytes, so a chunk ends inside a line, inside a
/// multi-byte character, and the last one is short.
#[wasm_bindgen_test]
async fn a_file_reads_the_same_into_a_lent_buffer_as_in_the_streams_chunks() {
    use rcc_web::worker::file_chunks::{append_chunk, FileChunks};
    use wasm_bindgen::{JsCast, JsValue};

    let mut text = String::new();
    for i in 0..5_000 {
        text.push_str(&format!(
            "INVITE sip:+1555{i:04}@pbx.example SIP/2.0\r\nSubject: Zürich №{i}\r\n"
        ));
    }
    let parts = js_sys::Array::of1(&JsValue::from_str(&text));
    let file = web_sys::File::new_with_str_sequence(&parts, "client.log").unwrap();

    let mut lent = FileChunks::open_lending(&file, 7);
    assert!(lent.lends_buffer(), "Chromium streams a File as bytes");
    let (mut read, mut reads) = (Vec::new(), 0);
    while lent.append_next(&mut read).await.unwrap() {
        reads += 1;
    }
    assert!(reads >= text.len() / 7, "{reads} reads of at most 7 bytes");

    // The same file through the default reader's chunks.
    let reader: web_sys::ReadableStreamDefaultReader = file.stream().get_reader().unchecked_into();
    let mut chunked = Vec::new();
    loop {
        let step = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .unwrap();
        if js_sys::Reflect::get(&step, &"done".into())
            .unwrap()
            .as_bool()
            == Some(true)
        {
            break;
        }
        let chunk = js_sys::Reflect::get(&step, &"value".into()).unwrap();
        append_chunk(&mut chunked, chunk.unchecked_ref());
    }
    assert_eq!(read.len(), text.len());
    assert!(read == text.as_bytes() && chunked == read);

    // The whole buffer at once, and reading past the end reads nothing more.
    let mut whole = FileChunks::open(&file);
    let mut once = Vec::new();
    while whole.append_next(&mut once).await.unwrap() {}
    assert_eq!(once, read);
    assert!(!whole.append_next(&mut once).await.unwrap());
    assert_eq!(once.len(), text.len());
}

/// While idle, the worker warms its analysis code up on synthetic logs in the formats users
/// bring, silently: each slice reads its format's messages and makes ladder rows, the page hears
/// nothing, a query that arrives meanwhile is answered about the analysis the worker holds, and a
/// worker that already read enough of the page's own logs does not warm up at all.
#[wasm_bindgen_test]
async fn the_worker_warms_up_while_idle_without_a_word_to_the_page() {
    use rcc_core::ingest::synth;
    use rcc_web::worker::host::Host;
    use rcc_web::worker::protocol::{Answer, FromWorker, Query, ToWorker};
    use rcc_web::worker::warm_up::{self, ENOUGH_BYTES, SLICES};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsValue;

    for (slice, &(format, bytes)) in SLICES.iter().enumerate() {
        let log = warm_up::slice_log(slice).unwrap();
        assert!(log.len() >= bytes, "slice {slice}: {} bytes", log.len());
        let warmed = warm_up::analyse(log);
        assert_eq!(warmed.format, Some(format), "slice {slice}");
        assert!(
            warmed.messages > 50 && warmed.rows == 50,
            "slice {slice}: {warmed:?}"
        );
    }
    assert_eq!(warm_up::slice_log(SLICES.len()), None);

    let replies: Rc<RefCell<Vec<FromWorker>>> = Rc::default();
    let new_host = || {
        let replies = Rc::clone(&replies);
        Host::new(Box::new(move |m, _| {
            if !matches!(m, FromWorker::Progress { .. }) {
                replies.borrow_mut().push(m.clone())
            }
        }))
    };
    let settle = |host: Rc<Host>| async move {
        while !host.is_idle() {
            gloo_timers::future::TimeoutFuture::new(1).await;
        }
    };
    let ex = rcc_core::example::nortel_seed();
    let (input, _) = rcc_core::analysis::example_input(&ex);
    let analyze = |host: &Rc<Host>, logs: &[&[u8]]| {
        let files = js_sys::Array::new();
        for bytes in logs {
            files.push(&js_sys::Uint8Array::from(*bytes));
        }
        let mut input = input.clone();
        input.logs.truncate(logs.len());
        host.receive(
            ToWorker::Analyze {
                seq: 1,
                input,
                redact: false,
            },
            files.into(),
        );
    };

    // The example (a few KB): the worker warms up after it, slice by slice.
    let host = new_host();
    analyze(&host, &[ex.logs[0].1.as_bytes()]);
    host.warm_up(5);
    settle(Rc::clone(&host)).await;
    gloo_timers::future::TimeoutFuture::new(7).await;
    host.receive(
        ToWorker::Query {
            seq: 2,
            analysis: 1,
            query: Query::Ladder,
        },
        JsValue::UNDEFINED,
    );
    for _ in 0..2_000 {
        if host.warmed_slices() == SLICES.len() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(5).await;
    }
    assert_eq!(host.warmed_slices(), SLICES.len());
    let got = std::mem::take(&mut *replies.borrow_mut());
    assert_eq!(
        got.len(),
        2,
        "an analysis and an answer, nothing of the warm-up: {got:?}"
    );
    assert!(matches!(got[0], FromWorker::Analysed { seq: 1 }), "{got:?}");
    match &got[1] {
        FromWorker::Answer {
            seq: 2,
            answer: Answer::Ladder { summary, .. },
        } => assert!(summary.rows > 0, "the example's ladder"),
        other => panic!("expected the example's ladder, got {other:?}"),
    }

    // A log of the page as large as the whole warm-up: nothing left to warm.
    let host = new_host();
    let big = synth::generate(rcc_core::ingest::LogFormat::RawSip, ENOUGH_BYTES, 7);
    analyze(&host, &[&big]);
    settle(Rc::clone(&host)).await;
    host.warm_up(1);
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(host.warmed_slices(), 0);
}
