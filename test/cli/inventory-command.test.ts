// `vmsnap inventory` and the host-choosing flags every command shares, in-process through main().
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-main.js';
import { parseJson, type InventoryJson } from '../helpers/json.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../inventory/fixtures');

let dir: string;
let inv: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-inventory-cmd-'));
  inv = path.join(dir, 'inventory.yaml');
  fs.writeFileSync(
    inv,
    [
      'defaults: {user: azureuser, identityFile: keys/id}',
      'groups:',
      '  prod: {hosts: [web1, web2, db1]}',
      '  web: {hosts: [web1, web2, web3], sudo: always}',
      'hosts:',
      '  - {name: web1, host: 127.77.0.1, tags: [app]}',
      '  - {name: web2, host: 127.77.0.2, tags: [app]}',
      '  - {name: web3, host: 127.77.0.3, port: 2222, tags: [app, canary]}',
      '  - {name: db1, host: 127.77.1.1, user: root, tags: [db]}',
      '',
    ].join('\n'),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('vmsnap inventory', () => {
  it('lists the resolved connection settings as JSON', async () => {
    const r = await run(['inventory', '-i', inv, '--format', 'json', '--ssh-config', 'none']);
    expect(r.code, r.err).toBe(0);
    const j = parseJson<InventoryJson>(r.out);
    expect(j).toMatchObject({ file: inv, format: 'vmsnap', total: 4, selected: 4, skipped: [] });
    expect(j.hosts[2]).toEqual({
      name: 'web3',
      address: '127.77.0.3',
      port: 2222,
      user: 'azureuser',
      identityFile: path.join(dir, 'keys/id'),
      sudo: 'always',
      jump: null,
      connectsAs: 'azureuser@127.77.0.3:2222',
      via: [],
      identityFiles: [path.join(dir, 'keys/id')],
      groups: ['web'],
      tags: ['app', 'canary'],
      ruleSeverity: {},
    });
  });

  it('resolves hosts through ssh_config and jump hosts as audit would', async () => {
    const cfg = path.join(dir, 'ssh_config');
    fs.writeFileSync(cfg, ['Host 127.77.1.*', '  HostName db.internal', '  Port 2200', '  ProxyJump ops@bastion.example', ''].join('\n'));
    const r = await run(['inventory', '-i', inv, '--limit', 'db1', '-f', 'json', '--ssh-config', cfg]);
    expect(r.code, r.err).toBe(0);
    // the inventory sets user: root on db1, so ssh_config's Port applies but not a User
    expect(parseJson<InventoryJson>(r.out).hosts[0]).toMatchObject({ connectsAs: 'root@db.internal:2200', via: ['ops@bastion.example:22'] });
    const direct = await run(['inventory', '-i', inv, '--limit', 'db1', '-f', 'json', '--ssh-config', cfg, '--jump', 'none']);
    expect(parseJson<InventoryJson>(direct.out).hosts[0]).toMatchObject({ via: [] });
  });

  it('applies --limit (Ansible syntax) and --shard', async () => {
    const r = await run(['inventory', '-i', inv, '--limit', 'web:&prod:!web2', '-f', 'json']);
    expect(parseJson<InventoryJson>(r.out).hosts.map((h: { name: string }) => h.name)).toEqual(['web1']);
    const tagged = await run(['inventory', '-i', inv, '--limit', 'tag:app', '--limit', '!tag:canary', '-f', 'json']);
    expect(parseJson<InventoryJson>(tagged.out).hosts.map((h: { name: string }) => h.name)).toEqual(['web1', 'web2']);
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const s = await run(['inventory', '-i', inv, '--shard', `${i}/3`, '-f', 'json']);
      const j = parseJson<InventoryJson>(s.out);
      expect(j.shard).toBe(`${i}/3`);
      seen.push(...j.hosts.map((h: { name: string }) => h.name));
    }
    expect(seen.sort()).toEqual(['db1', 'web1', 'web2', 'web3']);
  });

  it('prints a table with a closing line', async () => {
    const r = await run(['inventory', '-i', inv, '--limit', 'db1', '--ssh-config', 'none']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/db1\s+│\s+root@127\.77\.1\.1:22\s+│\s+-\s+│/);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(`1 of 4 hosts (vmsnap inventory ${inv}); nothing was connected to`);
  });

  it('reads Ansible and az inventories, lists skipped entries and power states', async () => {
    const a = await run(['inventory', '-i', path.join(FIXTURES, 'ansible-prod.yml'), '--limit', 'db']);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain('sql-prod-1');
    expect(a.out).toContain('skipped: win-app-1: ansible_connection: winrm (not SSH)');
    const z = await run(['inventory', '-i', path.join(FIXTURES, 'az-vm-list.json'), '--az-user', 'azureuser']);
    expect(z.code, z.err).toBe(0);
    expect(z.out).toMatch(/lab-1 .*VM deallocated; no private IP address; audit: unreachable NO_ADDRESS/);
    expect(z.out).toMatch(/rg-web-staging\/web-prod-1 .* VM stopped/);
    expect(z.out).toContain('skipped: iis-1: a Windows VM');
  });

  it.each<[string[], RegExp]>([
    [['--limit', 'wbe1'], /--limit "wbe1" matches nothing for "wbe1": no host or group of that name \(did you mean "web1"\?\)/],
    [['--limit', 'web:&db1'], /selects no hosts/],
    [['--shard', '0/3'], /--shard 0\/3: the shard must be from 1 to 3 \(shards are numbered from 1/],
    [['--shard', 'x'], /expected I\/N/],
    [['--shard', '1/2', '--shard', '2/2'], /--shard was given 2 times/],
    [['--az-user', 'azureuser'], /--az-user applies to `az vm list` inventories; this is a vmsnap inventory/],
    [['--inventory-format', 'ansible'], /inventory\.yaml:1: defaults\.user: unknown key "user" in group "defaults"/],
  ])('%j: exit 2 with one clear line', async (flags, message) => {
    const r = await run(['inventory', '-i', inv, ...flags]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it('an inventory error keeps file:line: field', async () => {
    const bad = path.join(dir, 'bad.yml');
    fs.writeFileSync(bad, 'all:\n  hosts:\n    h1:\n      ansible_port: 99999\n');
    const r = await run(['inventory', '-i', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`vmsnap: ${bad}:4: all.hosts.h1.ansible_port: must be an integer from 1 to 65535, got 99999\n`);
  });
});

describe('vmsnap audit: host selection errors (nothing is audited)', () => {
  it.each<[string[], RegExp]>([
    [['audit'], /name the inventory with -i FILE \(or audit this machine with --local\)/],
    [['audit', '--local', '-i', 'x.yaml'], /--local audits this machine only: it takes no -i/],
    [['audit', '--local', '--limit', 'web', '--shard', '1/2'], /it takes no --limit, --shard/],
    [['audit', '-i', '/nonexistent.yaml', '--limit', 'x'], /cannot read inventory file: no such file/],
  ])('%j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--limit that matches nothing', async () => {
    const r = await run(['audit', '-i', inv, '--limit', 'web9']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--limit "web9" matches nothing for "web9"/);
  });
});

describe('completion and help', () => {
  it('vmsnap completion prints a bash script that asks vmsnap', async () => {
    const r = await run(['completion']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('vmsnap --get-yargs-completions');
    expect(r.out).toContain('complete -o bashdefault -o default -F _vmsnap_yargs_completions vmsnap');
  });

  it.each<[string[], string[]]>([
    [['au'], ['audit']],
    [['audit', '--inventory-format', ''], ['auto', 'vmsnap', 'ansible', 'az']],
    [['audit', '--az-address', ''], ['private', 'public']],
    [['audit', ''], ['--limit', '--shard', '--local']],
    [['inventory', ''], ['--limit', '--shard', '--format']],
  ])('completes %j', async (words, want) => {
    const r = await run(['--get-yargs-completions', 'vmsnap', ...words]);
    expect(r.code).toBe(0);
    const got = r.out.trim().split('\n');
    for (const w of want) expect(got).toContain(w);
  });

  // (yargs' own `completion` command takes no examples; `vmsnap --help` shows how to use it)
  it.each(['audit', 'inventory', 'merge', 'keyscan', 'rules', 'schema', 'demo'])('`%s --help` shows an example', async (cmd) => {
    const r = await run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out, r.out).toMatch(/\nExamples:\n\s+(sudo )?vmsnap /);
  });

  it('`vmsnap --help` shows examples', async () => {
    const r = await run(['--help']);
    expect(r.out).toMatch(/\nExamples:\n/);
  });
});
