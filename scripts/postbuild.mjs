#!/usr/bin/env node
// Trunk post_build hook (Trunk.toml): turns Trunk's output into the offline, CSP-clean and
// embeddable app. Runs in Trunk's staging dir (TRUNK_STAGING_DIR) before it becomes dist/; can
// also be run by hand on a built folder: `node scripts/postbuild.mjs dist`.
//
//   boot-<hash>.js    replaces Trunk's inline bootstrap <script> (strict CSP: no inline script)
//   widget-<hash>.css the app's CSS rewritten for a shadow root (embed.js)
//   embed.js          the knowledge-base embed (stable name: KB pages link to it)
//   rcc-doctor.html   the whole app in one file (wasm inlined as base64), works from file://
//   sw.js             the service worker, with the list of every file to precache and a
//                     version that is the hash of that list (names and contents)
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `trunk serve` / `trunk build` without --release: no offline cache (it would serve stale
// builds while developing) and no single file (the debug wasm is large).
const RELEASE = (process.env.TRUNK_PROFILE || 'release') === 'release';
const STAGE = path.resolve(process.env.TRUNK_STAGING_DIR || process.argv[2] || 'dist');

const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
const shortHash = (data) => sha256(data).toString('hex').slice(0, 16);
const read = (file) => fs.readFileSync(path.join(STAGE, file));
const src = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');
function fail(message) {
  console.error(`postbuild: ${message}`);
  process.exit(1);
}
function one(pattern, what) {
  const found = fs.readdirSync(STAGE).filter((f) => pattern.test(f));
  if (found.length !== 1) fail(`expected one ${what} in ${STAGE}, found ${JSON.stringify(found)}`);
  return found[0];
}
function fill(template, values) {
  return template.replace(/__([A-Z]+)__/g, (m, key) => {
    if (!(key in values)) fail(`no value for ${m}`);
    return values[key];
  });
}
function writeHashed(stem, ext, text) {
  const name = `${stem}-${shortHash(text)}.${ext}`;
  fs.writeFileSync(path.join(STAGE, name), text);
  return name;
}

const JS = one(/^rcc-doctor-web-[0-9a-f]+\.js$/, 'wasm-bindgen JS glue');
const WASM = one(/^rcc-doctor-web-[0-9a-f]+_bg\.wasm$/, 'wasm module');
const MAIN_CSS = one(/^main-[0-9a-f]+\.css$/, 'main stylesheet');
const DIAGRAM_CSS = one(/^diagram-[0-9a-f]+\.css$/, 'diagram stylesheet');
const EMBED_CSS = one(/^embed-[0-9a-f]+\.css$/, 'embed stylesheet');

// 1. The bootstrap, as a file: index.html loads it with <script type="module" src>.
// 0. The analysis worker (same wasm as the page): a file, so a strict CSP's 'self' allows it.
const WORKER = writeHashed('worker', 'js', fill(src('web/worker.js'), { JS, WASM }));
const boot = writeHashed('boot', 'js', fill(src('web/boot.js'), { JS, WASM, WORKER }));
let index = read('index.html').toString();
const inline = index.match(/<script type="module">[\s\S]*?<\/script>/g) || [];
if (inline.length !== 1 || !inline[0].includes(JS)) fail("Trunk's inline bootstrap script not found in index.html");
index = index.replace(inline[0], `<script type="module" src="./${boot}"></script>`);
// `trunk serve` appends its inline live-reload script: fine in development, never in dist/.
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(index)) console.warn('postbuild: index.html has an inline script (trunk serve live reload?)');
fs.writeFileSync(path.join(STAGE, 'index.html'), index);

