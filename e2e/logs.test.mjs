// End-to-end: the logs step reads files picked, dropped or pasted, and shows per-file format,
// counts and badges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';
import { binary } from './cli.mjs';

let server, context;
before(async () => { server = await serve('dist'); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

async function freshPage(hash) {
  const page = await context.newPage();
  await page.goto(`${server.url}/${hash}`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  return page;
}

test('picking several files shows each format and the merged count', async () => {
  const page = await freshPage('#/logs');
  const files = ['fixtures/logs/client.uccapilog', 'fixtures/logs/server_home.log', 'fixtures/logs/raw_ms_mix.txt'];
  await page.locator('#log-files').setInputFiles(files);
  await page.locator('.file-card').nth(2).waitFor();
  const formats = await page.locator('.file-card').evaluateAll((els) => els.map((e) => e.dataset.format));
  assert.deepEqual(formats.sort(), ['raw-sip', 'server-log', 'uccapi']);
  const uccapi = page.locator('.file-card[data-format="uccapi"]');
  assert.match(await uccapi.innerText(), /Communicator\/UCCAPI client trace/);
  assert.match(await uccapi.locator('[data-count="messages"]').innerText(), /^\d+ messages$/);
  assert.match(await page.getByTestId('logs-summary').innerText(), /3 files, \d+ distinct SIP messages/);
  // The worker counts the dialogs with the grades, after the diagnosis: the count then shows,
  // the one the command line finds while reading.
  const dialogs = page.getByTestId('logs-summary').locator('[data-count="dialogs"]');
  await page.waitForFunction(() => /^\d+ dialogs?$/.test(
    document.querySelector('[data-testid="logs-summary"] [data-count="dialogs"]')?.textContent ?? ''));
  const cli = execFileSync(binary(), ['analyze', ...files], { encoding: 'utf8' });
  const [, cliDialogs] = cli.match(/merged: \d+ distinct messages?, (\d+ dialogs?),/);
  assert.equal(await dialogs.innerText(), cliDialogs);
  await screenshot(page, 'logs-files');
  await page.close();
});

test('a pasted LF-only log is read and survives a reload', async () => {
  const page = await freshPage('#/logs');
  const text = fs.readFileSync('fixtures/logs/raw_ms_mix_lf.txt', 'utf8');
  await page.locator('#log-paste').fill(text);
  await page.locator('[data-action="add-pasted-log"]').click();
  const card = page.locator('.file-card[data-format="raw-sip"]');
  await card.waitFor();
  const before = await card.locator('[data-count="messages"]').innerText();
  await page.reload();
  await page.locator('.file-card[data-format="raw-sip"]').waitFor();
  assert.equal(await page.locator('.file-card [data-count="messages"]').innerText(), before);
  await page.close();
});

test('binary junk is reported as not a SIP log, without breaking the page', async () => {
  const page = await freshPage('#/logs');
  const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  await page.locator('#log-files').setInputFiles([{ name: 'junk.bin', mimeType: 'application/octet-stream', buffer: junk }]);
  const card = page.locator('.file-card[data-format="unknown"]');
  await card.waitFor();
  assert.match(await card.innerText(), /Not a SIP log/);
  await page.close();
});

/// A raw SIP log of about `mib` MiB (the 16-message fixture repeated), written once under
/// target/tmp: picking a file by path hands Chromium the file itself (a `buffer` would be decoded
/// by Playwright on the page's main thread and count as the page's long task).
function largeLog(mib) {
  const unit = fs.readFileSync('fixtures/logs/raw_ms_mix.txt');
  const copies = Math.ceil((mib * 1024 * 1024) / unit.length);
  const file = path.resolve(`target/tmp/large-${mib}mib.txt`);
  if (!fs.existsSync(file) || fs.statSync(file).size !== unit.length * copies) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const big = Buffer.allocUnsafe(unit.length * copies);
    for (let i = 0; i < copies; i++) unit.copy(big, i * unit.length);
    fs.writeFileSync(file, big);
  }
  return { file, copies, bytes: unit.length * copies };
}

// The large-log test reads a 100 MiB log in `make test` (about 174,000 messages); set
// RCC_LARGE_LOG_MIB for another size, e.g. `RCC_LARGE_LOG_MIB=12 node --test e2e/logs.test.mjs`
// after `make dist`.
const LARGE_MIB = Number(process.env.RCC_LARGE_LOG_MIB || 100);
// The longest main-thread task allowed while the page renders the diagnosis and the ladder
// (see the large-log test).
const RENDER_TASK_BUDGET_MS = 100;

test(`a ${LARGE_MIB} MiB log is read in the worker: progress bar, no main-thread work per message, the ladder and a raw message from the worker`, async () => {
  const { file, copies, bytes } = largeLog(LARGE_MIB);
  const messages = 16 * copies;
  const page = await freshPage('#/logs');
  await page.evaluate(() => {
    window.__tasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__tasks.push(Math.round(e.duration)); })
      .observe({ type: 'longtask', buffered: false });
    // Peak JS heap of the page (Chromium only; coarse unless --enable-precise-memory-info).
    window.__heap = 0;
    setInterval(() => { window.__heap = Math.max(window.__heap, performance.memory?.usedJSHeapSize ?? 0); }, 50);
  });
  const started = Date.now();
  await page.locator('#log-files').setInputFiles(file);
  await page.getByTestId('analysis-progress').waitFor({ timeout: 20000 });
  // While the worker reads, the page still answers: a click moves to another step.
  await page.locator('nav.rail a[data-step="routing"]').click();
  await page.getByRole('heading', { level: 2, name: /routing/i }).waitFor();
  await page.getByTestId('analysis-progress').waitFor({ state: 'detached', timeout: 600_000 });
  const analysed = Date.now() - started;
  const reading = await page.evaluate(() => window.__tasks.slice());
  await page.locator('nav.rail a[data-step="logs"]').click();
  const card = page.locator('.file-card[data-format="raw-sip"]');
  await card.waitFor();
  assert.equal(Number((await card.locator('[data-count="messages"]').innerText()).split(' ')[0]), messages);
  assert.match(await page.getByTestId('logs-summary').innerText(), new RegExp(`^1 file, ${messages} distinct SIP messages`));
  const workers = page.workers().map((w) => w.url());
  assert.ok(workers.some((u) => /worker-[0-9a-f]+\.js$/.test(u)), `analysis worker started: ${workers}`);
  // The worker timed its own reading: size, time and rate, with the numbers as data attributes.
  const timing = page.getByTestId('read-timing');
  assert.match(await timing.innerText(), /^Read \d+\.\d MB in [\d.]+ ms \(\d+ MB\/s\) in the background\.$/);
  assert.equal(await timing.getAttribute('data-where'), 'worker');
  assert.equal(Number(await timing.getAttribute('data-bytes')), bytes);
  const readMs = Number(await timing.getAttribute('data-read-ms'));
  assert.ok(readMs > 0 && Number.isFinite(Number(await timing.getAttribute('data-diagnose-ms'))), `read ${readMs} ms`);
  // The worker's wasm memory holds the log once (its text is what the messages point into).
  const memory = Number(await timing.getAttribute('data-memory-bytes'));
  assert.ok(memory > bytes, `worker memory ${memory} bytes for a ${bytes}-byte log`);
  console.log(`# worker wasm memory ${(memory / 1048576).toFixed(0)} MiB = ${(memory / bytes).toFixed(2)}x the log`);
  // The diagnosis step: the ladder's rows come from the worker.
  await page.locator('nav.rail a[data-step="diagnosis"]').click();
  const ladder = page.locator('.ladder');
  await ladder.waitFor();
  assert.equal(Number(await ladder.getAttribute('data-rows')), messages);
  await page.locator('[data-filter="rcc-only"]').click(); // all messages
  await page.waitForFunction((n) => document.querySelector('.ladder-count')?.textContent === `${n} of ${n} messages`, messages);
  await page.locator('.ladder-row[data-verdict]').first().waitFor();
  const tasks = await page.evaluate(() => window.__tasks);
  const longest = Math.max(0, ...tasks);
  // Scroll to the middle: placeholders first, then the rows the worker sends.
  await page.locator('.ladder-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('.ladder-row')];
    return rows.length > 0 && rows.every((r) => r.dataset.verdict) && Number(rows[0].dataset.row) > 1000;
  });
  // Keyboard focus on a row still on its way stays on that row when it arrives.
  const focused = await page.locator('.ladder-scroll').evaluate(async (el) => {
    el.scrollTop = el.scrollHeight * 0.75;
    await new Promise((r) => requestAnimationFrame(r));
    const pending = el.querySelector('.ladder-row.pending');
    pending?.focus();
    return pending ? Number(pending.dataset.row) : null;
  });
  assert.notEqual(focused, null, 'rows far down are placeholders until the worker answers');
  await page.waitForFunction((r) => document.activeElement?.dataset.row === String(r) && document.activeElement.dataset.verdict, focused);
  // A selected row shows its raw message, fetched from the worker. The row is named by its
  // number: the rows drawn move as the window follows the focus, so an nth() locator could
  // resolve to another row between reading its number and the click.
  const r = String(focused + 2);
  const row = page.locator(`.ladder-row[data-row="${r}"][data-verdict]`);
  await row.click();
  const raw = page.locator(`.ladder-raw[data-row="${r}"]`);
  await raw.locator('pre').waitFor();
  assert.match(await raw.locator('pre').innerText(), /SIP\/2\.0/);
  assert.equal(await raw.locator('.raw-header.key[data-header="Call-ID"]').count(), 1);
  const heap = await page.evaluate(() => window.__heap);
  const all = await page.evaluate(() => window.__tasks);
  console.log(`# ${(bytes / 1048576).toFixed(1)} MiB, ${messages} messages, analysed in ${(analysed / 1000).toFixed(1)} s; `
    + `main-thread long tasks (ms) while reading: ${JSON.stringify(reading)}, then until the ladder showed: `
    + `${JSON.stringify(tasks.slice(reading.length))}, then while scrolling and selecting: ${JSON.stringify(all.slice(tasks.length))}; `
    + `peak page JS heap ${(heap / 1048576).toFixed(1)} MiB`);
  // The page does no per-message work: while the worker reads, and while the page renders the
  // result, the diagnosis step and the ladder. The goal is no task over 50 ms (the long-task
  // bound). Each step draws its first screen in one task and what is below it after the paint
  // (paint.rs), the heading takes the focus in the next frame, the flow's drawing and the
  // ladder's window are one parse each. Traced 2026-12-02 (Chrome devtools.timeline, thread
  // time): no task of the page over 33 ms of CPU in any phase (the heaviest: the logs step's
  // render, the flow diagram's layout, the ladder's build, 20-33 ms each). On this 2-core
  // machine shared with other builds a task's wall time, which this observer measures, is 1.5
  // to 4 times its CPU (load 4-12): with the machine at load 4 one run had no task over 50 ms
  // in any phase, at load 6 three runs had 52, 53-162 and 80-106 ms. So the bound stays at
  // 100 ms; the speed issue tracks the rest.
  assert.ok(Math.max(0, ...reading) < RENDER_TASK_BUDGET_MS, `a main-thread task of ${Math.max(...reading)} ms while the worker read the log`);
  assert.ok(longest < RENDER_TASK_BUDGET_MS, `a main-thread task of ${longest} ms before the ladder showed`);
  assert.ok(Math.max(0, ...all) < RENDER_TASK_BUDGET_MS, `a main-thread task of ${Math.max(...all)} ms while scrolling or selecting`);
  await page.close();
});

