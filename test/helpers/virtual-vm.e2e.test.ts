// virtual-vm.ts mirrors collector.py in TypeScript so rule tests can judge VMs without SSH or root;
// this keeps the two in step: the demo fleet's VMs (every rule's failing shape) are built for real
// and audited over real sshd, and the facts the real collector sends back equal the virtual ones.
import * as fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFleet } from '../../src/fleet/demo-fleet.js';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import type { Report } from '../../src/model/report.js';
import { describeRun, fleetUnavailable, vmsnap } from '../e2e/cli.js';
import { collectFacts } from './virtual-vm.js';

/**
 * What legitimately differs between a real VM and its virtual copy: which machine and user ran it,
 * and what the kernel numbers (devices, inodes; a directory's size and link count follow what else
 * the real file system holds). A file's link count stays: it tells a hard link.
 */
function comparable(facts: unknown): unknown {
  const drop = new Set(['runAs', 'hostname', 'collectedAt', 'durationMs', 'python', 'trimmed', 'dev', 'ino']);
  return JSON.parse(
    JSON.stringify(facts, function (this: Record<string, unknown>, key, value: unknown) {
      if (drop.has(key)) return undefined;
      if ((key === 'nlink' || key === 'size') && this['type'] === 'dir') return undefined;
      return value;
    }),
  ) as unknown;
}

const VMS = demoFleet();

describe.skipIf(fleetUnavailable)('virtual-vm.ts and collector.py', () => {
  let fleet: Fleet;
  let report: Report;

  beforeAll(async () => {
    fleet = await startFleet({ vms: VMS.map((v) => ({ name: v.name, files: v.files })) });
    const json = path.join(fleet.dir, 'report.json');
    const r = await vmsnap(['audit', '-i', fleet.writeInventory(), '--known-hosts', fleet.knownHostsFile, '--output', `json=${json}`, '--quiet', '-f', 'json']);
    if (r.code !== 1) throw new Error(`the demo fleet should be noncompliant (exit 1):\n${describeRun(r)}`);
    report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  it.each(VMS.map((v) => [v.name, v] as const))('%s: the same facts', (name, vm) => {
    const real = report.hosts.find((h) => h.name === name)!;
    expect(real.facts, `${name} was audited`).not.toBeNull();
    expect(real.facts!.trimmed ?? [], 'the report kept its facts whole').toEqual([]);
    expect(comparable(collectFacts(vm.files))).toEqual(comparable(real.facts));
  });
});
