// Regenerates the README pictures from the release build: the first step, the diagnosis, and
// a sequence of flow-diagram frames (the seed's INVITE travelling hop by hop until it fails).
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
await page.screenshot({ path: 'docs/diagnosis.png' });
const figure = page.locator('figure.flow-diagram');
await figure.scrollIntoViewIfNeeded();
const play = page.locator('[data-action="flow-play"]');
if ((await play.innerText()).match(/Pause/)) await play.click();
for (let i = 0; i < 20 && (await page.locator('svg g.leg.shown').count()) > 0; i++) {
  await page.locator('[data-action="flow-back"]').click();
}
// Frames 1-2: the known-good flow travelling hop by hop. Frames 3-4: the user's evidence on top,
// the failing leg, then the gap on the hop with no route and the rule to add.
let at = 0;
for (const [n, target] of [3, 8].entries()) {
  while (at < target) { await page.locator('[data-action="flow-forward"]').click(); at++; }
  await page.waitForTimeout(400);
  await figure.screenshot({ path: `docs/flow-${n + 1}.png` });
}
await page.locator('[data-action="flow-jump-failing"]').click();
await page.waitForTimeout(500);
await figure.screenshot({ path: 'docs/flow-3.png' });
for (let i = 0; i < 8; i++) {
  if (await page.evaluate(() => document.querySelector('svg g.callout')?.classList.contains('shown'))) break;
  await page.locator('[data-action="flow-forward"]').click();
}
await page.waitForTimeout(500);
await figure.screenshot({ path: 'docs/flow-4.png' });
await context.close();
await server.close();
console.log('docs/screenshot.png, docs/diagnosis.png, docs/flow-1..4.png');
