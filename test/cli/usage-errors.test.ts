// Bad flags are refused before anything is audited (exit 2, one line naming the flag): no host of
// this inventory is ever connected to (the address is a loopback one nothing listens on).
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run-main.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-usage-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const inv = path.join(dir, 'inv.yaml');
fs.writeFileSync(inv, 'hosts:\n  - {name: vm1, host: 127.77.0.1}\n');
const kh = path.join(dir, 'known_hosts');
fs.writeFileSync(kh, '');

describe('audit: usage errors', () => {
  it.each([
    [['-f', 'json', '-f', 'table'], 'vmsnap: --format was given 2 times; give it once'],
    [['--timeout', '5', '--timeout', '2'], 'vmsnap: --timeout was given 2 times; give it once'],
    [['--timeout', '3000000'], 'vmsnap: --timeout must be at most 2147483, got "3000000"'],
    [['-j', '0x10'], 'vmsnap: --concurrency must be a positive whole number, got "0x10"'],
    [['--timeout', '1e3'], 'vmsnap: --timeout must be a positive number, got "1e3"'],
    [['--retries', '0x2'], 'vmsnap: --retries must be a whole number of at least 0, got "0x2"'],
    [['--workers', '0'], 'vmsnap: --workers must be a whole number of at least 1, got "0"'],
    [['--workers', 'x'], 'vmsnap: --workers must be a whole number of at least 1, got "x"'],
    [['--workers', '1.5'], 'vmsnap: --workers must be a whole number of at least 1, got "1.5"'],
    [['--workers', '2', '--workers', '3'], 'vmsnap: --workers was given 2 times; give it once'],
    [['--rule', 'config-mode', '--skip-rule', 'config-mode'], 'vmsnap: --rule and --skip-rule leave no rule to run (config-mode is given to both)'],
    [['--output', `json=${inv}`], `vmsnap: --output json=${inv}: that is an input of this run; the report would overwrite it`],
  ])('%j', async (args, message) => {
    const r = await run(['audit', '-i', inv, '--known-hosts', kh, ...args]);
    expect([r.code, r.err]).toEqual([2, `${message}\n`]);
    expect(r.out).toBe('');
  });

  it('a --known-hosts file that is not there is named (a typo would make every host unknown)', async () => {
    const missing = path.join(dir, 'knwon_hosts');
    const r = await run(['audit', '-i', inv, '--known-hosts', missing]);
    expect([r.code, r.err]).toEqual([2, `vmsnap: --known-hosts ${missing}: no such file (with --accept-new vmsnap would create it)\n`]);
  });
});

describe('commands and inventories that are not', () => {
  it('an unknown command is named, with a guess', async () => {
    const r = await run(['audti', '-i', inv]);
    expect([r.code, r.err]).toEqual([2, 'vmsnap: unknown command "audti" (did you mean "audit"?); the commands are audit, inventory, merge, report, keyscan, rules, schema, demo, completion\nRun `vmsnap --help` for usage.\n']);
  });

  it('a binary inventory is called binary, not quoted', async () => {
    const bin = path.join(dir, 'bin.yaml');
    fs.writeFileSync(bin, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff, 0xfe]));
    const r = await run(['inventory', '-i', bin]);
    expect([r.code, r.err]).toEqual([2, `vmsnap: ${bin}: not a text file (binary data, or not UTF-8): an inventory is YAML or JSON text\n`]);
  });

  it('two YAML documents: in words for the file\'s author', async () => {
    const two = path.join(dir, 'two.yaml');
    fs.writeFileSync(two, 'hosts: []\n---\nhosts: []\n');
    const r = await run(['inventory', '-i', two]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the file holds more than one YAML document (a "---" line between them); keep one');
  });
});
