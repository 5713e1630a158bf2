// OpenSshConnector in-process against SSH servers that misbehave on demand (ssh2's Server and raw
// TCP listeners on loopback addresses): jump hosts shared and capped, retries that stop where they
// must, accept-new that never duplicates and never accepts a changed key, and the auth message.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '../../src/fleet/openssh-key.js';
import { SshError } from '../../src/ssh/connection.js';
import { HostKeyStore } from '../../src/ssh/host-keys.js';
import { IdentityStore } from '../../src/ssh/identities.js';
import { KnownHosts } from '../../src/ssh/known-hosts.js';
import { OpenSshConnector, type OpenSshConnectorOptions } from '../../src/ssh/openssh-connector.js';
import { ttyPassphrasePrompt } from '../../src/cli/passphrase-prompt.js';
import type { RouteTarget } from '../../src/ssh/resolve.js';
import { SshConfig } from '../../src/ssh/ssh-config.js';
import { closedPort, startFakeSsh, startFlakyProxy, startTcpFake, type FakeSsh, type TcpFake } from './helpers.js';

let tmp: string;
let keyFile: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-connector-'));
  keyFile = path.join(tmp, 'id_ed25519');
  fs.writeFileSync(keyFile, generateEd25519KeyPair('client').privateKey, { mode: 0o600 });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function fake(opts: Parameters<typeof startFakeSsh>[0] = {}): Promise<FakeSsh> {
  const f = await startFakeSsh(opts);
  cleanups.push(() => f.close());
  return f;
}

async function tcp(behave: Parameters<typeof startTcpFake>[0]): Promise<TcpFake> {
  const f = await startTcpFake(behave);
  cleanups.push(() => f.close());
  return f;
}

let n = 0;
function file(name: string, text: string): string {
  const f = path.join(tmp, `${++n}-${name}`);
  fs.writeFileSync(f, text);
  return f;
}

function connector(o: Partial<OpenSshConnectorOptions> & { knownHostsFile: string }): OpenSshConnector {
  const c = new OpenSshConnector({
    config: SshConfig.empty(),
    identities: new IdentityStore(),
    env: {},
    home: tmp,
    defaultIdentityFiles: [],
    backoff: { baseMs: 20, maxMs: 40 },
    ...o,
  });
  cleanups.push(() => c.close());
  return c;
}

const host = (address: string, port: number, extra: Partial<RouteTarget> = {}): RouteTarget => ({
  name: `${address}:${port}`,
  address,
  port,
  user: 'root',
  identityFile: keyFile,
  ...extra,
});

function signal(ms = 10_000): AbortSignal {
  const c = new AbortController();
  setTimeout(() => c.abort(new SshError('timeout', 'DEADLINE', `deadline of ${ms} ms`)), ms).unref();
  return c.signal;
}

async function failure(p: Promise<unknown>): Promise<SshError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SshError) return e;
    throw e;
  }
  throw new Error('expected the connection to fail');
}

