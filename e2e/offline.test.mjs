// End-to-end: the installable offline app (service worker) and the single file from file://.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';
import { watch, exampleOrShell, distFiles, trackViolations, violations } from './helpers-offline.mjs';
import { stepShown } from './own-case.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const swSource = () => fs.readFileSync('dist/sw.js', 'utf8');
const swVersion = (text) => text.match(/const VERSION = '([0-9a-z]+)'/)[1];
const swAssets = (text) => JSON.parse(text.match(/const ASSETS = (\[[\s\S]*?\]);/)[1]);

async function controlled(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
}

test('the build has a manifest with icons and a service worker listing every file', () => {
  const manifest = JSON.parse(fs.readFileSync('dist/public/manifest.webmanifest', 'utf8'));
  assert.equal(manifest.name, 'RCC Doctor');
  for (const icon of manifest.icons) assert.ok(fs.existsSync(path.join('dist/public', icon.src)), icon.src);
  assert.ok(manifest.icons.some((i) => i.sizes === '512x512' && i.type === 'image/png'));
  const index = fs.readFileSync('dist/index.html', 'utf8');
  assert.match(index, /<link rel="manifest" href="public\/manifest.webmanifest"/);
  const assets = swAssets(swSource());
  const expected = distFiles().filter((f) => f !== 'sw.js' && f !== 'rcc-doctor.html').sort();
  assert.deepEqual(assets, expected);
  assert.ok(assets.some((f) => f.endsWith('.wasm')) && assets.includes('index.html') && assets.includes('embed.js'));
  assert.match(swVersion(swSource()), /^[0-9a-f]{16}$/);
});

test('after the first load the app reloads with the network off, from the service worker', async () => {
  const server = await serve('dist');
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(`${server.url}/#/symptom`);
  await page.locator('h2').first().waitFor();
  await controlled(page);
  const version = swVersion(swSource());
  const cached = await page.evaluate(async () => {
    const keys = await caches.keys();
    const out = {};
    for (const k of keys) out[k] = (await (await caches.open(k)).keys()).map((r) => new URL(r.url).pathname.slice(1)).sort();
    return out;
  });
  assert.deepEqual(Object.keys(cached), [`rcc-doctor-${version}`]);
  assert.deepEqual(cached[`rcc-doctor-${version}`], swAssets(swSource()));

  const before = server.requests.length;
  await context.setOffline(true);
  try {
    await page.reload();
    await page.locator('h2').first().waitFor();
    assert.match(await page.locator('.brand-name').innerText(), /RCC Doctor/);
    const mode = await exampleOrShell(page);
    await screenshot(page, `offline-reload-${mode}`);
    assert.equal(server.requests.length, before, `requests reached the server while offline: ${server.requests.slice(before)}`);
    // A deep link also opens offline (navigations fall back to the cached index.html).
    await page.goto(`${server.url}/index.html?x=1#/logs`);
    await page.getByRole('heading', { level: 2, name: /^Logs$/ }).waitFor();
  } finally {
    await context.setOffline(false);
  }
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)), []);
  await page.close();
  await server.close();
});

test('a new version replaces the old one cleanly: one cache, new files, no mix', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rcc-doctor-dist-'));
  fs.cpSync('dist', dir, { recursive: true });
  const server = await serve(dir);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.locator('h2').first().waitFor();
  await controlled(page);
  const v1 = swVersion(swSource());

  // "Deploy" version 2: a changed index.html and a service worker with a new version.
  const index = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  fs.writeFileSync(path.join(dir, 'index.html'), index.replace('<title>', '<meta name="rcc-test" content="v2" /><title>'));
  fs.writeFileSync(path.join(dir, 'sw.js'), swSource().replace(`'${v1}'`, "'0000000000000002'"));
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  // Activation of version 2 deletes version 1's cache: wait for exactly one, complete cache.
  let keys = [];
  for (let i = 0; i < 75; i++) {
    keys = await page.evaluate(async () => {
      const out = [];
      for (const k of await caches.keys()) out.push(`${k}:${(await (await caches.open(k)).keys()).length}`);
      return out;
    });
    if (keys.length === 1 && keys[0] === `rcc-doctor-0000000000000002:${swAssets(swSource()).length}`) break;
    await page.waitForTimeout(200);
  }
  assert.deepEqual(keys, [`rcc-doctor-0000000000000002:${swAssets(swSource()).length}`]);
  await page.reload();
  await page.locator('h2').first().waitFor();
  assert.equal(await page.locator('meta[name="rcc-test"]').getAttribute('content'), 'v2');
  await page.close();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('after load the app makes no network request at all', async () => {
  const server = await serve('dist');
  const page = await context.newPage();
  const seen = [];
  page.on('request', (r) => { if (!r.url().startsWith('data:')) seen.push(r.url()); });
  await page.goto(`${server.url}/`);
  await page.locator('h2').first().waitFor();
  await controlled(page); // the service worker's precache is part of loading
  // So is the analysis worker fetching the wasm (from the cache): on a busy machine it starts
  // after the page is controlled. Loading ends when requests stop for a second.
  for (let quiet = 0, last = -1, waited = 0; quiet < 4 && waited < 40; waited++) {
    quiet = seen.length === last ? quiet + 1 : 0;
    last = seen.length;
    await page.waitForTimeout(250);
  }
  const before = server.requests.length;
  const seenBefore = seen.length;
  for (const step of ['directory', 'routing', 'logs', 'diagnosis', 'symptom']) {
    await page.locator(`nav.rail a[data-step="${step}"]`).click();
    await stepShown(page, step);
  }
  await exampleOrShell(page);
  await page.locator('.theme-toggle').click();
  await page.waitForTimeout(500);
  assert.deepEqual(server.requests.slice(before), []);
  assert.deepEqual(seen.slice(seenBefore), []);
  await page.close();
  await server.close();
});

test('rcc-doctor.html is one file that works from file:// with every network request blocked', async () => {
  const file = path.resolve('dist/rcc-doctor.html');
  const html = fs.readFileSync(file, 'utf8');
  assert.ok(!/<script[^>]+src=|<link[^>]+rel="stylesheet"/.test(html), 'rcc-doctor.html links external files');
  const page = await context.newPage();
  const errors = watch(page);
  const blocked = [];
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  await trackViolations(page); // its meta CSP pins the inline script and style by hash
  await page.goto(pathToFileURL(file).href + '#/symptom');
  await page.locator('h2').first().waitFor();
  assert.match(await page.locator('.brand-name').innerText(), /RCC Doctor/);
  assert.match(await page.locator('.brand img').getAttribute('src'), /^data:image\/svg\+xml/);
  assert.equal(await page.locator('.brand img').evaluate((img) => img.naturalWidth > 0), true);
  const mode = await exampleOrShell(page);
  await page.locator('nav.rail a[data-step="logs"]').click();
  await page.getByRole('heading', { level: 2, name: /^Logs$/ }).waitFor();
  await screenshot(page, `single-file-${mode}`);
  assert.deepEqual(blocked, []);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});
