// Launches Debian's Chromium through playwright-core (no browser download) with the flags this
// machine needs, and a fresh profile each time. The profile is removed when its context closes
// and, for a run that ends without closing it, when the process exits: hundreds of test runs left
// 7 GB of profiles in /tmp once, and CI then failed for want of disk.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SCREENSHOTS = path.resolve('target/screenshots');
fs.mkdirSync(SCREENSHOTS, { recursive: true });

const openProfiles = new Set();

// Chromium's helper processes may still write into the profile just after the browser is
// gone: retry, and never throw (a profile that cannot go now is tried again at exit).
function removeProfile(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    openProfiles.delete(dir);
  } catch (e) {
    console.error(`could not remove the Chromium profile ${dir}: ${e.message}`);
  }
}

process.on('exit', () => { for (const dir of [...openProfiles]) removeProfile(dir); });

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rcc-doctor-chromium-'));
  openProfiles.add(userDataDir);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
    viewport: { width: 1280, height: 860 },
  });
  context.profileDir = userDataDir;
  // Removed once close() has resolved (the browser has exited), not from the 'close' event,
  // which comes while it is still shutting down.
  const close = context.close.bind(context);
  context.close = async (...args) => {
    await close(...args);
    removeProfile(userDataDir);
  };
  return context;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
