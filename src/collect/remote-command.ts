// How vmsnap's programs (collector.py, fixer.py) run on a VM, and how their output is found.
//
// The program travels in the command line, compressed: sshd runs every command through the user's
// login shell, whose rc files run first and may read stdin (`read -r x` in .bashrc), so stdin is
// no place for the program. The command line is built only from vmsnap's own program text and
// client-side numbers, so nothing read from a VM (paths, names, file content) ever reaches it;
// parameters that hold VM data (the fixer's paths) travel over stdin, written only once the program
// says it runs. The output is framed, and read until the frame is complete, not until EOF: the rc
// files may print a banner before it and leave a background job holding the channel open after it.
import { readFileSync } from 'node:fs';
import { firstBeside } from '../util/beside-module.js';
import { deflateSync } from 'node:zlib';
import type { ExecResult, StdoutWatch } from '../ssh/connection.js';
import type { RemoteSession } from '../ssh/connector.js';
import { shellQuote } from '../util/shell-quote.js';
import { InternalError } from '../errors.js';


// Finds a Python the way the extension's own VMs have one, then runs the bootstrap given as $0 with
// the program's pieces as its arguments.
// `-E -S`: ignore PYTHON* variables and skip site imports (faster, and no user site on the path).
const FIND_PYTHON =
  'for p in python3 /usr/libexec/platform-python python2 python; do ' +
  'if command -v "$p" >/dev/null 2>&1; then exec "$p" -E -S -c "$0" "$@"; fi; done; ' +
  'echo "vmsnap: no python interpreter found (the VMSnapshotLinux extension needs one too)" >&2; exit 127';

// Joins its arguments (base64 of the zlib-compressed program) and runs what they hold.
const BOOTSTRAP = 'import sys,zlib,binascii;exec(zlib.decompress(binascii.a2b_base64("".join(sys.argv[1:]))))';

// Words of the base64 text: short enough for any shell's word length limit (old csh: 1024).
const WORD = 1000;

export const NO_PYTHON_MARKER = 'vmsnap: no python interpreter found';
/** What stdin-params.py says on stderr when the parameters were not all there. */
export const PARAMS_LOST_MARKER = 'vmsnap: the parameters did not arrive intact';

// The frame around a program's output: BEGIN line, the JSON (ASCII), END line with the JSON's length.
const FRAME_HEAD = Buffer.from('VMSNAP-OUTPUT-BEGIN\n');
const FRAME_TAIL = Buffer.from('\nVMSNAP-OUTPUT-END ');
const TAIL_MAX = FRAME_TAIL.length + 10 + 1; // up to 10 digits, then \n
const READY = Buffer.from('\nVMSNAP-READY\n');
// Blank lines written at once for the fixer: an rc file's `read` gets one instead of blocking forever.
const STDIN_PADDING = Buffer.from('\n'.repeat(16));

/**
 * The most stdout a program run may produce, banner included (the collector's JSON: a 1 MiB config
 * in base64 plus facts). The same for the collector and the fixer: a login banner must not make a
 * fix "unknown" that an audit got through.
 */
export const MAX_PROGRAM_OUTPUT = 8 * 1024 * 1024;

const programCache = new Map<string, string>();

/**
 * A Python file shipped beside this module (copied next to the compiled JS by the build); from the
 * CLI's bundle in dist/src/cli, the same file in ../collect.
 */
export function loadProgram(name: 'collector.py' | 'fixer.py' | 'stdin-params.py'): string {
  let text = programCache.get(name);
  if (text === undefined) {
    text = readFileSync(firstBeside(import.meta.url, [`./${name}`]) ?? new URL(`../collect/${name}`, import.meta.url), 'utf8');
    programCache.set(name, text);
  }
  return text;
}

/**
 * Parameters that may travel on the command line: numbers only, so no string from a VM can be one.
 * (Numbers from a JSON.stringify are valid Python literals.)
 */
export type CommandLineParams = Readonly<Record<string, number>>;

function pythonLiteral(params: CommandLineParams): string {
  for (const [k, v] of Object.entries(params)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || !Number.isFinite(v)) throw new InternalError(`not a command-line parameter: ${k}=${v}`);
  }
  return JSON.stringify(params);
}

const commandCache = new Map<string, string>();

