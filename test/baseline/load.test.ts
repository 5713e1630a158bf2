import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadPreviousReport, parsePreviousReport, PreviousReportError } from '../../src/baseline/load.js';
import { jsonlHostLine, jsonlSummaryLine } from '../../src/report/jsonl.js';
import { finding, host, mixedReport } from '../report/fixtures.js';
import { parseJson } from '../helpers/json.js';

const parse = (text: string) => parsePreviousReport(text, 'last.json', '--baseline');
const failure = (text: string): string => {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof PreviousReportError) return e.message;
    throw e;
  }
  throw new Error('expected a PreviousReportError');
};

describe('parsePreviousReport', () => {
  it('reads a JSON report: schema version, hosts with name, status and findings', () => {
    const r = mixedReport();
    const p = parse(JSON.stringify(r, null, 2));
    expect(p.startedAt).toBe(r.startedAt);
    expect(p.hosts.map((h) => [h.name, h.status, h.findings.length])).toEqual(r.hosts.map((h) => [h.name, h.status, h.findings.length]));
  });

  it('reads a JSON Lines report too', () => {
    const r = mixedReport();
    const text = r.hosts.map(jsonlHostLine).join('') + jsonlSummaryLine(r);
    expect(parse(text).hosts.map((h) => h.name)).toEqual(r.hosts.map((h) => h.name));
    expect(failure(r.hosts.map(jsonlHostLine).join(''))).toBe('--baseline last.json: the JSON Lines report has no summary line (the run that wrote it did not finish)');
  });

  it('does not mind facts or fields it does not know (another vmsnap version)', () => {
    const r = { ...mixedReport(), futureField: 1 };
    r.hosts[0] = { ...r.hosts[0]!, facts: { whatever: true } as never };
    expect(() => parse(JSON.stringify(r))).not.toThrow();
  });

  it('a corrupt or wrong-schema report is a clear error', () => {
    expect(failure('')).toBe('--baseline last.json: not a vmsnap report: the file is empty');
    expect(failure('{"schemaVersion": 1, "hosts": [')).toMatch(/^--baseline last\.json: not a vmsnap report: not valid JSON/);
    expect(failure('[1,2]')).toBe('--baseline last.json: not a vmsnap report (expected the JSON written by --format json or --output json=FILE)');
    expect(failure(JSON.stringify({ ...mixedReport(), schemaVersion: 7 }))).toBe('--baseline last.json: report schema version 7 is not the one this vmsnap reads (1)');
    const bad = mixedReport();
    bad.hosts[1] = { ...bad.hosts[1]!, status: 'mostly-fine' as never };
    expect(failure(JSON.stringify(bad))).toMatch(/^--baseline last\.json: not a valid vmsnap report: hosts\[1\]\.status: /);
    const noFindings = parseJson<{ hosts: { findings?: unknown }[] }>(JSON.stringify(mixedReport()));
    delete noFindings.hosts[0]!.findings;
    expect(failure(JSON.stringify(noFindings))).toMatch(/hosts\[0\]\.findings/);
  });

  it('loadPreviousReport: a missing file names the flag', async () => {
    await expect(loadPreviousReport('/nonexistent/last.json', '--rerun-failed')).rejects.toThrow('--rerun-failed /nonexistent/last.json: cannot read the report: no such file');
    const dir = mkdtempSync(join(tmpdir(), 'vmsnap-baseline-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'last.json');
    writeFileSync(file, JSON.stringify({ ...mixedReport(), hosts: [host('a', 'noncompliant', [finding()])] }));
    expect((await loadPreviousReport(file, '--baseline')).hosts[0]!.findings[0]!.rule).toBe('config-mode');
  });
});