describe('direct connections', () => {
  it('connects, runs a command, and reports which keys were tried when authentication fails', async () => {
    const s = await fake({ users: ['azureuser'] });
    const kh = file('kh', `${s.knownHostsLine}\n`);
    const c = connector({ knownHostsFile: kh });
    const conn = await c.connect(host(s.address, s.port, { user: 'azureuser' }), signal());
    const r = await conn.exec('true', '', 1000);
    expect(r.exitCode).toBe(0);
    conn.close();
    const e = await failure(c.connect(host(s.address, s.port, { user: 'root' }), signal()));
    expect([e.kind, e.code]).toEqual(['auth_failed', 'AUTH_FAILED']);
    expect(e.message).toMatch(new RegExp(`tried publickey ${keyFile} \\(ssh-ed25519 SHA256:[A-Za-z0-9+/]+\\)`));
    expect(e.message).toMatch(/the server accepts: publickey/);
    expect(s.stats.connections).toBe(2); // no retry after an authentication failure
  });

  it('fails a key exchange with no common algorithm at once, as KEX_FAILED', async () => {
    const s = await fake({ algorithms: { kex: ['diffie-hellman-group1-sha1'] } });
    const c = connector({ knownHostsFile: file('kh', `${s.knownHostsLine}\n`) });
    const e = await failure(c.connect(host(s.address, s.port), signal()));
    expect([e.kind, e.code]).toEqual(['error', 'KEX_FAILED']);
    expect(s.stats.connections).toBe(1);
  });

  it('honours ConnectTimeout from ssh_config for a server that never sends its banner', async () => {
    const silent = await tcp(() => undefined);
    const config = SshConfig.parse(`Host quiet\n  HostName ${silent.address}\n  Port ${silent.port}\n  ConnectTimeout 1\n`);
    const c = connector({ knownHostsFile: file('kh', ''), config });
    const t0 = performance.now();
    const e = await failure(c.connect(host('quiet', 22), signal()));
    expect([e.kind, e.code]).toEqual(['unreachable', 'CONNECT_TIMEOUT']);
    expect(performance.now() - t0).toBeLessThan(2500);
  });
});

