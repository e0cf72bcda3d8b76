// A case that is not the built-in example, as a helpdesk user would bring it: their own hosts
// (fabrikam.io, not contoso.com), a Communicator client trace pasted with LF line ends, the
// user's LDIF export, and no routing rules. Made from the logs-only scenario of the seed's fault
// (fixtures/scenarios/home-server-route-missing) with every name and number replaced by one of
// the same length (so byte counts and Content-Length values still hold), plus what real traces
// have: a packet logged with no SIP in it, and a last packet cut off where the trace ends.
import fs from 'node:fs';

const SAME_LENGTH = [
  ['contoso.com', 'fabrikam.io'], ['Alice Example', 'Carol Sampler'], ['alice', 'carol'],
  ['Alice', 'Carol'], ['mcm-ap', 'rccgw1'], ['lcs01', 'ocsfe'], ['4255550123', '2065550147'],
  ['ext=5123', 'ext=5147'], ['10.0.0.10', '10.9.0.21'], ['10.0.1.50', '10.9.1.77'],
];

export function rename(text) {
  for (const [from, to] of SAME_LENGTH) {
    if (from.length !== to.length) throw new Error(`${from} -> ${to}: lengths differ`);
    text = text.split(from).join(to);
  }
  return text;
}

/// The user's client trace: LF line ends, own names, one empty packet, the last packet cut.
export function ownTrace() {
  const base = rename(fs.readFileSync('fixtures/scenarios/home-server-route-missing/Communicator-uccapi-0.uccapilog', 'utf8'))
    .replace(/\r\n/g, '\n');
  const lines = base.split('\n');
  // A packet the client logged with only a keep-alive in it (no SIP start line).
  const firstEnd = lines.findIndex((l) => l.includes('End of Sending Packet'));
  const stamp = lines[firstEnd].slice(0, 23);
  lines.splice(firstEnd + 1, 0,
    `${stamp} 1A4C:1B30 INFO  :: Sending Packet - 10.9.0.21:5061 (From Local Address: 10.9.1.77:50123) 12 bytes:`,
    'ms-keepalive',
    `${stamp} 1A4C:1B30 INFO  :: End of Sending Packet - 10.9.0.21:5061 (From Local Address: 10.9.1.77:50123) 12 bytes`);
  // The trace ends in the middle of the last packet: its "End of … Packet" line never came.
  const lastEnd = lines.findLastIndex((l) => /End of (Sending|Received) Packet/.test(l));
  lines.splice(lastEnd, lines.length - lastEnd, '');
  return lines.join('\n');
}

/// The user's directory entry, as `ldifde` exports it.
export function ownLdif() {
  return [
    '# ldifde -f carol.ldf -r "(sAMAccountName=carol)" -l msRTCSIP-UserEnabled,msRTCSIP-PrimaryUserAddress,msRTCSIP-Line,msRTCSIP-LineServer,msRTCSIP-OptionFlags',
    'version: 1', '',
    'dn: CN=Carol Sampler,OU=Support,DC=fabrikam,DC=io',
    'changetype: add',
    'sAMAccountName: carol',
    'msRTCSIP-UserEnabled: TRUE',
    'msRTCSIP-PrimaryUserAddress: sip:carol@fabrikam.io',
    'msRTCSIP-Line: tel:+12065550147;ext=5147',
    'msRTCSIP-LineServer: rcc@rccgw1.fabrikam.io',
    'msRTCSIP-OptionFlags: 256', '',
  ].join('\n');
}

export const OWN = { user: 'carol@fabrikam.io', host: 'rccgw1.fabrikam.io', home: 'ocsfe.fabrikam.io' };

/// A page on `hash` with nothing saved: a user's first visit. Clipboard access is granted, so
/// a paste is a real Ctrl+V.
export async function freshPage(context, server, hash = '#/symptom') {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/${hash}`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  return { page, errors };
}

/// Pastes `text` into the field `selector` as a user does: into the clipboard, then Ctrl+V (in
/// a folded section, the user unfolds it first).
export async function paste(page, selector, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  const folded = page.locator(`details:not([open]):has(${selector}) > summary`);
  if (await folded.count()) await folded.click();
  await page.locator(selector).focus();
  await page.keyboard.press('Control+V');
}

export async function step(page, id) {
  await page.locator(`nav.rail a[data-step="${id}"]`).click();
  await stepShown(page, id);
}

/// Waits until step `id` is drawn whole: the diagnosis step draws what is below its first
/// screen after the first paint, part by part, the share panel last.
export async function stepShown(page, id) {
  await page.locator(`[data-step-view="${id}"]`).waitFor();
  if (id === 'diagnosis') await page.locator('[data-step-view="diagnosis"] section.share').waitFor();
}

/// The own case entered as a user would: the trace pasted on the logs step, the LDIF pasted on
/// the directory step; then the diagnosis step.
export async function enterOwnCase(page) {
  await step(page, 'logs');
  await paste(page, '#log-paste', ownTrace());
  await page.locator('.file-card[data-file="pasted-1.log"]').waitFor();
  await step(page, 'directory');
  await paste(page, '#ad-paste', ownLdif());
  await page.getByTestId('paste-checks').waitFor();
  await step(page, 'diagnosis');
  await page.locator('[data-finding="home-server-route-missing"]').waitFor();
}

/// What the command line says about the own case (the same inputs).
export async function ownCaseByCli() {
  const { analyze } = await import('./cli.mjs');
  return analyze({ files: { 'pasted-1.log': ownTrace(), 'carol.ldf': ownLdif() }, ad: 'carol.ldf' });
}
