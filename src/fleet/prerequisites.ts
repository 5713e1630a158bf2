// What the machine needs to run the local fleet (root, Linux, sshd, unshare, overlayfs), found once.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VmsnapError, type ErrorSubject } from '../errors.js';

/** The machine cannot run the local fleet; the message says what is missing. */
export class FleetUnavailableError extends VmsnapError {
  constructor(message: string) {
    super('FLEET_UNAVAILABLE', message);
  }
}

/** The fleet was asked for something it cannot do (a bad VM spec, a busy address) or a VM failed to start. */
export class FleetError extends VmsnapError {
  constructor(message: string, subject: ErrorSubject = {}) {
    super('FLEET', message, subject);
  }
}

export const SSHD = '/usr/sbin/sshd';
export const SSH_PORT = 22;

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

export function firstExisting(paths: string[]): string | null {
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

