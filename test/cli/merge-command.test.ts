// `vmsnap merge`: shard reports joined, in-process through main().
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeReports } from '../../src/report/merge.js';
import { Report, SCHEMA_VERSION, summarize, type HostResult, type HostStatus } from '../../src/model/report.js';
import { jsonlHostLine, jsonlSummaryLine } from '../../src/report/jsonl.js';
import { run } from './run-main.js';
import { parseJson } from '../helpers/json.js';

const finding = { rule: 'config-mode', severity: 'error' as const, extensionCode: 1, portalError: null, message: 'mode 0644', consequence: 'falls back', silent: true, fixable: true };

function host(name: string, status: HostStatus, extra: Partial<HostResult> = {}): HostResult {
  return { name, address: `10.0.0.${name.length}`, port: 22, user: 'root', status, durationMs: 5, findings: status === 'noncompliant' ? [finding] : [], facts: null, ...extra };
}

function report(hosts: HostResult[], startedAt: string, finishedAt: string, extra: Partial<Report> = {}): Report {
  return { schemaVersion: SCHEMA_VERSION, tool: { name: 'vmsnap', version: '0.1.0' }, startedAt, finishedAt, summary: summarize(hosts), hosts, ...extra };
}

let dir: string;
const file = (name: string, content: unknown) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
};

