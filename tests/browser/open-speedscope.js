// open-speedscope.js — open pyheat's speedscope files in speedscope's own
// offline app (npm package `speedscope`, dist/release/index.html from
// file://) in headless Chromium, the way a person would, for
// tests/test_report.py.
//
//   node open-speedscope.js CONFIG.json
//
// CONFIG: {"app": ".../index.html", "outDir": "...", "loads": [LOAD...]};
// each LOAD opens the app in a fresh page and loads one file:
//   {"label", "file", "via": "input" | "cli", "expect": "profile" | "empty" | "error",
//    "title"?, "active"?, "profiles"?: [{"name", "totalMs", "sandwich"?: [[name, file, totalMs, selfMs]...]}],
//    "pixels"?: true, "screenshot"?: "name.png"}
// "input" is the landing page's Browse button (its input[type=file]); "cli"
// is what `speedscope FILE` does: a script holding the file as base64, named
// by #localProfilePath=. What the Python side expects comes from the samples
// it wrote, not from the file.
//
// Prints one summary line and exits 0, or prints every failed check on stderr
// and exits 1.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { launch } = require('./launch.js');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const failures = [];
const seen = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const show = (s) => JSON.stringify(s);

function check(label, ok, what) {
  if (!ok) failures.push(label + ': ' + what);
  return !!ok;
}

// "380.00ms (51%)" -> 380; speedscope's time formatter, back to milliseconds
function parseMs(text) {
  const m = /^\s*([\d.]+)\s*(ns|µs|us|ms|s|min|hr?)\b/.exec(text);
  if (!m) return NaN;
  const k = { ns: 1e-6, 'µs': 1e-3, us: 1e-3, ms: 1, s: 1e3, min: 6e4, h: 36e5, hr: 36e5 }[m[2]];
  return +m[1] * k;
}
const near = (a, b) => Math.abs(a - b) <= 0.01 + 0.005 * Math.abs(b);

function watch(page) {
  const w = { errors: [], dialogs: [], logs: [] };
  page.on('console', (m) => {
    w.logs.push(m.text());
    if (m.type() === 'error') w.errors.push('console.error: ' + m.text());
  });
  page.on('pageerror', (e) => w.errors.push('page error: ' + e.message));
  page.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) w.errors.push('network request: ' + r.url()); });
  page.on('dialog', (d) => { w.dialogs.push(d.type() + ': ' + d.message()); d.dismiss().catch(() => {}); });
  return w;
}

// what the app shows: page title, toolbar title, the profile selector's rows,
// the error box
function state(page) {
  return page.evaluate(() => {
    const text = document.body.innerText;
    let toolbar = null;
    const tab = [...document.querySelectorAll('div')].find((d) => d.children.length === 1 && d.textContent.endsWith('Time Order'));
    const bar = tab && tab.parentElement && tab.parentElement.parentElement;
    const mid = bar && bar.childNodes.length === 3 ? bar.childNodes[1] : null;
    if (mid && mid.nodeType === 3) {
      toolbar = { name: mid.data, counter: '' };      // one profile: its name as plain text
    } else if (mid) {
      const span = mid.firstElementChild;             // several: the name, a counter and the selector
      if (span) {
        const own = [...span.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join('');
        const counter = span.querySelector('span');
        toolbar = { name: counter ? own.replace(/ $/, '') : own, counter: counter ? counter.textContent : '' };
      }
    }
    const rows = [...document.querySelectorAll('tr[title]')].map((tr) => {
      const td = tr.querySelectorAll('td');
      return { title: tr.getAttribute('title'), index: td[0] && td[0].textContent, name: td[1] && td[1].textContent,
        weight: td[2] && td[2].textContent };
    });
    return { title: document.title, toolbar, rows, error: text.includes('Something went wrong'),
      landing: text.includes('Browse') };
  });
}

// the sandwich view's table: [name, file, totalMs, selfMs] per row
function sandwich(page) {
  return page.evaluate(() => [...document.querySelectorAll('tr:not([title])')]
    .map((tr) => tr.querySelectorAll(':scope > td'))
    .filter((td) => td.length === 3)
    .map((td) => [td[2].textContent, td[2].getAttribute('title') || '', td[0].textContent, td[1].textContent]));
}

function sameSandwich(label, got, want) {
  const norm = (rows) => rows.map((r) => JSON.stringify([r[0], r[1]])).sort();
  const g = got.map((r) => [r[0], r[1], parseMs(r[2]), parseMs(r[3])]);
  const gk = norm(g), wk = norm(want);
  if (!check(label, JSON.stringify(gk) === JSON.stringify(wk),
    'sandwich rows ' + show(gk) + ', want ' + show(wk))) return false;
  // match rows of equal name and file by their weights
  const left = g.slice();
  for (const w of want) {
    const i = left.findIndex((r) => r[0] === w[0] && r[1] === w[1] && near(r[2], w[2]) && near(r[3], w[3]));
    if (!check(label, i >= 0, 'no sandwich row ' + show(w) + ' (total ms, self ms) among ' + show(g))) return false;
    left.splice(i, 1);
  }
  return true;
}

// a screenshot of the page, decoded in a blank page: per row of the given
// box, the share of coloured pixels, and how many colours
async function pixels(ctx, png, box) {
  const page = await ctx.newPage();
  try {
    return await page.evaluate(async ([b64, box]) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const x0 = Math.max(0, Math.round(box.x)), y0 = Math.max(0, Math.round(box.y));
      const w = Math.min(img.width - x0, Math.round(box.width)), h = Math.min(img.height - y0, Math.round(box.height));
      const d = g.getImageData(x0, y0, w, h).data;
      let best = 0, rows = 0, total = 0;
      const colours = new Set();
      for (let y = 0; y < h; y++) {
        let n = 0;
        for (let x = 0; x < w; x++) {
          const i = (y * w + x) * 4, r = d[i], gg = d[i + 1], bb = d[i + 2];
          if (Math.max(r, gg, bb) - Math.min(r, gg, bb) > 24) {
            n++;
            colours.add((r >> 4) << 8 | (gg >> 4) << 4 | (bb >> 4));
          }
        }
        best = Math.max(best, n / w);
        if (n) rows++;
        total += n;
      }
      return { width: w, height: h, bestRow: best, colouredRows: rows, coloured: total / (w * h), colours: colours.size };
    }, [png.toString('base64'), box]);
  } finally {
    await page.close();
  }
}

