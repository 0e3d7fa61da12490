// open-time.js — how long an HTML report takes to open in headless Chromium.
//
//   node open-time.js REPORT.html [RUNS]
//
// Prints one JSON line: {"runs": [...]} with, per run, the wall time from
// navigation to the page's data-ready mark (ms), the page's own
// performance.now() at that mark (from navigation start) and the console
// errors seen. Exits 1 on a page error.
'use strict';
const path = require('path');
const { launch } = require('./launch.js');

(async () => {
  const file = path.resolve(process.argv[2]);
  const runs = +(process.argv[3] || 3);
  const ctx = await launch();
  const out = [];
  let bad = 0;
  for (let i = 0; i < runs; i++) {
    const page = await ctx.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const t0 = Date.now();
    await page.goto('file://' + file, { waitUntil: 'load', timeout: 120000 });
    await page.waitForSelector('html[data-ready]', { timeout: 120000 });
    const wall = Date.now() - t0;
    const m = await page.evaluate(() => ({ ready: window.pyheat.readyMs, script: window.pyheat.scriptMs,
      timings: window.pyheat.timings,
      heapMB: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null }));
    out.push({ wall_ms: wall, ready_ms: Math.round(m.ready), script_ms: Math.round(m.script),
      heap_mb: m.heapMB && Math.round(m.heapMB), timings: m.timings, errors });
    if (errors.length) bad++;
    await page.close();
  }
  await ctx.close();
  console.log(JSON.stringify({ file, runs: out }));
  process.exit(bad ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