// 2. The widget stylesheet: the same CSS, scoped to the shadow root's .rcc-doctor-root.
//    Inherited properties (font, colour, line-height) cross the shadow boundary, so the root
//    resets them (all: initial) and rem (relative to the host page's <html>) becomes px.
//    Viewport media queries become container queries: the widget is as wide as its KB column.
function widgetCss(css) {
  css = css.replace(/\/\*[\s\S]*?\*\//g, '');
  css = css.replace(/@media \(min-width: 2200px\) \{[^{}]*(\{[^{}]*\}[^{}]*)*\}/g, '');
  css = css.replace(/:root/g, '.rcc-doctor-root');
  css = css.replace(/(^|[{},]\s*)(html|body)(?=[\s{,[.:])/gm, '$1.rcc-doctor-root');
  css = css.replace(/@media \((max-width: \d+px)\)/g, '@container rcc ($1)');
  css = css.replace(/(\d*\.?\d+)rem\b/g, (m, n) => `${+(parseFloat(n) * 16).toFixed(3)}px`);
  return [
    ':host { display: block !important; }',
    '.rcc-doctor-root { all: initial; display: block; position: relative; container: rcc / inline-size; }',
    css,
    '.rcc-doctor-root { min-height: 0; font-size: 16px; text-align: left; }',
    '.rcc-doctor-root[hidden] { display: none; }',
    // The skip link hides above the page top; in a widget that is the article above it.
    '.rcc-doctor-root .skip-link:not(:focus) { top: 0; clip-path: inset(50%); }',
    '',
  ].join('\n');
}
const pageCss = [MAIN_CSS, DIAGRAM_CSS, EMBED_CSS].map((f) => read(f).toString()).join('\n');
const WIDGET_CSS = writeHashed('widget', 'css', widgetCss(pageCss));

// 3. embed.js: a stable name, so KB pages keep working across versions.
fs.writeFileSync(path.join(STAGE, 'embed.js'), fill(src('web/embed.js'), { JS, WASM, CSS: WIDGET_CSS }));

// 4. rcc-doctor.html: one file. The glue stays an ES module (inline), the wasm is base64 and
//    instantiated from bytes (no fetch: file:// has none), CSS and icons inline. Its CSP allows
//    exactly its own script and style by hash, and data: images.
function singleFile() {
  const wasmBytes = read(WASM);
  const icon = `data:image/svg+xml;base64,${fs.readFileSync(path.join(ROOT, 'public/icon.svg')).toString('base64')}`;
  let glue = read(JS).toString();
  if (/<\/script|<!--/i.test(glue)) fail('the JS glue contains </script or <!--; cannot inline it');
  const singleScript = `${glue}
  // Single-file bootstrap: the wasm is below as base64 and never fetched.
  globalThis.rccDoctorHostMounts = true;
  const wasmBase64 = "${wasmBytes.toString('base64')}";
  const wasmBytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
  await __wbg_init({ module_or_path: wasmBytes });
  mount_embedded(document.body, { page: true, icon: "${icon}" });
  `;
  const singleStyle = pageCss.replace(/<\/style/gi, '<\\/style');
  const b64hash = (text) => `'sha256-${sha256(text).toString('base64')}'`;
  const singleCsp = [
    "default-src 'none'",
    `script-src ${b64hash(singleScript)} 'wasm-unsafe-eval'`,
    `style-src ${b64hash(singleStyle)}`,
    'img-src data:',
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'none'",
  ].join('; ');
  const single = `<!doctype html>
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta http-equiv="Content-Security-Policy" content="${singleCsp}" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="description" content="RCC Doctor: find why Office Communicator cannot control your desk phone. This one file is the whole app; it works offline." />
      <title>RCC Doctor</title>
      <link rel="icon" href="${icon}" type="image/svg+xml" />
      <style>${singleStyle}</style>
    </head>
    <body>
      <noscript>RCC Doctor needs JavaScript and WebAssembly. Your logs are read in this page only.</noscript>
      <script type="module">${singleScript}</script>
    </body>
  </html>
  `;
  fs.writeFileSync(path.join(STAGE, 'rcc-doctor.html'), single);
  return single;
}
const single = RELEASE ? singleFile() : null;

// 5. The service worker: every file of this build (except itself and the single file, which is
//    a download, not part of the hosted app), and a version derived from names and contents.
function walk(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}
const assets = walk(STAGE).filter((f) => f !== 'sw.js' && f !== 'rcc-doctor.html').sort();
const manifest = assets.map((f) => `${f} ${sha256(read(f)).toString('hex')}`).join('\n');
const VERSION = shortHash(manifest);
if (RELEASE) {
  fs.writeFileSync(path.join(STAGE, 'sw.js'), fill(src('sw.js'), { VERSION, ASSETS: JSON.stringify(assets, null, 2) }));
} else {
  // Development: a worker that removes any offline cache and itself, so builds are never stale.
  fs.writeFileSync(path.join(STAGE, 'sw.js'), `// RCC Doctor development build: no offline cache.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil((async () => {
  for (const k of await caches.keys()) if (k.startsWith('rcc-doctor-')) await caches.delete(k);
  await self.registration.unregister();
})()));
`);
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`postbuild: ${boot}, ${WIDGET_CSS}, embed.js, sw.js (${RELEASE ? `version ${VERSION}, ${assets.length} files precached` : 'development: no cache'})`);
if (single) {
  const gz = zlib.gzipSync(single, { level: 9 }).length;
  console.log(`postbuild: rcc-doctor.html ${kib(Buffer.byteLength(single))} raw, ${kib(gz)} gzip`);
}
