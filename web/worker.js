// RCC Doctor analysis worker: reads logs and diagnoses off the page's main thread, so a large
// log never freezes the tab, and keeps the messages so the page holds only what it shows. It
// loads the same wasm module as the page (downloaded once, cached). Protocol: ARCHITECTURE.md,
// "Worker protocol"; both ends in crates/rcc-web/src/worker.rs.
// scripts/postbuild.mjs fills in the hashed file names and writes dist/worker-<hash>.js.
import init, {
  analyze_in_worker, query_in_worker, stage_log, stage_log_chunk, clear_staged_logs, holds_logs,
} from './__JS__';

globalThis.rccDoctorHostMounts = true; // the wasm entry point must not look for a page here
const ready = init({ module_or_path: new URL('./__WASM__', import.meta.url) });

const message = (e) => String(e && e.message ? e.message : e);

// The newest analysis asked for. The page only shows the newest one, so an analysis that a newer
// one has overtaken while it waited (typing in a field posts one per keystroke) is skipped:
// a 100 MB log is then read once for the last keystroke, not once per keystroke.
let newest = -1;
const CHUNK = 8 << 20;
const overtaken = (id) => id !== newest;

// What identifies the logs of a request: names and clock offsets, and per file its name, size
// and date (a File) or its length and a content hash (bytes from the page, at most a few MB).
function logsKey(input, files) {
  const logs = JSON.parse(input).logs || [];
  return JSON.stringify(logs.map((l, i) => {
    const f = files[i];
    const what = f instanceof Blob ? ['file', f.name, f.size, f.lastModified]
      : typeof f === 'string' ? ['text', f.length, fnv1a(f)] : ['bytes', f ? f.length : 0, fnv1a(f)];
    return [l.name, l.clock_offset_ms, what];
  }));
}

function fnv1a(bytes) {
  let h = 0x811c9dc5;
  const text = typeof bytes === 'string';
  for (let i = 0; bytes && i < bytes.length; i++) h = Math.imul(h ^ (text ? bytes.charCodeAt(i) : bytes[i]), 0x01000193);
  return h >>> 0;
}

// The bytes of each file for analyze_in_worker: a Uint8Array as it came, a File read into wasm
// memory 8 MiB at a time (never whole in JavaScript as well; its entry is then null). `null`
// when a newer analysis overtook this one meanwhile.
async function readFiles(id, files) {
  const bytes = [];
  for (let i = 0; i < files.length; i++) {
    if (overtaken(id)) return null;
    const f = files[i];
    // A large paste comes as the clipboard's string: encoded here, off the page's thread.
    if (typeof f === 'string') { bytes.push(new TextEncoder().encode(f)); continue; }
    if (!(f instanceof Blob)) { bytes.push(f); continue; }
    stage_log(i, f.size);
    for (let at = 0; at < f.size; at += CHUNK) {
      stage_log_chunk(i, new Uint8Array(await f.slice(at, at + CHUNK).arrayBuffer()));
    }
    bytes.push(null);
  }
  return bytes;
}

// { type: 'analyze', id, input, files, redact } → progress…, then done (the summary) or error;
// { type: 'skipped', id } when a newer analysis overtook it before it started.
// files[i] is a Uint8Array (transferred) or a File the page never read: read it here, unless
// they are the logs the held analysis read (only the AD text, rules or sign-in changed): then
// the worker analyses what it read before instead of reading the files again.
async function analyze({ id, input, files, redact }) {
  try {
    await ready;
    const key = logsKey(input, files);
    const bytes = holds_logs(key, !!redact) ? [] : await readFiles(id, files);
    if (!bytes || overtaken(id)) {
      clear_staged_logs();
      self.postMessage({ id, type: 'skipped' });
      return;
    }
    let last = 0;
    const progress = (fraction) => {
      const now = performance.now();
      if (now - last > 50 || fraction >= 1) {
        last = now;
        self.postMessage({ id, type: 'progress', fraction });
      }
    };
    const output = analyze_in_worker(id, input, bytes, !!redact, progress, key);
    self.postMessage({ id, type: 'done', output });
  } catch (e) {
    self.postMessage({ id, type: 'error', message: message(e) });
  }
}

// { type: 'query', id, seq, query } → { type: 'answer', seq, value } (value undefined: the
// worker holds another analysis) or { type: 'answer', seq, error }. Typed arrays are transferred.
async function query({ id, seq, query: q }) {
  try {
    await ready;
    const value = query_in_worker(id, q);
    self.postMessage({ type: 'answer', seq, value }, ArrayBuffer.isView(value) ? [value.buffer] : []);
  } catch (e) {
    self.postMessage({ type: 'answer', seq, error: message(e) });
  }
}

// One message at a time, in order: reading a file is asynchronous, and a query must see the
// analysis asked before it, never one still being read.
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type !== 'query') newest = msg.id;
  queue = queue.then(() => (msg.type === 'query' ? query(msg) : analyze(msg)));
};
