import { describe, expect, it } from 'vitest';
import { HostResult, Report } from '../../src/model/report.js';
import { JsonlReporter } from '../../src/report/jsonl.js';
import { finding, host, MemorySink, mixedReport, report } from './fixtures.js';
import { schemaErrors } from './validators.js';
import { parseJson } from '../helpers/json.js';

describe('JsonlReporter', () => {
  it('writes each host line the moment the host finishes, and the summary line last', () => {
    const r = mixedReport();
    const sink = new MemorySink();
    const rep = new JsonlReporter(sink);
    // finish order differs from inventory order
    const order = [r.hosts[2]!, r.hosts[0]!, r.hosts[3]!, r.hosts[1]!];
    order.forEach((h, i) => {
      rep.onHostResult(h);
      expect(sink.chunks).toHaveLength(i + 1); // written now, not buffered until the end
      expect(JSON.parse(sink.chunks[i]!)).toMatchObject({ type: 'host', name: h.name, status: h.status });
    });
    rep.onRunEnd(r);
    expect(sink.chunks).toHaveLength(5);
    const lines = sink.text.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const summary = parseJson<{ type: string; hosts?: unknown; summary: unknown }>(lines[4]!);
    expect(summary.type).toBe('summary');
    expect(summary.hosts).toBeUndefined();
    expect(summary.summary).toEqual(r.summary);
    for (const l of lines.slice(0, 4)) {
      const { type, ...rest } = parseJson<{ type: string }>(l);
      expect(type).toBe('host');
      HostResult.parse(rest);
    }
  });

  it('reassembles into a report that validates against the printed JSON Schema and the zod model', () => {
    const r = report([host('a', 'compliant'), host('b', 'noncompliant', [finding({ message: 'line\nbreak "quoted" \u2028 é' })])]);
    const sink = new MemorySink();
    const rep = new JsonlReporter(sink);
    r.hosts.forEach((h) => rep.onHostResult(h));
    rep.onRunEnd(r);
    const lines = sink.text.split('\n');
    expect(lines.pop()).toBe(''); // newline-terminated
    const parsed = lines.map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
    const { type: _t, ...summary } = parsed.pop()!;
    const hosts = parsed.map(({ type: _h, ...h }) => h);
    const rebuilt = { ...summary, hosts };
    expect(schemaErrors(rebuilt)).toBeNull();
    expect(Report.parse(rebuilt)).toEqual(r);
  });

  it('still writes a host the run never announced before the summary', () => {
    const r = mixedReport();
    const sink = new MemorySink();
    const rep = new JsonlReporter(sink);
    rep.onHostResult(r.hosts[0]!);
    rep.onRunEnd(r);
    const types = sink.text.trimEnd().split('\n').map((l) => parseJson<{ type: string; name?: string }>(l)).map((j) => `${j.type}:${j.name ?? ''}`);
    expect(types).toEqual(['host:web-1', 'host:db-1', 'host:db-2', 'host:app-1', 'summary:']);
  });
});