// The worker sends the diagnosis before it builds the message ladder (a fifth of the work on a
// large log): the diagnosis step shows the findings with "Drawing the message ladder…" below
// them, then the ladder. Half the large log: its ladder takes the worker a few hundred ms, far
// longer than the two paints before the ladder's section mounts.
test('the diagnosis shows before the worker has built the message ladder', async () => {
  const { file, copies } = largeLog(LARGE_MIB / 2);
  const messages = 16 * copies;
  const page = await freshPage('#/logs');
  await page.locator('#log-files').setInputFiles(file);
  await page.getByTestId('analysis-progress').waitFor({ timeout: 20000 });
  await page.evaluate(() => {
    // What the page showed while the ladder was being drawn (sticky: the note may be brief).
    window.__whileDrawing = null;
    new MutationObserver(() => {
      const note = document.querySelector('[data-testid="ladder-building"]');
      if (note && !window.__whileDrawing) {
        window.__whileDrawing = {
          note: note.textContent,
          status: note.getAttribute('role'),
          headline: document.querySelector('[data-testid="headline"]')?.textContent ?? null,
          ladders: document.querySelectorAll('.ladder').length,
        };
      }
    }).observe(document.body, { subtree: true, childList: true });
  });
  await page.locator('nav.rail a[data-step="diagnosis"]').click();
  await page.getByTestId('analysis-progress').waitFor({ state: 'detached', timeout: 600_000 });
  const ladder = page.locator('.ladder');
  await ladder.waitFor({ timeout: 120_000 });
  assert.equal(Number(await ladder.getAttribute('data-rows')), messages);
  assert.equal(await page.getByTestId('ladder-building').count(), 0, 'the note goes when the ladder comes');
  const seen = await page.evaluate(() => window.__whileDrawing);
  assert.ok(seen, 'the ladder section said the ladder was being drawn');
  assert.match(seen.note, /Drawing the message ladder/);
  assert.equal(seen.status, 'status', 'announced to screen readers');
  assert.ok(seen.headline, 'the findings were on the page already');
  assert.equal(seen.ladders, 0);
  await page.close();
});

