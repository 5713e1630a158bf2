// The HTML report's script, inlined into the page (its hash is in the page's CSP). Plain ES2020 in a
// string (no backticks or dollar-brace inside), tested in a real browser by test/report/html.browser.test.ts.
//
// Safety: report data is read with JSON.parse from <script type="application/json"> and reaches the
// DOM only through textContent, createTextNode and setAttribute on a fixed list of attribute names
// (h() refuses on* attributes); nothing is ever assigned to innerHTML/outerHTML or written with
// document.write, and no URL is built from report data (detail links are in-page #fragments).
//
// Scale: the host table renders only the rows in view (plus a margin) between two spacer rows, so
// 10,000 hosts cost what 60 do; filtering and sorting work on the in-memory array.
export const CLIENT_JS = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('vmsnap-data').textContent);
var S = D.S, M = D.meta, RULES = D.rules;
var NA = ['unreachable', 'auth_failed', 'hostkey_mismatch', 'sudo_required', 'timeout', 'error', 'interrupted'];
var ALL = ['compliant', 'noncompliant'].concat(NA);
var SEV = { error: 0, warning: 1, info: 2 };
var NA_HELP = {
  unreachable: 'vmsnap could not open a TCP connection: check the address, the NSG/firewall rules and that sshd runs.',
  auth_failed: 'SSH authentication failed: check the user, the key (or agent) and authorized_keys on the VM.',
  hostkey_mismatch: 'The host key is not the one in known_hosts: find out why before trusting it (vmsnap keyscan shows what the VM offers).',
  sudo_required: 'The user is not root and sudo needs a password: give it passwordless sudo for the collector, or connect as root.',
  timeout: 'The host did not finish within --timeout: check its load and network, or raise --timeout.',
  error: 'The audit failed on this host: see the message.',
  interrupted: 'The run was interrupted before this host finished.'
};

function str(i) { return i < 0 ? null : S[i]; }
function fnd(t) {
  return { rule: S[t[0]], severity: S[t[1]], extensionCode: t[2], portalError: str(t[3]), path: str(t[4]), message: S[t[5]],
    consequence: S[t[6]], silent: t[7] === 1, fixable: t[8] === 1, waived: t[9] ? { justification: t[9].j, expires: t[9].e } : null, drift: str(t[10]) };
}
function isNA(s) { return NA.indexOf(s) !== -1; }
function rank(h) { return h.status === 'noncompliant' ? (h.silent ? 0 : 1) : isNA(h.status) ? 2 : 3; }

var hosts = D.hosts.map(function (r, i) {
  var findings = r.f.map(fnd);
  var counted = findings.filter(function (f) { return !f.waived; });
  var h = {
    i: i, name: r.n, address: r.a, port: r.p, user: r.u, status: r.s, durationMs: r.d,
    error: r.e ? { code: r.e[0], message: r.e[1] } : null,
    findings: findings,
    groups: r.g.map(function (x) { return S[x]; }), tags: r.t.map(function (x) { return S[x]; }),
    previousStatus: 'ps' in r ? r.ps : undefined,
    resolved: r.r ? r.r.map(fnd) : [], fixes: r.fx || null, findingsBefore: r.fb ? r.fb.map(fnd) : null, factsAt: r.x,
    errors: counted.filter(function (f) { return f.severity === 'error'; }).length,
    warnings: counted.filter(function (f) { return f.severity === 'warning'; }).length,
    silent: counted.some(function (f) { return f.silent && f.severity === 'error'; }),
    waived: findings.some(function (f) { return !!f.waived; }),
    newFindings: findings.filter(function (f) { return f.drift === 'new'; }).length
  };
  var first = counted.filter(function (f) { return f.severity === 'error'; })[0] || counted.filter(function (f) { return f.severity === 'warning'; })[0];
  h.problem = h.error ? h.error.code + ': ' + h.error.message : first ? first.rule + ': ' + first.message : '';
  h.rank = rank(h);
  h.key = (h.name + ' ' + h.address).toLowerCase();
  h.rules = {};
  findings.forEach(function (f) { h.rules[f.rule] = true; });
  h.changed = h.previousStatus !== undefined && h.previousStatus !== h.status;
  h.change = [];
  if (h.previousStatus === null) h.change.push('not in baseline');
  else if (h.changed) h.change.push('was ' + h.previousStatus);
  if (h.newFindings) h.change.push(h.newFindings + ' new');
  if (h.resolved.length) h.change.push(h.resolved.length + ' resolved');
  h.changeText = h.change.join(', ');
  return h;
});
var byName = {};
hosts.forEach(function (h) { byName[h.name] = h; });

