// ssh_config: parsing (through the ssh-config package), what applies to a host name, and how an
// inventory host resolves with flags > inventory > ssh_config > defaults. Where OpenSSH's own
// client is installed, every lookup is cross-checked with `ssh -G`, which prints what ssh would use.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJumpSpec, Resolver, type ResolveSettings, type RouteTarget } from '../../src/ssh/resolve.js';
import { expandTokens, hostMatches, SshConfig, SshConfigError, type TokenValues } from '../../src/ssh/ssh-config.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-sshcfg-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): string {
  const f = path.join(tmp, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

const target = (address: string, extra: Partial<RouteTarget> = {}): RouteTarget => ({
  name: address,
  address,
  port: 22,
  user: 'root',
  identityFile: null,
  ...extra,
});

function resolver(config: SshConfig, extra: Partial<ResolveSettings> = {}): Resolver {
  return new Resolver({ config, home: '/home/op', env: {}, defaultIdentityFiles: ['/home/op/.ssh/id_ed25519'], ...extra });
}

describe('Host patterns', () => {
  it('match like OpenSSH: * and ?, negation excludes, case-sensitive', () => {
    expect(hostMatches(['web-?'], 'web-1')).toBe(true);
    expect(hostMatches(['web-?'], 'web-12')).toBe(false);
    expect(hostMatches(['web-?'], 'web-')).toBe(false); // ? is exactly one character
    expect(hostMatches(['*.prod', '!db.prod'], 'api.prod')).toBe(true);
    expect(hostMatches(['*.prod', '!db.prod'], 'db.prod')).toBe(false);
    expect(hostMatches(['!db.prod'], 'api.prod')).toBe(false); // only a negation: nothing matches
    expect(hostMatches(['Web*'], 'web1')).toBe(false);
    expect(hostMatches(['a,b'], 'b')).toBe(true);
    expect(hostMatches(['10.0.*'], '10.0.3.4')).toBe(true);
  });
});

describe('SshConfig', () => {
  it('first value wins, IdentityFile accumulates, Host blocks apply by pattern', () => {
    const c = SshConfig.parse(
      ['IdentityFile ~/.ssh/top', 'Host web-*', '  User=webadmin', '  Port 2200', '  IdentityFile "/keys/web key"', 'Host *', '  User nobody', '  Port 22', '  IdentityFile ~/.ssh/all'].join('\n'),
    );
    const web = c.lookup('web-1');
    expect(web.user).toBe('webadmin');
    expect(web.port).toBe(2200);
    expect(web.identityFiles).toEqual(['~/.ssh/top', '/keys/web key', '~/.ssh/all']);
    const other = c.lookup('db-1');
    expect(other.user).toBe('nobody');
    expect(other.identityFiles).toEqual(['~/.ssh/top', '~/.ssh/all']);
  });

  it('reads Include (globs, ~, nested, conditional inside a Host block) and skips missing files', () => {
    const home = path.join(tmp, 'home1');
    write('home1/.ssh/conf.d/10-a.conf', 'Host a\n  User from-a\n');
    write('home1/.ssh/conf.d/20-b.conf', 'Host b\n  User from-b\nInclude ~/.ssh/nested.conf\n');
    write('home1/.ssh/nested.conf', 'Host *\n  ConnectTimeout 9\n');
    write('home1/.ssh/only-web.conf', 'Port 2222\nHost db\n  User never\n');
    const main = write('home1/.ssh/config', ['Include conf.d/*.conf missing.conf', 'Host web', '  Include only-web.conf', 'Host *', '  User default'].join('\n'));
    const c = SshConfig.load(main, { home });
    expect(c.lookup('a').user).toBe('from-a');
    expect(c.lookup('b').user).toBe('from-b');
    expect(c.lookup('b').connectTimeout).toBe(9); // nested, and inside `Host b` like its Include line
    expect(c.lookup('zzz').connectTimeout).toBeUndefined();
    expect(c.lookup('web').port).toBe(2222); // included inside `Host web`: applies to web ...
    expect(c.lookup('db').port).toBeUndefined(); // ... and nothing of it to anyone else
    expect(c.lookup('db').user).toBe('default');
    expect(c.files.map((f) => path.basename(f))).toEqual(['config', '10-a.conf', '20-b.conf', 'nested.conf', 'only-web.conf']);
  });

  it('refuses an Include loop instead of recursing forever', () => {
    const home = path.join(tmp, 'home-loop');
    const f = write('home-loop/.ssh/config', 'Include ~/.ssh/config\n');
    expect(() => SshConfig.load(f, { home })).toThrow(/nested more than 16 deep/);
  });

  it('never applies Match blocks and lists where they are', () => {
    const c = SshConfig.parse('Match host x exec "touch /tmp/vmsnap-must-not-run"\n  User matched\nHost *\n  User plain\n', 'cfg');
    expect(c.lookup('x').user).toBe('plain');
    expect(c.matchLines()).toEqual([{ file: 'cfg', line: 1 }]);
    expect(fs.existsSync('/tmp/vmsnap-must-not-run')).toBe(false);
  });

  it('rejects unknown keywords and bad values with file and line, unless IgnoreUnknown covers them', () => {
    expect(() => SshConfig.parse('Host a\n  User x\n\n  Prot 22\n', 'my.conf')).toThrow(/my\.conf line 4: unknown keyword "Prot"/);
    expect(() => SshConfig.parse('Host a\n  Port 99999\n', 'p.conf')).toThrow(/p\.conf line 2: Port: bad port "99999"/);
    expect(() => SshConfig.parse('StrictHostKeyChecking maybe\n')).toThrow(/StrictHostKeyChecking: bad value/);
    expect(SshConfig.parse('IgnoreUnknown UseKeychain2,Foo*\nUseKeychain2 yes\nFooBar 1\nHost a\n  User u\n').lookup('a').user).toBe('u');
  });

  it('reports the keywords in effect that vmsnap does not honour', () => {
    const c = SshConfig.parse('Host a\n  ProxyCommand nc %h %p\n  HostKeyAlias other\n  ForwardAgent yes\nHost b\n  ProxyCommand none\n');
    expect(c.lookup('a').notHonoured.map((n) => n.keyword)).toEqual(['ProxyCommand', 'HostKeyAlias']);
    expect(c.lookup('b').notHonoured).toEqual([]);
  });

  it('turns binary garbage into a plain error, not a crash', () => {
    const bytes = Buffer.alloc(8192);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const f = write('garbage.conf', bytes);
    let err: unknown;
    try {
      SshConfig.load(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SshConfigError);
    // printable, one line, short
    expect((err as Error).message).toMatch(/^[\x20-\x7e]+$/);
    expect((err as Error).message.length).toBeLessThan(400);
  });

  it('reads a 10 MB config in well under the time a run would notice', () => {
    const lines: string[] = [];
    for (let i = 0; lines.length < 700_000; i++) lines.push(`Host h${i}`, `  HostName 10.1.${i % 250}.${i % 200}`, `  User u${i}`);
    lines.push('Host needle', '  User found');
    const f = write('big.conf', lines.join('\n'));
    expect(fs.statSync(f).size).toBeGreaterThan(10 * 1024 * 1024);
    const t0 = performance.now();
    const c = SshConfig.load(f);
    expect(c.lookup('needle').user).toBe('found');
    expect(c.lookup('h1234').user).toBe('u1234');
    expect(performance.now() - t0).toBeLessThan(8000);
  });

  it('names a config whose path holds a newline readably, and reads it', () => {
    const f = write('odd\nname.conf', 'Host a\n  User odd\n');
    expect(SshConfig.load(f).lookup('a').user).toBe('odd');
    expect(() => SshConfig.load(path.join(tmp, 'no\nsuch.conf'), { missingOk: false })).toThrow(/"[^"]*no\\nsuch\.conf": no such file/);
    expect(SshConfig.load(path.join(tmp, 'absent'), { missingOk: true }).lookup('a').identityFiles).toEqual([]);
  });
});

describe('tokens', () => {
  const t: TokenValues = { h: 'web.example', n: 'web', p: '2222', r: 'azureuser', u: 'op', d: '/home/op', i: '0', l: 'jump.corp', L: 'jump' };
  it('expands %h %n %p %r %u %d %i %l %L %% and refuses unknown ones', () => {
    expect(expandTokens('%d/.ssh/%r@%h:%p-%n-%u-%i-%l-%L-100%%', t, 'IdentityFile')).toBe('/home/op/.ssh/azureuser@web.example:2222-web-op-0-jump.corp-jump-100%');
    expect(() => expandTokens('~/.ssh/%C', t, 'IdentityFile')).toThrow(/unknown token %C/);
  });
});

describe('parseJumpSpec', () => {
  it('reads ProxyJump syntax', () => {
    expect(parseJumpSpec('bastion', 'x')).toEqual([{ host: 'bastion' }]);
    expect(parseJumpSpec('ops@b1:2222, ssh://b2 ,[::1]:22', 'x')).toEqual([{ user: 'ops', host: 'b1', port: 2222 }, { host: 'b2' }, { host: '::1', port: 22 }]);
    expect(parseJumpSpec('none', 'x')).toEqual([]);
    expect(() => parseJumpSpec('a b', '--jump')).toThrow(/--jump: bad jump host "a b"/);
    expect(() => parseJumpSpec('b:0', '--jump')).toThrow(/bad port/);
    expect(() => parseJumpSpec('-oProxyCommand=x', '--jump')).toThrow(/bad jump host/);
  });
});

describe('Resolver: flags > inventory > ssh_config > defaults', () => {
  const cfgText = [
    'Host web*',
    '  HostName %h.Example.NET',
    '  User cfguser',
    '  Port 2200',
    '  IdentityFile ~/.ssh/web_%r',
    '  ProxyJump bastion',
    '  UserKnownHostsFile ~/kh/%h_%p',
    '  StrictHostKeyChecking accept-new',
    '  ConnectTimeout 5',
    '  ServerAliveInterval 10',
    '  ServerAliveCountMax 2',
    'Host bastion',
    '  HostName 192.0.2.10',
    '  User jumper',
    '  IdentityFile /keys/jump',
    '  ProxyJump outer',
    'Host outer',
    '  Port 2022',
    'Host agentless',
    '  IdentityAgent none',
    'Host pinned',
    '  IdentitiesOnly yes',
    'Host envagent',
    '  IdentityAgent $MY_AGENT',
  ].join('\n');
  const config = SshConfig.parse(cfgText);

  it('takes User, Port, HostName, IdentityFile, known_hosts, timeouts from ssh_config when the inventory sets none', () => {
    const r = resolver(config, { env: { SSH_AUTH_SOCK: '/run/agent' } }).route(target('web1'));
    expect(r.target).toMatchObject({
      hostName: 'web1.example.net',
      user: 'cfguser',
      port: 2200,
      identities: [{ file: '/home/op/.ssh/web_cfguser', required: false, source: 'ssh_config' }],
      agent: '/run/agent',
      knownHostsFiles: ['/home/op/kh/web1.example.net_2200'],
      hostKeyMode: 'accept-new',
      connectTimeoutMs: 5000,
      keepaliveIntervalMs: 10_000,
      keepaliveCountMax: 2,
    });
  });

  it('lets the inventory win: explicit user, port and identity file (tried before ssh_config keys)', () => {
    const r = resolver(config).route(target('web1', { user: 'root', port: 22, identityFile: '/inv/key', explicit: { user: true, port: true } }));
    expect(r.target.user).toBe('root');
    expect(r.target.port).toBe(22);
    expect(r.target.identities.map((i) => [i.file, i.required])).toEqual([
      ['/inv/key', true],
      ['/home/op/.ssh/web_root', false],
    ]);
    // without explicit flags, the built-in defaults (root, 22) do not hide ssh_config's values ...
    const d = resolver(config).route(target('web1'));
    expect([d.target.user, d.target.port]).toEqual(['cfguser', 2200]);
    // ... and any other inventory value wins
    const o = resolver(config).route(target('web1', { user: 'azureuser', port: 2022 }));
    expect([o.target.user, o.target.port]).toEqual(['azureuser', 2022]);
  });

  it('lets flags win: --known-hosts, --accept-new, --jump', () => {
    const r = resolver(config, { knownHostsFile: '/flag/kh', jump: 'ops@other:2200' }).route(target('web1'));
    expect(r.target.knownHostsFiles).toEqual(['/flag/kh']);
    expect(r.jumps.map((j) => [j.name, j.user, j.port])).toEqual([['other', 'ops', 2200]]);
    expect(resolver(config, { jump: 'none' }).route(target('web1')).jumps).toEqual([]);
    expect(resolver(SshConfig.empty(), { acceptNew: true }).route(target('x')).target.hostKeyMode).toBe('accept-new');
    expect(resolver(SshConfig.empty()).route(target('x')).target.hostKeyMode).toBe('strict');
    // the inventory's jump beats ssh_config's ProxyJump, --jump beats both
    expect(resolver(config).route(target('web1', { jump: 'none' })).jumps).toEqual([]);
    expect(resolver(config, { jump: 'j2' }).route(target('web1', { jump: 'j1' })).jumps.map((j) => j.name)).toEqual(['j2']);
  });

  it("expands the first jump host's own ProxyJump in front of it, and resolves each hop through ssh_config", () => {
    const r = resolver(config, { env: {} }).route(target('web1'));
    expect(r.jumps.map((j) => [j.label, j.hostName, j.user, j.port])).toEqual([
      ['jump host outer', 'outer', os.userInfo().username, 2022],
      ['jump host bastion', '192.0.2.10', 'jumper', 22],
    ]);
    expect(r.jumps[1]!.identities.map((i) => i.file)).toEqual(['/keys/jump']);
    expect(r.jumps[0]!.identities.map((i) => i.source)).toEqual(['default']);
  });

  it('refuses a ProxyJump loop', () => {
    const loop = SshConfig.parse('Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
    expect(() => resolver(loop).route(target('a'))).toThrow(/loops back/);
  });

  it('uses OpenSSH default identities only when nothing names one; agent per IdentityAgent and IdentitiesOnly', () => {
    const env = { SSH_AUTH_SOCK: '/run/agent', MY_AGENT: '/run/other' };
    const r = resolver(config, { env });
    expect(r.route(target('plain')).target.identities).toEqual([{ file: '/home/op/.ssh/id_ed25519', required: false, source: 'default' }]);
    expect(r.route(target('plain')).target.agent).toBe('/run/agent');
    expect(r.route(target('agentless')).target.agent).toBeNull();
    expect(r.route(target('pinned')).target.agent).toBeNull();
    expect(r.route(target('envagent')).target.agent).toBe('/run/other');
    expect(r.route(target('plain')).target.knownHostsFiles).toEqual(['/home/op/.ssh/known_hosts']);
  });
});

// ---- cross-check with OpenSSH's own resolution (`ssh -G`) -----------------------------------------

const haveSsh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!haveSsh)('agrees with `ssh -G`', () => {
  const FIELDS = ['hostname', 'user', 'port', 'identityfile', 'proxyjump', 'userknownhostsfile', 'stricthostkeychecking', 'connecttimeout', 'serveraliveinterval', 'serveralivecountmax', 'identitiesonly', 'identityagent'];

  function sshG(file: string, host: string): Record<string, string[]> {
    const r = spawnSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: '' } });
    if (r.status !== 0) throw new Error(`ssh -G ${host}: ${r.stderr}`);
    const out: Record<string, string[]> = {};
    for (const line of r.stdout.split('\n')) {
      const [k, ...rest] = line.split(' ');
      if (!k || !FIELDS.includes(k)) continue;
      (out[k] ??= []).push(rest.join(' '));
    }
    return out;
  }

  it('for hosts matched by patterns, negations, conditional Includes and first-wins', () => {
    const home = os.homedir();
    const inc = write('g/inc/a.conf', ['Host web-1', '  Port 2201', '  IdentitiesOnly yes', 'Host db*', '  User dba'].join('\n'));
    const file = write(
      'g/main.conf',
      [
        'Host web-? !web-9',
        '  User webadmin',
        '  HostName %h.Example.net',
        '  ProxyJump bastion-a,ops@bastion-b:2222',
        `Include ${path.dirname(inc)}/*.conf`,
        'Host bastion-a',
        '  HostName 10.9.9.9',
        '  Port 2022',
        'Host DB*',
        '  User upper',
        'Host *',
        '  UserKnownHostsFile ~/kh/%h_%p %d/kh2',
        '  StrictHostKeyChecking accept-new',
        '  IdentityFile ~/.ssh/id_%r',
        '  IdentityFile /etc/keys/%h',
        '  ConnectTimeout 7',
        '  ServerAliveInterval 15',
        '  ServerAliveCountMax 4',
        '  IdentityAgent ~/agent.sock',
        '  User everyone',
      ].join('\n'),
    );
    const config = SshConfig.load(file, { home });
    const r = new Resolver({ config, home, env: {}, defaultIdentityFiles: [] });
    for (const host of ['web-1', 'web-9', 'web-x', 'bastion-a', 'db1', 'DB1', 'WEB-1', 'other.example']) {
      const g = sshG(file, host);
      const raw = config.lookup(host);
      const route = r.route(target(host, { explicit: { user: false, port: false } }));
      const ours: Record<string, string[]> = {
        hostname: [route.target.hostName],
        user: [route.target.user],
        port: [String(route.target.port)],
        identityfile: raw.identityFiles,
        userknownhostsfile: [route.target.knownHostsFiles.join(' ')],
        stricthostkeychecking: [raw.strictHostKeyChecking ?? 'ask'],
        connecttimeout: [raw.connectTimeout === undefined ? 'none' : String(raw.connectTimeout)],
        serveraliveinterval: [String(raw.serverAliveInterval ?? 0)],
        serveralivecountmax: [String(raw.serverAliveCountMax ?? 3)],
        identitiesonly: [raw.identitiesOnly ? 'yes' : 'no'],
        identityagent: [path.join(home, 'agent.sock')],
        ...(raw.proxyJump !== undefined ? { proxyjump: [raw.proxyJump] } : {}),
      };
      expect(ours, host).toEqual(g);
    }
  });
});

describe('ProxyJump and ProxyCommand', () => {
  it('share one slot: whichever comes first applies, as in ssh_config(5)', () => {
    const c = SshConfig.parse('Host a\n  ProxyJump j1\nHost b\n  ProxyCommand nc %h %p\nHost c\n  ProxyCommand none\nHost *\n  ProxyJump j2\n  ProxyCommand ssh -W %h:%p x\n');
    expect([c.lookup('a').proxyJump, c.lookup('a').notHonoured]).toEqual(['j1', []]);
    expect([c.lookup('b').proxyJump, c.lookup('b').notHonoured.map((n) => n.keyword)]).toEqual([undefined, ['ProxyCommand']]);
    expect([c.lookup('c').proxyJump, c.lookup('c').notHonoured]).toEqual([undefined, []]);
    expect([c.lookup('d').proxyJump, c.lookup('d').notHonoured]).toEqual(['j2', []]);
  });
});
