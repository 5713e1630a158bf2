// OpenSSH known_hosts: parsed once per run, then looked up for every host of the fleet.
//
// Supported, as OpenSSH reads them: comma-separated host patterns with `*` and `?` wildcards and
// `!negated` patterns (a negated match excludes the line), `[host]:port` names for ports other
// than 22, hashed names (`|1|salt|hmac`, as `ssh-keygen -H` and HashKnownHosts write them), the
// `@revoked` and `@cert-authority` markers, comments and blank lines. Host names match
// case-insensitively (ssh lowercases the name it looks up, and so do we).
//
// Lookups are built for thousands of hosts: plain names are indexed, and hashed names (which can
// only be matched by hashing the looked-up name with each line's salt) are checked with a SHA-1
// whose keyed HMAC states are precomputed per line, so each check costs two compressions.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { READ_LIMITS, readBounded, readFailure } from '../util/read-bounded.js';
import { KNOWN_HOSTS_PATTERN, globToRegExp } from '../util/glob.js';
import { shellWord } from '../util/shell-quote.js';
import { InputError, InternalError } from '../errors.js';

export interface KnownHostKey {
  /** key type as the line names it (and as the key blob itself says), e.g. 'ssh-ed25519' */
  type: string;
  /** the key blob, base64 (normalized) */
  keyBase64: string;
  marker: null | 'revoked' | 'cert-authority';
  /** 1-based line in the known_hosts file */
  line: number;
}

export type HostKeyVerdict =
  | { ok: true }
  | { ok: false; code: 'HOSTKEY_UNKNOWN' | 'HOSTKEY_CHANGED' | 'HOSTKEY_REVOKED'; message: string };

/** A line that was not understood; OpenSSH skips such lines too. */
export interface SkippedLine {
  line: number;
  reason: string;
}

interface Entry {
  key: KnownHostKey;
  blob: Buffer;
}

/**
 * A known_hosts file's bytes, capped; a FIFO is refused rather than waited on (a known_hosts that
 * never ends would hang every connection). /dev/null, the usual "remember nothing", reads as empty.
 */
export function readKnownHostsFile(file: string): Promise<Buffer> {
  return readBounded(file, { maxBytes: READ_LIMITS.knownHosts, pipes: false });
}

export class KnownHosts {
  /** true if any entry is hashed */
  readonly usesHashing: boolean;
  /** lines that were skipped as malformed, with why */
  readonly skipped: readonly SkippedLine[];

  /** exact (non-wildcard, non-negated) lowercase names → entries, for lines made only of such names */
  private readonly byName = new Map<string, Entry[]>();
  /** lines with wildcards or negations, matched one by one */
  private readonly patternLines: Array<{ entry: Entry; positive: RegExp[]; negative: RegExp[] }> = [];
  private readonly hashed: HashedNames;
  private readonly cache = new Map<string, Entry[]>();
  /** entries by key blob: a presented key is checked against its own lines first (see verify) */
  private readonly byBlob = new Map<string, Entry[]>();
  /** how each entry's host field matches a name */
  private readonly matcher = new Map<Entry, (name: string) => boolean>();
  /** the one key type of every plain key line, when there is one (then no host needs a scan to order algorithms) */
  private readonly onlyType: string | null;

