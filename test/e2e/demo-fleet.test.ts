// The demo fleet through real SSH: each VM must fail exactly the rules it declares (errors and
// warnings; info findings are not declared), and together the VMs must make every non-info rule fail
// at least once, so every such rule is proven against real files, owners and modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFleet } from '../../src/fleet/demo-fleet.js';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import type { VmSpec } from '../../src/fleet/spec.js';
import type { HostResult, Report } from '../../src/model/report.js';
import { allRules } from '../../src/rules/index.js';
import { auditJson, describeRun, fleetUnavailable, setDiff, type CliRun } from './cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

const specs: VmSpec[] = demoFleet();

/** rule ids with an error or warning finding */
const failedRules = (h: HostResult) => [...new Set(h.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => f.rule))].sort();

function explain(spec: VmSpec, h: HostResult): string {
  const got = failedRules(h);
  const lines = [
    `${spec.name} (${spec.description ?? 'no description'}): status ${h.status}${h.error ? ` ${h.error.code}: ${h.error.message}` : ''}`,
    `  expected: ${JSON.stringify([...(spec.expectedRules ?? [])].sort())}`,
    `  reported: ${JSON.stringify(got)}`,
    setDiff(spec.expectedRules ?? [], got),
    '  findings:',
    ...h.findings.map((f) => `    ${f.severity} ${f.rule}: ${f.message}`),
  ];
  return lines.filter((l) => l !== '').join('\n');
}

describe.skipIf(fleetUnavailable)('the demo fleet, audited over SSH', () => {
  let fleet: Fleet;
  let run: CliRun;
  let report: Report;
  const host = (name: string): HostResult => {
    const h = report.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`VM ${name} is not in the report`);
    return h;
  };

  beforeAll(async () => {
    fleet = await startFleet({ vms: specs });
    const inv = fleet.writeInventory();
    ({ run, report } = await auditJson(['-i', inv, '--known-hosts', fleet.knownHostsFile, '--timeout', '30']));
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('audits every VM, in fleet order (exit 1: some are noncompliant)', () => {
    expect(run.code, describeRun(run)).toBe(1);
    expect(report.hosts.map((h) => h.name)).toEqual(specs.map((s) => s.name));
    const notAudited = report.hosts.filter((h) => h.status !== 'compliant' && h.status !== 'noncompliant');
    expect(notAudited.map((h) => `${h.name}: ${h.status} ${h.error?.code}: ${h.error?.message}`)).toEqual([]);
  });

  it('writes nothing to stderr', () => {
    expect(run.stderr).toBe('');
  });

  it('vm-compliant is compliant with no error or warning', () => {
    const h = host('vm-compliant');
    expect(h.status, explain(specs.find((s) => s.name === 'vm-compliant')!, h)).toBe('compliant');
    expect(failedRules(h)).toEqual([]);
  });

  for (const spec of specs) {
    it(`${spec.name} fails exactly ${JSON.stringify(spec.expectedRules ?? [])}`, () => {
      const h = host(spec.name);
      expect(failedRules(h), explain(spec, h)).toEqual([...(spec.expectedRules ?? [])].sort());
      // the status follows from the findings: noncompliant exactly when an error was found
      const hasError = h.findings.some((f) => f.severity === 'error');
      expect(h.status, explain(spec, h)).toBe(hasError ? 'noncompliant' : 'compliant');
    });
  }

  it('makes every rule whose default severity is not info fail on at least one VM', () => {
    const failing = new Map<string, string[]>();
    for (const h of report.hosts) {
      for (const id of failedRules(h)) failing.set(id, [...(failing.get(id) ?? []), h.name]);
    }
    const never = allRules.filter((r) => r.meta.severity !== 'info' && !failing.has(r.meta.id)).map((r) => `${r.meta.id} (${r.meta.severity})`);
    expect(never, `rules no demo VM fails through SSH:\n  ${never.join('\n  ')}`).toEqual([]);
  });
});
