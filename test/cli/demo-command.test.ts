// `vmsnap demo`, the README's first command: real sshd VMs up, audited, stopped; exit 0.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoFleet } from '../../src/fleet/demo-fleet.js';
import { Report } from '../../src/model/report.js';
import { fleetUnavailable, runCli } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-demo-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(fleetUnavailable)('vmsnap demo', () => {
  it('audits the demo fleet, keeps the JSON report, prints no rerun command for a fleet that is gone, exits 0', async () => {
    const run = await runCli(['demo', '--dir', dir], { killAfterMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const names = demoFleet().map((v) => v.name);
    for (const name of names) expect(run.stdout).toContain(name);
    expect(run.stdout).not.toContain('Rerun the failures');
    expect(run.stderr).toMatch(/demo: audited \d+ VMs in \d+ ms; audit exit code 1/);
    const report = Report.parse(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')));
    expect(report.hosts.map((h) => h.name)).toEqual(names);
    expect(report.hosts.every((h) => h.status === 'compliant' || h.status === 'noncompliant')).toBe(true);
  });
});
