// check-html.js — drive pyheat's HTML report and SVG flame graph in headless
// Chromium like a person would (mouse, keyboard, downloads) and report what
// happened, for tests/test_html.py.
//
//   node check-html.js CONFIG.json
//
// CONFIG names the files and what the test knows about the recording (see
// tests/test_html.py). Prints one JSON document: {"checks": [{name, ok,
// detail}], "obs": [...]}: the checks this script can decide itself, and
// observations (the function table under each selection) that the Python
// side compares with `pyheat report`'s own output.
'use strict';
const fs = require('fs');
const path = require('path');
const { launch } = require('./launch.js');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const checks = [];
const obs = [];
function check(name, ok, detail) { checks.push({ name, ok: !!ok, detail: ok ? '' : String(detail || '') }); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const encodePath = (p) => p.split('/').map(encodeURIComponent).join('/');

function watch(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) errors.push('network request: ' + r.url()); });
  return errors;
}

async function open(ctx, file) {
  const page = await ctx.newPage();
  const errors = watch(page);
  await page.goto('file://' + file, { waitUntil: 'load' });
  await page.waitForSelector('[data-ready]', { timeout: 60000 });
  return { page, errors };
}

// the function table as shown
async function readTable(page) {
  return page.$$eval('#ftable tbody tr', (trs) => trs.map((tr) => {
    const td = tr.querySelectorAll('td');
    const split = (s) => { const m = /^([\d.]+) \(([\d.]+)\u2013([\d.]+)\)$/.exec(s); return m ? [m[1], m[2] + '\u2013' + m[3]] : [s, '']; };
    const own = split(td[3].textContent), tot = split(td[5].textContent);
    const vs = td[1].querySelector('a.vscode'), plain = td[1].querySelector('a.plain');
    return { func: +tr.getAttribute('data-func'), name: td[0].textContent, loc: vs ? vs.textContent : td[1].textContent.replace(/file$/, ''),
      own: +td[2].textContent, ownPct: own[0], ownCi: own[1], total: +td[4].textContent, totalPct: tot[0], totalCi: tot[1],
      vscode: vs ? vs.getAttribute('href') : null, plain: plain ? plain.getAttribute('href') : null };
  }));
}

async function observe(page, label) {
  const sel = await page.evaluate(() => window.pyheat.selection());
  const rows = await readTable(page);
  obs.push({ label, sel, rows });
  return { sel, rows };
}

// scroll so that point (x, y) of element sel is mid-viewport (clear of the
// sticky controls); its viewport coordinates
async function inView(page, sel, x, y) {
  await page.evaluate(([s, py]) => {
    const r = document.querySelector(s).getBoundingClientRect();
    window.scrollBy(0, r.top + py - window.innerHeight / 2);
  }, [sel, y]);
  const box = await page.locator(sel).boundingBox();
  return { x: box.x + x, y: box.y + y };
}

async function heatPoint(page, name, tSec) {
  const h = await page.evaluate(() => window.pyheat.heat());
  const r = h.rows.findIndex((x) => x.name === name);
  if (r < 0) return null;
  const x = h.labelW + (tSec - h.from) / (h.to - h.from) * h.plotW;
  const y = h.top + r * h.rowH + h.rowH / 2;
  return { x, y, abs: await inView(page, '#heat', x, y), h };
}

async function pixel(page, canvasSel, x, y) {
  return page.evaluate(([s, px, py]) => {
    const c = document.querySelector(s), dpr = c.width / c.getBoundingClientRect().width;
    return Array.from(c.getContext('2d').getImageData(Math.round(px * dpr), Math.round(py * dpr), 1, 1).data);
  }, [canvasSel, x, y]);
}

async function setRange(page, from, to) {
  await page.fill('#f-from', String(from));
  await page.fill('#f-to', String(to));
  await page.focus('#f-from');
  await page.press('#f-from', 'Enter');
  await page.evaluate(() => document.getElementById('f-from').dispatchEvent(new Event('change')));
  await page.locator('#summary').click();
}

