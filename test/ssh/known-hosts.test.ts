import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyType, fingerprint, hmacSha1, hostString, KnownHosts } from '../../src/ssh/known-hosts.js';

// Real keys from the real ssh-keygen, and known_hosts files hashed by `ssh-keygen -H`, so hashed
// lookups are proven against OpenSSH itself, and every lookup is cross-checked with `ssh-keygen -F`.

type Label = 'ed1' | 'ed2' | 'ec1' | 'ec2';
const TYPES: Record<Label, string> = { ed1: 'ssh-ed25519', ed2: 'ssh-ed25519', ec1: 'ecdsa-sha2-nistp256', ec2: 'ecdsa-sha2-nistp256' };

let tmp: string;
/** "type base64" of each key, as a known_hosts line carries it */
const pub = {} as Record<Label, string>;
/** wire-format blob of each key, as ssh2's hostVerifier gets it */
const blob = {} as Record<Label, Buffer>;

/** the fleet's known_hosts, with `{ed1}` etc. standing for keys */
const TEMPLATE = [
  '# fleet known_hosts', // 1
  '', // 2
  'vm-a,10.0.0.4 {ed1} root@vm-a', // 3
  '[vm-b]:2222 {ec1}', // 4
  'vm-b {ed2}', // 5
  '*.example.com,!bad.example.com {ed1}', // 6
  'db-?.corp {ed2}', // 7
  '@revoked vm-c {ed1}', // 8
  'vm-c {ed1}', // 9
  'vm-c {ec1}', // 10
  '@cert-authority *.certs.internal {ec1}', // 11
  '  VM-D\t{ed2}   # indented, tab-separated, trailing comment', // 12
  '[10.0.0.9]:2200,10.0.0.9 {ec1}', // 13
  '@cert-authority only-ca {ec2}', // 14
  'vm-e {ed1} first', // 15
  'vm-e {ec1} second', // 16
  '[vm-f]:*,vm-f {ec2}', // 17
  '@revoked vm-f,vm-g,only-ca,*.lab {ec2}', // 18
  'vm-g {ec2}', // 19
  '', // 20
].join('\n');

let plainFile: string;
let hashedFile: string;
let plain: KnownHosts;
let hashed: KnownHosts;

function fill(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_m, l: string) => pub[l as Label]);
}

/** the lines `ssh-keygen -F name -f file` reports */
function sshKeygenFind(name: string, file: string): number[] {
  const r = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmsnap-kh-'));
  for (const [label, type] of [['ed1', 'ed25519'], ['ed2', 'ed25519'], ['ec1', 'ecdsa'], ['ec2', 'ecdsa']] as const) {
    const f = path.join(tmp, label);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', label, '-f', f]);
    const [t, b64] = (await readFile(`${f}.pub`, 'utf8')).trim().split(' ');
    pub[label] = `${t} ${b64}`;
    blob[label] = Buffer.from(b64!, 'base64');
  }
  plainFile = path.join(tmp, 'known_hosts');
  await writeFile(plainFile, fill(TEMPLATE));
  hashedFile = path.join(tmp, 'known_hosts_hashed');
  await writeFile(hashedFile, fill(TEMPLATE));
  execFileSync('ssh-keygen', ['-H', '-f', hashedFile], { stdio: 'pipe' });
  plain = await KnownHosts.load(plainFile);
  hashed = await KnownHosts.load(hashedFile);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('hashing with ssh-keygen -H', () => {
  it('hashed the plain names and left patterns alone', async () => {
    const text = await readFile(hashedFile, 'utf8');
    expect(text).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /m);
    expect(text).not.toMatch(/^vm-a/m);
    expect(text).toContain('*.example.com,!bad.example.com');
    expect(hashed.usesHashing).toBe(true);
    expect(plain.usesHashing).toBe(false);
    expect(plain.skipped).toEqual([]);
    expect(hashed.skipped).toEqual([]);
  });
});

