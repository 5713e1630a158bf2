// Logging in as a non-root user: the collector runs through `sudo -n` and must then see exactly what
// root sees; a sudo that wants a password, or `sudo: never`, must end as sudo_required with the
// right code rather than a verdict judged on what an unprivileged user could read.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantFiles, PRE_SCRIPT, SCRIPT_TEXT, withFiles } from '../../src/fleet/spec.js';
import type { Report } from '../../src/model/report.js';
import { auditJson, describeRun, fleetUnavailable, type CliRun } from './cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

type Mode = 'auto' | 'always' | 'never';
interface Outcome {
  run: CliRun;
  report: Report;
}

describe.skipIf(fleetUnavailable)('audit through sudo', () => {
  let fleet: Fleet;
  const runs: Record<string, Outcome> = {};

  beforeAll(async () => {
    fleet = await startFleet({
      vms: [
        { name: 'compliant', files: compliantFiles() },
        // /var/lib/waagent is 0700 root: only root can see the extension folder and the script's mode
        { name: 'noncompliant', files: withFiles(compliantFiles(), [{ type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 }]) },
      ],
    });
    const variants: [string, string, Mode][] = [
      ['root', 'root', 'auto'],
      ['root-always', 'root', 'always'],
      ['azureuser', 'azureuser', 'auto'],
      ['azureuser-never', 'azureuser', 'never'],
      ['nosudo', 'nosudo', 'auto'],
    ];
    await Promise.all(
      variants.map(async ([key, user, sudo]) => {
        const inv = fleet.writeInventory({ user, sudo, file: join(fleet.dir, `${key}.yaml`) });
        runs[key] = await auditJson(['-i', inv, '--known-hosts', fleet.knownHostsFile, '--timeout', '20']);
      }),
    );
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  const statuses = (key: string) => runs[key]!.report.hosts.map((h) => [h.name, h.status]);
  const verdicts = (key: string) =>
    runs[key]!.report.hosts.map((h) => ({
      name: h.name,
      status: h.status,
      findings: h.findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, path: f.path })),
    }));

  it('as root: the compliant VM is compliant, the other noncompliant (exit 1)', () => {
    const r = runs['root']!;
    expect(r.run.code, describeRun(r.run)).toBe(1);
    expect(statuses('root')).toEqual([
      ['compliant', 'compliant'],
      ['noncompliant', 'noncompliant'],
    ]);
    expect(r.report.hosts[1]!.findings.map((f) => f.rule)).toContain('prescript-mode');
  });

  it('azureuser with passwordless sudo gets the same verdicts and facts as root, collected as uid 0', () => {
    const r = runs['azureuser']!;
    expect(r.run.code, describeRun(r.run)).toBe(1);
    expect(verdicts('azureuser')).toEqual(verdicts('root'));
    for (const h of r.report.hosts) {
      expect(h.user).toBe('azureuser');
      expect(h.facts?.runAs, h.name).toEqual({ uid: 0, name: 'root' });
      // what sudo let the collector see is exactly what root saw
      expect(h.facts, h.name).toEqual(runs['root']!.report.hosts.find((x) => x.name === h.name)!.facts);
    }
  });

  it('root with sudo: always works and gets the same verdicts', () => {
    const r = runs['root-always']!;
    expect(r.run.code, describeRun(r.run)).toBe(1);
    expect(verdicts('root-always')).toEqual(verdicts('root'));
    for (const h of r.report.hosts) expect(h.facts?.runAs.uid, h.name).toBe(0);
  });

  it('a user whose sudo wants a password: sudo_required, SUDO_PASSWORD, exit 3', () => {
    const r = runs['nosudo']!;
    expect(r.run.code, describeRun(r.run)).toBe(3);
    for (const h of r.report.hosts) {
      expect([h.name, h.status, h.error?.code], JSON.stringify(h.error)).toEqual([h.name, 'sudo_required', 'SUDO_PASSWORD']);
      expect(h.findings, h.name).toEqual([]);
      expect(h.facts, h.name).toBeNull();
    }
    expect(r.report.summary).toMatchObject({ hosts: 2, sudo_required: 2, notAudited: 2, compliant: 0, noncompliant: 0 });
  });

  it('sudo: never as azureuser: sudo_required, NOT_ROOT, nothing judged, exit 3', () => {
    const r = runs['azureuser-never']!;
    expect(r.run.code, describeRun(r.run)).toBe(3);
    for (const h of r.report.hosts) {
      expect([h.name, h.status, h.error?.code], JSON.stringify(h.error)).toEqual([h.name, 'sudo_required', 'NOT_ROOT']);
      // no verdict from what an unprivileged user could read (it cannot even list /var/lib/waagent)
      expect(h.findings, h.name).toEqual([]);
    }
  });
});
