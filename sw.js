// RCC Doctor service worker. scripts/postbuild.mjs fills in VERSION (a hash of the file list and
// contents) and ASSETS (every file in dist/, generated at build time) and writes dist/sw.js.
// One cache per version: install precaches the whole version, activate deletes every other
// version, fetch answers only from the current version's cache, so old JS never meets new wasm.
const VERSION = '__VERSION__';
const ASSETS = __ASSETS__;
const PREFIX = 'rcc-doctor-';
const CACHE = PREFIX + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' skips the HTTP cache so a version never precaches another version's files.
    await cache.addAll(ASSETS.map((a) => new Request(a, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keys = await caches.keys();
    await Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    let hit = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    // The app's folder itself (…/ or …/?query) is index.html; other pages are not ours to fake.
    if (!hit && request.mode === 'navigate' && url.pathname === new URL(self.registration.scope).pathname) {
      hit = await cache.match('index.html');
    }
    return hit || fetch(request);
  })());
});
