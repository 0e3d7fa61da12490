// launch.js — start Debian's Chromium headless through playwright-core, for
// tests/test_html.py and bench/html-open.sh. No network: every page these
// scripts open is a local file.
//
//   const { launch } = require('./launch.js');
//   const ctx = await launch();   // a BrowserContext with a fresh profile dir
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

function playwright() {
  const dirs = (process.env.PYHEAT_PLAYWRIGHT_DIRS || '').split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, 'node_modules', 'playwright-core');
    if (fs.existsSync(p)) return require(path.resolve(p));
  }
  return require('playwright-core');
}

async function launch(opts) {
  const { chromium } = playwright();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyheat-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, Object.assign({
    executablePath: process.env.PYHEAT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  }, opts || {}));
  const close = ctx.close.bind(ctx);
  ctx.close = async () => {
    try { await close(); } finally { fs.rmSync(userDataDir, { recursive: true, force: true }); }
  };
  return ctx;
}

module.exports = { launch };
