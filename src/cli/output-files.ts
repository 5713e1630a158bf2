// --output FORMAT=PATH: extra reports written to files, each atomically (temp file, then rename),
// so a dashboard reading the file never sees half a report.
import { closeSync, constants, openSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { access, lstat, open, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { FORMATS, type Format, type Sink } from '../report/reporter.js';
import { UsageError } from '../errors.js';

export interface OutputSpec {
  format: Format;
  path: string;
}

export function parseOutputSpecs(values: readonly string[]): OutputSpec[] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    const format = eq > 0 ? v.slice(0, eq) : '';
    const path = eq > 0 ? v.slice(eq + 1) : '';
    if (!(FORMATS as readonly string[]).includes(format) || path === '') {
      throw new UsageError(`--output "${v}": expected FORMAT=PATH with FORMAT one of ${FORMATS.join(', ')}`);
    }
    return { format: format as Format, path };
  });
}

/** A private key (PEM or OpenSSH) or certificate: a report must never replace one, wherever it is. */
async function startsLikeAKey(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(64), 0, 64, 0);
      return buffer.subarray(0, bytesRead).toString('latin1').trimStart().startsWith('-----BEGIN');
    } finally {
      await fh.close();
    }
  } catch {
    return false; // unreadable: the write will say so
  }
}

/** Temp files of --output reports not yet renamed into place. */
const unfinished = new Set<string>();

/**
 * Removes the temp files of reports that will never be finished: for bin/vmsnap when a second
 * Ctrl-C (or SIGTERM) makes it leave at once. Synchronous: the process exits right after.
 */
export function removeUnfinishedOutputs(): void {
  for (const tmp of unfinished) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  unfinished.clear();
}

/**
 * A sink that writes to a temp file beside `path` as chunks arrive (a streamed jsonl report stays
 * out of memory) and lands on disk in one rename when committed, so a dashboard reading the file
 * never sees half a report. A write failure is kept and reported by commit().
 */
export class AtomicFileSink implements Sink {
  private readonly tmp: string;
  private fd: number | null = null;
  private failure: NodeJS.ErrnoException | null = null;

  constructor(readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  }

  /** A new file only: never through a symlink or into a file someone put there first (shared directories). */
  private open(): number {
    const fd = openSync(this.tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    unfinished.add(this.tmp);
    return fd;
  }

  write(chunk: string): void {
    if (this.failure) return;
    try {
      this.fd ??= this.open();
      writeSync(this.fd, chunk);
    } catch (e) {
      this.failure = e as NodeJS.ErrnoException;
    }
  }

  async commit(): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      this.fd ??= this.open();
      closeSync(this.fd);
      this.fd = null;
      await rename(this.tmp, this.path);
      unfinished.delete(this.tmp);
    } catch (e) {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      if (unfinished.has(this.tmp)) await unlink(this.tmp).catch(() => {}); // ours only, never a file found there
      unfinished.delete(this.tmp);
      throw new UsageError(`--output ${this.path}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

/**
 * Fails before anything is audited when an --output file could not be written afterwards, or would
 * replace what it should not: the same path twice, an input of the run (the inventory), a directory,
 * or anything but a regular file (the rename would replace a symlink or a device node itself).
 */
export async function checkWritable(specs: readonly OutputSpec[], inputs: readonly string[] = []): Promise<void> {
  const seen = new Map<string, OutputSpec>();
  const inputPaths = new Set(inputs.map((p) => resolve(p)));
  for (const o of specs) {
    const flag = `--output ${o.format}=${o.path}`;
    const abs = resolve(o.path);
    const twice = seen.get(abs);
    if (twice) throw new UsageError(`${flag}: the same file as --output ${twice.format}=${twice.path}; give each report its own file`);
    seen.set(abs, o);
    if (inputPaths.has(abs)) throw new UsageError(`${flag}: that is an input of this run; the report would overwrite it`);
    const sshDir = [join(homedir(), '.ssh'), '/etc/ssh'].find((d) => abs === d || abs.startsWith(d + '/'));
    if (sshDir) throw new UsageError(`${flag}: that is in ${sshDir}, where SSH keeps keys and known_hosts; write reports elsewhere`);
    try {
      await access(dirname(o.path), constants.W_OK);
    } catch (e) {
      throw new UsageError(`${flag}: cannot write in ${dirname(o.path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let st: Stats | null = null;
    try {
      st = await lstat(o.path);
    } catch {
      // not there yet: fine
    }
    if (st && !st.isFile()) {
      const what = st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symlink' : 'not a regular file';
      throw new UsageError(`${flag}: it is ${what}; the report is written beside it and renamed into place, which would replace it: give a regular file's path`);
    }
    if (st && (await startsLikeAKey(o.path))) {
      throw new UsageError(`${flag}: that file holds a key (it starts with -----BEGIN); the report would overwrite it`);
    }
  }
}
