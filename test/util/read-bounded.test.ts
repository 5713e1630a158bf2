import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadBoundedError, formatBytes, readBounded, readBoundedSync, readFailure } from '../../src/util/read-bounded.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'vmsnap-read-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const fifo = (name: string) => {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
};
const failure = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => readFailure(e));

describe('readBounded', () => {
  it('reads a regular file whole, up to and at the cap', async () => {
    const p = file('ten', '0123456789');
    expect((await readBounded(p, { maxBytes: 10, pipes: false })).toString()).toBe('0123456789');
    expect(await failure(readBounded(p, { maxBytes: 9, pipes: false }))).toBe('it holds more than 9 bytes (the most vmsnap reads from such a file)');
  });

  it('reads a file bigger than its first buffer', async () => {
    const big = Buffer.alloc(300_000, 'x');
    expect((await readBounded(file('big', big), { maxBytes: 1 << 20, pipes: false })).equals(big)).toBe(true);
  });

  it('stops a device without end at the cap, and reads /dev/null as empty', async () => {
    const e = await readBounded('/dev/zero', { maxBytes: 100_000, pipes: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReadBoundedError);
    expect((e as ReadBoundedError).code).toBe('FILE_TOO_LARGE');
    expect((await readBounded('/dev/null', { maxBytes: 10, pipes: false })).length).toBe(0);
  });

  it('refuses a FIFO at once where pipes are not allowed (nobody writes to it)', async () => {
    expect(await failure(readBounded(fifo('nobody'), { maxBytes: 10, pipes: false }))).toBe('it is a FIFO (named pipe), not a regular file');
  });

  it('reads a FIFO to its end where pipes are allowed, and caps it', async () => {
    const p = fifo('writer');
    const w = spawn('sh', ['-c', 'sleep 0.2; printf hello > "$0"', p]);
    expect((await readBounded(p, { maxBytes: 10, pipes: true })).toString()).toBe('hello');
    await new Promise((r) => w.on('close', r));
    const q = fifo('endless');
    const cat = spawn('sh', ['-c', 'exec cat /dev/zero > "$0"', q]);
    expect(await failure(readBounded(q, { maxBytes: 1 << 20, pipes: true }))).toMatch(/more than 1 MiB/);
    cat.kill();
  });

  it('names directories and missing files in words', async () => {
    expect(await failure(readBounded(dir, { maxBytes: 10, pipes: true }))).toBe('it is a directory, not a file');
    expect(await failure(readBounded(join(dir, 'missing'), { maxBytes: 10, pipes: true }))).toBe('no such file');
  });
});

describe('readBoundedSync', () => {
  it('reads, caps and refuses as readBounded does, never waiting on a FIFO', () => {
    expect(readBoundedSync(file('s', 'abc'), 3).toString()).toBe('abc');
    const sync = (p: string, max: number) => {
      try {
        readBoundedSync(p, max);
        return 'read';
      } catch (e) {
        return readFailure(e);
      }
    };
    expect(sync(file('s4', 'abcd'), 3)).toMatch(/more than 3 bytes/);
    expect(sync('/dev/zero', 1 << 16)).toMatch(/more than 64 KiB/);
    expect(sync(fifo('sync-fifo'), 10)).toBe('it is a FIFO (named pipe), not a regular file');
    expect(readBoundedSync('/dev/null', 10).length).toBe(0);
  });
});

it('formatBytes says sizes as people do', () => {
  expect([formatBytes(1 << 20), formatBytes(16 << 20), formatBytes(2048), formatBytes(1000)]).toEqual(['1 MiB', '16 MiB', '2 KiB', '1000 bytes']);
});
