// Real-world login shell habits must not change a verdict. sshd runs every command through the
// user's login shell, and Debian's bash reads ~/.bashrc for it: one that reads stdin (`read -r x`),
// one that leaves a background job holding stdout (`( sleep 30 & )`), one that prints a 5 MB banner.
// The audit (as root and through sudo) and --fix must give the same verdicts as on a quiet VM, well
// inside the deadline; a shell that prints without end is a named error, not a hang.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { CONFIG_PATH, compliantConfig, compliantFiles, withFiles, type FileSpec, type VmSpec } from '../../src/fleet/spec.js';
import type { HostResult, Report } from '../../src/model/report.js';
import { auditJson, describeRun, fleetUnavailable, type CliRun } from './cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

// long enough that a 30 s background job would show up as a timeout, short enough for a test
const TIMEOUT_S = 15;

const BASHRC = {
  'reads-stdin': 'read -r x\n',
  'holds-stdout': '( sleep 30 & )\n',
  'big-banner': "head -c 5000000 /dev/zero | tr '\\0' '#'\necho\n",
} as const;
type Habit = keyof typeof BASHRC;
const HABITS = Object.keys(BASHRC) as Habit[];

/** The same .bashrc for root and for the sudo user (whose login shell runs `sudo -n ...`). */
function bashrc(text: string): FileSpec[] {
  return [
    { type: 'file', path: '/root/.bashrc', content: text, mode: 0o644 },
    { type: 'file', path: '/home/azureuser/.bashrc', content: text, mode: 0o644, owner: 'azureuser', group: 'azureuser' },
  ];
}

const fixable = () => withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content: JSON.stringify(compliantConfig()), mode: 0o644 }]);

const vms: VmSpec[] = [
  ...HABITS.map((h) => ({ name: h, files: [...compliantFiles(), ...bashrc(BASHRC[h])] })),
  ...HABITS.map((h) => ({ name: `fix-${h}`, files: [...fixable(), ...bashrc(BASHRC[h])] })),
  ...HABITS.map((h) => ({ name: `sudo-fix-${h}`, files: [...fixable(), ...bashrc(BASHRC[h])] })),
  { name: 'endless', files: [...compliantFiles(), ...bashrc('cat /dev/zero\n')] },
  { name: 'exits', files: [...compliantFiles(), ...bashrc('exit 0\n')] },
  // reads stdin to its end: the collector's stdin ends at once, the fixer's cannot (its parameters
  // come after the rc files ran), so that fix is reported as not made
  { name: 'reads-all-stdin', files: [...fixable(), ...bashrc('cat >/dev/null\n')] },
];

describe.skipIf(fleetUnavailable)('login shells that read stdin, hold stdout or print a lot', () => {
  let fleet: Fleet;
  const runs: Record<string, { run: CliRun; report: Report }> = {};
  const host = (key: string, name: string): HostResult => {
    const h = runs[key]!.report.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`${name} is not in the ${key} report`);
    return h;
  };

  beforeAll(async () => {
    fleet = await startFleet({ vms });
    const audit = (key: string, user: string, names: string[], extra: string[] = [], timeoutS = TIMEOUT_S) => {
      const inv = fleet.writeInventory({ user, names, file: join(fleet.dir, `${key}.yaml`) });
      return auditJson(['-i', inv, '--known-hosts', fleet.knownHostsFile, '--timeout', String(timeoutS), ...extra], 90_000).then((r) => {
        runs[key] = r;
      });
    };
    await Promise.all([
      audit('root', 'root', [...HABITS, 'endless', 'exits', 'reads-all-stdin']),
      audit('fix-stuck', 'root', ['reads-all-stdin'], ['--fix', '--yes'], 4),
      audit('sudo', 'azureuser', HABITS),
      audit('fix-root', 'root', HABITS.map((h) => `fix-${h}`), ['--fix', '--yes']),
      audit('fix-sudo', 'azureuser', HABITS.map((h) => `sudo-fix-${h}`), ['--fix', '--yes']),
    ]);
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  it.each(HABITS)('%s: compliant as root and through sudo, inside the deadline', (habit) => {
    for (const key of ['root', 'sudo']) {
      const h = host(key, habit);
      expect([h.status, h.error?.code ?? null, h.error?.message ?? null], `${key}\n${describeRun(runs[key]!.run)}`).toEqual(['compliant', null, null]);
      expect(h.facts?.runAs.uid).toBe(0);
      expect(h.durationMs).toBeLessThan(TIMEOUT_S * 1000);
    }
  });

  it.each(HABITS)('%s: --fix applies the change and the host is compliant after, as root and through sudo', (habit) => {
    for (const [key, name] of [
      ['fix-root', `fix-${habit}`],
      ['fix-sudo', `sudo-fix-${habit}`],
    ] as const) {
      const h = host(key, name);
      const why = `${key}\n${JSON.stringify(h.fixes)}\n${describeRun(runs[key]!.run)}`;
      expect(h.findingsBefore?.some((f) => f.rule === 'config-mode'), why).toBe(true);
      expect(h.fixes?.map((f) => [f.path, f.action, f.to, f.applied, f.reason ?? null]), why).toEqual([[CONFIG_PATH, 'chmod', '0600', true, null]]);
      expect([h.status, h.error?.code ?? null], why).toEqual(['compliant', null]);
    }
  });

  it('a shell that prints without end is a named error once the output cap is reached', () => {
    const h = host('root', 'endless');
    expect([h.status, h.error?.code], describeRun(runs['root']!.run)).toEqual(['error', 'OUTPUT_TOO_LARGE']);
    expect(h.error?.message).toMatch(/8 MiB/);
    expect(h.durationMs).toBeLessThan(TIMEOUT_S * 1000);
  });

  it('a shell that exits before running the command is a named error with a hint', () => {
    const h = host('root', 'exits');
    expect([h.status, h.error?.code], describeRun(runs['root']!.run)).toEqual(['error', 'NO_OUTPUT']);
    expect(h.error?.message).toMatch(/login shell rc files/);
  });

  it('a shell that reads all of stdin: audited all the same; the fix it blocks is reported as not made', () => {
    const audited = host('root', 'reads-all-stdin');
    expect([audited.status, audited.findings.map((f) => f.rule)]).toEqual(['noncompliant', ['config-mode']]);
    const h = host('fix-stuck', 'reads-all-stdin');
    const why = `${JSON.stringify(h.fixes)}\n${describeRun(runs['fix-stuck']!.run)}`;
    expect(h.status, why).toBe('timeout');
    expect(h.fixes?.map((f) => [f.path, f.applied]), why).toEqual([[CONFIG_PATH, false]]);
    expect(h.fixes?.[0]?.reason, why).toMatch(/^not made: the fixer did not start .*waits for input on stdin/);
  });
});
