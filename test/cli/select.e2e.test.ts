// --limit, --shard + merge, Ansible and az inventories and the --fix guard, through the real CLI
// against real sshd VMs on loopback (the local test fleet).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantFiles, compliantFilesWithConfigMode } from '../../src/fleet/spec.js';
import type { Report } from '../../src/model/report.js';
import { auditJson, describeRun, fleetUnavailable, parseReport, vmsnap } from '../e2e/cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

const bad = () => compliantFilesWithConfigMode(0o644);
const names = (r: Report) => r.hosts.map((h) => h.name);
const status = (r: Report) => Object.fromEntries(r.hosts.map((h) => [h.name, h.status]));

describe.skipIf(fleetUnavailable)('host selection against real VMs', () => {
  let fleet: Fleet;
  let ansible: string;
  let kh: string[];
  const addr = (n: string) => fleet.vms.find((v) => v.name === n)!.address;

  beforeAll(async () => {
    fleet = await startFleet({
      vms: [
        { name: 'web-1', files: compliantFiles() },
        { name: 'web-2', files: compliantFiles() },
        { name: 'web-3', files: bad() },
        { name: 'db-1', files: bad() },
        { name: 'db-2', files: bad() },
      ],
    });
    kh = ['--known-hosts', fleet.knownHostsFile, '--ssh-config', 'none'];
    // an Ansible inventory as a team would have it: connection vars on all, groups under prod
    ansible = join(fleet.dir, 'hosts.yml');
    fs.writeFileSync(
      ansible,
      [
        'all:',
        '  vars:',
        '    ansible_user: root',
        `    ansible_ssh_private_key_file: ${fleet.identityFile}`,
        '  children:',
        '    prod:',
        '      children:',
        '        web:',
        '          hosts:',
        ...['web-1', 'web-2', 'web-3'].map((n) => `            ${n}: {ansible_host: ${addr(n)}}`),
        '        db:',
        '          hosts:',
        ...['db-1', 'db-2'].map((n) => `            ${n}: {ansible_host: ${addr(n)}}`),
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('audits an Ansible inventory through --limit', async () => {
    const { run, report } = await auditJson(['-i', ansible, ...kh, '--limit', 'prod:&web:!web-2']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(status(report)).toEqual({ 'web-1': 'compliant', 'web-3': 'noncompliant' });
  });

  it('shards cover the fleet exactly once, and merge puts the run back together', async () => {
    const full = (await auditJson(['-i', ansible, ...kh])).report;
    const files: string[] = [];
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const out = join(fleet.dir, `shard-${i - 1}.json`);
      const run = await vmsnap(['audit', '-i', ansible, ...kh, '--shard', `${i}/3`, '--output', `json=${out}`, '--format', 'json', '--quiet']);
      expect([0, 1], describeRun(run)).toContain(run.code);
      files.push(out);
      seen.push(...names(parseReport(fs.readFileSync(out, 'utf8'))));
    }
    expect(seen.sort()).toEqual(names(full).sort());

    const merged = join(fleet.dir, 'merged.json');
    const m = await vmsnap(['merge', ...files, '-i', ansible, '-o', merged]);
    expect(m.code, describeRun(m)).toBe(1);
    expect(m.stderr).toBe('');
    const report = parseReport(fs.readFileSync(merged, 'utf8'));
    expect(names(report)).toEqual(names(full)); // inventory order
    expect(report.summary).toEqual(full.summary);

    // a lost shard: its hosts come back as NOT_REPORTED, and the exit code says not everything was audited
    const shards = files.map((f) => parseReport(fs.readFileSync(f, 'utf8')));
    const biggest = shards.reduce((best, r, i) => (r.hosts.length > shards[best]!.hosts.length ? i : best), 0);
    const partial = await vmsnap(['merge', ...files.filter((_, i) => i !== biggest), '-i', ansible]);
    expect(partial.code, describeRun(partial)).toBe(3);
    expect(partial.stderr).toContain('added as error NOT_REPORTED');
    const r = parseReport(partial.stdout);
    expect(names(r)).toEqual(names(full));
    for (const h of shards[biggest]!.hosts) expect(r.hosts.find((x) => x.name === h.name)?.error?.code).toBe('NOT_REPORTED');
  });

  it('the --fix guard holds for a group, and stands aside for hosts named one by one', async () => {
    // stdout is a pipe and there is no --yes: at most --max-changes 1 host may change
    const guarded = await vmsnap(['audit', '-i', ansible, ...kh, '--fix', '--max-changes', '1', '--limit', 'db', '--format', 'json', '--quiet']);
    expect(guarded.code, describeRun(guarded)).toBe(4);
    expect(parseReport(guarded.stdout).hosts.every((h) => h.fixes?.every((f) => f.pending && !f.applied))).toBe(true);

    const named = await vmsnap(['audit', '-i', ansible, ...kh, '--fix', '--max-changes', '1', '--limit', 'db-1,db-2', '--format', 'json', '--quiet']);
    expect(named.code, describeRun(named)).toBe(0);
    expect(status(parseReport(named.stdout))).toEqual({ 'db-1': 'compliant', 'db-2': 'compliant' });
  });

  it('an az vm list: addresses, tags, and a VM without an address reported unreachable NO_ADDRESS', async () => {
    const vm = (name: string, privateIps: string, tags: Record<string, string>, powerState = 'VM running') => ({
      name,
      resourceGroup: 'rg-test',
      powerState,
      privateIps,
      publicIps: '',
      storageProfile: { osDisk: { osType: 'Linux' } },
      tags,
    });
    const az = join(fleet.dir, 'vms.json');
    fs.writeFileSync(az, JSON.stringify([vm('web-1', addr('web-1'), { env: 'prod' }), vm('web-2', addr('web-2'), { env: 'dev' }), vm('gone', '', { env: 'prod' }, 'VM deallocated')], null, 2));
    const sshConfig = join(fleet.dir, 'ssh_config');
    fs.writeFileSync(sshConfig, `Host *\n  IdentityFile ${fleet.identityFile}\n`);
    const run = await vmsnap(['audit', '-i', az, '--known-hosts', fleet.knownHostsFile, '--ssh-config', sshConfig, '--limit', 'tag:env=prod', '--format', 'json', '--quiet']);
    expect(run.code, describeRun(run)).toBe(3);
    const report = parseReport(run.stdout);
    expect(report.hosts.map((h) => [h.name, h.status, h.error?.code ?? null])).toEqual([
      ['web-1', 'compliant', null],
      ['gone', 'unreachable', 'NO_ADDRESS'],
    ]);
  });
});