  private constructor(
    /** the file the entries came from, for messages; null when parsed from text without a name */
    readonly file: string | null,
    text: string,
  ) {
    const skipped: SkippedLine[] = [];
    const hashed: Array<{ entry: Entry; salt: Buffer; hash: Buffer }> = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const parsed = parseLine(lines[i]!, i + 1);
      if (parsed === null) continue;
      if ('reason' in parsed) {
        skipped.push(parsed);
        continue;
      }
      const { entry, hosts } = parsed;
      const h = hosts.startsWith(HASH_MAGIC) ? parseHashedName(hosts) : null;
      if (hosts.startsWith(HASH_MAGIC) && !h) {
        skipped.push({ line: i + 1, reason: `malformed hashed host name ${JSON.stringify(hosts)}` });
        continue;
      }
      const blobKey = entry.blob.toString('latin1');
      const sameBlob = this.byBlob.get(blobKey);
      if (sameBlob) sameBlob.push(entry);
      else this.byBlob.set(blobKey, [entry]);
      if (h) {
        const index = hashed.length;
        hashed.push({ entry, ...h });
        this.matcher.set(entry, (name) => this.hashed.matchesAt(index, name));
        continue;
      }
      const names = hosts.split(',').filter((n) => n !== '');
      if (names.some((n) => n.startsWith('!') || n.includes('*') || n.includes('?'))) {
        const positive: RegExp[] = [];
        const negative: RegExp[] = [];
        for (const n of names) {
          if (n.startsWith('!')) negative.push(globToRegExp(n.slice(1), KNOWN_HOSTS_PATTERN));
          else positive.push(globToRegExp(n, KNOWN_HOSTS_PATTERN));
        }
        this.patternLines.push({ entry, positive, negative });
        this.matcher.set(entry, (name) => !negative.some((r) => r.test(name)) && positive.some((r) => r.test(name)));
      } else {
        const exact = new Set(names.map((x) => x.toLowerCase()));
        for (const n of exact) {
          const list = this.byName.get(n);
          if (list) list.push(entry);
          else this.byName.set(n, [entry]);
        }
        this.matcher.set(entry, (name) => exact.has(name));
      }
    }
    this.hashed = new HashedNames(hashed);
    const plainTypes = new Set<string>();
    for (const list of this.byBlob.values()) for (const e of list) if (e.key.marker === null) plainTypes.add(e.key.type);
    this.onlyType = plainTypes.size === 1 ? [...plainTypes][0]! : null;
    this.usesHashing = hashed.length > 0;
    this.skipped = skipped;
  }

  /** Reads a known_hosts file. A missing file is an empty one; an unreadable one throws, naming it. */
  static async load(file: string): Promise<KnownHosts> {
    const resolved = file === '~' ? os.homedir() : file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
    let text: string;
    try {
      text = (await readKnownHostsFile(resolved)).toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') return new KnownHosts(file, '');
      throw new InputError('KNOWN_HOSTS_UNREADABLE', `cannot read known_hosts file ${file}: ${readFailure(err)}`, { file, cause: err });
    }
    return new KnownHosts(file, text);
  }

  /** Parses known_hosts text. Pure; `file` only names the source in messages. */
  static parse(text: string, file?: string): KnownHosts {
    return new KnownHosts(file ?? null, text);
  }

  /** keys recorded for this host, in file order; port 22 looks up `host`, other ports `[host]:port` */
  lookup(host: string, port: number): KnownHostKey[] {
    return this.entriesFor(host, port).map((e) => ({ ...e.key }));
  }

  /** verdict for a presented host key blob (the raw SSH wire-format public key) */
  verify(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    // The lines holding this very key decide a match or a revocation; each is checked against the
    // host alone (one HMAC for a hashed line). Only when none of them names the host is every line
    // for it needed (which of its keys did change): with hashed lines that is one HMAC per line of
    // the file, per host, as OpenSSH pays it per connection.
    const lower = hostString(host, port).toLowerCase();
    const own = (this.byBlob.get(keyBlob.toString('latin1')) ?? []).filter((e) => this.matcher.get(e)?.(lower) === true);
    if (own.length > 0 && !own.some((e) => e.key.marker === 'revoked') && own.some((e) => e.key.marker === null && e.key.type === blobKeyType(keyBlob))) {
      return { ok: true };
    }
    const entries = this.entriesFor(host, port);
    const name = hostString(host, port);
    const presentedType = blobKeyType(keyBlob);
    const presented = presentedType === null ? 'a malformed host key' : `host key ${presentedType} ${fingerprint(keyBlob)}`;

    const revoked = entries.find((e) => e.key.marker === 'revoked' && e.blob.equals(keyBlob));
    if (revoked) {
      return {
        ok: false,
        code: 'HOSTKEY_REVOKED',
        message: `${name} presented ${presented} that is marked @revoked in ${this.where(revoked)}; refusing to connect`,
      };
    }

    const plain = entries.filter((e) => e.key.marker === null);
    if (plain.some((e) => e.key.type === presentedType && e.blob.equals(keyBlob))) return { ok: true };

    if (plain.length === 0) {
      const cas = entries.filter((e) => e.key.marker === 'cert-authority');
      if (cas.length > 0) {
        return {
          ok: false,
          code: 'HOSTKEY_UNKNOWN',
          message:
            `no host key is known for ${name} (it presented ${presented}): ${this.where(...cas)} only ` +
            `${cas.length === 1 ? 'has a @cert-authority line' : 'has @cert-authority lines'} for it, and vmsnap does not support ` +
            `host certificates yet; add the host's own public key to ${this.fileName()}`,
        };
      }
      return {
        ok: false,
        code: 'HOSTKEY_UNKNOWN',
        message:
          `no host key is known for ${name} in ${this.fileName()} (it presented ${presented}); ` +
          `check the key out of band, then add it, e.g. with ${keyscanCommand(host, port)} >> ${this.fileName()}`,
      };
    }

    const knownTypes = [...new Set(plain.map((e) => e.key.type))];
    const sameType = plain.filter((e) => e.key.type === presentedType);
    const recorded =
      sameType.length > 0
        ? `which does not match the ${presentedType} key recorded in ${this.where(...sameType)}`
        : `but only ${knownTypes.join(', ')} ${plain.length === 1 ? 'key is' : 'keys are'} recorded for it, in ${this.where(...plain)}`;
    return {
      ok: false,
      code: 'HOSTKEY_CHANGED',
      message:
        `REMOTE HOST IDENTIFICATION HAS CHANGED: ${name} presented ${presented}, ${recorded}. ` +
        `Someone could be eavesdropping (man-in-the-middle), or the host key was just changed; ` +
        `if the change is expected, remove the old key with ssh-keygen -R ${shellWord(name)} -f ${shellWord(this.fileName())} and add the new one`,
    };
  }

  /** key types known for this host (not revoked, not CA keys), in file order, e.g. ['ssh-ed25519'] */
  keyTypesFor(host: string, port: number): string[] {
    // one key type in the whole file: it can only be this host's, or the host has none (and is
    // unknown whichever key it presents), so no line needs hashing to order the algorithms
    if (this.onlyType !== null) return [this.onlyType];
    const entries = this.entriesFor(host, port);
    const revoked = entries.filter((e) => e.key.marker === 'revoked');
    const types = new Set<string>();
    for (const e of entries) {
      if (e.key.marker !== null) continue;
      if (revoked.some((r) => r.blob.equals(e.blob))) continue;
      types.add(e.key.type);
    }
    return [...types];
  }

  private entriesFor(host: string, port: number): Entry[] {
    const name = hostString(host, port).toLowerCase();
    const cached = this.cache.get(name);
    if (cached) return cached;
    const found = new Set<Entry>(this.byName.get(name) ?? []);
    for (const p of this.patternLines) {
      if (p.negative.some((r) => r.test(name))) continue;
      if (p.positive.some((r) => r.test(name))) found.add(p.entry);
    }
    for (const e of this.hashed.matching(name)) found.add(e);
    const result = [...found].sort((a, b) => a.key.line - b.key.line);
    this.cache.set(name, result);
    return result;
  }

  private fileName(): string {
    return this.file ?? 'known_hosts';
  }

  private where(...entries: Entry[]): string {
    const lines = entries.map((e) => e.key.line);
    return `${this.fileName()}:${lines.join(',')}`;
  }
}