describe('liveness and the agent', () => {
  it('ends a session whose server stops answering, per ServerAliveInterval/CountMax, as KEEPALIVE_TIMEOUT', async () => {
    const s = await fake({ onExec: (_cmd, _stream, _conn, socket) => socket.pause() }); // alive, but deaf
    const config = SshConfig.parse(`Host deaf\n  HostName ${s.address}\n  Port ${s.port}\n  ServerAliveInterval 1\n  ServerAliveCountMax 1\n`);
    const conn = await connector({ knownHostsFile: file('kh', `${s.knownHostsLine}\n`), config }).connect(host('deaf', 22), signal());
    const t0 = performance.now();
    const e = await failure(conn.exec('collect', 'x', 1000));
    expect([e.kind, e.code]).toEqual(['timeout', 'KEEPALIVE_TIMEOUT']);
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it('authenticates with ssh-agent keys, and names the agent when they are refused', async () => {
    const sock = path.join(tmp, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    cleanups.push(() => {
      agent.kill('SIGTERM');
    });
    for (let i = 0; !fs.existsSync(sock) && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    const s = await fake({ users: ['azureuser'] });
    const c = connector({ knownHostsFile: file('kh', `${s.knownHostsLine}\n`), env: { SSH_AUTH_SOCK: sock } });
    (await c.connect(host(s.address, s.port, { user: 'azureuser', identityFile: null }), signal())).close();
    const e = await failure(c.connect(host(s.address, s.port, { user: 'root', identityFile: null }), signal()));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toContain(`tried the keys of the agent at ${sock}`);
  });
});

describe('retries', () => {
  it('retries connections closed before or right after the banner (MaxStartups), then succeeds', async () => {
    const s = await fake();
    for (const afterBanner of [false, true]) {
      const proxy = await startFlakyProxy(s, 2, afterBanner);
      cleanups.push(() => proxy.close());
      const kh = file('kh', `[${proxy.address}]:${proxy.port} ${s.hostKeyPublic}\n`);
      const conn = await connector({ knownHostsFile: kh, retries: 2 }).connect(host(proxy.address, proxy.port), signal());
      conn.close();
      expect(proxy.accepted()).toBe(3);
    }
  });

  it('gives up after --retries, saying how often it tried', async () => {
    const s = await fake();
    const proxy = await startFlakyProxy(s, 5);
    cleanups.push(() => proxy.close());
    const kh = file('kh', `[${proxy.address}]:${proxy.port} ${s.hostKeyPublic}\n`);
    const e = await failure(connector({ knownHostsFile: kh, retries: 1 }).connect(host(proxy.address, proxy.port), signal()));
    expect([e.kind, e.code]).toEqual(['error', 'CONNECTION_CLOSED']);
    expect(e.message).toMatch(/before sending its SSH banner.*\(after 2 attempts\)/);
    expect(proxy.accepted()).toBe(2);
  });

  it('does not retry a refused connection, a host key failure or the deadline', async () => {
    const closed = await closedPort();
    const slow = { baseMs: 2000, maxMs: 2000 };
    let t0 = performance.now();
    let e = await failure(connector({ knownHostsFile: file('kh', ''), backoff: slow }).connect(host(closed.address, closed.port), signal()));
    expect([e.kind, e.code]).toEqual(['unreachable', 'ECONNREFUSED']);
    expect(performance.now() - t0).toBeLessThan(1000);

    const s = await fake();
    e = await failure(connector({ knownHostsFile: file('kh', `[${s.address}]:${s.port} ${generateEd25519KeyPair().publicKeyNoComment}\n`), backoff: slow }).connect(host(s.address, s.port), signal()));
    expect([e.kind, e.code]).toEqual(['hostkey_mismatch', 'HOSTKEY_CHANGED']);
    expect(s.stats.connections).toBe(1);

    // the deadline also cuts the backoff short
    const proxy = await startFlakyProxy(s, 100);
    cleanups.push(() => proxy.close());
    t0 = performance.now();
    e = await failure(connector({ knownHostsFile: file('kh', ''), retries: 10, backoff: slow }).connect(host(proxy.address, proxy.port), signal(500)));
    expect([e.kind, e.code]).toEqual(['timeout', 'DEADLINE']);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});

describe('accept-new', () => {
  it('adds an unknown key once, however many hosts connect at once, and then trusts it', async () => {
    const s = await fake();
    const kh = file('kh', '# my hosts\n');
    const c = connector({ knownHostsFile: kh, acceptNew: true });
    // ten inventory hosts that are the same machine: one line, not ten
    const conns = await Promise.all(Array.from({ length: 10 }, (_, i) => c.connect(host(s.address, s.port, { name: `h${i}` }), signal())));
    conns.forEach((x) => x.close());
    const lines = fs.readFileSync(kh, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual([s.knownHostsLine]);
    // a new run (a second process) finds it there and adds nothing
    const again = connector({ knownHostsFile: kh, acceptNew: true });
    (await again.connect(host(s.address, s.port), signal())).close();
    expect(fs.readFileSync(kh, 'utf8')).toBe(`# my hosts\n${s.knownHostsLine}\n`);
    // and strict checking accepts it from now on
    (await connector({ knownHostsFile: kh }).connect(host(s.address, s.port), signal())).close();
  });

  it('hashes the new line when the file already uses hashing, and OpenSSH finds it', async () => {
    const s = await fake();
    const kh = file('kh', '');
    fs.writeFileSync(kh, `other.example ${generateEd25519KeyPair().publicKeyNoComment}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
    fs.rmSync(`${kh}.old`, { force: true });
    (await connector({ knownHostsFile: kh, acceptNew: true }).connect(host(s.address, s.port), signal())).close();
    const last = fs.readFileSync(kh, 'utf8').trim().split('\n').pop()!;
    expect(last).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    const found = execFileSync('ssh-keygen', ['-F', `[${s.address}]:${s.port}`, '-f', kh], { encoding: 'utf8' });
    expect(found).toContain(s.hostKeyPublic.split(' ')[1]);
    expect(KnownHosts.parse(fs.readFileSync(kh, 'utf8')).verify(s.address, s.port, Buffer.from(s.hostKeyPublic.split(' ')[1]!, 'base64')).ok).toBe(true);
  });

  it('never accepts a changed key, nor two different keys for one name in one run', async () => {
    const s = await fake();
    const other = generateEd25519KeyPair().publicKeyNoComment;
    const kh = file('kh', `[${s.address}]:${s.port} ${other}\n`);
    const before = fs.readFileSync(kh, 'utf8');
    const e = await failure(connector({ knownHostsFile: kh, acceptNew: true }).connect(host(s.address, s.port), signal()));
    expect([e.kind, e.code]).toEqual(['hostkey_mismatch', 'HOSTKEY_CHANGED']);
    expect(fs.readFileSync(kh, 'utf8')).toBe(before);

    // two servers behind one name (a proxy switched between them) within one run
    const a = await fake();
    const b = await fake();
    let first = true;
    const flip = await tcp((sock) => {
      const to = first ? a : b;
      first = false;
      const net = sock.constructor as typeof import('node:net').Socket;
      const up = new net();
      up.connect(to.port, to.address);
      up.on('error', () => sock.destroy());
      sock.pipe(up).pipe(sock);
    });
    const kh2 = file('kh', '');
    const c = connector({ knownHostsFile: kh2, acceptNew: true });
    (await c.connect(host(flip.address, flip.port), signal())).close();
    const e2 = await failure(c.connect(host(flip.address, flip.port), signal()));
    expect([e2.kind, e2.code]).toEqual(['hostkey_mismatch', 'HOSTKEY_CHANGED']);
    expect(e2.message).toMatch(/another connection of this run/);
    expect(fs.readFileSync(kh2, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('strict mode says how to proceed with an unknown key', async () => {
    const s = await fake();
    const e = await failure(connector({ knownHostsFile: file('kh', '') }).connect(host(s.address, s.port), signal()));
    expect([e.kind, e.code]).toEqual(['hostkey_mismatch', 'HOSTKEY_UNKNOWN']);
    expect(e.message).toMatch(/--accept-new/);
    expect(e.message).toMatch(/vmsnap keyscan/);
  });
});

describe('jump hosts', () => {
  it('shares one connection per jump host and caps connections in setup through it', async () => {
    const jump = await fake({ forward: true });
    const target = await fake({ authDelayMs: 80 });
    const kh = file('kh', `${jump.knownHostsLine}\n${target.knownHostsLine}\n`);
    const config = SshConfig.parse(`Host bastion\n  HostName ${jump.address}\n  Port ${jump.port}\n  User ops\n  IdentityFile ${keyFile}\n`);
    const c = connector({ knownHostsFile: kh, config, jump: 'bastion', jumpMaxStartups: 3 });
    const conns = await Promise.all(Array.from({ length: 12 }, (_, i) => c.connect(host(target.address, target.port, { name: `vm${i}` }), signal())));
    for (const x of conns) expect((await x.exec('true', '', 100)).exitCode).toBe(0);
    conns.forEach((x) => x.close());
    expect(jump.stats.connections).toBe(1);
    expect(jump.stats.forwards).toBe(12);
    expect(target.stats.authenticated).toBe(12);
    expect(target.stats.peakInSetup).toBeLessThanOrEqual(3);
    expect(target.stats.peakInSetup).toBeGreaterThanOrEqual(2); // they did overlap, up to the cap
    expect(c.jumpStats()).toEqual([{ via: `ops@${jump.address}:${jump.port}`, peakInFlight: 3 }]);
  });

  it("verifies the jump host's own key, and fails every host behind a bad one without hammering it", async () => {
    const jump = await fake({ forward: true });
    const target = await fake();
    const kh = file('kh', `${target.knownHostsLine}\n`); // nothing for the jump host
    const c = connector({ knownHostsFile: kh, jump: `ops@${jump.address}:${jump.port}` });
    const errs = await Promise.all(Array.from({ length: 5 }, () => failure(c.connect(host(target.address, target.port), signal()))));
    for (const e of errs) {
      expect([e.kind, e.code]).toEqual(['hostkey_mismatch', 'HOSTKEY_UNKNOWN']);
      expect(e.message).toMatch(new RegExp(`^via jump host ${jump.address.replace(/\./g, '\\.')}`));
    }
    expect(jump.stats.connections).toBe(1);
    expect(target.stats.connections).toBe(0);
  });

  it('chains hops: through one jump host to the next', async () => {
    const outer = await fake({ forward: true });
    const inner = await fake({ forward: true });
    const target = await fake();
    const kh = file('kh', [outer, inner, target].map((f) => f.knownHostsLine).join('\n') + '\n');
    const c = connector({ knownHostsFile: kh, jump: `u@${outer.address}:${outer.port},u@${inner.address}:${inner.port}`, defaultIdentityFiles: [keyFile] });
    const conn = await c.connect(host(target.address, target.port), signal());
    conn.close();
    expect([outer.stats.forwards, inner.stats.forwards, target.stats.authenticated]).toEqual([1, 1, 1]);
  });

  it('reports a target the jump host cannot reach as unreachable', async () => {
    const jump = await fake({ forward: true });
    const closed = await closedPort();
    const c = connector({ knownHostsFile: file('kh', `${jump.knownHostsLine}\n`), jump: `u@${jump.address}:${jump.port}`, defaultIdentityFiles: [keyFile] });
    const e = await failure(c.connect(host(closed.address, closed.port), signal()));
    expect(e.kind).toBe('unreachable');
    expect(e.message).toMatch(/^via jump host/);
  });
});

describe('keyscan', () => {
  it('fetches a host key without authenticating and compares it with known_hosts', async () => {
    const s = await fake();
    const kh = file('kh', '');
    const c = connector({ knownHostsFile: kh });
    const r = await c.scan(host(s.address, s.port), signal());
    expect(r).toMatchObject({ verdict: 'unknown', keyType: 'ssh-ed25519', line: s.knownHostsLine });
    expect(s.stats.authenticated).toBe(0);
    fs.writeFileSync(kh, `${s.knownHostsLine}\n`);
    const again = connector({ knownHostsFile: kh });
    expect((await again.scan(host(s.address, s.port), signal())).verdict).toBe('match');
    expect(fs.readFileSync(kh, 'utf8')).toBe(`${s.knownHostsLine}\n`);
  });
});

describe('identities', () => {
  it('opens encrypted keys with VMSNAP_KEY_PASSPHRASE, or asks once on a terminal', async () => {
    const enc1 = path.join(tmp, 'enc1');
    const enc2 = path.join(tmp, 'enc2');
    for (const f of [enc1, enc2]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '1', '-N', 'sesame', '-f', f]);
    expect((await new IdentityStore('sesame').load(enc1)).key.type).toBe('ssh-ed25519');
    await expect(new IdentityStore('wrong').load(enc1)).rejects.toMatchObject({ code: 'IDENTITY_ENCRYPTED', message: expect.stringMatching(/passphrase given does not open it/) as string });
    await expect(new IdentityStore().load(enc1)).rejects.toMatchObject({ code: 'IDENTITY_ENCRYPTED', message: expect.stringMatching(/VMSNAP_KEY_PASSPHRASE/) as string });

    // a fake terminal: the prompt is shown once, the answer opens both keys
    const { PassThrough } = await import('node:stream');
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    let shown = 0;
    const prompt = ttyPassphrasePrompt(input, { write: (s: string) => (shown += s.includes('passphrase') ? 1 : 0) }, () => undefined);
    expect(prompt).not.toBeNull();
    const store = new IdentityStore(prompt!);
    const both = Promise.all([store.load(enc1), store.load(enc2)]);
    setTimeout(() => input.write('sesame\r'), 50);
    expect((await both).map((i) => i.key.type)).toEqual(['ssh-ed25519', 'ssh-ed25519']);
    expect(shown).toBe(1);
  });
});

describe('HostKeyStore', () => {
  it('reads each known_hosts file once per run', async () => {
    const kh = file('kh', '');
    const store = new HostKeyStore();
    const a = await store.load(kh);
    fs.writeFileSync(kh, `x ${generateEd25519KeyPair().publicKeyNoComment}\n`);
    expect(await store.load(kh)).toBe(a);
  });
});
