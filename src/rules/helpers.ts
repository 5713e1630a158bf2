// Pure helpers shared by the rules: how a path, a mode, an owner or a JSON value reads in a message,
// and the few judgements several rules make the same way (a regular file, non-root write access,
// Python truthiness). Nothing here does I/O.
import type { DirFacts, PathFacts, StatFacts } from '../model/facts.js';

/** A path whose followed stat is a regular file (what the extension's os.path.isfile accepts). */
export type RegularFile = PathFacts & { stat: StatFacts };

export function isRegularFile(p: PathFacts | null | undefined): p is RegularFile {
  return p != null && p.stat !== null && p.stat.type === 'file';
}

/** 0o644 -> '0644', 0o4755 -> '4755' */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** 'root', 'appuser (uid 1002)', 'uid 4242 (no passwd entry)' */
export function describeOwner(st: StatFacts): string {
  if (st.owner === null) return `uid ${st.uid} (no passwd entry)`;
  return st.owner === 'root' && st.uid === 0 ? 'root' : `${st.owner} (uid ${st.uid})`;
}

function describeGroup(st: StatFacts): string {
  if (st.group === null) return `gid ${st.gid}`;
  return st.gid === 0 ? st.group : `${st.group} (gid ${st.gid})`;
}

/** '0644 root:root' */
export function describeStat(st: StatFacts): string {
  return `${formatMode(st.mode)} ${st.owner ?? `uid ${st.uid}`}:${st.group ?? `gid ${st.gid}`}`;
}

/** The extension's owner test: the passwd name of the owner is exactly root. */
export function ownedByRoot(st: StatFacts): boolean {
  return st.owner === 'root';
}

/**
 * Why a non-root user can write (or make writable) this file or directory; empty when none can.
 * A non-root owner can always chmod its own file, so it counts whatever the mode says; a group
 * other than root's with the write bit, and the other-write bit, count too.
 */
export function nonRootWriters(st: StatFacts): string[] {
  const why: string[] = [];
  if (st.uid !== 0) {
    why.push(
      st.mode & 0o200
        ? `its owner ${describeOwner(st)} can write it`
        : `its owner ${describeOwner(st)} can chmod it and then write it`,
    );
  }
  if (st.mode & 0o020 && st.gid !== 0) why.push(`group ${describeGroup(st)} can write it (mode & 0o020)`);
  if (st.mode & 0o002) {
    why.push(
      st.type === 'dir' && st.mode & 0o1000
        ? 'every user can write it (mode & 0o002; the sticky bit only stops users removing entries they do not own: they can still create new ones)'
        : 'every user can write it (mode & 0o002)',
    );
  }
  return why;
}

/** Whether a parent directory should be judged for write access (symlinks carry no permissions). */
export function judgedDir(d: DirFacts): d is DirFacts & { stat: StatFacts } {
  return d.stat !== null && d.stat.type !== 'symlink';
}

const TYPE_LABELS: Record<string, string> = {
  dir: 'directory',
  symlink: 'symlink',
  fifo: 'FIFO (named pipe)',
  socket: 'socket',
  char: 'character device',
  block: 'block device',
  unknown: 'special file',
  file: 'regular file',
};

/** The link chain as text: '/etc/azure/pre.sh -> /opt/app/pre.sh' */
export function describeChain(p: PathFacts): string {
  return [p.path, ...p.symlinkChain].join(' -> ');
}

/** Why a path is not a regular file, e.g. 'does not exist (ENOENT)', 'is a directory'. */
export function describeNotRegular(p: PathFacts): string {
  const isLink = p.lstat?.type === 'symlink';
  if (p.stat === null) {
    const errno = p.errno ?? 'unknown error';
    if (isLink) {
      return errno === 'ELOOP'
        ? `is a symlink loop (${describeChain(p)}: ELOOP)`
        : `is a broken symlink (${describeChain(p)}: ${errno})`;
    }
    switch (errno) {
      case 'ENOENT':
        return 'does not exist (ENOENT)';
      case 'ENOTDIR':
        return 'cannot exist: one of its parents is not a directory (ENOTDIR)';
      case 'EACCES':
        return 'cannot be reached even by root (EACCES)';
      default:
        return `cannot be examined (${errno})`;
    }
  }
  const kind = TYPE_LABELS[p.stat.type] ?? p.stat.type;
  return isLink ? `is a symlink (${describeChain(p)}) to a ${kind}, not a regular file` : `is a ${kind}, not a regular file`;
}

/** ' (a symlink: /a -> /b; the target's mode and owner are what count)' or '' */
export function linkNote(p: PathFacts): string {
  if (p.lstat?.type !== 'symlink') return '';
  return ` (a symlink: ${describeChain(p)}; the target's mode and owner are what the extension checks)`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON type of a parsed value: 'null', 'array', 'object', 'string', 'number', 'boolean'. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A JSON value quoted for a message, shortened to `max` characters. */
export function showValue(v: unknown, max = 60): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Truthiness as Python sees a value json.loads produced: None, False, 0, "", [], {} are false. */
export function pythonTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * What the backup does after a script fails, as the extension decides it: fsFreezeEnabled falsy makes
 * any failure fail the backup; otherwise continueBackupOnFailure (default true) decides.
 */
export function backupAfterScriptFailure(config: Record<string, unknown> | null): string {
  if (config && 'fsFreezeEnabled' in config && !pythonTruthy(config['fsFreezeEnabled'])) {
    return 'the backup fails (fsFreezeEnabled is false)';
  }
  if (config && 'continueBackupOnFailure' in config && !pythonTruthy(config['continueBackupOnFailure'])) {
    return 'the backup fails (continueBackupOnFailure is false)';
  }
  return config
    ? 'the backup continues file-system-consistent (continueBackupOnFailure is true)'
    : 'the backup continues file-system-consistent or fails, per continueBackupOnFailure';
}

/** The last component of a path. */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || path;
}

/**
 * The extension's mode test on a file: `(mode & mask) == 0`. Returns the message when it fails, e.g.
 * "script config /etc/azure/x.json mode is 0644: the extension requires (mode & 0o177) == 0, e.g. 0600".
 */
export function modeViolation(label: string, file: RegularFile, mask: number, example: number): string | null {
  if ((file.stat.mode & mask) === 0) return null;
  return `${label} ${file.path} mode is ${formatMode(file.stat.mode)}: the extension requires (mode & 0o${mask.toString(8).padStart(3, '0')}) == 0, e.g. ${formatMode(example)}${linkNote(file)}`;
}

/** The extension's owner test on a file (passwd name root); the message when it fails. */
export function ownerViolation(label: string, file: RegularFile): string | null {
  if (ownedByRoot(file.stat)) return null;
  return `${label} ${file.path} is owned by ${describeOwner(file.stat)}: the extension requires the owner's user name to be root${linkNote(file)}`;
}