// ---- DOM helpers: text is text ----
function add(el, c) {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) { c.forEach(function (x) { add(el, x); }); return; }
  if (typeof c === 'object' && c.nodeType) { el.appendChild(c); return; }
  el.appendChild(document.createTextNode(String(c)));
}
function attrs(el, a) {
  if (!a) return;
  Object.keys(a).forEach(function (k) {
    var v = a[k];
    if (v === null || v === undefined || v === false) return;
    if (/^on/i.test(k) || k === 'style' || k === 'srcdoc') throw new Error('refused attribute ' + k);
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.setAttribute('class', String(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  });
}
function h(tag, a) {
  var el = document.createElement(tag);
  attrs(el, a);
  for (var j = 2; j < arguments.length; j++) add(el, arguments[j]);
  return el;
}
function svg(tag, a) {
  var el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  attrs(el, a);
  for (var j = 2; j < arguments.length; j++) add(el, arguments[j]);
  return el;
}
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
function $(id) { return document.getElementById(id); }
function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }
function seconds(ms) { return ms < 1000 ? ms + ' ms' : ms < 120000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 60000) + ' min'; }
function shq(s) { return /^[A-Za-z0-9_.\/:=,@%+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'"; }
function stClass(s) { return s === 'compliant' ? 'st-compliant' : s === 'noncompliant' ? 'st-noncompliant' : 'st-na'; }

// ---- header ----
var sum = M.summary;
(function headline() {
  var bad = sum.noncompliant + sum.notAudited;
  var text;
  if (sum.hosts === 0) text = 'The report lists no hosts.';
  else if (bad === 0) text = 'All ' + plural(sum.hosts, 'VM') + ' are set up for application-consistent backups.';
  else {
    text = bad + ' of ' + plural(sum.hosts, 'VM') + ' will not get an application-consistent backup tonight, or cannot be known to: ' +
      sum.noncompliant + ' noncompliant';
    if (sum.silentFallback) text += ' (' + sum.silentFallback + ' of them silently: the portal shows success)';
    text += ', ' + sum.notAudited + ' not audited.';
  }
  $('headline').textContent = text;
  var took = Date.parse(M.finishedAt) - Date.parse(M.startedAt);
  $('runline').textContent = 'Run of ' + M.startedAt + ', took ' + seconds(isNaN(took) ? 0 : took) + ', vmsnap ' + M.tool.version +
    (M.source ? ' \u00b7 rendered from ' + M.source : '');
})();

// ---- filters ----
var state = { status: '', group: '', tag: '', rule: '', change: '', q: '', sort: 'rank', desc: false, selected: null };
var STATUS_FILTERS = {
  '': function () { return true; },
  hosts: function () { return true; },
  attention: function (h) { return h.status !== 'compliant'; },
  notAudited: function (h) { return isNA(h.status); },
  silentFallback: function (h) { return h.silent; },
  errors: function (h) { return h.errors > 0; },
  warnings: function (h) { return h.warnings > 0; },
  waived: function (h) { return h.waived; },
  fixesPlanned: function (h) { return !!(h.fixes && h.fixes.length); },
  fixesApplied: function (h) { return !!(h.fixes && h.fixes.some(function (x) { return x.applied; })); }
};
ALL.forEach(function (s) { STATUS_FILTERS[s] = function (h) { return h.status === s; }; });
var CHANGE_FILTERS = {
  '': function () { return true; },
  newFindings: function (h) { return h.newFindings > 0; },
  resolvedFindings: function (h) { return h.resolved.length > 0; },
  statusChanged: function (h) { return h.changed; },
  added: function (h) { return h.previousStatus === null; }
};

function uniq(list) { var seen = {}; var out = []; list.forEach(function (x) { if (!seen[x]) { seen[x] = true; out.push(x); } }); return out.sort(); }
var allGroups = uniq([].concat.apply([], hosts.map(function (x) { return x.groups; })));
var allTags = uniq([].concat.apply([], hosts.map(function (x) { return x.tags; })));
var ruleCounts = {};
var ruleSev = {};
hosts.forEach(function (x) {
  x.findings.forEach(function (f) {
    if (f.waived) return;
    ruleCounts[f.rule] = (ruleCounts[f.rule] || 0) + 1;
    if (ruleSev[f.rule] === undefined || SEV[f.severity] < SEV[ruleSev[f.rule]]) ruleSev[f.rule] = f.severity;
  });
});
var allRules = uniq([].concat.apply([], hosts.map(function (x) { return Object.keys(x.rules); })));

function select(id, label, options, value) {
  var s = h('select', { id: id, name: id });
  options.forEach(function (o) { s.appendChild(h('option', { value: o[0] }, o[1])); });
  s.value = value;
  return h('label', null, label, s);
}
var statusOptions = [['', 'all'], ['attention', 'not compliant'], ['compliant', 'compliant'], ['noncompliant', 'noncompliant'], ['silentFallback', 'silent fallback'], ['notAudited', 'not audited (any cause)']]
  .concat(NA.map(function (s) { return [s, 'not audited: ' + s]; }))
  .concat([['errors', 'with errors'], ['warnings', 'with warnings'], ['waived', 'with waived findings']])
  .concat(M.summary.fixesPlanned !== undefined ? [['fixesPlanned', 'with fixes planned'], ['fixesApplied', 'with fixes applied']] : []);
var filters = $('filters');
add(filters, [
  h('label', null, 'Search ', h('input', { type: 'search', id: 'q', name: 'q', placeholder: 'host name or address', autocomplete: 'off', spellcheck: 'false' })),
  select('f-status', 'Status ', statusOptions, ''),
  allGroups.length ? select('f-group', 'Group ', [['', 'all']].concat(allGroups.map(function (g) { return [g, g]; })), '') : null,
  allTags.length ? select('f-tag', 'Tag ', [['', 'all']].concat(allTags.map(function (g) { return [g, g]; })), '') : null,
  select('f-rule', 'Rule ', [['', 'all']].concat(allRules.map(function (r) { return [r, r + (ruleCounts[r] ? ' (' + ruleCounts[r] + ')' : '')]; })), ''),
  M.baseline ? select('f-change', 'Since baseline ', [['', 'all'], ['newFindings', 'new findings'], ['resolvedFindings', 'resolved findings'], ['statusChanged', 'status changed'], ['added', 'not in baseline']], '') : null,
  h('button', { type: 'button', class: 'plain', id: 'f-clear' }, 'Clear filters')
]);
function bind(id, key) {
  var el = $(id);
  if (!el) return;
  el.addEventListener(el.tagName === 'INPUT' ? 'input' : 'change', function () { state[key] = key === 'q' ? el.value.trim().toLowerCase() : el.value; refilter(); });
}
bind('q', 'q'); bind('f-status', 'status'); bind('f-group', 'group'); bind('f-tag', 'tag'); bind('f-rule', 'rule'); bind('f-change', 'change');
function setFilter(key, value) {
  state[key] = value;
  var id = { status: 'f-status', rule: 'f-rule', change: 'f-change', group: 'f-group', tag: 'f-tag' }[key];
  if (id && $(id)) $(id).value = value;
  refilter();
  $('hosts-section').scrollIntoView({ block: 'start' });
}
$('f-clear').addEventListener('click', function () {
  ['status', 'group', 'tag', 'rule', 'change'].forEach(function (k) { state[k] = ''; var id = 'f-' + k; if ($(id)) $(id).value = ''; });
  state.q = ''; $('q').value = '';
  refilter();
});
Array.prototype.forEach.call(document.querySelectorAll('.tile'), function (t) {
  t.addEventListener('click', function () {
    var k = t.getAttribute('data-filter');
    if (CHANGE_FILTERS[k]) setFilter('change', k); else setFilter('status', STATUS_FILTERS[k] ? k : '');
  });
});

// ---- charts (inline SVG, drawn here) ----
function barChart(el, rows, onPick, attrName) {
  var W = 560, rowH = 22, labelW = 200, numW = 50;
  var max = Math.max.apply(null, rows.map(function (r) { return r.n; }).concat([1]));
  var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + (rows.length * rowH + 4), width: '100%', role: 'img', 'aria-label': el.parentNode.querySelector('figcaption').textContent });
  rows.forEach(function (r, i) {
    var y = i * rowH + 2;
    var w = Math.max(r.n > 0 ? 2 : 0, Math.round((W - labelW - numW) * r.n / max));
    var g = svg('g', { class: 'bar' }, svg('title', null, r.label + ': ' + r.n));
    g.setAttribute(attrName, r.key);
    add(g, [
      svg('text', { x: labelW - 6, y: y + 15, 'text-anchor': 'end' }, r.label.length > 30 ? r.label.slice(0, 29) + '\u2026' : r.label),
      svg('rect', { x: labelW, y: y + 3, width: w, height: rowH - 6, rx: 2, class: r.cls }),
      svg('text', { x: labelW + w + 6, y: y + 15 }, String(r.n))
    ]);
    g.addEventListener('click', function () { onPick(r.key); });
    s.appendChild(g);
  });
  if (rows.length === 0) add(el, h('p', { class: 'muted' }, 'none'));
  else el.appendChild(s);
}
barChart($('chart-status'), ALL.filter(function (s) { return sum[s] > 0 || s === 'compliant' || s === 'noncompliant'; }).map(function (s) {
  return { key: s, label: s.replace(/_/g, ' '), n: sum[s], cls: s === 'compliant' ? 's-compliant' : s === 'noncompliant' ? 's-noncompliant' : 's-na' };
}).concat([{ key: 'silentFallback', label: 'silent fallback', n: sum.silentFallback, cls: 'sev-warning' }]), function (k) { setFilter('status', k); }, 'data-status');
var topRules = Object.keys(ruleCounts).sort(function (a, b) { return ruleCounts[b] - ruleCounts[a] || (a < b ? -1 : 1); });
barChart($('chart-rules'), topRules.slice(0, 20).map(function (r) {
  return { key: r, label: r, n: ruleCounts[r], cls: 'sev-' + ruleSev[r] };
}), function (k) { setFilter('rule', k); }, 'data-rule');
if (topRules.length > 20) add($('chart-rules'), h('p', { class: 'muted' }, (topRules.length - 20) + ' more rules in the Rule filter'));

