#!/usr/bin/env node
// Renders public/icon.svg to the PNG icons the web app manifest lists (public/icons/), with
// headless Chromium. The PNGs are committed (a few KB), so `make dist` needs no browser; run
// `node scripts/icons.mjs` again after changing the SVG.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const svg = fs.readFileSync('public/icon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
fs.mkdirSync('public/icons', { recursive: true });
// maskable: the safe zone is the inner 80%, so the icon sits on a full-bleed background.
for (const [name, size, pad] of [['icon-192', 192, 0], ['icon-512', 512, 0], ['maskable-512', 512, 0.12]]) {
  await page.setViewportSize({ width: size, height: size });
  const inner = Math.round(size * (1 - 2 * pad));
  await page.setContent(`<html><body style="margin:0;background:${pad ? '#1f6feb' : 'transparent'};display:grid;place-items:center;height:${size}px">
    <img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" width="${inner}" height="${inner}"></body></html>`);
  await page.screenshot({ path: `public/icons/${name}.png`, omitBackground: !pad });
  console.log(`public/icons/${name}.png`);
}
await browser.close();
