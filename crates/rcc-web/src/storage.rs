//! localStorage access that never throws: private windows and sandboxed iframes may refuse
//! storage, and the app must still work there (it just forgets on reload).

use leptos::prelude::window;

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Returns false when the browser refused (quota, privacy mode).
pub fn set(key: &str, value: &str) -> bool {
    local_storage()
        .map(|s| s.set_item(key, value).is_ok())
        .unwrap_or(false)
}

pub fn remove(key: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(key);
    }
}
