//! The browser entry point, built by Trunk for wasm32. Natively it only explains itself, so
//! `cargo build` of the whole package still works.

#[cfg(target_arch = "wasm32")]
fn main() {
    // embed.js and the single-file page mount the app themselves (`mount_embedded`).
    if !rcc_web::host_mounts() {
        rcc_web::start();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("rcc-doctor-web is the browser app: run `make run` and open http://127.0.0.1:8080");
    std::process::exit(2);
}