// The worker grades the messages against RFC 3261 after it sends the diagnosis (over a third
// of reading raw SIP): the file card says so in place of the counts and notes, then counts.
test('the file card says the messages are being graded, then counts them', async () => {
  const { file, copies } = largeLog(LARGE_MIB / 2);
  const messages = 16 * copies;
  const page = await freshPage('#/logs');
  await page.evaluate(() => {
    window.__whileGrading = null;
    new MutationObserver(() => {
      const note = document.querySelector('.file-card [data-testid="grading"]');
      if (note && !window.__whileGrading) {
        const card = note.closest('.file-card');
        window.__whileGrading = {
          note: note.textContent,
          status: note.getAttribute('role'),
          messages: card.querySelector('[data-count="messages"]')?.textContent ?? null,
          counts: card.querySelectorAll('[data-count="clean"], [data-count="partial"]').length,
          notes: card.getAttribute('data-notes'),
        };
      }
    }).observe(document.body, { subtree: true, childList: true });
  });
  await page.locator('#log-files').setInputFiles(file);
  const card = page.locator('.file-card[data-format="raw-sip"][data-graded="true"]');
  await card.waitFor({ timeout: 600_000 });
  const seen = await page.evaluate(() => window.__whileGrading);
  assert.ok(seen, 'the card said the messages were being graded');
  assert.match(seen.note, /Grading each message against RFC 3261/);
  assert.equal(seen.status, 'status', 'announced to screen readers');
  assert.equal(seen.messages, `${messages} messages`, 'the message count is there at once');
  assert.equal(seen.counts, 0, 'no grade count before grading');
  assert.equal(seen.notes, null);
  assert.equal(await page.locator('.file-card [data-testid="grading"]').count(), 0);
  // raw_ms_mix.txt is all clean, copy after copy.
  assert.equal(await card.locator('[data-count="clean"]').innerText(), `${messages} clean`);
  assert.equal(await card.locator('[data-count="repaired"]').innerText(), '0 repaired');
  assert.equal(await card.locator('[data-count="partial"]').innerText(), '0 partly parsed');
  assert.equal(await card.getAttribute('data-notes'), '0');
  await page.close();
});

