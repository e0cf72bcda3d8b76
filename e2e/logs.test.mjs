// End-to-end: the logs step reads files picked, dropped or pasted, and shows per-file format,
// counts and badges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';

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
  await page.locator('#log-files').setInputFiles([
    'fixtures/logs/client.uccapilog',
    'fixtures/logs/server_home.log',
    'fixtures/logs/raw_ms_mix.txt',
  ]);
  await page.locator('.file-card').nth(2).waitFor();
  const formats = await page.locator('.file-card').evaluateAll((els) => els.map((e) => e.dataset.format));
  assert.deepEqual(formats.sort(), ['raw-sip', 'server-log', 'uccapi']);
  const uccapi = page.locator('.file-card[data-format="uccapi"]');
  assert.match(await uccapi.innerText(), /Communicator\/UCCAPI client trace/);
  assert.match(await uccapi.locator('[data-count="messages"]').innerText(), /^\d+ messages$/);
  assert.match(await page.getByTestId('logs-summary').innerText(), /3 file\(s\), \d+ distinct SIP messages/);
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

test('a large log is read in a worker with a progress bar, the page stays usable', async () => {
  const page = await freshPage('#/logs');
  const unit = fs.readFileSync('fixtures/logs/raw_ms_mix.txt');
  const copies = Math.ceil((12 * 1024 * 1024) / unit.length);
  const big = Buffer.concat(Array.from({ length: copies }, () => unit));
  await page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
      .observe({ type: 'longtask', buffered: false });
  });
  await page.locator('#log-files').setInputFiles([{ name: 'big.txt', mimeType: 'text/plain', buffer: big }]);
  await page.getByTestId('analysis-progress').waitFor({ timeout: 20000 });
  // While the worker reads, the page still answers: a click moves to another step.
  await page.locator('nav.rail a[data-step="routing"]').click();
  await page.getByRole('heading', { level: 2, name: /routing/i }).waitFor();
  await page.getByTestId('analysis-progress').waitFor({ state: 'detached', timeout: 120000 });
  await page.locator('nav.rail a[data-step="logs"]').click();
  const card = page.locator('.file-card[data-format="raw-sip"]');
  await card.waitFor();
  const n = Number((await card.locator('[data-count="messages"]').innerText()).split(' ')[0]);
  assert.equal(n, 16 * copies);
  // The worker timed its own reading: size, time and rate, with the numbers as data attributes.
  const timing = page.getByTestId('read-timing');
  assert.match(await timing.innerText(), /^Read 12\.\d MB in [\d.]+ ms \(\d+ MB\/s\) in the background\.$/);
  assert.equal(await timing.getAttribute('data-where'), 'worker');
  assert.equal(Number(await timing.getAttribute('data-bytes')), big.length);
  const readMs = Number(await timing.getAttribute('data-read-ms'));
  assert.ok(readMs > 0 && Number.isFinite(Number(await timing.getAttribute('data-diagnose-ms'))), `read ${readMs} ms`);
  const workers = page.workers().map((w) => w.url());
  assert.ok(workers.some((u) => /worker-[0-9a-f]+\.js$/.test(u)), `analysis worker started: ${workers}`);
  const longest = await page.evaluate(() => window.__longest);
  console.log(`# ${(big.length / 1048576).toFixed(1)} MiB, ${n} messages; longest main-thread task ${longest.toFixed(0)} ms`);
  await page.close();
});

test('without a worker (the single file) the page reads the logs itself and says so', async () => {
  const page = await context.newPage();
  await page.goto(`${server.url}/rcc-doctor.html#/logs`);
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
