// Runs the CLI in-process through main() with in-memory streams (not a test file itself).
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** A CliIo writing to memory; out() and err() read what was written. */
export function memoryIo(over: Partial<CliIo> = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
    env: {},
    stdoutIsTTY: false,
    interrupt: new AbortController().signal,
    ...over,
    out: () => out,
    err: () => err,
  };
}

export async function run(args: string[], over: Partial<CliIo> = {}): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(over);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}
