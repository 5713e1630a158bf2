/// <reference lib="dom" />
// The HTML report in a real browser (Debian's chromium driven by playwright-core), for an audit of
// real sshd VMs, some of whose config paths and keys are markup and script. The page must show every
// host with its status, tiles equal to the JSON summary, filters and search that work, a host's
// detail with its findings, the baseline's changes; make no request; log no error; run nothing
// from the report's data. And `vmsnap report` renders the same page from the saved JSON.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as yamlParse, stringify as yamlStringify } from 'yaml';
import type { Browser, Page } from 'playwright-core';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantConfig, compliantFiles, compliantFilesWithConfigMode } from '../../src/fleet/spec.js';
import type { Report } from '../../src/model/report.js';
import { describeRun, fleetUnavailable, parseReport, vmsnap } from '../e2e/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the HTML browser tests: ${CHROMIUM} is missing (apt-get install chromium)`);

// Every one of these sets window.__pwned (or opens a dialog) if it ever runs as script or markup.
const SCRIPT_PATH = '/etc/azure/<script>window.__pwned=1</script>.sh';
const IMG_PATH = '/etc/azure/"><img src=x onerror="window.__pwned=2">.sh';
const END_SCRIPT_KEY = '</script><script>window.__pwned=3</script>';
const HANDLER_KEY = '" onmouseover="window.__pwned=4" x="';
const SVG_KEY = '<svg onload=alert(5)>';

let fleet: Fleet;
let browser: Browser;
let dir: string;
let report: Report;
let html: string;
let rendered: string;
let baselineHtml: string;

const VMS = [
  { name: 'ok-1', files: compliantFiles() },
  { name: 'ok-2', files: compliantFiles() },
  { name: 'wide-config', files: compliantFilesWithConfigMode(0o644) },
  { name: 'hostile-paths', files: compliantFiles(compliantConfig({ preScriptLocation: SCRIPT_PATH, postScriptLocation: IMG_PATH })) },
  {
    name: 'hostile-keys',
    files: compliantFiles({ ...compliantConfig(), [END_SCRIPT_KEY]: 1, [HANDLER_KEY]: SVG_KEY, [SVG_KEY]: END_SCRIPT_KEY }),
  },
];

beforeAll(async () => {
  if (fleetUnavailable || !haveChromium) return;
  fleet = await startFleet({ vms: VMS });
  dir = join(fleet.dir, 'out');
  fs.mkdirSync(dir);
  // the inventory's groups and tags label the hosts (the page filters by them)
  const inv = fleet.writeInventory({ file: join(fleet.dir, 'inventory.yaml'), extraHosts: [{ name: 'gone', host: '127.0.0.1', port: 1 }] });
  const doc = yamlParse(fs.readFileSync(inv, 'utf8')) as { hosts: { name: string; groups?: string[]; tags?: string[] }[] };
  for (const h of doc.hosts) {
    h.tags = [h.name.startsWith('ok') ? 'healthy' : 'broken'];
    if (h.name.startsWith('hostile')) h.groups = ['attack'];
  }
  (doc as { groups?: unknown }).groups = { attack: {} };
  fs.writeFileSync(inv, yamlStringify(doc));
  html = join(dir, 'report.html');
  const json = join(dir, 'report.json');
  const r = await vmsnap(['audit', '-i', inv, '--known-hosts', fleet.knownHostsFile, '--output', `json=${json}`, '--output', `html=${html}`, '--quiet', '--timeout', '20']);
  if (r.code !== 3) throw new Error(`the audit should find noncompliant and unreachable hosts (exit 3):\n${describeRun(r)}`);
  report = parseReport(fs.readFileSync(json, 'utf8'));

  // `vmsnap report` of the saved JSON
  rendered = join(dir, 'rendered.html');
  const rr = await vmsnap(['report', json, '-i', inv, '-o', `html=${rendered}`]);
  if (rr.code !== 0) throw new Error(describeRun(rr));

  // a baseline run: the saved report with ok-2 made noncompliant and wide-config's finding removed,
  // so tonight's run has one status change to compliant... and one new finding
  const base = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
  const ok2 = base.hosts.find((h) => h.name === 'ok-2')!;
  const wide = base.hosts.find((h) => h.name === 'wide-config')!;
  ok2.status = 'noncompliant';
  ok2.findings = wide.findings.map((f) => ({ ...f }));
  wide.findings = [];
  wide.status = 'compliant';
  const baseFile = join(dir, 'baseline.json');
  fs.writeFileSync(baseFile, JSON.stringify(base));
  baselineHtml = join(dir, 'baseline.html');
  const rb = await vmsnap(['audit', '-i', inv, '--known-hosts', fleet.knownHostsFile, '--baseline', baseFile, '--output', `html=${baselineHtml}`, '--quiet', '--timeout', '20']);
  if (rb.code !== 3) throw new Error(describeRun(rb));

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.stop();
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

async function open(file: string, opts: { colorScheme?: 'dark' | 'light' } = {}): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: opts.colorScheme ?? 'light' });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForSelector('html[data-ready="1"]');
  return { page, problems, requests };
}

