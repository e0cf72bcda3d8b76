//! Local downloads: text files through a Blob and an object URL, PNG by drawing the SVG into a
//! canvas. Nothing leaves the page.

use gloo_file::{Blob, ObjectUrl};
use gloo_timers::callback::Timeout;
use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
use rcc_core::diagram::SvgTheme;

/// PNG exports are drawn at this multiple of the SVG size (crisp on high-density screens).
pub const PNG_SCALE: f64 = 2.0;

/// How long an offered download's object URL lives: the browser starts the download
/// asynchronously after the click, so the URL must outlive this call.
const OBJECT_URL_LIFETIME_MS: u32 = 60_000;

/// Offer `blob` as a download called `name`.
fn download_blob(blob: Blob, name: &str) -> Result<(), JsValue> {
    let url = ObjectUrl::from(blob);
    let document = leptos::prelude::document();
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_attribute("hidden", "")?;
    if let Some(body) = document.body() {
        body.append_child(&a)?;
        a.click();
        body.remove_child(&a)?;
    }
    // Dropping the last `ObjectUrl` revokes it.
    Timeout::new(OBJECT_URL_LIFETIME_MS, move || drop(url)).forget();
    Ok(())
}

/// Offer `text` as a download called `name` with MIME type `mime`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    download_blob(Blob::new_with_options(text, Some(mime)), name)
}

/// Offer `content` (a JavaScript string or byte array, e.g. an answer of the analysis worker) as
/// a download: it goes into the Blob as it is, never through the page's wasm memory.
pub fn download_js(name: &str, mime: &str, content: &JsValue) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(content);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &opts)?;
    download_blob(Blob::from(blob), name)
}

/// Draw `svg` (a standalone document of `width`×`height`) into a canvas at [`PNG_SCALE`] and
/// offer it as a PNG download.
pub fn download_png(name: &str, svg: &str, width: f64, height: f64) -> Result<(), JsValue> {
    let img = web_sys::HtmlImageElement::new()?;
    let url = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        js_sys::encode_uri_component(svg)
    );
    let name = name.to_string();
    let img2 = img.clone();
    gloo_events::EventListener::once(&img, "load", move |_| {
        let draw = || -> Result<(), JsValue> {
            let canvas: web_sys::HtmlCanvasElement = leptos::prelude::document()
                .create_element("canvas")?
                .dyn_into()?;
            let (w, h) = (
                (width * PNG_SCALE).round() as u32,
                (height * PNG_SCALE).round() as u32,
            );
            canvas.set_width(w);
            canvas.set_height(h);
            let ctx: web_sys::CanvasRenderingContext2d = canvas
                .get_context("2d")?
                .ok_or_else(|| JsValue::from_str("no 2d context"))?
                .dyn_into()?;
            ctx.draw_image_with_html_image_element_and_dw_and_dh(
                &img2, 0.0, 0.0, w as f64, h as f64,
            )?;
            // gloo has no wrapper for `toBlob`'s callback.
            let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
                if let Some(blob) = blob {
                    let _ = download_blob(Blob::from(blob), &name);
                }
            });
            canvas.to_blob(done.unchecked_ref())
        };
        if let Err(e) = draw() {
            leptos::logging::warn!("PNG export failed: {e:?}");
        }
    })
    .forget();
    img.set_src(&url);
    Ok(())
}

/// Copy `text` (a JavaScript string) to the clipboard (fire and forget).
pub fn copy_js_text(text: &JsValue) {
    let clipboard = leptos::prelude::window().navigator().clipboard();
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(write) = write {
        let _ = write.call1(&clipboard, text);
    }
}

/// The SVG theme matching the page: the theme toggle's choice, else the system preference.
pub fn svg_theme_of_page() -> SvgTheme {
    let root = leptos::prelude::document().document_element();
    let chosen = root.and_then(|r| r.get_attribute("data-theme"));
    let dark = match chosen.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => media_matches("(prefers-color-scheme: dark)"),
    };
    if dark {
        SvgTheme::Dark
    } else {
        SvgTheme::Light
    }
}

/// Whether a media query matches (false when it cannot be asked).
pub fn media_matches(query: &str) -> bool {
    leptos::prelude::window()
        .match_media(query)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}
