import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ansibleBoolean, expandHostRange, parseAnsibleInventory, splitHostPort } from '../../src/inventory/ansible.js';
import { InventoryError } from '../../src/inventory/errors.js';
import { loadInventory } from '../../src/inventory/source.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const FILE = '/srv/ansible/hosts.yml';
const y = (...lines: string[]) => lines.join('\n') + '\n';

function errorOf(text: string): InventoryError {
  try {
    parseAnsibleInventory(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError);
    return e as InventoryError;
  }
  throw new Error(`expected an InventoryError for:\n${text}`);
}

const pick = (h: { name: string; address: string; port: number; user: string; identityFile: string | null; sudo: string; groups: string[] }) => ({
  name: h.name,
  address: h.address,
  port: h.port,
  user: h.user,
  identityFile: h.identityFile,
  sudo: h.sudo,
  groups: h.groups,
});

describe('Ansible YAML inventory: the production fixture', () => {
  it('resolves every host as ansible would', async () => {
    const inv = await loadInventory(path.join(FIXTURES, 'ansible-prod.yml'));
    expect(inv.format).toBe('ansible');
    const key = path.join(os.homedir(), '.ssh/azure_prod');
    expect(inv.hosts.map(pick)).toEqual([
      // all.hosts: ungrouped; ansible_become: false -> sudo never
      { name: 'bastion.contoso.internal', address: '20.50.1.10', port: 22, user: 'azureuser', identityFile: key, sudo: 'never', groups: ['ungrouped'] },
      // web is a child of all and of prod: prod's ansible_user beats all's; ranges expand; `yes` is true
      { name: 'web01.contoso.internal', address: 'web01.contoso.internal', port: 22, user: 'produser', identityFile: key, sudo: 'always', groups: ['web', 'prod'] },
      { name: 'web02.contoso.internal', address: 'web02.contoso.internal', port: 22, user: 'produser', identityFile: key, sudo: 'always', groups: ['web', 'prod'] },
      { name: 'web03.contoso.internal', address: 'web03.contoso.internal', port: 22, user: 'produser', identityFile: key, sudo: 'always', groups: ['web', 'prod'] },
      // host:port
      { name: 'web04.contoso.internal', address: 'web04.contoso.internal', port: 2222, user: 'produser', identityFile: key, sudo: 'always', groups: ['web', 'prod'] },
      // a host var beats every group var
      { name: 'sql-prod-1', address: '10.0.2.4', port: 22, user: 'dbadmin', identityFile: key, sudo: 'always', groups: ['db', 'prod'] },
      // a quoted port
      { name: 'sql-prod-2', address: '10.0.2.5', port: 2200, user: 'produser', identityFile: key, sudo: 'always', groups: ['db', 'prod'] },
    ]);
    expect(inv.skipped).toEqual([{ name: 'win-app-1', reason: 'ansible_connection: winrm (not SSH)' }]);
    for (const h of inv.hosts) expect(h).toMatchObject({ tags: [], ruleSeverity: {} });
  });

  it('groups without all:, YAML 1.1 merge keys and booleans, ansible_group_priority', async () => {
    const inv = await loadInventory(path.join(FIXTURES, 'ansible-groups.yaml'));
    expect(inv.format).toBe('ansible');
    expect(inv.hosts.map(pick)).toEqual([
      // canary (priority 10) sorts after eu at the same depth: its port wins
      { name: 'eu-app-1', address: '10.1.0.4', port: 2022, user: 'ops', identityFile: null, sudo: 'never', groups: ['eu', 'canary'] },
      { name: 'eu-app-2', address: '10.1.0.5', port: 22, user: 'ops', identityFile: null, sudo: 'always', groups: ['eu'] },
      { name: 'us-app-1', address: '10.2.0.4', port: 2022, user: 'ops', identityFile: null, sudo: 'never', groups: ['us', 'canary'] },
    ]);
  });
});

