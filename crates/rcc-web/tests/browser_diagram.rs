//! Browser tests of the flow diagram and the ladder components, mounted on their own with the
//! built-in example case (`cargo test --target wasm32-unknown-unknown --test browser_diagram`).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use rcc_core::analysis::{analyze, example_input, AnalysisSummary, Hooks, Options};
use rcc_core::diagnosis::{FlowLeg, LegState};
use rcc_core::diagram::{layout, to_svg, SvgTheme};
use rcc_core::example::nortel_seed;
use rcc_core::profile::profile;
use rcc_core::sip::{
    Header, MessageParts, ParseQuality, SipMessage, SourceRef, StartLine, Timestamp,
};
use rcc_web::diagram::{FlowDiagram, Ladder};
use rcc_web::source::{AnalysisSource, LadderFrame};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn seed() -> AnalysisSummary {
    let (input, logs) = example_input(&nortel_seed());
    analyze(input, logs, &mut Hooks::default(), Options::default()).0
}

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.dyn_into().unwrap()
}

/// Let Leptos run its scheduled effects (they run on the microtask/timer queue).
async fn tick(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn attr(host: &web_sys::HtmlElement, sel: &str, name: &str) -> Option<String> {
    host.query_selector(sel).unwrap()?.get_attribute(name)
}

#[wasm_bindgen_test]
fn the_seed_flow_marks_the_missing_route_and_quotes_the_rule() {
    let a = seed();
    let l = layout(&a.profile, &a.diagnosis.flow, &a.diagnosis.findings);
    let rule = l
        .callouts
        .iter()
        .find(|c| c.hop == "home-server")
        .and_then(|c| c.rule.clone())
        .unwrap();
    let host = host();
    let handle = leptos::mount::mount_to(
        host.clone(),
        move || view! { <FlowDiagram layout=l.clone() /> },
    );
    let legs = host.query_selector_all("svg g.leg[data-leg]").unwrap();
    assert_eq!(legs.length() as usize, a.diagnosis.flow.len());
    assert_eq!(
        attr(
            &host,
            r#"g.leg[data-leg="home-server->app-proxy"]"#,
            "data-state"
        )
        .as_deref(),
        Some("missing-route")
    );
    assert_eq!(
        attr(
            &host,
            r#"g.leg[data-leg="client->home-server"]"#,
            "data-state"
        )
        .as_deref(),
        Some("ok")
    );
    let callout = host
        .query_selector(r#"g.callout[data-leg="home-server->app-proxy"]"#)
        .unwrap()
        .expect("callout on the Home Server hop");
    assert_eq!(
        callout.get_attribute("data-hop").as_deref(),
        Some("home-server")
    );
    assert_eq!(
        callout.get_attribute("data-rule").as_deref(),
        Some(rule.as_str())
    );
    let text = callout.text_content().unwrap();
    assert!(text.contains("mcm-ap.contoso.com"), "{text}");
    assert!(text.contains("No route at Home Server"), "{text}");
    // The text alternative lists every leg with its state.
    let items = host
        .query_selector_all("ol.flow-legs li[data-state]")
        .unwrap();
    assert_eq!(items.length() as usize, a.diagnosis.flow.len());
    assert!(host.text_content().unwrap().contains("Add this rule: "));
    drop(handle);
}

#[wasm_bindgen_test]
async fn controls_step_and_jump_to_the_failing_leg() {
    let p = profile("generic").unwrap();
    let flow: Vec<FlowLeg> = p
        .flow
        .iter()
        .enumerate()
        .map(|(i, s)| FlowLeg {
            from: s.from.clone(),
            to: s.to.clone(),
            message: s.message.clone(),
            kind: s.kind,
            state: match i {
                0 | 1 => LegState::Ok,
                2 => LegState::Failing,
                _ => LegState::NotReached,
            },
            evidence: vec![],
            observed: None,
            extra: false,
        })
        .collect();
    let l = layout(&p, &flow, &[]);
    let host = host();
    let handle = leptos::mount::mount_to(
        host.clone(),
        move || view! { <FlowDiagram layout=l.clone() /> },
    );
    let failing = r#"g.leg[data-state="failing"]"#;
    assert!(host.query_selector(failing).unwrap().is_some());
    let click = |sel: &str| {
        host.query_selector(sel)
            .unwrap()
            .unwrap()
            .dyn_into::<web_sys::HtmlElement>()
            .unwrap()
            .click()
    };
    let classes = || -> Vec<String> {
        let legs = host.query_selector_all("svg g.leg[data-leg]").unwrap();
        (0..legs.length())
            .map(|i| {
                legs.item(i)
                    .unwrap()
                    .dyn_into::<web_sys::Element>()
                    .unwrap()
                    .get_attribute("class")
                    .unwrap()
            })
            .collect()
    };
    let status = || {
        host.query_selector(".flow-status")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    // The answer first: the final state on arrival, nothing playing, the status says where it
    // broke.
    assert!(classes()
        .iter()
        .all(|c| c.contains("shown") && !c.contains("pending")));
    assert_eq!(
        attr(&host, "figure.flow-diagram", "data-frame").as_deref(),
        Some("final")
    );
    assert_eq!(
        attr(&host, r#"[data-action="flow-play"]"#, "aria-label").as_deref(),
        Some("Replay")
    );
    assert!(status().contains("breaks at step 3 of"), "{}", status());
    // Step back from the final state: the replay's last frame, the last leg at hand.
    click(r#"[data-action="flow-back"]"#);
    tick(20).await;
    let c = classes();
    assert!(c.last().unwrap().contains("current"), "{c:?}");
    assert!(status().starts_with("Replay, step"), "{}", status());
    // Forward again: the final state. Forward once more: the replay starts over, the failing
    // leg still to come (pending, drawn whole).
    click(r#"[data-action="flow-forward"]"#);
    tick(20).await;
    assert_eq!(
        attr(&host, "figure.flow-diagram", "data-frame").as_deref(),
        Some("final")
    );
    click(r#"[data-action="flow-forward"]"#);
    tick(20).await;
    let c = classes();
    assert!(c[0].contains("current"), "{c:?}");
    assert!(c[2].contains("pending"), "{c:?}");
    let pending = host
        .query_selector(r#"g.leg[data-state="failing"]"#)
        .unwrap()
        .unwrap();
    assert!(pending.query_selector("path.line").unwrap().is_some());
    assert!(pending.query_selector("path.head").unwrap().is_some());
    // Jump: the final state with the failing leg outlined.
    click(r#"[data-action="flow-jump-failing"]"#);
    tick(20).await;
    let class = attr(&host, failing, "class").unwrap();
    assert!(
        class.contains("shown") && class.contains("focus"),
        "{class}"
    );
    assert!(classes().iter().all(|c| !c.contains("pending")));
    assert!(status().contains("failing"), "{}", status());
    // Replay runs, on demand.
    click(r#"[data-action="flow-play"]"#);
    tick(100).await;
    assert_eq!(
        attr(&host, r#"[data-action="flow-play"]"#, "aria-label").as_deref(),
        Some("Pause")
    );
    assert_eq!(
        attr(&host, "figure.flow-diagram", "data-frame").as_deref(),
        Some("0")
    );
    drop(handle);
    // Unmounted while playing: the interval is cleared (no panic from a disposed signal).
    tick(150).await;
}

#[wasm_bindgen_test]
fn exported_svg_parses_as_an_svg_document() {
    let a = seed();
    let l = layout(&a.profile, &a.diagnosis.flow, &a.diagnosis.findings);
    for theme in [SvgTheme::Light, SvgTheme::Dark] {
        let svg = to_svg(&l, theme);
        let doc = web_sys::DomParser::new()
            .unwrap()
            .parse_from_string(&svg, web_sys::SupportedType::ImageSvgXml)
            .unwrap();
        assert_eq!(doc.get_elements_by_tag_name("parsererror").length(), 0);
        let root = doc.document_element().unwrap();
        assert_eq!(root.tag_name(), "svg");
        assert_eq!(
            root.namespace_uri().as_deref(),
            Some("http://www.w3.org/2000/svg")
        );
        assert_eq!(
            doc.query_selector_all("[data-leg][data-state]")
                .unwrap()
                .length() as usize,
            a.diagnosis.flow.len()
        );
    }
}

/// `n` messages cycling through a small RCC-ish mix, 10 ms apart.
fn many_messages(n: usize) -> Vec<SipMessage> {
    let kinds: [(&str, &str, Option<u16>, &str); 4] = [
        (
            "INVITE",
            "sip:rcc@mcm.contoso.com",
            None,
            "application/csta+xml",
        ),
        ("", "", Some(200), "application/csta+xml"),
        ("REGISTER", "sip:contoso.com", None, ""),
        ("", "", Some(404), ""),
    ];
    (0..n)
        .map(|i| {
            let (method, uri, status, ct) = kinds[i % 4];
            let cseq = if i % 4 < 2 { "1 INVITE" } else { "1 REGISTER" };
            let call = format!("call-{}", i / 2);
            let mut headers = vec![
                Header {
                    name: "Via".into(),
                    value: format!("SIP/2.0/TLS 10.0.0.20:50120;branch=z9hG4bK{}", i / 2),
                },
                Header {
                    name: "From".into(),
                    value: "<sip:alice@contoso.com>;tag=a".into(),
                },
                Header {
                    name: "To".into(),
                    value: "<sip:rcc@mcm.contoso.com>".into(),
                },
                Header {
                    name: "Call-ID".into(),
                    value: call,
                },
                Header {
                    name: "CSeq".into(),
                    value: cseq.into(),
                },
            ];
            if !ct.is_empty() {
                headers.push(Header {
                    name: "Content-Type".into(),
                    value: ct.into(),
                });
            }
            SipMessage::from(MessageParts {
                source: SourceRef {
                    file: "big.log".into(),
                    line_start: i as u32 * 10 + 1,
                    line_end: i as u32 * 10 + 9,
                },
                timestamp: Some(Timestamp {
                    written: format!("t{i}"),
                    millis: Some(i as i64 * 10),
                }),
                direction: None,
                local: None,
                peer: None,
                start_line: match status {
                    None => StartLine::Request {
                        method: method.into(),
                        uri: uri.into(),
                    },
                    Some(code) => StartLine::Response {
                        code,
                        reason: if code == 200 {
                            "OK".into()
                        } else {
                            "Not Found".into()
                        },
                    },
                },
                headers,
                body: String::new(),
                quality: ParseQuality::Clean,
                also_seen: vec![],
            })
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_ten_thousand_row_ladder_renders_only_a_window() {
    let source = AnalysisSource::local_ladder(many_messages(10_000), None, None, None);
    let host = host();
    let handle = leptos::mount::mount_to(
        host.clone(),
        move || view! { <Ladder source=source.clone() /> },
    );
    let ladder = host.query_selector(".ladder").unwrap().unwrap();
    assert_eq!(ladder.get_attribute("data-rows").as_deref(), Some("10000"));
    // The window is drawn by an effect: after the mount's microtasks, before the first paint.
    tick(0).await;
    let rows =
        |host: &web_sys::HtmlElement| host.query_selector_all(".ladder-row").unwrap().length();
    let first = rows(&host);
    assert!(first > 5 && first < 60, "{first} rows in the DOM");
    // Scroll to the middle: still only a window, now around row 5,000.
    let scroller: web_sys::HtmlElement = host
        .query_selector(".ladder-scroll")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    scroller.set_scroll_top(150_000);
    scroller
        .dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    tick(30).await;
    let n = rows(&host);
    assert!(n > 5 && n < 60, "{n} rows in the DOM");
    let top_row: u32 = host
        .query_selector(".ladder-row")
        .unwrap()
        .unwrap()
        .get_attribute("data-row")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (4_900..5_000).contains(&top_row),
        "first rendered row {top_row}"
    );
    // Error responses are coloured.
    assert!(host
        .query_selector(r#".ladder-row[data-verdict="error-response"]"#)
        .unwrap()
        .is_some());
    // Enter on a row opens the raw message with the key headers highlighted.
    let row: web_sys::HtmlElement = host
        .query_selector(".ladder-row")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    row.dispatch_event(
        &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
    )
    .unwrap();
    tick(20).await;
    let raw = host
        .query_selector(".ladder-raw")
        .unwrap()
        .expect("raw message view");
    assert!(raw
        .query_selector(r#".raw-header.key[data-header="Call-ID"]"#)
        .unwrap()
        .is_some());
    assert!(raw
        .query_selector(r#".raw-header.key[data-header="CSeq"]"#)
        .unwrap()
        .is_some());
    // Arrow down moves the focus to the next row.
    row.focus().unwrap();
    let first_row = row.get_attribute("data-row").unwrap();
    let down = web_sys::KeyboardEventInit::new();
    down.set_key("ArrowDown");
    down.set_bubbles(true);
    row.dispatch_event(
        &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &down).unwrap(),
    )
    .unwrap();
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap()
        .get_attribute("data-row")
        .unwrap();
    assert_eq!(
        focused.parse::<u32>().unwrap(),
        first_row.parse::<u32>().unwrap() + 1
    );
    // RCC only hides the REGISTER dialogs.
    host.query_selector(r#"[data-filter="rcc-only"]"#)
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    tick(30).await;
    let count = host
        .query_selector(".ladder-count")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(count, "5000 of 10000 messages");
    drop(handle);
}

fn click(host: &web_sys::HtmlElement, sel: &str) {
    host.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("no {sel}"))
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
}

fn key(el: &web_sys::Element, k: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(k);
    init.set_bubbles(true);
    el.dispatch_event(
        &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
    )
    .unwrap();
}

#[wasm_bindgen_test]
async fn jump_to_the_failing_message_clears_the_filter_scrolls_and_opens_it() {
    // A failing leg whose evidence is message 7,000 (an INVITE, so RCC) of 10,000.
    let messages = many_messages(10_000);
    let diagnosis = rcc_core::diagnosis::Diagnosis {
        flow: vec![FlowLeg {
            from: "client".into(),
            to: "home-server".into(),
            message: "INVITE".into(),
            kind: rcc_core::profile::LegKind::Invite,
            state: LegState::Failing,
            evidence: vec![messages[7_000].evidence()],
            observed: None,
            extra: false,
        }],
        ..Default::default()
    };
    let source = AnalysisSource::local_ladder(messages, None, Some(&diagnosis), None);
    let LadderFrame::Ready(frame) = source.ladder() else {
        panic!("a ladder on the page is ready at once");
    };
    assert_eq!(frame.first_failing, Some(7_000));
    let host = host();
    let handle = leptos::mount::mount_to(
        host.clone(),
        move || view! { <Ladder source=source.clone() rcc_only=true /> },
    );
    let count = |host: &web_sys::HtmlElement| {
        host.query_selector(".ladder-count")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert_eq!(count(&host), "5000 of 10000 messages");
    // A method filter on top, then the jump: every filter off, the row scrolled to, selected
    // and its message open.
    let select: web_sys::HtmlSelectElement = host
        .query_selector(r#"select[data-filter="method"]"#)
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value("REGISTER");
    // Leptos listens for `change` on the document: the event must bubble.
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    tick(30).await;
    assert_eq!(
        count(&host),
        "0 of 10000 messages",
        "select value {:?}, options {}",
        select.value(),
        select.length()
    );
    click(&host, r#"[data-action="ladder-jump-failing"]"#);
    tick(100).await;
    assert_eq!(count(&host), "10000 of 10000 messages");
    let row = host
        .query_selector(r#".ladder-row[data-row="7000"]"#)
        .unwrap()
        .expect("the failing row is rendered after the jump");
    assert_eq!(
        row.get_attribute("data-verdict").as_deref(),
        Some("failing-leg")
    );
    assert!(row.class_list().contains("selected"));
    let raw = host
        .query_selector(r#".ladder-raw[data-row="7000"]"#)
        .unwrap()
        .expect("its raw message");
    assert!(raw.text_content().unwrap().contains("the failing leg"));
    // Escape on a row closes the message.
    key(&row, "Escape");
    tick(20).await;
    assert!(host.query_selector(".ladder-raw").unwrap().is_none());
    drop(handle);
}

/// The ladder's window: a small scroll keeps the rows both windows show, a jump or a new list
/// draws everything again, a placeholder whose row arrived is redrawn alone.
#[wasm_bindgen_test]
fn the_ladder_window_keeps_the_rows_that_stay() {
    use rcc_web::diagram::window::{plan, Drawn, Edit};
    let drawn = |list: usize, start: usize, fetched: &[bool]| Drawn {
        list,
        start,
        rows: fetched
            .iter()
            .enumerate()
            .map(|(i, f)| (100 + start + i, *f))
            .collect(),
    };
    let old = drawn(1, 10, &[true; 20]);
    assert_eq!(plan(None, &old), Edit::All);
    // Two rows down: two leave at the top, two come in at the bottom.
    assert_eq!(
        plan(Some(&old), &drawn(1, 12, &[true; 20])),
        Edit::Shift {
            drop_front: 2,
            drop_back: 0,
            redraw: vec![],
            prepend: 0..0,
            append: 18..20,
        }
    );
    // Three rows up.
    assert_eq!(
        plan(Some(&old), &drawn(1, 7, &[true; 20])),
        Edit::Shift {
            drop_front: 0,
            drop_back: 3,
            redraw: vec![],
            prepend: 0..3,
            append: 20..20,
        }
    );
    // The row at position 15 arrives from the worker: it alone is redrawn.
    let mut waiting = [true; 20];
    waiting[5] = false;
    assert_eq!(
        plan(Some(&drawn(1, 10, &waiting)), &old),
        Edit::Shift {
            drop_front: 0,
            drop_back: 0,
            redraw: vec![5],
            prepend: 0..0,
            append: 20..20,
        }
    );
    // A jump past the window or another list: everything again.
    assert_eq!(plan(Some(&old), &drawn(1, 500, &[true; 20])), Edit::All);
    assert_eq!(plan(Some(&old), &drawn(2, 10, &[true; 20])), Edit::All);
    // Most kept rows changed (placeholders whose rows arrived): everything again.
    assert_eq!(plan(Some(&drawn(1, 10, &[false; 20])), &old), Edit::All);
    // Fifteen rows down: the five that stay are kept (the row under the pointer is not replaced).
    assert_eq!(
        plan(Some(&old), &drawn(1, 25, &[true; 20])),
        Edit::Shift {
            drop_front: 15,
            drop_back: 0,
            redraw: vec![],
            prepend: 0..0,
            append: 5..20,
        }
    );
}
