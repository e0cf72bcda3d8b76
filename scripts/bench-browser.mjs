#!/usr/bin/env node
// In-browser ingestion benchmark (issue 3 "Speed"): headless Chromium, the real release build
// (dist/, from `trunk build --release`; this script builds nothing), input through the file
// picker. For each synthetic log it reports MB/s (MB = 2^20 bytes, as `cargo bench --bench
// ingest`) for:
//   newline  the wasm newline scan (`NewlineScan`, core::ingest::count_newlines) on the same
//            bytes, in the same page: the physical bound of any line-based reader;
//   ours     the whole ingestion as the analysis worker measured it (performance.now() at the
//            core's stage boundaries, read from the logs step's [data-testid=read-timing]);
//   e2e      pick -> file card in the DOM (page clock: the input's change event to the card with
//            its message count; includes reading the File, posting to the worker, ingesting,
//            diagnosing, the JSON round trip and rendering);
//   npm sip  `parse` of the npm `sip` package (loaded into the same page with stub requires,
//            only here: it never ships in dist/) over the raw-SIP file's messages, split outside
//            the timing; raw SIP only (sip reads single messages, not trace containers);
//   stages   where pick -> file card spent its time (STAGES: the page, the file read, ingest,
//            diagnosis, summary JSON, the threads' messages, the render), from probes in the
//            page and the worker and the summary's `timings`; they add up to end-to-end. The
//            grades (RFC 3261) and the message ladder are made after the reply, when the page
//            asks (their times are reported beside the stages, and the worker's memory is read
//            once the ladder is built);
//   visits   navigation start -> the wizard usable, on a fresh profile (cold cache, no service
//            worker), then again with the service worker (warm).
// Each rate is the best of several runs; nothing passes or fails on speed, but a figure that
// cannot be measured (npm sip counting other messages than we do, a probe that saw nothing)
// fails the run.
//
//   node scripts/bench-browser.mjs [--sizes 1,10,100] [--formats raw,uccapi,server,wireshark,sipp]
//                                  [--runs 5] [--visits 5] [--logs target/bench/logs]
//                                  [--out target/bench/browser.json]
// Default: raw SIP at 1, 10 and 100 MB, every other format at 10 MB. Logs come from
// `cargo run --release --example gen_logs` (deterministic; existing files are reused).
// The measuring functions are exported for e2e/bench.test.mjs (so this script cannot rot).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;
export const FORMATS = {
  raw: { id: 'raw-sip', ext: 'txt' },
  uccapi: { id: 'uccapi', ext: 'uccapilog' },
  server: { id: 'server-log', ext: 'log' },
  wireshark: { id: 'wireshark-follow', ext: 'txt' },
  sipp: { id: 'sipp-trace', ext: 'log' },
};
const LONG = 10 * 60 * 1000; // a 100 MB end-to-end run on a busy 2-core machine can take a while

/// The npm `sip` package's source, wrapped to run in a page: its Node requires (net, dgram, tls,
/// dns, os, crypto, util, ws) get empty stubs; `parse` touches none of them.
export function sipPageScript() {
  const file = path.join(ROOT, 'node_modules/sip/sip.js');
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/sip/package.json'), 'utf8')).version;
  const src = fs.readFileSync(file, 'utf8');
  return `(() => {
    const module = { exports: {} };
    (function (require, module, exports) {\n${src}\n})(() => ({}), module, module.exports);
    window.__sip = { parse: module.exports.parse, version: ${JSON.stringify(version)} };
    return window.__sip.version;
  })()`;
}

/// The wasm-bindgen JS glue of the build in `dist`: the page imports it again (same module
/// instance, already initialised) to reach the `NewlineScan` export.
export function glueName(dist) {
  const found = fs.readdirSync(dist).filter((f) => /^rcc-doctor-web-[0-9a-f]+\.js$/.test(f));
  if (found.length !== 1) throw new Error(`expected one rcc-doctor-web-<hash>.js in ${dist}, found ${found}`);
  return found[0];
}

/// The message in a worker-protocol envelope ({ json, payload }, crates/rcc-web/src/worker/
/// protocol.rs): its type and its fields, e.g. ['analyze', { seq, … }]; null for anything else.
/// Defined inside each probe too, since a probe runs as its own source text.
function opened(envelope) {
  try {
    const [type, fields] = Object.entries(JSON.parse(envelope.json))[0];
    return [type, fields];
  } catch {
    return null;
  }
}