test('without a worker (the single file) the page reads the logs itself and says so', async () => {
  const page = await context.newPage();
  await page.goto(`${server.url}/rcc-doctor.html#/logs`);
  // Same origin as the hosted app: start without the logs an earlier test saved.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('heading', { level: 2, name: /^Logs$/ }).waitFor();
  assert.equal(await page.getByTestId('read-timing').count(), 0, 'no timing before any log');
  const size = fs.statSync('fixtures/logs/raw_ms_mix.txt').size;
  await page.locator('#log-files').setInputFiles('fixtures/logs/raw_ms_mix.txt');
  await page.locator('.file-card[data-format="raw-sip"]').waitFor();
  const timing = page.getByTestId('read-timing');
  assert.equal(await timing.getAttribute('data-where'), 'page');
  assert.equal(Number(await timing.getAttribute('data-bytes')), size);
  assert.match(await timing.innerText(), /^Read \d+ KB in (less time than the clock resolves|[\d.]+ ms \(\d+ MB\/s\)) on this page\.$/);
  assert.deepEqual(page.workers(), [], 'the single file starts no worker');
  await page.getByRole('button', { name: 'Remove raw_ms_mix.txt' }).click();
  await page.locator('.file-card').waitFor({ state: 'detached' });
  assert.equal(await timing.count(), 0, 'no timing without logs');
  await page.close();
});

