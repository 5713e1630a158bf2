// Jump hosts, host keys and keyscan through the real CLI and real sshd: a fleet VM is the bastion,
// reached as ssh_config's ProxyJump or with --jump; its sshd log (LogLevel DEBUG1) shows one login
// and one direct-tcpip channel per host behind it.
import * as fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as yamlStringify } from 'yaml';
import { startFleet, type Fleet, type FleetVm } from '../../src/fleet/harness.js';
import { generateEd25519KeyPair } from '../../src/fleet/openssh-key.js';
import { compliantFiles } from '../../src/fleet/spec.js';
import { Report } from '../../src/model/report.js';
import { cliBuilt, describeRun, fleetUnavailable, privateHome, vmsnap } from './helpers.js';

if (fleetUnavailable) console.warn(`skipping the jump host tests: ${fleetUnavailable}`);

const VMS = ['vm1', 'vm2', 'vm3'];

describe.skipIf(fleetUnavailable !== null)('jump hosts and host keys, through the CLI', () => {
  let fleet: Fleet;
  let home: string;
  let bastion: FleetVm;
  let sshConfig: string;
  let inventory: string;
  let allKeys: string;
  const vm = (n: string) => fleet.vms.find((v) => v.name === n)!;
  const bastionLog = () => fs.readFileSync(path.join(fleet.dir, 'vms', 'bastion', 'sshd.log'), 'utf8');
  const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;
  const json = (stdout: string) => Report.parse(JSON.parse(stdout));
  const statuses = (stdout: string) => json(stdout).hosts.map((h) => [h.name, h.status, h.error?.code ?? null]);

  beforeAll(async () => {
    if (!cliBuilt()) throw new Error('dist/ has no CLI: run `npm run build` first (these tests run bin/vmsnap)');
    home = privateHome();
    fleet = await startFleet({ vms: ['bastion', ...VMS].map((name) => ({ name, files: compliantFiles() })), sshdLogLevel: 'DEBUG1' });
    bastion = vm('bastion');
    allKeys = fleet.knownHostsFile;
    // the operator's ssh_config: the VMs are known by name, behind the bastion
    sshConfig = path.join(fleet.dir, 'ssh_config');
    fs.writeFileSync(
      sshConfig,
      [
        'Host bastion',
        `  HostName ${bastion.address}`,
        '  User root',
        `  IdentityFile ${fleet.identityFile}`,
        'Host vm*',
        '  ProxyJump bastion',
        `  IdentityFile ${fleet.identityFile}`,
        ...VMS.flatMap((n) => [`Host ${n}`, `  HostName ${vm(n).address}`]),
        '',
      ].join('\n'),
    );
    // the inventory names hosts only: ssh_config says where they are and how to reach them
    inventory = path.join(fleet.dir, 'named.yaml');
    fs.writeFileSync(inventory, yamlStringify({ hosts: VMS.map((n) => ({ name: n, host: n })) }));
  });

  afterAll(async () => {
    await fleet?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('audits every host through one bastion login (ssh_config ProxyJump), one channel per host', async () => {
    const before = bastionLog();
    const r = await vmsnap(['audit', '-i', inventory, '--format', 'json', '--ssh-config', sshConfig, '--known-hosts', allKeys, '--timeout', '15'], { home });
    expect(r.code, describeRun(r)).toBe(0);
    expect(statuses(r.stdout)).toEqual(VMS.map((n) => [n, 'compliant', null]));
    const log = bastionLog().slice(before.length);
    expect(count(log, /Accepted publickey for root/), log).toBe(1);
    expect(count(log, /server_request_direct_tcpip/), log).toBe(VMS.length);
    for (const n of VMS) expect(log).toContain(`target ${vm(n).address} port 22`);
  });

  it('--jump wins over ssh_config and uses the default identity (~/.ssh/id_ed25519) for the bastion', async () => {
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    fs.copyFileSync(fleet.identityFile, path.join(home, '.ssh', 'id_ed25519'));
    const inv = path.join(fleet.dir, 'by-address.yaml');
    fs.writeFileSync(inv, yamlStringify({ defaults: { identityFile: fleet.identityFile }, hosts: VMS.map((n) => ({ name: n, host: vm(n).address })) }));
    const before = bastionLog();
    const r = await vmsnap(['audit', '-i', inv, '--format', 'json', '--ssh-config', 'none', '--known-hosts', allKeys, '--jump', `root@${bastion.address}`, '--timeout', '15'], { home });
    fs.rmSync(path.join(home, '.ssh', 'id_ed25519'));
    expect(r.code, describeRun(r)).toBe(0);
    const log = bastionLog().slice(before.length);
    expect(count(log, /Accepted publickey for root/), log).toBe(1);
    expect(count(log, /server_request_direct_tcpip/), log).toBe(VMS.length);
  });

  it("the inventory's jump: (on a group) reaches the hosts through the bastion, and `jump: none` on one host goes direct", async () => {
    const inv = path.join(fleet.dir, 'inventory-jump.yaml');
    fs.writeFileSync(
      inv,
      yamlStringify({
        defaults: { identityFile: fleet.identityFile },
        groups: { behind: { hosts: VMS, jump: `root@${bastion.address}` } },
        hosts: VMS.map((n, i) => ({ name: n, host: vm(n).address, ...(i === 0 ? { jump: 'none' } : {}) })),
      }),
    );
    // as with ssh, the inventory's identityFile is the host's key; the bastion logs in with the default key
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    fs.copyFileSync(fleet.identityFile, path.join(home, '.ssh', 'id_ed25519'));
    const before = bastionLog();
    const r = await vmsnap(['audit', '-i', inv, '--format', 'json', '--ssh-config', 'none', '--known-hosts', allKeys, '--timeout', '15'], { home });
    fs.rmSync(path.join(home, '.ssh', 'id_ed25519'));
    expect(r.code, describeRun(r)).toBe(0);
    expect(statuses(r.stdout)).toEqual(VMS.map((n) => [n, 'compliant', null]));
    const log = bastionLog().slice(before.length);
    expect(count(log, /server_request_direct_tcpip/), log).toBe(VMS.length - 1);
    expect(log).not.toContain(`target ${vm(VMS[0]!).address} port 22`);
  });

  it("verifies the bastion's own host key: a changed one fails every host behind it, naming the bastion", async () => {
    const kh = path.join(fleet.dir, 'kh.bastion-changed');
    const impostor = generateEd25519KeyPair().publicKeyNoComment;
    fs.writeFileSync(kh, fs.readFileSync(allKeys, 'utf8').replace(`${bastion.address} ${bastion.hostKeyPublic}`, `${bastion.address} ${impostor}`));
    const r = await vmsnap(['audit', '-i', inventory, '--format', 'json', '--ssh-config', sshConfig, '--known-hosts', kh, '--timeout', '15'], { home });
    expect(r.code, describeRun(r)).toBe(3);
    const rep = json(r.stdout);
    expect(rep.hosts.map((h) => [h.status, h.error?.code])).toEqual(VMS.map(() => ['hostkey_mismatch', 'HOSTKEY_CHANGED']));
    for (const h of rep.hosts) expect(h.error?.message).toMatch(/^via jump host bastion \(root@/);
  });

  it('--accept-new adds the bastion and every host once, atomically; the next strict run trusts them', async () => {
    const kh = path.join(home, '.ssh', 'known_hosts');
    fs.rmSync(kh, { force: true });
    const first = await vmsnap(['audit', '-i', inventory, '--format', 'json', '--ssh-config', sshConfig, '--accept-new', '--timeout', '15'], { home });
    expect(first.code, describeRun(first)).toBe(0);
    const lines = fs.readFileSync(kh, 'utf8').trim().split('\n').sort();
    expect(lines).toEqual(['bastion', ...VMS].map((n) => `${vm(n).address} ${vm(n).hostKeyPublic}`).sort());
    const strict = await vmsnap(['audit', '-i', inventory, '--format', 'json', '--ssh-config', sshConfig, '--timeout', '15'], { home });
    expect(strict.code, describeRun(strict)).toBe(0);
    expect(fs.readFileSync(kh, 'utf8').trim().split('\n')).toHaveLength(lines.length);
  });

  it('keyscan prints the lines to add, which hosts match and which changed, and never logs in to them', async () => {
    const kh = path.join(fleet.dir, 'kh.partial');
    const impostor = generateEd25519KeyPair().publicKeyNoComment;
    // the bastion and vm1 are known, vm2's key changed, vm3 is new
    fs.writeFileSync(
      kh,
      [`${bastion.address} ${bastion.hostKeyPublic}`, `${vm('vm1').address} ${vm('vm1').hostKeyPublic}`, `${vm('vm2').address} ${impostor}`, ''].join('\n'),
    );
    const targetLogs = () => VMS.map((n) => fs.readFileSync(path.join(fleet.dir, 'vms', n, 'sshd.log'), 'utf8'));
    const before = targetLogs();
    const r = await vmsnap(['keyscan', '-i', inventory, '--ssh-config', sshConfig, '--known-hosts', kh], { home });
    expect(r.code, describeRun(r)).toBe(3); // a changed key
    expect(r.stdout).toBe(`${vm('vm3').address} ${vm('vm3').hostKeyPublic}\n`);
    expect(r.stderr).toMatch(/^jump host bastion \(.*\): matches/m);
    expect(r.stderr).toMatch(/^vm1 \(.* via root@.*\): matches/m);
    expect(r.stderr).toMatch(/^vm2 \(.*\): CHANGED: REMOTE HOST IDENTIFICATION HAS CHANGED/m);
    expect(r.stderr).toMatch(/^vm3 \(.*\): new, ssh-ed25519 SHA256:/m);
    expect(r.stderr).toMatch(/keyscan: 4 scanned: 2 match, 1 new, 1 changed, 0 revoked, 0 not scanned/);
    targetLogs().forEach((log, i) => expect(count(log.slice(before[i]!.length), /Accepted publickey/), VMS[i]).toBe(0));
    expect(fs.readFileSync(kh, 'utf8')).not.toContain(vm('vm3').hostKeyPublic); // keyscan only prints
  });

  it('refuses a bad ssh_config or --jump as a usage error (exit 2) before connecting anywhere', async () => {
    const bad = path.join(fleet.dir, 'bad_config');
    fs.writeFileSync(bad, 'Host vm1\n  Hostname x\n  Bogus yes\n');
    const r1 = await vmsnap(['audit', '-i', inventory, '--ssh-config', bad], { home });
    expect(r1.code, describeRun(r1)).toBe(2);
    expect(r1.stderr).toMatch(/bad_config line 3: unknown keyword "Bogus"/);
    const r2 = await vmsnap(['audit', '-i', inventory, '--ssh-config', 'none', '--jump', 'a b'], { home });
    expect(r2.code, describeRun(r2)).toBe(2);
    expect(r2.stderr).toMatch(/--jump: bad jump host "a b"/);
    const r3 = await vmsnap(['audit', '-i', inventory, '--ssh-config', path.join(fleet.dir, 'no\nsuch')], { home });
    expect(r3.code, describeRun(r3)).toBe(2);
    expect(r3.stderr).toMatch(/"[^"]*no\\nsuch": no such file/);
    const r4 = await vmsnap(['audit', '-i', inventory, '--ssh-config', 'none', '--retries', '-1'], { home });
    expect(r4.code, describeRun(r4)).toBe(2);
  });
});
