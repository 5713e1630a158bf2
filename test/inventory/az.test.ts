import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAzVmList } from '../../src/inventory/az.js';
import { InventoryError } from '../../src/inventory/errors.js';
import { loadInventory } from '../../src/inventory/source.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const FILE = '/srv/az/vms.json';

function errorOf(text: string, opts = {}): InventoryError {
  try {
    parseAzVmList(text, FILE, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError);
    return e as InventoryError;
  }
  throw new Error(`expected an InventoryError for:\n${text}`);
}

const vm = (o: Record<string, unknown>) => ({ name: 'vm1', resourceGroup: 'rg', powerState: 'VM running', privateIps: '10.0.0.4', publicIps: '', tags: {}, ...o });
const list = (...vms: Record<string, unknown>[]) => JSON.stringify(vms, null, 2);

describe('az vm list -d -o json', () => {
  it('reads the fixture: names, private addresses, groups, tags, power state, Windows skipped', async () => {
    const inv = await loadInventory(path.join(FIXTURES, 'az-vm-list.json'));
    expect(inv.format).toBe('az');
    expect(inv.hosts).toEqual([
      {
        // two VMs are called web-prod-1: both are qualified with their resource group
        name: 'rg-web-prod/web-prod-1',
        address: '10.0.1.4',
        port: 22,
        user: 'root',
        identityFile: null,
        sudo: 'auto',
        tags: ['env=prod', 'role=web', 'backup=app-consistent'],
        groups: ['rg-web-prod'],
        ruleSeverity: {},
      },
      // the first of two private addresses
      { name: 'sql-prod-1', address: '10.0.2.4', port: 22, user: 'root', identityFile: null, sudo: 'auto', tags: ['env=prod', 'role=db'], groups: ['rg-db-prod'], ruleSeverity: {} },
      {
        name: 'lab-1',
        address: '',
        port: 22,
        user: 'root',
        identityFile: null,
        sudo: 'auto',
        tags: [],
        groups: ['rg-lab'],
        ruleSeverity: {},
        unavailable: { status: 'unreachable', code: 'NO_ADDRESS', message: 'az vm list shows no private IP address for this VM (VM deallocated)' },
        notes: ['VM deallocated', 'no private IP address'],
      },
      {
        name: 'rg-web-staging/web-prod-1',
        address: '10.8.1.4',
        port: 22,
        user: 'root',
        identityFile: null,
        sudo: 'auto',
        tags: ['env=staging', 'role=web', 'owner='],
        groups: ['rg-web-staging'],
        ruleSeverity: {},
        notes: ['VM stopped'],
      },
    ]);
    expect(inv.skipped).toEqual([{ name: 'iis-1', reason: 'a Windows VM' }]);
  });

  it('--az-address public, --az-user', async () => {
    const inv = await loadInventory(path.join(FIXTURES, 'az-vm-list.json'), { azAddress: 'public', azUser: 'azureuser' });
    expect(inv.hosts.map((h) => [h.name, h.address, h.user, h.unavailable?.code ?? null])).toEqual([
      ['rg-web-prod/web-prod-1', '20.61.10.4', 'azureuser', null],
      ['sql-prod-1', '', 'azureuser', 'NO_ADDRESS'],
      ['lab-1', '', 'azureuser', 'NO_ADDRESS'],
      ['rg-web-staging/web-prod-1', '', 'azureuser', 'NO_ADDRESS'],
    ]);
    expect(inv.hosts[1]!.unavailable!.message).toBe('az vm list shows no public IP address for this VM; from inside its network, use --az-address private');
  });

  it('reads `-o yaml` output too', async () => {
    const inv = await loadInventory(path.join(FIXTURES, 'az-vm-list.yaml'));
    expect(inv.format).toBe('az');
    expect(inv.hosts.map((h) => [h.name, h.address, h.groups, h.tags])).toEqual([['app-1', '10.3.0.4', ['rg-app'], ['env=dev']]]);
  });

  it('privateIps as a list (some az versions)', () => {
    const inv = parseAzVmList(list(vm({ privateIps: ['10.0.0.7', '10.0.0.8'] })), FILE);
    expect(inv.hosts[0]!.address).toBe('10.0.0.7');
  });


  it('errors name the line and the field', () => {
    const text = list(vm({}), vm({ name: 'vm2', resourceGroup: null }), vm({ name: 'vm3', tags: ['a'] }), vm({ name: 'vm4', privateIps: '-oProxyCommand=x' }), vm({ name: 'vm5', privateIps: 4 }));
    const e = errorOf(text);
    const lines = text.split('\n');
    const lineOf = (needle: string, after = 0) => lines.findIndex((l, i) => i >= after && l.includes(needle)) + 1;
    expect(e.message.split('\n')).toEqual([
      `${FILE}:${lineOf('"resourceGroup": null')}: [1].resourceGroup: must be the VM's resource group, got an empty value`,
      `${FILE}:${lineOf('"tags": [')}: [2].tags: must be a mapping of tag names to values, got a list`,
      `${FILE}:${lineOf('-oProxyCommand')}: [3].privateIps: must not start with "-" (it would be read as an option), got "-oProxyCommand=x"`,
      `${FILE}:${lineOf('"privateIps": 4')}: [4].privateIps: must be a comma-separated list of IP addresses, got 4`,
    ]);
  });

  it('output without -d', () => {
    expect(errorOf(JSON.stringify([{ name: 'a', resourceGroup: 'rg', tags: {} }])).message).toContain('without --show-details');
  });

  it('a VM listed twice', () => {
    const text = list(vm({}), vm({}));
    expect(errorOf(text).message).toMatch(/:\d+: \[1\]\.name: VM "rg\/vm1" is listed twice \(first at line 2\)/);
  });

  it('a JSON syntax error names its line', () => {
    expect(errorOf('[\n  {"name": "a",\n   "resourceGroup": "rg",,\n  }\n]').message).toMatch(new RegExp(`^${FILE}:3: JSON syntax error: `));
  });

  it('an empty list, only Windows VMs, a bad --az-user', () => {
    expect(errorOf('[]').message).toContain('the VM list is empty');
    expect(errorOf(list(vm({ storageProfile: { osDisk: { osType: 'Windows' } } }))).message).toContain('the list has no Linux VMs (1 Windows VMs skipped)');
    expect(errorOf(list(vm({})), { user: 'a b' }).message).toBe(`${FILE}: --az-user: must not contain whitespace, got "a b"`);
  });
});
