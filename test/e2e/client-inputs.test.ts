// Files the operator names on the jump box, when they are not files: a FIFO nobody writes to, a
// character device that never ends (/dev/zero), a pipe from a command (`-i <(az vm list ...)`).
// Each ends at once with an error that names the file (or, for a key, the host's auth failure
// names it); pipes keep working. Before: FIFOs hung until killed, /dev/zero gave "Invalid string
// length" after 1.5 s.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantFiles } from '../../src/fleet/spec.js';
import { cliEnv } from '../helpers/cli.js';
import { VMSNAP, describeRun, fleetUnavailable, parseReport, vmHosts, vmsnap, writeInventory, type CliRun } from './cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

// well under the harness's kill: a hang shows as a killed run, not as a slow pass
const KILL_MS = 20_000;

/** Runs a bash line with $VMSNAP set: for process substitution, which only a shell can make. */
function viaBash(line: string): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { encoding: 'utf8', env: { ...cliEnv(), VMSNAP }, timeout: KILL_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe.skipIf(fleetUnavailable)('files named on the jump box that are FIFOs, devices or pipes', () => {
  let fleet: Fleet;
  let inv: string;
  let fifo: string;
  let kh: string[];

  const withIdentity = (identity: string): string => {
    const file = join(fleet.dir, `inv-${fs.readdirSync(fleet.dir).length}.yaml`);
    fs.writeFileSync(file, fs.readFileSync(inv, 'utf8').replace(fleet.identityFile, identity));
    return file;
  };
  const audit = (args: string[]) => vmsnap(['audit', '--format', 'json', ...args], KILL_MS);

  beforeAll(async () => {
    fleet = await startFleet({ vms: [{ name: 'vm', files: compliantFiles() }] });
    inv = writeInventory(join(fleet.dir, 'inventory.yaml'), fleet, vmHosts(fleet, ['vm']));
    fifo = join(fleet.dir, 'nobody-writes-here');
    execFileSync('mkfifo', [fifo]);
    kh = ['--known-hosts', fleet.knownHostsFile];
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  it.each([
    ['a FIFO', /it is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', /it holds more than 1 MiB/],
  ])('an identity file that is %s: the host fails auth at once, naming the file and why', async (identity, why) => {
    const path = identity === 'a FIFO' ? fifo : identity;
    const run = await audit(['-i', withIdentity(path), ...kh]);
    expect(run.signal, describeRun(run)).toBeNull();
    const h = parseReport(run.stdout).hosts[0]!;
    expect(h.status, describeRun(run)).toBe('auth_failed');
    expect(h.error?.message).toContain(path);
    expect(h.error?.message).toMatch(why);
  });

  it.each([
    ['--known-hosts', 'a FIFO', /FIFO \(named pipe\), not a regular file/],
    ['--known-hosts', '/dev/zero', /more than 64 MiB/],
    ['-i', '/dev/zero', /cannot read inventory file: it holds more than 64 MiB/],
    ['--waivers', '/dev/zero', /cannot read waivers file: it holds more than 16 MiB/],
    ['--baseline', '/dev/zero', /cannot read the report: it holds more than 256 MiB/],
    ['--ssh-config', '/dev/zero', /more than 16 MiB/],
    ['--ssh-config', 'a FIFO', /FIFO \(named pipe\), not a regular file/],
  ])('%s %s: exit 2 with one line naming the file, no stack trace', async (flag, file, why) => {
    const path = file === 'a FIFO' ? fifo : file;
    const args = flag === '-i' ? ['-i', path, ...kh] : flag === '--known-hosts' ? ['-i', inv, '--known-hosts', path] : ['-i', inv, ...kh, flag, path];
    const run = await audit(args);
    expect(run.code, describeRun(run)).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines, describeRun(run)).toHaveLength(1);
    expect(lines[0]).toContain(path);
    expect(lines[0]).toMatch(why);
    expect(run.stderr).not.toMatch(/Invalid string length|\bat .*\(.*:\d+:\d+\)/);
  });

  it('--known-hosts /dev/null is the usual "trust nothing": the host key is unknown, not a read error', async () => {
    const run = await audit(['-i', inv, '--known-hosts', '/dev/null']);
    const h = parseReport(run.stdout).hosts[0]!;
    expect([h.status, h.error?.code], describeRun(run)).toEqual(['hostkey_mismatch', 'HOSTKEY_UNKNOWN']);
  });

  it('-i <(command) and --baseline <(command): pipes are read to their end, however slowly they come', async () => {
    const kfile = fleet.knownHostsFile;
    const first = await viaBash(`"$VMSNAP" audit --format json -i <(sleep 1; cat '${inv}') --known-hosts '${kfile}'`);
    expect(first.code, describeRun(first)).toBe(0);
    const report = join(fleet.dir, 'first.json');
    fs.writeFileSync(report, first.stdout);
    const again = await viaBash(`"$VMSNAP" audit --format json -i <(cat '${inv}') --known-hosts '${kfile}' --baseline <(sleep 1; cat '${report}')`);
    expect(again.code, describeRun(again)).toBe(0);
    const r = parseReport(again.stdout);
    expect(r.hosts.map((h) => [h.name, h.status])).toEqual([['vm', 'compliant']]);
    expect(r.baseline, describeRun(again)).toBeTruthy();
  });

  it('-i FIFO: a named pipe that someone writes to is read like a file', async () => {
    const named = join(fleet.dir, 'inventory.fifo');
    execFileSync('mkfifo', [named]);
    const writer = viaBash(`sleep 1; cat '${inv}' > '${named}'`);
    const run = await audit(['-i', named, ...kh]);
    await writer;
    expect(run.code, describeRun(run)).toBe(0);
    expect(parseReport(run.stdout).hosts.map((h) => h.status)).toEqual(['compliant']);
  });
});
