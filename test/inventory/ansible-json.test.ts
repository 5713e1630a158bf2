import { describe, expect, it } from 'vitest';
import { parseAnsibleJson } from '../../src/inventory/ansible-json.js';

const parse = (data: unknown) => parseAnsibleJson(JSON.stringify(data, null, 2), 'list.json');

describe('parseAnsibleJson (ansible-inventory --list, dynamic inventory scripts)', () => {
  it('reads groups, children and _meta.hostvars; host vars win over group vars', () => {
    const inv = parse({
      _meta: { hostvars: { a: { ansible_host: '10.0.0.1', ansible_user: 'mine' }, b: { ansible_port: 2222 }, ghost: { ansible_host: 'x' } } },
      all: { children: ['ungrouped', 'prod'] },
      prod: { children: ['web'], vars: { ansible_user: 'ops', ansible_become: true } },
      web: { hosts: ['a', 'b'] },
      ungrouped: { hosts: [] },
    });
    expect(inv.format).toBe('ansible-json');
    expect(inv.hosts.map((h) => [h.name, h.address, h.port, h.user, h.sudo, h.groups])).toEqual([
      ['a', '10.0.0.1', 22, 'mine', 'always', ['prod', 'web']],
      ['b', 'b', 2222, 'ops', 'always', ['prod', 'web']],
    ]);
  });

  it("a script's group as a plain list of hosts", () => {
    expect(parse({ db: ['db1', 'db2'], web: { hosts: ['w1'] } }).hosts.map((h) => [h.name, h.groups])).toEqual([['db1', ['db']], ['db2', ['db']], ['w1', ['web']]]);
  });

  it('bad data is an error naming the field', () => {
    expect(() => parse({ web: { hosts: 'a' } })).toThrow(/list\.json:\d+: web\.hosts: must be a list of host names, got/);
    expect(() => parse({ web: { hosts: ['a'] }, _meta: { hostvars: { a: 5 } } })).toThrow(/_meta\.hostvars\.a: must be an object of variables/);
  });
});
