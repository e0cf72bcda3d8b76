//! Browser unit tests: run in headless Chromium by wasm-bindgen-test
//! (`cargo test --target wasm32-unknown-unknown --test browser`). They prove the core behaves
//! the same compiled to wasm, and that the app mounts and renders its shell.
#![cfg(target_arch = "wasm32")]

use rcc_doctor::core::wizard::Step;
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
    let handle = leptos::mount::mount_to(host.clone(), rcc_doctor::ui::App);
    let rail = host.query_selector_all("nav.rail a").unwrap();
    assert_eq!(rail.length(), 5);
    let footer = host.query_selector("footer").unwrap().unwrap();
    assert!(footer.text_content().unwrap().contains("RCC Doctor v"));
    drop(handle);
}
