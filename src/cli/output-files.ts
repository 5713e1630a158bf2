// --output FORMAT=PATH: extra reports written to files, each atomically (temp file, then rename),
// so a dashboard reading the file never sees half a report.
import { constants } from 'node:fs';
import { access, rename, writeFile, unlink } from 'node:fs/promises';
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

/** A sink that buffers in memory and lands on disk in one rename when committed. */
export class AtomicFileSink implements Sink {
  private readonly chunks: string[] = [];

  constructor(readonly path: string) {}

  write(chunk: string): void {
    this.chunks.push(chunk);
  }

  async commit(): Promise<void> {
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    try {
      await writeFile(tmp, this.chunks.join(''), { mode: 0o644 });
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => {});
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
