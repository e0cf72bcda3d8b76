// End-to-end: the wizard on a phone and at 200 % zoom, with the user's own case (issue 13,
// point 5). A browser at 200 % zoom lays the page out like a window half as wide with twice the
// device pixels, which is how it is emulated here (1280 px at 200 % = 640 CSS px).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve } from './server.mjs';
import { launch, screenshot } from './browser.mjs';
import { freshPage, enterOwnCase, step } from './own-case.mjs';

const AXE = fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
const STEPS = ['symptom', 'directory', 'routing', 'logs', 'diagnosis'];
const WIDTHS = [320, 390, 640, 768, 1024, 1280, 1920];

let server, context;
before(async () => { server = await serve('dist'); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

/// In the page: how far the page scrolls sideways, and the elements that stick out.
function sideways() {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && !el.closest('.flow-canvas, .ladder-scroll, .rail ol, pre, .visually-hidden')) {
      out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} to ${Math.round(r.right)}`);
    }
  }
  return { overflow: document.documentElement.scrollWidth - vw, out: out.slice(0, 5) };
}

test('no sideways page scroll from 320 to 1920 px and at 200 % zoom, glossary tips open or not', async () => {
  const { page } = await freshPage(context, server, '#/symptom');
  await enterOwnCase(page);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    for (const id of STEPS) {
      await step(page, id);
      const r = await page.evaluate(sideways);
      assert.ok(r.overflow <= 0, `#/${id} at ${width} px scrolls sideways by ${r.overflow} px: ${r.out.join('; ')}`);
      // An open glossary tip must not widen the page either.
      const term = page.locator('[data-term]').first();
      if (await term.count()) {
        await term.focus();
        const t = await page.evaluate(sideways);
        assert.ok(t.overflow <= 0, `#/${id} at ${width} px with a glossary tip open scrolls by ${t.overflow} px: ${t.out.join('; ')}`);
      }
    }
  }
  await page.close();
});

test('on a phone: a one-row header, the step heading high on the screen, the diagram toolbar in one row', async () => {
  const { page } = await freshPage(context, server, '#/symptom');
  await enterOwnCase(page);
  for (const width of [320, 390]) {
    await page.setViewportSize({ width, height: 844 });
    await step(page, 'logs');
    const header = await page.locator('header.topbar').boundingBox();
    assert.ok(header.height <= 64, `the header is ${header.height} px tall at ${width} px`);
    const heading = await page.getByRole('heading', { level: 2 }).boundingBox();
    assert.ok(heading.y <= 844 * 0.3, `the step heading starts ${heading.y} px down at ${width} px`);
    await step(page, 'diagnosis');
    const tops = await page.locator('.flow-controls > :not(.spacer)').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    const right = await page.locator('.flow-controls').evaluate((bar) => Math.max(...[...bar.children].map((e) => e.getBoundingClientRect().right)) - bar.getBoundingClientRect().right);
    assert.ok(right <= 0.5, `the diagram toolbar sticks out by ${right} px at ${width} px`);
    assert.equal(new Set(tops).size, 1, `the diagram toolbar wraps at ${width} px: rows at ${tops}`);
    await screenshot(page, `phone-${width}-diagnosis`);
  }
  await page.close();
});

test('at 200 % zoom the diagram\'s text grows with the page, and its canvas scrolls by keyboard', async () => {
  const { page } = await freshPage(context, server, '#/symptom');
  await enterOwnCase(page);
  const scale = () => page.locator('svg.rcc-flow[data-width]').evaluate((svg) => svg.getBoundingClientRect().width / Number(svg.dataset.width));
  await page.setViewportSize({ width: 1280, height: 800 });
  const at100 = await scale();
  await page.setViewportSize({ width: 640, height: 400 });
  const at200 = await scale();
  // Text is drawn at `scale` × 12 CSS px: at 200 % zoom each CSS px is two device pixels, so it
  // grows when the drawing does not shrink to fit the narrower layout.
  assert.ok(at200 >= 0.85, `at 200 % zoom the diagram is drawn at ${at200.toFixed(2)} of its size`);
  assert.ok(at200 * 2 >= at100 * 1.7, `text grows ${(at200 * 2 / at100).toFixed(2)}x with 200 % zoom`);
  const canvas = page.locator('.flow-canvas');
  await canvas.focus();
  assert.equal(await canvas.evaluate((el) => document.activeElement === el), true);
  const before = await canvas.evaluate((el) => el.scrollLeft);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((b) => document.querySelector('.flow-canvas').scrollLeft > b, before);
  await page.close();
});

test('every step passes axe at phone width too, light and dark, with the user\'s own case', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page } = await freshPage(context, server, '#/symptom');
    await page.emulateMedia({ colorScheme: scheme });
    await enterOwnCase(page);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 844 });
      for (const id of STEPS) {
        await step(page, id);
        await page.addScriptTag({ content: AXE });
        const result = await page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ['violations'] });
          return r.violations.map((v) => `${v.id}: ${v.nodes.length} node(s) e.g. ${v.nodes[0]?.target}`);
        });
        assert.deepEqual(result, [], `axe violations on #/${id} at ${width} px (${scheme})`);
      }
    }
    await page.close();
  }
});