// [host, port, keys the lookup finds (label, or label@marker)]
const LOOKUPS: Array<[string, number, string[]]> = [
  ['vm-a', 22, ['ed1']],
  ['10.0.0.4', 22, ['ed1']],
  ['vm-a', 2222, []], // other port: [vm-a]:2222
  ['vm-b', 2222, ['ec1']],
  ['vm-b', 22, ['ed2']],
  ['vm-b', 2200, []],
  ['x.example.com', 22, ['ed1']], // wildcard
  ['a.b.example.com', 22, ['ed1']], // * spans dots, as in OpenSSH
  ['example.com', 22, []],
  ['bad.example.com', 22, []], // negated pattern excludes the line
  ['x.example.com', 2222, []], // [x.example.com]:2222 does not match *.example.com... (it ends in :2222)
  ['db-1.corp', 22, ['ed2']], // ? is one character
  ['db-10.corp', 22, []],
  ['db-.corp', 22, []],
  ['vm-c', 22, ['ed1@revoked', 'ed1', 'ec1']],
  ['a.certs.internal', 22, ['ec1@cert-authority']],
  ['vm-d', 22, ['ed2']], // indented, tab, trailing comment
  ['10.0.0.9', 2200, ['ec1']],
  ['10.0.0.9', 22, ['ec1']],
  ['only-ca', 22, ['ec2@cert-authority', 'ec2@revoked']],
  ['vm-e', 22, ['ed1', 'ec1']],
  ['vm-f', 22, ['ec2', 'ec2@revoked']],
  ['vm-f', 2022, ['ec2']], // [vm-f]:* pattern; the @revoked line names plain vm-f only
  ['vm-g', 22, ['ec2@revoked', 'ec2']],
  ['nowhere', 22, []],
  ['x.lab', 22, ['ec2@revoked']], // only a @revoked line
];

function labelOf(k: { keyBase64: string; marker: string | null }): string {
  const l = (Object.keys(blob) as Label[]).find((x) => blob[x].toString('base64') === k.keyBase64) ?? '?';
  return k.marker === null ? l : `${l}@${k.marker}`;
}

describe.each([
  ['plain', () => plain, () => plainFile],
  ['hashed by ssh-keygen -H', () => hashed, () => hashedFile],
])('lookup in the %s file', (_kind, kh, file) => {
  it.each(LOOKUPS)('%s port %i', (host, port, expected) => {
    const keys = kh().lookup(host, port);
    expect(keys.map(labelOf).sort()).toEqual([...expected].sort());
    for (const k of keys) expect(k.type).toBe(TYPES[labelOf({ keyBase64: k.keyBase64, marker: null }) as Label]);
    // the same lines OpenSSH's own lookup finds
    expect(keys.map((k) => k.line)).toEqual(sshKeygenFind(hostString(host, port), file()));
  });

  it.each([
    ['VM-A', 22, ['ed1']],
    ['Vm-B', 2222, ['ec1']],
    ['X.EXAMPLE.COM', 22, ['ed1']],
    ['BAD.example.COM', 22, []],
    ['VM-D', 22, ['ed2']],
  ] as Array<[string, number, string[]]>)('matches %s port %i case-insensitively', (host, port, expected) => {
    expect(kh().lookup(host, port).map(labelOf)).toEqual(expected);
  });
});

