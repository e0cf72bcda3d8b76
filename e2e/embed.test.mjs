// End-to-end: the knowledge-base embeds (public/embed-example.html, hostile CSS on purpose):
// the shadow-root widget (embed.js) and the iframe with auto-height, deep links in both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';
import { watch, exampleOrShell } from './helpers-offline.mjs';

let server, context;
before(async () => { server = await serve('dist'); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

const EXAMPLE = () => `${server.url}/public/embed-example.html`;
// Computed styles of known elements: the widget must match the normal app exactly.
const PROBES = ['.brand-name', 'main h2', 'nav.rail li.current a', '.rail-hint', 'main', '.layout', 'footer'];
async function probe(root) {
  const out = {};
  for (const sel of PROBES) {
    out[sel] = await root.locator(sel).first().evaluate((el) => {
      const s = getComputedStyle(el);
      return { font: `${s.fontSize} ${s.fontWeight} ${s.lineHeight}`, family: s.fontFamily, display: s.display,
        color: s.color, transform: s.textTransform, spacing: s.letterSpacing, padding: s.padding, sizing: s.boxSizing };
    });
  }
  return out;
}

test('the widget looks exactly like the app, whatever the host page CSS says', async () => {
  // The normal app at the same width as the widget (light theme, logs step).
  const app = await context.newPage();
  await app.goto(`${server.url}/#/logs`);
  await app.evaluate(() => localStorage.setItem('rcc-doctor/theme', 'light'));
  await app.reload();
  await app.locator('main h2').waitFor();
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(EXAMPLE());
  const widget = page.locator('#rcc-widget');
  await widget.locator('main h2').waitFor();
  const width = await widget.locator('.rcc-doctor-root').evaluate((el) => el.getBoundingClientRect().width);
  await app.setViewportSize({ width: Math.round(width), height: 860 });
  assert.deepEqual(await probe(widget), await probe(app));
  // It is inside a shadow root, and the host page's own styles are untouched.
  assert.equal(await page.locator('#rcc-widget').evaluate((el) => !!el.shadowRoot), true);
  assert.equal(await page.locator('body > h1').evaluate((el) => getComputedStyle(el).fontSize), '30px');
  assert.equal(await page.evaluate(() => document.documentElement.hasAttribute('data-theme')), false);
  assert.equal(await page.evaluate(() => document.querySelectorAll('link[rel=stylesheet]').length), 0);
  // data-start="logs" (the page hash names no step) and data-profile.
  assert.match(await widget.locator('main h2').innerText(), /^Logs$/);
  assert.equal(await widget.locator('nav.rail li.current a').getAttribute('data-step'), 'logs');
  await screenshot(page, 'embed-example');
  assert.deepEqual(errors, []);
  await app.close();
  await page.close();
});

test('the widget works inside the shadow root: clicks, steps and the page hash', async () => {
  const page = await context.newPage();
  await page.goto(EXAMPLE());
  const widget = page.locator('#rcc-widget');
  await widget.locator('main h2').waitFor();
  await widget.locator('nav.rail a[data-step="routing"]').click();
  await widget.locator('[data-step-view="routing"]').waitFor();
  assert.equal(new URL(page.url()).hash, '#/routing');
  await widget.locator('[data-action="back"]').click();
  await widget.locator('[data-step-view="directory"]').waitFor();
  assert.equal(await exampleOrShell(widget) !== '', true); // the example diagnoses in the widget
  await screenshot(page, 'embed-widget-diagnosis');
  await page.close();
});

test('a deep link from the KB article opens that step, in the widget and in the iframe', async () => {
  const page = await context.newPage();
  await page.goto(`${EXAMPLE()}#/routing`);
  const widget = page.locator('#rcc-widget');
  await widget.locator('[data-step-view="routing"]').waitFor();
  const frame = page.frameLocator('#rcc-doctor-frame');
  await frame.locator('[data-step-view="routing"]').waitFor();
  // A link in the article to another step moves the widget there.
  await page.locator('.kb-note a[href="#/logs"]').click();
  await widget.locator('[data-step-view="logs"]').waitFor();
  await page.close();
});

test('the iframe variant sizes itself through postMessage and shows the compact app', async () => {
  const page = await context.newPage();
  await page.goto(EXAMPLE());
  const frame = page.frameLocator('#rcc-doctor-frame');
  await frame.locator('[data-step-view="logs"]').waitFor();
  const iframe = page.locator('#rcc-doctor-frame');
  let heights;
  for (let i = 0; i < 50; i++) {
    heights = await iframe.evaluate((el) => ({
      frame: el.getBoundingClientRect().height,
      content: el.contentDocument.documentElement.getBoundingClientRect().height,
    }));
    if (heights.frame > 200 && Math.abs(heights.frame - heights.content) <= 2) break;
    await page.waitForTimeout(100);
  }
  assert.ok(Math.abs(heights.frame - heights.content) <= 2, `frame ${heights.frame}px, content ${heights.content}px`);
  assert.equal(await frame.locator('body').getAttribute('data-compact'), '');
  assert.equal(await frame.locator('.rail-hint').first().isVisible(), false);
  // The app's font is its own, not the host's 30px Comic Sans.
  assert.equal(await frame.locator('main h2').evaluate((el) => getComputedStyle(el).fontSize), '25.6px');
  await iframe.screenshot({ path: 'target/screenshots/embed-iframe.png' });
  await exampleOrShell(frame); // and the example diagnoses in the frame
  await page.close();
});

test('the iframe accepts step requests only from the expected parent origin', async () => {
  const page = await context.newPage();
  await page.goto(EXAMPLE());
  await page.evaluate((base) => {
    for (const [id, query] of [['trusting', ''], ['strict', '&parent-origin=https://kb.example.com']]) {
      const f = document.createElement('iframe');
      f.id = id;
      f.src = `${base}/index.html?compact${query}#/logs`;
      document.body.append(f);
    }
  }, server.url);
  for (const id of ['trusting', 'strict']) await page.frameLocator(`#${id}`).locator('[data-step-view="logs"]').waitFor();
  await page.evaluate(() => {
    for (const id of ['trusting', 'strict']) {
      document.getElementById(id).contentWindow.postMessage({ type: 'rcc-doctor:go', step: 'routing' }, '*');
    }
  });
  // Same origin as the referrer: accepted. Declared parent is kb.example.com: ignored.
  await page.frameLocator('#trusting').locator('[data-step-view="routing"]').waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.frameLocator('#strict').locator('[data-step-view="logs"]').count(), 1);
  await page.close();
});

test('embed options: dark theme, compact and hidden header, set by data attributes', async () => {
  const page = await context.newPage();
  await page.goto(EXAMPLE());
  await page.locator('#rcc-widget').locator('main h2').waitFor();
  await page.evaluate(() => {
    const div = document.createElement('div');
    div.id = 'second';
    div.dataset.rccDoctor = '';
    div.dataset.start = 'directory';
    div.dataset.theme = 'dark';
    div.dataset.compact = '';
    div.dataset.hideHeader = '';
    document.body.prepend(div);
    const s = document.createElement('script');
    s.src = '../embed.js';
    document.body.append(s);
  });
  const second = page.locator('#second');
  await second.locator('[data-step-view="directory"]').waitFor();
  assert.equal(await second.locator('.topbar').isVisible(), false);
  assert.equal(await second.locator('.rail-hint').first().isVisible(), false);
  assert.equal(await second.locator('main').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(22, 27, 34)');
  // The first widget keeps its own light theme.
  assert.equal(await page.locator('#rcc-widget main').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(255, 255, 255)');
  await screenshot(page, 'embed-options');
  await page.close();
});
