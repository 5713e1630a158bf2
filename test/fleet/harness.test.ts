// End-to-end checks of the local test fleet: real sshd VMs in private mount namespaces, reached
// with the system `ssh` client. Skipped (with the reason) where the machine cannot run a fleet.

import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_MASKED_DIRS, startFleet, type Fleet, type FleetVm } from '../../src/fleet/harness.js';
import { fleetAddresses } from '../../src/fleet/addresses.js';
import {
  CONFIG_PATH,
  EXT_DIR,
  ORPHAN_UID,
  POST_SCRIPT,
  PRE_SCRIPT,
  SCRIPT_TEXT,
  compliantConfig,
  compliantFiles,
  withFiles,
  type VmSpec,
} from '../../src/fleet/spec.js';
import { fleetUnavailable } from '../helpers/cli.js';
import { parseJson, type InventoryJson } from '../helpers/json.js';

const unavailable = fleetUnavailable;
if (unavailable) console.warn(`skipping fleet harness tests: ${unavailable}`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeout = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function sshArgs(fleet: Fleet, user: string, vm: FleetVm, knownHosts = fleet.knownHostsFile): string[] {
  return [
    '-F', '/dev/null',
    '-i', fleet.identityFile,
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=5',
    '-o', 'LogLevel=ERROR',
    `${user}@${vm.address}`,
  ];
}

function ssh(fleet: Fleet, user: string, vm: FleetVm, command: string, knownHosts?: string): Promise<Run> {
  return run('ssh', [...sshArgs(fleet, user, vm, knownHosts), command]);
}

/** true if the address answers with an SSH banner within `ms` */
function bannerWithin(address: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port: 22 });
    let buf = '';
    const done = (v: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(false), ms);
    s.on('data', (d) => {
      buf += String(d);
      if (buf.includes('SSH-2.0')) done(true);
    });
    s.on('error', () => done(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function aliveNotZombie(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
  } catch {
    return false;
  }
}

const APPUSER_CONFIG = JSON.stringify(compliantConfig(), null, 2) + '\n';
// directories of this machine the VMs mask besides the Azure ones (used only if present here)
const EXTRA_MASKED = ['/etc/apt', '/var/log/apt'].filter((d) => fs.existsSync(d));
const HOST_HAD = Object.fromEntries(['/etc/azure', '/var/lib/waagent'].map((d) => [d, fs.existsSync(d)]));

const vmA: VmSpec = { name: 'vm-a', files: compliantFiles() };
const vmB: VmSpec = { name: 'vm-b', files: compliantFiles(compliantConfig({ timeoutInSeconds: 99 })) };
const vmBad: VmSpec = {
  name: 'vm-bad',
  files: withFiles(compliantFiles(), [
    { type: 'file', path: CONFIG_PATH, content: APPUSER_CONFIG, mode: 0o644, owner: 'appuser' },
    { type: 'dir', path: '/opt/scripts', mode: 0o755 },
    { type: 'file', path: '/opt/scripts/pre.sh', content: SCRIPT_TEXT, mode: 0o755 },
    { type: 'symlink', path: PRE_SCRIPT, target: '/opt/scripts/pre.sh' },
    { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: ORPHAN_UID },
    ...(EXTRA_MASKED.includes('/etc/apt') ? [{ type: 'file' as const, path: '/etc/apt/vmsnap-marker', content: 'mine\n', mode: 0o644 }] : []),
  ]),
};

describe('fleetAddresses', () => {
  it('gives consecutive loopback addresses, skipping .0 and .255', () => {
    expect(fleetAddresses('127.20.0.253', 4)).toEqual(['127.20.0.253', '127.20.0.254', '127.20.1.1', '127.20.1.2']);
    expect(fleetAddresses('127.20.0.0', 1)).toEqual(['127.20.0.1']);
    expect(() => fleetAddresses('127.255.255.254', 2)).toThrow(/loopback/);
  });
});

describe.skipIf(unavailable !== null)('local test fleet', () => {
  let fleet: Fleet;
  let a: FleetVm;
  let b: FleetVm;
  let bad: FleetVm;
  const t0 = Date.now();
  let startMs = 0;

  beforeAll(async () => {
    fleet = await startFleet({ vms: [vmA, vmB, vmBad], maskedDirs: [...DEFAULT_MASKED_DIRS, ...EXTRA_MASKED] });
    startMs = Date.now() - t0;
    [a, b, bad] = fleet.vms as [FleetVm, FleetVm, FleetVm];
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('starts every VM on its own loopback address, port 22, in spec order', () => {
    expect(fleet.vms.map((v) => v.name)).toEqual(['vm-a', 'vm-b', 'vm-bad']);
    const addrs = fleet.vms.map((v) => v.address);
    expect(new Set(addrs).size).toBe(3);
    for (const v of fleet.vms) {
      expect(v.address).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(v.port).toBe(22);
      expect(v.hostKeyPublic).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
      expect(alive(v.pid)).toBe(true);
      // the spawned pid is sshd itself (unshare and sh exec'd into it)
      expect(fs.readFileSync(`/proc/${v.pid}/comm`, 'utf8').trim()).toBe('sshd');
    }
    expect(startMs).toBeLessThan(15_000);
  });

  it('hands out a working client key and a known_hosts that holds with StrictHostKeyChecking=yes', async () => {
    const pub = await run('ssh-keygen', ['-y', '-f', fleet.identityFile]);
    expect(pub.code).toBe(0);
    expect(pub.stdout.trim().split(' ').slice(0, 2)).toEqual(fs.readFileSync(fleet.identityFile + '.pub', 'utf8').trim().split(' ').slice(0, 2));
    expect((fs.statSync(fleet.identityFile).mode & 0o777).toString(8)).toBe('600');
    const lines = fs.readFileSync(fleet.knownHostsFile, 'utf8').trim().split('\n');
    expect(lines).toEqual(fleet.vms.map((v) => `${v.address} ${v.hostKeyPublic}`));
    for (const v of fleet.vms) {
      const r = await ssh(fleet, 'root', v, 'echo ok');
      expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'ok\n' });
    }
    // a known_hosts pairing vm-a's address with vm-b's key must be refused
    const wrong = path.join(fleet.dir, 'known_hosts.wrong');
    fs.writeFileSync(wrong, `${a.address} ${b.hostKeyPublic}\n`);
    const r = await ssh(fleet, 'root', a, 'echo ok', wrong);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
  });

  it('gives files the exact modes and owners of the spec', async () => {
    const paths = ['/etc/azure', CONFIG_PATH, PRE_SCRIPT, POST_SCRIPT, '/var/lib/waagent', EXT_DIR, `${EXT_DIR}/config/HandlerState`];
    const r = await ssh(fleet, 'root', a, `stat -c '%a %U %u %G %g %F' ${paths.join(' ')}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      '755 root 0 root 0 directory',
      '600 root 0 root 0 regular file',
      '700 root 0 root 0 regular file',
      '700 root 0 root 0 regular file',
      '700 root 0 root 0 directory',
      '755 root 0 root 0 directory',
      '644 root 0 root 0 regular file',
    ]);
    const c = await ssh(fleet, 'root', a, `cat ${EXT_DIR}/config/HandlerState`);
    expect(c.stdout).toBe('Enabled');
  });

  it('builds misconfigured VMs for real: a 0644 config of appuser, a symlinked script, an orphan uid', async () => {
    const r = await ssh(fleet, 'root', bad, [
      `stat -c '%a %U %u %G %g' ${CONFIG_PATH}`,
      `stat -c '%F' ${PRE_SCRIPT}`,
      `readlink ${PRE_SCRIPT}`,
      `stat -L -c '%a %U' ${PRE_SCRIPT}`,
      `stat -c '%a %U %u %G %g' ${POST_SCRIPT}`,
      `getent passwd ${ORPHAN_UID}; echo passwd=$?`,
      `getent group ${ORPHAN_UID}; echo group=$?`,
    ].join('; '));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      '644 appuser 1002 appuser 1002',
      'symbolic link',
      '/opt/scripts/pre.sh',
      '755 root',
      `700 UNKNOWN ${ORPHAN_UID} UNKNOWN ${ORPHAN_UID}`,
      'passwd=2',
      'group=2',
    ]);
    const cfg = await ssh(fleet, 'root', bad, `cat ${CONFIG_PATH}`);
    expect(cfg.stdout).toBe(APPUSER_CONFIG);
  });

  it('keeps each VM private: files differ between VMs and none reach the machine', async () => {
    const ca = await ssh(fleet, 'root', a, `cat ${CONFIG_PATH}`);
    const cb = await ssh(fleet, 'root', b, `cat ${CONFIG_PATH}`);
    expect(parseJson<{ timeoutInSeconds: number }>(ca.stdout).timeoutInSeconds).toBe(30);
    expect(parseJson<{ timeoutInSeconds: number }>(cb.stdout).timeoutInSeconds).toBe(99);
    for (const [d, had] of Object.entries(HOST_HAD)) if (!had) expect(fs.existsSync(d), d).toBe(false);
    expect(fs.readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^nosudo:/m);

    // a write inside one VM stays there
    const w = await fleet.execInVm('vm-a', ['touch', '/etc/azure/written-in-a']);
    expect(w.code, w.stderr).toBe(0);
    expect((await fleet.execInVm('vm-a', ['test', '-e', '/etc/azure/written-in-a'])).code).toBe(0);
    expect((await fleet.execInVm('vm-b', ['test', '-e', '/etc/azure/written-in-a'])).code).toBe(1);
    expect(fs.existsSync('/etc/azure/written-in-a')).toBe(false);
    // and is what ssh sees
    expect((await ssh(fleet, 'root', a, 'ls /etc/azure')).stdout).toMatch(/written-in-a/);
  });

  it('runs commands in a VM mount namespace with execInVm (argv, no shell)', async () => {
    const r = await fleet.execInVm('vm-bad', ['stat', '-c', '%a %U', CONFIG_PATH]);
    expect(r).toEqual({ stdout: '644 appuser\n', stderr: '', code: 0 });
    const g = await fleet.execInVm('vm-a', ['getent', 'passwd', 'azureuser', 'nosudo', 'appuser']);
    expect(g.stdout.trim().split('\n')).toEqual([
      'azureuser:x:1000:1000::/home/azureuser:/bin/bash',
      'nosudo:x:1001:1001::/home/nosudo:/bin/bash',
      'appuser:x:1002:1002::/home/appuser:/usr/sbin/nologin',
    ]);
    const f = await fleet.execInVm('vm-a', ['sh', '-c', 'exit 7']);
    expect(f.code).toBe(7);
    const sudoers = await fleet.execInVm('vm-a', ['stat', '-c', '%a %U', '/etc/sudoers.d/vmsnap-fleet']);
    expect(sudoers.stdout).toBe('440 root\n');
  });

  it('gives azureuser passwordless sudo and makes nosudo need a password', async () => {
    const ok = await ssh(fleet, 'azureuser', a, 'id -un; sudo -n true && sudo -n id -u');
    expect(ok, ok.stderr).toMatchObject({ code: 0, stdout: 'azureuser\n0\n' });
    const no = await ssh(fleet, 'nosudo', a, 'id -un; sudo -n true');
    expect(no.stdout).toBe('nosudo\n');
    expect(no.code).not.toBe(0);
    expect(no.stderr).toMatch(/password is required/);
  });

  it("gives root and the users Debian's stock .bashrc", async () => {
    const stock = fs.existsSync('/usr/share/base-files/dot.bashrc') ? fs.readFileSync('/usr/share/base-files/dot.bashrc', 'utf8') : null;
    for (const user of ['root', 'azureuser', 'nosudo']) {
      const r = await ssh(fleet, user, b, 'echo "$HOME"; cat ~/.bashrc');
      expect(r.code, r.stderr).toBe(0);
      const [home, ...rest] = r.stdout.split('\n');
      expect(home).toBe(user === 'root' ? '/root' : `/home/${user}`);
      if (stock !== null) expect(rest.join('\n')).toBe(stock);
    }
  });

  it.skipIf(EXTRA_MASKED.length === 0)('masks machine dirs: opaque where the VM has them, absent where not', async () => {
    if (EXTRA_MASKED.includes('/etc/apt')) {
      expect((await fleet.execInVm('vm-bad', ['ls', '-A', '/etc/apt'])).stdout).toBe('vmsnap-marker\n');
      expect((await fleet.execInVm('vm-a', ['test', '-e', '/etc/apt'])).code).toBe(1);
    }
    if (EXTRA_MASKED.includes('/var/log/apt')) {
      expect((await fleet.execInVm('vm-b', ['test', '-e', '/var/log/apt'])).code).toBe(1);
      expect((await fleet.execInVm('vm-b', ['test', '-d', '/var/log'])).code).toBe(0);
    }
    for (const d of EXTRA_MASKED) expect(fs.existsSync(d), d).toBe(true);
  });

  it('writes an inventory in the vmsnap format', () => {
    const file = fleet.writeInventory({
      user: 'azureuser',
      sudo: 'always',
      names: ['vm-bad', 'vm-a'],
      extraHosts: [{ name: 'gone', host: '127.0.0.9', port: 2222 }],
    });
    expect(parseYaml(fs.readFileSync(file, 'utf8'))).toEqual({
      defaults: { user: 'azureuser', port: 22, identityFile: fleet.identityFile, sudo: 'always' },
      hosts: [
        { name: 'vm-bad', host: bad.address, tags: [] },
        { name: 'vm-a', host: a.address, tags: [] },
        { name: 'gone', host: '127.0.0.9', port: 2222, tags: [] },
      ],
    });
    const all = parseYaml(fs.readFileSync(fleet.writeInventory({ file: path.join(fleet.dir, 'all.yaml') }), 'utf8')) as InventoryJson;
    expect(all.defaults).toEqual({ user: 'root', port: 22, identityFile: fleet.identityFile, sudo: 'auto' });
    expect(all.hosts.map((h: { name: string }) => h.name)).toEqual(['vm-a', 'vm-b', 'vm-bad']);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^defaults:\n {2}user: azureuser\n/);
  });

  it('refuses a second fleet on a taken address, and file paths outside the private dirs', async () => {
    await expect(startFleet({ vms: [{ name: 'x', files: [] }], baseAddress: a.address })).rejects.toThrow(/already listens on port 22 of/);
    await expect(
      startFleet({ vms: [{ name: 'x', files: [{ type: 'file', path: '/tmp/nope', content: '', mode: 0o644 }] }] }),
    ).rejects.toThrow(/not under any of the VM's private directories/);
  });

  it('freezes and thaws a VM with signalVm, and stops one with stopVm', async () => {
    fleet.signalVm('vm-b', 'SIGSTOP');
    try {
      expect(await bannerWithin(b.address, 500)).toBe(false);
    } finally {
      fleet.signalVm('vm-b', 'SIGCONT');
    }
    expect(await bannerWithin(b.address, 5000)).toBe(true);
    await fleet.stopVm('vm-b');
    expect(alive(b.pid)).toBe(false);
    expect(await bannerWithin(b.address, 500)).toBe(false);
    expect((await ssh(fleet, 'root', a, 'echo still')).stdout).toBe('still\n');
    expect(() => fleet.signalVm('vm-b', 'SIGCONT')).toThrow(/stopped/);
  });

  it('stop() ends every process it started, session processes included, and removes its dir', async () => {
    // a session that would outlive its sshd listener: the remote shell prints its pid and sleeps
    const client = spawn('ssh', [...sshArgs(fleet, 'root', a), 'echo $$; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const sessionPid = await new Promise<number>((resolve, reject) => {
      client.stdout.once('data', (d) => resolve(Number(String(d).trim())));
      client.once('exit', () => reject(new Error('ssh exited early')));
    });
    expect(alive(sessionPid)).toBe(true);
    const pids = fleet.vms.map((v) => v.pid);
    await fleet.stop();
    // the listeners are the fleet's own children: reaped, so kill(pid, 0) fails
    for (const pid of pids) expect(alive(pid), `sshd pid ${pid}`).toBe(false);
    // the session's shell was orphaned when its sshd died: killed, but reaping it is init's job,
    // so it may linger a moment as a zombie
    expect(aliveNotZombie(sessionPid), `session pid ${sessionPid}`).toBe(false);
    expect(fs.existsSync(fleet.dir)).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    if (client.exitCode === null) client.kill('SIGKILL');
    // stop() is idempotent
    await fleet.stop();
  });
});

describe.skipIf(unavailable !== null)('local test fleet in a chosen dir', () => {
  it('uses the given dir, reports a sshd that cannot start with its stderr, and cleans up', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-fleet-test-'));
    const fleet = await startFleet({ vms: [{ name: 'solo', files: compliantFiles() }], dir });
    try {
      expect(fleet.dir).toBe(dir);
      expect(fs.existsSync(path.join(dir, 'vms', 'solo', 'upper', 'etc', 'azure', 'prescript.sh'))).toBe(true);
      expect((await ssh(fleet, 'root', fleet.vms[0]!, `stat -c '%a' ${PRE_SCRIPT}`)).stdout).toBe('700\n');
    } finally {
      await fleet.stop();
    }
    expect(fs.existsSync(dir)).toBe(false);
    // a bad LogLevel keeps sshd from starting: the error carries sshd's own words
    await expect(startFleet({ vms: [{ name: 'broken', files: [] }], sshdLogLevel: 'NOPE' })).rejects.toThrow(/exited during startup[\s\S]*NOPE/);
  });
});
