// The local test fleet: real OpenSSH sshd processes acting as test VMs, for the end-to-end tests,
// the demo and the benchmark.
//
// Each VM is one `sshd -D` listening on its own loopback address (127.x.y.z:22) inside its own
// mount namespace, where each of PRIVATE_ROOTS (/etc, /var, /opt, /home, /root, /srv, /usr/local)
// is an overlay: the machine's own directory as the read-only lower layer and a per-VM upper
// directory that this module fills directly (as root, before mounting) with the VM's files, with
// their exact modes and owners, its own passwd/group/shadow, a sudoers drop-in and stock .bashrc
// files. Nothing is mocked: whatever reaches a VM over SSH sees real files through a real kernel.
//
// Per VM the only processes are `unshare` exec'ing `sh` exec'ing `sshd` (one pid throughout) and
// one `mount`; keys are made in-process (openssh-key.ts), files are written with plain fs calls.
//
// Layout of a fleet directory (by default under /dev/shm, see defaultFleetParent):
//   <dir>/id_ed25519, id_ed25519.pub   client key, authorised for every user on every VM
//   <dir>/authorized_keys              AuthorizedKeysFile of every VM's sshd
//   <dir>/known_hosts                  every VM's host key, `<address> ssh-ed25519 <base64>`
//   <dir>/inventory.yaml               written on demand by writeInventory()
//   <dir>/vms/<name>/sshd_config, ssh_host_ed25519_key(.pub), sshd.log (sshd's stderr)
//   <dir>/vms/<name>/fstab             the VM's seven overlay mounts, for `mount -a -T`
//   <dir>/vms/<name>/upper/<root>      overlay upper dir for each PRIVATE_ROOT (e.g. upper/usr/local)
//   <dir>/vms/<name>/work/<root>       overlay work dir for each PRIVATE_ROOT
//
// Directories the machine itself may have and a VM must not inherit (/etc/azure, /var/lib/waagent,
// /var/log/azure by default, see FleetOptions.maskedDirs): when the machine has one, a VM that
// defines it gets it as an *opaque* upper directory (xattr trusted.overlay.opaque=y, so nothing of
// the machine's shows through) and a VM that does not gets an overlay *whiteout* (a 0:0 character
// device) so the directory is absent. Node has neither setxattr nor mknod, so those two steps run
// one small helper process per VM (python3, else setfattr + mknod) - but only when the machine
// actually has such a directory; on a clean machine no helper runs at all. (The alternative, a
// tmpfs mounted over the directory inside the namespace, would leave an empty directory behind
// where the VM should have none, and its files would not live in the VM state dir.)

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { PRIVATE_ROOTS, type VmSpec } from './spec.js';
import { generateEd25519KeyPair } from './openssh-key.js';
import { readText, sharedSetup } from './accounts.js';
import { fleetAddresses, parseV4, port22Listeners, randomBase } from './addresses.js';
import { SSH_PORT, checkFleetPrerequisites, FleetError } from './prerequisites.js';
import { START_SCRIPT, hasOverlay, installExitHook, isAlive, liveDirs, livePids, mapLimit, probeBanner, sleep, sshdConfig, type RunningVm } from './processes.js';
import { VmBuilder, checkSpecPath, maskDirs } from './vm-builder.js';

// the fleet's public surface beyond startFleet (tests, the demo and the bench import them from here)
export { FleetUnavailableError, checkFleetPrerequisites, findInPath } from './prerequisites.js';

export interface FleetOptions {
  vms: VmSpec[];
  /** first address; VMs get consecutive addresses after it, e.g. 127.20.0.1, 127.20.0.2 ... (skip .0 and .255 octets) */
  baseAddress?: string; // default: a random 127.<a>.<b>.1 block (a in 100..250) so parallel test files don't collide
  /**
   * where the fleet keeps its state; default a fresh mkdtemp under /dev/shm when that is a tmpfs
   * with room, else under os.tmpdir() (see defaultFleetParent)
   */
  dir?: string;
  sshdLogLevel?: string; // default 'ERROR'
  /**
   * Directories no VM inherits from the machine (opaque when the VM defines them, absent when it
   * does not). Only acted on when the machine has them. Default: /etc/azure, /var/lib/waagent,
   * /var/log/azure.
   */
  maskedDirs?: string[];
  /** how many VMs are spawned and awaited at once (default 32) */
  startConcurrency?: number;
  /** how long one VM may take from spawn to its SSH banner, in ms (default 30 s) */
  startTimeoutMs?: number;
}