function commandFor(prelude: string, program: 'collector.py' | 'fixer.py', useSudo: boolean): string {
  const key = `${useSudo}\0${prelude}\0${program}`;
  let command = commandCache.get(key);
  if (command === undefined) {
    const b64 = deflateSync(Buffer.from(`${prelude}\n${loadProgram(program)}`), { level: 9 }).toString('base64');
    const words: string[] = [];
    for (let i = 0; i < b64.length; i += WORD) words.push(b64.slice(i, i + WORD));
    const run = ['/bin/sh', '-c', shellQuote(FIND_PYTHON), shellQuote(BOOTSTRAP), ...words.map(shellQuote)].join(' ');
    command = useSudo ? `sudo -n -- ${run}` : run;
    commandCache.set(key, command);
  }
  return command;
}

/** The collector's command line, as root directly or through `sudo -n`; a constant for a run. */
export function collectorCommand(useSudo: boolean, params: CommandLineParams): string {
  return commandFor(`P = ${pythonLiteral(params)}`, 'collector.py', useSudo);
}

/** The fixer's command line: a constant; its parameters come over stdin (fixerStdin). */
export function fixerCommand(useSudo: boolean): string {
  return commandFor(loadProgram('stdin-params.py'), 'fixer.py', useSudo);
}

/** The fixer's parameters as stdin-params.py reads them: framed, so a missing piece is noticed. */
export function fixerStdin(params: Record<string, unknown>): Buffer {
  const json = Buffer.from(JSON.stringify(params), 'utf8');
  return Buffer.concat([Buffer.from('\nVMSNAP-PARAMS-BEGIN\n'), json, Buffer.from(`\nVMSNAP-PARAMS-END ${json.length}\n`)]);
}

/**
 * The body of the first complete output frame in `out`, or null. `from`: bytes before it were
 * searched already (an END line that started before `from - TAIL_MAX` was complete then). Linear:
 * each END line found is checked in constant time, whatever a banner or a VM sends around it.
 */
export function findFrame(out: Buffer, from = 0): Buffer | null {
  let at = Math.max(0, from - TAIL_MAX);
  for (;;) {
    const t = out.indexOf(FRAME_TAIL, at);
    if (t === -1) return null;
    let i = t + FRAME_TAIL.length;
    let n = 0;
    while (i < out.length && i - (t + FRAME_TAIL.length) < 10 && out[i]! >= 0x30 && out[i]! <= 0x39) n = n * 10 + (out[i++]! - 0x30);
    if (i > t + FRAME_TAIL.length && out[i] === 0x0a) {
      const start = t - n;
      if (start - FRAME_HEAD.length >= 0 && out.compare(FRAME_HEAD, 0, FRAME_HEAD.length, start - FRAME_HEAD.length, start) === 0) {
        return out.subarray(start, t);
      }
    }
    at = t + 1;
  }
}

/** Waits for the frame; for the fixer, answers READY with the parameters. */
class ProgramWatch implements StdoutWatch {
  readonly holdStdin: boolean;
  frame: Buffer | null = null;
  private pending: Buffer | null;

  constructor(
    input: Buffer | null,
    private readonly onStarted: (() => void) | undefined,
  ) {
    this.holdStdin = input !== null;
    this.pending = input;
  }

  onStdout(all: Buffer, from: number): { send?: Buffer; done?: boolean } {
    let send: Buffer | undefined;
    if (this.pending && all.indexOf(READY, Math.max(0, from - READY.length + 1)) !== -1) {
      send = this.pending;
      this.pending = null;
      this.onStarted?.();
    }
    this.frame = findFrame(all, from);
    return { send, done: this.frame !== null };
  }
}

export interface ProgramRun {
  /** the framed output (JSON text), or null when the program ended without one */
  output: string | null;
  result: ExecResult;
}

async function runProgram(conn: RemoteSession, command: string, input: Buffer | null, onStarted?: () => void): Promise<ProgramRun> {
  const watch = new ProgramWatch(input, onStarted);
  const result = await conn.exec(command, input ? STDIN_PADDING : '', MAX_PROGRAM_OUTPUT, watch);
  return { output: watch.frame?.toString('utf8') ?? null, result };
}

/** Runs the collector: stdin is closed at once (an rc file that reads it gets end-of-file). */
export function runCollector(conn: RemoteSession, useSudo: boolean, params: CommandLineParams): Promise<ProgramRun> {
  return runProgram(conn, collectorCommand(useSudo, params), null);
}

/**
 * Runs the fixer with its parameters. `onStarted` is called when they are sent: until then the
 * fixer cannot have changed anything, whatever happens to the connection.
 */
export function runFixer(conn: RemoteSession, useSudo: boolean, params: Record<string, unknown>, onStarted?: () => void): Promise<ProgramRun> {
  return runProgram(conn, fixerCommand(useSudo), fixerStdin(params), onStarted);
}