/// The JSON of an `analyze` request of the worker protocol (ARCHITECTURE.md, "Worker
/// protocol"; crates/rcc-web/src/worker/protocol.rs): externally tagged ({ analyze: { seq, … } }),
/// one log named raw.txt whose bytes travel beside it, in the envelope's payload.
function analyzeJson(seq, ad) {
  return JSON.stringify({
    analyze: {
      seq, redact: false,
      input: {
        profile_id: 'nortel', sign_in: '', ad_text: ad, ad_fields: null, rules_text: '',
        logs: [{ name: 'raw.txt', clock_offset_ms: 0 }],
      },
    },
  });
}

test('the worker skips analyses a newer one overtook (one is posted per keystroke) and answers the newest', async () => {
  const page = await freshPage('#/logs');
  const log = fs.readFileSync('fixtures/logs/raw_ms_mix.txt', 'utf8');
  const keystrokes = [[1, 'a'], [2, 'ab'], [3, 'abc']].map(([seq, ad]) => analyzeJson(seq, ad));
  const replies = await page.evaluate(async ([text, keystrokes]) => {
    // A worker of our own, speaking the page's protocol: envelopes { json, payload }.
    const w = new Worker(globalThis.rccDoctorWorker, { type: 'module' });
    const seen = [];
    const finished = new Promise((resolve) => {
      w.onmessage = (e) => {
        // Externally tagged: { "<type>": { seq, … } }.
        const [type, m] = Object.entries(JSON.parse(e.data.json))[0];
        if (type === 'progress') return;
        seen.push({ seq: m.seq, type });
        if (m.seq === 3) resolve();
      };
    });
    // Three "keystrokes" posted at once, before the worker has even loaded its wasm.
    for (const json of keystrokes) w.postMessage({ json, payload: [new TextEncoder().encode(text)] });
    await finished;
    w.terminate();
    return seen;
  }, [log, keystrokes]);
  assert.deepEqual(replies, [
    { seq: 1, type: 'skipped' },
    { seq: 2, type: 'skipped' },
    { seq: 3, type: 'analysed' },
  ]);
  await page.close();
});