async function download(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = path.join(cfg.outDir, dl.suggestedFilename());
  await dl.saveAs(file);
  return { name: dl.suggestedFilename(), data: fs.readFileSync(file) };
}

function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') q = false; else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r') continue;
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function flameRect(page, name) {
  const rects = await page.evaluate(() => window.pyheat.flame());
  return rects.filter((r) => r.name === name).sort((a, b) => b.w - a.w)[0] || null;
}

// ---- the report of a real recording -------------------------------------------

async function realHtml(ctx) {
  const { page, errors } = await open(ctx, cfg.html);
  const all = await observe(page, 'all');
  const focus = cfg.focus, other = cfg.other;
  const p1mid = (cfg.phase1[0] + cfg.phase1[1]) / 2, p2mid = (cfg.phase2[0] + cfg.phase2[1]) / 2;

  // heatmap (total share, rows by total): the focus row is hot in phase one and empty in phase two
  await page.selectOption('#metric', 'total');
  await page.click('#ftable th[data-key="total"]');
  // A loaded machine can starve the sampler for a moment, leaving a bucket
  // without samples: look for the hot cell across the middle of phase one.
  const isHeat = (c) => !(c[0] === c[1] && c[1] === c[2]);
  let pt = null, hot = null;
  for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65]) {
    const cand = await heatPoint(page, focus, cfg.phase1[0] + f * (cfg.phase1[1] - cfg.phase1[0]));
    if (!cand) break;
    const c = await pixel(page, '#heat', cand.x, cand.y);
    if (!pt || isHeat(c)) { pt = cand; hot = c; }
    if (isHeat(c)) break;
  }
  let pt2 = await heatPoint(page, focus, p2mid);
  if (!pt || !pt2) check('heatmap: a row per function, hot where it ran', false, focus + ' has no heatmap row');
  else {
    const cold = await pixel(page, '#heat', pt2.x, pt2.y);
    check('heatmap: a row per function, hot where it ran', isHeat(hot) && !isHeat(cold),
      'pixel in phase one ' + hot + ', in phase two ' + cold);
  }

  // tooltip of a heatmap cell
  if (pt) {
    await page.mouse.move(pt.abs.x, pt.abs.y);
    await sleep(100);
    const tip = await page.evaluate(() => { const t = document.getElementById('tooltip'); return t.hidden ? '' : t.innerText; });
    const m = /samples: (\d+) own, (\d+) total of (\d+) in this interval/.exec(tip);
    const ok = tip.startsWith(focus) && /time [\d.]+\u2013[\d.]+ s/.test(tip) && m && +m[2] > 0 &&
      /own [\d.]+% \(95% CI [\d.]+\u2013[\d.]+%\)/.test(tip) && /total [\d.]+% \(95% CI [\d.]+\u2013[\d.]+%\)/.test(tip) &&
      tip.indexOf('total ' + (100 * m[2] / m[3]).toFixed(1)) >= 0;
    check('tooltip: samples, own %, total %, 95% CI, time', ok, JSON.stringify(tip));
    await page.mouse.move(5, 5);
  }

  // time range filter (the inputs): phase one only
  await setRange(page, cfg.phase1[0] + 0.1, cfg.phase1[1] - 0.1);
  let o = await observe(page, 'range');
  let names = o.rows.map((r) => r.name);
  check('filter: time range', Math.abs(o.sel.from - (cfg.phase1[0] + 0.1)) < 0.05 && Math.abs(o.sel.to - (cfg.phase1[1] - 0.1)) < 0.05 &&
    names.includes(focus) && !names.includes(other) && o.sel.samples < all.sel.samples,
    'range ' + o.sel.from + '-' + o.sel.to + ', functions ' + names.slice(0, 12));

  // flame graph of that range, hover and click-to-zoom
  let rects = await page.evaluate(() => window.pyheat.flame());
  const root = rects.find((r) => r.row === 0);
  check('flame graph: of the selected range', root && root.samples === o.sel.samples &&
    rects.some((r) => r.name === focus) && !rects.some((r) => r.name === other),
    'root ' + (root && root.samples) + ' vs ' + o.sel.samples + '; frames ' + rects.map((r) => r.name).slice(0, 20));
  let fr = await flameRect(page, focus);
  if (fr) {
    const box = await page.locator('#flame').boundingBox();
    const at = await inView(page, '#flame', fr.x + fr.w / 2, fr.y + fr.h / 2);
    await page.mouse.move(at.x, at.y);
    await sleep(100);
    const tip = await page.evaluate(() => document.getElementById('tooltip').innerText);
    await page.mouse.click(at.x, at.y);
    const after = await flameRect(page, focus);
    check('flame graph: hover and click to zoom', tip.startsWith(focus) && /of the selection/.test(tip) && after &&
      Math.abs(after.w - box.width) < 2 && !after.faded, 'tooltip ' + JSON.stringify(tip) + ', width after ' + (after && after.w) + ' of ' + box.width);
    const top = await inView(page, '#flame', 5, 5);
    await page.mouse.click(top.x, top.y);   // the root row: zoom out
  } else check('flame graph: hover and click to zoom', false, 'no frame for ' + focus);

  // reset, then zoom by dragging over phase two in the heatmap
  await page.click('#reset');
  o = await observe(page, 'reset');
  check('zoom: reset shows everything', o.sel.samples === all.sel.samples && o.sel.b0 === 0, JSON.stringify(o.sel));
  pt = await heatPoint(page, focus, cfg.phase2[0] + 0.1);
  pt2 = await heatPoint(page, focus, cfg.phase2[1] - 0.1);
  await page.mouse.move(pt.abs.x, pt.abs.y);
  await page.mouse.down();
  await page.mouse.move((pt.abs.x + pt2.abs.x) / 2, pt.abs.y, { steps: 4 });
  await page.mouse.move(pt2.abs.x, pt.abs.y, { steps: 4 });
  await page.mouse.up();
  o = await observe(page, 'zoom');
  names = o.rows.map((r) => r.name);
  check('zoom: drag a time range on the heatmap', Math.abs(o.sel.from - (cfg.phase2[0] + 0.1)) < 0.1 &&
    Math.abs(o.sel.to - (cfg.phase2[1] - 0.1)) < 0.1 && names.includes(other) && !names.includes(focus),
    'range ' + o.sel.from + '-' + o.sel.to + ' want ' + (cfg.phase2[0] + 0.1) + '-' + (cfg.phase2[1] - 0.1) + ', functions ' + names.slice(0, 12));
  await page.click('#reset');

  // thread and process filters
  const thOpt = await page.$$eval('#f-thread option', (os, tid) => (os.find((x) => x.textContent.startsWith(tid + ' ')) || {}).value, cfg.workerTid);
  if (thOpt === undefined) check('filter: thread', false, 'no option for thread ' + cfg.workerTid);
  else {
    await page.selectOption('#f-thread', thOpt);
    o = await observe(page, 'thread');
    names = o.rows.map((r) => r.name);
    check('filter: thread', names.includes(cfg.workerFunc) && !names.includes(focus) && o.sel.threads === 1,
      'functions ' + names.slice(0, 12) + ', threads ' + o.sel.threads);
    await page.selectOption('#f-thread', '-1');
  }
  const procOk = await page.$$eval('#f-process option', (os, pid) => os.some((x) => x.value === String(pid)), cfg.childPid);
  if (!procOk) check('filter: process', false, 'no option for pid ' + cfg.childPid);
  else {
    await page.selectOption('#f-process', String(cfg.childPid));
    o = await observe(page, 'process');
    names = o.rows.map((r) => r.name);
    check('filter: process', names.includes(cfg.childFunc) && !names.includes(focus) && !names.includes(cfg.workerFunc),
      'functions ' + names.slice(0, 12));
    await page.selectOption('#f-process', '-1');
  }

  // text filter
  await page.fill('#f-text', cfg.textFilter);
  await sleep(400);
  const filtered = await readTable(page);
  const heatRows = (await page.evaluate(() => window.pyheat.heat())).rows;
  const want = all.rows.filter((r) => (r.name + '\n' + r.loc).toLowerCase().includes(cfg.textFilter)).map((r) => r.name);
  check('filter: text on function/module/file', filtered.length > 0 && filtered.length === want.length &&
    filtered.every((r) => (r.name + r.loc).toLowerCase().includes(cfg.textFilter)) &&
    heatRows.every((r) => (r.name + r.file).toLowerCase().includes(cfg.textFilter)),
    'table ' + filtered.map((r) => r.name) + ' want ' + want + ', heatmap ' + heatRows.map((r) => r.name));
  await page.fill('#f-text', '');
  await sleep(400);

  // drill-down: click the focus function's table row
  await page.click('#ftable tbody tr[data-func="' + all.rows.find((r) => r.name === focus).func + '"] td.name');
  const drill = await page.evaluate(() => {
    const names = (sel) => Array.from(document.querySelectorAll(sel)).map((td) => td.textContent);
    const src = {};
    document.querySelectorAll('#source .sl').forEach((row) => {
      src[row.getAttribute('data-line')] = { total: +(row.getAttribute('data-total') || 0), bg: row.style.background,
        code: row.querySelector('.code').textContent };
    });
    return { name: document.getElementById('drill-name').textContent, callers: names('#drill table.callers tbody td.name'),
      callees: names('#drill table.callees tbody td.name'),
      lines: Array.from(document.querySelectorAll('#drill table.lines tbody tr')).map((tr) => +tr.getAttribute('data-line')), src };
  });
  check('drill-down: callers', drill.name === focus && drill.callers.includes(cfg.caller), JSON.stringify(drill.callers));
  check('drill-down: callees', drill.callees.includes(cfg.callee), JSON.stringify(drill.callees));
  check('drill-down: hottest lines', drill.lines.includes(cfg.hotLine), JSON.stringify(drill.lines));
  const sl = drill.src[String(cfg.hotLine)];
  check('drill-down: source view with per-line heat', sl && sl.total > 0 && sl.bg && sl.code === cfg.hotLineText &&
    Object.values(drill.src).filter((x) => x.total > 0).length < Object.keys(drill.src).length,
    JSON.stringify(sl) + ' want ' + JSON.stringify(cfg.hotLineText));

  // table sort
  const sorted = async (key) => { await page.click('#ftable th[data-key="' + key + '"]'); return readTable(page); };
  let t = await sorted('name');   // a new column: names ascending, numbers descending
  const byName = t.every((r, i) => i === 0 || t[i - 1].name <= r.name);
  t = await sorted('total');
  const desc = t.every((r, i) => i === 0 || t[i - 1].total >= r.total);
  t = await sorted('total');       // the same column again: the other way
  const asc = t.every((r, i) => i === 0 || t[i - 1].total <= r.total);
  t = await sorted('own');
  const byOwn = t.every((r, i) => i === 0 || t[i - 1].own >= r.own);
  check('table: sort by column', desc && asc && byName && byOwn && t.length === all.rows.length,
    'total desc ' + desc + ', asc ' + asc + ', name ' + byName + ', own ' + byOwn);

  // file:line links
  const row = t.find((r) => r.name === focus);
  check('links: vscode://file/... and the plain path', row && row.vscode === cfg.vscodeHref && row.plain === cfg.plainHref &&
    await page.evaluate(() => document.querySelector('#drill-loc a.vscode').getAttribute('href')) === cfg.vscodeHref,
    JSON.stringify(row && [row.vscode, row.plain]) + ' want ' + cfg.vscodeHref + ' ' + cfg.plainHref);

  // exports
  const png = await download(page, '#export-png');
  const dims = await page.evaluate(() => [document.getElementById('heat').width, document.getElementById('heat').height]);
  const sig = png.data.slice(0, 8).toString('hex');
  check('export: PNG of the heatmap', sig === '89504e470d0a1a0a' && png.data.slice(12, 16).toString() === 'IHDR' &&
    png.data.readUInt32BE(16) === dims[0] && png.data.readUInt32BE(20) === dims[1] && /\.png$/.test(png.name),
    png.name + ' ' + sig + ' ' + png.data.length + ' bytes, canvas ' + dims);
  const csv = await download(page, '#export-csv');
  const table = await readTable(page);
  const lines = parseCsv(csv.data.toString('utf8'));
  const head = lines.shift();
  const same = lines.length === table.length && table.every((r, i) => {
    const c = lines[i];
    return c[0] === r.name && c[1] + ':' + c[2] === r.loc && +c[3] === r.own && c[4] === r.ownPct && c[5] === r.ownCi &&
      +c[6] === r.total && c[7] === r.totalPct && c[8] === r.totalCi;
  });
  check('export: CSV of the table', head && head[0] === 'function' && same, 'csv ' + JSON.stringify(lines.slice(0, 3)) + ' table ' + JSON.stringify(table.slice(0, 3)));

  await page.screenshot({ path: path.join(cfg.outDir, 'report.png'), fullPage: true });
  check('html: no console errors, no network', errors.length === 0, errors.join('; '));
  await page.close();
}

