import { describe, expect, it } from 'vitest';
import { InventoryError, parseInventory } from '../../src/inventory/load.js';

const inv = (text: string) => parseInventory(text, 'inv.yaml');

describe('jump and explicit connection fields', () => {
  const text = [
    'defaults:',
    '  port: 22',
    'groups:',
    '  dmz:',
    '    hosts: [a]',
    '    jump: ops@bastion.example:2222',
    'hosts:',
    '  - name: a',
    '    host: 10.0.0.1',
    '  - name: b',
    '    host: 10.0.0.2',
    '    user: azureuser',
    '    jump: none',
    '  - name: c',
    '    host: 10.0.0.3',
  ].join('\n');

  it('resolves jump from the host, its groups or nothing', () => {
    expect(inv(text).hosts.map((h) => [h.name, h.jump])).toEqual([
      ['a', 'ops@bastion.example:2222'],
      ['b', 'none'],
      ['c', null],
    ]);
  });

  it('says which of user and port the inventory set, so ssh_config can fill the rest', () => {
    expect(inv(text).hosts.map((h) => [h.name, h.explicit])).toEqual([
      ['a', { user: false, port: true }],
      ['b', { user: true, port: true }],
      ['c', { user: false, port: true }],
    ]);
    const bare = inv('hosts:\n  - name: x\n    host: 10.0.0.9\n');
    expect(bare.hosts[0]).toMatchObject({ user: 'root', port: 22, explicit: { user: false, port: false } });
  });

  it.each([
    ['whitespace', 'a b'],
    ['an option', '-oProxyCommand=x'],
    ['empty', "''"],
  ])('rejects a jump with %s, naming the line and field', (_what, value) => {
    const text2 = `hosts:\n  - name: x\n    host: 10.0.0.9\n    jump: ${value}\n`;
    expect(() => inv(text2)).toThrow(InventoryError);
    expect(() => inv(text2)).toThrow(/inv\.yaml:4: hosts\[0\]\.jump/);
  });
});
