// End-to-end: case folders (fixtures/scenarios/, and fixtures/cases/ where the core has them)
// entered into the wizard the way a user would — gateway profile, sign-in address, AD paste,
// rules text, log files dropped and picked — and the diagnosis compared with what
// `rcc-doctor analyze --json` says for the same folder: the same finding cards in the same
// order, and the same failing leg in the flow diagram.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';
import { analyze } from './cli.mjs';
import { freshPage, paste, step } from './own-case.mjs';

const SCENARIOS = [
  'fixtures/scenarios/app-proxy-return-route-missing',
  'fixtures/scenarios/cisco-home-server-route-missing',
  'fixtures/scenarios/host-not-authorized',
  'fixtures/scenarios/line-server-uri-invalid',
];
// Case folders the core branch adds (fixtures/cases/<name>/ with the same layout), when present.
const CASES = fs.existsSync('fixtures/cases')
  ? fs.readdirSync('fixtures/cases', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `fixtures/cases/${d.name}`)
  : [];

let server, context;
before(async () => { server = await serve('dist'); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

/// A case folder: its expected.toml's profile and sign-in, its AD export, rules and logs.
function readCase(dir) {
  const toml = fs.existsSync(path.join(dir, 'expected.toml')) ? fs.readFileSync(path.join(dir, 'expected.toml'), 'utf8') : '';
  const value = (key) => toml.match(new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
  const files = fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  const ad = files.find((f) => /\.(ldif|ldf)$/.test(f) || /^ad\./.test(f));
  const rules = files.find((f) => /^rules\.txt$/.test(f));
  const logs = files.filter((f) => f !== ad && f !== rules && !/\.(toml|md|py)$/.test(f)).sort();
  return { profile: value('profile'), signIn: value('sign_in'), ad, rules, logs };
}

/// The leg the diagnosis says it broke on: the first failing or missing-route leg that is not
/// the error answer drawn as its proof.
const brokenLeg = (flow) => {
  const l = flow.find((x) => (x.state === 'failing' || x.state === 'missing-route') && !x.extra);
  return l ? `${l.from}->${l.to}` : null;
};

for (const dir of [...SCENARIOS, ...CASES]) {
  test(`${dir}: the wizard says what the command line says`, async () => {
    const c = readCase(dir);
    const text = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
    const files = Object.fromEntries([c.ad, c.rules, ...c.logs].filter(Boolean).map((f) => [f, text(f)]));
    const cli = analyze({ files, ad: c.ad, routes: c.rules, profile: c.profile, signIn: c.signIn });

    const { page, errors } = await freshPage(context, server, '#/symptom');
    await page.locator('[data-symptom="error-icon"] input').check();
    // Topology and routing: the gateway, then the rules text.
    await step(page, 'routing');
    if (c.profile) await page.locator(`[data-profile="${c.profile}"] input`).check();
    if (c.rules) await paste(page, '#rules', text(c.rules));
    // Directory: the sign-in address typed, the AD export pasted.
    await step(page, 'directory');
    if (c.signIn) await page.locator('#sign-in').fill(c.signIn);
    if (c.ad) await paste(page, '#ad-paste', text(c.ad));
    // Logs: the first file dropped on the drop zone, the others picked.
    // (Cases of rules and attributes only have no logs.)
    await step(page, 'logs');
    const [first, ...rest] = c.logs;
    if (first) {
      const drop = await page.evaluateHandle(({ name, content }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([content], name, { type: 'text/plain' }));
        return dt;
      }, { name: first, content: text(first) });
      await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer: drop });
    }
    if (rest.length) await page.locator('#log-files').setInputFiles(rest.map((f) => path.join(dir, f)));
    await page.waitForFunction((n) => document.querySelectorAll('.file-card').length === n, c.logs.length);
    assert.equal(await page.getByTestId('case-banner').getAttribute('data-case'), 'own');

    await step(page, 'diagnosis');
    // No gateway named: when the logs name one, the note offers it, and the user takes it (the
    // command line without --profile takes it by itself).
    if (!c.profile && cli.inputs.gateway_in_logs) {
      const note = page.getByTestId('gateway-note');
      await note.waitFor();
      await note.getByRole('button').click();
      await note.waitFor({ state: 'detached' });
    }
    const expected = cli.findings.map((f) => f.id);
    await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('[data-finding]')].map((e) => e.dataset.finding)) === JSON.stringify(ids), expected, { timeout: 15000 })
      .catch(() => {});
    const shown = await page.locator('[data-finding]').evaluateAll((els) => els.map((e) => e.dataset.finding));
    assert.deepEqual(shown, expected, `finding cards of ${dir}`);
    // The headline counts errors and warnings apart: no "nothing blocks" beside a warning.
    const count = (severity) => cli.findings.filter((f) => f.severity === severity).length;
    if (cli.findings.length) {
      const sub = await page.getByTestId('headline').locator('.headline-sub').innerText();
      const [errs, warns] = [count('error'), count('warning')];
      if (errs === 0 && warns > 0) assert.match(sub, /^No certain error; \d+ warnings? to check below/, `headline of ${dir}`);
      if (errs === 0 && warns === 0) assert.match(sub, /^Nothing blocks remote call control/, `headline of ${dir}`);
      if (errs > 0 && warns > 0) assert.match(sub, /Also \d+ warnings? to check\.$/, `headline of ${dir}`);
    }
    // Long commands scroll inside their box: the page never grows sideways.
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
    assert.ok(widths[0] <= widths[1], `the diagnosis of ${dir} is ${widths[0]} px wide in a ${widths[1]} px window`);
    const drawn = await page.locator('svg.rcc-flow g.leg[data-leg]').evaluateAll((els) => {
      const l = els.find((e) => (e.dataset.state === 'failing' || e.dataset.state === 'missing-route') && !e.dataset.extra);
      return l ? l.dataset.leg : null;
    });
    assert.equal(drawn, brokenLeg(cli.flow), `failing leg of ${dir}`);
    const states = await page.locator('svg.rcc-flow g.leg[data-leg]').evaluateAll((els) => els.map((e) => e.dataset.state));
    assert.deepEqual(states, cli.flow.map((l) => l.state), `flow states of ${dir}`);
    // The fixes are written for the same generation, in the same words: the commands (Lync) or
    // console steps (LCS / OCS) of every finding's admin fix, as the command line gives them.
    assert.equal(await page.getByTestId('generation-note').getAttribute('data-generation'), cli.generation?.generation ?? null, `generation of ${dir}`);
    for (const f of cli.findings.filter((x) => x.admin_fix)) {
      const card = page.locator(`[data-finding="${f.id}"]`).first();
      assert.equal(await card.getByTestId('admin-fix').getAttribute('data-template'), f.admin_fix.template, `admin fix of ${f.id} in ${dir}`);
      const commands = f.admin_fix.chosen?.commands;
      if (commands) {
        assert.equal((await card.getByTestId('fix-commands').first().textContent()).trim(), commands.trim(), `commands of ${f.id} in ${dir}`);
      }
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}