// ---- hostile names -------------------------------------------------------------

async function hostileHtml(ctx) {
  const { page, errors } = await open(ctx, cfg.html);
  const rows = await readTable(page);
  for (const r of rows) {
    await page.click('#ftable tbody tr[data-func="' + r.func + '"] td.name');
    const h = await page.evaluate(() => window.pyheat.heat());
    const i = h.rows.findIndex((x) => x.name === r.name);
    if (i >= 0) {
      const at = await inView(page, '#heat', h.labelW + h.plotW / 2, h.top + i * h.rowH + h.rowH / 2);
      await page.mouse.move(at.x, at.y);
    }
  }
  const rects = await page.evaluate(() => window.pyheat.flame());
  for (const r of rects.slice(0, 40)) {
    const at = await inView(page, '#flame', r.x + Math.min(r.w / 2, 20), r.y + r.h / 2);
    await page.mouse.move(at.x, at.y);
  }
  const opts = await page.$$eval('#f-thread option', (os) => os.map((x) => x.value));
  for (const v of opts) await page.selectOption('#f-thread', v);
  await page.selectOption('#f-thread', '-1');
  await page.fill('#f-text', '<script');
  await sleep(300);
  await page.fill('#f-text', '');
  await sleep(300);
  const state = await page.evaluate(() => ({ pwned: window.__pwned, scripts: document.scripts.length, title: document.title,
    names: Array.from(document.querySelectorAll('#ftable tbody td.name')).map((td) => td.textContent),
    threads: Array.from(document.querySelectorAll('#f-thread option')).map((o) => o.textContent),
    imgs: document.images.length }));
  check('hostile names: nothing runs (window.__pwned unset)', state.pwned === undefined && state.imgs === 0,
    'pwned=' + state.pwned + ' images=' + state.imgs);
  check('hostile names: no element injected', state.scripts === 2, state.scripts + ' script elements');
  const missing = cfg.hostile.filter((n) => !state.names.includes(n));
  check('hostile names: shown as text', missing.length === 0 && state.title === cfg.title &&
    state.threads.some((x) => x.includes(cfg.hostileThread)),
    'missing ' + JSON.stringify(missing) + ' of ' + JSON.stringify(state.names) + '; title ' + JSON.stringify(state.title));
  // the source of the hostile file, with '</script>' in it, shows as text
  const r = rows.find((x) => x.name === cfg.sourceFunc);
  if (r) await page.click('#ftable tbody tr[data-func="' + r.func + '"] td.name');
  const code = await page.evaluate(() => Array.from(document.querySelectorAll('#source .code')).map((e) => e.textContent));
  check('hostile names: source text shown as text', code.includes(cfg.sourceLine), JSON.stringify(code.slice(0, 5)));
  check('hostile html: no console errors, no network', errors.length === 0, errors.join('; '));
  await page.screenshot({ path: path.join(cfg.outDir, 'hostile.png'), fullPage: true });
  await page.close();
}

