// Building one VM's overlay upper directories: its files with their exact modes and owners, and
// the masks (opaque dirs, whiteouts) that hide what the machine has and the VM must not.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PRIVATE_ROOTS, type FileSpec } from './spec.js';
import { ownerId, statAttrs, type Attrs, type Shared } from './accounts.js';
import { FleetUnavailableError, findInPath, firstExisting, FleetError } from './prerequisites.js';

export function rootOf(p: string): string | undefined {
  return PRIVATE_ROOTS.find((r) => p.startsWith(r + '/'));
}

export function checkSpecPath(vm: string, p: string): void {
  if (!path.posix.isAbsolute(p) || path.posix.normalize(p) !== p || p.endsWith('/')) {
    throw new FleetError(`VM ${vm}: file path ${JSON.stringify(p)} must be absolute and normalised`);
  }
  if (!rootOf(p)) {
    throw new FleetError(`VM ${vm}: file path ${p} is not under any of the VM's private directories (${PRIVATE_ROOTS.join(', ')})`);
  }
}

export class VmBuilder {
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
      if (this.leaves.get(d) === 'symlink') throw new FleetError(`VM ${this.vm}: ${p} lies under the symlink ${d}`);
      if (this.leaves.has(d)) throw new FleetError(`VM ${this.vm}: ${p} lies under the file ${d}`);
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
      if (prev) throw new FleetError(`VM ${this.vm}: ${f.path} is both a ${prev} and a directory`);
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
    if (this.dirs.has(f.path)) throw new FleetError(`VM ${this.vm}: ${f.path} is both a directory and a ${f.type}`);
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
export async function maskDirs(opaque: string[], whiteouts: string[]): Promise<void> {
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
      if (err) reject(new FleetError(`could not mask the machine's ${[...opaque, ...whiteouts].join(', ')} in a VM: ${stderr || err.message}`));
      else resolve();
    });
  });
}

