import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { detectFormat, loadInventory, parseInventorySource } from '../../src/inventory/source.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, 'fixtures');
const ROOT = path.resolve(HERE, '../..');
const y = (...lines: string[]) => lines.join('\n') + '\n';

describe('detectFormat', () => {
  it.each<[string, string, string]>([
    ['vmsnap: hosts list', y('hosts:', '  - name: a', '    host: 10.0.0.1'), 'vmsnap'],
    ['vmsnap: defaults and a misspelt hosts', y('defaults: {user: a}', 'hsots: []'), 'vmsnap'],
    ['vmsnap: groups only', y('groups:', '  web: {hosts: [a]}'), 'vmsnap'],
    ['vmsnap: empty', '', 'vmsnap'],
    ['vmsnap: broken YAML', 'hosts: [a', 'vmsnap'],
    ['ansible-ini: one bare host name (as Ansible reads it)', 'hello', 'ansible-ini'],
    ['ansible-ini: a section', y('[web]', 'web1 ansible_host=10.0.0.4'), 'ansible-ini'],
    ['ansible-ini: children after a comment', y('# comment', '[prod:children]', 'web'), 'ansible-ini'],
    ['ansible-ini: host lines before any section', y('; hosts', 'bastion ansible_host=10.0.0.4 # jump', 'db1'), 'ansible-ini'],
    ['ansible-json: ansible-inventory --list', '{"_meta": {"hostvars": {}}, "all": {"children": ["ungrouped"]}}', 'ansible-json'],
    ['ansible-json: a script\'s groups as lists', '{"web": ["a", "b"], "db": {"hosts": ["c"]}}', 'ansible-json'],
    ['ansible: YAML in JSON syntax', '{"all": {"hosts": {"a": null}}}', 'ansible'],
    ['ansible: all', y('all:', '  hosts:', '    a:'), 'ansible'],
    ['ansible: empty all', y('all:'), 'ansible'],
    ['ansible: groups', y('web:', '  hosts:', '    a:'), 'ansible'],
    ['ansible: children only', y('prod:', '  children:', '    web:'), 'ansible'],
    ['ansible: a group called hosts', y('hosts:', '  hosts:', '    a:'), 'ansible'],
    ['az: JSON', '[{"name": "a", "resourceGroup": "rg"}]', 'az'],
    ['az: empty JSON list', '[]', 'az'],
    ['az: broken JSON', '[{"name": "a",', 'az'],
    ['az: YAML list', y('- name: a', '  resourceGroup: rg'), 'az'],
  ])('%s', (_, text, format) => expect(detectFormat(text)).toEqual({ format }));

  it.each<[string, string, RegExp]>([
    ['another JSON list', '[{"host": "a"}]', /entries have no resourceGroup/],
  ])('%s is refused', (_, text, message) => {
    const d = detectFormat(text);
    expect('error' in d && d.error).toMatch(message);
  });
});

describe('loadInventory', () => {
  it('reads the example inventory exactly as the vmsnap loader does', async () => {
    const file = path.join(ROOT, 'inventory.example.yaml');
    const inv = await loadInventory(file);
    const { readFile } = await import('node:fs/promises');
    expect(inv).toEqual({ ...parseInventory(await readFile(file, 'utf8'), file), format: 'vmsnap' });
  });

  it('keeps the vmsnap loader\'s messages', () => {
    expect(() => parseInventorySource(y('hosts:', '  - name: a', '    host: 10.0.0.1', '    prot: 22'), 'inv.yaml')).toThrow(
      'inv.yaml:4: hosts[0].prot: unknown field "prot" (did you mean "port"?)',
    );
  });

  it('--inventory-format overrides detection', () => {
    // an Ansible-looking file read as vmsnap gets vmsnap's errors
    expect(() => parseInventorySource(y('all:', '  hosts:', '    a:'), 'x.yml', { format: 'vmsnap' })).toThrow(/unknown field "all"/);
    expect(parseInventorySource(y('web:', '  hosts:', '    a:'), 'x.yml', { format: 'ansible' }).hosts.map((h) => h.name)).toEqual(['a']);
    expect(() => parseInventorySource(y('hosts:', '  - a'), 'x.yml', { format: 'az' })).toThrow(/expected the list `az vm list -d -o json` prints/);
  });

  it('--az-address and --az-user only go with az inventories', () => {
    expect(() => parseInventorySource(y('all:', '  hosts:', '    a:'), 'x.yml', { azAddress: 'public' })).toThrow(
      'x.yml: --az-address applies to `az vm list` inventories; this is an Ansible inventory',
    );
    expect(() => parseInventorySource(y('hosts:', '  - {name: a, host: b}'), 'x.yml', { azUser: 'u' })).toThrow('--az-user applies to `az vm list` inventories; this is a vmsnap inventory');
  });

  it('an unreadable file', async () => {
    await expect(loadInventory('/nonexistent/inv.yaml')).rejects.toThrow('/nonexistent/inv.yaml: cannot read inventory file: no such file');
  });

  it('an INI inventory', async () => {
    const inv = await loadInventory(path.join(FIXTURES, 'ansible-hosts.ini'));
    expect(inv.format).toBe('ansible-ini');
    expect(inv.hosts.length).toBeGreaterThan(0);
  });
});
