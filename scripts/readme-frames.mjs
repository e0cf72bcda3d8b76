// Regenerates the README pictures from the release build: the first step, the diagnosis, and
// the flow diagram of the built-in example: the evidence as it arrives, two frames of the
// replay, and the failing leg with its rule.
// Usage: make dist && node scripts/readme-frames.mjs
import { serve } from '../e2e/server.mjs';
import { launch } from '../e2e/browser.mjs';

const server = await serve('dist');
const context = await launch();
const page = await context.newPage();
await page.setViewportSize({ width: 1280, height: 900 });
await page.goto(`${server.url}/#/symptom`);
await page.evaluate(() => localStorage.clear());
await page.reload();
await page.getByRole('heading', { level: 2 }).waitFor();
await page.getByRole('button', { name: /Error icon/ }).click();
await page.screenshot({ path: 'docs/screenshot.png' });
await page.getByRole('button', { name: 'See an example diagnosis' }).click();
await page.locator('[data-finding]').first().waitFor();
// The parts below the findings come after the first paint, the share panel last.
await page.locator('[data-step-view="diagnosis"] section.share').waitFor();
await page.screenshot({ path: 'docs/diagnosis.png' });
const figure = page.locator('figure.flow-diagram');
await figure.scrollIntoViewIfNeeded();
// 1: what the evidence shows, as the page arrives.
await page.waitForTimeout(300);
await figure.screenshot({ path: 'docs/flow-1.png' });
// 2-3: the replay, frame by frame: the INVITE on its way, then the hop where it stops.
const broke = await page.locator('svg.rcc-flow g.leg[data-state="missing-route"]').first().getAttribute('data-step');
const frame = async (k) => {
  while (Number(await figure.getAttribute('data-frame')) !== k) {
    const now = await figure.getAttribute('data-frame');
    await page.locator(now === 'final' || Number(now) > k ? '[data-action="flow-back"]' : '[data-action="flow-forward"]').click();
  }
  await page.waitForTimeout(400);
};
await frame(2);
await figure.screenshot({ path: 'docs/flow-2.png' });
await frame(Number(broke) - 1);
await figure.screenshot({ path: 'docs/flow-3.png' });
// 4: "Jump to failing leg": the final state with the break outlined and the rule to add.
await page.locator('[data-action="flow-jump-failing"]').click();
await page.waitForTimeout(400);
await figure.screenshot({ path: 'docs/flow-4.png' });
await context.close();
await server.close();
console.log('docs/screenshot.png, docs/diagnosis.png, docs/flow-1..4.png');
