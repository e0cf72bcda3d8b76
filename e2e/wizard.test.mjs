// End-to-end: the wizard from the error icon to the fix, as a newcomer, by keyboard only, across
// a reload, with an accessibility scan of every step and no network after load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';
import { stepShown } from './own-case.mjs';

const AXE = fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
const SEED_FINDINGS = ['home-server-route-missing', 'app-proxy-return-route-missing'];
const STEPS = ['symptom', 'directory', 'routing', 'logs', 'diagnosis'];

let server, context;
before(async () => { server = await serve('dist'); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

async function fresh(hash = '#/symptom') {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/${hash}`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  return { page, errors };
}

async function findingIds(page) {
  await page.locator('[data-finding]').first().waitFor();
  return page.locator('[data-finding]').evaluateAll((els) => els.map((e) => e.dataset.finding));
}

test('newcomer: error icon → example → diagnosis in at most 5 interactions', async () => {
  const { page, errors } = await fresh();
  let interactions = 0;
  await page.getByRole('button', { name: /Error icon/ }).click(); interactions++;
  await page.getByRole('button', { name: 'See an example diagnosis' }).click(); interactions++;
  const ids = await findingIds(page);
  assert.ok(interactions <= 5);
  for (const id of SEED_FINDINGS) assert.ok(ids.includes(id), `missing ${id} in ${ids}`);
  assert.ok(!ids.includes('all-clear'));
  assert.match(await page.getByTestId('headline').innerText(), /no route/i);
  const rule = await page.locator('[data-finding="home-server-route-missing"] [data-testid="rule"]').innerText();
  assert.match(rule, /mcm-ap\.contoso\.com/);
  await screenshot(page, 'wizard-diagnosis');
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard only: from the error icon to the findings', async () => {
  const { page } = await fresh();
  // Tab until the error icon has focus, then use it.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.dataset?.action === 'error-icon')) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.action), 'error-icon');
  await page.keyboard.press('Enter');
  await page.getByTestId('error-balloon').waitFor();
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.dataset?.action === 'example-diagnosis')) break;
  }
  await page.keyboard.press('Enter');
  const ids = await findingIds(page);
  for (const id of SEED_FINDINGS) assert.ok(ids.includes(id));
  // Focus moved to the new step's heading, so a screen reader announces it.
  assert.match(await page.evaluate(() => document.activeElement?.textContent || ''), /Diagnosis/);
  // A polite status says the step's name, and only that: no live region over the whole step.
  const announced = page.getByRole('status').filter({ hasText: /^Step \d of \d: / });
  assert.equal(await announced.innerText(), 'Step 5 of 5: Diagnosis');
  assert.deepEqual(await page.locator('main, main [data-step-view]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-live'))), [null, null]);
  // Back/next buttons work from the keyboard too.
  await page.locator('[data-action="back"]').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 2, name: 'Logs' }).waitFor();
  await page.close();
});

test('a field the user focuses in the new step\'s first frame keeps the focus', async () => {
  const { page } = await fresh();
  // The step's heading takes the focus in the frame after the step renders. A user (or a
  // script) that is already in one of the step's fields by then keeps it: the heading must
  // not take it from under a paste.
  // The field is focused the moment it is in the page (a mutation observer runs before any
  // frame), so the heading's frame always comes after.
  const active = await page.evaluate(async () => {
    const focused = new Promise((resolve) => {
      const seen = new MutationObserver(() => {
        const field = document.querySelector('#ad-paste');
        if (!field) return;
        seen.disconnect();
        field.focus();
        resolve();
      });
      seen.observe(document.body, { childList: true, subtree: true });
    });
    document.querySelector('nav.rail a[data-step="directory"]').click();
    await focused;
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    return document.activeElement?.id;
  });
  assert.equal(active, 'ad-paste');
  // Reaching a step with nothing focused in it still puts the focus on its heading.
  await page.locator('nav.rail a[data-step="routing"]').click();
  await page.waitForFunction(() => document.activeElement?.tagName === 'H2');
  await page.close();
});

test('a reload mid-way restores the inputs and the step', async () => {
  const { page } = await fresh('#/directory');
  const ldif = fs.readFileSync('fixtures/ad/ldif-good.ldf', 'utf8');
  await page.locator('#ad-paste').fill(ldif);
  await page.locator('[data-check="rcc-enabled"]').waitFor();
  await page.locator('#sign-in').fill('alice@contoso.com');
  await page.locator('nav.rail a[data-step="logs"]').click();
  await page.locator('#log-files').setInputFiles(['fixtures/logs/client.uccapilog', 'fixtures/logs/raw_ms_mix.txt']);
  await page.locator('.file-card').nth(1).waitFor();
  await page.locator('nav.rail a[data-step="directory"]').click();
  await page.reload();
  await page.getByRole('heading', { level: 2, name: /directory/i }).waitFor();
  assert.equal(await page.locator('#ad-paste').inputValue(), ldif);
  assert.equal(await page.locator('#sign-in').inputValue(), 'alice@contoso.com');
  await page.locator('nav.rail a[data-step="logs"]').click();
  await page.locator('.file-card').nth(1).waitFor();
  assert.equal(await page.locator('.file-card').count(), 2);
  await page.close();
});

test('a damaged saved state starts clean with a notice, never a blank page', async () => {
  const { page } = await fresh();
  await page.evaluate(() => localStorage.setItem('rcc-doctor/state', '{"version":1,"symptom":'));
  await page.reload();
  await page.getByRole('heading', { level: 2 }).waitFor();
  assert.match(await page.locator('.notice').innerText(), /could not be read/);
  await page.close();
});

test('every step passes an axe-core scan with the example loaded, light and dark, desktop and phone', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page } = await fresh();
    await page.emulateMedia({ colorScheme: scheme });
    await page.locator('[data-action="load-example"]').click();
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 860 });
      for (const step of STEPS) {
        await page.goto(`${server.url}/#/${step}`);
        await stepShown(page, step);
        await page.addScriptTag({ content: AXE });
        const result = await page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ['violations'] });
          return r.violations.map((v) => `${v.id}: ${v.nodes.length} node(s) e.g. ${v.nodes[0]?.target}`);
        });
        assert.deepEqual(result, [], `axe violations on #/${step} at ${width} px (${scheme})`);
        if (scheme === 'light') await screenshot(page, `wizard-step-${step}-${width}`);
      }
    }
    await page.close();
  }
});

