// RCC Doctor bootstrap (replaces Trunk's inline script so a strict CSP needs no 'unsafe-inline').
// scripts/postbuild.mjs fills in the hashed file names and writes dist/boot-<hash>.js.
import init, { mount_embedded } from './__JS__';

const params = new URLSearchParams(location.search);
const framed = window.parent !== window;
// Options for the iframe variant: index.html?theme=dark&profile=nortel&compact&hide-header#/logs
const hosted = framed || ['theme', 'profile', 'start', 'compact', 'hide-header'].some((k) => params.has(k));
if (hosted) globalThis.rccDoctorHostMounts = true;

// Where the app finds its analysis worker (embed.js and the single file have none: they analyse
// on the page).
globalThis.rccDoctorWorker = new URL('./__WORKER__', import.meta.url).href;

await init({ module_or_path: new URL('./__WASM__', import.meta.url) });

if (hosted) {
  const body = document.body;
  if (framed) body.dataset.frame = '';
  if (params.has('compact')) body.dataset.compact = '';
  if (params.has('hide-header')) body.dataset.hideHeader = '';
  mount_embedded(body, {
    page: true,
    theme: params.get('theme') || undefined,
    profile: params.get('profile') || undefined,
    start: params.get('start') || undefined,
  });
}

if (framed) {
  // Auto-height: tell the parent how tall the app is. The parent checks event.origin; we send to
  // the origin named by ?parent-origin= (or the referrer's), never '*' when one is known.
  let parentOrigin = params.get('parent-origin') || '';
  if (!parentOrigin && document.referrer) {
    try { parentOrigin = new URL(document.referrer).origin; } catch { /* no referrer */ }
  }
  const target = parentOrigin || '*';
  let last = 0;
  const report = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: 'rcc-doctor:height', height }, target);
    }
  };
  new ResizeObserver(report).observe(document.documentElement);
  report();
  // The only message we accept: the parent asking for a step, and only from the expected origin.
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !parentOrigin || event.origin !== parentOrigin) return;
    const data = event.data;
    if (data && data.type === 'rcc-doctor:go' && typeof data.step === 'string' && /^[a-z-]+$/.test(data.step)) {
      location.hash = `#/${data.step}`;
    }
  });
}

// Offline: the service worker precaches every file of this version (not from file://).
if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('RCC Doctor: no offline cache:', e));
}
