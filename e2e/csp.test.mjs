// End-to-end: the app under the strict Content Security Policy the README asks hosts to send:
// no inline script, no inline style, no eval except WebAssembly. Any violation fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';
import { STRICT_CSP, watch, trackViolations, violations, exampleOrShell } from './helpers-offline.mjs';
import { stepShown } from './own-case.mjs';

let server, context;
before(async () => {
  server = await serve('dist', { headers: { 'content-security-policy': STRICT_CSP } });
  context = await launch();
});
after(async () => { await context?.close(); await server?.close(); });

test('the app runs under the strict CSP with no violation, through every step', async () => {
  const page = await context.newPage();
  const errors = watch(page);
  await trackViolations(page);
  const response = await page.goto(`${server.url}/#/symptom`);
  assert.equal(response.headers()['content-security-policy'], STRICT_CSP);
  await page.locator('h2').first().waitFor();
  for (const step of ['directory', 'routing', 'logs', 'diagnosis', 'symptom']) {
    await page.locator(`nav.rail a[data-step="${step}"]`).click();
    await stepShown(page, step);
  }
  await page.getByRole('button', { name: /Error icon/ }).click().catch(() => {});
  await page.locator('.theme-toggle').click();
  await exampleOrShell(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await screenshot(page, 'csp-strict');
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the embed widget runs in a host page that sends the strict CSP', async () => {
  // A fresh profile: the first test's service worker would answer before page.route can.
  const fresh = await launch();
  const page = await fresh.newPage();
  const errors = watch(page);
  await trackViolations(page);
  // A KB page on the same origin as the app, with the policy, and only the copy-paste snippet.
  await page.route(`${server.url}/kb-article.html`, (route) => route.fulfill({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': STRICT_CSP },
    body: `<!doctype html><html lang="en"><head><title>KB</title><link rel="icon" href="public/icon.svg"></head><body>
      <h1>KB article</h1>
      <div data-rcc-doctor data-start="routing" data-compact></div>
      <script src="embed.js"></script></body></html>`,
  }));
  await page.goto(`${server.url}/kb-article.html`);
  await page.locator('[data-rcc-doctor] [data-step-view="routing"]').waitFor();
  await page.locator('[data-rcc-doctor] nav.rail a[data-step="logs"]').click();
  await page.locator('[data-rcc-doctor] [data-step-view="logs"]').waitFor();
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await fresh.close();
});

test('index.html has no inline script and the single file pins its own by hash', async () => {
  const fs = await import('node:fs');
  const index = fs.readFileSync('dist/index.html', 'utf8');
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(index), 'inline <script> in index.html');
  assert.ok(!/\sstyle=/.test(index), 'style attribute in index.html');
  const single = fs.readFileSync('dist/rcc-doctor.html', 'utf8');
  const csp = single.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  assert.match(csp, /default-src 'none'; script-src 'sha256-[^']+' 'wasm-unsafe-eval'; style-src 'sha256-[^']+'/);
});
