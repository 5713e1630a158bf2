// The JSON report against the schema `vmsnap schema` prints, with ajv: proves the schema itself.
import { describe, expect, it } from 'vitest';
import { Report } from '../../src/model/report.js';
import { JsonReporter } from '../../src/report/json.js';
import { finding, host, MemorySink, mixedReport, report, warning } from './fixtures.js';
import { printedSchema, schemaErrors } from './validators.js';

function viaReporter(r: Report): unknown {
  const sink = new MemorySink();
  new JsonReporter(sink).onRunEnd(r);
  return JSON.parse(sink.text);
}

describe('vmsnap schema + the JSON report', () => {
  it('prints a draft 2020-12 schema that requires the contract fields and forbids unknown ones', () => {
    const s = printedSchema() as { $schema: string; required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(s.$schema).toContain('2020-12');
    expect(s.required).toEqual(expect.arrayContaining(['schemaVersion', 'tool', 'summary', 'hosts']));
    expect(s.additionalProperties).toBe(false);
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['waivers', 'baseline']));
  });

  it('accepts real reports of every shape: plain, with waivers, with a baseline', () => {
    expect(schemaErrors(viaReporter(mixedReport()))).toBeNull();
    const waived = report(
      [host('a', 'compliant', [finding({ waived: { justification: 'vendor appliance', expires: '2026-12-31' }, drift: 'unchanged' })], { previousStatus: 'noncompliant', resolved: [warning()] })],
      {
        waivers: {
          file: 'w.yaml',
          expired: [{ source: 'w.yaml:3', rule: 'config-mode', host: 'db-*', justification: 'x', expires: '2020-01-01', matches: 2 }],
          unused: [{ source: 'w.yaml:9', rule: 'config-owner', tag: 'legacy', justification: 'y', expires: '2030-01-01', matches: 0 }],
        },
        baseline: { file: 'last.json', startedAt: '2026-02-28T02:00:00.000Z', statusChanges: [{ host: 'a', from: 'noncompliant', to: 'compliant' }] },
      },
    );
    expect(schemaErrors(viaReporter(waived))).toBeNull();
  });

  it('rejects what breaks the contract (so the schema is not vacuous)', () => {
    const good = viaReporter(mixedReport()) as Record<string, unknown> & { hosts: Array<Record<string, unknown>> };
    expect(schemaErrors({ ...good, schemaVersion: 2 })).not.toBeNull();
    expect(schemaErrors({ ...good, surprise: true })).not.toBeNull();
    expect(schemaErrors({ ...good, hosts: [{ ...good.hosts[0], status: 'fine' }] })).not.toBeNull();
    const { summary: _s, ...noSummary } = good;
    expect(schemaErrors(noSummary)).not.toBeNull();
  });
});
