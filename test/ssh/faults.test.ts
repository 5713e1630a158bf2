// The fault suite: every way a host can misbehave, in ONE run of the real CLI (bin/vmsnap, built)
// against the local fleet of real sshd VMs plus in-process servers that misbehave on demand
// (ssh2's Server, raw TCP listeners). Each host must end with its own status and error code, the
// healthy hosts of the same run must be unaffected, the run must end within the per-host deadline
// plus 5 s, and the exit code must say what happened.
import * as fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as yamlStringify } from 'yaml';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { generateEd25519KeyPair } from '../../src/fleet/openssh-key.js';
import { compliantConfig, compliantFiles, CONFIG_PATH, SCRIPT_TEXT, withFiles } from '../../src/fleet/spec.js';
import { Report, type HostResult } from '../../src/model/report.js';
import {
  cliBuilt,
  closedPort,
  describeRun,
  fleetUnavailable,
  privateHome,
  startFakeSsh,
  startFlakyProxy,
  startTcpFake,
  vmsnap,
  type CliRun,
  type FakeSsh,
  type TcpFake,
} from './helpers.js';

const skip = fleetUnavailable !== null;
if (fleetUnavailable) console.warn(`skipping the SSH fault suite: ${fleetUnavailable}`);

const DEADLINE_S = 3;
const NEWLINE_SCRIPT = '/etc/azure/pre\nscript.sh';

/** 10 MB of JSON-looking text, its last string never closed: far past the 1 MiB the collector ships */
function tenMegabytes(): string {
  const head = JSON.stringify(compliantConfig()).slice(0, -1);
  return `${head}, "padding": "${'x'.repeat(10 * 1024 * 1024)}}`;
}

function garbage(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
  }
  return b;
}

interface Expect {
  status: string;
  code: string | null;
}