/** The name known_hosts records for a host: `host` on port 22, `[host]:port` otherwise. */
export function hostString(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type a wire-format public key blob names (its first SSH string), or null if malformed. */
export function blobKeyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

/** `SHA256:…`, as ssh-keygen -l and ssh print fingerprints */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

// ---- line parsing ------------------------------------------------------------------------------

const HASH_MAGIC = '|1|';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseLine(raw: string, line: number): { entry: Entry; hosts: string } | SkippedLine | null {
  let rest = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
  if (rest === '' || rest.startsWith('#')) return null;
  let marker: KnownHostKey['marker'] = null;
  if (rest.startsWith('@')) {
    const [word = ''] = rest.split(/[ \t]/, 1);
    if (word === '@revoked') marker = 'revoked';
    else if (word === '@cert-authority') marker = 'cert-authority';
    else return { line, reason: `unknown marker ${JSON.stringify(word)}` };
    rest = rest.slice(word.length).replace(/^[ \t]+/, '');
  }
  const fields = rest.split(/[ \t]+/);
  const [hosts, type, base64] = fields;
  if (hosts === undefined || hosts === '' || type === undefined || base64 === undefined || base64 === '') {
    return { line, reason: 'expected host names, a key type and a base64 key' };
  }
  if (/^\d+$/.test(type)) return { line, reason: 'SSH protocol 1 keys are not supported' };
  if (!BASE64.test(base64)) return { line, reason: 'the key is not valid base64' };
  const blob = Buffer.from(base64, 'base64');
  const blobType = blobKeyType(blob);
  if (blobType === null) return { line, reason: 'the key is not a valid SSH public key' };
  if (blobType !== type) return { line, reason: `the line says ${type} but the key is ${blobType}` };
  return { entry: { key: { type, keyBase64: blob.toString('base64'), marker, line }, blob }, hosts };
}

function parseHashedName(field: string): { salt: Buffer; hash: Buffer } | null {
  const parts = field.slice(HASH_MAGIC.length).split('|');
  if (parts.length !== 2) return null;
  const [s = '', h = ''] = parts;
  if (!BASE64.test(s) || !BASE64.test(h)) return null;
  const salt = Buffer.from(s, 'base64');
  const hash = Buffer.from(h, 'base64');
  if (salt.length !== 20 || hash.length !== 20) return null;
  return { salt, hash };
}

function keyscanCommand(host: string, port: number): string {
  return `ssh-keyscan${port === 22 ? '' : ` -p ${port}`} ${shellWord(host)}`;
}


// ---- hashed names --------------------------------------------------------------------------------

/**
 * The hashed lines, with each salt's HMAC-SHA1 inner and outer states precomputed, so checking a
 * name against a line is two SHA-1 compressions (names up to 55 bytes) and no allocation.
 */
class HashedNames {
  private readonly entries: Entry[];
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;
  private readonly hashes: Int32Array;

  constructor(list: Array<{ entry: Entry; salt: Buffer; hash: Buffer }>) {
    const n = list.length;
    this.entries = list.map((x) => x.entry);
    this.inner = new Int32Array(n * 5);
    this.outer = new Int32Array(n * 5);
    this.hashes = new Int32Array(n * 5);
    list.forEach((x, i) => {
      keyedState(x.salt, 0x36, this.inner, i * 5);
      keyedState(x.salt, 0x5c, this.outer, i * 5);
      for (let w = 0; w < 5; w++) this.hashes[i * 5 + w] = x.hash.readInt32BE(w * 4);
    });
  }

  /** whether hashed line `i` names `name` */
  matchesAt(i: number, name: string): boolean {
    return this.hashMatches(i, paddedWords(Buffer.from(name, 'utf8'), 64));
  }

  /** whether hashed line `i` holds the HMAC of the (padded) name `msg` */
  private hashMatches(i: number, msg: Int32Array): boolean {
    hmacFromStates(this.inner, this.outer, i * 5, msg, DIGEST);
    const o = i * 5;
    return DIGEST[0] === this.hashes[o] && DIGEST[1] === this.hashes[o + 1] && DIGEST[2] === this.hashes[o + 2] && DIGEST[3] === this.hashes[o + 3] && DIGEST[4] === this.hashes[o + 4];
  }

  matching(name: string): Entry[] {
    const n = this.entries.length;
    if (n === 0) return [];
    const msg = paddedWords(Buffer.from(name, 'utf8'), 64);
    const out: Entry[] = [];
    for (let i = 0; i < n; i++) if (this.hashMatches(i, msg)) out.push(this.entries[i]!);
    return out;
  }
}

// ---- SHA-1 / HMAC-SHA1 over precomputed states ---------------------------------------------------

const SHA1_IV = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
const W = new Int32Array(80);
const CHAIN = new Int32Array(5);
const OUTER_BLOCK = new Int32Array(16);
const DIGEST = new Int32Array(5);

/** one SHA-1 compression: state (5 words at stateOff) + 16-word block → out (5 words) */
function compress(state: Int32Array, stateOff: number, block: Int32Array, blockOff: number, out: Int32Array): void {
  for (let i = 0; i < 16; i++) W[i] = block[blockOff + i]!;
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!;
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = state[stateOff]!;
  let b = state[stateOff + 1]!;
  let c = state[stateOff + 2]!;
  let d = state[stateOff + 3]!;
  let e = state[stateOff + 4]!;
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + W[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  out[0] = (state[stateOff]! + a) | 0;
  out[1] = (state[stateOff + 1]! + b) | 0;
  out[2] = (state[stateOff + 2]! + c) | 0;
  out[3] = (state[stateOff + 3]! + d) | 0;
  out[4] = (state[stateOff + 4]! + e) | 0;
}

/** SHA-1 message words of `bytes` with padding, as if `prefixLen` bytes (whole blocks) came before */
function paddedWords(bytes: Buffer, prefixLen: number): Int32Array {
  const blocks = Math.ceil((bytes.length + 9) / 64);
  const buf = Buffer.alloc(blocks * 64);
  bytes.copy(buf);
  buf[bytes.length] = 0x80;
  const bits = (prefixLen + bytes.length) * 8;
  buf.writeUInt32BE(Math.floor(bits / 2 ** 32), blocks * 64 - 8);
  buf.writeUInt32BE(bits >>> 0, blocks * 64 - 4);
  const words = new Int32Array(blocks * 16);
  for (let i = 0; i < words.length; i++) words[i] = buf.readInt32BE(i * 4);
  return words;
}

/** the SHA-1 state after one block of (key XOR pad), stored at out[off..off+5] (key ≤ 64 bytes) */
function keyedState(key: Buffer, pad: number, out: Int32Array, off: number): void {
  const block = Buffer.alloc(64, pad);
  for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad;
  const words = new Int32Array(16);
  for (let i = 0; i < 16; i++) words[i] = block.readInt32BE(i * 4);
  const state = new Int32Array(5);
  compress(SHA1_IV, 0, words, 0, state);
  out.set(state, off);
}

function hmacFromStates(inner: Int32Array, outer: Int32Array, off: number, msg: Int32Array, out: Int32Array): void {
  compress(inner, off, msg, 0, CHAIN);
  for (let b = 16; b < msg.length; b += 16) compress(CHAIN, 0, msg, b, CHAIN);
  OUTER_BLOCK.fill(0);
  OUTER_BLOCK.set(CHAIN, 0);
  OUTER_BLOCK[5] = 0x80000000 | 0;
  OUTER_BLOCK[15] = (64 + 20) * 8;
  compress(outer, off, OUTER_BLOCK, 0, out);
}

/** HMAC-SHA1 by the same code the hashed lookups use (key ≤ 64 bytes); exported for tests */
export function hmacSha1(key: Buffer, message: Buffer): Buffer {
  if (key.length > 64) throw new InternalError('hmacSha1: keys longer than 64 bytes are not supported');
  const inner = new Int32Array(5);
  const outer = new Int32Array(5);
  keyedState(key, 0x36, inner, 0);
  keyedState(key, 0x5c, outer, 0);
  const digest = new Int32Array(5);
  hmacFromStates(inner, outer, 0, paddedWords(message, 64), digest);
  const out = Buffer.alloc(20);
  for (let i = 0; i < 5; i++) out.writeInt32BE(digest[i]!, i * 4);
  return out;
}