/// Installed in the page before the app runs: notes when the page posts an `analyze` request to
/// its worker (with the names of the files it carries) and when each `analysed` reply arrives
/// (this listener captures, so it runs before the app's own).
function pageStageProbe() {
  const opened = __OPENED__;
  const probe = { posts: [], dones: [] };
  window.__stageProbe = probe;
  const Native = window.Worker;
  if (!Native) return;
  const post = Native.prototype.postMessage;
  Native.prototype.postMessage = function (msg, ...rest) {
    const m = msg && opened(msg);
    if (m && m[0] === 'analyze') {
      // A File handle (the worker reads it) or the bytes the page read (a log small enough to save).
      const files = Array.isArray(msg.payload)
        ? msg.payload.map((f) => (f instanceof Blob ? { name: f.name, bytes: f.size } : { bytes: f && f.byteLength })) : [];
      probe.posts.push({ at: performance.now(), id: m[1].seq, files });
    }
    return post.call(this, msg, ...rest);
  };
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      // A capture listener runs before the app's (non-capture) one whenever that was added.
      this.addEventListener('message', (e) => {
        const m = e.data && opened(e.data);
        if (m && m[0] === 'analysed') probe.dones.push({ at: performance.now(), id: m[1].seq });
      }, true);
    }
  };
}

/// Installed in the analysis worker once it runs: notes when each `analysed` reply is posted,
/// with the summary's `timings` (the worker's stamps on its own clock: the request's arrival and
/// the core's stage boundaries) and the summary JSON's length; and each answer with a ladder
/// (built when the page first asks, after the analysed reply), with its build time and the
/// worker's memory then.
function workerStageProbe() {
  if (self.__stageProbe) return true;
  const opened = __OPENED__;
  const probe = { done: [], ladders: [], grades: [] };
  self.__stageProbe = probe;
  const post = self.postMessage;
  self.postMessage = function (msg, ...rest) {
    const at = performance.now();
    const out = post.call(this, msg, ...rest);
    const m = msg && opened(msg);
    if (m && m[0] === 'analysed') {
      // The summary is the reply's payload, a JSON string.
      let timings = null;
      try { timings = JSON.parse(msg.payload).timings; } catch { /* not the protocol we know: reported by stagesOf */ }
      probe.done.push({ at, id: m[1].seq, timings, jsonBytes: typeof msg.payload === 'string' ? msg.payload.length : null });
    } else if (m && m[0] === 'answer' && m[1].answer && m[1].answer.ladder) {
      const { built_ms: builtMs, memory_bytes: memoryBytes } = m[1].answer.ladder;
      probe.ladders.push({ at, builtMs, memoryBytes });
    } else if (m && m[0] === 'answer' && m[1].answer && m[1].answer.grades) {
      probe.grades.push({ at, gradedMs: m[1].answer.grades.graded_ms });
    }
    return out;
  };
  return true;
}

/// A probe's source text, with the envelope reader filled in.
function probeSource(probe) {
  return probe.toString().replace('__OPENED__', opened.toString());
}

