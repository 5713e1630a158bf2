// One error model: every error class in src/ is a VmsnapError with a stable code; bad input of any
// kind is an InputError (exit 2); every exit code comes from the one EXIT table, which the README lists.
import * as fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.js';
import { main } from '../src/cli/main.js';
import { InputError, UsageError, VmsnapError, isInputError } from '../src/errors.js';
import { InventoryError } from '../src/inventory/errors.js';
import { PreviousReportError } from '../src/baseline/load.js';
import { JsonlReportError } from '../src/report/jsonl.js';
import { SelectionError } from '../src/select/pattern.js';
import { parseShard } from '../src/select/shard.js';
import { SshConfigError } from '../src/ssh/ssh-config.js';
import { SshError } from '../src/ssh/connection.js';
import { IdentityError } from '../src/ssh/identities.js';
import { ReadBoundedError } from '../src/util/read-bounded.js';
import { WaiverError } from '../src/waivers/load.js';
import { CollectorOutputError } from '../src/collect/parse-output.js';
import { memoryIo } from './cli/run-main.js';

const REPO = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

describe('errors', () => {
  it('no class in src/ extends Error but VmsnapError itself', () => {
    const offenders = sources(path.join(REPO, 'src')).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/class (\w+) extends (Error|TypeError|RangeError)\b/g)].map((m) => `${path.relative(REPO, f)}: ${m[1]}`),
    );
    expect(offenders).toEqual(['src/errors.ts: VmsnapError']);
  });

  it('nothing in src/ throws a bare Error: every error has a code (the HTML page\'s own script aside)', () => {
    const bare = sources(path.join(REPO, 'src'))
      .filter((f) => !f.endsWith('html-client.ts'))
      .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').map((l, i) => [f, i + 1, l] as const))
      .filter(([, , l]) => /\bnew (Error|TypeError|RangeError)\(/.test(l))
      .map(([f, n]) => `${path.relative(REPO, f)}:${n}`);
    expect(bare).toEqual([]);
  });

  it('each error carries its stable code, and input errors are InputErrors', () => {
    const input: [InputError, string][] = [
      [new UsageError('x'), 'USAGE'],
      [new InventoryError('inv.yaml', { line: 3, column: 1, field: 'hosts', message: 'bad' }), 'INVENTORY_INVALID'],
      [new WaiverError('w.yaml', [{ line: 2, column: 1, field: null, message: 'bad' }]), 'WAIVERS_INVALID'],
      [new PreviousReportError('bad'), 'PREVIOUS_REPORT_INVALID'],
      [new JsonlReportError('bad', 4), 'REPORT_INVALID'],
      [new SelectionError('bad'), 'LIMIT'],
      [new SshConfigError('bad'), 'SSH_CONFIG_INVALID'],
      [new ReadBoundedError('FILE_TOO_LARGE', 'big', 'f'), 'FILE_TOO_LARGE'],
    ];
    for (const [e, code] of input) {
      expect(e, code).toBeInstanceOf(VmsnapError);
      expect(isInputError(e), code).toBe(true);
      expect(e.code).toBe(code);
      expect(e.name).toBe(e.constructor.name);
    }
    // one host's failures are VmsnapErrors but not input errors: they become that host's result
    for (const e of [new SshError('timeout', 'DEADLINE', 'late'), new IdentityError('IDENTITY_INVALID', 'no key'), new CollectorOutputError('garbage')]) {
      expect(e).toBeInstanceOf(VmsnapError);
      expect(isInputError(e)).toBe(false);
    }
  });

  it('says what it is about: file, line, flag', () => {
    expect(new InventoryError('inv.yaml', { line: 3, column: 7, field: 'hosts[0].port', message: 'bad' })).toMatchObject({ file: 'inv.yaml', line: 3, column: 7, flag: null, host: null });
    expect(new WaiverError('w.yaml', [{ line: 2, column: 1, field: null, message: 'bad' }])).toMatchObject({ file: 'w.yaml', line: 2, flag: 'waivers' });
    let shard: unknown;
    try {
      parseShard('0/4');
    } catch (e) {
      shard = e;
    }
    expect(shard).toMatchObject({ code: 'SHARD', flag: 'shard' });
    expect(new JsonlReportError('bad', 4).line).toBe(4);
  });

  it('the CLI exits 2 for any InputError, with its message and no stack', async () => {
    const io = memoryIo();
    const code = await main(['audit', '-i', '/nonexistent/inventory.yaml'], io);
    expect(code).toBe(EXIT.usage);
    expect(io.err()).toMatch(/^vmsnap: \/nonexistent\/inventory\.yaml: /);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});

describe('exit codes', () => {
  it('bin/vmsnap exits only with codes of the EXIT table', () => {
    const bin = fs.readFileSync(path.join(REPO, 'bin', 'vmsnap'), 'utf8');
    const code = bin.split('\n').filter((l) => !l.trimStart().startsWith('//')).join('\n');
    expect(code).not.toMatch(/process\.exit\(\s*\d/);
    expect(code).not.toMatch(/\b(70|74|130|143)\b/);
  });

  it('the README lists every code of the EXIT table, and no other', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Exit codes'), readme.indexOf('\n#', readme.indexOf('### Exit codes') + 5));
    const listed = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(listed).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});
