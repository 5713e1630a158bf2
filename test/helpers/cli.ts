// Shared by every test that starts real sshd test VMs or runs the built CLI: whether the fleet can
// run here, where the CLI is, and the environment the CLI runs in.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFleetPrerequisites, FleetUnavailableError } from '../../src/fleet/harness.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const VMSNAP = path.join(REPO, 'bin', 'vmsnap');

/**
 * Why this machine cannot run the local fleet (then fleet tests are skipped), or null. Under CI
 * (CI set, as .ci/run runs) a missing prerequisite is an error, never a silent skip.
 */
export const fleetUnavailable: string | null = (() => {
  try {
    checkFleetPrerequisites();
    return null;
  } catch (e) {
    if (e instanceof FleetUnavailableError && !process.env['CI']) return e.message;
    throw e;
  }
})();

/**
 * An empty HOME for the CLI under test, so the tester's ~/.ssh (config, known_hosts, keys) never
 * leaks in. One fixed folder per user, made once and only ever read: parallel test files share it,
 * and no run leaves a new one behind. (Tests that put keys in a HOME make their own, see test/ssh.)
 */
export function testHome(): string {
  const dir = path.join(os.tmpdir(), `vmsnap-test-home-${process.getuid?.() ?? 'user'}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The CLI's environment: no agent, no passphrase, no debug, and HOME as given (default an empty one). */
export function cliEnv(home: string = testHome(), extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, SSH_AUTH_SOCK: '', ...extra };
  delete env['VMSNAP_DEBUG'];
  if (!('VMSNAP_KEY_PASSPHRASE' in extra)) delete env['VMSNAP_KEY_PASSPHRASE'];
  return env;
}

export interface CliRun {
  /** exit code; null when the process was killed (see signal) */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** wall time of the whole process, ms */
  ms: number;
}

/**
 * Runs `bin/vmsnap ...args` as a child process in cliEnv(). A process still running after
 * `killAfterMs` is killed (code null), so a hang fails the test that caused it, not the suite.
 */
export function runCli(args: string[], opts: { home?: string; env?: NodeJS.ProcessEnv; killAfterMs?: number } = {}): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      VMSNAP,
      args,
      { encoding: 'utf8', env: cliEnv(opts.home, opts.env), timeout: opts.killAfterMs ?? 45_000, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const ms = performance.now() - started;
        if (!err) return resolve({ code: 0, signal: null, stdout, stderr, ms });
        const e = err as NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals | null };
        if (typeof e.code === 'number') return resolve({ code: e.code, signal: null, stdout, stderr, ms });
        if (e.signal) return resolve({ code: null, signal: e.signal, stdout, stderr, ms });
        reject(new Error(`could not start the CLI: ${err.message}`, { cause: err }));
      },
    );
  });
}
