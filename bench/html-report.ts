// The HTML report at fleet scale: the demo fleet's real host results (real sshd VMs, audited by
// bin/vmsnap) repeated to N hosts (every 40th made unreachable, so every kind of row is there),
// rendered by `vmsnap report big.json -o html=big.html`, then opened in Debian's chromium.
// Reports the file size, the render's wall time and peak RSS, the time to the first rows and tiles,
// and how long a search, a status filter and a scroll to the end take in the page.
//   node dist/bench/html-report.js [--hosts 10000] [--runs 3]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { demoFleet } from '../src/fleet/demo-fleet.js';
import { startFleet } from '../src/fleet/harness.js';
import { summarize, type HostResult, type Report } from '../src/model/report.js';
import { Flags, parseFlags, repoRoot } from './common.js';
import { measure } from './measure.js';

const flags = new Flags(parseFlags(process.argv.slice(2)));
const hostCount = flags.int('hosts', 10_000);
const runs = flags.int('runs', 3);
flags.done();

const vmsnap = path.join(repoRoot(), 'bin', 'vmsnap');
const fleet = await startFleet({ vms: demoFleet() });
let real: Report;
const dir = fs.mkdtempSync('/tmp/vmsnap-html-bench-');
try {
  const inventory = fleet.writeInventory();
  const r = await measure([process.execPath, vmsnap, 'audit', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--format', 'json', '-q'], {
    stdout: path.join(dir, 'real.json'),
    stderr: path.join(dir, 'real.err'),
    result: path.join(dir, 'real.m.json'),
    env: { ...process.env, HOME: fleet.dir },
  });
  if (r.exitCode !== 1) throw new Error(`the demo audit should exit 1 (noncompliant VMs), got ${r.exitCode}: ${fs.readFileSync(path.join(dir, 'real.err'), 'utf8')}`);
  real = JSON.parse(fs.readFileSync(path.join(dir, 'real.json'), 'utf8')) as Report;
} finally {
  await fleet.stop();
}

const hosts: HostResult[] = Array.from({ length: hostCount }, (_, i) => {
  const h = real.hosts[i % real.hosts.length]!;
  const name = `${h.name}-${String(i).padStart(5, '0')}`;
  if (i % 40 === 39) {
    return { ...h, name, status: 'unreachable', findings: [], facts: null, error: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${h.address}:${h.port}` } };
  }
  return { ...h, name };
});
const big: Report = { ...real, hosts, summary: summarize(hosts) };
const bigJson = path.join(dir, 'big.json');
fs.writeFileSync(bigJson, JSON.stringify(big));
const html = path.join(dir, 'big.html');
const render = await measure([process.execPath, vmsnap, 'report', bigJson, '-o', `html=${html}`], {
  stdout: path.join(dir, 'render.out'),
  stderr: path.join(dir, 'render.err'),
  result: path.join(dir, 'render.m.json'),
});
if (render.exitCode !== 0) throw new Error(`vmsnap report failed: ${fs.readFileSync(path.join(dir, 'render.err'), 'utf8')}`);

// In-page code as source text (it runs in the browser, not here): the handlers re-render
// synchronously, and the layout read after each forces the work the paint would do.
const IN_PAGE_TIMINGS = `function (name) {
  function time(fn) { var t = performance.now(); fn(); void document.body.offsetHeight; return performance.now() - t; }
  var q = document.getElementById('q');
  var search = time(function () { q.value = name; q.dispatchEvent(new Event('input')); });
  var found = document.querySelectorAll('tr[data-host]').length;
  var clear = time(function () { q.value = ''; q.dispatchEvent(new Event('input')); });
  var sel = document.getElementById('f-status');
  var filter = time(function () { sel.value = 'noncompliant'; sel.dispatchEvent(new Event('change')); });
  return { search: search, found: found, clear: clear, filter: filter, rowsInDom: document.querySelectorAll('tr[data-host]').length };
}`;
interface Timings {
  search: number;
  found: number;
  clear: number;
  filter: number;
  rowsInDom: number;
}
const SCROLLED_TO_END = `(function () {
  var rows = document.querySelectorAll('tr[data-host]'), last = rows[rows.length - 1];
  return !!last && last.getBoundingClientRect().bottom <= document.getElementById('table-wrap').getBoundingClientRect().bottom + 2;
})()`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const lines: string[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const t0 = Date.now();
    await page.goto(`file://${html}`, { waitUntil: 'commit' });
    await page.waitForSelector('tr[data-host]', { state: 'visible' });
    await page.waitForSelector('[data-count="noncompliant"]', { state: 'visible' });
    const firstRows = Date.now() - t0;
    await page.waitForSelector('html[data-ready="1"]');
    const ready = Date.now() - t0;
    const target = hosts[hostCount - 7]!.name;
    // in-page timings: the handlers re-render synchronously, the layout read forces the paint's work
    const timings = await page.evaluate<Timings>(`(${IN_PAGE_TIMINGS})(${JSON.stringify(target)})`);
    // scroll to the end of the filtered table: rows there must appear
    const t1 = Date.now();
    await page.evaluate("document.getElementById('table-wrap').scrollTop = 1e9");
    await page.waitForFunction(SCROLLED_TO_END);
    const scroll = Date.now() - t1;
    lines.push(
      `open ${run}: first rows and tiles ${firstRows} ms, script done ${ready} ms; search ${timings.search.toFixed(1)} ms (${timings.found} row), ` +
        `clear ${timings.clear.toFixed(1)} ms, status filter ${timings.filter.toFixed(1)} ms (${timings.rowsInDom} rows in the DOM), scroll to the end ${scroll} ms` +
        (errors.length ? `; ERRORS: ${errors.join(' | ')}` : ''),
    );
    await page.close();
  }
} finally {
  await browser.close();
}
const size = fs.statSync(html).size;
process.stdout.write(
  [
    `${hostCount} hosts (the ${real.hosts.length} demo VMs' real results, repeated; ${big.summary.notAudited} unreachable): ` +
      `JSON ${(fs.statSync(bigJson).size / 1e6).toFixed(1)} MB, HTML ${(size / 1e6).toFixed(1)} MB (${size} bytes)`,
    `render (vmsnap report -o html=): wall ${render.wallS.toFixed(2)} s, peak RSS ${(render.maxRssKb / 1024).toFixed(0)} MB`,
    ...lines,
  ].join('\n') + '\n',
);
fs.rmSync(dir, { recursive: true, force: true });