// [host, port, presented key, verdict, fragments the message must contain]
const VERIFY: Array<[string, number, Label | 'junk', 'ok' | 'HOSTKEY_UNKNOWN' | 'HOSTKEY_CHANGED' | 'HOSTKEY_REVOKED', string[]]> = [
  ['vm-a', 22, 'ed1', 'ok', []],
  ['10.0.0.4', 22, 'ed1', 'ok', []],
  ['VM-A', 22, 'ed1', 'ok', []],
  ['vm-a', 22, 'ed2', 'HOSTKEY_CHANGED', ['REMOTE HOST IDENTIFICATION HAS CHANGED', 'vm-a presented host key ssh-ed25519 SHA256:', 'does not match the ssh-ed25519 key recorded in', 'man-in-the-middle', 'ssh-keygen -R vm-a']],
  ['vm-a', 22, 'ec1', 'HOSTKEY_CHANGED', ['host key ecdsa-sha2-nistp256', 'only ssh-ed25519 key is recorded for it']],
  ['vm-a', 2222, 'ed1', 'HOSTKEY_UNKNOWN', ['no host key is known for [vm-a]:2222', 'ssh-keyscan -p 2222 vm-a >>']],
  ['vm-b', 2222, 'ec1', 'ok', []],
  ['vm-b', 22, 'ed2', 'ok', []],
  ['vm-b', 2222, 'ed2', 'HOSTKEY_CHANGED', ["ssh-keygen -R '[vm-b]:2222'", 'only ecdsa-sha2-nistp256 key is recorded']],
  ['x.example.com', 22, 'ed1', 'ok', []],
  ['bad.example.com', 22, 'ed1', 'HOSTKEY_UNKNOWN', ['no host key is known for bad.example.com']],
  ['db-7.corp', 22, 'ed2', 'ok', []],
  ['db-77.corp', 22, 'ed2', 'HOSTKEY_UNKNOWN', []],
  ['vm-c', 22, 'ed1', 'HOSTKEY_REVOKED', ['vm-c presented host key ssh-ed25519', 'marked @revoked in', 'refusing to connect']], // revoked beats also-listed-as-good
  ['vm-c', 22, 'ec1', 'ok', []],
  ['vm-c', 22, 'ed2', 'HOSTKEY_CHANGED', ['ssh-ed25519']],
  ['a.certs.internal', 22, 'ec1', 'HOSTKEY_UNKNOWN', ['@cert-authority', 'does not support host certificates']],
  ['a.certs.internal', 22, 'ed1', 'HOSTKEY_UNKNOWN', ['does not support host certificates']],
  ['only-ca', 22, 'ed2', 'HOSTKEY_UNKNOWN', ['does not support host certificates']],
  ['vm-d', 22, 'ed2', 'ok', []],
  ['10.0.0.9', 2200, 'ec1', 'ok', []],
  ['vm-e', 22, 'ec1', 'ok', []],
  ['vm-e', 22, 'ed1', 'ok', []],
  ['vm-e', 22, 'ed2', 'HOSTKEY_CHANGED', ['does not match the ssh-ed25519 key']],
  ['vm-g', 22, 'ec2', 'HOSTKEY_REVOKED', []],
  ['x.lab', 22, 'ec2', 'HOSTKEY_REVOKED', []], // revoked by a wildcard @revoked line
  ['x.lab', 22, 'ed1', 'HOSTKEY_UNKNOWN', ['no host key is known for x.lab']], // a @revoked line is not a known key
  ['nowhere', 22, 'ed1', 'HOSTKEY_UNKNOWN', ['no host key is known for nowhere', 'ssh-keyscan nowhere >>']],
  ['vm-a', 22, 'junk', 'HOSTKEY_CHANGED', ['a malformed host key']],
  ['nowhere', 22, 'junk', 'HOSTKEY_UNKNOWN', ['a malformed host key']],
];

describe.each([
  ['plain', () => plain, () => plainFile],
  ['hashed', () => hashed, () => hashedFile],
])('verify against the %s file', (_kind, kh, file) => {
  it.each(VERIFY)('%s port %i presenting %s → %s', (host, port, label, verdict, fragments) => {
    const key = label === 'junk' ? Buffer.from('not a key') : blob[label];
    const v = kh().verify(host, port, key);
    if (verdict === 'ok') {
      expect(v).toEqual({ ok: true });
      return;
    }
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.code).toBe(verdict);
    for (const f of fragments) expect(v.message).toContain(f);
    if (verdict === 'HOSTKEY_CHANGED' || verdict === 'HOSTKEY_REVOKED') {
      // names the file and the offending lines, as OpenSSH's warning does
      const lines = sshKeygenFind(hostString(host, port), file());
      expect(v.message).toMatch(new RegExp(`${file().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:(\\d+,)*(${lines.join('|')})\\b`));
    }
    if (label !== 'junk') expect(v.message).toContain(fingerprint(key));
  });

  it.each([
    ['vm-a', 22, ['ssh-ed25519']],
    ['vm-e', 22, ['ssh-ed25519', 'ecdsa-sha2-nistp256']],
    ['vm-c', 22, ['ecdsa-sha2-nistp256']], // its ed25519 key is revoked
    ['vm-g', 22, []], // its only key is revoked
    ['vm-f', 22, []],
    ['only-ca', 22, []], // CA keys are not host keys
    ['a.certs.internal', 22, []],
    ['vm-b', 2222, ['ecdsa-sha2-nistp256']],
    ['nowhere', 22, []],
    ['x.lab', 22, []],
  ] as Array<[string, number, string[]]>)('keyTypesFor(%s, %i) = %j', (host, port, types) => {
    expect(kh().keyTypesFor(host, port)).toEqual(types);
  });
});