// the flame chart: the biggest canvas that is not the full-window WebGL one
function chartBox(page) {
  return page.evaluate(() => {
    const cs = [...document.querySelectorAll('canvas')].map((c) => c.getBoundingClientRect())
      .filter((r) => r.height < window.innerHeight - 1 && r.width > 0);
    cs.sort((a, b) => b.width * b.height - a.width * a.height);
    return cs.length ? { x: cs[0].x, y: cs[0].y, width: cs[0].width, height: cs[0].height } : null;
  });
}

async function waitFor(page, done, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await state(page);
    if (done(s)) return s;
    if (Date.now() > end) return s;
    await sleep(50);
  }
}

function cliScript(dir, file) {
  // what speedscope's bin/cli.mjs writes for `speedscope FILE`
  const js = path.join(dir, 'speedscope-' + path.basename(file) + '.js');
  fs.writeFileSync(js, 'speedscope.loadFileFromBase64(' + JSON.stringify(path.basename(file)) + ', ' +
    JSON.stringify(fs.readFileSync(file).toString('base64')) + ')');
  return js;
}

async function openOne(ctx, load, tmp) {
  const L = load.label;
  const page = await ctx.newPage();
  page.setDefaultTimeout(5000);
  const w = watch(page);
  const app = 'file://' + cfg.app;
  if (load.via === 'cli') {
    await page.goto(app + '#localProfilePath=' + cliScript(tmp, load.file), { waitUntil: 'load' });
  } else {
    await page.goto(app, { waitUntil: 'load' });
    // the app ignores a file until its WebGL canvas exists
    await page.waitForSelector('canvas', { state: 'attached', timeout: 20000 });
    await page.waitForSelector('input[type=file]', { state: 'attached', timeout: 20000 });
    await page.setInputFiles('input[type=file]', load.file);
  }
  const s = await waitFor(page, (s) => s.toolbar || s.error || w.dialogs.length || w.errors.length, 20000);
  await sleep(50);       // let a dialog or a late error land
  const what = s.error ? 'the error box' : w.dialogs.length ? 'dialog ' + show(w.dialogs) :
    s.toolbar ? 'a profile' : w.errors.length ? 'an error: ' + w.errors[0] :
    'nothing (still ' + (s.landing ? 'the landing page' : 'loading') + ')';
  const note = { label: L, shows: what };
  seen.push(note);

  if (load.expect === 'error') {
    check(L, s.error && s.title === 'speedscope' && !s.toolbar, 'a corrupt file should show the app\'s error, it shows ' + what);
    check(L, w.logs.some((l) => l.startsWith('Failed to load format')), 'no "Failed to load format" in the console');
  } else if (load.expect === 'empty') {
    check(L, show(w.dialogs) === show(["alert: Successfully imported profile, but it's empty!"]) && !s.error,
      'an empty selection should be a valid, empty speedscope file; the app shows ' + what);
  } else {
    if (!check(L, s.toolbar, 'no profile shown: the app shows ' + what)) {
      await page.close();
      return;
    }
    check(L, s.title === load.title + ' - speedscope', 'page title ' + show(s.title) + ', want ' + show(load.title + ' - speedscope') +
      ' (the app shows ' + what + ')');
    check(L, w.logs.includes('Importing as speedscope json file'), 'the app did not import it as a speedscope file: ' +
      show(w.logs.slice(-3)));
    check(L, !w.dialogs.length, 'dialogs: ' + show(w.dialogs));
    const want = load.profiles;
    const active = want[load.active];
    const t = s.toolbar;
    check(L, t && t.name === active.name && t.counter === (want.length > 1 ? '(' + (load.active + 1) + '/' + want.length + ')' : ''),
      'toolbar shows ' + show(t) + ', want ' + show(active.name));
    if (want.length > 1) {
      const got = s.rows.map((r) => [r.index, r.name, r.title]);
      const exp = want.map((p, i) => [String(i + 1), p.name, p.name]);
      check(L, show(got) === show(exp), 'profile selector lists ' + show(got) + ', want ' + show(exp));
      s.rows.forEach((r, i) => want[i] && check(L, near(parseMs(r.weight), want[i].totalMs),
        'profile ' + show(r.name) + ' weighs ' + r.weight + ', want ' + want[i].totalMs + ' ms'));
    }
    note.profiles = want.length;

    if (load.pixels) {
      const box = await chartBox(page);
      const png = await page.screenshot();
      if (load.screenshot) fs.writeFileSync(path.join(cfg.outDir, load.screenshot), png);
      if (check(L, box, 'no flame chart canvas')) {
        const px = await pixels(ctx, png, box);
        note.pixels = px;
        // the active thread's root frame spans its whole time line
        check(L, px.bestRow > 0.95, 'flame chart: the widest coloured row covers ' + (px.bestRow * 100).toFixed(1) +
          '% of the chart, want > 95% (the root frame) ' + show(px));
        check(L, px.colouredRows >= 40 && px.colours >= 4, 'flame chart nearly blank: ' + show(px));
      }
    }

    if (want.some((p) => p.sandwich)) {
      await page.locator('div').filter({ hasText: /^\S*Sandwich$/u }).last().click();
      let shown = load.active;
      for (let i = 0; i < want.length; i++) {
        if (!want[i].sandwich) continue;
        if (i !== shown) {
          // open the profile selector from the toolbar and pick profile i
          await page.getByText('(' + (shown + 1) + '/' + want.length + ')', { exact: true }).click();
          await page.locator('tr[title]').nth(i).click();
          shown = i;
        }
        let rows = [];
        const end = Date.now() + 5000;
        do {
          const st = await state(page);
          rows = st.toolbar && st.toolbar.name === want[i].name ? await sandwich(page) : [];
          if (rows.length === want[i].sandwich.length) break;
          await sleep(50);
        } while (Date.now() < end);
        if (!sameSandwich(L + ' ' + show(want[i].name), rows, want[i].sandwich)) break;
      }
      note.sandwich = want.filter((p) => p.sandwich).length;
    }
  }
  if (load.screenshot && !load.pixels) await page.screenshot({ path: path.join(cfg.outDir, load.screenshot) });
  // whatever the names held, nothing ran and no element came from them
  const inert = await page.evaluate(() => ({ flag: typeof window.__pwned, imgs: document.querySelectorAll('img, iframe, object, embed').length,
    scripts: [...document.scripts].map((s) => s.src.replace(/^.*\//, '')) }));
  check(L, inert.flag === 'undefined', 'window.__pwned is set: a name ran as code');
  check(L, inert.imgs === 0, inert.imgs + ' img/iframe/object elements appeared');
  check(L, inert.scripts.every((s) => /^speedscope-[\w-]+\.js$/.test(s) || (load.via === 'cli' && /^speedscope-.*\.json\.js$/.test(s))),
    'unexpected scripts ' + show(inert.scripts));
  if (load.expect !== 'empty') check(L, !w.dialogs.length, 'dialogs: ' + show(w.dialogs));
  check(L, !w.errors.length, w.errors.slice(0, 5).join('; '));
  await page.close();
}

(async () => {
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyheat-speedscope-'));
  fs.mkdirSync(cfg.outDir, { recursive: true });
  const ctx = await launch();
  try {
    for (const load of cfg.loads) {
      try {
        await openOne(ctx, load, tmp);
      } catch (e) {
        check(load.label, false, String(e && e.message || e).split('\n')[0]);
      }
    }
  } finally {
    await ctx.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (failures.length) {
    console.error('open-speedscope.js: ' + failures.length + ' failed:\n  ' + failures.join('\n  '));
    process.exit(1);
  }
  const px = seen.find((n) => n.pixels);
  console.log('speedscope app: ' + seen.map((n) => n.label + ' -> ' + n.shows + (n.profiles ? ' (' + n.profiles +
    (n.profiles > 1 ? ' profiles' : ' profile') + (n.sandwich ? ', ' + n.sandwich + ' sandwich tables' : '') + ')' : '')).join(', ') +
    (px ? '; flame chart ' + (px.pixels.coloured * 100).toFixed(0) + '% coloured, ' + px.pixels.colours + ' colours' : '') +
    ' in ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s');
})().catch((e) => { console.error('open-speedscope.js: ' + (e && e.stack || e)); process.exit(1); });
