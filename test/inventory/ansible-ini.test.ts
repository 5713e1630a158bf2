import { describe, expect, it } from 'vitest';
import { iniValue, parseAnsibleIni, shlexSplit } from '../../src/inventory/ansible-ini.js';

const ini = (...lines: string[]) => lines.join('\n') + '\n';
const hosts = (text: string) => parseAnsibleIni(text, 'hosts').hosts.map((h) => ({ name: h.name, address: h.address, port: h.port, user: h.user, sudo: h.sudo, groups: h.groups }));

describe('shlexSplit (POSIX shlex, comments on)', () => {
  it.each<[string, string[]]>([
    ['a b=c', ['a', 'b=c']],
    [`a u='admin x' v="q \\" r"`, ['a', 'u=admin x', 'v=q " r']],
    ['a b=c # comment', ['a', 'b=c']],
    ['a b=c#glued', ['a', 'b=c']],
    ['a b=\\#x', ['a', 'b=#x']],
    [`a e=''`, ['a', 'e=']],
  ])('%s', (line, tokens) => expect(shlexSplit(line)).toEqual(tokens));
  it('says when a quote is not closed', () => expect(() => shlexSplit("a b='x")).toThrow('No closing quotation'));
});

describe('iniValue (what ast.literal_eval keeps)', () => {
  it.each<[string, unknown]>([
    ['2222', 2222],
    ['1_000', 1000],
    ['0x10', 16],
    ['0123', '0123'],
    ['2.5', 2.5],
    ['True', true],
    ['true', 'true'],
    ['None', null],
    ["'quoted'", 'quoted'],
    ['"a\\tb"', 'a\tb'],
    ['10.0.0.4', '10.0.0.4'],
    ['admin # not a comment', 'admin # not a comment'],
  ])('%s', (v, out) => expect(iniValue(v)).toEqual(out));
});

describe('parseAnsibleIni', () => {
  it('ungrouped hosts, ranges, host:port and vars at every level, host vars winning', () => {
    expect(
      hosts(ini('bastion ansible_host=10.0.0.4', '[web]', 'web[1:2] ansible_port=2222', 'web3:2200', '[web:vars]', 'ansible_user=webadmin', 'ansible_become=yes', '[all:vars]', 'ansible_user=root')),
    ).toEqual([
      { name: 'bastion', address: '10.0.0.4', port: 22, user: 'root', sudo: 'auto', groups: ['ungrouped'] },
      { name: 'web1', address: 'web1', port: 2222, user: 'webadmin', sudo: 'always', groups: ['web'] },
      { name: 'web2', address: 'web2', port: 2222, user: 'webadmin', sudo: 'always', groups: ['web'] },
      { name: 'web3', address: 'web3', port: 2200, user: 'webadmin', sudo: 'always', groups: ['web'] },
    ]);
  });

  it('a child group declared after the section that names it; ansible_group_priority orders siblings', () => {
    const got = hosts(ini('[prod:children]', 'a', 'b', '[a]', 'h', '[b]', 'h', '[a:vars]', 'ansible_user=ua', 'ansible_group_priority=9', '[b:vars]', 'ansible_user=ub'));
    expect(got).toEqual([{ name: 'h', address: 'h', port: 22, user: 'ua', sudo: 'auto', groups: ['prod', 'a', 'b'] }]);
  });

  it('a host listed in a group is not in ungrouped, wherever else it appears', () => {
    expect(hosts(ini('h', '[web]', 'h')).map((h) => h.groups)).toEqual([['web']]);
  });

  it('names the file and line of every problem at once', () => {
    const text = ini('[web]', 'web1 ansible_port', '[web:bogus]', 'x', '[nowhere:vars]', 'a=1', '[p:children]', 'missing', '[bad section]', '[z]', "h u='x");
    let message = '';
    try {
      parseAnsibleIni(text, 'hosts');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'hosts:2: web1: expected key=value host variable assignment, got: ansible_port',
      'hosts:3: section [web:bogus] has an unknown type: bogus (a section is [name], [name:vars] or [name:children])',
      'hosts:5: section [nowhere:vars] is not valid for an undefined group: nowhere (declare it with [nowhere] or as a child)',
      'hosts:8: section [p:children] includes an undefined group: missing',
      'hosts:9: invalid section entry "[bad section]": a section name has no spaces or other invalid characters',
      `hosts:11: cannot parse the host line "h u='x": No closing quotation`,
    ].sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1])));
  });

  it('templates and bad ports are errors naming the variable', () => {
    expect(() => parseAnsibleIni(ini('[web]', 'h ansible_port=99999', '[web:vars]', 'ansible_user={{ user }}'), 'hosts')).toThrow(/hosts:2: h ansible_port: .*\nhosts:4: \[web:vars\] ansible_user: .*Jinja2 template/);
  });
});