test('a newer analysis stops the worker reading a large picked file, and the whole of a file is read', async () => {
  const page = await freshPage('#/logs');
  const log = fs.readFileSync('fixtures/logs/raw_ms_mix.txt', 'utf8');
  const requests = [1, 2, 3, 4].map((seq) => analyzeJson(seq, ''));
  const replies = await page.evaluate(async ([text, requests]) => {
    const w = new Worker(globalThis.rccDoctorWorker, { type: 'module' });
    const seen = [];
    const answered = (seq) => new Promise((resolve) => {
      const t = setInterval(() => { if (seen.some((s) => s.seq === seq)) { clearInterval(t); resolve(); } }, 5);
    });
    w.onmessage = (e) => {
      const [type, m] = Object.entries(JSON.parse(e.data.json))[0];
      if (type !== 'progress') seen.push({ seq: m.seq, type, messages: type === 'analysed' ? JSON.parse(e.data.payload).messages : null });
    };
    // 1 (bytes): the worker has loaded its wasm and is idle.
    w.postMessage({ json: requests[0], payload: [new TextEncoder().encode(text)] });
    await answered(1);
    // 2: the log repeated to ~40 MB as a File. 3 arrives while 2 waits for the file's first
    // chunk (the worker takes a message between two chunks), so 2 is dropped mid-read.
    const big = new File(Array(Math.ceil(40e6 / text.length)).fill(text), 'raw.txt', { lastModified: 1 });
    w.postMessage({ json: requests[1], payload: [big] });
    w.postMessage({ json: requests[2], payload: [new TextEncoder().encode(text)] });
    await answered(3);
    // 4: the log once, as a File: read whole, it holds what its bytes hold.
    w.postMessage({ json: requests[3], payload: [new File([text], 'raw.txt', { lastModified: 2 })] });
    await answered(4);
    w.terminate();
    return seen;
  }, [log, requests]);
  assert.deepEqual(replies.map((r) => [r.seq, r.type]), [[1, 'analysed'], [2, 'skipped'], [3, 'analysed'], [4, 'analysed']]);
  assert.ok(replies[0].messages > 0);
  assert.equal(replies[3].messages, replies[0].messages, 'a File read as a stream holds every message its bytes hold');
  await page.close();
});

test('changing another input reuses the logs the worker read: it does not read them again', async () => {
  // The worker protocol itself: the same File twice with other AD text, then another File.
  const page = await freshPage('#/logs');
  const log = fs.readFileSync('fixtures/logs/raw_ms_mix.txt', 'utf8');
  const requests = [[1, ''], [2, 'dn: x'], [3, 'dn: x']].map(([seq, ad]) => analyzeJson(seq, ad));
  const replies = await page.evaluate(async ([text, requests]) => {
    const w = new Worker(globalThis.rccDoctorWorker, { type: 'module' });
    const ask = (seq, file) => new Promise((resolve) => {
      w.onmessage = (e) => {
        const [type, m] = Object.entries(JSON.parse(e.data.json))[0];
        if (m.seq === seq && type !== 'progress') resolve({ type, summary: JSON.parse(e.data.payload) });
      };
      w.postMessage({ json: requests[seq - 1], payload: [file] });
    });
    const file = new File([text], 'raw.txt', { lastModified: 1 });
    const other = new File([text + '\r\n'], 'raw.txt', { lastModified: 2 });
    const out = [];
    for (const [seq, f] of [[1, file], [2, file], [3, other]]) {
      const m = await ask(seq, f);
      out.push({ type: m.type, reused: m.summary.timings.logs_reused, messages: m.summary.messages });
    }
    w.terminate();
    return out;
  }, [log, requests]);
  assert.deepEqual(replies.map((r) => r.type), ['analysed', 'analysed', 'analysed']);
  assert.deepEqual(replies.map((r) => r.reused), [false, true, false]);
  assert.ok(replies[0].messages > 0);
  assert.equal(replies[1].messages, replies[0].messages);
  assert.equal(replies[2].messages, replies[0].messages);

  // And in the app: a log, then the sign-in address typed on the directory step.
  await page.locator('#log-files').setInputFiles('fixtures/logs/raw_ms_mix.txt');
  const timing = page.getByTestId('read-timing');
  await page.waitForFunction(() => /^Read /.test(document.querySelector('[data-testid="read-timing"]')?.textContent ?? ''));
  await page.locator('nav.rail a[data-step="directory"]').click();
  await page.locator('#sign-in').fill('alice@contoso.com');
  await page.locator('nav.rail a[data-step="logs"]').click();
  await page.waitForFunction(() => /read before were diagnosed again/.test(document.querySelector('[data-testid="read-timing"]')?.textContent ?? ''));
  assert.match(await timing.innerText(), /^The \d+ KB of logs read before were diagnosed again in \d+ ms in the background\.$/);
  await page.close();
});