/// The analysis worker of `page` (started by the app when it mounts), with its probe installed.
async function probeWorker(page, timeout = 10_000) {
  const until = Date.now() + timeout;
  for (;;) {
    for (const w of page.workers()) {
      if (await w.evaluate(`(${probeSource(workerStageProbe)})()`).catch(() => false)) return w;
    }
    if (Date.now() > until) throw new Error('stage timings: the app started no analysis worker (is this the hosted release build?)');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/// A fresh page on the logs step with the benchmark's listeners: the picked File and the time
/// of the input's change event (capture phase, before the app reads and clears the input), and
/// the stage probes of the page and its worker.
/// `fresh`: the profile is new (no saved case to clear), so the page is loaded once: its wasm
/// is compiled for the first time.
export async function openApp(context, baseUrl, { fresh = false } = {}) {
  const page = await context.newPage();
  await page.addInitScript(`(${probeSource(pageStageProbe)})()`);
  await page.goto(`${baseUrl}/#/logs`);
  if (!fresh) {
    await page.evaluate(() => localStorage.clear());
    await page.reload();
  }
  await page.getByRole('heading', { level: 2, name: /^Logs$/ }).waitFor();
  await page.evaluate(() => {
    window.__bench = { file: null, pickAt: null };
    document.addEventListener('change', (e) => {
      if (e.target && e.target.id === 'log-files' && e.target.files.length) {
        window.__bench.pickAt = performance.now();
        window.__bench.file = e.target.files[0];
      }
    }, true);
  });
  page.__worker = await probeWorker(page);
  return page;
}

/// Where one pick's time went, in ms, from the page's and the worker's probes. Each clock is
/// only compared with itself: the page's stamps with the page's, the worker's with the worker's,
/// and the time between the threads is the page's span minus the worker's. The stages add up to
/// the end-to-end time (pick -> card).
export const STAGES = [
  ['page', 'page: change event -> request posted (a log small enough to save is read here)'],
  ['file', 'worker: request received -> analysis starts (a File streamed into wasm memory; bytes from the page hashed and copied in)'],
  ['ingest', 'worker: ingest (the core reading the logs)'],
  ['diagnose', 'worker: case, facts, diagnosis'],
  ['json', 'worker: summary to JSON, reply posted'],
  ['transit', 'between threads: request and reply in flight'],
  ['render', 'page: reply received -> file card in the DOM (summary parsed, rendered)'],
];

function stagesOf(name, run, pageProbe, workerProbe) {
  const fail = (why) => {
    throw new Error(`stage timings for ${name}: ${why} (the worker protocol changed? see pageStageProbe/workerStageProbe in scripts/bench-browser.mjs)`);
  };
  const cardAt = run.pickAt + run.e2eMs;
  const done = pageProbe.dones.filter((d) => d.at <= cardAt).at(-1);
  if (!done) fail('the page received no analysed reply before the card showed');
  const post = pageProbe.posts.filter((p) => p.id === done.id).at(-1);
  if (!post) fail(`no analyze request ${done.id} was posted`);
  if (!post.files.some((f) => f.name === name || (f.name === undefined && f.bytes === run.bytes))) {
    fail(`request ${done.id} carries neither the picked File nor its bytes (it carries ${JSON.stringify(post.files)})`);
  }
  const replied = workerProbe.done.filter((r) => r.id === done.id).at(-1);
  if (!replied) fail(`the worker's probe did not see request ${done.id} answered`);
  const t = replied.timings;
  if (!t || !(t.received_ms > 0) || !(t.started_ms >= t.received_ms) || !(t.read_ms >= 0) || !(t.diagnose_ms >= 0) || !(t.ladder_ms >= 0)) {
    fail(`the reply carries no stage timings (${JSON.stringify(t)}): a worker built before StageTimings had received_ms, started_ms and ladder_ms?`);
  }
  if (t.bytes !== run.bytes) fail(`the reply's timings are for ${t.bytes} bytes, not ${run.bytes}`);
  const workerSpan = replied.at - t.received_ms;
  const stages = {
    page: post.at - run.pickAt,
    file: t.started_ms - t.received_ms,
    ingest: t.read_ms,
    diagnose: t.diagnose_ms - t.ladder_ms,
    json: replied.at - (t.started_ms + t.read_ms + t.diagnose_ms),
    transit: (done.at - post.at) - workerSpan,
    render: cardAt - done.at,
  };
  return { ms: stages, summaryJsonBytes: replied.jsonBytes, repliedAt: replied.at, ladderInReply: t.ladder_ms };
}

/// What the worker made for the analysis it replied to at `repliedAt` (its clock) when the page
/// asked: the first answer of `kind` (`ladders`, `grades`) posted after that reply, waited for.
/// The worker's memory is read with the ladder, the analysis' high-water mark.
async function answerAfter(page, kind, repliedAt, timeout) {
  const until = Date.now() + timeout;
  for (;;) {
    const found = await page.__worker.evaluate(([k, after]) => self.__stageProbe[k].find((l) => l.at >= after) || null, [kind, repliedAt]);
    if (found) return found;
    if (Date.now() > until) throw new Error(`the worker sent no ${kind} after its reply (the page asks for them when the analysis is out)`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/// One pick of `file` through `#log-files`: waits for its card (with the message count) and the
/// worker's read timing for exactly its bytes, then removes it again.
export async function pickOnce(page, file, { timeout = LONG } = {}) {
  const name = path.basename(file);
  const bytes = fs.statSync(file).size;
  await page.evaluate(({ name, bytes, timeout }) => {
    window.__bench.shown = new Promise((resolve, reject) => {
      const find = () => {
        const card = [...document.querySelectorAll('.file-card')].find((c) => c.dataset.file === name);
        const count = card && card.querySelector('[data-count="messages"]');
        const timing = document.querySelector('[data-testid="read-timing"]');
        if (!count || !timing || Number(timing.dataset.bytes) !== bytes) return false;
        const at = performance.now();
        observer.disconnect();
        clearTimeout(timer);
        resolve({
          pickAt: window.__bench.pickAt,
          e2eMs: at - window.__bench.pickAt,
          format: card.dataset.format,
          messages: parseInt(count.textContent, 10),
          bytes: Number(timing.dataset.bytes),
          readMs: Number(timing.dataset.readMs),
          diagnoseMs: Number(timing.dataset.diagnoseMs),
          memoryBytes: Number(timing.dataset.memoryBytes),
          where: timing.dataset.where,
          text: timing.textContent,
        });
        return true;
      };
      const observer = new MutationObserver(find);
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`no card for ${name}`)); }, timeout);
      if (!find()) observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  }, { name, bytes, timeout });
  await page.locator('#log-files').setInputFiles(file);
  const run = await page.evaluate(() => window.__bench.shown);
  const pageProbe = await page.evaluate(() => window.__stageProbe);
  const workerProbe = await page.__worker.evaluate(() => self.__stageProbe);
  Object.assign(run, stagesOf(name, run, pageProbe, workerProbe));
  const grades = await answerAfter(page, 'grades', run.repliedAt, timeout);
  run.gradedMs = grades.gradedMs;
  const ladder = await answerAfter(page, 'ladders', run.repliedAt, timeout);
  // Built with the analysis (an older worker) or after it: either way it is the ladder's time.
  run.ladderMs = ladder.builtMs + run.ladderInReply;
  run.memoryBytes = Math.max(run.memoryBytes, ladder.memoryBytes || 0);
  await page.getByRole('button', { name: `Remove ${name}` }).click();
  await page.locator('.file-card').first().waitFor({ state: 'detached', timeout });
  await page.getByTestId('analysis-progress').waitFor({ state: 'detached', timeout });
  return run;
}

/// The picked file's bytes, in the page (window.__bench.bytes).
async function loadPickedBytes(page) {
  return page.evaluate(async () => {
    window.__bench.bytes = new Uint8Array(await window.__bench.file.arrayBuffer());
    return window.__bench.bytes.length;
  });
}

/// Best ms per call of `body` over `samples` samples, calling it as often as needed for a sample
/// to last at least `minMs` (the page clock is coarse). Runs in the page (installed by `helpers`).
function bestOf(body, samples, minMs) {
  let reps = 1;
  let best = Infinity;
  let result;
  for (let s = 0; s < samples; s++) {
    let t0 = performance.now();
    for (let r = 0; r < reps; r++) result = body();
    let took = performance.now() - t0;
    while (took < minMs) {
      reps *= 2;
      t0 = performance.now();
      for (let r = 0; r < reps; r++) result = body();
      took = performance.now() - t0;
    }
    best = Math.min(best, took / reps);
  }
  return { ms: best, result };
}
const helpers = (page) => page.evaluate(`window.__bestOf = ${bestOf.toString()}; true`);

/// The wasm newline scan over the picked bytes, in this page.
export async function measureNewlines(page, glue, { samples = 5, minMs = 50 } = {}) {
  await helpers(page);
  return page.evaluate(async ({ glue, samples, minMs }) => {
    const { NewlineScan } = await import(`./${glue}`);
    const scan = new NewlineScan(window.__bench.bytes);
    try {
      const { ms, result } = window.__bestOf(() => scan.count(), samples, minMs);
      return { ms, count: result, bytes: scan.len() };
    } finally {
      scan.free();
    }
  }, { glue, samples, minMs });
}

/// npm `sip` parse over the picked raw-SIP bytes' messages (split outside the timing).
export async function measureSip(page, { samples = 5, minMs = 50 } = {}) {
  const version = await page.evaluate(sipPageScript());
  await helpers(page);
  const out = await page.evaluate(({ samples, minMs }) => {
    // latin1 maps each byte to one char, so Content-Length (bytes) indexes the string.
    const text = new TextDecoder('latin1').decode(window.__bench.bytes);
    const messages = [];
    for (let i = 0; i < text.length;) {
      while (i < text.length && (text[i] === '\r' || text[i] === '\n')) i++;
      if (i >= text.length) break;
      const end = text.indexOf('\r\n\r\n', i);
      if (end < 0) { messages.push(text.slice(i)); break; }
      const len = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(text.slice(i, end));
      const stop = Math.min(text.length, end + 4 + (len ? Number(len[1]) : 0));
      messages.push(text.slice(i, stop));
      i = stop;
    }
    const parse = window.__sip.parse;
    const { ms, result } = window.__bestOf(() => {
      let ok = 0;
      for (const m of messages) {
        const r = parse(m);
        if (r && r.headers && (r.method || r.status)) ok++;
      }
      return ok;
    }, samples, minMs);
    return { ms, parsed: result, split: messages.length };
  }, { samples, minMs });
  return { ...out, version };
}

const rate = (bytes, ms) => (ms > 0 ? bytes / MB / (ms / 1000) : NaN);

/// Every measurement for one file in one fresh page: `runs` picks (best kept, all recorded), then
/// the newline scan and, for raw SIP, npm sip on the same bytes.
export async function benchFile(context, baseUrl, file, { format = 'raw', runs = 3, samples = 5, minMs = 50, dist = 'dist' } = {}) {
  const page = await openApp(context, baseUrl);
  try {
    const picks = [];
    for (let r = 0; r < runs; r++) picks.push(await pickOnce(page, file));
    const bytes = picks[0].bytes;
    await loadPickedBytes(page);
    const newline = await measureNewlines(page, glueName(dist), { samples, minMs });
    const sip = format === 'raw' ? await measureSip(page, { samples, minMs }) : null;
    const bestRead = Math.min(...picks.map((p) => p.readMs));
    const bestE2e = Math.min(...picks.map((p) => p.e2eMs));
    const fastest = picks.find((p) => p.e2eMs === bestE2e);
    const ours = rate(bytes, bestRead);
    const sipRate = sip ? rate(bytes, sip.ms) : null;
    return {
      format,
      detected: picks[0].format,
      file: path.basename(file),
      bytes,
      mb: bytes / MB,
      messages: picks[0].messages,
      where: picks[0].where,
      summary: picks[0].text,
      newline: { mbps: rate(bytes, newline.ms), ms: newline.ms, newlines: newline.count },
      ours: { mbps: ours, bestReadMs: bestRead, readMs: picks.map((p) => p.readMs), diagnoseMs: picks.map((p) => p.diagnoseMs) },
      // The worker's wasm memory after the first pick (its high-water mark; later picks of the
      // same file reuse it), against the file's size.
      memory: { bytes: picks[0].memoryBytes, perInput: picks[0].memoryBytes / bytes },
      e2e: { mbps: rate(bytes, bestE2e), bestMs: bestE2e, ms: picks.map((p) => p.e2eMs) },
      // Where the fastest pick's time went (they add up to its end-to-end time); every pick's too.
      stages: { ms: fastest.ms, runs: picks.map((p) => p.ms), summaryJsonBytes: fastest.summaryJsonBytes, ladderMs: fastest.ladderMs, gradedMs: fastest.gradedMs },
      sip: sip && { mbps: sipRate, ms: sip.ms, messages: sip.parsed, split: sip.split, version: sip.version },
      ratio: sip ? ours / sipRate : null,
    };
  } finally {
    await page.close();
  }
}

export function chromiumVersion(executable = process.env.CHROMIUM || '/usr/bin/chromium') {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const fmt = (v, digits = 0) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function table(rows) {
  const head = ['format', 'MB', 'messages', 'sip messages', 'newline MB/s', 'ours MB/s (worker ingest)',
    'ours end-to-end MB/s', 'npm sip MB/s', 'ours/sip', 'worker wasm memory ÷ input'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.detected, fmt(r.mb, 1), r.messages, r.sip ? r.sip.messages : '—', fmt(r.newline.mbps),
      fmt(r.ours.mbps), fmt(r.e2e.mbps), fmt(r.sip && r.sip.mbps), r.ratio == null ? '—' : `${fmt(r.ratio, 1)}×`,
      r.memory && Number.isFinite(r.memory.perInput) ? `${fmt(r.memory.perInput, 2)}×` : '—'].join(' | ')} |`);
  }
  return lines.join('\n');
}

/// Where pick -> file card spent its time, per log (the fastest pick of each): ms and share.
export function stageTable(rows) {
  const head = ['stage', ...rows.map((r) => `${r.detected} ${fmt(r.mb, 0)} MB`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const [key, what] of STAGES) {
    lines.push(`| ${what} | ${rows.map((r) => `${fmt(r.stages.ms[key], 1)} ms (${fmt((100 * r.stages.ms[key]) / r.e2e.bestMs, 0)}%)`).join(' | ')} |`);
  }
  lines.push(`| **pick -> file card (end-to-end)** | ${rows.map((r) => `**${fmt(r.e2e.bestMs, 1)} ms**`).join(' | ')} |`);
  lines.push(`| after the card: the grades (RFC 3261) and the dialog count, in the worker when the page asks | ${rows.map((r) => `${fmt(r.stages.gradedMs, 1)} ms`).join(' | ')} |`);
  lines.push(`| after the grades: the ladder, built in the worker when the page asks | ${rows.map((r) => `${fmt(r.stages.ladderMs, 1)} ms`).join(' | ')} |`);
  lines.push(`| summary JSON sent to the page | ${rows.map((r) => `${fmt(r.stages.summaryJsonBytes / 1024, 1)} KiB`).join(' | ')} |`);
  return lines.join('\n');
}

/// "Usable": the wizard's first step is mounted with its controls: the app's step view
/// `[data-step-view=symptom]` (rendered by the wasm once it has started and mounted) holds its
/// four symptom radio buttons. Watched from document start by a MutationObserver.
function usableProbe() {
  const usable = () => document.querySelectorAll('[data-step-view="symptom"] input[type="radio"][name="symptom"]').length === 4;
  // Whether a service worker served this page, read at document start: by the time the wizard
  // is usable, a freshly installed worker may already have claimed the page (clients.claim).
  window.__visit = { usableAt: null, controlledAtStart: !!navigator.serviceWorker?.controller };
  const check = () => {
    if (window.__visit.usableAt == null && usable()) {
      window.__visit.usableAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true });
}

/// One visit of `url` in `page`: navigation start (performance.timeOrigin) -> usable, with the
/// milestones on the way (from the Navigation and Resource Timing entries).
async function visitOnce(page, url, timeout) {
  await page.goto(url);
  await page.waitForFunction(() => window.__visit && window.__visit.usableAt != null, null, { timeout });
  const v = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const wasm = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.wasm'));
    return {
      usableMs: window.__visit.usableAt,
      responseEndMs: nav ? nav.responseEnd : null,
      domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : null,
      wasmEndMs: wasm.length ? Math.max(...wasm.map((r) => r.responseEnd)) : null,
      wasmTransferBytes: wasm.reduce((n, r) => n + r.transferSize, 0),
      fromServiceWorker: window.__visit.controlledAtStart,
    };
  });
  // Usable means usable: picking a symptom shows its focus card (outside the timing).
  await page.locator('[data-step-view="symptom"] input[name="symptom"]').first().check();
  await page.locator('.focus-card').waitFor({ timeout });
  return v;
}

/// First visit (cold): a fresh Chromium profile per run (empty HTTP cache, no service worker),
/// navigation start -> the wizard usable. Warm: a second visit in a new page of the same
/// profile once the service worker controls it (every file from its cache, V8's code cache warm).
export async function measureFirstVisit(launch, baseUrl, { runs = 5, timeout = 60_000 } = {}) {
  const cold = [];
  const warm = [];
  for (let r = 0; r < runs; r++) {
    const context = await launch();
    try {
      await context.addInitScript(`(${usableProbe.toString()})()`);
      const first = context.pages()[0] || await context.newPage();
      const c = await visitOnce(first, `${baseUrl}/`, timeout);
      if (c.fromServiceWorker) throw new Error('first visit: a service worker already controlled the page (the profile was not fresh)');
      cold.push(c);
      // The service worker installs (precaching this version) and takes control.
      await first.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      await first.close();
      const second = await context.newPage();
      const w = await visitOnce(second, `${baseUrl}/`, timeout);
      if (!w.fromServiceWorker) throw new Error('second visit: no service worker controlled the page');
      warm.push(w);
    } finally {
      await context.close();
    }
  }
  const stats = (visits) => {
    const ms = visits.map((v) => v.usableMs).sort((a, b) => a - b);
    return { bestMs: ms[0], medianMs: ms[Math.floor((ms.length - 1) / 2)], ms: visits.map((v) => v.usableMs), visits };
  };
  return { runs, cold: stats(cold), warm: stats(warm) };
}

/// A user's first log: a fresh Chromium profile per run (nothing compiled, nothing cached), the
/// logs step opened, `idleMs` for the user to find the file (the worker warms its code up
/// meanwhile: crates/rcc-web/src/worker/warm_up.rs), then one pick of `file`, and a second pick
/// of it in the same page for comparison. Returns every run's two picks.
export async function measureFirstPick(launch, baseUrl, file, { runs = 3, idleMs = 3000 } = {}) {
  const picks = [];
  for (let r = 0; r < runs; r++) {
    const context = await launch();
    try {
      const page = await openApp(context, baseUrl, { fresh: true });
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      const first = await pickOnce(page, file);
      const second = await pickOnce(page, file);
      const keep = (p) => ({ e2eMs: p.e2eMs, readMs: p.readMs, diagnoseMs: p.diagnoseMs, stages: p.ms });
      picks.push({ first: keep(first), second: keep(second) });
    } finally {
      await context.close();
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const of = (which, key) => median(picks.map((p) => p[which][key]));
  return {
    file: path.basename(file), bytes: fs.statSync(file).size, runs, idleMs, picks,
    first: { e2eMs: of('first', 'e2eMs'), readMs: of('first', 'readMs') },
    second: { e2eMs: of('second', 'e2eMs'), readMs: of('second', 'readMs') },
  };
}

export function firstPickTable(fp) {
  const mbps = (ms) => fmt(fp.bytes / MB / (ms / 1000), 0);
  return [
    `| ${fp.file}, a fresh browser, ${fp.idleMs / 1000} s after the logs step opened (median of ${fp.runs}) | pick -> card ms | ingest ms | ingest MB/s |`,
    '|---|---|---|---|',
    `| first pick | ${fmt(fp.first.e2eMs, 0)} | ${fmt(fp.first.readMs, 1)} | ${mbps(fp.first.readMs)} |`,
    `| second pick, same page | ${fmt(fp.second.e2eMs, 0)} | ${fmt(fp.second.readMs, 1)} | ${mbps(fp.second.readMs)} |`,
  ].join('\n');
}

export function visitTable(fv) {
  const row = (what, s) => {
    const med = s.visits.find((v) => v.usableMs === s.medianMs);
    return `| ${what} | ${fmt(s.bestMs, 0)} | ${fmt(s.medianMs, 0)} | ${fmt(med.responseEndMs, 0)} | ${fmt(med.wasmEndMs, 0)} | ${fmt(med.wasmTransferBytes / 1024, 0)} |`;
  };
  return ['| visit (navigation start -> wizard usable) | best ms | median ms | median run: page received ms | wasm received ms | wasm transferred KiB |',
    '|---|---|---|---|---|---|', row('first (cold: fresh profile)', fv.cold), row('second (warm: service worker)', fv.warm)].join('\n');
}

function parseArgs(argv) {
  const opts = { runs: 5, visits: 5, logs: 'target/bench/logs', out: 'target/bench/browser.json' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--sizes') opts.sizes = v.split(',').map(Number);
    else if (k === '--formats') opts.formats = v.split(',');
    else if (k === '--runs') opts.runs = Number(v);
    else if (k === '--visits') opts.visits = Number(v);
    else if (k === '--logs') opts.logs = v;
    else if (k === '--out') opts.out = v;
    else throw new Error(`unknown argument ${k} (see the top of scripts/bench-browser.mjs)`);
    i++;
  }
  for (const f of opts.formats || []) if (!FORMATS[f]) throw new Error(`unknown format ${f}`);
  if (opts.sizes?.some((s) => !(s > 0))) throw new Error('sizes are positive MB numbers');
  if (!opts.sizes && !opts.formats) {
    opts.matrix = [[1, 'raw'], [10, 'raw'], [100, 'raw'], ...['uccapi', 'server', 'wireshark', 'sipp'].map((f) => [10, f])];
  } else {
    const sizes = opts.sizes || [1, 10, 100];
    const formats = opts.formats || Object.keys(FORMATS);
    opts.matrix = sizes.flatMap((s) => formats.map((f) => [s, f]));
  }
  return opts;
}

/// Generates the missing synthetic logs with the native generator (same bytes as the native bench).
function generate(dir, matrix) {
  const file = ([mb, f]) => path.join(dir, `synth_${f}_${mb}mb.${FORMATS[f].ext}`);
  const bySize = new Map();
  for (const m of matrix) {
    if (!fs.existsSync(file(m))) bySize.set(m[0], [...(bySize.get(m[0]) || []), m[1]]);
  }
  for (const [mb, formats] of bySize) {
    execFileSync('cargo', ['run', '--release', '--quiet', '-p', 'rcc-core', '--example', 'gen_logs', '--', dir, '--formats', formats.join(','), String(mb)],
      { cwd: ROOT, stdio: 'inherit' });
  }
  return matrix.map((m) => ({ mb: m[0], format: m[1], file: file(m) }));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dist = path.join(ROOT, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error('no dist/: run `trunk build --release` (make dist) first');
  const { serve } = await import('../e2e/server.mjs');
  const { launch } = await import('../e2e/browser.mjs');
  const inputs = generate(path.resolve(ROOT, opts.logs), opts.matrix);
  const chromium = chromiumVersion();
  console.log(`browser ingestion benchmark: ${chromium}; ${os.cpus().length} cores (${os.cpus()[0]?.model}); best of ${opts.runs} picks`);
  const server = await serve(dist);
  const context = await launch();
  const rows = [];
  let firstVisit;
  let firstPick;
  // The user's first log: the raw SIP log nearest 10 MB (else the first log benchmarked).
  const firstPickInput = [...inputs].sort((a, b) => (a.format !== 'raw') - (b.format !== 'raw') || Math.abs(a.mb - 10) - Math.abs(b.mb - 10))[0];
  try {
    for (const input of inputs) {
      const row = await benchFile(context, server.url, input.file, { format: input.format, runs: opts.runs, dist });
      rows.push(row);
      const agree = row.sip ? (row.sip.messages === row.messages ? 'sip agrees' : `SIP DISAGREES: ${row.sip.messages}`) : '';
      console.log(`  ${row.file}: ${row.messages} messages, ingest ${row.ours.readMs.map((ms) => ms.toFixed(1)).join('/')} ms, `
        + `end-to-end ${row.e2e.ms.map((ms) => ms.toFixed(0)).join('/')} ms ${agree}`);
    }
    console.log(`  first visits (a fresh profile each, then a second visit with the service worker): ${opts.visits}`);
    firstVisit = await measureFirstVisit(launch, server.url, { runs: opts.visits });
    if (firstPickInput) {
      console.log(`  first picks (a fresh profile each): ${opts.visits} of ${path.basename(firstPickInput.file)}`);
      firstPick = await measureFirstPick(launch, server.url, firstPickInput.file, { runs: opts.visits });
    }
  } finally {
    await context.close();
    await server.close();
  }
  console.log();
  console.log(table(rows));
  console.log();
  console.log('Where pick -> file card spends its time (the fastest pick per log; ms and share of it):');
  console.log();
  console.log(stageTable(rows));
  console.log();
  console.log(visitTable(firstVisit));
  console.log();
  if (firstPick) {
    console.log("A user's first log (the worker's code still to be optimised by the browser):");
    console.log();
    console.log(firstPickTable(firstPick));
    console.log();
  }
  console.log(`Chromium: ${chromium}`);
  const out = path.resolve(ROOT, opts.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({
    chromium, date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model,
    mb: 'MB = 2^20 bytes', runs: opts.runs, rows, firstVisit, firstPick,
  }, null, 2));
  console.log(`wrote ${path.relative(ROOT, out)}`);
  const disagree = rows.filter((r) => r.sip && r.sip.messages !== r.messages);
  // The ratio compares two readers over the same messages only if both count them alike.
  if (disagree.length) throw new Error(`npm sip and RCC Doctor disagree on the message count for ${disagree.map((r) => `${r.file} (ours ${r.messages}, sip ${r.sip.messages})`).join(', ')}: the ours/sip figure is not measured`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