let a: string;
let b: string;
let inv: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-merge-'));
  a = file('shard-0.json', report([host('web1', 'compliant'), host('db1', 'noncompliant')], '2026-01-10T10:00:05.000Z', '2026-01-10T10:01:00.000Z'));
  // a field this vmsnap does not know survives the merge
  const bHosts = [{ ...host('web2', 'compliant'), futureField: { x: 1 } } as HostResult];
  b = file('shard-1.json', report(bHosts, '2026-01-10T10:00:01.000Z', '2026-01-10T10:00:30.000Z'));
  inv = file(
    'inventory.yaml',
    ['hosts:', '  - {name: web1, host: 10.0.0.1}', '  - {name: web2, host: 10.0.0.2}', '  - {name: web3, host: 10.0.0.3, user: azureuser}', '  - {name: db1, host: 10.0.1.1}', ''].join('\n'),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('vmsnap merge', () => {
  it('joins shards: recomputed summary, earliest start, latest finish, exit code of the whole', async () => {
    const r = await run(['merge', a, b]);
    expect(r.code, r.err).toBe(1); // db1 is noncompliant
    expect(r.err).toBe('');
    const merged = Report.parse(JSON.parse(r.out));
    expect(merged.hosts.map((h) => h.name)).toEqual(['web1', 'db1', 'web2']);
    expect(merged.startedAt).toBe('2026-01-10T10:00:01.000Z');
    expect(merged.finishedAt).toBe('2026-01-10T10:01:00.000Z');
    expect(merged.summary).toEqual(summarize(merged.hosts));
    expect(merged.summary).toMatchObject({ hosts: 3, compliant: 2, noncompliant: 1, errors: 1, silentFallback: 1 });
    expect(parseJson<{ hosts: Record<string, unknown>[] }>(r.out).hosts[2]!.futureField).toEqual({ x: 1 });
  });

  it('with -i: inventory hosts no shard reported are added as error NOT_REPORTED, in inventory order', async () => {
    const out = path.join(dir, 'merged.json');
    const r = await run(['merge', a, b, '-i', inv, '-o', out]);
    expect(r.code).toBe(3); // a host could not be audited
    expect(r.out).toBe(''); // -o and no --format: nothing on stdout
    expect(r.err).toBe(`vmsnap: merge: 1 host of ${inv} is in no shard report, added as error NOT_REPORTED: web3\n`);
    const merged = Report.parse(JSON.parse(fs.readFileSync(out, 'utf8')));
    expect(merged.hosts.map((h) => [h.name, h.status])).toEqual([
      ['web1', 'compliant'],
      ['web2', 'compliant'],
      ['web3', 'error'],
      ['db1', 'noncompliant'],
    ]);
    expect(merged.hosts[2]).toMatchObject({ address: '10.0.0.3', user: 'azureuser', error: { code: 'NOT_REPORTED' } });
    expect(merged.summary).toMatchObject({ hosts: 4, error: 1, notAudited: 1 });
  });

  it('with -i and --limit: only the selection is expected', async () => {
    const r = await run(['merge', a, b, '-i', inv, '--limit', 'web1,web2,db1']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
  });

  it('keeps, and warns about, reported hosts outside the selection', async () => {
    const r = await run(['merge', a, b, '-i', inv, '--limit', 'web*']);
    expect(r.err).toContain(`1 host of ${inv} is in no shard report, added as error NOT_REPORTED: web3`);
    expect(r.err).toContain(`warning: 1 reported host is not in the selection of ${inv}, kept: db1`);
    expect(Report.parse(JSON.parse(r.out)).hosts.map((h: HostResult) => h.name)).toEqual(['web1', 'web2', 'web3', 'db1']);
  });

  it('reads shards written as JSON Lines too (--format jsonl, --output jsonl=FILE)', async () => {
    const r3 = report([host('db2', 'compliant')], '2026-01-10T10:00:02.000Z', '2026-01-10T10:00:40.000Z');
    const c = file('shard-2.jsonl', r3.hosts.map(jsonlHostLine).join('') + jsonlSummaryLine(r3));
    const r = await run(['merge', a, c]);
    expect(r.code, r.err).toBe(1);
    const merged = Report.parse(JSON.parse(r.out));
    expect(merged.hosts.map((h) => h.name)).toEqual(['web1', 'db1', 'db2']);
    expect(parseJson<{ hosts: Record<string, unknown>[] }>(r.out).hosts[2]!.type).toBeUndefined(); // the line's "type" is not a host field
    expect(merged.summary).toEqual(summarize(merged.hosts));

    const cut = file('cut.jsonl', r3.hosts.map(jsonlHostLine).join(''));
    const bad = await run(['merge', a, cut]);
    expect([bad.code, bad.err]).toEqual([2, `vmsnap: merge: ${cut}: the JSON Lines report has no summary line (the run that wrote it did not finish)\n`]);
  });

  it('refuses a host reported twice, naming it and its files (exit 2)', async () => {
    const c = file('shard-dup.json', report([host('db1', 'compliant'), host('web9', 'compliant')], '2026-01-10T10:00:00.000Z', '2026-01-10T10:00:10.000Z'));
    const r = await run(['merge', a, b, c, '-o', path.join(dir, 'never.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`vmsnap: merge: 1 host is in more than one report, so these are not shards of one run: db1 (${a}, ${c})\n`);
    expect(fs.existsSync(path.join(dir, 'never.json'))).toBe(false);
    expect((await run(['merge', a, a])).err).toMatch(/2 hosts are in more than one report.*web1 .*; db1/);
  });

  it('writes any format: -o FORMAT=PATH, --format table on stdout', async () => {
    const xml = path.join(dir, 'merged.xml');
    const r = await run(['merge', a, b, '-o', `junit=${xml}`, '--format', 'table']);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^3 hosts, 2 compliant, 1 noncompliant\b/);
    expect(fs.readFileSync(xml, 'utf8')).toMatch(/^<\?xml/);
  });

  it.each<[() => string[], RegExp]>([
    [() => ['merge'], /Not enough non-option arguments|name the shard reports/],
    [() => ['merge', path.join(dir, 'nope.json')], /merge: .*nope\.json: cannot read: no such file/],
    [() => ['merge', file('text.json', 'hello')], /text\.json: not a JSON report: /],
    [() => ['merge', file('other.json', { hosts: [] })], /other\.json: not a vmsnap report/],
    [() => ['merge', file('v9.json', { tool: { name: 'vmsnap' }, schemaVersion: 9 })], /v9\.json: report schema version 9 is not the one this vmsnap writes \(1\)/],
    [() => ['merge', file('bad.json', { tool: { name: 'vmsnap', version: '1' }, schemaVersion: 1, hosts: 'x' })], /bad\.json: not a valid vmsnap report: /],
    [() => ['merge', 'x.json', '--limit', 'web'], /--limit goes with -i INVENTORY/],
    [() => ['merge', 'x.json', '--shard', '1/2'], /Unknown argument: shard/],
  ])('usage errors exit 2 (%#)', async (args, message) => {
    const r = await run(args());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('mergeReports', () => {
  it('merges waiver and baseline sections, sums baseline counts', () => {
    const waiver = (source: string, matches: number) => ({ source, rule: 'config-mode', justification: 'j', expires: '2026-01-01', matches });
    const r1 = report([host('a', 'compliant')], '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', {
      waivers: { file: 'w.yaml', expired: [waiver('w.yaml:3', 1)], unused: [waiver('w.yaml:9', 0), waiver('w.yaml:12', 0)] },
      baseline: { file: 'last.json', startedAt: '2025-12-31T00:00:00Z', statusChanges: [{ host: 'a', from: 'noncompliant', to: 'compliant' }] },
    });
    r1.summary.newFindings = 2;
    r1.summary.statusChanged = 1;
    const r2 = report([host('b', 'compliant')], '2026-01-01T00:00:10Z', '2026-01-01T00:00:50Z', {
      waivers: { file: 'w.yaml', expired: [waiver('w.yaml:3', 2)], unused: [waiver('w.yaml:9', 0)] },
      baseline: { file: 'last.json', startedAt: '2025-12-31T00:00:00Z', statusChanges: [{ host: 'b', from: null, to: 'compliant' }] },
    });
    r2.summary.newFindings = 3;
    const { report: m } = mergeReports([
      { file: '1', report: r1 },
      { file: '2', report: r2 },
    ]);
    expect(m.waivers).toEqual({ file: 'w.yaml', expired: [waiver('w.yaml:3', 3)], unused: [waiver('w.yaml:9', 0)] });
    expect(m.baseline?.statusChanges).toHaveLength(2);
    expect(m.summary.newFindings).toBe(5);
    expect(m.summary.statusChanged).toBe(1);
    expect(m.summary.hosts).toBe(2);
  });
});
