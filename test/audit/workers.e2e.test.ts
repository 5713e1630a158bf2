// `vmsnap audit --workers N` against real sshd test VMs: the hosts are audited in the main thread and
// N - 1 worker threads, and
// the report is the one `--workers 1` gives, host by host, in inventory order; Ctrl-C ends the hosts
// in flight in the workers as `interrupted`; a worker that dies loses no host; --fix, --local and
// encrypted keys run in the main thread and say so. Crashes come from the test-only hook
// VMSNAP_TEST_WORKER_CRASH (src/audit/host-worker.ts), which is also how these tests tell whether a
// host went through a worker at all.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/session.js';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantFiles, compliantFilesWithConfigMode } from '../../src/fleet/spec.js';
import { loadInventory } from '../../src/inventory/source.js';
import { Report, type HostResult } from '../../src/model/report.js';
import { runCli } from '../helpers/cli.js';
import { describeRun, fleetUnavailable, parseReport, refusedAddress, startHungListener, vmHosts, writeInventory, type HungListener, type InventoryHost } from '../e2e/cli.js';
import { sleep, spawnVmsnap } from '../ssh/helpers.js';

if (fleetUnavailable) console.warn(`skipping the --workers tests: ${fleetUnavailable}`);

/** A host as the report gives it, without what differs from run to run (times). */
function comparable(h: HostResult): Omit<HostResult, 'durationMs' | 'timing'> {
  const { durationMs: _d, timing: _t, ...rest } = h;
  return rest;
}

const WORKER_FAILED = /^the worker thread auditing this host failed: test-only crash \(VMSNAP_TEST_WORKER_CRASH\) on receiving host /;

