// Content a VM writes must not grow the report: one finding per rule per file, and a bounded copy
// of the facts, on real sshd VMs. (Issue 12: 5 hosts with 55,000-key configs made a 126 MB report.)
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantConfig, compliantFiles, type VmSpec } from '../../src/fleet/spec.js';
import type { Report } from '../../src/model/report.js';
import { auditJson, describeRun, fleetUnavailable, vmsnap, type CliRun } from './cli.js';

const KEYS = 55_000;
const stray = Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [`k${i}`, 0]));
const vms: VmSpec[] = [
  { name: 'many-keys-1', files: compliantFiles({ ...compliantConfig(), ...stray }) },
  { name: 'many-keys-2', files: compliantFiles({ ...compliantConfig(), ...stray }) },
  { name: 'ordinary', files: compliantFiles() },
];

describe.skipIf(fleetUnavailable)('a VM cannot bloat the report', () => {
  let fleet: Fleet;
  let run: CliRun;
  let report: Report;
  let table: CliRun;

  beforeAll(async () => {
    fleet = await startFleet({ vms });
    const inv = fleet.writeInventory({ file: join(fleet.dir, 'content.yaml') });
    ({ run, report } = await auditJson(['-i', inv, '--known-hosts', fleet.knownHostsFile]));
    table = await vmsnap(['audit', '-i', inv, '--known-hosts', fleet.knownHostsFile]);
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('reports 55,000 unknown keys as one finding that names the count, with facts of a few KiB', () => {
    expect(run.code, describeRun(run)).toBe(0);
    for (const name of ['many-keys-1', 'many-keys-2']) {
      const h = report.hosts.find((x) => x.name === name)!;
      expect(h.status).toBe('compliant');
      const unknown = h.findings.filter((f) => f.rule === 'unknown-key');
      expect(unknown).toHaveLength(1);
      expect(unknown[0]!.message).toMatch(/^55000 keys are not ones the extension reads.*"k0".*and 54995 more$/);
      expect(JSON.stringify(h.facts).length).toBeLessThan(16 * 1024);
      expect(h.facts!.trimmed).toEqual([expect.stringMatching(/^config\.parse\.value: /)]);
    }
    const ordinary = report.hosts.find((x) => x.name === 'ordinary')!;
    expect(ordinary.facts!.trimmed).toBeUndefined();
    expect(run.stdout.length).toBeLessThan(128 * 1024);
  });

  it('keeps the table short', () => {
    expect(table.code, describeRun(table)).toBe(0);
    expect(table.stdout.split('\n').length).toBeLessThan(60);
  });
});
