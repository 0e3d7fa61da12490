// flame.js — the script of pyheat's SVG flame graph (src/render-svg.c):
// click a frame to zoom into it (its ancestors stay, full width, faded),
// click "all" or "Reset zoom" to see everything; "Search" (or Ctrl-F, or
// ?s=TERM in the URL) highlights the frames whose function name matches a
// regular expression (a plain substring when it is not one; case-insensitive)
// and shows the share of samples they cover. Names are read with
// getAttribute and shown with textContent only.
(function () {
  'use strict';
  var svg = document.getElementById('pyheat-flame') || document.documentElement;
  var W = +svg.getAttribute('width'), PAD = 10, CHAR_W = 12 * 0.59, EPS = 1e-6;
  var details = document.getElementById('details');
  var matched = document.getElementById('matched');
  var unzoomBtn = document.getElementById('unzoom');
  var searchBtn = document.getElementById('search');
  var frames = [];
  var nodes = svg.querySelectorAll('g.f');
  for (var i = 0; i < nodes.length; i++) {
    var g = nodes[i], rect = g.querySelector('rect'), text = g.querySelector('text');
    frames.push({
      g: g, rect: rect, text: text,
      x: +rect.getAttribute('x'), w: +rect.getAttribute('width'), y: +rect.getAttribute('y'),
      name: g.getAttribute('data-n') || '', fill: rect.getAttribute('fill'),
      samples: +g.getAttribute('data-s'), title: (g.querySelector('title') || {}).textContent || ''
    });
  }
  var all = frames.length ? frames[0] : null;
  var zoomed = null, term = '';

  function fit(f, x, w) {
    var max = Math.floor((w - 6) / CHAR_W);
    var chars = Array.from(f.name);
    f.text.textContent = max < 3 ? '' : chars.length <= max ? f.name : chars.slice(0, max - 2).join('') + '..';
    f.text.setAttribute('x', (x + 3).toFixed(2));
  }

  function place(f, x, w) {
    f.rect.setAttribute('x', x.toFixed(2));
    f.rect.setAttribute('width', w.toFixed(2));
    fit(f, x, w);
  }

  function zoom(z) {
    if (!z || z === all) { unzoom(); return; }
    zoomed = z;
    var ratio = (W - 2 * PAD) / z.w;
    frames.forEach(function (f) {
      var inside = f.x >= z.x - EPS && f.x + f.w <= z.x + z.w + EPS;
      var covers = f.x <= z.x + EPS && f.x + f.w >= z.x + z.w - EPS;
      if (f.y <= z.y && inside) {
        f.g.classList.remove('hide');
        f.g.style.opacity = '';
        place(f, PAD + (f.x - z.x) * ratio, f.w * ratio);
      } else if (f.y > z.y && covers) {
        f.g.classList.remove('hide');
        f.g.style.opacity = '0.5';
        place(f, PAD, W - 2 * PAD);
      } else {
        f.g.classList.add('hide');
      }
    });
    unzoomBtn.classList.remove('hide');
    svg.setAttribute('data-zoom', z.name);
  }

  function unzoom() {
    zoomed = null;
    frames.forEach(function (f) {
      f.g.classList.remove('hide');
      f.g.style.opacity = '';
      place(f, f.x, f.w);
    });
    unzoomBtn.classList.add('hide');
    svg.removeAttribute('data-zoom');
  }

  function matcher(t) {
    try {
      var re = new RegExp(t, 'i');
      return function (s) { return re.test(s); };
    } catch (e) {
      var low = t.toLowerCase();
      return function (s) { return s.toLowerCase().indexOf(low) >= 0; };
    }
  }

  function search(t) {
    term = t || '';
    var hits = [];
    var test = term ? matcher(term) : null;
    frames.forEach(function (f) {
      var hit = !!test && f !== all && test(f.name);
      f.rect.setAttribute('fill', hit ? 'rgb(230,0,230)' : f.fill);
      if (hit) { f.g.setAttribute('data-match', '1'); hits.push(f); } else { f.g.removeAttribute('data-match'); }
    });
    if (!term) {
      matched.textContent = '';
      searchBtn.textContent = 'Search';
      svg.removeAttribute('data-search');
      return;
    }
    // the share of samples under a match, without counting nested matches twice
    hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
    var covered = 0, end = -Infinity;
    hits.forEach(function (f) {
      if (f.x >= end - EPS) { covered += f.w; end = f.x + f.w; }
      else if (f.x + f.w > end) { covered += f.x + f.w - end; end = f.x + f.w; }
    });
    var pct = all && all.w > 0 ? 100 * covered / all.w : 0;
    matched.textContent = 'Matched: ' + pct.toFixed(1) + '% (' + hits.length + ' frames)';
    searchBtn.textContent = 'Reset search';
    svg.setAttribute('data-search', term);
  }

  function ask() {
    if (term) { search(''); return; }
    var t = window.prompt('Search function names (regular expression, case-insensitive)', '');
    if (t) search(t);
  }

  frames.forEach(function (f) {
    f.g.addEventListener('click', function () { zoom(f); });
    f.g.addEventListener('mouseover', function () { details.textContent = f.title.replace(/\n/g, ' \u2014 '); });
    f.g.addEventListener('mouseout', function () { details.textContent = ' '; });
  });
  unzoomBtn.addEventListener('click', unzoom);
  searchBtn.addEventListener('click', ask);
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F')) { e.preventDefault(); ask(); }
    else if (e.key === 'Escape') { search(''); unzoom(); }
  });
  try {
    var q = new URLSearchParams(window.location.search).get('s');
    if (q) search(q);
  } catch (e) { /* no URL (inlined) */ }
  svg.setAttribute('data-ready', '1');
})();