export interface FleetVm {
  name: string;
  address: string;
  port: number;
  pid: number;
  hostKeyPublic: string; // 'ssh-ed25519 AAAA...'
  spec: VmSpec;
}

export interface WriteInventoryOptions {
  user?: string;
  sudo?: 'auto' | 'always' | 'never';
  names?: string[];
  file?: string;
  extraHosts?: { name: string; host: string; port?: number }[];
}

export interface Fleet {
  dir: string;
  vms: FleetVm[];
  /** private key (ed25519, no passphrase) authorised for root, azureuser and nosudo on every VM */
  identityFile: string;
  /** known_hosts with every VM's host key, plain entries `<address> <type> <base64>` */
  knownHostsFile: string;
  /** writes an inventory YAML for the given VMs (default all) and returns its path */
  writeInventory(opts?: WriteInventoryOptions): string;
  /** run a command inside a VM's mount namespace as root (nsenter -t <pid> -m), argv form, no shell */
  execInVm(name: string, argv: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  /** stop one VM's sshd (by its pid) */
  stopVm(name: string): Promise<void>;
  /** send a signal to a VM's sshd listener pid (e.g. SIGSTOP / SIGCONT for fault tests) */
  signalVm(name: string, signal: NodeJS.Signals): void;
  /** stop every sshd this fleet started (by pid only; never pkill/killall), remove dir */
  stop(): Promise<void>;
}

export const DEFAULT_MASKED_DIRS = ['/etc/azure', '/var/lib/waagent', '/var/log/azure'] as const;


// ---------------------------------------------------------------------------------------------
// the fleet

const TMPFS_MAGIC = 0x01021994;

/**
 * Where a fleet dir goes by default: /dev/shm when it is a writable tmpfs with room to spare (about
 * 70 KB a VM is used; ask for 512 KB), else os.tmpdir(). Building a VM is ~50 file and directory
 * creations; on the ext4 disk of a small cloud VM each costs ~250 us (about 10 ms a VM), on tmpfs
 * a few us. Overlay upper dirs on tmpfs are fine: it has trusted.* xattrs and whiteouts.
 */
function defaultFleetParent(vmCount: number): string {
  try {
    const st = fs.statfsSync('/dev/shm');
    const need = 16 * 1024 * 1024 + vmCount * 512 * 1024;
    if (st.type === TMPFS_MAGIC && st.bavail * st.bsize >= need) {
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    /* fall back */
  }
  return os.tmpdir();
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  checkFleetPrerequisites();
  const specs = opts.vms;
  const names = new Set<string>();
  for (const s of specs) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s.name)) throw new FleetError(`VM name ${JSON.stringify(s.name)} must be letters, digits, '.', '_' or '-'`);
    if (names.has(s.name)) throw new FleetError(`VM name ${s.name} appears twice`);
    names.add(s.name);
    for (const f of s.files) checkSpecPath(s.name, f.path);
  }
  const logLevel = opts.sshdLogLevel ?? 'ERROR';
  if (!/^[A-Z0-9]+$/.test(logLevel)) throw new FleetError(`bad sshd LogLevel: ${logLevel}`);
  const maskedDirs = opts.maskedDirs ?? [...DEFAULT_MASKED_DIRS];
  for (const d of maskedDirs) checkSpecPath('(maskedDirs)', d);

  // addresses, refusing to share port 22 with anything already listening
  const listeners = port22Listeners();
  if (listeners.has('0.0.0.0')) {
    throw new FleetError('something already listens on 0.0.0.0:22 (a system sshd?); the local fleet needs port 22 on loopback addresses free. Stop it first (the fleet never stops processes it did not start).');
  }
  let addresses: string[] = [];
  if (opts.baseAddress !== undefined) {
    if (parseV4(opts.baseAddress) >>> 24 !== 127) throw new FleetError(`baseAddress ${opts.baseAddress} is not a loopback address (127.0.0.0/8)`);
    addresses = fleetAddresses(opts.baseAddress, specs.length);
    const busy = addresses.filter((a) => listeners.has(a));
    if (busy.length) throw new FleetError(`something already listens on port 22 of ${busy.slice(0, 5).join(', ')}${busy.length > 5 ? ', ...' : ''}; choose another baseAddress`);
  } else {
    for (let attempt = 0; ; attempt++) {
      addresses = fleetAddresses(randomBase(), specs.length);
      if (!addresses.some((a) => listeners.has(a))) break;
      if (attempt > 20) throw new FleetError('could not find a free block of loopback addresses with port 22 unused');
    }
  }

  // fleet dir
  const dir = path.resolve(opts.dir ?? fs.mkdtempSync(path.join(defaultFleetParent(specs.length), 'vmsnap-fleet-')));
  if (/[\s,:"'\\]/.test(dir)) throw new FleetError(`fleet dir ${dir} must not contain spaces, commas, colons, quotes or backslashes (they end up in overlay mount options and sshd_config)`);
  if (PRIVATE_ROOTS.some((r) => dir === r || dir.startsWith(r + '/'))) {
    throw new FleetError(`fleet dir ${dir} lies under ${PRIVATE_ROOTS.join(', ')}: the overlays' upper dirs cannot live inside their own lower dirs; use a dir under /tmp`);
  }
  fs.mkdirSync(dir, { recursive: true });
  // sshd reads AuthorizedKeysFile as the logging-in user: azureuser/nosudo must reach it
  fs.chmodSync(dir, 0o755);
  installExitHook();
  liveDirs.add(dir);

  const running: RunningVm[] = [];
  const byName = new Map<string, RunningVm>();

  const killVm = async (r: RunningVm): Promise<void> => {
    if (!r.hasExited) {
      try {
        process.kill(r.vm.pid, 'SIGTERM');
        process.kill(r.vm.pid, 'SIGCONT'); // a SIGSTOPped sshd (fault tests) must wake to die
      } catch {
        /* already gone */
      }
      const t = await Promise.race([r.exited.then(() => 'exited'), sleep(1500).then(() => 'timeout')]);
      if (t === 'timeout' && !r.hasExited) {
        try {
          process.kill(r.vm.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await Promise.race([r.exited, sleep(5000)]);
      }
    }
    livePids.delete(r.vm.pid);
  };

  /**
   * Session processes (the per-connection sshd and its shell, nsenter'd commands) outlive the
   * listener; they all live in a mount namespace only our unshare created (and we hold open, so
   * its id is still its own), so find them by it. Then let the namespace go.
   */
  const killNamespaceStragglers = async (list: RunningVm[]): Promise<void> => {
    const nss = new Set(list.map((r) => r.mntNs).filter((x): x is string => x !== null));
    if (nss.size === 0) return;
    const stragglers: number[] = [];
    for (const ent of await fsp.readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(ent)) continue;
      const ns = await fsp.readlink(`/proc/${ent}/ns/mnt`).catch(() => null);
      if (ns && nss.has(ns)) stragglers.push(Number(ent));
    }
    for (const pid of stragglers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 100 && stragglers.some(isAlive); i++) await sleep(20);
    for (const r of list) {
      if (r.nsFd !== null) fs.closeSync(r.nsFd);
      r.nsFd = null;
      r.mntNs = null;
    }
  };

  let stopped = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(running.map(killVm));
    await killNamespaceStragglers(running);
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    liveDirs.delete(dir);
  };

  try {
    const shared = sharedSetup(maskedDirs);
    const client = generateEd25519KeyPair('vmsnap-fleet');
    const identityFile = path.join(dir, 'id_ed25519');
    fs.writeFileSync(identityFile, client.privateKey, { mode: 0o600 });
    fs.chmodSync(identityFile, 0o600);
    fs.writeFileSync(identityFile + '.pub', client.publicKey + '\n', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'authorized_keys'), client.publicKey + '\n', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'authorized_keys'), 0o644);
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'vms'), { mode: 0o755 });

    // Build every VM's state dir. Plain synchronous fs calls: a VM is ~50 small creates, and the
    // thread-pool round trips of the async API cost more than the calls themselves. No subprocess
    // runs here unless the machine has one of the masked dirs.
    const hostKeys = new Array<string>(specs.length);
    const masks: { opaque: string[]; whiteouts: string[] }[] = [];
    specs.forEach((spec, i) => {
      const stateDir = path.join(dir, 'vms', spec.name);
      const upper = path.join(stateDir, 'upper');
      const work = path.join(stateDir, 'work');
      fs.mkdirSync(stateDir);
      const fstab: string[] = [];
      for (const root of PRIVATE_ROOTS) {
        const u = upper + root;
        fs.mkdirSync(u, { recursive: true });
        const a = shared.rootAttrs.get(root)!;
        fs.chmodSync(u, a.mode);
        fs.chownSync(u, a.uid, a.gid);
        fs.mkdirSync(work + root, { recursive: true });
        fstab.push(`overlay ${root} overlay lowerdir=${root},upperdir=${u},workdir=${work + root} 0 0`);
      }
      const b = new VmBuilder(spec.name, upper, shared);
      for (const f of shared.systemFiles) b.apply(f);
      for (const f of spec.files) b.apply(f);
      const opaque: string[] = [];
      const whiteouts: string[] = [];
      for (const m of shared.maskedOnHost) {
        if (b.hasDir(m)) opaque.push(b.up(m));
        else if (!b.coveredByLeaf(m)) {
          b.ensureParents(m);
          whiteouts.push(b.up(m));
        }
      }
      if (opaque.length || whiteouts.length) masks.push({ opaque, whiteouts });

      const key = generateEd25519KeyPair(`root@${spec.name}`);
      fs.writeFileSync(path.join(stateDir, 'ssh_host_ed25519_key'), key.privateKey, { mode: 0o600 });
      fs.writeFileSync(path.join(stateDir, 'ssh_host_ed25519_key.pub'), key.publicKey + '\n', { mode: 0o644 });
      fs.writeFileSync(path.join(stateDir, 'sshd_config'), sshdConfig(addresses[i]!, stateDir, dir, logLevel));
      fs.writeFileSync(path.join(stateDir, 'fstab'), fstab.join('\n') + '\n');
      hostKeys[i] = key.publicKeyNoComment;
    });
    await mapLimit(masks, 4, (m) => maskDirs(m.opaque, m.whiteouts));

    const knownHostsFile = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, specs.map((_, i) => `${addresses[i]} ${hostKeys[i]}\n`).join(''), { mode: 0o644 });

    // start the sshds
    const timeoutMs = opts.startTimeoutMs ?? 30_000;
    await mapLimit(specs, opts.startConcurrency ?? 32, async (spec, i) => {
      if (stopped) throw new FleetError('fleet stopped while starting');
      const stateDir = path.join(dir, 'vms', spec.name);
      const logFile = path.join(stateDir, 'sshd.log');
      const logFd = fs.openSync(logFile, 'a');
      let child: ChildProcess;
      try {
        // unshare and sh both exec, so the pid spawn returns ends up being sshd's
        child = spawn('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', START_SCRIPT, `vmsnap-vm-${spec.name}`,
          path.join(stateDir, 'fstab'), path.join(stateDir, 'sshd_config')], { stdio: ['ignore', 'ignore', logFd] });
      } finally {
        fs.closeSync(logFd);
      }
      const pid = child.pid;
      if (pid === undefined) {
        const err = await new Promise<Error>((res) => child.once('error', res));
        throw new FleetError(`could not start VM ${spec.name}: ${err.message}`);
      }
      child.unref();
      livePids.add(pid);
      const r: RunningVm = {
        vm: { name: spec.name, address: addresses[i]!, port: SSH_PORT, pid, hostKeyPublic: hostKeys[i]!, spec },
        child,
        hasExited: false,
        exited: Promise.resolve(),
        logFile,
        stateDir,
        mntNs: null,
        nsFd: null,
      };
      r.exited = new Promise<void>((res) => child.once('exit', () => {
        r.hasExited = true;
        livePids.delete(pid);
        res();
      }));
      child.on('error', () => undefined);
      running.push(r);
      byName.set(spec.name, r);

      const deadline = Date.now() + timeoutMs;
      let delay = 10;
      for (;;) {
        if (r.hasExited) {
          const log = (readText(logFile) ?? '').trim();
          throw new FleetError(`VM ${spec.name}: sshd on ${r.vm.address}:${SSH_PORT} exited during startup (exit code ${child.exitCode ?? child.signalCode}); its stderr:\n${log || '(empty)'}`);
        }
        if (await probeBanner(r.vm.address, SSH_PORT, 2000)) break;
        if (Date.now() > deadline) {
          const log = (readText(logFile) ?? '').trim();
          throw new FleetError(`VM ${spec.name}: sshd on ${r.vm.address}:${SSH_PORT} sent no SSH-2.0 banner within ${timeoutMs} ms; its stderr:\n${log || '(empty)'}`);
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 100);
      }
      // Hold the VM's mount namespace open: while we do, its id (mnt:[inode]) cannot be handed to
      // another namespace (a parallel test file's VM), so stop() can kill by it safely.
      try {
        r.nsFd = fs.openSync(`/proc/${pid}/ns/mnt`, 'r');
        r.mntNs = fs.readlinkSync(`/proc/${pid}/ns/mnt`);
      } catch {
        /* sshd died just now: the checks below and stop() cope */
      }
      // Never let a VM run on the machine's own directories: check that sshd sees all seven
      // overlays with this VM's upper dirs (mount -a skips what it believes is already mounted).
      const mountinfo = await fsp.readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
      const missing = PRIVATE_ROOTS.filter((root) => !hasOverlay(mountinfo, root, path.join(stateDir, 'upper') + root));
      if (missing.length) throw new FleetError(`VM ${spec.name}: sshd runs without its overlays on ${missing.join(', ')}`);
    });

    // keep spec order
    const vms = specs.map((s) => byName.get(s.name)!.vm);
    const get = (name: string): RunningVm => {
      const r = byName.get(name);
      if (!r) throw new FleetError(`no VM named ${name} in this fleet`);
      return r;
    };

    const fleet: Fleet = {
      dir,
      vms,
      identityFile,
      knownHostsFile,
      writeInventory(o: WriteInventoryOptions = {}): string {
        const chosen = o.names ? o.names.map((n) => get(n).vm) : vms;
        const doc = {
          defaults: { user: o.user ?? 'root', port: SSH_PORT, identityFile, sudo: o.sudo ?? 'auto' },
          hosts: [
            ...chosen.map((v) => ({ name: v.name, host: v.address, tags: [] as string[] })),
            ...(o.extraHosts ?? []).map((h) => (h.port === undefined ? { name: h.name, host: h.host, tags: [] as string[] } : { name: h.name, host: h.host, port: h.port, tags: [] as string[] })),
          ],
        };
        const file = o.file ?? path.join(dir, 'inventory.yaml');
        fs.writeFileSync(file, yamlStringify(doc));
        return file;
      },
      execInVm(name: string, argv: string[]) {
        const r = get(name);
        if (r.hasExited) return Promise.reject(new FleetError(`VM ${name} is stopped`));
        if (argv.length === 0) return Promise.reject(new FleetError('execInVm needs a command'));
        return new Promise((resolve, reject) => {
          execFile('nsenter', ['-t', String(r.vm.pid), '-m', '--', ...argv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (!err) return resolve({ stdout, stderr, code: 0 });
            const code = (err as { code?: unknown }).code;
            if (typeof code === 'number') return resolve({ stdout, stderr, code });
            if (err.signal) return resolve({ stdout, stderr, code: 128 + (os.constants.signals[err.signal] ?? 0) });
            reject(new FleetError(`nsenter ${argv.join(' ')} in ${name}: ${err.message}`, { cause: err }));
          });
        });
      },
      async stopVm(name: string) {
        const r = get(name);
        await killVm(r);
        await killNamespaceStragglers([r]);
      },
      signalVm(name: string, signal: NodeJS.Signals) {
        const r = get(name);
        if (r.hasExited) throw new FleetError(`VM ${name} is stopped`);
        process.kill(r.vm.pid, signal);
      },
      stop: stopAll,
    };
    return fleet;
  } catch (e) {
    // leave nothing behind: the sshds started so far, and the dir (the caller's too, as stop() would)
    await stopAll();
    throw e;
  }
}