describe.skipIf(fleetUnavailable)('audit --workers', () => {
  let fleet: Fleet;
  let hung: HungListener[];
  let refused: string;
  let mixed: InventoryHost[];
  let mixedFile: string;
  const OK = ['ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5', 'ok-6'];
  const WIDE = ['wide-1', 'wide-2'];

  beforeAll(async () => {
    [fleet, hung, refused] = await Promise.all([
      startFleet({ vms: [...OK.map((name) => ({ name, files: compliantFiles() })), ...WIDE.map((name) => ({ name, files: compliantFilesWithConfigMode(0o644) }))] }),
      Promise.all([startHungListener(), startHungListener()]),
      refusedAddress(),
    ]);
    // an unreachable host first, noncompliant ones between compliant ones
    mixed = [{ name: 'gone', host: refused }, ...vmHosts(fleet, ['ok-1', 'wide-1', 'ok-2', 'ok-3', 'wide-2', 'ok-4', 'ok-5', 'ok-6'])];
    mixedFile = writeInventory(path.join(fleet.dir, 'mixed.yaml'), fleet, mixed);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([fleet?.stop(), ...(hung ?? []).map((h) => h.close())]);
  });

  /** `audit --format json` (no ssh_config and the fleet's known_hosts, unless args name them) and its report */
  const auditJson = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ report: Report; stderr: string; code: number | null }> => {
    const kh = args.includes('--known-hosts') ? [] : ['--known-hosts', fleet.knownHostsFile];
    const cfg = args.includes('--ssh-config') ? [] : ['--ssh-config', 'none'];
    const run = await runCli(['audit', '--format', 'json', '--timeout', '20', ...cfg, ...kh, ...args], { env });
    expect([0, 1, 3, 4], describeRun(run)).toContain(run.code);
    return { report: parseReport(run.stdout), stderr: run.stderr, code: run.code };
  };

  it('gives the report --workers 1 gives, host by host, in inventory order', async () => {
    const one = await auditJson(['-i', mixedFile, '-j', '4', '--workers', '1']);
    const two = await auditJson(['-i', mixedFile, '-j', '4', '--workers', '2']);
    expect(two.report.hosts.map((h) => h.name)).toEqual(mixed.map((h) => h.name));
    expect(one.report.hosts.map((h) => [h.name, h.status, h.error?.code ?? null])).toEqual([
      ['gone', 'unreachable', 'ECONNREFUSED'],
      ...mixed.slice(1).map((h) => [h.name, h.name.startsWith('wide') ? 'noncompliant' : 'compliant', null]),
    ]);
    for (const [i, h] of two.report.hosts.entries()) expect(comparable(h), h.name).toEqual(comparable(one.report.hosts[i]!));
    expect(two.report.summary).toEqual(one.report.summary);
    expect([one.code, two.code]).toEqual([3, 3]);
    expect(two.stderr).toBe(one.stderr);
  });

  it('warns about the inputs once, from the main thread, however many workers read them', async () => {
    const kh = path.join(fleet.dir, 'known_hosts.junk');
    fs.writeFileSync(kh, `${fs.readFileSync(fleet.knownHostsFile, 'utf8')}this is not a known_hosts line\n`);
    const cfg = path.join(fleet.dir, 'ssh_config.ciphers');
    fs.writeFileSync(cfg, 'Host *\n  Ciphers aes128-ctr\n');
    const args = ['-i', mixedFile, '-j', '4', '--known-hosts', kh, '--ssh-config', cfg, '--workers'];
    const one = await auditJson([...args, '1']);
    const three = await auditJson([...args, '3']);
    expect(three.stderr.match(/skipped as not known_hosts lines/g), three.stderr).toHaveLength(1);
    expect(three.stderr.match(/ssh_config settings vmsnap does not honour/g), three.stderr).toHaveLength(1);
    expect(three.stderr).toBe(one.stderr);
  });

  it('by default a fleet this small (one worker per 32 hosts) runs in the main thread, as --workers 1 does', async () => {
    const everyHost = { VMSNAP_TEST_WORKER_CRASH: mixed.map((h) => h.name).join(',') };
    for (const args of [[], ['--workers', '1']]) {
      const { report, stderr } = await auditJson(['-i', mixedFile, '-j', '4', ...args], everyHost);
      expect(report.hosts.filter((h) => h.error?.code === 'WORKER_FAILED'), args.join(' ')).toEqual([]);
      expect(stderr, args.join(' ')).toBe('');
    }
  });

  it('spreads the hosts over the workers: a crash in one loses no host', async () => {
    const { report, code } = await auditJson(['-i', mixedFile, '-j', '4', '--workers', '2'], { VMSNAP_TEST_WORKER_CRASH: 'wide-1' });
    expect(report.hosts.map((h) => h.name)).toEqual(mixed.map((h) => h.name));
    const crashed = report.hosts.find((h) => h.name === 'wide-1')!;
    expect(crashed).toMatchObject({ status: 'error', error: { code: 'WORKER_FAILED', message: expect.stringMatching(WORKER_FAILED) as string }, findings: [], facts: null });
    // hosts in flight on the same worker fail with it; every other host is audited as usual
    const failed = report.hosts.filter((h) => h.error?.code === 'WORKER_FAILED').map((h) => h.name);
    expect(failed.length, failed.join(', ')).toBeLessThanOrEqual(4); // -j 4: at most 4 in flight on it
    for (const h of report.hosts) {
      if (failed.includes(h.name)) continue;
      expect(h.status, h.name).toBe(h.name === 'gone' ? 'unreachable' : h.name.startsWith('wide') ? 'noncompliant' : 'compliant');
    }
    // the last hosts start after the crash, in the main thread (--workers 2: it and one worker)
    expect(report.hosts.slice(-2).map((h) => h.status)).toEqual(['compliant', 'compliant']);
    expect(code).toBe(3);
  });

  it('when every worker has died, the rest of the run goes on in the main thread', async () => {
    // --workers 3 is two workers and this thread; -j 3: the first two hosts go to the workers (a tie
    // goes to a worker), and each dies on its host; the third is audited here
    const { report } = await auditJson(['-i', mixedFile, '-j', '3', '--workers', '3'], { VMSNAP_TEST_WORKER_CRASH: 'gone,ok-1' });
    expect(report.hosts.map((h) => h.name)).toEqual(mixed.map((h) => h.name));
    for (const name of ['gone', 'ok-1']) expect(report.hosts.find((h) => h.name === name)?.error?.code, name).toBe('WORKER_FAILED');
    // a dead worker may still be given a host until its death is known, and that host fails with it;
    // the hosts after that ran here
    const failed = report.hosts.filter((h) => h.error?.code === 'WORKER_FAILED');
    expect(failed.every((h) => /test-only crash .* host (gone|ok-1)$/.test(h.error!.message)), JSON.stringify(failed)).toBe(true);
    expect(report.hosts.slice(-3).map((h) => [h.name, h.status])).toEqual(mixed.slice(-3).map((h) => [h.name, 'compliant']));
  });

  it('Ctrl-C: the hosts in flight in the workers end as interrupted, the others as not started, each once', async () => {
    const inv: InventoryHost[] = [
      ...vmHosts(fleet, ['ok-1']),
      { name: 'hung-1', host: hung[0]!.address },
      ...vmHosts(fleet, ['ok-2']),
      { name: 'hung-2', host: hung[1]!.address },
      ...vmHosts(fleet, ['ok-3', 'ok-4', 'ok-5']),
    ];
    const file = writeInventory(path.join(fleet.dir, 'hung.yaml'), fleet, inv);
    const before = hung.map((h) => h.accepted());
    // -j 2, --workers 2 (one worker and the main thread): ok-1 and ok-2 are done when both hung hosts
    // are in flight, hung-1 in the main thread and hung-2 in the worker: Ctrl-C reaches both
    const { child, done } = spawnVmsnap(['audit', '-i', file, '--format', 'json', '-j', '2', '--workers', '2', '--timeout', '30', '--ssh-config', 'none', '--known-hosts', fleet.knownHostsFile], {
      home: fs.mkdtempSync(path.join(fleet.dir, 'home-')),
    });
    for (let i = 0; hung.some((h, k) => h.accepted() === before[k]) && i < 200; i++) await sleep(50);
    expect(hung.map((h, k) => h.accepted() - before[k]!)).toEqual([1, 1]);
    await sleep(300);
    const sent = performance.now();
    child.kill('SIGINT');
    const run = await done;
    expect(run.code, describeRun(run)).toBe(130);
    expect(performance.now() - sent, describeRun(run)).toBeLessThan(3000); // not the 30 s deadline
    expect(run.stderr).toMatch(/interrupted; 2 hosts were in flight and end as interrupted: hung-1, hung-2\n/);
    const report = Report.parse(JSON.parse(run.stdout));
    expect(report.hosts.map((h) => [h.name, h.status, h.error?.code ?? null])).toEqual([
      ['ok-1', 'compliant', null],
      ['hung-1', 'interrupted', 'INTERRUPTED'],
      ['ok-2', 'compliant', null],
      ['hung-2', 'interrupted', 'INTERRUPTED'],
      ['ok-3', 'interrupted', 'NOT_STARTED'],
      ['ok-4', 'interrupted', 'NOT_STARTED'],
      ['ok-5', 'interrupted', 'NOT_STARTED'],
    ]);
  });

  it('--fix runs in the main thread and says so, once', async () => {
    const all = OK.concat(WIDE).join(',');
    const { report, stderr } = await auditJson(['-i', mixedFile, '-j', '4', '--workers', '2', '--fix', '--dry-run'], { VMSNAP_TEST_WORKER_CRASH: `gone,${all}` });
    expect(stderr.match(/auditing in this thread/g), stderr).toHaveLength(1);
    expect(stderr).toContain("vmsnap: auditing in this thread only, not in 2 threads: --fix's --max-changes guard covers the whole fleet\n");
    // no host went through a worker: none crashed
    expect(report.hosts.filter((h) => h.error?.code === 'WORKER_FAILED')).toEqual([]);
    expect(report.hosts.find((h) => h.name === 'wide-2')?.fixes?.map((f) => [f.action, f.to, f.pending])).toEqual([['chmod', '0600', true]]);
  });

  it('--local runs in the main thread and says so', async () => {
    const run = await runCli(['audit', '--local', '--workers', '2', '--format', 'json'], { env: { VMSNAP_TEST_WORKER_CRASH: os.hostname() } });
    expect(run.stderr).toContain('vmsnap: auditing in this thread only, not in 2 threads: --local audits this machine through a local shell\n');
    const report = parseReport(run.stdout);
    expect(report.hosts.map((h) => [h.address, h.error?.code === 'WORKER_FAILED'])).toEqual([['local', false]]);
  });

  it('an encrypted key: the workers take VMSNAP_KEY_PASSPHRASE, a passphrase asked for on the terminal keeps the run in the main thread', async () => {
    const key = path.join(fleet.dir, 'id_encrypted');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '1', '-N', 'sesame', '-f', key]);
    fs.appendFileSync(path.join(fleet.dir, 'authorized_keys'), fs.readFileSync(`${key}.pub`));
    const inv = path.join(fleet.dir, 'encrypted.yaml');
    fs.writeFileSync(inv, fs.readFileSync(mixedFile, 'utf8').replaceAll(fleet.identityFile, key));

    // a string passphrase crosses to the worker: it opens the key. With -j 4 and a tie going to the
    // worker, the worker gets gone and wide-1 (the first and third hosts) before any host ends, and
    // wide-1 logs in there: without the passphrase it would end as auth_failed
    const { report } = await auditJson(['-i', inv, '-j', '4', '--workers', '2'], { VMSNAP_KEY_PASSPHRASE: 'sesame' });
    expect(report.hosts.map((h) => [h.name, h.status])).toEqual(mixed.map((h) => [h.name, h.name === 'gone' ? 'unreachable' : h.name.startsWith('wide') ? 'noncompliant' : 'compliant']));
    expect(report.hosts.slice(-2).map((h) => h.status)).toEqual(['compliant', 'compliant']);

    // a prompt cannot: the library says so and audits every host here
    const info: string[] = [];
    let asked = 0;
    const local = await audit(await loadInventory(inv), {
      sshConfig: 'none',
      knownHosts: fleet.knownHostsFile,
      concurrency: 4,
      workers: 2,
      timeoutMs: 20_000,
      env: {},
      home: fs.mkdtempSync(path.join(fleet.dir, 'home-')), // no default keys of this machine's root
      passphrase: () => Promise.resolve((asked += 1, 'sesame')),
      onInfo: (m) => info.push(m),
    });
    expect(asked).toBe(1);
    expect(info).toEqual(['auditing in this thread only, not in 2 threads: an encrypted key was opened with the passphrase asked for on the terminal, which a worker thread cannot ask']);
    expect(local.hosts.map((h) => h.status)).toEqual(['unreachable', ...mixed.slice(1).map((h) => (h.name.startsWith('wide') ? 'noncompliant' : 'compliant'))]);
  });

  it('through a bastion (each worker opens its own connection to it): the hosts are audited as directly', async () => {
    const home = fs.mkdtempSync(path.join(fleet.dir, 'home-'));
    fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
    fs.copyFileSync(fleet.identityFile, path.join(home, '.ssh', 'id_ed25519')); // the bastion's login
    const bastion = fleet.vms.find((v) => v.name === 'ok-6')!;
    const behind = mixed.slice(1, -1); // all but gone and the bastion itself
    const file = writeInventory(path.join(fleet.dir, 'behind.yaml'), fleet, behind);
    const run = await runCli(['audit', '-i', file, '--format', 'json', '-j', '4', '--workers', '2', '--ssh-config', 'none', '--known-hosts', fleet.knownHostsFile, '--jump', `root@${bastion.address}`, '--timeout', '20'], { home });
    expect(run.code, describeRun(run)).toBe(1);
    expect(parseReport(run.stdout).hosts.map((h) => [h.name, h.status])).toEqual(behind.map((h) => [h.name, h.name.startsWith('wide') ? 'noncompliant' : 'compliant']));
  });

  it('--accept-new from several workers: one known_hosts line per host, none lost, none twice', async () => {
    const kh = path.join(fleet.dir, 'known_hosts.new');
    const first = await auditJson(['-i', mixedFile, '-j', '8', '--workers', '2', '--known-hosts', kh, '--accept-new']);
    expect(first.code).toBe(3); // `gone`
    const lines = fs.readFileSync(kh, 'utf8').split('\n').filter((l) => l !== '');
    const want = fleet.vms.filter((v) => mixed.some((h) => h.host === v.address)).map((v) => `${v.address} ${v.hostKeyPublic}`);
    expect(lines.sort()).toEqual(want.sort());
    const again = await auditJson(['-i', mixedFile, '-j', '8', '--workers', '2', '--known-hosts', kh]);
    expect(again.report.hosts.filter((h) => h.status === 'hostkey_mismatch')).toEqual([]);
  });
});
