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

import { spawn, execFile, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { FLEET_USERS, ORPHAN_UID, PRIVATE_ROOTS, type FileSpec, type Owner, type VmSpec } from './spec.js';
import { generateEd25519KeyPair } from './openssh-key.js';
import { VmsnapError } from '../errors.js';

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

/** The machine cannot run the local fleet; the message says what is missing. */
export class FleetUnavailableError extends VmsnapError {
  constructor(message: string) {
    super('FLEET_UNAVAILABLE', message);
  }
}

export const DEFAULT_MASKED_DIRS = ['/etc/azure', '/var/lib/waagent', '/var/log/azure'] as const;

const SSHD = '/usr/sbin/sshd';
const SSH_PORT = 22;
const STOCK_BASHRC = '/usr/share/base-files/dot.bashrc';
/** used only if the machine lacks Debian's base-files copy */
const FALLBACK_BASHRC = '# ~/.bashrc: executed by bash(1) for non-login shells.\n\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n';
const USER_SHELLS: Record<keyof typeof FLEET_USERS, string> = {
  azureuser: '/bin/bash',
  nosudo: '/bin/bash',
  appuser: '/usr/sbin/nologin',
};
const SUDOERS_TEXT = [
  '# written by the vmsnap local test fleet',
  'azureuser ALL=(ALL) NOPASSWD: ALL',
  'nosudo ALL=(ALL) ALL',
  '',
].join('\n');

// ---------------------------------------------------------------------------------------------
// prerequisites

/** The first executable `cmd` on PATH, or null. */
export function findInPath(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    if (!d) continue;
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

function firstExisting(paths: string[]): string | null {
  for (const p of paths) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

let prerequisitesOk = false;

/**
 * Throws a FleetUnavailableError naming everything the machine lacks to run the local fleet:
 * root, /usr/sbin/sshd, unshare/nsenter/mount, overlayfs usable in a private mount namespace, sudo.
 */
export function checkFleetPrerequisites(): void {
  if (prerequisitesOk) return;
  const missing: string[] = [];
  if (process.platform !== 'linux') {
    throw new FleetUnavailableError('the local test fleet needs Linux (mount namespaces and overlayfs)');
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    missing.push('root: the fleet must run as root (it mounts overlays and starts sshd)');
  }
  if (!firstExisting([SSHD])) missing.push(`${SSHD} (install the openssh-server package)`);
  const tools = ['unshare', 'nsenter', 'mount'].filter((t) => !findInPath(t));
  if (tools.length) missing.push(`${tools.join(', ')} (util-linux / mount packages)`);
  if (!firstExisting(['/usr/bin/sudo', '/bin/sudo'])) missing.push('sudo (install the sudo package)');
  let fsList = '';
  try {
    fsList = fs.readFileSync('/proc/filesystems', 'utf8');
  } catch {
    /* reported below */
  }
  if (!/\toverlay$/m.test(fsList)) missing.push('the overlay filesystem (modprobe overlay)');

  if (missing.length === 0) {
    // a real probe: a private mount namespace with an overlay whose upper dir is on the same
    // filesystem the fleet will use (a container may refuse unshare, or overlay-on-overlay)
    const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-fleet-probe-'));
    try {
      for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(probe, d));
      const r = spawnSync(
        'unshare',
        ['--mount', '--propagation', 'private', '--', 'mount', '-t', 'overlay', 'overlay', '-o',
          `lowerdir=${probe}/lower,upperdir=${probe}/upper,workdir=${probe}/work`, `${probe}/merged`],
        { encoding: 'utf8', timeout: 10_000 },
      );
      if (r.error || r.status !== 0) {
        const why = (r.error?.message ?? r.stderr ?? '').trim();
        missing.push(`a private mount namespace with an overlay mount (unshare --mount + mount -t overlay failed: ${why || `exit ${r.status}`})`);
      }
    } finally {
      fs.rmSync(probe, { recursive: true, force: true });
    }
  }
  if (missing.length) {
    throw new FleetUnavailableError(`the local test fleet cannot run on this machine; missing: ${missing.join('; ')}`);
  }
  prerequisitesOk = true;
}

// ---------------------------------------------------------------------------------------------
// addresses and port-22 listeners

function parseV4(addr: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  const o = m ? m.slice(1).map(Number) : [];
  if (!m || o.some((x) => x > 255)) throw new Error(`not an IPv4 address: ${addr}`);
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

function formatV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `count` consecutive loopback addresses from `base`, skipping last octets 0 and 255. */
export function fleetAddresses(base: string, count: number): string[] {
  let cur = parseV4(base);
  const out: string[] = [];
  while (out.length < count) {
    const last = cur & 255;
    if (last !== 0 && last !== 255) {
      if (cur >>> 24 !== 127) throw new Error(`the fleet may only use loopback addresses (127.0.0.0/8); ${count} VMs from ${base} run past 127.255.255.254`);
      out.push(formatV4(cur));
    }
    cur = (cur + 1) >>> 0;
    if (cur === 0) throw new Error(`address range from ${base} overflowed`);
  }
  return out;
}

function randomBase(): string {
  const a = 100 + Math.floor(Math.random() * 151);
  const b = Math.floor(Math.random() * 256);
  return `127.${a}.${b}.1`;
}

/** Addresses with a TCP listener on port 22, from /proc/net/tcp and tcp6 (IPv4-mapped included). */
function port22Listeners(): Set<string> {
  const out = new Set<string>();
  const le = os.endianness() === 'LE';
  const word = (hex: string): number[] => {
    const b = [...Buffer.from(hex, 'hex')];
    return le ? b.reverse() : b;
  };
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A = LISTEN
      const [hexAddr, hexPort] = (f[1] ?? '').split(':');
      if (!hexAddr || parseInt(hexPort ?? '', 16) !== SSH_PORT) continue;
      if (hexAddr.length === 8) {
        out.add(word(hexAddr).join('.'));
      } else if (hexAddr.length === 32) {
        const bytes: number[] = [];
        for (let i = 0; i < 32; i += 8) bytes.push(...word(hexAddr.slice(i, i + 8)));
        if (bytes.every((x) => x === 0)) out.add('::');
        else if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 255 && bytes[11] === 255) out.add(bytes.slice(12).join('.'));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// per-machine facts shared by every VM of a fleet

interface Attrs {
  mode: number;
  uid: number;
  gid: number;
}

interface Shared {
  /** FileSpecs every VM gets before its own (its own win on the same path) */
  systemFiles: FileSpec[];
  /** the PRIVATE_ROOTS' own attributes (an overlay's root dir takes them from the upper dir) */
  rootAttrs: Map<string, Attrs>;
  /** attributes of the machine's directories (null: absent), to mirror on upper parent dirs */
  lowerDirs: Map<string, Attrs | null>;
  /** masked dirs the machine has */
  maskedOnHost: string[];
}

function ownerId(o: Owner | undefined, fallback: number): number {
  if (o === undefined) return fallback;
  if (typeof o === 'number') return o;
  if (o === 'root') return 0;
  const id = FLEET_USERS[o];
  if (id === undefined) throw new Error(`unknown fleet user: ${String(o)}`);
  return id;
}

function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

function statAttrs(p: string): Attrs | null {
  try {
    const st = fs.statSync(p);
    if (!st.isDirectory()) return null;
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return null;
  }
}

function fileAttrs(p: string, fallback: Attrs): Attrs {
  try {
    const st = fs.statSync(p);
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return fallback;
  }
}

/** The VM's passwd, group, shadow and gshadow: the machine's, minus anything on our names/ids, plus ours. */
function accountFiles(): FileSpec[] {
  const users = Object.entries(FLEET_USERS) as [keyof typeof FLEET_USERS, number][];
  const ourNames = new Set<string>(users.map(([n]) => n));
  const takenIds = new Set<number>([...users.map(([, id]) => id), ORPHAN_UID]);
  const lines = (t: string | null) => (t ?? '').split('\n').filter((l) => l.trim() !== '');

  const droppedUsers = new Set<string>();
  const passwd = lines(readText('/etc/passwd')).filter((l) => {
    const f = l.split(':');
    const drop = ourNames.has(f[0] ?? '') || takenIds.has(Number(f[2]));
    if (drop) droppedUsers.add(f[0] ?? '');
    return !drop;
  });
  const droppedGroups = new Set<string>();
  const group = lines(readText('/etc/group'))
    .filter((l) => {
      const f = l.split(':');
      const drop = ourNames.has(f[0] ?? '') || takenIds.has(Number(f[2]));
      if (drop) droppedGroups.add(f[0] ?? '');
      return !drop;
    })
    .map((l) => {
      const f = l.split(':');
      if (f.length < 4) return l;
      f[3] = (f[3] ?? '').split(',').filter((m) => m && !droppedUsers.has(m)).join(',');
      return f.join(':');
    });
  // sshd without PAM refuses a key login to an account whose password field starts with "!"
  // (locked); give root "*" (no password, not locked) in the VM's copy if the machine locks it.
  const shadow = lines(readText('/etc/shadow'))
    .filter((l) => !droppedUsers.has(l.split(':')[0] ?? '') && !ourNames.has(l.split(':')[0] ?? ''))
    .map((l) => {
      const f = l.split(':');
      if (f[0] === 'root' && (f[1] ?? '').startsWith('!')) f[1] = '*';
      return f.join(':');
    });
  const gshadowText = readText('/etc/gshadow');
  const gshadow = lines(gshadowText)
    .filter((l) => !droppedGroups.has(l.split(':')[0] ?? '') && !ourNames.has(l.split(':')[0] ?? ''))
    .map((l) => {
      const f = l.split(':');
      for (const i of [2, 3]) if (f[i] !== undefined) f[i] = f[i].split(',').filter((m) => m && !droppedUsers.has(m)).join(',');
      return f.join(':');
    });

  for (const [name, id] of users) {
    passwd.push(`${name}:x:${id}:${id}::/home/${name}:${USER_SHELLS[name]}`);
    group.push(`${name}:x:${id}:`);
    shadow.push(`${name}:*:19000:0:99999:7:::`);
    gshadow.push(`${name}:!::`);
  }
  const spec = (p: string, content: string[], fallback: Attrs): FileSpec => {
    const a = fileAttrs(p, fallback);
    return { type: 'file', path: p, content: content.join('\n') + '\n', mode: a.mode, owner: a.uid, group: a.gid };
  };
  const out = [
    spec('/etc/passwd', passwd, { mode: 0o644, uid: 0, gid: 0 }),
    spec('/etc/group', group, { mode: 0o644, uid: 0, gid: 0 }),
    spec('/etc/shadow', shadow, { mode: 0o640, uid: 0, gid: 0 }),
  ];
  if (gshadowText !== null) out.push(spec('/etc/gshadow', gshadow, { mode: 0o640, uid: 0, gid: 0 }));
  return out;
}

function sharedSetup(maskedDirs: string[]): Shared {
  const rootAttrs = new Map<string, Attrs>();
  for (const root of PRIVATE_ROOTS) {
    let a = statAttrs(root);
    if (!a) {
      // The machine lacks this root (e.g. no /srv): create it, empty, so the overlay has a lower
      // dir and a mount point; the VM then sees only its own files there.
      fs.mkdirSync(root, { recursive: true, mode: 0o755 });
      a = statAttrs(root) ?? { mode: 0o755, uid: 0, gid: 0 };
    }
    rootAttrs.set(root, a);
  }
  const bashrc = readText(STOCK_BASHRC) ?? FALLBACK_BASHRC;
  const systemFiles: FileSpec[] = [
    ...accountFiles(),
    { type: 'file', path: '/etc/sudoers.d/vmsnap-fleet', content: SUDOERS_TEXT, mode: 0o440, owner: 0, group: 0 },
    { type: 'file', path: '/root/.bashrc', content: bashrc, mode: 0o644, owner: 0, group: 0 },
  ];
  for (const [name, id] of Object.entries(FLEET_USERS)) {
    systemFiles.push(
      { type: 'dir', path: `/home/${name}`, mode: 0o755, owner: id, group: id },
      { type: 'file', path: `/home/${name}/.bashrc`, content: bashrc, mode: 0o644, owner: id, group: id },
    );
  }
  return {
    systemFiles,
    rootAttrs,
    lowerDirs: new Map(),
    maskedOnHost: maskedDirs.filter((d) => statAttrs(d) !== null),
  };
}

// ---------------------------------------------------------------------------------------------
// building one VM's upper dirs

function rootOf(p: string): string | undefined {
  return PRIVATE_ROOTS.find((r) => p.startsWith(r + '/'));
}

function checkSpecPath(vm: string, p: string): void {
  if (!path.posix.isAbsolute(p) || path.posix.normalize(p) !== p || p.endsWith('/')) {
    throw new Error(`VM ${vm}: file path ${JSON.stringify(p)} must be absolute and normalised`);
  }
  if (!rootOf(p)) {
    throw new Error(`VM ${vm}: file path ${p} is not under any of the VM's private directories (${PRIVATE_ROOTS.join(', ')})`);
  }
}

class VmBuilder {
  /** VM paths present as directories in the upper dirs */
  private dirs = new Set<string>(PRIVATE_ROOTS);
  /** VM paths written as files or symlinks */
  private leaves = new Map<string, 'file' | 'symlink'>();

  constructor(
    private readonly vm: string,
    readonly upper: string,
    private readonly shared: Shared,
  ) {}

  up(p: string): string {
    return this.upper + p;
  }

  hasDir(p: string): boolean {
    return this.dirs.has(p);
  }

  /** Whether `p` or one of its ancestors is a file or symlink in the upper dir (which hides the machine's `p`). */
  coveredByLeaf(p: string): boolean {
    for (let d = p; d !== '/'; d = path.posix.dirname(d)) if (this.leaves.has(d)) return true;
    return false;
  }

  private lowerDir(p: string): Attrs | null {
    let a = this.shared.lowerDirs.get(p);
    if (a === undefined) {
      a = statAttrs(p);
      this.shared.lowerDirs.set(p, a);
    }
    return a;
  }

  /** Create the missing parents of `p` in the upper dir: like the machine's dir if it has one, else root:root 0755. */
  ensureParents(p: string): void {
    const missing: string[] = [];
    for (let d = path.posix.dirname(p); !this.dirs.has(d); d = path.posix.dirname(d)) {
      if (this.leaves.get(d) === 'symlink') throw new Error(`VM ${this.vm}: ${p} lies under the symlink ${d}`);
      if (this.leaves.has(d)) throw new Error(`VM ${this.vm}: ${p} lies under the file ${d}`);
      missing.push(d);
    }
    for (const d of missing.reverse()) {
      const a = this.lowerDir(d) ?? { mode: 0o755, uid: 0, gid: 0 };
      fs.mkdirSync(this.up(d));
      fs.chmodSync(this.up(d), a.mode);
      if (a.uid !== 0 || a.gid !== 0) fs.chownSync(this.up(d), a.uid, a.gid);
      this.dirs.add(d);
    }
  }

  apply(f: FileSpec): void {
    this.ensureParents(f.path);
    const target = this.up(f.path);
    const prev = this.leaves.get(f.path);
    if (f.type === 'dir') {
      if (prev) throw new Error(`VM ${this.vm}: ${f.path} is both a ${prev} and a directory`);
      if (!this.dirs.has(f.path)) {
        fs.mkdirSync(target);
        this.dirs.add(f.path);
      }
      const uid = ownerId(f.owner, 0);
      // chown first: it clears set-id bits, and the spec's mode is the mode the VM gets
      fs.chownSync(target, uid, ownerId(f.group, uid));
      fs.chmodSync(target, f.mode);
      return;
    }
    if (this.dirs.has(f.path)) throw new Error(`VM ${this.vm}: ${f.path} is both a directory and a ${f.type}`);
    // never write through an earlier symlink (or over an earlier file's mode)
    if (prev) fs.rmSync(target, { force: true });
    if (f.type === 'symlink') {
      fs.symlinkSync(f.target, target);
    } else {
      const fd = fs.openSync(target, 'wx', 0o600);
      try {
        fs.writeFileSync(fd, f.content);
        const uid = ownerId(f.owner, 0);
        const gid = ownerId(f.group, uid);
        // chown first: it clears set-id bits, and the spec's mode is the mode the VM gets
        if (uid !== 0 || gid !== 0) fs.fchownSync(fd, uid, gid);
        fs.fchmodSync(fd, f.mode); // after creating: the umask trims the mode given to open()
      } finally {
        fs.closeSync(fd);
      }
    }
    this.leaves.set(f.path, f.type);
  }
}

/** Run a helper that marks opaque dirs and creates whiteouts in one VM's upper dirs. */
async function maskDirs(opaque: string[], whiteouts: string[]): Promise<void> {
  if (opaque.length === 0 && whiteouts.length === 0) return;
  const python = firstExisting(['/usr/bin/python3']) ?? findInPath('python3');
  let cmd: string;
  let args: string[];
  if (python) {
    const script = [
      'import os, stat, sys',
      'n = int(sys.argv[1])',
      'for p in sys.argv[2:2 + n]: os.setxattr(p, "trusted.overlay.opaque", b"y")',
      'for p in sys.argv[2 + n:]: os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(0, 0))',
    ].join('\n');
    cmd = python;
    args = ['-c', script, String(opaque.length), ...opaque, ...whiteouts];
  } else if (findInPath('setfattr') || opaque.length === 0) {
    const script = 'n=$1; shift; i=0; for p; do if [ $i -lt $n ]; then setfattr -n trusted.overlay.opaque -v y "$p" || exit 1; else mknod -m 600 "$p" c 0 0 || exit 1; fi; i=$((i+1)); done';
    cmd = '/bin/sh';
    args = ['-c', script, 'mask', String(opaque.length), ...opaque, ...whiteouts];
  } else {
    throw new FleetUnavailableError(
      `this machine has ${opaque.join(', ')}, which the VMs must not inherit, and neither python3 nor setfattr (package attr) is installed to make them opaque`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    execFile(cmd, args, (err, _out, stderr) => {
      if (err) reject(new Error(`could not mask the machine's ${[...opaque, ...whiteouts].join(', ')} in a VM: ${stderr || err.message}`));
      else resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// process bookkeeping

/** pids of sshds started by any fleet of this process, killed on exit if still running */
const livePids = new Set<number>();
/** fleet dirs to remove on exit if their fleet was never stopped */
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killLeftovers);
  // A fatal signal skips 'exit'. Clean up, then let the signal do what it would have done: if no
  // one else listens for it, re-raise it (the default action ends the process).
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killLeftovers();
      process.removeListener(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

function killLeftovers(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const d of liveDirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  liveDirs.clear();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie answers kill(0) but is gone for our purposes
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
  return out;
}

/** One TCP connection: true once the peer sends an SSH-2.0 banner. */
function probeBanner(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let buf = '';
    let done = false;
    const sock = net.connect({ host, port });
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      if (done) return;
      buf += d;
      if (buf.includes('SSH-2.0')) {
        // answer with a banner of our own before closing, or sshd logs every probe at ERROR level
        // ("kex_exchange_identification: Connection closed by remote host")
        done = true;
        clearTimeout(timer);
        sock.end('SSH-2.0-vmsnap-fleet-probe\r\n');
        setTimeout(() => sock.destroy(), 1000).unref();
        resolve(true);
      } else if (buf.length > 4096) finish(false);
    });
    sock.on('error', () => finish(false));
    sock.on('close', () => finish(false));
  });
}

/** Whether a mountinfo text shows an overlay on `target` whose upper dir is `upper`. */
function hasOverlay(mountinfo: string, target: string, upper: string): boolean {
  return mountinfo.split('\n').some((line) => {
    const [left, right] = line.split(' - ');
    if (!left || !right) return false;
    const [fstype, , superOpts] = right.split(' ');
    return left.split(' ')[4] === target && fstype === 'overlay' && (superOpts ?? '').split(',').includes(`upperdir=${upper}`);
  });
}

interface RunningVm {
  vm: FleetVm;
  child: ChildProcess;
  exited: Promise<void>;
  hasExited: boolean;
  logFile: string;
  stateDir: string;
  /** `mnt:[inode]` of the VM's namespace, and an fd that keeps it (and so that id) alive */
  mntNs: string | null;
  nsFd: number | null;
}

// Runs as `sh -c START_SCRIPT <name> <fstab> <sshd_config>` inside the new mount namespace. The
// seven overlays are listed in the VM's own fstab (<state>/fstab) and mounted by one `mount -a -T`:
// one process instead of seven `mount` calls per VM cut the fleet's start time by about a third on
// a 2-core machine. The paths reach the script only as positional parameters, never spliced into
// its text; startFleet() refuses fleet dirs with whitespace, commas, colons or quotes, which
// neither fstab fields nor overlay mount options could carry.
const START_SCRIPT = [
  'mount -a -T "$1" || { echo "vmsnap fleet: cannot mount the overlays listed in $1" >&2; exit 111; }',
  `exec ${SSHD} -D -e -f "$2"`,
].join('\n');

function sshdConfig(address: string, stateDir: string, fleetDir: string, logLevel: string): string {
  return [
    '# sshd of one vmsnap local-fleet VM',
    `ListenAddress ${address}:${SSH_PORT}`,
    `HostKey ${stateDir}/ssh_host_ed25519_key`,
    `AuthorizedKeysFile ${fleetDir}/authorized_keys`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PidFile none',
    'UseDNS no',
    `LogLevel ${logLevel}`,
    '',
  ].join('\n');
}

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
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s.name)) throw new Error(`VM name ${JSON.stringify(s.name)} must be letters, digits, '.', '_' or '-'`);
    if (names.has(s.name)) throw new Error(`VM name ${s.name} appears twice`);
    names.add(s.name);
    for (const f of s.files) checkSpecPath(s.name, f.path);
  }
  const logLevel = opts.sshdLogLevel ?? 'ERROR';
  if (!/^[A-Z0-9]+$/.test(logLevel)) throw new Error(`bad sshd LogLevel: ${logLevel}`);
  const maskedDirs = opts.maskedDirs ?? [...DEFAULT_MASKED_DIRS];
  for (const d of maskedDirs) checkSpecPath('(maskedDirs)', d);

  // addresses, refusing to share port 22 with anything already listening
  const listeners = port22Listeners();
  if (listeners.has('0.0.0.0')) {
    throw new Error('something already listens on 0.0.0.0:22 (a system sshd?); the local fleet needs port 22 on loopback addresses free. Stop it first (the fleet never stops processes it did not start).');
  }
  let addresses: string[] = [];
  if (opts.baseAddress !== undefined) {
    if (parseV4(opts.baseAddress) >>> 24 !== 127) throw new Error(`baseAddress ${opts.baseAddress} is not a loopback address (127.0.0.0/8)`);
    addresses = fleetAddresses(opts.baseAddress, specs.length);
    const busy = addresses.filter((a) => listeners.has(a));
    if (busy.length) throw new Error(`something already listens on port 22 of ${busy.slice(0, 5).join(', ')}${busy.length > 5 ? ', ...' : ''}; choose another baseAddress`);
  } else {
    for (let attempt = 0; ; attempt++) {
      addresses = fleetAddresses(randomBase(), specs.length);
      if (!addresses.some((a) => listeners.has(a))) break;
      if (attempt > 20) throw new Error('could not find a free block of loopback addresses with port 22 unused');
    }
  }

  // fleet dir
  const dir = path.resolve(opts.dir ?? fs.mkdtempSync(path.join(defaultFleetParent(specs.length), 'vmsnap-fleet-')));
  if (/[\s,:"'\\]/.test(dir)) throw new Error(`fleet dir ${dir} must not contain spaces, commas, colons, quotes or backslashes (they end up in overlay mount options and sshd_config)`);
  if (PRIVATE_ROOTS.some((r) => dir === r || dir.startsWith(r + '/'))) {
    throw new Error(`fleet dir ${dir} lies under ${PRIVATE_ROOTS.join(', ')}: the overlays' upper dirs cannot live inside their own lower dirs; use a dir under /tmp`);
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
      if (stopped) throw new Error('fleet stopped while starting');
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
        throw new Error(`could not start VM ${spec.name}: ${err.message}`);
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
          throw new Error(`VM ${spec.name}: sshd on ${r.vm.address}:${SSH_PORT} exited during startup (exit code ${child.exitCode ?? child.signalCode}); its stderr:\n${log || '(empty)'}`);
        }
        if (await probeBanner(r.vm.address, SSH_PORT, 2000)) break;
        if (Date.now() > deadline) {
          const log = (readText(logFile) ?? '').trim();
          throw new Error(`VM ${spec.name}: sshd on ${r.vm.address}:${SSH_PORT} sent no SSH-2.0 banner within ${timeoutMs} ms; its stderr:\n${log || '(empty)'}`);
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
      if (missing.length) throw new Error(`VM ${spec.name}: sshd runs without its overlays on ${missing.join(', ')}`);
    });

    // keep spec order
    const vms = specs.map((s) => byName.get(s.name)!.vm);
    const get = (name: string): RunningVm => {
      const r = byName.get(name);
      if (!r) throw new Error(`no VM named ${name} in this fleet`);
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
        if (r.hasExited) return Promise.reject(new Error(`VM ${name} is stopped`));
        if (argv.length === 0) return Promise.reject(new Error('execInVm needs a command'));
        return new Promise((resolve, reject) => {
          execFile('nsenter', ['-t', String(r.vm.pid), '-m', '--', ...argv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (!err) return resolve({ stdout, stderr, code: 0 });
            const code = (err as { code?: unknown }).code;
            if (typeof code === 'number') return resolve({ stdout, stderr, code });
            if (err.signal) return resolve({ stdout, stderr, code: 128 + (os.constants.signals[err.signal] ?? 0) });
            reject(new Error(`nsenter ${argv.join(' ')} in ${name}: ${err.message}`, { cause: err }));
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
        if (r.hasExited) throw new Error(`VM ${name} is stopped`);
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
