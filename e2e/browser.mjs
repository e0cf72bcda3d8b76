// Launches Debian's Chromium through playwright-core (no browser download) with the flags this
// machine needs, and a fresh profile each time.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SCREENSHOTS = path.resolve('target/screenshots');
fs.mkdirSync(SCREENSHOTS, { recursive: true });

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rcc-doctor-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
    viewport: { width: 1280, height: 860 },
  });
  return context;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