// ---- SVG ---------------------------------------------------------------------

async function svgFrames(page) {
  return page.$$eval('g.f', (gs) => gs.map((g) => ({ name: g.getAttribute('data-n'), match: g.hasAttribute('data-match'),
    hidden: g.classList.contains('hide'), fill: g.querySelector('rect').getAttribute('fill'),
    w: +g.querySelector('rect').getAttribute('width'), title: g.querySelector('title').textContent })));
}

async function realSvg(ctx) {
  const { page, errors } = await open(ctx, cfg.svg);
  const width = await page.evaluate(() => +document.documentElement.getAttribute('width'));
  page.once('dialog', (d) => d.accept(cfg.textFilter));
  await page.click('#search');
  let fr = await svgFrames(page);
  const hits = fr.filter((f) => f.match);
  const matched = await page.evaluate(() => document.getElementById('matched').textContent);
  check('svg: search highlights matches', hits.length > 0 && hits.every((f) => f.name.toLowerCase().includes(cfg.textFilter) && f.fill === 'rgb(230,0,230)') &&
    fr.filter((f) => !f.match).every((f) => !f.name.toLowerCase().includes(cfg.textFilter) && f.fill !== 'rgb(230,0,230)') &&
    /^Matched: [\d.]+%/.test(matched), hits.length + ' hits; ' + matched);
  await page.click('#search');   // reset the search
  const focus = fr.filter((f) => f.name === cfg.focus).sort((a, b) => b.w - a.w)[0];
  const idx = fr.indexOf(focus);
  await page.locator('g.f').nth(idx).locator('rect').click({ force: true });
  fr = await svgFrames(page);
  const z = fr[idx];
  check('svg: click zooms', z.w > width - 2 * 10 - 1 && fr.some((f) => f.hidden) && !fr.filter((f) => f.name === cfg.other).some((f) => !f.hidden) &&
    /\d+ samples?, [\d.]+% \(95% CI/.test(z.title), 'width ' + z.w + ' of ' + width + ', title ' + JSON.stringify(z.title));
  await page.click('#unzoom');
  fr = await svgFrames(page);
  check('svg: reset zoom', fr.every((f) => !f.hidden) && Math.abs(fr[idx].w - focus.w) < 0.02, 'width ' + fr[idx].w + ' vs ' + focus.w);
  await page.screenshot({ path: path.join(cfg.outDir, 'flame.png') });
  check('svg: no console errors', errors.length === 0, errors.join('; '));
  await page.close();
}

async function hostileSvg(ctx) {
  const { page, errors } = await open(ctx, cfg.svg);
  const root = await page.evaluate(() => ({ tag: document.documentElement.tagName, err: document.getElementsByTagName('parsererror').length,
    scripts: document.getElementsByTagName('script').length }));
  const n = await page.locator('g.f').count();
  for (let i = 0; i < n; i++) await page.locator('g.f').nth(i).hover({ force: true });
  for (let i = 1; i < Math.min(n, 12); i++) {
    await page.locator('g.f').nth(i).locator('rect').click({ force: true });
    if (await page.locator('#unzoom:not(.hide)').count()) await page.click('#unzoom');
  }
  page.once('dialog', (d) => d.accept('<script'));
  await page.click('#search');
  const fr = await svgFrames(page);
  const pwned = await page.evaluate(() => window.__pwned);
  check('svg hostile: parses, nothing runs', root.tag === 'svg' && root.err === 0 && root.scripts === 1 && pwned === undefined,
    JSON.stringify(root) + ' pwned=' + pwned);
  const missing = cfg.hostile.filter((x) => !fr.some((f) => f.name === x));
  check('svg hostile: names shown as text', missing.length === 0, 'missing ' + JSON.stringify(missing));
  check('svg hostile: no console errors', errors.length === 0, errors.join('; '));
  await page.close();
}

(async () => {
  const ctx = await launch();
  try {
    for (const step of cfg.steps) {
      try {
        await { realHtml, hostileHtml, realSvg, hostileSvg }[step](ctx);
      } catch (e) {
        check(step + ': ran to the end', false, e.stack || String(e));
      }
    }
  } finally {
    await ctx.close();
  }
  process.stdout.write(JSON.stringify({ checks, obs }) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