/// A Cisco case entered without choosing its gateway (the Nortel default stays checked): the
/// diagnosis and the routing step both say which gateway the logs name, where, and switch to it
/// on a click; then the page shows what the command line shows for that gateway.
test('the gateway the logs name is offered where the wrong one is chosen', async () => {
  const dir = 'fixtures/cases/12-cisco-dialstring-session-ok-wireshark';
  const c = readCase(dir);
  const text = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
  const { page, errors } = await freshPage(context, server, '#/symptom');
  await page.locator('[data-symptom="error-icon"] input').check();
  await step(page, 'logs');
  await page.locator('#log-files').setInputFiles(c.logs.map((f) => path.join(dir, f)));
  await page.waitForFunction((n) => document.querySelectorAll('.file-card').length === n, c.logs.length);
  await step(page, 'diagnosis');
  const note = page.getByTestId('gateway-note');
  await note.waitFor();
  assert.equal(await note.getAttribute('data-profile'), 'cisco');
  assert.match(await note.innerText(), /Cisco-Systems-UA\/7\.0 \(Cisco Unified Presence.*\), ocsfe01-to-cups01-tcp5060-follow\.txt:\d+-\d+\. This diagnosis is for Nortel/);
  await step(page, 'routing');
  await page.getByTestId('gateway-note').getByRole('button', { name: /^Use this gateway: Cisco Unified Presence/ }).click();
  assert.ok(await page.locator('[data-profile="cisco"] input').isChecked(), 'the button chooses the gateway');
  await page.getByTestId('gateway-note').waitFor({ state: 'detached' });
  await step(page, 'diagnosis');
  const cli = analyze({ files: Object.fromEntries(c.logs.map((f) => [f, text(f)])), profile: 'cisco' });
  const states = await page.locator('svg.rcc-flow g.leg[data-leg]').evaluateAll((els) => els.map((e) => e.dataset.state));
  assert.deepEqual(states, cli.flow.map((l) => l.state));
  assert.equal(await page.getByTestId('gateway-note').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
