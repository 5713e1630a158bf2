import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collectorCommand, findFrame, fixerCommand, fixerStdin, runCollector, runFixer } from '../../src/collect/remote-command.js';
import { shellQuote } from '../../src/util/shell-quote.js';
import { LocalSession } from '../../src/local/local-session.js';
import type { RemoteSession } from '../../src/ssh/connector.js';

// The quoting routine is proven against a real shell: whatever the word, sh must hand it back intact.
const nasty = [
  'plain',
  'with space',
  "it's",
  "''",
  '"double"',
  '$(touch /tmp/vmsnap-pwned)',
  '`id`',
  'a\nnewline',
  'tab\there',
  '$HOME ${x} \\ back',
  '; rm -rf / #',
  '*',
  '-n',
  '',
  'ünïcödé ✓',
];

describe('shellQuote', () => {
  it.each(nasty)('sh reads %j back unchanged', (word) => {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(word)}`], { encoding: 'utf8' });
    expect(out).toBe(word);
  });
});

const PARAMS = { maxConfigBytes: 1048576, maxConfigParseBytes: 16777216 };

describe('the command lines', () => {
  it('are constants: the same for every host, sudo only prefixed', () => {
    expect(collectorCommand(false, PARAMS)).toBe(collectorCommand(false, { ...PARAMS }));
    expect(collectorCommand(true, PARAMS)).toBe(`sudo -n -- ${collectorCommand(false, PARAMS)}`);
    expect(fixerCommand(true)).toBe(`sudo -n -- ${fixerCommand(false)}`);
  });

  it('are short words of printable ASCII without ! (csh), far below the kernel limit for one argument', () => {
    for (const c of [collectorCommand(false, PARAMS), fixerCommand(false)]) {
      expect(c.length).toBeLessThan(16 * 1024); // MAX_ARG_STRLEN is 128 KiB; the collector's is ~9.7 KB
      expect(c).toMatch(/^[\x20-\x7e]+$/);
      expect(c).not.toContain('!');
      for (const w of c.split(' ')) expect(w.length).toBeLessThanOrEqual(1002);
    }
  });

  it('take only numbers on the command line', () => {
    expect(() => collectorCommand(false, { 'x"y': 1 })).toThrow(/not a command-line parameter/);
    expect(() => collectorCommand(false, { x: Number.NaN })).toThrow(/not a command-line parameter/);
  });
});

describe('findFrame', () => {
  const frame = (body: string) => `\nVMSNAP-OUTPUT-BEGIN\n${body}\nVMSNAP-OUTPUT-END ${Buffer.byteLength(body)}\n`;
  const find = (text: string) => findFrame(Buffer.from(text))?.toString() ?? null;

  it('finds the body between a banner before it and garbage after it', () => {
    expect(find(`Welcome\n{not json\n${frame('{"a":1}')}later output\n`)).toBe('{"a":1}');
    expect(find(frame('{}'))).toBe('{}');
  });

  it('ignores pieces that do not add up: a missing head, a wrong length, a cut frame, a forged END', () => {
    expect(find('{"a":1}\nVMSNAP-OUTPUT-END 7\n')).toBeNull();
    expect(find('\nVMSNAP-OUTPUT-BEGIN\n{"a":1}\nVMSNAP-OUTPUT-END 8\n')).toBeNull();
    expect(find(frame('{"a":1}').slice(0, -1))).toBeNull();
    expect(find(`VMSNAP-OUTPUT-END 99999999999999\n\nVMSNAP-OUTPUT-END x\n${frame('{"b":2}')}`)).toBe('{"b":2}');
  });

  it('finds a frame that arrives a byte at a time, searching only what is new', () => {
    const all = Buffer.from(`banner ${frame('{"c":3}')}`);
    let found: string | null = null;
    for (let n = 1; n <= all.length && found === null; n++) found = findFrame(all.subarray(0, n), n - 1)?.toString() ?? null;
    expect(found).toBe('{"c":3}');
  });

  it('stays linear on hostile input: a million forged END lines', () => {
    const junk = Buffer.from('\nVMSNAP-OUTPUT-END 5\n'.repeat(1_000_000));
    const t = performance.now();
    expect(findFrame(junk)).toBeNull();
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('running the programs through a real shell', () => {
  const session = (): RemoteSession => new LocalSession(new AbortController().signal);
  // a login shell's rc file ahead of the command, as sshd's `$SHELL -c COMMAND` would run it
  const withRc = (rc: string): RemoteSession => {
    const s = session();
    return { exec: (command, stdin, max, watch) => s.exec(`${rc}\n${command}`, stdin, max, watch), close: () => s.close() };
  };

  it('the collector runs from its command line, its output framed', async () => {
    const r = await runCollector(session(), false, PARAMS);
    expect(r.output, r.result.stderr.toString()).not.toBeNull();
    expect(JSON.parse(r.output!)).toMatchObject({ collectorVersion: 1 });
  });

  it.each([
    ['reads a line of stdin', 'read -r x'],
    ['reads all of stdin', 'cat >/dev/null'],
    ['prints a banner with frame-like lines', 'echo Welcome; echo VMSNAP-OUTPUT-BEGIN; echo "VMSNAP-OUTPUT-END 3"'],
    ['leaves a job holding stdout', '( sleep 10 & )'],
  ])('the collector works when the rc file %s', async (_name, rc) => {
    const t = performance.now();
    const r = await runCollector(withRc(rc), false, PARAMS);
    expect(r.output, r.result.stderr.toString()).not.toBeNull();
    expect(performance.now() - t).toBeLessThan(8000);
  });

  it.each([
    ['reads a line of stdin', 'read -r x'],
    ['reads a few lines', 'read -r a; read -r b; read -r c'],
    ['leaves a job holding stdout', '( sleep 10 & )'],
  ])('the fixer gets its parameters when the rc file %s', async (_name, rc) => {
    let started = false;
    const r = await runFixer(withRc(rc), false, { changes: [] }, () => (started = true));
    expect(started).toBe(true);
    expect(r.output === null ? r.result.stderr.toString() : JSON.parse(r.output)).toEqual({ fixerVersion: 1, results: [] });
  });

  it('the fixer refuses parameters that did not arrive whole', () => {
    // what stdin-params.py reads when something else took the start of stdin
    const cut = fixerStdin({ changes: [{ path: "/etc/azure/it's $(id)\nx" }] }).subarray(5);
    const r = (() => {
      try {
        execFileSync('/bin/sh', ['-c', fixerCommand(false)], { input: cut, stdio: ['pipe', 'pipe', 'pipe'] });
        return null;
      } catch (e) {
        return e as { status: number; stderr: Buffer };
      }
    })();
    expect(r?.status).toBe(3);
    expect(r?.stderr.toString()).toMatch(/^vmsnap: the parameters did not arrive intact/);
  });

  it('hands the fixer VM paths over stdin intact, quotes, newlines and all', async () => {
    // a change the fixer refuses (no such file) still names its path in the answer
    const path = "/nonexistent/it's $(id)\nx ✓";
    const r = await runFixer(session(), false, { changes: [{ path, expect: { dev: 0, ino: 0, uid: 0, gid: 0, mode: 0 }, chown: null, chmod: 0o600, requireSingleLink: true }] });
    expect(r.output, r.result.stderr.toString()).not.toBeNull();
    expect((JSON.parse(r.output!) as { results: { path: string }[] }).results[0]?.path).toBe(path);
  });
});