describe.skipIf(skip)('fault suite: one run, every fault, each host its own status', () => {
  let fleet: Fleet;
  let home: string;
  const fakes: Array<FakeSsh | TcpFake> = [];
  let run: CliRun;
  let report: Report;
  let inventory: string;
  let knownHosts: string;
  const expected: Record<string, Expect> = {};
  const byName = (n: string): HostResult => {
    const h = report.hosts.find((x) => x.name === n);
    if (!h) throw new Error(`${n} is not in the report`);
    return h;
  };

  beforeAll(async () => {
    if (!cliBuilt()) throw new Error('dist/ has no CLI: run `npm run build` first (this suite runs bin/vmsnap)');
    home = privateHome();
    fleet = await startFleet({
      vms: [
        { name: 'ok', files: compliantFiles() },
        { name: 'stopped', files: compliantFiles() },
        { name: 'wrong-key', files: compliantFiles() },
        { name: 'config-10mb', files: withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content: tenMegabytes(), mode: 0o600 }]) },
        { name: 'config-garbage', files: withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content: garbage(4096), mode: 0o600 }]) },
        {
          name: 'config-newline-path',
          files: withFiles(compliantFiles(compliantConfig({ preScriptLocation: NEWLINE_SCRIPT })), [
            { type: 'file', path: NEWLINE_SCRIPT, content: SCRIPT_TEXT, mode: 0o700 },
          ]),
        },
      ],
    });
    const vm = (n: string) => fleet.vms.find((v) => v.name === n)!;

    // in-process misbehaving servers
    const refused = await closedPort();
    const noBanner = await startTcpFake(() => undefined);
    const bannerSilence = await startTcpFake((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'));
    const kexFail = await startFakeSsh({ algorithms: { kex: ['diffie-hellman-group1-sha1'] } });
    const noSudo = await startFakeSsh({
      onExec: (cmd, stream) => {
        if (cmd.startsWith('sudo ')) {
          stream.stderr.write('bash: line 1: sudo: command not found\n');
          stream.exit(127);
        } else stream.exit(0);
        stream.end();
      },
    });
    const killed = await startFakeSsh({
      onExec: (_cmd, stream, _conn, socket) => {
        stream.on('data', () => undefined); // take the program, then die mid-collection
        setTimeout(() => socket.destroy(), 100);
      },
    });
    const channelClosed = await startFakeSsh({
      onExec: (_cmd, stream) => {
        stream.on('data', () => undefined);
        setTimeout(() => stream.close(), 100); // no exit-status, no exit-signal
      },
    });
    const maxStartups = await startFlakyProxy({ address: vm('ok').address, port: 22 }, 2); // drops 2, like sshd past MaxStartups
    fakes.push(noBanner, bannerSilence, kexFail, noSudo, killed, channelClosed, maxStartups);

    const strangerKey = path.join(fleet.dir, 'stranger_ed25519');
    fs.writeFileSync(strangerKey, generateEd25519KeyPair('stranger').privateKey, { mode: 0o600 });

    knownHosts = path.join(fleet.dir, 'known_hosts.faults');
    const other = generateEd25519KeyPair('impostor').publicKeyNoComment;
    fs.writeFileSync(
      knownHosts,
      [
        ...fleet.vms.map((v) => `${v.address} ${v.name === 'wrong-key' ? other : v.hostKeyPublic}`),
        kexFail.knownHostsLine,
        noSudo.knownHostsLine,
        killed.knownHostsLine,
        channelClosed.knownHostsLine,
        `[${maxStartups.address}]:${maxStartups.port} ${vm('ok').hostKeyPublic}`,
        '',
      ].join('\n'),
    );

    type H = { name: string; host: string; port?: number; user?: string; identityFile?: string; expect: Expect };
    const hosts: H[] = [
      { name: 'closed-port', host: refused.address, port: refused.port, expect: { status: 'unreachable', code: 'ECONNREFUSED' } },
      { name: 'no-banner', host: noBanner.address, port: noBanner.port, expect: { status: 'timeout', code: 'DEADLINE' } },
      { name: 'banner-then-silence', host: bannerSilence.address, port: bannerSilence.port, expect: { status: 'timeout', code: 'DEADLINE' } },
      { name: 'sshd-sigstopped', host: vm('stopped').address, expect: { status: 'timeout', code: 'DEADLINE' } },
      { name: 'kex-no-common-algorithm', host: kexFail.address, port: kexFail.port, expect: { status: 'error', code: 'KEX_FAILED' } },
      { name: 'wrong-host-key', host: vm('wrong-key').address, expect: { status: 'hostkey_mismatch', code: 'HOSTKEY_CHANGED' } },
      { name: 'key-not-authorised', host: vm('ok').address, identityFile: strangerKey, expect: { status: 'auth_failed', code: 'AUTH_FAILED' } },
      { name: 'sudo-wants-password', host: vm('ok').address, user: 'nosudo', expect: { status: 'sudo_required', code: 'SUDO_PASSWORD' } },
      { name: 'no-sudo-installed', host: noSudo.address, port: noSudo.port, user: 'azureuser', expect: { status: 'sudo_required', code: 'SUDO_MISSING' } },
      { name: 'sshd-killed-mid-collection', host: killed.address, port: killed.port, expect: { status: 'error', code: 'CONNECTION_CLOSED' } },
      { name: 'channel-closed-early', host: channelClosed.address, port: channelClosed.port, expect: { status: 'error', code: 'CHANNEL_CLOSED' } },
      { name: 'config-10mb', host: vm('config-10mb').address, expect: { status: 'noncompliant', code: null } },
      { name: 'config-binary-garbage', host: vm('config-garbage').address, expect: { status: 'noncompliant', code: null } },
      // a script path with a newline in it is a legal file name the extension would run: audited, not choked on
      { name: 'config-path-with-newline', host: vm('config-newline-path').address, expect: { status: 'compliant', code: null } },
      { name: 'past-maxstartups-retried', host: maxStartups.address, port: maxStartups.port, expect: { status: 'compliant', code: null } },
      { name: 'healthy', host: vm('ok').address, expect: { status: 'compliant', code: null } },
    ];
    for (const h of hosts) expected[h.name] = h.expect;
    inventory = path.join(fleet.dir, 'faults.yaml');
    fs.writeFileSync(
      inventory,
      yamlStringify({
        defaults: { user: 'root', identityFile: fleet.identityFile, sudo: 'auto' },
        hosts: hosts.map(({ expect: _e, ...h }) => h),
      }),
    );

    fleet.signalVm('stopped', 'SIGSTOP');
    run = await vmsnap(['audit', '-i', inventory, '--format', 'json', '--ssh-config', 'none', '--known-hosts', knownHosts, '--timeout', String(DEADLINE_S)], { home });
    report = Report.parse(JSON.parse(run.stdout));
  });

  afterAll(async () => {
    try {
      fleet?.signalVm('stopped', 'SIGCONT');
    } catch {
      /* already gone */
    }
    await Promise.all([fleet?.stop(), ...fakes.map((f) => f.close())]);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('ends within the deadline + 5 s and exits 3 (some hosts could not be audited)', () => {
    expect(run.code, describeRun(run)).toBe(3);
    expect(run.ms, describeRun(run)).toBeLessThan((DEADLINE_S + 5) * 1000);
  });

  it('gives every host its own status and error code, the healthy ones unaffected', () => {
    const got = Object.fromEntries(report.hosts.map((h) => [h.name, { status: h.status, code: h.error?.code ?? null }]));
    expect(got, describeRun(run)).toEqual(expected);
    expect(report.hosts.map((h) => h.name)).toEqual(Object.keys(expected));
  });

  it('says what happened in words a person can act on', () => {
    expect(byName('key-not-authorised').error?.message).toMatch(/tried publickey .*stranger_ed25519 \(ssh-ed25519 SHA256:/);
    expect(byName('kex-no-common-algorithm').error?.message).toMatch(/key exchange failed/);
    expect(byName('no-sudo-installed').error?.message).toMatch(/sudo is not installed/);
    expect(byName('sshd-killed-mid-collection').error?.message).toMatch(/connection closed while the command ran/);
    expect(byName('wrong-host-key').error?.message).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
  });

  it('holds hung hosts to the deadline and nothing else', () => {
    for (const n of ['no-banner', 'banner-then-silence', 'sshd-sigstopped']) {
      expect(byName(n).durationMs, n).toBeGreaterThanOrEqual(DEADLINE_S * 1000 - 100);
      expect(byName(n).durationMs, n).toBeLessThan(DEADLINE_S * 1000 + 1500);
    }
    expect(byName('closed-port').durationMs).toBeLessThan(1000); // refused: reported at once, never retried
  });

  it('judges the odd configs on what was collected, without losing the facts', () => {
    expect(byName('config-10mb').findings.map((f) => f.rule)).toEqual(['config-json-valid', 'config-size']);
    expect(byName('config-binary-garbage').findings.map((f) => f.rule)).toContain('config-json-valid');
    // the path travels intact (as data over stdin/JSON, never through a shell line)
    expect(JSON.stringify(byName('config-path-with-newline').facts)).toContain(`"configured":${JSON.stringify(NEWLINE_SCRIPT)}`);
  });

  it('exits 0 for the healthy host alone and 1 with a noncompliant one', async () => {
    const one = path.join(fleet.dir, 'one.yaml');
    const two = path.join(fleet.dir, 'two.yaml');
    const vm = (n: string) => fleet.vms.find((v) => v.name === n)!;
    const base = { defaults: { identityFile: fleet.identityFile } };
    fs.writeFileSync(one, yamlStringify({ ...base, hosts: [{ name: 'healthy', host: vm('ok').address }] }));
    fs.writeFileSync(two, yamlStringify({ ...base, hosts: [{ name: 'healthy', host: vm('ok').address }, { name: 'big', host: vm('config-10mb').address }] }));
    const args = ['--format', 'json', '--ssh-config', 'none', '--known-hosts', knownHosts, '--timeout', '10'];
    const [r0, r1] = await Promise.all([vmsnap(['audit', '-i', one, ...args], { home }), vmsnap(['audit', '-i', two, ...args], { home })]);
    expect(r0.code, describeRun(r0)).toBe(0);
    expect(r1.code, describeRun(r1)).toBe(1);
  });
});
