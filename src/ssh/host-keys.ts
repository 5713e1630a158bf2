// Host key policy for one run: every known_hosts file is read and parsed once, however many hosts
// (and jump hosts) look into it, and with accept-new (--accept-new, or StrictHostKeyChecking
// accept-new) an unknown key is added the way OpenSSH adds it: one line per host name, hashed when
// the file already uses hashing (or HashKnownHosts is on), never a duplicate even when many hosts
// connect at once, and never for a key that differs from one already recorded.
//
// The file is updated atomically: under a lock file, re-read, checked again, written to a temporary
// file in the same folder and renamed over the old one, so no reader ever sees half a file and two
// vmsnap runs adding keys at the same time do not lose each other's lines.
import { createHmac, randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { chmod, lstat, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { blobKeyType, fingerprint, hostString, KnownHosts, readKnownHostsFile, type HostKeyVerdict } from './known-hosts.js';
import type { HostKeyMode } from './resolve.js';
import { VmsnapError } from '../errors.js';

/** What SshConnection needs to verify a host key. */
export interface HostKeyChecker {
  /** key types known for the host, to be preferred in the key exchange */
  keyTypesFor(host: string, port: number): string[];
  verify(host: string, port: number, keyBlob: Buffer): HostKeyVerdict | Promise<HostKeyVerdict>;
}

/** A known_hosts line for a host key: `name type base64`, the name hashed (`|1|salt|hmac`) when asked. */
export function knownHostsLine(host: string, port: number, keyBlob: Buffer, hashed: boolean): string {
  const name = hostString(host, port);
  const type = blobKeyType(keyBlob) ?? 'unknown';
  return `${hashed ? hashHostName(name) : name} ${type} ${keyBlob.toString('base64')}`;
}

/** `|1|salt|hmac-sha1(salt, name)`, as ssh-keygen -H and HashKnownHosts write names. */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
}

interface Added {
  blob: Buffer;
  /** settles when the line is in the file */
  written: Promise<HostKeyVerdict>;
}

export class HostKeyStore {
  private readonly files = new Map<string, Promise<KnownHosts>>();
  /** keys accepted during this run, by file, then by lowercase known_hosts name */
  private readonly added = new Map<string, Map<string, Added>>();
  /** per-file queue: one update of a file at a time within this process */
  private readonly queues = new Map<string, Promise<unknown>>();

  /** The parsed file, read once per run (a missing file is empty; an unreadable one rejects). */
  load(file: string): Promise<KnownHosts> {
    let p = this.files.get(file);
    if (!p) {
      p = KnownHosts.load(file);
      this.files.set(file, p);
    }
    return p;
  }

  /** A checker over `files` (the first is where accept-new writes). Reads the files if not read yet. */
  async checker(files: readonly string[], mode: HostKeyMode, hashNew: boolean): Promise<HostKeyChecker> {
    const parsed = await Promise.all(files.map((f) => this.load(f)));
    const primary = files[0]!;
    const addedHere = () => this.added.get(primary);
    return {
      keyTypesFor: (host, port) => {
        const types = new Set<string>();
        for (const kh of parsed) for (const t of kh.keyTypesFor(host, port)) types.add(t);
        const a = addedHere()?.get(hostString(host, port).toLowerCase());
        const t = a ? blobKeyType(a.blob) : null;
        if (t) types.add(t);
        return [...types];
      },
      verify: (host, port, blob) => {
        const verdict = combine(parsed.map((kh) => kh.verify(host, port, blob)));
        if (verdict.ok || verdict.code !== 'HOSTKEY_UNKNOWN') return verdict;
        const name = hostString(host, port);
        const prior = addedHere()?.get(name.toLowerCase());
        if (prior) {
          if (prior.blob.equals(blob)) return prior.written;
          return {
            ok: false,
            code: 'HOSTKEY_CHANGED',
            message:
              `${name} presented host key ${blobKeyType(blob) ?? '?'} ${fingerprint(blob)}, but another connection of this run was ` +
              `shown ${blobKeyType(prior.blob) ?? '?'} ${fingerprint(prior.blob)} for the same name and it was added to ${primary}; ` +
              `someone could be eavesdropping (man-in-the-middle)`,
          };
        }
        if (mode !== 'accept-new') {
          return { ...verdict, message: `${verdict.message}; or let vmsnap add unknown keys with --accept-new (never a changed one), or pre-flight with vmsnap keyscan` };
        }
        const hashed = hashNew || parsed[0]!.usesHashing;
        const entry: Added = { blob, written: Promise.resolve({ ok: true }) };
        entry.written = this.enqueue(primary, () => appendKnownHost(primary, host, port, blob, hashed));
        let m = this.added.get(primary);
        if (!m) this.added.set(primary, (m = new Map<string, Added>()));
        m.set(name.toLowerCase(), entry);
        return entry.written;
      },
    };
  }

  private enqueue<T>(file: string, job: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(file) ?? Promise.resolve();
    const next = prev.then(job, job);
    this.queues.set(file, next.catch(() => undefined));
    return next;
  }
}

/** One verdict from several files: revoked anywhere wins, then a match anywhere, then changed, else unknown. */
function combine(verdicts: HostKeyVerdict[]): HostKeyVerdict {
  const bad = verdicts.filter((v): v is Exclude<HostKeyVerdict, { ok: true }> => !v.ok);
  const revoked = bad.find((v) => v.code === 'HOSTKEY_REVOKED');
  if (revoked) return revoked;
  if (verdicts.some((v) => v.ok)) return { ok: true };
  return bad.find((v) => v.code === 'HOSTKEY_CHANGED') ?? bad[0]!;
}

const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

/**
 * Adds `host`'s key to `file` unless the file (as it is now, re-read under the lock) already has it;
 * refuses if the file now records a different key for the host.
 */
async function appendKnownHost(file: string, host: string, port: number, blob: Buffer, hashed: boolean): Promise<HostKeyVerdict> {
  const name = hostString(host, port);
  const fail = (why: string): HostKeyVerdict => ({
    ok: false,
    code: 'HOSTKEY_UNKNOWN',
    message: `no host key is known for ${name}, and adding it (accept-new) to ${file} failed: ${why}`,
  });
  let target: string;
  try {
    target = await realpath(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return fail(errText(e));
    target = file;
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    } catch (e2) {
      return fail(errText(e2));
    }
  }
  const lock = `${target}.vmsnap-lock`;
  try {
    await acquireLock(lock);
  } catch (e) {
    return fail(errText(e));
  }
  try {
    let text = '';
    let mode = 0o644;
    try {
      text = (await readKnownHostsFile(target)).toString('utf8');
      mode = (await stat(target)).mode & 0o7777;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return fail(errText(e));
    }
    const now = KnownHosts.parse(text, file).verify(host, port, blob);
    if (now.ok) return now; // someone (another run, ssh) added it meanwhile: no duplicate
    if (now.code !== 'HOSTKEY_UNKNOWN') return now; // changed or revoked meanwhile: never overwrite
    const line = knownHostsLine(host, port, blob, hashed || KnownHosts.parse(text).usesHashing);
    const content = text + (text === '' || text.endsWith('\n') ? '' : '\n') + line + '\n';
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.vmsnap-${process.pid}-${randomBytes(4).toString('hex')}`);
    const fh = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await chmod(tmp, mode);
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await syncDir(path.dirname(target));
    return { ok: true };
  } catch (e) {
    return fail(errText(e));
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function acquireLock(lock: string): Promise<void> {
  const started = Date.now();
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      const fh = await open(lock, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // a lock left by a process that died: take it over once it is old enough
    const st = await lstat(lock).catch(() => null);
    if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) {
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) throw new VmsnapError('KNOWN_HOSTS_LOCKED', `${lock} is held by another process (remove it if no vmsnap is running)`, { file: lock });
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, fsc.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* not every filesystem lets a directory be fsynced */
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
}
