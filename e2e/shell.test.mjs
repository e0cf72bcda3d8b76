// End-to-end: the release build in real headless Chromium. What a user sees on first visit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';

let server, context;
before(async () => { server = await serve('dist'); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

async function open(hash = '') {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}/${hash}`);
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  return { page, errors };
}

test('the shell shows header, step rail, first step and footer version', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => localStorage.clear());
  assert.equal(await page.title(), 'RCC Doctor');
  assert.match(await page.locator('.brand-name').innerText(), /RCC Doctor/);
  const steps = await page.locator('nav.rail a').allInnerTexts();
  assert.equal(steps.length, 5);
  assert.match(steps[0], /What do you see/);
  assert.match(await page.locator('footer').innerText(), /RCC Doctor v\d+\.\d+\.\d+/);
  assert.match(await page.locator('.privacy').innerText(), /never leave this computer/);
  await screenshot(page, 'shell-symptom');
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking the error icon opens the message and picks the symptom', async () => {
  const { page } = await open('#/symptom');
  await page.getByRole('button', { name: /Error icon/ }).click();
  const balloon = page.getByTestId('error-balloon');
  await balloon.waitFor();
  assert.match(await balloon.innerText(), /cannot control your desk phone/);
  assert.equal(await page.locator('input[value="error-icon"]').isChecked(), true);
  await page.close();
});

test('deep links, step rail and browser back/forward move between steps', async () => {
  const { page } = await open('#/logs');
  assert.match(await page.getByRole('heading', { level: 2 }).innerText(), /Logs/);
  await page.locator('nav.rail a[data-step="routing"]').click();
  await page.getByRole('heading', { level: 2, name: /routing/i }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { level: 2, name: /^Logs$/ }).waitFor();
  await page.goForward();
  await page.getByRole('heading', { level: 2, name: /routing/i }).waitFor();
  assert.equal(await page.locator('nav.rail li.current a').getAttribute('data-step'), 'routing');
  await page.close();
});

test('the layout holds at 360 px wide and in dark mode', async () => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${server.url}/#/symptom`);
  await page.getByRole('heading', { level: 2 }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px at 360px`);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(13, 17, 23)');
  await screenshot(page, 'shell-mobile-dark');
  await page.close();
});
