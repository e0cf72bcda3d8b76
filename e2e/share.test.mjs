// End-to-end: sharing the diagnosis. Redaction replaces every identifier of the example in what
// is shown and exported, keeps the finding ids, and the exports are valid files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve } from './server.mjs';
import { launch, screenshot, SCREENSHOTS } from './browser.mjs';

const SECRETS = ['contoso', 'alice', 'mcm-ap', 'lcs01', '10.0.0.10', '4255550123'];
let server, context;
before(async () => { server = await serve('dist'); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

async function exampleDiagnosis() {
  const page = await context.newPage();
  await page.goto(`${server.url}/#/diagnosis`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('[data-action="load-example"]').click();
  await page.locator('[data-finding]').first().waitFor();
  // The parts below the findings come after the first paint, the share panel last.
  await page.locator('[data-step-view="diagnosis"] section.share').waitFor();
  return page;
}

async function download(page, action) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-action="${action}"]`).first().click()]);
  return fs.readFileSync(await dl.path(), 'utf8');
}

const ids = (page) => page.locator('[data-finding]').evaluateAll((els) => els.map((e) => e.dataset.finding));

test('exports: JSON follows the schema, Markdown has the findings, HTML renders offline', async () => {
  const page = await exampleDiagnosis();
  const json = JSON.parse(await download(page, 'export-json'));
  assert.deepEqual(Object.keys(json).sort(), ['checks', 'findings', 'flow', 'generation', 'inputs', 'needed', 'tool']);
  assert.deepEqual(json.findings.map((f) => f.id).sort(), (await ids(page)).sort());
  const md = await download(page, 'export-md');
  assert.match(md, /^# RCC Doctor report/);
  assert.match(md, /home-server-route-missing/);
  const html = await download(page, 'export-html');
  const file = `${SCREENSHOTS}/report.html`;
  fs.writeFileSync(file, html);
  const report = await context.newPage();
  const requests = [];
  report.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await report.goto(`file://${file}`);
  assert.ok(await report.locator('svg').count() >= 2, 'both diagrams inlined');
  assert.match(await report.locator('body').innerText(), /Home Server has no route/);
  await report.screenshot({ path: `${SCREENSHOTS}/report.png`, fullPage: true });
  assert.deepEqual(requests, []);
  await report.close();
  await page.close();
});

test('redaction: same findings, no original identifier in the page or the exports', async () => {
  const page = await exampleDiagnosis();
  const before = (await ids(page)).sort();
  await page.locator('[data-action="redact"]').check();
  await page.getByTestId('redacted-note').waitFor();
  await page.getByTestId('redaction').waitFor();
  assert.deepEqual((await ids(page)).sort(), before);
  const shown = (await page.locator('main').innerText()).toLowerCase();
  for (const s of SECRETS) {
    // The preview shows the originals on purpose, in its own element; check everything else.
    const withoutPreview = shown.replace(/preview:[\s\S]*$/m, '');
    assert.ok(!withoutPreview.includes(s), `${s} shown while redacted`);
  }
  const exports = [await download(page, 'export-json'), await download(page, 'export-md'),
    await download(page, 'export-html'), await download(page, 'download-redacted')];
  for (const text of exports) for (const s of SECRETS) assert.ok(!text.toLowerCase().includes(s), `${s} in an export`);
  await page.locator('.preview summary').first().click();
  assert.match(await page.getByTestId('redacted-preview').first().innerText(), /domain-a\.example/);
  await screenshot(page, 'share-redacted');
  await page.close();
});
