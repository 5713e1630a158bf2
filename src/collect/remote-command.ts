// The command lines vmsnap runs on a VM. They are constants: programs and parameters travel over
// stdin, so nothing read from a VM (paths, names, file content) ever reaches a shell command line.
import { readFileSync } from 'node:fs';

/** POSIX single-quote quoting: the one routine used for every word vmsnap puts on a command line. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// Finds a Python the way the extension's own VMs have one, then runs the bootstrap given as $0.
// `-E -S`: ignore PYTHON* variables and skip site imports (faster, and no user site on the path).
const FIND_PYTHON =
  'for p in python3 /usr/libexec/platform-python python2 python; do ' +
  'if command -v "$p" >/dev/null 2>&1; then exec "$p" -E -S -c "$0"; fi; done; ' +
  'echo "vmsnap: no python interpreter found (the VMSnapshotLinux extension needs one too)" >&2; exit 127';

// Reads the parameters (first stdin line, JSON) into P, then runs the rest of stdin as the program.
const BOOTSTRAP = 'import sys,json;P=json.loads(sys.stdin.readline());exec(sys.stdin.read())';

export const NO_PYTHON_MARKER = 'vmsnap: no python interpreter found';

/**
 * The line the collector and the fixer print right before their JSON: a login shell's rc files may
 * print a banner on stdout first (`echo Welcome` in .bashrc), which is not the program's output.
 */
export const OUTPUT_MARKER = 'VMSNAP-OUTPUT';

/** A program's stdout from its marker line on; the whole text when the marker is missing. */
export function programOutput(stdout: string): string {
  const at = stdout.lastIndexOf(`\n${OUTPUT_MARKER}\n`);
  return at === -1 ? stdout : stdout.slice(at + OUTPUT_MARKER.length + 2);
}

/** The one command line used to run a vmsnap program on a VM, as root directly or through `sudo -n`. */
export function remotePythonCommand(useSudo: boolean): string {
  const run = `/bin/sh -c ${shellQuote(FIND_PYTHON)} ${shellQuote(BOOTSTRAP)}`;
  return useSudo ? `sudo -n -- ${run}` : run;
}

/** What to write to the channel's stdin: the parameters line, then the program. */
export function remoteStdin(params: Record<string, unknown>, program: string): string {
  return `${JSON.stringify(params)}\n${program}`;
}

const programCache = new Map<string, string>();

/** A Python program shipped beside this module (copied next to the compiled JS by the build). */
export function loadProgram(name: 'collector.py' | 'fixer.py'): string {
  let text = programCache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
    programCache.set(name, text);
  }
  return text;
}