// ---- baseline ----
if (M.baseline) {
  var ch = $('changes');
  ch.hidden = false;
  ch.className = 'changes';
  var moved = M.baseline.statusChanges.filter(function (c) { return c.from !== null; });
  var added = M.baseline.statusChanges.length - moved.length;
  add(ch, [
    h('h2', null, 'Since the baseline'),
    h('p', null, 'Compared with ' + M.baseline.file + ' (run of ' + M.baseline.startedAt + '): ' + plural(sum.newFindings || 0, 'new finding') + ', ' +
      plural(sum.resolvedFindings || 0, 'resolved finding') + ', ' + plural(moved.length, 'host') + ' changed status' + (added ? ', ' + plural(added, 'host') + ' not in the baseline' : '') + '.')
  ]);
  if (moved.length) {
    var ul = h('ul', { id: 'status-changes' });
    moved.slice(0, 200).forEach(function (c) {
      var a = h('a', { href: '#host=' + encodeURIComponent(c.host), 'data-host': c.host }, c.host);
      add(ul, h('li', null, a, ': ', h('span', { class: stClass(c.from) }, c.from), ' \u2192 ', h('span', { class: stClass(c.to) }, c.to)));
    });
    if (moved.length > 200) add(ul, h('li', { class: 'muted' }, 'and ' + (moved.length - 200) + ' more: filter the table by "status changed"'));
    ch.appendChild(ul);
  }
}

