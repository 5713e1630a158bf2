import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OUTPUT_MARKER, programOutput, remotePythonCommand, remoteStdin, shellQuote } from '../../src/collect/remote-command.js';

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

describe('remotePythonCommand', () => {
  it('is a constant: the same for every host, with no VM data in it', () => {
    expect(remotePythonCommand(false)).toBe(remotePythonCommand(false));
    expect(remotePythonCommand(true)).toBe(`sudo -n -- ${remotePythonCommand(false)}`);
  });

  it('runs a program from stdin with its parameters, through a real shell', () => {
    const program = 'import sys\nsys.stdout.write(json.dumps({"got": P["path"]}))\n';
    const params = { path: "/etc/azure/it's $(id)\nx" };
    const out = execFileSync('/bin/sh', ['-c', remotePythonCommand(false)], { input: remoteStdin(params, program), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ got: params.path });
  });
});

describe('programOutput', () => {
  it('is what follows the last marker line: a login banner before it is dropped', () => {
    expect(programOutput(`Welcome\n{not json\n${OUTPUT_MARKER}\n{"a":1}`)).toBe('{"a":1}');
    expect(programOutput(`\n${OUTPUT_MARKER}\n{"a":"x"}`)).toBe('{"a":"x"}');
    expect(programOutput('{"no":"marker"}')).toBe('{"no":"marker"}');
  });
});
