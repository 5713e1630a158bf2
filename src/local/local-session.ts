// `vmsnap audit --local`: this machine, audited without SSH. A LocalSession runs a command line the
// way sshd runs an exec request (`/bin/sh -c COMMAND`, stdin fed, stdout/stderr collected), so the
// audit sends exactly the constant command line and stdin program it sends to a VM, through
// `sudo -n` when vmsnap does not run as root, and judges the output with the same code.
import { spawn, type ChildProcess } from 'node:child_process';
import type { ExecResult } from '../ssh/connection.js';
import { SshError } from '../ssh/connection.js';
import type { ConnectTarget, Connector, RemoteSession } from '../ssh/connector.js';

export class LocalSession implements RemoteSession {
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  /** `signal`: aborting it (the host's deadline, or Ctrl-C) kills what runs and fails the call with its reason */
  constructor(private readonly signal: AbortSignal) {}

  exec(command: string, stdin: string | Buffer, maxOutputBytes: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new SshError('error', 'CONNECTION_CLOSED', 'the local session is closed'));
      if (this.signal.aborted) return reject(this.signal.reason);
      // its own process group, so a deadline takes the interpreter down with the shell
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      this.children.add(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let bytes = 0;
      let settled = false;
      const finish = (e: unknown, r?: ExecResult) => {
        if (settled) return;
        settled = true;
        this.signal.removeEventListener('abort', onAbort);
        if (e !== null) {
          this.kill(child);
          reject(e);
        } else resolve(r!);
      };
      const onAbort = () => finish(this.signal.reason);
      this.signal.addEventListener('abort', onAbort, { once: true });
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxOutputBytes) return finish(new SshError('error', 'OUTPUT_TOO_LARGE', `the command printed more than ${maxOutputBytes} bytes`));
        into.push(chunk);
      };
      child.stdout!.on('data', collect(out));
      child.stderr!.on('data', collect(err));
      child.on('error', (e) => finish(new SshError('error', 'EXEC_FAILED', `could not start /bin/sh: ${e.message}`)));
      child.on('close', (code, sig) => {
        this.children.delete(child);
        finish(null, { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code, exitSignal: sig });
      });
      // the command may exit before reading all of stdin (e.g. sudo refusing): not an error here
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(stdin);
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
  async connect(_target: ConnectTarget, signal: AbortSignal): Promise<RemoteSession> {
    if (signal.aborted) throw signal.reason;
    return new LocalSession(signal);
  }
}