async function rows(page: Page): Promise<[string, string][]> {
  return page.$$eval('tr[data-host]', (trs) => trs.map((tr) => [tr.getAttribute('data-host')!, tr.getAttribute('data-status')!] as [string, string]));
}

async function pwned(page: Page): Promise<unknown> {
  return page.evaluate('window.__pwned');
}

describe.skipIf(fleetUnavailable || !haveChromium)('the HTML report in chromium', () => {
  it('shows every host once with its status, and tiles equal to the JSON summary', async () => {
    const { page, problems, requests } = await open(html);
    const got = await rows(page);
    expect(got.map(([n]) => n).sort()).toEqual(report.hosts.map((h) => h.name).sort());
    expect(new Map(got)).toEqual(new Map(report.hosts.map((h) => [h.name, h.status])));
    const tiles = await page.$$eval('[data-count]', (els) => els.map((e) => [e.getAttribute('data-count')!, Number(e.querySelector('.num')!.textContent)] as [string, number]));
    const summary = report.summary as unknown as Record<string, number>;
    for (const [key, n] of tiles) expect(n, key).toBe(summary[key]);
    expect(tiles.map(([k]) => k)).toEqual(expect.arrayContaining(['hosts', 'compliant', 'noncompliant', 'notAudited', 'silentFallback', 'unreachable']));
    expect(summary['unreachable']).toBe(1);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${html}`]);
    await page.close();
  });

  it('filters by status, group, tag and rule, and searches by name', async () => {
    const { page, problems } = await open(html);
    await page.selectOption('#f-status', 'noncompliant');
    const non = report.hosts.filter((h) => h.status === 'noncompliant').map((h) => h.name).sort();
    expect((await rows(page)).map(([n]) => n).sort()).toEqual(non);
    await page.selectOption('#f-status', 'notAudited');
    expect(await rows(page)).toEqual([['gone', 'unreachable']]);
    await page.click('#f-clear');
    await page.selectOption('#f-group', 'attack');
    expect((await rows(page)).map(([n]) => n).sort()).toEqual(['hostile-keys', 'hostile-paths']);
    await page.click('#f-clear');
    await page.selectOption('#f-tag', 'healthy');
    expect((await rows(page)).map(([n]) => n).sort()).toEqual(['ok-1', 'ok-2']);
    await page.click('#f-clear');
    await page.selectOption('#f-rule', 'config-mode');
    expect((await rows(page)).map(([n]) => n)).toEqual(['wide-config']);
    await page.click('#f-clear');
    await page.fill('input[type=search]', 'hostile');
    expect((await rows(page)).map(([n]) => n).sort()).toEqual(['hostile-keys', 'hostile-paths']);
    await page.fill('input[type=search]', 'no such host');
    expect(await rows(page)).toEqual([]);
    await page.fill('input[type=search]', '');
    expect(await rows(page)).toHaveLength(report.hosts.length);
    // a tile filters too
    await page.click('[data-count="compliant"]');
    expect((await rows(page)).every(([, s]) => s === 'compliant')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps the view in the address, so a link opens on the same filters and host', async () => {
    const { page, problems } = await open(html);
    await page.selectOption('#f-group', 'attack');
    await page.fill('input[type=search]', 'keys');
    await page.click('tr[data-host="hostile-keys"]');
    const hash = new URL(page.url()).hash;
    expect(hash).toBe('#group=attack&q=keys&host=hostile-keys');
    // the link, opened fresh
    const link = await browser.newPage();
    await link.goto(`file://${html}${hash}`);
    await link.waitForSelector('html[data-ready="1"]');
    expect(await rows(link)).toEqual([['hostile-keys', report.hosts.find((h) => h.name === 'hostile-keys')!.status]]);
    expect(await link.inputValue('#f-group')).toBe('attack');
    expect(await link.inputValue('input[type=search]')).toBe('keys');
    expect(await link.getAttribute('#detail', 'data-host')).toBe('hostile-keys');
    // a hand-made link is input: values the page does not hold are dropped, not applied
    await link.goto(`file://${html}#status=__proto__&rule=${encodeURIComponent('<img src=x onerror=alert(1)>')}&host=%E0%A4%A&tag=healthy`);
    await link.waitForSelector('html[data-ready="1"]');
    await expect.poll(async () => (await rows(link)).map(([n]) => n).sort()).toEqual(['ok-1', 'ok-2']);
    expect(await link.inputValue('#f-status')).toBe('');
    expect(await link.inputValue('#f-rule')).toBe('');
    expect(await link.isHidden('#detail')).toBe(true);
    expect(await pwned(link)).toBeUndefined();
    // clearing the filters and closing the detail leaves a plain address
    await page.click('#detail .close');
    await page.click('#f-clear');
    expect(new URL(page.url()).hash).toBe('');
    expect(problems).toEqual([]);
    await link.close();
    await page.close();
  });

  it("opens a host's detail: each finding with its extension code, portal error, consequence and fix", async () => {
    const { page, problems } = await open(html);
    await page.click('tr[data-host="wide-config"]');
    const detail = page.locator('#detail[data-host="wide-config"]');
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    const f = report.hosts.find((h) => h.name === 'wide-config')!.findings.find((x) => x.rule === 'config-mode')!;
    expect(text).toContain('config-mode');
    expect(text).toContain(f.message);
    expect(text).toContain(f.consequence);
    expect(text).toContain(String(f.extensionCode));
    if (f.portalError) expect(text).toContain(f.portalError);
    expect(text).toContain('--fix --dry-run');
    // the evidence: the facts the collector saw, decompressed on demand
    await page.click('#detail details.facts-all summary');
    await expect.poll(async () => page.textContent('#detail pre.facts')).toContain('"mode"');
    // an unreachable host says why
    await page.click('tr[data-host="gone"]');
    expect(await page.textContent('#detail[data-host="gone"]')).toMatch(/Not audited: ECONNREFUSED/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows hostile paths and keys as text and runs none of them', async () => {
    const { page, problems, requests } = await open(html);
    for (const name of ['hostile-paths', 'hostile-keys']) {
      await page.click(`tr[data-host="${name}"]`);
      await page.locator(`#detail[data-host="${name}"]`).waitFor();
      for (const d of await page.$$('#detail details')) await d.evaluate((el) => el.setAttribute('open', ''));
      await page.waitForTimeout(200);
      await page.hover(`tr[data-host="${name}"]`);
      await page.hover('#detail');
    }
    const all = (await page.textContent('body')) ?? '';
    await page.click('tr[data-host="hostile-paths"]');
    const detail = (await page.textContent('#detail')) ?? '';
    expect(detail).toContain(SCRIPT_PATH);
    expect(detail).toContain(IMG_PATH);
    await page.click('tr[data-host="hostile-keys"]');
    expect((await page.textContent('#detail')) ?? '').toContain(END_SCRIPT_KEY);
    expect(all.length).toBeGreaterThan(0);
    expect(await pwned(page)).toBeUndefined();
    expect(await page.$$eval('img, iframe, object, embed', (els) => els.length)).toBe(0);
    // no element anywhere carries an event-handler attribute
    const handlers = await page.$$eval('*', (els) => els.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)));
    expect(handlers).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${html}`]);
    await page.close();
  });

  it('reads in dark mode and prints every host', async () => {
    const light = await open(html, { colorScheme: 'light' });
    const dark = await open(html, { colorScheme: 'dark' });
    const bg = (p: Page) => p.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(await bg(dark.page)).not.toBe(await bg(light.page));
    await light.page.emulateMedia({ media: 'print' });
    await light.page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
    expect(await rows(light.page)).toHaveLength(report.hosts.length);
    const pdf = await light.page.pdf();
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await light.page.close();
    await dark.page.close();
  });

  it('with --baseline: what changed since, in the page and as a filter', async () => {
    const { page, problems } = await open(baselineHtml);
    const changes = (await page.textContent('#changes')) ?? '';
    expect(changes).toMatch(/Since the baseline/);
    expect(changes).toMatch(/ok-2.*noncompliant.*compliant/s);
    expect(changes).toMatch(/wide-config.*compliant.*noncompliant/s);
    await page.selectOption('#f-change', 'newFindings');
    expect((await rows(page)).map(([n]) => n)).toEqual(['wide-config']);
    await page.selectOption('#f-change', 'resolvedFindings');
    expect((await rows(page)).map(([n]) => n)).toEqual(['ok-2']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('vmsnap report renders the saved JSON as the same fleet', async () => {
    const { page, problems, requests } = await open(rendered);
    expect(new Map(await rows(page))).toEqual(new Map(report.hosts.map((h) => [h.name, h.status])));
    expect(await page.textContent('#meta')).toContain('report.json');
    await page.selectOption('#f-group', 'attack');
    expect((await rows(page)).map(([n]) => n).sort()).toEqual(['hostile-keys', 'hostile-paths']);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${rendered}`]);
    await page.close();
  });
});