test('no network request after the app has loaded, through the whole example', async () => {
  // Its own server and browser: the pages of earlier tests (their service worker re-checking
  // its script after the axe scan) must not count as this page's requests.
  const ownServer = await serve('dist');
  const ownContext = await launch();
  const page = await ownContext.newPage();
  await page.goto(`${ownServer.url}/#/symptom`);
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  // Loaded includes the service worker's install (it precaches every file): on a busy machine
  // it may still be fetching at the first network-idle moment.
  await page.evaluate(() => navigator.serviceWorker?.ready);
  await page.waitForLoadState('networkidle');
  const before = ownServer.requests.length;
  const seen = [];
  page.on('request', (r) => seen.push(r.url()));
  await page.getByRole('button', { name: /Error icon/ }).click();
  await page.getByRole('button', { name: 'See an example diagnosis' }).click();
  await findingIds(page);
  for (const step of STEPS) {
    await page.locator(`nav.rail a[data-step="${step}"]`).click();
    await page.locator(`[data-step-view="${step}"]`).waitFor();
  }
  assert.deepEqual(seen, [], 'the page made requests after load');
  assert.deepEqual(ownServer.requests.slice(before), [], 'requests the server saw after load (a service worker\'s included)');
  await ownContext.close();
  await ownServer.close();
});

test('directory: a pasted LDIF export shows the failing check and its fix', async () => {
  const { page } = await fresh('#/directory');
  const ldif = fs.readFileSync('fixtures/ad/ldif-seed-broken-base64-wrapped.ldf', 'utf8');
  await page.locator('#ad-paste').fill(ldif);
  assert.match(await page.getByTestId('ad-format').innerText(), /LDIF/);
  const failing = page.locator('[data-check="line-server-uri-present"][data-status="fail"]');
  await failing.waitFor();
  assert.match(await failing.locator('.fix').innerText(), /Enable remote call control/);
  assert.match(await page.getByTestId('check-tally').innerText(), /^[1-9]\d* failed/);
  // The form was filled from the paste, base64 value decoded.
  assert.match(await page.locator('[data-attr="msRTCSIP-Line"]').inputValue(), /^tel:\+1/);
  await screenshot(page, 'directory-ldif');
  await page.close();
});

test('glossary terms explain themselves on keyboard focus', async () => {
  const { page } = await fresh('#/routing');
  const term = page.locator('[data-term="static route"]').first();
  await term.focus();
  const tip = term.locator('[role="tooltip"]');
  await tip.waitFor({ state: 'visible' });
  assert.match(await tip.innerText(), /routing rule/);
  const described = await term.getAttribute('aria-describedby');
  assert.equal(await tip.getAttribute('id'), described);
  await page.close();
});
