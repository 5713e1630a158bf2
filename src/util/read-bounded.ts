// Reads a file the operator named (an inventory, a key, known_hosts, ssh_config, waivers, a saved
// report) with a size cap, so `/dev/zero` or a runaway generator is a clear error naming the file
// instead of a hang or V8's "Invalid string length". Pipes (`-i <(az vm list ...)`, `/dev/stdin`)
// are read as a stream where the caller allows them; where it does not (a key, known_hosts), a FIFO
// is refused at once rather than waited on forever.
import { constants as fsc, fstatSync, openSync, readSync, closeSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { InputError } from '../errors.js';

export interface ReadBoundedOptions {
  /** more than this many bytes is a FILE_TOO_LARGE error */
  maxBytes: number;
  /** a FIFO or socket is read as a stream until its writer ends it; false refuses one (NOT_A_FILE) */
  pipes: boolean;
}

/** Why a bounded read failed, beyond the usual errno codes (ENOENT, EACCES, EISDIR ...). */
export class ReadBoundedError extends InputError {
  declare readonly code: 'FILE_TOO_LARGE' | 'NOT_A_FILE';
  constructor(code: ReadBoundedError['code'], message: string, file?: string) {
    super(code, message, { file });
  }
}

/** 1 MiB, 64 MiB: sizes as people say them. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

const tooLarge = (max: number) => new ReadBoundedError('FILE_TOO_LARGE', `it holds more than ${formatBytes(max)} (the most vmsnap reads from such a file)`);

function kindOf(st: Stats): string | null {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isBlockDevice()) return 'a block device';
  return null;
}

function refuseKind(st: Stats, pipes: boolean): void {
  if (st.isDirectory()) throw new InputError('EISDIR', 'it is a directory, not a file'); // readFailure words it by the code, as for the errno
  if (st.isBlockDevice() || (!pipes && (st.isFIFO() || st.isSocket()))) {
    throw new ReadBoundedError('NOT_A_FILE', `it is ${kindOf(st)}, not a regular file`);
  }
}

function readPipe(fd: number, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // libuv's pipe handle reads without blocking a thread; the stream owns (and closes) the fd
    const sock = new Socket({ fd, readable: true, writable: false });
    const chunks: Buffer[] = [];
    let size = 0;
    sock.on('data', (b: Buffer) => {
      size += b.length;
      if (size > max) {
        sock.destroy();
        reject(tooLarge(max));
      } else chunks.push(b);
    });
    sock.on('end', () => resolve(Buffer.concat(chunks)));
    sock.on('error', reject);
  });
}

/** The file's bytes, at most `maxBytes`; throws ReadBoundedError or the errno error of the read. */
export async function readBounded(file: string, opts: ReadBoundedOptions): Promise<Buffer> {
  const st = await stat(file);
  refuseKind(st, opts.pipes);
  if (st.isFIFO() || st.isSocket()) {
    // O_NONBLOCK: the open returns at once (without it, it would wait for a writer); a raw fd,
    // which the stream then owns (a FileHandle would close it when collected)
    return readPipe(openSync(file, fsc.O_RDONLY | fsc.O_NONBLOCK), opts.maxBytes);
  }
  if (st.isFile() && st.size > opts.maxBytes) throw tooLarge(opts.maxBytes);
  const fh = await open(file, fsc.O_RDONLY);
  try {
    // a regular file may grow, a character device (/dev/zero) has no size: read up to the cap
    const buf = Buffer.allocUnsafe(Math.min(opts.maxBytes + 1, Math.max(st.size + 1, 65536)));
    let len = 0;
    let out = buf;
    for (;;) {
      if (len === out.length) {
        if (out.length > opts.maxBytes) throw tooLarge(opts.maxBytes);
        const grown = Buffer.allocUnsafe(Math.min(opts.maxBytes + 1, out.length * 2));
        out.copy(grown, 0, 0, len);
        out = grown;
      }
      const { bytesRead } = await fh.read(out, len, out.length - len, null);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    if (len > opts.maxBytes) throw tooLarge(opts.maxBytes);
    return out.subarray(0, len);
  } finally {
    await fh.close();
  }
}

/** readBounded for a synchronous parser (ssh_config's Include): no pipes, whose read would block. */
export function readBoundedSync(file: string, maxBytes: number): Buffer {
  const fd = openSync(file, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    refuseKind(st, false);
    if (st.isFile() && st.size > maxBytes) throw tooLarge(maxBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - size) || 1);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      size += n;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, size);
  } finally {
    closeSync(fd);
  }
}

/** A failed read of a named file, in words: "no such file", "permission denied", the cap ... */
export function readFailure(e: unknown): string {
  if (e instanceof ReadBoundedError) return e.message;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'ELOOP') return 'too many symbolic links';
  return code ?? (e instanceof Error ? e.message : String(e));
}

/** The most vmsnap reads from each kind of file an operator names. */
export const READ_LIMITS = {
  /** a private key is a few KiB; OpenSSH reads at most 1 MiB of one too */
  identity: 1024 * 1024,
  /** ~500,000 hashed host lines */
  knownHosts: 64 * 1024 * 1024,
  sshConfig: 16 * 1024 * 1024,
  inventory: 64 * 1024 * 1024,
  waivers: 16 * 1024 * 1024,
  /** a saved report (--baseline, merge): hosts keep bounded facts; well under V8's longest string */
  report: 256 * 1024 * 1024,
} as const;