describe('Ansible YAML inventory: resolution', () => {
  it('the child group wins over its parent, whatever the order in the file', () => {
    const inv = parseAnsibleInventory(
      y(
        'all:',
        '  children:',
        '    app:',
        '      hosts: {a1: }',
        '      vars: {ansible_user: child}',
        '    prod:',
        '      children: {app: }',
        '      vars: {ansible_user: parent, ansible_port: 2200}',
      ),
      FILE,
    );
    expect(inv.hosts.map(pick)).toEqual([{ name: 'a1', address: 'a1', port: 2200, user: 'child', identityFile: null, sudo: 'auto', groups: ['app', 'prod'] }]);
  });

  it('siblings at the same depth: the later name wins (as in ansible)', () => {
    const inv = parseAnsibleInventory(y('b:', '  hosts: {x: }', '  vars: {ansible_user: from_b}', 'a:', '  hosts: {x: }', '  vars: {ansible_user: from_a}'), FILE);
    expect(inv.hosts[0]).toMatchObject({ user: 'from_b', groups: ['b', 'a'] });
  });

  it('a host listed twice keeps its first place and gathers its vars and groups', () => {
    const inv = parseAnsibleInventory(
      y('all:', '  hosts:', '    h1: {ansible_host: 10.0.0.1}', '    h2:', '  children:', '    g:', '      hosts:', '        h1: {ansible_port: 2201}'),
      FILE,
    );
    expect(inv.hosts.map(pick)).toEqual([
      { name: 'h1', address: '10.0.0.1', port: 2201, user: 'root', identityFile: null, sudo: 'auto', groups: ['g'] },
      { name: 'h2', address: 'h2', port: 22, user: 'root', identityFile: null, sudo: 'auto', groups: ['ungrouped'] },
    ]);
  });

  it('legacy variable names, relative key files against the current directory', () => {
    const inv = parseAnsibleInventory(y('all:', '  hosts:', '    h: {ansible_ssh_host: 10.0.0.9, ansible_ssh_port: 2022, ansible_ssh_user: u, ansible_private_key_file: keys/k}'), FILE);
    expect(inv.hosts.map(pick)).toEqual([{ name: 'h', address: '10.0.0.9', port: 2022, user: 'u', identityFile: path.resolve('keys/k'), sudo: 'auto', groups: ['ungrouped'] }]);
  });

  it('an IPv6 host with a port, and bare IPv6 addresses', () => {
    const inv = parseAnsibleInventory(y('all:', '  hosts:', '    "[2001:db8::10]:2222":', '    "2001:db8::11":'), FILE);
    expect(inv.hosts.map((h) => [h.name, h.address, h.port])).toEqual([
      ['2001:db8::10', '2001:db8::10', 2222],
      ['2001:db8::11', '2001:db8::11', 22],
    ]);
  });

  it('skips hosts not reached over SSH and says why', () => {
    const inv = parseAnsibleInventory(y('all:', '  hosts:', '    ctl: {ansible_connection: local}', '    h: {ansible_connection: ssh}'), FILE);
    expect(inv.hosts.map((h) => h.name)).toEqual(['h']);
    expect(inv.skipped).toEqual([{ name: 'ctl', reason: 'ansible_connection: local (not SSH); audit this machine with `vmsnap audit --local`' }]);
  });
});

