// Shared by the offline, embed and CSP end-to-end tests.
import fs from 'node:fs';
import path from 'node:path';

// The strict policy the README tells hosts to send.
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

// Collects page errors, console errors and CSP violations (including inside shadow roots).
export function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return errors;
}
export async function trackViolations(page) {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
    }, true);
  });
}
export const violations = (page) => page.evaluate(() => window.__cspViolations || []);

// The lead's example case: if the button exists, it must lead to findings; otherwise the shell
// (header, rail, a step heading) is what we can check. `root` may be a page or a frame locator.
export async function exampleOrShell(root) {
  await root.locator('h2').first().waitFor();
  const rail = await root.locator('nav.rail a').count();
  if (rail !== 5) throw new Error(`step rail has ${rail} links`);
  const example = root.locator('[data-action="load-example"]');
  if (await example.count() === 0) {
    await root.locator('nav.rail a[data-step="symptom"]').click();
    if (await example.count() === 0) return 'shell';
  }
  await example.first().click();
  await root.locator('nav.rail a[data-step="diagnosis"]').click();
  await root.locator('[data-finding="home-server-route-missing"]').first().waitFor({ timeout: 15000 });
  // The parts below the findings come after the first paint, the share panel last.
  await root.locator('[data-step-view="diagnosis"] section.share').waitFor();
  return 'example';
}

export function distFiles(dir = 'dist') {
  const walk = (d, p = '') => fs.readdirSync(d, { withFileTypes: true })
    .flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name), `${p}${e.name}/`) : [`${p}${e.name}`]);
  return walk(dir);
}
