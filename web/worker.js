// RCC Doctor analysis worker: loads the app's wasm module (the page's, downloaded once and
// cached) and hands every message to it; the protocol and the worker's state are Rust
// (crates/rcc-web/src/worker/). scripts/postbuild.mjs fills in the hashed file names and writes
// dist/worker-<hash>.js.
import init, { run_worker } from './__JS__';

globalThis.rccDoctorHostMounts = true; // the wasm entry point must not look for a page here

// Messages that arrive while the wasm loads wait here, in order.
const early = [];
self.onmessage = (event) => early.push(event.data);

try {
  await init({ module_or_path: new URL('./__WASM__', import.meta.url) });
  run_worker(early);
} catch (e) {
  // Nothing can answer: say so once (a `FromWorker::Broken`), and the page analyses itself.
  self.postMessage({ json: JSON.stringify({ broken: { message: String(e && e.message ? e.message : e) } }) });
}
