// `vmsnap report FILE`: a saved JSON or JSON Lines report rendered in any format, in-process
// through main(), without connecting to anything.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonlHostLine, jsonlSummaryLine } from '../../src/report/jsonl.js';
import { mixedReport } from '../report/fixtures.js';
import { run } from './run-main.js';

let dir: string;
let json: string;
let jsonl: string;
const saved = mixedReport();
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-report-'));
  json = file('last.json', JSON.stringify(saved, null, 2));
  jsonl = file('last.jsonl', saved.hosts.map(jsonlHostLine).join('') + jsonlSummaryLine(saved));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('vmsnap report', () => {
  it('prints the table by default: every host, the summary last', async () => {
    const r = await run(['report', json]);
    expect(r.code).toBe(0);
    for (const h of saved.hosts) expect(r.out).toContain(h.name);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^4 hosts, 1 compliant, 1 noncompliant, 2 not audited/);
  });

  it('-f json gives back the saved report, from JSON and from JSON Lines alike', async () => {
    for (const f of [json, jsonl]) {
      const r = await run(['report', f, '-f', 'json']);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toEqual(saved);
    }
  });

  it('-f junit: one testcase per host', async () => {
    const r = await run(['report', jsonl, '--format', 'junit']);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(r.out) as { testsuites: { testsuite: { testcase: unknown[] } } };
    expect(doc.testsuites.testsuite.testcase).toHaveLength(saved.hosts.length);
  });

  it('-o html=FILE writes the page and nothing to stdout', async () => {
    const out = path.join(dir, 'last.html');
    const r = await run(['report', json, '-o', `html=${out}`]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toContain(`wrote html to ${out}`);
    const page = fs.readFileSync(out, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toMatch(/data-count="noncompliant"[^>]*><span class="num">1</);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it.each([
    ['a missing file', () => path.join(dir, 'nope.json'), /report: .*nope\.json: cannot read: .*no such file/i],
    ['an empty file', () => file('empty.json', ''), /report: .*empty\.json: .*the file is empty/],
    ['garbage', () => file('garbage.json', '{"tool": '), /report: .*garbage\.json: not a JSON report/],
    ['JSON that is not a vmsnap report', () => file('other.json', '{"hosts": []}'), /report: .*other\.json: not a vmsnap report/],
    ['a report of another schema version', () => file('v9.json', JSON.stringify({ ...saved, schemaVersion: 9 })), /schema version 9/],
    ['a report with a broken host', () => file('broken.json', JSON.stringify({ ...saved, hosts: [{ name: 'x' }] })), /report: .*broken\.json: not a valid vmsnap report: hosts\[0\]/],
    ['a JSON Lines file without its summary', () => file('cut.jsonl', saved.hosts.map(jsonlHostLine).join('')), /report: .*cut\.jsonl/],
  ])('%s: exit 2 and a one-line error naming the file', async (_what, make, message) => {
    const r = await run(['report', make()]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown format by name', async () => {
    const r = await run(['report', json, '-f', 'pdf']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pdf/);
  });
});
