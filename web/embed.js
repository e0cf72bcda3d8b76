// RCC Doctor embed for knowledge-base pages. Paste where the widget should appear:
//   <div data-rcc-doctor data-start="logs" data-profile="nortel" data-theme="dark" data-compact
//        data-hide-header></div>
//   <script src="https://your.host/rcc-doctor/embed.js"></script>
// Each [data-rcc-doctor] element gets a shadow root holding the app and its own stylesheet, so
// the page's CSS cannot reach the app and the app's CSS cannot reach the page. The page hash is
// shared: a link to #/logs opens the logs step; data-start is used when the hash names no step.
// scripts/postbuild.mjs fills in the hashed file names and writes dist/embed.js.
(() => {
  const script = document.currentScript;
  const base = new URL('.', script ? script.src : location.href);
  const asset = (name) => new URL(name, base).href;
  let app;

  function load() {
    if (!app) {
      globalThis.rccDoctorHostMounts = true; // main() must not take over the host's <body>
      app = import(asset('__JS__')).then(async (mod) => {
        await mod.default({ module_or_path: asset('__WASM__') });
        return mod;
      });
    }
    return app;
  }

  async function mount(host) {
    if (host.shadowRoot || host.hasAttribute('data-rcc-doctor-mounted')) return;
    host.setAttribute('data-rcc-doctor-mounted', '');
    const shadow = host.attachShadow({ mode: 'open' });
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = asset('__CSS__');
    const root = document.createElement('div');
    root.className = 'rcc-doctor-root';
    root.hidden = true; // until its stylesheet is there: no flash of unstyled app
    for (const flag of ['compact', 'hideHeader']) {
      if (flag in host.dataset && host.dataset[flag] !== 'false') root.dataset[flag] = '';
    }
    const styled = new Promise((resolve) => { css.onload = css.onerror = resolve; });
    shadow.append(css, root);
    const [mod] = await Promise.all([load(), styled]);
    root.hidden = false;
    mod.mount_embedded(root, {
      start: host.dataset.start,
      profile: host.dataset.profile,
      theme: host.dataset.theme,
      icon: asset('public/icon.svg'),
    });
    host.dispatchEvent(new CustomEvent('rcc-doctor:ready', { bubbles: true }));
  }

  function mountAll() {
    document.querySelectorAll('[data-rcc-doctor]').forEach((host) => {
      mount(host).catch((e) => console.error('RCC Doctor embed failed:', e));
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
  else mountAll();
})();
