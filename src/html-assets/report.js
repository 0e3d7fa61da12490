// report.js — pyheat's interactive HTML report (the data: src/render-html.c).
//
// The page reads one JSON data island (#pyheat-data): a calling-context tree
// of the selected samples, the (thread, node) leaves samples end at, and per
// time bucket the samples of each leaf. Every view is computed from those
// counts for the current selection (time range, thread, process):
//   - own share: samples whose innermost frame is the function; total share:
//     samples in which it appears at all (once per sample); both of all
//     selected samples, with Wilson 95% intervals — stats.h's definitions,
//     with the same arithmetic, so the numbers equal `pyheat info`'s;
//   - the heatmap: the top functions (the table's order, after the text
//     filter) x time columns, each cell the function's share of that column's
//     samples; drag to zoom into a time range;
//   - drill-down: callers, callees, hottest lines and the source with
//     per-line heat; flame graph (icicle) of the selection; sortable table;
//     PNG of the heatmap and CSV of the table.
// Untrusted text (names, paths, source) goes into the DOM with textContent
// only, and into canvases with fillText; control characters are shown as
// \xNN like in pyheat's terminal output. window.pyheat gives read-only
// geometry, state and load timings to tests/browser/ and bench/html-open.sh.
(function () {
  'use strict';
  var T_START = performance.now(), TIMINGS = {}, tLast = T_START;
  function mark(name) { var t = performance.now(); TIMINGS[name] = Math.round((t - tLast) * 10) / 10; tLast = t; }
  window.addEventListener('error', function (ev) {
    var box = document.getElementById('error') || document.body.insertBefore(document.createElement('div'), document.body.firstChild);
    box.id = 'error';
    box.textContent = 'pyheat report error: ' + (ev.message || ev.error);
  });
  var Z95 = 1.959963984540054;
  var HEAT_ROWS = 40, TABLE_ROWS = 2000, LABEL_W = 280, ROW_H = 16, AXIS_H = 26, FLAME_ROW = 18, FLAME_MAX_ROWS = 300;

  // ---- helpers ---------------------------------------------------------------

  function el(tag, props) {
    var e = document.createElement(tag);
    if (props) {
      for (var k in props) {
        if (!Object.prototype.hasOwnProperty.call(props, k) || props[k] === undefined || props[k] === null) continue;
        if (k === 'text') e.textContent = props[k];
        else if (k === 'class') e.className = props[k];
        else e.setAttribute(k, props[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }

  function hex2(n) { return (n < 16 ? '0' : '') + n.toString(16); }

  // a name as shown: C0 controls and DEL as \xNN, C1 controls as \u00NN
  function vis(s) {
    return s.replace(/[\u0000-\u001f\u007f]/g, function (c) { return '\\x' + hex2(c.charCodeAt(0)); })
      .replace(/[\u0080-\u009f]/g, function (c) { return '\\u00' + hex2(c.charCodeAt(0)); });
  }

  // printf("%.1f", v): toFixed except on exact ties (x.x25 / x.x75 are the only
  // ones a double can hold), which C rounds to even
  function fmt1(v) {
    var q = v * 4;
    if (Number.isInteger(q) && q % 2 !== 0 && Math.abs(v) < 1e12) {
      var f = Math.floor(v * 10);
      return ((f % 2 === 0 ? f : f + 1) / 10).toFixed(1);
    }
    return v.toFixed(1);
  }

  // stats_wilson(), operation for operation
  function wilson(k, n) {
    if (n === 0) return [0, 1];
    if (k > n) k = n;
    var nn = n, p = k / nn, z = Z95, z2 = z * z;
    var denom = 1 + z2 / nn;
    var centre = (p + z2 / (2 * nn)) / denom;
    var half = z / denom * Math.sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    var l = centre - half, h = centre + half;
    return [k === 0 ? 0 : (l < 0 ? 0 : l), k === n ? 1 : (h > 1 ? 1 : h)];
  }

  function pct(k, n) { return fmt1(100 * (n ? k / n : 0)); }
  function ci(k, n) { var w = wilson(k, n); return fmt1(100 * w[0]) + '\u2013' + fmt1(100 * w[1]); }
  function share(k, n) { return pct(k, n) + '% (95% CI ' + ci(k, n) + '%)'; }

  function fmtInt(n) { return String(n); }

  // heatColor at 256 steps, as RGB bytes (the heatmap's cells)
  var HEAT_LUT = (function () {
    var lut = new Uint8Array(256 * 3);
    for (var x = 0; x < 256; x++) {
      var c = heatColor(x / 255).match(/\d+/g);
      lut[3 * x] = +c[0]; lut[3 * x + 1] = +c[1]; lut[3 * x + 2] = +c[2];
    }
    return lut;
  })();

  // a share's colour level against the largest: log scale over three decades
  function heatLevel(v, max) {
    var x = v / (max || 1);
    return x <= 0 ? 0 : Math.max(0.04, 1 + Math.log10(Math.max(x, 1e-3)) / 3);
  }

  function heatColor(v) {
    // 0..1 -> pale yellow, orange, red, dark red
    var stops = [[255, 247, 188], [254, 196, 79], [236, 112, 20], [204, 36, 18], [120, 10, 20]];
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    var x = v * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2), t = x - i;
    var a = stops[i], b = stops[i + 1];
    return 'rgb(' + Math.round(a[0] + (b[0] - a[0]) * t) + ',' + Math.round(a[1] + (b[1] - a[1]) * t) + ',' +
      Math.round(a[2] + (b[2] - a[2]) * t) + ')';
  }

  function hashName(s) {
    var h = 2166136261;
    for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    return h;
  }

  function flameColor(name) {
    var h = hashName(name);
    return 'rgb(' + (205 + h % 51) + ',' + ((h >>> 8) % 231) + ',' + ((h >>> 16) % 56) + ')';
  }

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = el('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function encodePath(p) { return p.split('/').map(encodeURIComponent).join('/'); }

  // ---- the data --------------------------------------------------------------

  var D = JSON.parse(document.getElementById('pyheat-data').textContent);
  mark('parse');
  var RAW = D.strings, STR = RAW.map(vis);
  var NP = D.npseudo;
  var nf = D.funcs.length / 3, fName = [], fFile = [], fFileId = new Int32Array(nf), fFirst = new Int32Array(nf);
  for (var i = 0; i < nf; i++) {
    fName.push(STR[D.funcs[3 * i]]);
    fFileId[i] = D.funcs[3 * i + 1];
    fFile.push(STR[fFileId[i]]);
    fFirst[i] = D.funcs[3 * i + 2];
  }
  var fSearch = new Array(nf);
  function searchText(f) {
    if (fSearch[f] === undefined) {
      var file = fFile[f], base = file.slice(file.lastIndexOf('/') + 1).replace(/\.py[cw]?$/, '');
      fSearch[f] = (fName[f] + '\n' + file + '\n' + base).toLowerCase();
    }
    return fSearch[f];
  }
  var nl = D.lines.length / 2, lFunc = new Int32Array(nl), lNo = new Int32Array(nl);
  for (i = 0; i < nl; i++) { lFunc[i] = D.lines[2 * i]; lNo[i] = D.lines[2 * i + 1]; }
  var nt = D.threads.length / 3, thPid = [], thTid = [], thName = [];
  for (i = 0; i < nt; i++) { thPid.push(D.threads[3 * i]); thTid.push(D.threads[3 * i + 1]); thName.push(STR[D.threads[3 * i + 2]]); }
  var sources = {};
  for (i = 0; i + 1 < D.sources.length; i += 2) sources[D.sources[i]] = D.sources[i + 1];

  function varints(b64) {
    var bin = atob(b64), pos = 0;
    return function () {
      var v = 0, m = 1, b;
      do { b = bin.charCodeAt(pos++); v += (b & 127) * m; m *= 128; } while (b & 128);
      return v;
    };
  }

  var nn = D.nnodes, nParent = new Int32Array(nn), nLine = new Int32Array(nn), nFunc = new Int32Array(nn);
  var next = varints(D.nodes);
  nParent[0] = -1; nLine[0] = -1; nFunc[0] = -1;
  for (i = 1; i < nn; i++) { nParent[i] = i - next(); nLine[i] = next(); nFunc[i] = lFunc[nLine[i]]; }
  var nleaves = D.nleaves, lfThread = new Int32Array(nleaves), lfNode = new Int32Array(nleaves);
  next = varints(D.leaves);
  for (i = 0; i < nleaves; i++) { lfThread[i] = next(); lfNode[i] = next(); }
  var TM = D.time, nb = TM.n;
  var cellStart = new Int32Array(nb + 1), cellLeaf = new Int32Array(D.ncells), cellCnt = new Float64Array(D.ncells);
  (function () {   // the hot one: inline varints
    var bin = atob(D.cells), pos = 0, c = 0;
    function v() {
      var x = bin.charCodeAt(pos++);
      if (x < 128) return x;
      var r = x & 127, m = 128;
      do { x = bin.charCodeAt(pos++); r += (x & 127) * m; m *= 128; } while (x & 128);
      return r;
    }
    for (var bk = 0; bk < nb; bk++) {
      cellStart[bk] = c;
      var k = v(), leaf = 0;
      for (var j = 0; j < k; j++) { leaf += v(); cellLeaf[c] = leaf; cellCnt[c] = v(); c++; }
    }
    cellStart[nb] = c;
  })();
  mark('decode');

  // the tree: depth, children, preorder and subtree ends
  var depth = new Int32Array(nn), maxDepth = 0;
  var childStart = new Int32Array(nn + 1), childArr = new Int32Array(Math.max(nn - 1, 1));
  for (i = 1; i < nn; i++) {
    depth[i] = depth[nParent[i]] + 1;
    if (depth[i] > maxDepth) maxDepth = depth[i];
    childStart[nParent[i] + 1]++;
  }
  for (i = 0; i < nn; i++) childStart[i + 1] += childStart[i];
  var fillc = childStart.slice(0, nn);
  for (i = 1; i < nn; i++) childArr[fillc[nParent[i]]++] = i;
  var pre = new Int32Array(nn), subEnd = new Int32Array(nn);
  (function () {
    var stack = [0], k2 = 0;
    while (stack.length) {
      var n = stack.pop();
      pre[k2++] = n;
      for (var c = childStart[n + 1] - 1; c >= childStart[n]; c--) stack.push(childArr[c]);
    }
    var pos = new Int32Array(nn);
    for (var x = 0; x < nn; x++) pos[pre[x]] = x;
    // subtree end: position after the last descendant
    var size = new Int32Array(nn);
    for (x = nn - 1; x >= 1; x--) { size[x] += 1; size[nParent[x]] += size[x]; }
    size[0] += 1;
    for (x = 0; x < nn; x++) subEnd[x] = pos[x] + size[x];
  })();

  // Preorder walk of the nodes (not the root) with enter/exit along the
  // current path; skip(n) leaves n's subtree out.
  var pathStack = new Int32Array(maxDepth + 2);
  function walk(skip, enter, exit) {
    var sp = 0, x = 1;
    while (x < nn) {
      var n = pre[x], p = nParent[n];
      while (sp > 0 && pathStack[sp - 1] !== p) exit(pathStack[--sp]);
      if (skip && skip(n)) { x = subEnd[n]; continue; }
      enter(n);
      pathStack[sp++] = n;
      x++;
    }
    while (sp > 0) exit(pathStack[--sp]);
  }

  // first occurrence of a function / line on each path (for total shares)
  var firstF = new Uint8Array(nn), firstL = new Uint8Array(nn);
  (function () {
    var onF = new Int32Array(nf), onL = new Int32Array(nl);
    walk(null, function (n) {
      var f = nFunc[n], l = nLine[n];
      if (onF[f]++ === 0) firstF[n] = 1;
      if (onL[l]++ === 0) firstL[n] = 1;
    }, function (n) { onF[nFunc[n]]--; onL[nLine[n]]--; });
  })();

  mark('tree');
  // samples per thread over the whole data (for the selects)
  var threadAll = new Float64Array(nt);
  for (i = 0; i < cellLeaf.length; i++) threadAll[lfThread[cellLeaf[i]]] += cellCnt[i];

  // bucket edges in ns since the start of the recording
  function edge(bk) {
    if (bk <= 0) return TM.t0;
    if (bk >= nb) return TM.end;
    return (TM.b0 + bk) * TM.w - TM.h;
  }
  var SEC_DEC = TM.w >= 1e6 ? 3 : 6;
  function sec(ns) { return (ns / 1e9).toFixed(SEC_DEC); }
  function bucketAt(ns) {   // the bucket holding time ns (clamped)
    var bk = Math.floor((ns + TM.h) / TM.w) - TM.b0;
    return bk < 0 ? 0 : bk >= nb ? nb - 1 : bk;
  }

  // ---- state and the selection --------------------------------------------------

  var st = { b0: 0, b1: nb, thread: -1, pid: -1, text: '', sortKey: 'own', sortDir: -1, metric: 'own', sel: -1,
    flameZoom: [] };
  var sel = null;   // the computed selection

  function compute() {
    var ok = new Uint8Array(nleaves), l;
    for (l = 0; l < nleaves; l++) {
      var t = lfThread[l];
      ok[l] = (st.thread < 0 || t === st.thread) && (st.pid < 0 || thPid[t] === st.pid) ? 1 : 0;
    }
    var leafCnt = new Float64Array(nleaves);
    for (var c = cellStart[st.b0], ce = cellStart[st.b1]; c < ce; c++) {
      l = cellLeaf[c];
      if (ok[l]) leafCnt[l] += cellCnt[c];
    }
    var nodeCnt = new Float64Array(nn), N = 0, threads = {};
    for (l = 0; l < nleaves; l++) {
      if (!leafCnt[l]) continue;
      nodeCnt[lfNode[l]] += leafCnt[l];
      N += leafCnt[l];
      threads[lfThread[l]] = 1;
    }
    var sub = Float64Array.from(nodeCnt);
    for (var n = nn - 1; n >= 1; n--) sub[nParent[n]] += sub[n];
    var fOwn = new Float64Array(nf), fTot = new Float64Array(nf), lOwn = new Float64Array(nl), lTot = new Float64Array(nl);
    for (n = 1; n < nn; n++) {
      if (!sub[n]) continue;
      var f = nFunc[n], li = nLine[n];
      fOwn[f] += nodeCnt[n];
      lOwn[li] += nodeCnt[n];
      if (firstF[n]) fTot[f] += sub[n];
      if (firstL[n]) lTot[li] += sub[n];
    }
    var funcs = [];
    for (f = NP; f < nf; f++) if (fTot[f] > 0) funcs.push(f);
    sel = { ok: ok, leafCnt: leafCnt, nodeCnt: nodeCnt, sub: sub, N: N, threads: Object.keys(threads).length,
      fOwn: fOwn, fTot: fTot, lOwn: lOwn, lTot: lTot, funcs: funcs, rows: null, flame: null };
  }

  var COLS = [
    { key: 'name', label: 'Function', cls: 'name', text: true },
    { key: 'loc', label: 'Location', cls: 'loc', text: true },
    { key: 'own', label: 'Own' },
    { key: 'ownp', label: 'Own % (95% CI)' },
    { key: 'total', label: 'Total' },
    { key: 'totalp', label: 'Total % (95% CI)' }
  ];

  function cmpStr(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // the selection's functions, text-filtered, in the table's order
  function rows() {
    if (sel.rows) return sel.rows;
    var q = st.text.toLowerCase(), out = [];
    sel.funcs.forEach(function (f) { if (!q || searchText(f).indexOf(q) >= 0) out.push(f); });
    var own = sel.fOwn, tot = sel.fTot, key = st.sortKey, dir = st.sortDir;
    function ties(a, b) {
      return cmpStr(fName[a], fName[b]) || cmpStr(fFile[a], fFile[b]) || fFirst[a] - fFirst[b];
    }
    out.sort(function (a, b) {
      var c;
      if (key === 'name') c = dir * (cmpStr(fName[a], fName[b]) || cmpStr(fFile[a], fFile[b]));
      else if (key === 'loc') c = dir * (cmpStr(fFile[a], fFile[b]) || fFirst[a] - fFirst[b]);
      else if (key === 'total' || key === 'totalp') c = dir * ((tot[a] - tot[b]) || (own[a] - own[b]));
      else c = dir * ((own[a] - own[b]) || (tot[a] - tot[b]));
      return c || ties(a, b);
    });
    sel.rows = out;
    return out;
  }

  function isMatch(f) { return st.text !== '' && f >= NP && searchText(f).indexOf(st.text.toLowerCase()) >= 0; }

  // ---- the page ----------------------------------------------------------------

  var M = D.meta;
  var base = (M.file || 'pyheat').split('/').pop().replace(/\.pyheat$/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'pyheat';
  var body = document.body;
  var title = el('h1', { text: vis(M.cmdline || M.file || 'pyheat profile') });
  var metaParts = [];
  if (M.python) metaParts.push('Python ' + vis(M.python));
  if (M.mode) metaParts.push(vis(M.mode) + ' mode');
  if (M.rate_hz) metaParts.push(M.rate_hz + ' Hz');
  metaParts.push('pid ' + M.pid);
  if (M.host) metaParts.push('host ' + vis(M.host));
  if (M.start) metaParts.push('started ' + vis(M.start));
  metaParts.push((M.duration_ns / 1e9).toFixed(3) + ' s');
  metaParts.push(D.samples + ' samples' + (D.samples !== M.samples_all ? ' selected of ' + M.samples_all : ''));
  if (M.errors || M.drops) metaParts.push(M.errors + ' errors, ' + M.drops + ' dropped');
  if (!M.complete) metaParts.push('recording cut short');
  body.appendChild(el('header', null, title, el('div', { id: 'meta', text: metaParts.join(' \u00b7 ') })));

  var fText = el('input', { id: 'f-text', type: 'search', placeholder: 'function, module or file', spellcheck: 'false' });
  var fThread = el('select', { id: 'f-thread' }, el('option', { value: '-1', text: 'all threads' }));
  var pids = [];
  for (i = 0; i < nt; i++) {
    if (!threadAll[i]) continue;
    var lab = (thTid[i] || '?') + ' ' + thName[i] + (thPid[i] !== M.pid ? ' (pid ' + thPid[i] + ')' : '') +
      ' \u2014 ' + threadAll[i] + ' samples';
    fThread.appendChild(el('option', { value: String(i), text: lab }));
    if (pids.indexOf(thPid[i]) < 0) pids.push(thPid[i]);
  }
  pids.sort(function (a, b) { return a - b; });
  var fProc = el('select', { id: 'f-process' }, el('option', { value: '-1', text: 'all processes' }));
  pids.forEach(function (p) {
    fProc.appendChild(el('option', { value: String(p), text: 'pid ' + p + (p === M.pid ? ' (root)' : '') }));
  });
  var fFrom = el('input', { id: 'f-from', type: 'number', step: 'any', min: '0' });
  var fTo = el('input', { id: 'f-to', type: 'number', step: 'any', min: '0' });
  var resetBtn = el('button', { id: 'reset', type: 'button', text: 'Reset zoom' });
  var metricSel = el('select', { id: 'metric' }, el('option', { value: 'own', text: 'own share' }),
    el('option', { value: 'total', text: 'total share' }));
  var pngBtn = el('button', { id: 'export-png', type: 'button', text: 'Heatmap PNG' });
  var csvBtn = el('button', { id: 'export-csv', type: 'button', text: 'Table CSV' });
  body.appendChild(el('div', { id: 'controls' },
    el('label', null, 'Filter ', fText), el('label', null, 'Thread ', fThread), el('label', null, 'Process ', fProc),
    el('label', null, 'From ', fFrom, ' to ', fTo, ' s'), resetBtn, el('label', null, 'Heat ', metricSel),
    pngBtn, csvBtn));
  var summary = el('div', { id: 'summary' });
  body.appendChild(el('section', { id: 'summary-sec' }, summary));

  var heat = el('canvas', { id: 'heat' }), heatSel = el('div', { id: 'heat-sel' });
  var heatWrap = el('div', { id: 'heat-wrap' }, heat, heatSel);
  body.appendChild(el('section', { id: 'heat-sec' },
    el('h2', { text: 'Heatmap: time \u00d7 function' }),
    el('div', { class: 'note', text: 'Each cell: the function\u2019s share of that interval\u2019s samples (colour on a log scale, darkest = the largest share shown; grey = none). Drag across to zoom into a time range; click a row for its callers, callees and source.' }),
    heatWrap));

  var flame = el('canvas', { id: 'flame' });
  var flameNote = el('div', { class: 'note', id: 'flame-note' });
  body.appendChild(el('section', { id: 'flame-sec' }, el('h2', { text: 'Flame graph (icicle) of the selection' }),
    flameNote, el('div', { id: 'flame-wrap' }, flame)));

  var thead = el('thead'), tbody = el('tbody'), tableNote = el('div', { class: 'note', id: 'table-note' });
  var headRow = el('tr');
  COLS.forEach(function (c) {
    var th = el('th', { class: c.cls || null, 'data-key': c.key, text: c.label });
    th.addEventListener('click', function () {
      if (st.sortKey === c.key) st.sortDir = -st.sortDir;
      else { st.sortKey = c.key; st.sortDir = c.text ? 1 : -1; }
      sel.rows = null;
      renderRowsViews();
    });
    headRow.appendChild(th);
  });
  thead.appendChild(headRow);
  var drill = el('section', { id: 'drill' });
  body.appendChild(el('div', { id: 'lower' },
    el('section', { id: 'table-sec' }, el('h2', { text: 'Functions' }), tableNote,
      el('div', { id: 'table-wrap' }, el('table', { id: 'ftable' }, thead, tbody))),
    drill));
  var tooltip = el('div', { id: 'tooltip', hidden: '' });
  body.appendChild(tooltip);

  function showTip(ev, lines) {
    clear(tooltip);
    lines.forEach(function (ln, x) { tooltip.appendChild(el('div', { class: x === 0 ? 'tt-title' : null, text: ln })); });
    tooltip.hidden = false;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var x0 = ev.clientX + 14, y0 = ev.clientY + 14;
    if (x0 + w > window.innerWidth - 4) x0 = Math.max(4, ev.clientX - w - 14);
    if (y0 + h > window.innerHeight - 4) y0 = Math.max(4, ev.clientY - h - 14);
    tooltip.style.left = x0 + 'px';
    tooltip.style.top = y0 + 'px';
  }
  function hideTip() { tooltip.hidden = true; }

  function locText(f) { return fFile[f] + ':' + fFirst[f]; }

  // file:line links: vscode://file/PATH:LINE and the plain path (file://)
  function locLinks(f, line) {
    var raw = RAW[fFileId[f]], ln = line === undefined ? fFirst[f] : line;
    var span = el('span', { class: 'locs' });
    if (raw.charAt(0) === '/') {
      span.appendChild(el('a', { class: 'vscode', href: 'vscode://file' + encodePath(raw) + ':' + ln,
        title: 'open in VS Code', text: fFile[f] + ':' + ln }));
      span.appendChild(el('a', { class: 'plain', href: 'file://' + encodePath(raw), title: 'the file', text: 'file' }));
    } else {
      span.appendChild(el('span', { text: fFile[f] + ':' + ln }));
    }
    return span;
  }

  // ---- heatmap -----------------------------------------------------------------

  var heatGeom = null;

  function heatMatrix(frows, ncols) {
    var K = frows.length, nbs = st.b1 - st.b0;
    var rowOf = new Int32Array(nf).fill(-1);
    frows.forEach(function (f, r) { rowOf[f] = r; });
    var own = new Float64Array(K * ncols), tot = new Float64Array(K * ncols), colN = new Float64Array(ncols);
    // rows on each used leaf's path (once each, as offsets into the matrix),
    // and its innermost row; -1 for leaves outside the selection
    var lrStart = new Int32Array(nleaves + 1), lrArr = [], leafOwn = new Int32Array(nleaves).fill(-1);
    var stamp = new Int32Array(K), ok = new Int8Array(nleaves);
    for (var l = 0; l < nleaves; l++) {
      lrStart[l] = lrArr.length;
      if (!sel.leafCnt[l]) continue;
      ok[l] = 1;
      var n = lfNode[l], r = rowOf[nFunc[n]];
      leafOwn[l] = r >= 0 ? r * ncols : -1;
      for (; n > 0; n = nParent[n]) {
        r = rowOf[nFunc[n]];
        if (r >= 0 && stamp[r] !== l + 1) { stamp[r] = l + 1; lrArr.push(r * ncols); }
      }
    }
    lrStart[nleaves] = lrArr.length;
    var lr = Int32Array.from(lrArr);
    for (var bk = st.b0; bk < st.b1; bk++) {
      var col = Math.floor((bk - st.b0) * ncols / nbs), sum = 0;
      for (var c = cellStart[bk], ce = cellStart[bk + 1]; c < ce; c++) {
        l = cellLeaf[c];
        if (!ok[l]) continue;
        var cnt = cellCnt[c];
        sum += cnt;
        for (var x = lrStart[l], xe = lrStart[l + 1]; x < xe; x++) tot[lr[x] + col] += cnt;
        if (leafOwn[l] >= 0) own[leafOwn[l] + col] += cnt;
      }
      colN[col] += sum;
    }
    return { own: own, tot: tot, colN: colN };
  }

  function fitText(ctx, s, w) {
    if (ctx.measureText(s).width <= w) return s;
    var lo = 0, hi = s.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(s.slice(0, mid) + '\u2026').width <= w) lo = mid; else hi = mid - 1;
    }
    return lo > 0 ? s.slice(0, lo) + '\u2026' : '';
  }

  function niceStep(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x))), m = x / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function renderHeat() {
    var frows = rows().slice(0, HEAT_ROWS), K = frows.length;
    var cssW = Math.max(480, heatWrap.clientWidth), plotW = cssW - LABEL_W - 8;
    var nbs = st.b1 - st.b0, ncols = Math.max(1, Math.min(nbs, Math.floor(plotW)));
    var colW = plotW / ncols, cssH = Math.max(K, 1) * ROW_H + AXIS_H + 4;
    var dpr = window.devicePixelRatio || 1;
    heat.width = Math.round(cssW * dpr);
    heat.height = Math.round(cssH * dpr);
    heat.style.width = cssW + 'px';
    heat.style.height = cssH + 'px';
    var ctx = heat.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, cssW, cssH);
    ctx.font = '12px system-ui, "DejaVu Sans", sans-serif';
    ctx.textBaseline = 'middle';
    var m = heatMatrix(frows, ncols), mat = st.metric === 'own' ? m.own : m.tot, max = 0, r, c;
    for (r = 0; r < K; r++) for (c = 0; c < ncols; c++) if (m.colN[c]) max = Math.max(max, mat[r * ncols + c] / m.colN[c]);
    // the cells, as pixels (device pixels: putImageData ignores the transform)
    if (K) {
      var px0 = Math.round(LABEL_W * dpr), py0 = Math.round(2 * dpr);
      var pw = Math.max(1, Math.round((LABEL_W + plotW) * dpr) - px0), ph = Math.round(K * ROW_H * dpr);
      var img = ctx.createImageData(pw, ph), pix = new Uint32Array(img.data.buffer);
      var LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
      function rgba(cr, cg, cb) {
        return LE ? ((255 << 24) | (cb << 16) | (cg << 8) | cr) >>> 0 : ((cr << 24) | (cg << 16) | (cb << 8) | 255) >>> 0;
      }
      pix.fill(0xffffffff);
      var empty = rgba(241, 241, 241), lutPix = new Uint32Array(256);
      for (var q = 0; q < 256; q++) lutPix[q] = rgba(HEAT_LUT[3 * q], HEAT_LUT[3 * q + 1], HEAT_LUT[3 * q + 2]);
      var colX = new Int32Array(ncols + 1);
      for (c = 0; c <= ncols; c++) colX[c] = Math.min(pw, Math.round(c * colW * dpr));
      var rowPix = Math.round(ROW_H * dpr), gap = Math.max(1, Math.round(dpr));
      for (r = 0; r < K; r++) {
        for (c = 0; c < ncols; c++) {
          var n0 = m.colN[c];
          if (!n0) continue;
          var v0 = mat[r * ncols + c];
          var color = v0 ? lutPix[Math.round(heatLevel(v0 / n0, max) * 255)] : empty;
          var xa = colX[c], xb = Math.min(pw, Math.max(colX[c + 1], xa + 1));
          for (var yy = r * rowPix + gap, ye = Math.min((r + 1) * rowPix, ph); yy < ye; yy++)
            pix.fill(color, yy * pw + xa, yy * pw + xb);
        }
      }
      ctx.putImageData(img, px0, py0);
    }
    for (r = 0; r < K; r++) {
      var f = frows[r], y = 2 + r * ROW_H;
      if (f === st.sel) { ctx.fillStyle = '#dbe6ff'; ctx.fillRect(0, y, LABEL_W - 4, ROW_H); }
      ctx.fillStyle = isMatch(f) ? '#a0009a' : '#222';
      var lbl0 = fitText(ctx, fName[f], LABEL_W - 10), lw = ctx.measureText(lbl0).width;
      ctx.fillText(lbl0, 4, y + ROW_H / 2);
      var where = fFile[f].slice(fFile[f].lastIndexOf('/') + 1) + ':' + fFirst[f];
      if (lw + 30 < LABEL_W - 10) {
        ctx.fillStyle = '#888';
        ctx.fillText(fitText(ctx, where, LABEL_W - 16 - lw), 10 + lw, y + ROW_H / 2);
      }
    }
    if (!K) {
      ctx.fillStyle = '#666';
      ctx.fillText(sel.N ? 'no function matches the filter' : 'no samples in the selection', LABEL_W + 8, 2 + ROW_H / 2);
    }
    // time axis
    var ay = 2 + Math.max(K, 1) * ROW_H + 2, t0 = edge(st.b0), t1 = edge(st.b1);
    ctx.fillStyle = '#999';
    ctx.fillRect(LABEL_W, ay, plotW, 1);
    ctx.fillStyle = '#444';
    ctx.textBaseline = 'top';
    var span = Math.max(t1 - t0, 1), step = niceStep(span / Math.max(1, plotW / 90));
    for (var tt = Math.ceil(t0 / step) * step; tt <= t1; tt += step) {
      var px = LABEL_W + (tt - t0) / span * plotW;
      ctx.fillRect(px, ay, 1, 4);
      var lbl = (tt / 1e9).toFixed(Math.max(0, Math.ceil(-Math.log10(step / 1e9)))) + ' s';
      var wl = ctx.measureText(lbl).width;
      ctx.fillText(lbl, Math.min(Math.max(px - wl / 2, LABEL_W), cssW - wl - 2), ay + 6);
    }
    heatGeom = { frows: frows, m: m, ncols: ncols, colW: colW, plotW: plotW, cssW: cssW, cssH: cssH, nbs: nbs };
  }

  function colBuckets(c) {   // the buckets [a, b) of column c
    var g = heatGeom;
    return [st.b0 + Math.floor(c * g.nbs / g.ncols), st.b0 + Math.floor((c + 1) * g.nbs / g.ncols)];
  }

  function heatHit(ev) {
    var rect = heat.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top;
    var r = Math.floor((y - 2) / ROW_H), c = Math.floor((x - LABEL_W) / heatGeom.colW);
    return { x: x, y: y, row: r >= 0 && r < heatGeom.frows.length ? r : -1,
      col: x >= LABEL_W && c >= 0 && c < heatGeom.ncols ? c : -1 };
  }

  var drag = null;
  heat.addEventListener('mousedown', function (ev) {
    if (ev.button !== 0) return;
    var h = heatHit(ev);
    drag = { x0: h.x, x1: h.x, moved: false, hit: h };
    ev.preventDefault();
  });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var rect = heat.getBoundingClientRect();
    drag.x1 = ev.clientX - rect.left;
    if (Math.abs(drag.x1 - drag.x0) >= 4 && drag.x0 >= LABEL_W) {
      drag.moved = true;
      var a = Math.max(LABEL_W, Math.min(drag.x0, drag.x1)), b = Math.min(LABEL_W + heatGeom.plotW, Math.max(drag.x0, drag.x1));
      heatSel.style.display = 'block';
      heatSel.style.left = a + 'px';
      heatSel.style.width = Math.max(0, b - a) + 'px';
      heatSel.style.height = heatGeom.cssH + 'px';
    }
  });
  window.addEventListener('mouseup', function () {
    if (!drag) return;
    var d = drag;
    drag = null;
    heatSel.style.display = 'none';
    if (d.moved) {
      var a = Math.max(LABEL_W, Math.min(d.x0, d.x1)), b = Math.min(LABEL_W + heatGeom.plotW, Math.max(d.x0, d.x1));
      var c0 = Math.max(0, Math.floor((a - LABEL_W) / heatGeom.colW));
      var c1 = Math.min(heatGeom.ncols, Math.ceil((b - LABEL_W) / heatGeom.colW));
      if (c1 > c0) setRange(colBuckets(c0)[0], colBuckets(c1 - 1)[1]);
    } else if (d.hit.row >= 0) {
      select(heatGeom.frows[d.hit.row]);
    }
  });
  heat.addEventListener('mousemove', function (ev) {
    if (drag && drag.moved) { hideTip(); return; }
    var h = heatHit(ev);
    if (h.row < 0) { hideTip(); return; }
    var f = heatGeom.frows[h.row];
    var lines = [fName[f], locText(f)];
    if (h.col >= 0) {
      var bb = colBuckets(h.col), n = heatGeom.m.colN[h.col], K2 = heatGeom.ncols;
      var o = heatGeom.m.own[h.row * K2 + h.col], t = heatGeom.m.tot[h.row * K2 + h.col];
      lines.push('time ' + sec(edge(bb[0])) + '\u2013' + sec(edge(bb[1])) + ' s');
      lines.push('samples: ' + o + ' own, ' + t + ' total of ' + n + ' in this interval');
      lines.push('own ' + share(o, n));
      lines.push('total ' + share(t, n));
    } else {
      lines.push('samples: ' + sel.fOwn[f] + ' own, ' + sel.fTot[f] + ' total of ' + sel.N);
      lines.push('own ' + share(sel.fOwn[f], sel.N));
      lines.push('total ' + share(sel.fTot[f], sel.N));
    }
    showTip(ev, lines);
  });
  heat.addEventListener('mouseleave', hideTip);

  // ---- flame graph (icicle) ---------------------------------------------------------

  function flameTree() {
    if (sel.flame) return sel.flame;
    var mOf = new Int32Array(nn).fill(-1), mParent = [-1], mFunc = [-1], mSelf = [0], map = new Map();
    mOf[0] = 0;
    for (var n = 1; n < nn; n++) {
      if (!sel.sub[n]) continue;
      var pm = mOf[nParent[n]], key = pm * nf + nFunc[n], m = map.get(key);
      if (m === undefined) {
        m = mParent.length;
        map.set(key, m);
        mParent.push(pm); mFunc.push(nFunc[n]); mSelf.push(0);
      }
      mOf[n] = m;
      mSelf[m] += sel.nodeCnt[n];
    }
    var M2 = mParent.length, mTot = Float64Array.from(mSelf), kids = [];
    for (var i2 = 0; i2 < M2; i2++) kids.push([]);
    for (m = M2 - 1; m >= 1; m--) { mTot[mParent[m]] += mTot[m]; kids[mParent[m]].push(m); }
    kids.forEach(function (ks) {
      ks.sort(function (a, b) { return cmpStr(fName[mFunc[a]], fName[mFunc[b]]) || cmpStr(fFile[mFunc[a]], fFile[mFunc[b]]); });
    });
    sel.flame = { parent: mParent, func: mFunc, self: mSelf, tot: mTot, kids: kids, rects: [] };
    return sel.flame;
  }

  function flameZoomNode(ft) {   // st.flameZoom (a path of functions) in this tree
    var m = 0;
    for (var i2 = 0; i2 < st.flameZoom.length; i2++) {
      var want = st.flameZoom[i2], found = -1;
      ft.kids[m].forEach(function (k2) { if (ft.func[k2] === want) found = k2; });
      if (found < 0) return 0;
      m = found;
    }
    return m;
  }

  function renderFlame() {
    var ft = flameTree(), z = flameZoomNode(ft);
    var cssW = Math.max(480, flame.parentNode.clientWidth || heatWrap.clientWidth);
    var chain = [];
    for (var a = z; a > 0; a = ft.parent[a]) chain.unshift(a);
    var rects = [], total = ft.tot[z] || 1, maxRow = 0, cut = false;
    // the root and the zoomed frame's ancestors, full width
    rects.push({ m: 0, x: 0, w: cssW, row: 0, faded: z !== 0 });
    chain.forEach(function (m, k2) { rects.push({ m: m, x: 0, w: cssW, row: k2 + 1, faded: m !== z }); });
    maxRow = chain.length;
    var stack = [[z, 0, cssW, chain.length]];
    while (stack.length) {
      var e = stack.pop(), m2 = e[0], x = e[1], row = e[3];
      if (row + 1 >= FLAME_MAX_ROWS) { cut = cut || ft.kids[m2].length > 0; continue; }
      var kx = x;
      ft.kids[m2].forEach(function (k2) {
        var w = ft.tot[k2] / total * cssW;
        if (w >= 0.35) {
          rects.push({ m: k2, x: kx, w: w, row: row + 1, faded: false });
          if (row + 1 > maxRow) maxRow = row + 1;
          stack.push([k2, kx, w, row + 1]);
        }
        kx += w;
      });
    }
    var cssH = (maxRow + 1) * FLAME_ROW, dpr = window.devicePixelRatio || 1;
    flame.width = Math.round(cssW * dpr);
    flame.height = Math.round(cssH * dpr);
    flame.style.width = cssW + 'px';
    flame.style.height = cssH + 'px';
    var ctx = flame.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, cssW, cssH);
    ctx.font = '12px system-ui, "DejaVu Sans", sans-serif';
    ctx.textBaseline = 'middle';
    var charW = ctx.measureText('abcdefghijklmnopqrstuvwxyz').width / 26;
    rects.forEach(function (r) {
      var f = ft.func[r.m], y = r.row * FLAME_ROW;
      var name = r.m === 0 ? 'all' : fName[f];
      ctx.globalAlpha = r.faded ? 0.55 : 1;
      ctx.fillStyle = r.m === 0 || f < NP ? '#c8c8c8' : isMatch(f) ? 'rgb(230,0,230)' : flameColor(name);
      ctx.fillRect(r.x, y, Math.max(r.w - 0.5, 0.5), FLAME_ROW - 1);
      if (f === st.sel && r.m !== 0) {
        ctx.strokeStyle = '#0b57d0';
        ctx.lineWidth = 2;
        ctx.strokeRect(r.x + 1, y + 1, Math.max(r.w - 2.5, 0.5), FLAME_ROW - 3);
      }
      if (r.w > 3 * charW + 6) {
        ctx.fillStyle = '#000';
        var maxc = Math.floor((r.w - 6) / charW);
        var label = name.length <= maxc ? name : name.slice(0, Math.max(0, maxc - 1)) + '\u2026';
        ctx.fillText(label, r.x + 3, y + FLAME_ROW / 2);
      }
    });
    ctx.globalAlpha = 1;
    ft.rects = rects;
    clear(flameNote).appendChild(document.createTextNode(
      (z ? 'Zoomed into ' + fName[ft.func[z]] + ' (click the top row to zoom out). ' : 'Click a frame to zoom into it. ') +
      (st.text ? 'Functions matching the filter are magenta. ' : '') +
      (cut ? 'Deeper frames than ' + FLAME_MAX_ROWS + ' rows are not drawn.' : '')));
  }

  function flameHit(ev) {
    var ft = sel.flame, rect = flame.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top;
    var row = Math.floor(y / FLAME_ROW);
    for (var i2 = ft.rects.length - 1; i2 >= 0; i2--) {
      var r = ft.rects[i2];
      if (r.row === row && x >= r.x && x < r.x + r.w) return r;
    }
    return null;
  }

  flame.addEventListener('mousemove', function (ev) {
    var r = flameHit(ev);
    if (!r) { hideTip(); return; }
    var ft = sel.flame, f = ft.func[r.m], t = ft.tot[r.m];
    var lines = r.m === 0 ? ['all', t + ' samples'] : [fName[f]];
    if (r.m !== 0) {
      if (f >= NP) lines.push(locText(f));
      lines.push('samples: ' + t + ' (own ' + ft.self[r.m] + ')');
      lines.push(share(t, sel.N) + ' of the selection');
      lines.push('time ' + sec(edge(st.b0)) + '\u2013' + sec(edge(st.b1)) + ' s');
    }
    showTip(ev, lines);
  });
  flame.addEventListener('mouseleave', hideTip);
  flame.addEventListener('click', function (ev) {
    var r = flameHit(ev);
    if (!r) return;
    var ft = sel.flame;
    if (r.m === 0 || r.faded) {
      // zoom out to the clicked ancestor
      var path = [];
      for (var a = r.m; a > 0; a = ft.parent[a]) path.unshift(ft.func[a]);
      st.flameZoom = path;
    } else {
      var p2 = [];
      for (var b2 = r.m; b2 > 0; b2 = ft.parent[b2]) p2.unshift(ft.func[b2]);
      st.flameZoom = p2;
    }
    renderFlame();
    var f = ft.func[r.m];
    if (r.m !== 0 && f >= NP) select(f);
  });

  // ---- drill-down ------------------------------------------------------------------

  function callersCallees(f) {
    var callers = new Float64Array(nf), callees = new Float64Array(nf);
    var onCaller = new Int32Array(nf), onCallee = new Int32Array(nf), mark = new Int32Array(nn);
    var sub = sel.sub;
    walk(function (n) { return !sub[n]; }, function (n) {
      var p = nParent[n];
      mark[n] = 0;
      if (p <= 0) return;
      var g = nFunc[p], h = nFunc[n];
      if (h === f && g !== f) { if (onCaller[g]++ === 0) callers[g] += sub[n]; mark[n] |= 1; }
      if (g === f && h !== f) { if (onCallee[h]++ === 0) callees[h] += sub[n]; mark[n] |= 2; }
    }, function (n) {
      if (mark[n] & 1) onCaller[nFunc[nParent[n]]]--;
      if (mark[n] & 2) onCallee[nFunc[n]]--;
    });
    return { callers: callers, callees: callees };
  }

  // per line of a file: samples with a frame there (once each) and innermost there
  function fileHeat(fileId) {
    var tot = new Map(), own = new Map(), on = new Map(), sub = sel.sub;
    function inFile(n) { return fFileId[nFunc[n]] === fileId && nFunc[n] >= NP; }
    walk(function (n) { return !sub[n]; }, function (n) {
      if (!inFile(n)) return;
      var ln = lNo[nLine[n]], c = on.get(ln) || 0;
      if (c === 0) tot.set(ln, (tot.get(ln) || 0) + sub[n]);
      on.set(ln, c + 1);
      if (sel.nodeCnt[n]) own.set(ln, (own.get(ln) || 0) + sel.nodeCnt[n]);
    }, function (n) {
      if (!inFile(n)) return;
      var ln = lNo[nLine[n]];
      on.set(ln, on.get(ln) - 1);
    });
    return { tot: tot, own: own };
  }

  function funcTable(cls, vals, f, extra) {
    var list = [];
    for (var g = NP; g < nf; g++) if (vals[g] > 0) list.push(g);
    list.sort(function (a, b) { return vals[b] - vals[a] || cmpStr(fName[a], fName[b]); });
    var tb = el('tbody');
    if (extra) tb.appendChild(extra);
    list.slice(0, 50).forEach(function (g) {
      var tr = el('tr', { 'data-func': String(g) },
        el('td', { class: 'name', title: fName[g] + ' (' + locText(g) + ')', text: fName[g] }),
        el('td', { text: fmtInt(vals[g]) }),
        el('td', { text: pct(vals[g], sel.N) }),
        el('td', { text: pct(vals[g], sel.fTot[f]) }));
      tr.addEventListener('click', function () { select(g); });
      tb.appendChild(tr);
    });
    if (!list.length && !extra) tb.appendChild(el('tr', null, el('td', { class: 'empty', colspan: '4', text: 'none' })));
    return el('table', { class: cls },
      el('thead', null, el('tr', null, el('th', { text: 'Function' }), el('th', { text: 'Samples' }),
        el('th', { text: '% of selection' }), el('th', { text: '% of this function' }))), tb);
  }

  function renderDrill() {
    clear(drill);
    var f = st.sel;
    if (f < 0) {
      drill.appendChild(el('h2', { text: 'Drill-down' }));
      drill.appendChild(el('div', { class: 'empty', text: 'Click a function (heatmap row, table row or flame frame) to see its callers, callees, hottest lines and source.' }));
      return;
    }
    var N = sel.N, own = sel.fOwn[f], tot = sel.fTot[f];
    drill.appendChild(el('h2', { id: 'drill-name', text: fName[f] }));
    drill.appendChild(el('div', { id: 'drill-loc' }, locLinks(f)));
    drill.appendChild(el('div', { class: 'stats', id: 'drill-stats',
      text: 'own ' + own + ' samples, ' + share(own, N) + ' \u00b7 total ' + tot + ' samples, ' + share(tot, N) }));
    var cc = callersCallees(f);
    drill.appendChild(el('h3', { text: 'Callers' }));
    drill.appendChild(funcTable('callers', cc.callers, f));
    drill.appendChild(el('h3', { text: 'Callees' }));
    var selfRow = el('tr', { class: 'self' }, el('td', { class: 'name', text: '(own time)' }), el('td', { text: fmtInt(own) }),
      el('td', { text: pct(own, N) }), el('td', { text: pct(own, tot) }));
    drill.appendChild(funcTable('callees', cc.callees, f, selfRow));

    // hottest lines
    var lines = [];
    for (var l = 0; l < nl; l++) if (lFunc[l] === f && sel.lTot[l] > 0) lines.push(l);
    lines.sort(function (a, b) { return sel.lTot[b] - sel.lTot[a] || sel.lOwn[b] - sel.lOwn[a] || lNo[a] - lNo[b]; });
    drill.appendChild(el('h3', { text: 'Hottest lines' }));
    var ltb = el('tbody');
    lines.slice(0, 20).forEach(function (l2) {
      var tr = el('tr', { 'data-line': String(lNo[l2]) },
        el('td', null, locLinks(f, lNo[l2])),
        el('td', { text: fmtInt(sel.lOwn[l2]) }), el('td', { text: pct(sel.lOwn[l2], N) }),
        el('td', { text: fmtInt(sel.lTot[l2]) }), el('td', { text: pct(sel.lTot[l2], N) }));
      tr.addEventListener('click', function (ev) { if (!ev.target.closest('a')) scrollSource(lNo[l2]); });
      ltb.appendChild(tr);
    });
    drill.appendChild(el('table', { class: 'lines' }, el('thead', null, el('tr', null, el('th', { text: 'Line' }),
      el('th', { text: 'Own' }), el('th', { text: 'Own %' }), el('th', { text: 'Total' }), el('th', { text: 'Total %' }))), ltb));

    // source with per-line heat
    drill.appendChild(el('h3', { text: 'Source: ' + fFile[f] }));
    var text = sources[fFileId[f]];
    var box = el('div', { id: 'source' });
    drill.appendChild(box);
    if (text === undefined) {
      box.appendChild(el('div', { class: 'empty', text: D.sources_skipped ? 'The source of this file was not recorded or not embedded (size budget).' : 'The source of this file was not recorded.' }));
      return;
    }
    var heatMap = fileHeat(fFileId[f]), src = text.split('\n'), maxT = 0;
    heatMap.tot.forEach(function (v) { if (v > maxT) maxT = v; });
    var fnLines = {};
    lines.forEach(function (l2) { fnLines[lNo[l2]] = 1; });
    var best = lines.length ? lNo[lines[0]] : fFirst[f];
    var from = 0, to = src.length;
    if (src.length > 20000) { from = Math.max(0, best - 2000); to = Math.min(src.length, best + 2000); }
    var frag = document.createDocumentFragment();
    for (var x = from; x < to; x++) {
      var ln = x + 1, t = heatMap.tot.get(ln) || 0, o = heatMap.own.get(ln) || 0;
      var row = el('div', { class: 'sl' + (fnLines[ln] ? ' fn' : ''), 'data-line': String(ln) },
        el('span', { class: 'ln', text: String(ln) }),
        el('span', { class: 'cnt', text: t ? o + ' / ' + t : '' }),
        el('span', { class: 'code', text: vis(src[x].replace(/\r$/, '')) || ' ' }));
      if (t) {
        row.style.background = 'rgba(255, 96, 0, ' + (0.12 + 0.55 * Math.sqrt(t / maxT)).toFixed(3) + ')';
        row.setAttribute('data-total', String(t));
        row.setAttribute('data-own', String(o));
        row.title = 'line ' + ln + ': own ' + share(o, N) + ', total ' + share(t, N);
      }
      frag.appendChild(row);
    }
    box.appendChild(frag);
    scrollSource(best);
  }

  function scrollSource(line) {
    var box = document.getElementById('source');
    if (!box) return;
    var prev = box.querySelector('.sl.target');
    if (prev) prev.classList.remove('target');
    var row = box.querySelector('.sl[data-line="' + line + '"]');
    if (!row) return;
    row.classList.add('target');
    box.scrollTop = Math.max(0, row.offsetTop - box.offsetTop - box.clientHeight / 3);
  }

  function select(f) {
    st.sel = f;
    renderDrill();
    renderTableSelection();
    renderHeat();
    renderFlame();
  }

  // ---- table -----------------------------------------------------------------------

  // the table's values: name, location, own, own %, own CI, total, total %, total CI
  function cellValues(f) {
    var N = sel.N, o = sel.fOwn[f], t = sel.fTot[f];
    return [fName[f], locText(f), fmtInt(o), pct(o, N), ci(o, N), fmtInt(t), pct(t, N), ci(t, N)];
  }

  function pctCell(p, c) {
    return el('td', { class: 'pct' }, p, el('span', { class: 'ci', text: ' (' + c + ')' }));
  }

  function renderTable() {
    var list = rows();
    clear(tbody);
    var frag = document.createDocumentFragment();
    list.slice(0, TABLE_ROWS).forEach(function (f) {
      var v = cellValues(f);
      var tr = el('tr', { 'data-func': String(f) },
        el('td', { class: 'name', title: v[0], text: v[0] }),
        el('td', { class: 'loc' }, locLinks(f)));
      tr.appendChild(el('td', { text: v[2] }));
      tr.appendChild(pctCell(v[3], v[4]));
      tr.appendChild(el('td', { text: v[5] }));
      tr.appendChild(pctCell(v[6], v[7]));
      if (f === st.sel) tr.className = 'selected';
      tr.addEventListener('click', function (ev) { if (!ev.target.closest('a')) select(f); });
      frag.appendChild(tr);
    });
    tbody.appendChild(frag);
    Array.prototype.forEach.call(headRow.children, function (th) {
      th.classList.remove('sorted-asc', 'sorted-desc');
      if (th.getAttribute('data-key') === st.sortKey) th.classList.add(st.sortDir > 0 ? 'sorted-asc' : 'sorted-desc');
    });
    tableNote.textContent = list.length + ' function' + (list.length === 1 ? '' : 's') +
      (st.text ? ' matching the filter' : '') + (list.length > TABLE_ROWS ? ' (the first ' + TABLE_ROWS + ' shown; the CSV has all)' : '') +
      '. Shares are of all ' + sel.N + ' selected samples.';
  }

  function renderTableSelection() {
    Array.prototype.forEach.call(tbody.children, function (tr) {
      tr.classList.toggle('selected', +tr.getAttribute('data-func') === st.sel);
    });
  }

  function csvField(s) {
    s = String(s);
    if (/^[=+\-@]/.test(s)) s = '\'' + s;   // not a formula in a spreadsheet
    return /[",\n\r]/.test(s) || s !== s.trim() ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function tableCsv() {
    var out = [['function', 'file', 'line', 'own_samples', 'own_pct', 'own_ci95', 'total_samples', 'total_pct', 'total_ci95'].join(',')];
    rows().forEach(function (f) {
      var v = cellValues(f);
      out.push([v[0], fFile[f], fFirst[f], v[2], v[3], v[4], v[5], v[6], v[7]].map(csvField).join(','));
    });
    return out.join('\r\n') + '\r\n';
  }

  // ---- wiring ------------------------------------------------------------------------

  function renderSummary() {
    var t0 = edge(st.b0), t1 = edge(st.b1);
    var parts = [sel.N + ' samples', sel.threads + ' thread' + (sel.threads === 1 ? '' : 's'),
      'time ' + sec(t0) + '\u2013' + sec(t1) + ' s' + (st.b0 > 0 || st.b1 < nb ? ' (zoomed; recording ' + sec(edge(0)) + '\u2013' + sec(edge(nb)) + ' s)' : ''),
      sel.funcs.length + ' functions'];
    if (st.thread >= 0) parts.push('thread ' + thTid[st.thread]);
    if (st.pid >= 0) parts.push('pid ' + st.pid);
    summary.textContent = parts.join(' \u00b7 ');
    summary.setAttribute('data-samples', String(sel.N));
    if (document.activeElement !== fFrom) fFrom.value = sec(t0);
    if (document.activeElement !== fTo) fTo.value = sec(t1);
  }

  function renderRowsViews() {
    renderTable();
    renderHeat();
    renderFlame();
  }

  function renderAll() {
    compute();
    mark('compute');
    renderSummary();
    renderTable();
    mark('table');
    renderHeat();
    mark('heatmap');
    renderFlame();
    mark('flame');
    renderDrill();
  }

  function setRange(a, b) {
    st.b0 = Math.max(0, Math.min(a, nb - 1));
    st.b1 = Math.max(st.b0 + 1, Math.min(b, nb));
    st.flameZoom = [];
    renderAll();
  }

  var textTimer = 0;
  fText.addEventListener('input', function () {
    clearTimeout(textTimer);
    textTimer = setTimeout(function () {
      st.text = fText.value.trim();
      sel.rows = null;
      renderRowsViews();
    }, 120);
  });
  fThread.addEventListener('change', function () { st.thread = +fThread.value; renderAll(); });
  fProc.addEventListener('change', function () { st.pid = +fProc.value; renderAll(); });
  function rangeFromInputs() {
    var a = parseFloat(fFrom.value), b = parseFloat(fTo.value);
    if (!isFinite(a)) a = edge(0) / 1e9;
    if (!isFinite(b)) b = edge(nb) / 1e9;
    if (b <= a) return;
    // whole buckets: the one holding `from`, through the one holding the last instant before `to`
    setRange(bucketAt(a * 1e9), bucketAt(b * 1e9 - 1) + 1);
  }
  fFrom.addEventListener('change', rangeFromInputs);
  fTo.addEventListener('change', rangeFromInputs);
  resetBtn.addEventListener('click', function () { setRange(0, nb); });
  metricSel.addEventListener('change', function () { st.metric = metricSel.value; renderHeat(); });
  pngBtn.addEventListener('click', function () {
    heat.toBlob(function (blob) { if (blob) download(blob, base + '-heatmap.png'); }, 'image/png');
  });
  csvBtn.addEventListener('click', function () {
    download(new Blob([tableCsv()], { type: 'text/csv' }), base + '-functions.csv');
  });
  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { renderHeat(); renderFlame(); }, 100);
  });

  renderAll();

  // read-only geometry and state for tests and scripts (the page never needs it)
  window.pyheat = {
    heat: function () {
      var g = heatGeom;
      return { labelW: LABEL_W, rowH: ROW_H, top: 2, plotW: g.plotW, ncols: g.ncols, colW: g.colW,
        rows: g.frows.map(function (f) { return { name: fName[f], file: fFile[f], line: fFirst[f] }; }),
        b0: st.b0, b1: st.b1, nbuckets: nb, from: edge(st.b0) / 1e9, to: edge(st.b1) / 1e9 };
    },
    flame: function () {
      var ft = sel.flame;
      return ft.rects.map(function (r) {
        var f = ft.func[r.m];
        return { name: r.m === 0 ? 'all' : fName[f], file: r.m === 0 || f < NP ? '' : fFile[f], x: r.x,
          y: r.row * FLAME_ROW, w: r.w, h: FLAME_ROW, row: r.row, samples: ft.tot[r.m], faded: r.faded,
          match: r.m !== 0 && isMatch(f) };
      });
    },
    selection: function () {
      return { samples: sel.N, threads: sel.threads, functions: sel.funcs.length, fromNs: edge(st.b0),
        toNs: edge(st.b1), b0: st.b0, b1: st.b1, from: edge(st.b0) / 1e9,
        to: edge(st.b1) / 1e9, thread: st.thread, pid: st.pid, text: st.text };
    },
    readyMs: performance.now(),
    timings: TIMINGS,
    scriptMs: performance.now() - T_START
  };
  document.documentElement.setAttribute('data-ready', '1');
})();
