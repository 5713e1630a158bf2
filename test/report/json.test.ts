import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { JsonReporter } from '../../src/report/json.js';
import { mixedReport as sampleReport } from './fixtures.js';

function written(report: Report): { text: string; chunks: number } {
  const chunks: string[] = [];
  new JsonReporter({ write: (c) => void chunks.push(c) }).onRunEnd(report);
  return { text: chunks.join(''), chunks: chunks.length };
}

describe('JsonReporter', () => {
  it.each([0, 1, 3])('writes exactly JSON.stringify(report, null, 2) for %i hosts', (n) => {
    const base = sampleReport();
    const hosts = Array.from({ length: n }, (_, i) => ({ ...base.hosts[i % base.hosts.length]!, name: `h${i}` }));
    const report: Report = { ...base, hosts };
    expect(written(report).text).toBe(JSON.stringify(report, null, 2) + '\n');
  });

  it('writes host by host, not as one string', () => {
    const base = sampleReport();
    const report: Report = { ...base, hosts: Array.from({ length: 50 }, (_, i) => ({ ...base.hosts[0]!, name: `h${i}` })) };
    const out = written(report);
    expect(out.chunks).toBeGreaterThanOrEqual(50);
    expect(JSON.parse(out.text)).toEqual(report);
  });

  it('keeps strings with newlines, quotes and the placeholder-like text intact', () => {
    const base = sampleReport();
    const h = { ...base.hosts[0]!, name: 'odd', error: { code: 'X', message: 'line1\nline2 "q" vmsnap-hosts-\u0000' } };
    const report: Report = { ...base, hosts: [h] };
    expect(written(report).text).toBe(JSON.stringify(report, null, 2) + '\n');
  });
});