describe('Ansible YAML inventory: errors are located', () => {
  it.each<[string, string, string]>([
    [
      y('all:', '  children:', '    web:', '      hosts:', '        - web1', '        - web2'),
      `${FILE}:5: all.children.web.hosts: must be a mapping of host names, got a list`,
      "Ansible's YAML format lists hosts as keys",
    ],
    [y('all:', '  children:', '    web:', '      host:', '        web1:'), `${FILE}:4: all.children.web.host: unknown key "host" in group "web" (did you mean "hosts"?)`, ''],
    [
      y('all:', '  vars:', '    ansible_port: twenty-two', '  hosts:', '    h1:'),
      `${FILE}:3: all.vars.ansible_port: must be an integer from 1 to 65535, got "twenty-two"`,
      '',
    ],
    [y('all:', '  hosts:', '    h1:', '      ansible_become: maybe'), `${FILE}:4: all.hosts.h1.ansible_become: must be true or false, got "maybe"`, ''],
    [
      y('all:', '  hosts:', '    h1:', '      ansible_host: "{{ lookup(\'env\', \'IP\') }}"'),
      `${FILE}:4: all.hosts.h1.ansible_host: "{{ lookup('env', 'IP') }}" is a Jinja2 template`,
      '',
    ],
    [y('all:', '  hosts:', '    h1:', '      ansible_host: -oProxyCommand=x'), 'must not start with "-"', ''],
    [y('all:', '  hosts:', '    h1:', '      ansible_user: root@x y'), `${FILE}:4: all.hosts.h1.ansible_user: must not contain whitespace`, ''],
    [y('all:', '  hosts:', '    "web[3:1]":'), `${FILE}:3: all.hosts["web[3:1]"]: host range [3:1] must have begin <= end`, ''],
    [y('all:', '  hosts:', '    "web[01:3]":'), 'must give begin and end with the same number of digits', ''],
    [y('all:', '  hosts:', '    "h:70000":'), 'the port in "h:70000" must be from 1 to 65535', ''],
    [y('a:', '  children: {b: }', 'b:', '  children: {a: }', '  hosts: {h: }'), 'is its own ancestor (children: ', ''],
    [y('all:', '  children:', '    web: [web1]'), `${FILE}:3: all.children.web: group "web" must be a mapping with hosts:, children: or vars:, got a list`, ''],
    [y('all:', '  children:', '    web:'), `${FILE}:1: the inventory has no hosts`, ''],
    [y('- a', '- b'), 'an Ansible YAML inventory must be a mapping of groups', ''],
    [y('all:', '  hosts: {a: 1', ''), 'YAML syntax error', ''],
    [y('all:', '  hosts:', '    a:', '    a:'), 'YAML syntax error', ''],
  ])('%#', (text, first, more) => {
    const e = errorOf(text);
    expect(e.message).toContain(first);
    if (more) expect(e.message).toContain(more);
  });

  it('reports a bad group var once, however many hosts inherit it', () => {
    const e = errorOf(y('all:', '  vars: {ansible_become: perhaps}', '  hosts:', '    h1:', '    h2:', '    h3:'));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ line: 2, field: 'all.vars.ansible_become' });
  });

  it('reports every problem at once, in file order', () => {
    const e = errorOf(y('all:', '  hosts:', '    h1: {ansible_port: 0}', '    h2: {ansible_become: x}', '  chidlren: {}'));
    expect(e.issues.map((i) => i.line)).toEqual([3, 4, 5]);
  });
});

describe('host ranges and addresses', () => {
  it.each<[string, string[]]>([
    ['web', ['web']],
    ['web[1:3]', ['web1', 'web2', 'web3']],
    ['web[01:03].x', ['web01.x', 'web02.x', 'web03.x']],
    ['web[:2]', ['web0', 'web1', 'web2']],
    ['w[0:10:5]', ['w0', 'w5', 'w10']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['r[1:2]c[1:2]', ['r1c1', 'r1c2', 'r2c1', 'r2c2']],
    ['[1:2]', ['1', '2']],
  ])('%s', (p, out) => expect(expandHostRange(p)).toEqual(out));

  it.each<[string, { pattern: string; port: number | null }]>([
    ['web1', { pattern: 'web1', port: null }],
    ['web1:2222', { pattern: 'web1', port: 2222 }],
    ['10.0.0.4:22', { pattern: '10.0.0.4', port: 22 }],
    ['web[01:03]:2222', { pattern: 'web[01:03]', port: 2222 }],
    ['web[01:03]', { pattern: 'web[01:03]', port: null }],
    ['2001:db8::1', { pattern: '2001:db8::1', port: null }],
    ['[2001:db8::1]:22', { pattern: '2001:db8::1', port: 22 }],
  ])('%s', (k, out) => expect(splitHostPort(k)).toEqual(out));

  it.each<[unknown, boolean | null]>([
    [true, true],
    ['yes', true],
    ['True', true],
    ['on', true],
    [1, true],
    [false, false],
    ['no', false],
    ['off', false],
    [0, false],
    ['maybe', null],
    [2, null],
    [null, null],
  ])('ansibleBoolean(%j) = %j', (v, b) => expect(ansibleBoolean(v)).toBe(b));
});