// ---- the host table, rendering only the rows in view ----
var COLS = [
  { key: 'name', label: 'Host', col: 'c-host' },
  { key: 'rank', label: 'Status', col: 'c-status' },
  { key: 'errors', label: 'Errors', col: 'c-n' },
  { key: 'warnings', label: 'Warnings', col: 'c-n' },
  { key: 'groups', label: 'Groups', col: 'c-groups' },
  { key: 'problem', label: 'First problem', col: 'c-problem' }
];
if (M.baseline) COLS.push({ key: 'changeText', label: 'Since baseline', col: 'c-groups' });
var table = $('hosts'), thead = table.tHead, tbody = table.tBodies[0], wrap = $('table-wrap');
var colgroup = h('colgroup');
COLS.forEach(function (c) { colgroup.appendChild(h('col', { class: c.col })); });
table.insertBefore(colgroup, thead);
var headRow = h('tr');
COLS.forEach(function (c) {
  var th = h('th', { scope: 'col', 'data-sort': c.key, tabindex: 0 }, c.label);
  th.addEventListener('click', function () { sortBy(c.key); });
  th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(c.key); });
  headRow.appendChild(th);
});
thead.appendChild(headRow);
function sortBy(key) {
  if (state.sort === key) state.desc = !state.desc; else { state.sort = key; state.desc = key === 'errors' || key === 'warnings'; }
  refilter();
}
function cmp(a, b) {
  var k = state.sort, x = a[k], y = b[k], r;
  if (k === 'groups') { x = x.join(','); y = y.join(','); }
  r = typeof x === 'number' ? x - y : x < y ? -1 : x > y ? 1 : 0;
  if (state.desc) r = -r;
  return r || (a.rank - b.rank) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

var view = hosts.slice();
var rowH = 29, renderAll = false, lastRange = '';
function match(x) {
  if (!STATUS_FILTERS[state.status](x)) return false;
  if (state.group && x.groups.indexOf(state.group) === -1) return false;
  if (state.tag && x.tags.indexOf(state.tag) === -1) return false;
  if (state.rule && !x.rules[state.rule]) return false;
  if (state.change && !CHANGE_FILTERS[state.change](x)) return false;
  if (state.q && x.key.indexOf(state.q) === -1) return false;
  return true;
}
function refilter() {
  view = hosts.filter(match);
  view.sort(cmp);
  Array.prototype.forEach.call(headRow.children, function (th) {
    var on = th.getAttribute('data-sort') === state.sort;
    th.className = on ? 'sorted' + (state.desc ? ' desc' : '') : '';
    th.setAttribute('aria-sort', on ? (state.desc ? 'descending' : 'ascending') : 'none');
  });
  Array.prototype.forEach.call(document.querySelectorAll('.tile'), function (t) {
    var k = t.getAttribute('data-filter');
    t.classList.toggle('on', k !== '' && (k === state.status || k === state.change));
  });
  $('shown').textContent = view.length === hosts.length ? plural(hosts.length, 'host') : view.length + ' of ' + plural(hosts.length, 'host') + ' shown';
  lastRange = '';
  wrap.scrollTop = 0;
  draw();
  writeHash();
}
function cell(text, cls, title) { return h('td', { class: cls, title: title }, text); }
function row(x) {
  var audited = !isNA(x.status);
  var tr = h('tr', { class: 'row' + (state.selected === x.name ? ' selected' : ''), 'data-host': x.name, 'data-status': x.status, tabindex: 0 },
    cell(x.name, null, x.name + ' (' + x.address + ')'),
    h('td', null, h('span', { class: 'badge ' + stClass(x.status) }, x.status), x.silent ? h('span', { class: 'silent', title: 'silent fallback: the portal shows success' }, ' silent') : null),
    cell(audited ? String(x.errors) : '-'),
    cell(audited ? String(x.warnings) : '-'),
    cell(x.groups.join(', '), null, x.tags.length ? 'tags: ' + x.tags.join(', ') : null),
    cell(x.problem, null, x.problem)
  );
  if (M.baseline) tr.appendChild(cell(x.changeText, x.changed || x.newFindings ? 'new' : x.resolved.length ? 'resolved' : null));
  tr.addEventListener('click', function () { showDetail(x, true); });
  tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') showDetail(x, true); });
  return tr;
}
function spacer(px) {
  var td = h('td', { colspan: COLS.length });
  td.style.height = px + 'px';
  return h('tr', { class: 'spacer', 'aria-hidden': 'true' }, td);
}
function draw() {
  var start = 0, end = view.length;
  if (!renderAll) {
    var top = wrap.scrollTop, height = wrap.clientHeight || 600;
    start = Math.max(0, Math.floor(top / rowH) - 20);
    end = Math.min(view.length, Math.ceil((top + height) / rowH) + 20);
  }
  var key = start + ':' + end;
  if (key === lastRange) return;
  lastRange = key;
  var frag = document.createDocumentFragment();
  frag.appendChild(spacer(start * rowH));
  for (var i = start; i < end; i++) frag.appendChild(row(view[i]));
  frag.appendChild(spacer((view.length - end) * rowH));
  clear(tbody).appendChild(frag);
  var first = tbody.querySelector('tr.row');
  if (first && !renderAll) {
    var measured = first.getBoundingClientRect().height;
    if (measured > 0 && Math.abs(measured - rowH) > 0.5) { rowH = measured; lastRange = ''; draw(); }
  }
}
var ticking = false;
wrap.addEventListener('scroll', function () {
  if (ticking) return;
  ticking = true;
  requestAnimationFrame(function () { ticking = false; draw(); });
});
window.addEventListener('resize', function () { lastRange = ''; draw(); });
window.addEventListener('beforeprint', function () { renderAll = true; lastRange = ''; draw(); });
window.addEventListener('afterprint', function () { renderAll = false; lastRange = ''; draw(); });

// ---- a host's detail ----
var factsText = null, factsChunks = {};
function factsOf(x) {
  if (x.factsAt < 0) return Promise.resolve(null);
  var c = Math.floor(x.factsAt / M.factsChunk);
  if (!factsChunks[c]) {
    if (factsText === null) factsText = JSON.parse($('vmsnap-facts').textContent);
    var bin = atob(factsText[c]);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    factsChunks[c] = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(JSON.parse);
  }
  return factsChunks[c].then(function (arr) { return arr[x.factsAt % M.factsChunk]; });
}
function findPathFacts(node, path, depth) {
  if (!node || typeof node !== 'object' || depth > 8) return null;
  if (!Array.isArray(node) && node.path === path && ('lstat' in node || 'stat' in node)) return node;
  var keys = Object.keys(node);
  for (var i = 0; i < keys.length; i++) {
    var k = keys[i];
    if (k === 'parents') continue;
    var r = findPathFacts(node[k], path, depth + 1);
    if (r) return r;
  }
  return null;
}
function dl(pairs) {
  var d = h('dl');
  pairs.forEach(function (p) { if (p && p[1] !== null && p[1] !== undefined && p[1] !== '') add(d, [h('dt', null, p[0]), h('dd', null, p[1])]); });
  return d;
}
function fixCommand(x) {
  return 'vmsnap audit -i ' + shq(M.inventory || 'INVENTORY') + ' --limit ' + shq(x.name) + ' --fix --dry-run';
}
function findingBlock(x, f, resolved) {
  var rule = RULES[f.rule] || null;
  var refusals = (x.fixes || []).filter(function (r) { return !r.applied && !r.pending && r.reason && (!f.path || r.path === f.path); });
  var applied = (x.fixes || []).filter(function (r) { return r.applied && (!f.path || r.path === f.path); });
  var fixLine;
  if (resolved) fixLine = null;
  else if (refusals.length) fixLine = '--fix refused: ' + refusals.map(function (r) { return r.path + ': ' + r.reason; }).join('; ');
  else if (applied.length) fixLine = '--fix changed it: ' + applied.map(function (r) { return r.path + ': ' + r.action + ' ' + r.from + ' \u2192 ' + r.to; }).join('; ');
  else if (f.fixable) fixLine = 'vmsnap can repair it: ' + fixCommand(x) + ' shows the change, the same without --dry-run makes it.';
  else fixLine = '--fix does not repair this: it changes only owner and mode, never a file\'s content; fix it by hand as above.';
  var code = f.extensionCode !== null ? String(f.extensionCode) + (f.portalError ? ' (portal: ' + f.portalError + ')' : '') : 'none (the extension does not report this)';
  var marks = [];
  if (f.silent && f.severity === 'error' && !f.waived) marks.push(h('span', { class: 'silent' }, ' silent fallback'));
  if (f.drift === 'new') marks.push(h('span', { class: 'new' }, ' new since baseline'));
  if (resolved) marks.push(h('span', { class: 'resolved' }, ' resolved since baseline'));
  if (f.waived) marks.push(h('span', { class: 'muted' }, ' waived'));
  var ev = null;
  if (f.path && !resolved) {
    var pre = h('pre', { class: 'evidence' }, 'loading\u2026');
    ev = h('details', { class: 'evidence-path' }, h('summary', null, 'Evidence: what the collector saw at this path'), pre);
    ev.addEventListener('toggle', function () {
      if (!ev.open || pre.getAttribute('data-loaded')) return;
      pre.setAttribute('data-loaded', '1');
      factsOf(x).then(function (facts) {
        var pf = facts ? findPathFacts(facts, f.path, 0) : null;
        pre.textContent = pf ? JSON.stringify(pf, null, 2) : 'no path facts for this path in the report (see all facts below)';
      });
    });
  }
  return h('div', { class: 'finding ' + (f.waived ? 'waived' : f.severity), 'data-rule': f.rule },
    h('h3', null, (f.waived ? 'waived ' + f.severity : f.severity) + ' \u00b7 ' + f.rule + (rule ? ': ' + rule.title : ''), marks),
    dl([
      ['Finding', f.message],
      ['Path', f.path],
      ['Extension code', code],
      ['Consequence', f.consequence],
      ['Why', rule ? rule.why : null],
      ['Fix', rule ? rule.fix : null],
      ['--fix', fixLine],
      ['Waived', f.waived ? f.waived.justification + ' (until ' + f.waived.expires + ')' : null]
    ]),
    ev
  );
}
function showDetail(x, push) {
  state.selected = x.name;
  Array.prototype.forEach.call(tbody.querySelectorAll('tr.row'), function (tr) { tr.classList.toggle('selected', tr.getAttribute('data-host') === x.name); });
  var d = clear($('detail'));
  d.hidden = false;
  d.setAttribute('data-host', x.name);
  var close = h('button', { type: 'button', class: 'plain close' }, 'Close');
  close.addEventListener('click', function () { d.hidden = true; state.selected = null; writeHash(); });
  add(d, [close, h('h2', null, x.name, ' ', h('span', { class: 'badge ' + stClass(x.status) }, x.status))]);
  add(d, dl([
    ['Connects as', x.user + '@' + x.address + ':' + x.port],
    ['Status', x.status + (x.previousStatus ? ' (baseline: ' + x.previousStatus + ')' : x.previousStatus === null ? ' (not in the baseline)' : '')],
    ['Audit took', seconds(x.durationMs)],
    ['Groups', x.groups.join(', ')],
    ['Tags', x.tags.join(', ')]
  ]));
  if (x.error) {
    add(d, [h('h3', null, 'Not audited: ' + x.error.code), dl([
      ['Message', x.error.message],
      ['What it means', NA_HELP[x.status] || null],
      ['Consequence', 'unknown: vmsnap could not look, so nothing says tonight\'s backup will be application-consistent']
    ])]);
  }
  var counted = x.findings.slice().sort(function (a, b) { return (a.waived ? 1 : 0) - (b.waived ? 1 : 0) || SEV[a.severity] - SEV[b.severity]; });
  if (!isNA(x.status)) add(d, h('h3', null, x.findings.length ? plural(x.findings.length, 'finding') : 'No findings: the scripts run, the backup is application-consistent'));
  counted.forEach(function (f) { d.appendChild(findingBlock(x, f, false)); });
  if (x.resolved.length) {
    add(d, h('h3', null, plural(x.resolved.length, 'finding') + ' resolved since the baseline'));
    x.resolved.forEach(function (f) { d.appendChild(findingBlock(x, f, true)); });
  }
  if (x.fixes && x.fixes.length) {
    var t = h('table', { class: 'fixes' }, h('thead', null, h('tr', null, h('th', null, 'Path'), h('th', null, 'Change'), h('th', null, 'Result'))));
    var tb = h('tbody');
    x.fixes.forEach(function (r) {
      add(tb, h('tr', null, h('td', null, r.path), h('td', null, r.action + ' ' + r.from + ' \u2192 ' + r.to),
        h('td', null, (r.applied ? 'applied' : r.pending ? 'would change' : 'not changed') + (r.reason ? ': ' + r.reason : '') + (r.note ? ' (' + r.note + ')' : ''))));
    });
    t.appendChild(tb);
    add(d, [h('h3', null, '--fix'), t]);
    if (x.findingsBefore) add(d, h('p', { class: 'muted' }, 'Findings before the fix: ' + x.findingsBefore.length + ', after: ' + x.findings.length));
  }
  if (x.factsAt >= 0) {
    var pre = h('pre', { class: 'facts' }, 'loading\u2026');
    var det = h('details', { class: 'facts-all' }, h('summary', null, 'Evidence: all facts the collector gathered'), pre);
    det.addEventListener('toggle', function () {
      if (!det.open || pre.getAttribute('data-loaded')) return;
      pre.setAttribute('data-loaded', '1');
      factsOf(x).then(function (facts) { pre.textContent = JSON.stringify(facts, null, 2); });
    });
    d.appendChild(det);
  }
  if (push) writeHash();
  d.scrollIntoView({ block: 'start' });
}
// The view lives in the address (#status=noncompliant&rule=config-mode&host=vm1), so a link to the
// page opens on what the sender saw. Values are checked against what the page holds: a link is input.
var HASH_FILTERS = ['status', 'group', 'tag', 'rule', 'change'];
var hashReady = false;
function writeHash() {
  if (!hashReady) return;
  var parts = [];
  HASH_FILTERS.forEach(function (k) { if (state[k]) parts.push(k + '=' + encodeURIComponent(state[k])); });
  if ($('q').value.trim()) parts.push('q=' + encodeURIComponent($('q').value.trim()));
  if (state.selected !== null) parts.push('host=' + encodeURIComponent(state.selected));
  var next = parts.length ? '#' + parts.join('&') : '';
  if (next !== location.hash) history.replaceState(null, '', next || location.pathname + location.search);
}
function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
function fromHash() {
  var p = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var i = kv.indexOf('=');
    if (i <= 0) return;
    try { p[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* a mangled part of a link: left out */ }
  });
  var allowed = {
    status: function (v) { return own(STATUS_FILTERS, v); },
    change: function (v) { return M.baseline !== undefined && M.baseline !== null && own(CHANGE_FILTERS, v); },
    group: function (v) { return allGroups.indexOf(v) !== -1; },
    tag: function (v) { return allTags.indexOf(v) !== -1; },
    rule: function (v) { return allRules.indexOf(v) !== -1; }
  };
  HASH_FILTERS.forEach(function (k) {
    state[k] = own(p, k) && allowed[k](p[k]) ? p[k] : '';
    var el = $('f-' + k);
    if (el) el.value = state[k];
  });
  $('q').value = own(p, 'q') ? p.q : '';
  state.q = $('q').value.trim().toLowerCase();
  state.selected = null;
  refilter();
  if (own(p, 'host') && own(byName, p.host)) showDetail(byName[p.host], false);
  else $('detail').hidden = true;
  hashReady = true;
  writeHash();
}
window.addEventListener('hashchange', fromHash);

