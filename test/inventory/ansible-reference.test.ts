// Ansible itself as the reference: for each inventory below (INI, as operators keep them, nasty
// ones included), `ansible-inventory --list` resolves every host; vmsnap must resolve the same
// address, port, user, key file, sudo and groups (with their ancestors) from the INI file, from
// its YAML form (`--list --yaml`) and from the `--list` JSON itself, which is what dynamic
// inventories print. Skips, saying so, where ansible-core is not installed (.ci/run installs it).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInPath } from '../../src/fleet/harness.js';
import { runCli, testHome } from '../helpers/cli.js';

const run = promisify(execFile);
const ansibleInventory = findInPath('ansible-inventory');
if (!ansibleInventory) console.warn('skipping the Ansible reference test: ansible-inventory is not installed (apt-get install ansible-core)');

const INVENTORIES: Record<string, string> = {
  'everything-at-once': `# the shapes /etc/ansible/hosts files have
; a semicolon comment
bastion ansible_host=10.0.0.4 ansible_user='admin' # a comment after the variables
plain

[web]
web[01:03].example.com ansible_port=2222
web04.example.com:2200 ansible_become=true
db-[a:b] ansible_host="10.1.0.1"

[web:vars]
ansible_user=webadmin
ansible_group_priority=5

[prod:children]
web
dbs

[dbs]
db-a ansible_become=False ansible_ssh_private_key_file=keys/db.pem

[dbs:vars]
ansible_user=dbadmin
ansible_group_priority=10

[all:vars]
ansible_user=root
ansible_port=22
`,
  'children-before-groups': `[azure:children]
eastus
westus

[azure:vars]
ansible_user=azureuser
ansible_become=yes

[eastus]
vm-e[1:3] ansible_host=10.2.0.1

[westus]
vm-w[a:c]
vm-e2 ansible_port="2022"
`,
  'declared-twice': `[app]
app1 ansible_port=2201
app2

[web]
app1 ansible_user=deploy
app2 ansible_host=192.168.1.20

[app:vars]
ansible_become=no

[web:vars]
ansible_become=on

[ungrouped:vars]
ansible_user=nobody
`,
  'deep-tree': `lonely ansible_host=10.9.9.9 ansible_private_key_file=~/.ssh/other_key

[leaf]
leaf[001:004] ansible_ssh_user=leafuser

[mid:children]
leaf

[top:children]
mid

[top:vars]
ansible_ssh_port=2200
ansible_ssh_private_key_file=/etc/keys/top.pem

[mid:vars]
ansible_become=False

[leaf:vars]
ansible_ssh_host=10.5.0.1
`,
};

interface Expected {
  address: string;
  port: number;
  user: string;
  identityFile: string | null;
  sudo: string;
  groups: string[];
}

/** What ansible-inventory --list says of each host, in vmsnap's terms. */
function fromAnsibleList(list: Record<string, unknown>, cwd: string): Map<string, Expected> {
  const hostvars = ((list['_meta'] as { hostvars?: Record<string, Record<string, unknown>> } | undefined)?.hostvars ?? {});
  const parents = new Map<string, Set<string>>();
  const direct = new Map<string, Set<string>>();
  for (const [g, body] of Object.entries(list)) {
    if (g === '_meta') continue;
    const b = body as { hosts?: string[]; children?: string[] };
    for (const c of b.children ?? []) (parents.get(c) ?? parents.set(c, new Set()).get(c)!).add(g);
    for (const h of b.hosts ?? []) (direct.get(h) ?? direct.set(h, new Set()).get(h)!).add(g);
  }
  const ancestors = (gs: Iterable<string>): Set<string> => {
    const out = new Set<string>();
    const stack = [...gs];
    while (stack.length) {
      const g = stack.pop()!;
      if (out.has(g)) continue;
      out.add(g);
      stack.push(...(parents.get(g) ?? []));
    }
    return out;
  };
  const bool = (v: unknown) => {
    const s = String(v).toLowerCase();
    return ['yes', 'on', '1', 'true', 't', 'y'].includes(s) ? 'always' : ['no', 'off', '0', 'false', 'f', 'n'].includes(s) ? 'never' : 'auto';
  };
  const out = new Map<string, Expected>();
  for (const [h, groups] of direct) {
    const v = hostvars[h] ?? {};
    const key = (v['ansible_ssh_private_key_file'] ?? v['ansible_private_key_file']) as string | undefined;
    out.set(h, {
      address: (v['ansible_host'] ?? v['ansible_ssh_host'] ?? h) as string,
      port: Number(v['ansible_port'] ?? v['ansible_ssh_port'] ?? 22),
      user: (v['ansible_user'] ?? v['ansible_ssh_user'] ?? 'root') as string,
      identityFile: key === undefined ? null : key.startsWith('~/') ? path.join(testHome(), key.slice(2)) : path.resolve(cwd, key),
      sudo: 'ansible_become' in v ? bool(v['ansible_become']) : 'auto',
      groups: [...ancestors(groups)].filter((g) => g !== 'all').sort(),
    });
  }
  return out;
}

describe.skipIf(!ansibleInventory)('Ansible inventories resolve as ansible-inventory resolves them', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(tmpdir(), 'vmsnap-ansible-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(INVENTORIES))('%s: the INI file, its YAML form and its --list JSON', async (name) => {
    const ini = path.join(dir, `${name}.ini`);
    fs.writeFileSync(ini, INVENTORIES[name]!);
    const env = { ...process.env, ANSIBLE_INVENTORY_ENABLED: 'ini', ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1' };
    const list = await run(ansibleInventory!, ['-i', ini, '--list'], { cwd: dir, env });
    const yaml = await run(ansibleInventory!, ['-i', ini, '--list', '--yaml'], { cwd: dir, env });
    const json = path.join(dir, `${name}.json`);
    const yml = path.join(dir, `${name}.yml`);
    fs.writeFileSync(json, list.stdout);
    fs.writeFileSync(yml, yaml.stdout);
    // vmsnap runs in this process's directory: a relative key file is relative to it, as for ansible
    const expected = fromAnsibleList(JSON.parse(list.stdout) as Record<string, unknown>, process.cwd());
    expect(expected.size).toBeGreaterThan(1);

    for (const [file, format] of [
      [ini, 'ansible-ini'],
      [yml, 'ansible'],
      [json, 'ansible-json'],
    ] as const) {
      const r = await runCli(['inventory', '-i', file, '--format', 'json']);
      expect(r.code, `${file}\n${r.stderr}`).toBe(0);
      const got = JSON.parse(r.stdout) as { format: string; hosts: (Expected & { name: string })[] };
      expect(got.format).toBe(format);
      const byHost = new Map(got.hosts.map((h) => [h.name, { address: h.address, port: h.port, user: h.user, identityFile: h.identityFile, sudo: h.sudo, groups: [...h.groups].sort() }]));
      expect(Object.fromEntries(byHost), `${format} (${file})`).toEqual(Object.fromEntries(expected));
    }
  });
});
