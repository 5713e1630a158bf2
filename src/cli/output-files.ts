// --output FORMAT=PATH: extra reports written to files, each atomically (temp file, then rename),
// so a dashboard reading the file never sees half a report.
import { closeSync, constants, openSync, unlinkSync, writeSync } from 'node:fs';
import { access, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FORMATS, type Format, type Sink } from '../report/reporter.js';
import { UsageError } from './io.js';

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

  write(chunk: string): void {
    if (this.failure) return;
    try {
      if (this.fd === null) {
        unfinished.add(this.tmp);
        this.fd = openSync(this.tmp, 'w', 0o644);
      }
      writeSync(this.fd, chunk);
    } catch (e) {
      this.failure = e as NodeJS.ErrnoException;
    }
  }

  async commit(): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      if (this.fd === null) {
        unfinished.add(this.tmp);
        this.fd = openSync(this.tmp, 'w', 0o644);
      }
      closeSync(this.fd);
      this.fd = null;
      await rename(this.tmp, this.path);
      unfinished.delete(this.tmp);
    } catch (e) {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      await unlink(this.tmp).catch(() => {});
      unfinished.delete(this.tmp);
      throw new UsageError(`--output ${this.path}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

/** Fails before anything is audited when an --output file could not be written afterwards. */
export async function checkWritable(specs: readonly OutputSpec[]): Promise<void> {
  for (const o of specs) {
    try {
      await access(dirname(o.path), constants.W_OK);
    } catch (e) {
      throw new UsageError(`--output ${o.format}=${o.path}: cannot write in ${dirname(o.path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}
