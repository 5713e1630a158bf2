// `vmsnap audit --local`: this machine, audited without SSH. A LocalSession runs a command line the
// way sshd runs an exec request (`/bin/sh -c COMMAND`, stdin fed, stdout/stderr collected), so the
// audit sends exactly the constant command line (and stdin) it sends to a VM, through
// `sudo -n` when vmsnap does not run as root, and judges the output with the same code.
import { spawn, type ChildProcess } from 'node:child_process';
import { ExecOutput, SshError, type ExecResult, type StdoutWatch } from '../ssh/connection.js';
import type { ConnectTarget, Connector, RemoteSession } from '../ssh/connector.js';
import { abortError } from '../util/abort.js';

export class LocalSession implements RemoteSession {
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  /** `signal`: aborting it (the host's deadline, or Ctrl-C) kills what runs and fails the call with its reason */
  constructor(private readonly signal: AbortSignal) {}

  exec(command: string, stdin: string | Buffer, maxOutputBytes: number, watch?: StdoutWatch): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new SshError('error', 'CONNECTION_CLOSED', 'the local session is closed'));
      if (this.signal.aborted) return reject(abortError(this.signal));
      // its own process group, so a deadline takes the interpreter down with the shell
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      this.children.add(child);
      const output = new ExecOutput(maxOutputBytes, watch, {
        send: (data) => child.stdin.end(data),
        end: (e, r) => {
          this.signal.removeEventListener('abort', onAbort);
          // whatever is left of the group (a background job holding stdout) goes with the run
          this.kill(child);
          if (e !== null) reject(e);
          else resolve(r!);
        },
      });
      const onAbort = () => output.fail(abortError(this.signal));
      this.signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => output.stdout(chunk));
      child.stderr.on('data', (chunk: Buffer) => output.stderr(chunk));
      child.on('error', (e) => output.fail(new SshError('error', 'EXEC_FAILED', `could not start /bin/sh: ${e.message}`)));
      child.on('exit', (code, sig) => output.exited(code, sig));
      child.on('close', () => {
        this.children.delete(child);
        output.closed();
      });
      // the command may exit before reading all of stdin (e.g. sudo refusing): not an error here
      child.stdin.on('error', () => undefined);
      if (watch?.holdStdin) child.stdin.write(stdin);
      else child.stdin.end(stdin);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.children) this.kill(c);
  }

  private kill(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL'); // the group this session started
    } catch {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/** A Connector whose "connection" is this machine. */
export class LocalConnector implements Connector {
  connect(_target: ConnectTarget, signal: AbortSignal): Promise<RemoteSession> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    return Promise.resolve(new LocalSession(signal));
  }
}
