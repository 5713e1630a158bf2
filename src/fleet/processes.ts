// Process bookkeeping of the fleet: the exit hook that ends every sshd it started (by pid), the
// banner probe, the overlay check and the per-VM sshd config.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { readText } from './accounts.js';
import type { FleetVm } from './harness.js';
import { SSHD, SSH_PORT } from './prerequisites.js';

/** pids of sshds started by any fleet of this process, killed on exit if still running */
export const livePids = new Set<number>();
/** fleet dirs to remove on exit if their fleet was never stopped */
export const liveDirs = new Set<string>();
let exitHookInstalled = false;

export function installExitHook(): void {
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

export function killLeftovers(): void {
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

export function isAlive(pid: number): boolean {
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

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
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
export function probeBanner(host: string, port: number, timeoutMs: number): Promise<boolean> {
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
export function hasOverlay(mountinfo: string, target: string, upper: string): boolean {
  return mountinfo.split('\n').some((line) => {
    const [left, right] = line.split(' - ');
    if (!left || !right) return false;
    const [fstype, , superOpts] = right.split(' ');
    return left.split(' ')[4] === target && fstype === 'overlay' && (superOpts ?? '').split(',').includes(`upperdir=${upper}`);
  });
}

export interface RunningVm {
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
export const START_SCRIPT = [
  'mount -a -T "$1" || { echo "vmsnap fleet: cannot mount the overlays listed in $1" >&2; exit 111; }',
  `exec ${SSHD} -D -e -f "$2"`,
].join('\n');

export function sshdConfig(address: string, stateDir: string, fleetDir: string, logLevel: string): string {
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