// ---- the run's metadata ----
(function meta() {
  var m = $('meta');
  var took = Date.parse(M.finishedAt) - Date.parse(M.startedAt);
  add(m, [h('h2', null, 'Run'), dl([
    ['Started', M.startedAt],
    ['Finished', M.finishedAt],
    ['Took', seconds(isNaN(took) ? 0 : took)],
    ['vmsnap', M.tool.version + ' (report schema ' + M.schemaVersion + ')'],
    ['Command', M.argv ? 'vmsnap ' + M.argv.map(shq).join(' ') : 'not recorded (rendered from a saved report)'],
    ['Inventory', M.inventory],
    ['Rendered from', M.source],
    ['Rendered at', M.renderedAt],
    ['Baseline', M.baseline ? M.baseline.file + ' (run of ' + M.baseline.startedAt + ')' : null],
    ['Waivers', M.waivers ? M.waivers.file + ': ' + plural(M.waivers.expired.length, 'expired waiver') + ', ' + plural(M.waivers.unused.length, 'unused waiver') : null]
  ])]);
  if (M.waivers && (M.waivers.expired.length || M.waivers.unused.length)) {
    var ul = h('ul');
    M.waivers.expired.forEach(function (w) { add(ul, h('li', null, 'expired ' + w.expires + ': ' + w.source + ' (' + w.rule + ')' + (w.matches ? ', no longer waives ' + plural(w.matches, 'finding') : ''))); });
    M.waivers.unused.forEach(function (w) { add(ul, h('li', null, 'unused: ' + w.source + ' (' + w.rule + ') matched no finding')); });
    m.appendChild(ul);
  }
  add(m, h('p', { class: 'muted' }, 'This page is one file: it makes no request, and the counts above are the JSON report\'s summary.'));
})();

fromHash();
document.documentElement.setAttribute('data-ready', '1');
})();
`;
