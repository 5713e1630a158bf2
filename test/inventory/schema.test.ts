import { describe, expect, it } from 'vitest';
import {
  CONNECTION_FIELDS,
  DEFAULTS_KEYS,
  describeValue,
  GROUP_KEYS,
  HOST_KEYS,
  HostSchema,
  InventorySchema,
  KEY_SYNONYMS,
  ROOT_KEYS,
  RULE_SEVERITY_VALUES,
} from '../../src/inventory/schema.js';

describe('inventory schema', () => {
  it('allows exactly the documented keys', () => {
    expect(ROOT_KEYS).toEqual(['defaults', 'groups', 'hosts']);
    expect(DEFAULTS_KEYS).toEqual(['user', 'port', 'identityFile', 'sudo', 'jump']);
    expect(GROUP_KEYS).toEqual(['hosts', 'user', 'port', 'identityFile', 'sudo', 'jump', 'rules']);
    expect(HOST_KEYS).toEqual(['name', 'host', 'user', 'port', 'identityFile', 'sudo', 'jump', 'tags', 'groups']);
    for (const f of CONNECTION_FIELDS) for (const keys of [DEFAULTS_KEYS, GROUP_KEYS, HOST_KEYS]) expect(keys).toContain(f);
    expect(RULE_SEVERITY_VALUES).toEqual(['off', 'error', 'warning', 'info']);
  });

  it('maps every synonym to a real key', () => {
    const all = new Set([...ROOT_KEYS, ...GROUP_KEYS, ...HOST_KEYS]);
    for (const target of Object.values(KEY_SYNONYMS)) expect(all).toContain(target);
  });

  it('is strict', () => {
    expect(HostSchema.safeParse({ name: 'a', host: 'b', prot: 22 }).success).toBe(false);
    expect(InventorySchema.safeParse({ hosts: [{ name: 'a', host: 'b' }], extra: 1 }).success).toBe(false);
    expect(InventorySchema.safeParse({ hosts: [{ name: 'a', host: 'b' }] }).success).toBe(true);
  });

  it.each([
    [{ name: 'a', host: 'b', port: 1 }, true],
    [{ name: 'a', host: 'b', port: 65535 }, true],
    [{ name: 'a', host: 'b', port: 0 }, false],
    [{ name: 'a', host: 'b', port: 65536 }, false],
    [{ name: 'a', host: 'b', port: 2.5 }, false],
    [{ name: 'a', host: 'b', sudo: 'never' }, true],
    [{ name: 'a', host: 'b', sudo: 'sometimes' }, false],
    [{ name: 'a', host: 'b', identityFile: null }, true],
    [{ name: 'a', host: 'b', identityFile: '~alice/k' }, false],
    [{ name: 'a', host: '-b' }, false],
    [{ name: 'a', host: 'b c' }, false],
    [{ name: 'a\u0085', host: 'b' }, false],
    [{ name: 'a b', host: 'b' }, true],
    [{ name: 'a', host: 'fe80::1%eth0' }, true],
  ])('host %j valid: %s', (host, ok) => {
    expect(HostSchema.safeParse(host).success).toBe(ok);
  });
});

describe('describeValue', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'an empty value'],
    ['x', '"x"'],
    [22, '22'],
    [false, 'false'],
    [[1], 'a list'],
    [{ a: 1 }, 'a mapping'],
    ['y'.repeat(100), `"${'y'.repeat(57)}..."`],
  ])('%j → %s', (v, expected) => {
    expect(describeValue(v)).toBe(expected);
  });
});
