// RCC Doctor analysis worker: reads logs and diagnoses off the page's main thread, so a large
// log never freezes the tab. It loads the same wasm module as the page (downloaded once, cached).
// scripts/postbuild.mjs fills in the hashed file names and writes dist/worker-<hash>.js.
import init, { analyze_in_worker } from './__JS__';

globalThis.rccDoctorHostMounts = true; // the wasm entry point must not look for a page here
const ready = init({ module_or_path: new URL('./__WASM__', import.meta.url) });

self.onmessage = async (event) => {
  const { id, input, files } = event.data;
  try {
    await ready;
    let last = 0;
    const progress = (fraction) => {
      const now = performance.now();
      if (now - last > 50 || fraction >= 1) {
        last = now;
        self.postMessage({ id, type: 'progress', fraction });
      }
    };
    const timings = {}; // filled by the worker's clock: bytes, copy/read/diagnose/serialize/total ms
    const output = analyze_in_worker(input, files, progress, timings);
    self.postMessage({ id, type: 'done', output, timings });
  } catch (e) {
    self.postMessage({ id, type: 'error', message: String(e && e.message ? e.message : e) });
  }
};