describe('parse', () => {
  it('records line numbers, markers, types and normalized base64', () => {
    const kh = KnownHosts.parse(fill('\n# c\n@revoked h {ed1}\n@cert-authority h {ec1}\nh {ed2} a comment with spaces\n'), 'kh');
    expect(kh.lookup('h', 22)).toEqual([
      { type: 'ssh-ed25519', keyBase64: blob.ed1.toString('base64'), marker: 'revoked', line: 3 },
      { type: 'ecdsa-sha2-nistp256', keyBase64: blob.ec1.toString('base64'), marker: 'cert-authority', line: 4 },
      { type: 'ssh-ed25519', keyBase64: blob.ed2.toString('base64'), marker: null, line: 5 },
    ]);
    expect(kh.file).toBe('kh');
  });

  it('handles CRLF line endings and a missing final newline', () => {
    const kh = KnownHosts.parse(fill('a {ed1}\r\nb {ed2}'));
    expect(kh.verify('a', 22, blob.ed1)).toEqual({ ok: true });
    expect(kh.verify('b', 22, blob.ed2)).toEqual({ ok: true });
  });

  it('matches hashed entries written by hand, markers included', () => {
    const hash = (name: string) => {
      const salt = randomBytes(20);
      return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    };
    const kh = KnownHosts.parse(
      [`@revoked ${hash('vm-r')} ${pub.ed1}`, `${hash('vm-r')} ${pub.ed1}`, `${hash('vm-r')} ${pub.ec1}`, `${hash('[vm-r]:2222')} ${pub.ed2}`].join('\n'),
    );
    expect(kh.usesHashing).toBe(true);
    expect(kh.verify('vm-r', 22, blob.ed1)).toMatchObject({ ok: false, code: 'HOSTKEY_REVOKED' });
    expect(kh.verify('VM-R', 22, blob.ec1)).toEqual({ ok: true });
    expect(kh.verify('vm-r', 2222, blob.ed2)).toEqual({ ok: true });
    expect(kh.lookup('vm-r', 2222).map((k) => k.line)).toEqual([4]);
    expect(kh.lookup('vm-x', 22)).toEqual([]);
  });

  it.each([
    ['garbage', 'expected host names, a key type and a base64 key'],
    ['host-only', 'expected host names, a key type and a base64 key'],
    ['h ssh-ed25519', 'expected host names, a key type and a base64 key'],
    ['@bogus h {ed1}', 'unknown marker "@bogus"'],
    ['h ssh-ed25519 !!!notbase64', 'not valid base64'],
    ['h ssh-ed25519 AAAA', 'not a valid SSH public key'],
    ['h ssh-rsa {ed1b64}', 'the line says ssh-rsa but the key is ssh-ed25519'],
    ['h 2048 65537 12345', 'SSH protocol 1'],
    ['|1|c2hvcnQ=|c2hvcnQ= {ed1}', 'malformed hashed host name'],
    ['|1|onlysalt {ed1}', 'malformed hashed host name'],
  ])('skips %j: %s', (line, reason) => {
    const text = `# ok\n${line.replace('{ed1b64}', blob.ed1.toString('base64')).replace('{ed1}', pub.ed1)}\ngood ${pub.ed2}\n`;
    const kh = KnownHosts.parse(text);
    expect(kh.skipped).toHaveLength(1);
    expect(kh.skipped[0]!.line).toBe(2);
    expect(kh.skipped[0]!.reason).toContain(reason);
    expect(kh.verify('good', 22, blob.ed2)).toEqual({ ok: true });
    expect(kh.lookup('h', 22)).toEqual([]);
  });

  it('empty text knows nothing', () => {
    const kh = KnownHosts.parse('');
    expect(kh.lookup('a', 22)).toEqual([]);
    expect(kh.keyTypesFor('a', 22)).toEqual([]);
    expect(kh.usesHashing).toBe(false);
    const v = kh.verify('a', 22, blob.ed1);
    expect(v).toMatchObject({ ok: false, code: 'HOSTKEY_UNKNOWN' });
    expect(v.ok || v.message).toContain('known_hosts');
  });

  it('looks up thousands of hosts in thousands of hashed entries', () => {
    const n = 2000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const salt = randomBytes(20);
      const name = i % 2 === 0 ? `vm-${i}.fleet.example.com` : `[10.1.${i >> 8}.${i & 255}]:2222`;
      lines.push(`|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')} ${i % 3 === 0 ? pub.ec1 : pub.ed1}`);
    }
    const kh = KnownHosts.parse(lines.join('\n'));
    for (let i = 0; i < n; i++) {
      const [host, port] = i % 2 === 0 ? [`vm-${i}.fleet.example.com`, 22] : [`10.1.${i >> 8}.${i & 255}`, 2222];
      const found = kh.lookup(host, port);
      expect(found.map((k) => k.line)).toEqual([i + 1]);
      // every host's own key verifies; the other type is a changed key, not a stranger's
      expect(kh.verify(host, port, i % 3 === 0 ? blob.ec1 : blob.ed1)).toEqual({ ok: true });
      expect(kh.verify(host, port, i % 3 === 0 ? blob.ed1 : blob.ec1)).toMatchObject({ ok: false, code: 'HOSTKEY_CHANGED' });
    }
  });

  it("a key recorded for other hosts only is not this host's: unknown, hashed or not", () => {
    const salt = randomBytes(20);
    const hashedLine = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('vm-x').digest('base64')} ${pub.ed1}`;
    for (const text of [`vm-x ${pub.ed1}\n*.other ${pub.ed1}\n`, `${hashedLine}\n`]) {
      const kh = KnownHosts.parse(text);
      expect(kh.verify('vm-x', 22, blob.ed1)).toEqual({ ok: true });
      expect(kh.verify('vm-y', 22, blob.ed1)).toMatchObject({ ok: false, code: 'HOSTKEY_UNKNOWN' });
    }
  });

  it('one key type in the whole file: keyTypesFor names it for any host (no line needs hashing to order algorithms)', () => {
    const kh = KnownHosts.parse(`vm-a ${pub.ed1}\nvm-b ${pub.ed2}\n@cert-authority *.ca ${pub.ec1}\n`);
    expect(kh.keyTypesFor('vm-a', 22)).toEqual(['ssh-ed25519']);
    expect(kh.keyTypesFor('stranger', 22)).toEqual(['ssh-ed25519']);
    expect(kh.verify('stranger', 22, blob.ed1)).toMatchObject({ ok: false, code: 'HOSTKEY_UNKNOWN' });
  });
});

describe('load', () => {
  it('treats a missing file as empty', async () => {
    const kh = await KnownHosts.load(path.join(tmp, 'does-not-exist'));
    expect(kh.lookup('vm-a', 22)).toEqual([]);
    expect(kh.verify('vm-a', 22, blob.ed1)).toMatchObject({ ok: false, code: 'HOSTKEY_UNKNOWN' });
  });

  it('throws a clear error naming a file it cannot read', async () => {
    const dir = path.join(tmp, 'a-dir');
    await mkdir(dir, { recursive: true });
    await expect(KnownHosts.load(dir)).rejects.toThrow(`cannot read known_hosts file ${dir}: it is a directory, not a file`);
  });

  it('throws on a path that cannot be read as a file (a directory), as root too', async () => {
    await expect(KnownHosts.load(tmp)).rejects.toThrow(`cannot read known_hosts file ${tmp}: it is a directory, not a file`);
  });

  it.skipIf(process.getuid?.() === 0)('throws on an unreadable file', async () => {
    const f = path.join(tmp, 'secret');
    await writeFile(f, '');
    await chmod(f, 0);
    await expect(KnownHosts.load(f)).rejects.toThrow(`cannot read known_hosts file ${f}: permission denied`);
  });

  it('names the file and line in messages', () => {
    const v = plain.verify('vm-a', 22, blob.ed2);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.message).toContain(`${plainFile}:3`);
  });
});

describe('helpers', () => {
  it.each([
    ['vm-a', 22, 'vm-a'],
    ['vm-a', 2222, '[vm-a]:2222'],
    ['::1', 22, '::1'],
    ['::1', 2200, '[::1]:2200'],
  ] as Array<[string, number, string]>)('hostString(%s, %i) = %s', (h, p, s) => {
    expect(hostString(h, p)).toBe(s);
  });

  it('reads the key type from a blob', () => {
    expect(blobKeyType(blob.ed1)).toBe('ssh-ed25519');
    expect(blobKeyType(blob.ec1)).toBe('ecdsa-sha2-nistp256');
    expect(blobKeyType(Buffer.alloc(0))).toBeNull();
    expect(blobKeyType(Buffer.from([0, 0, 0, 200, 65]))).toBeNull();
  });

  it('fingerprints like ssh-keygen -l', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(tmp, 'ed1.pub')], { encoding: 'utf8' });
    expect(out).toContain(fingerprint(blob.ed1));
  });

  it('computes HMAC-SHA1 like node:crypto for every message length up to 300 bytes', () => {
    for (let len = 0; len <= 300; len++) {
      const key = randomBytes(len % 65);
      const msg = randomBytes(len);
      expect(hmacSha1(key, msg).toString('hex')).toBe(createHmac('sha1', key).update(msg).digest('hex'));
    }
  });
});
