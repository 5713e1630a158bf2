// Runs the CLI in-process through main() with in-memory streams (not a test file itself).
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export async function run(args: string[], over: Partial<CliIo> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
    env: {},
    stdoutIsTTY: false,
    interrupt: new AbortController().signal,
    ...over,
  };
  const code = await main(args, io);
  return { code, out, err };
}
