// One SSH connection to one VM, with a hard deadline. Knows nothing about compliance: it connects,
// runs a command with stdin, returns bytes and an exit code, and turns every failure into an
// SshError with a stable code (errors are data, as in execa).
import ssh2, { type AnyAuthMethod, type AuthenticationType, type Client as SshClient, type ConnectConfig, type ParsedKey } from 'ssh2';
import type { KnownHosts } from './known-hosts.js';

const { Client } = ssh2; // ssh2 is CommonJS: its named exports are not visible to ESM

export type SshFailureKind = 'unreachable' | 'auth_failed' | 'hostkey_mismatch' | 'timeout' | 'interrupted' | 'error';

export class SshError extends Error {
  constructor(
    readonly kind: SshFailureKind,
    /** stable code: ECONNREFUSED, AUTH_FAILED, HOSTKEY_CHANGED, DEADLINE, CHANNEL_CLOSED ... */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SshError';
  }
}

export interface Identity {
  /** where the key came from, for messages: a file path or 'agent' */
  label: string;
  key: ParsedKey;
}

export interface ConnectOptions {
  host: string;
  port: number;
  username: string;
  identities: readonly Identity[];
  /** ssh-agent socket (SSH_AUTH_SOCK), tried after the identities */
  agent?: string | undefined;
  knownHosts: KnownHosts;
  /** aborting it destroys the connection at once; the caller owns the deadline */
  signal: AbortSignal;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  /** null when the channel closed without an exit status (e.g. killed by a signal) */
  exitCode: number | null;
  exitSignal: string | null;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ETIMEDOUT']);

// ssh2 names key types by algorithm; RSA keys are offered by three names.
function hostKeyAlgorithmsFor(types: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of types) {
    if (t === 'ssh-rsa') out.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else out.push(t);
  }
  return [...new Set(out)];
}

function abortReason(signal: AbortSignal): SshError {
  const r: unknown = signal.reason;
  if (r instanceof SshError) return r;
  return new SshError('timeout', 'DEADLINE', 'deadline reached');
}

export class SshConnection {
  private closed = false;

  private constructor(
    private readonly client: SshClient,
    private readonly signal: AbortSignal,
  ) {}

  static connect(opts: ConnectOptions): Promise<SshConnection> {
    return new Promise((resolve, reject) => {
      if (opts.signal.aborted) return reject(abortReason(opts.signal));
      const client = new Client();
      let hostKeyFailure: SshError | null = null;
      const tried: string[] = [];
      let settled = false;
      const finish = (err: SshError | null) => {
        if (settled) return;
        settled = true;
        opts.signal.removeEventListener('abort', onAbort);
        if (err) {
          client.removeAllListeners('ready');
          client.on('error', () => {}); // late errors after destroy must not crash the process
          client.destroy();
          reject(err);
        } else {
          resolve(new SshConnection(client, opts.signal));
        }
      };
      const onAbort = () => finish(abortReason(opts.signal));
      opts.signal.addEventListener('abort', onAbort, { once: true });

      const methods: AnyAuthMethod[] = opts.identities.map((id) => ({ type: 'publickey', username: opts.username, key: id.key }));
      const labels = opts.identities.map((id) => id.label);
      if (opts.agent) {
        methods.push({ type: 'agent', username: opts.username, agent: opts.agent });
        labels.push('agent');
      }
      const knownTypes = opts.knownHosts.keyTypesFor(opts.host, opts.port);
      const config: ConnectConfig = {
        host: opts.host,
        port: opts.port,
        username: opts.username,
        // the caller's signal is the deadline; ssh2's own timer is only a backstop
        readyTimeout: 2 ** 31 - 1,
        keepaliveInterval: 0,
        hostVerifier: (key: Buffer) => {
          const verdict = opts.knownHosts.verify(opts.host, opts.port, key);
          if (verdict.ok) return true;
          hostKeyFailure = new SshError('hostkey_mismatch', verdict.code, verdict.message);
          return false;
        },
        authHandler: (_left: AuthenticationType[], _partial: boolean, next) => {
          const m = methods.shift();
          const label = labels.shift();
          if (!m || label === undefined) return next(false as unknown as AuthenticationType);
          tried.push(label);
          next(m);
        },
      };
      // Prefer key types we can verify, as OpenSSH does, so a host with an ed25519 entry is not
      // reported as changed just because the server offered RSA first.
      if (knownTypes.length > 0) config.algorithms = { serverHostKey: hostKeyAlgorithmsFor(knownTypes) as never };

      client.once('ready', () => finish(null));
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (hostKeyFailure) return finish(hostKeyFailure);
        if (err.level === 'client-authentication') {
          const what = tried.length ? `tried ${tried.join(', ')}` : 'no key or agent was available to try';
          return finish(new SshError('auth_failed', 'AUTH_FAILED', `authentication failed for user ${opts.username}: ${what}`));
        }
        const code = err.code ?? '';
        if (UNREACHABLE_CODES.has(code)) return finish(new SshError('unreachable', code, err.message));
        if (err.level === 'client-timeout') return finish(new SshError('timeout', 'HANDSHAKE_TIMEOUT', err.message));
        return finish(new SshError('error', code || (err.level ? `SSH_${err.level.toUpperCase().replace(/-/g, '_')}` : 'SSH_ERROR'), err.message));
      });
      client.once('close', () => {
        if (hostKeyFailure) return finish(hostKeyFailure);
        finish(new SshError('error', 'CONNECTION_CLOSED', 'the server closed the connection before it was ready'));
      });
      try {
        client.connect(config);
      } catch (e) {
        finish(new SshError('error', 'SSH_CONFIG', (e as Error).message));
      }
    });
  }

  /** Runs `command` with `stdin`, collecting at most maxOutputBytes of stdout (more is an error). */
  exec(command: string, stdin: string | Buffer, maxOutputBytes: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(abortReason(this.signal));
      let settled = false;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      const done = (e: SshError | null) => {
        if (settled) return;
        settled = true;
        this.signal.removeEventListener('abort', onAbort);
        if (e) reject(e);
        else resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode, exitSignal });
      };
      const onAbort = () => {
        done(abortReason(this.signal));
        this.close();
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
      const onConnectionGone = () => done(new SshError('error', 'CONNECTION_CLOSED', 'the connection closed while the command ran'));
      this.client.once('close', onConnectionGone);

      this.client.exec(command, (e, stream) => {
        if (e) {
          this.client.removeListener('close', onConnectionGone);
          return done(new SshError('error', 'EXEC_FAILED', `could not start the command: ${e.message}`));
        }
        stream.on('data', (chunk: Buffer) => {
          outBytes += chunk.length;
          if (outBytes > maxOutputBytes) {
            done(new SshError('error', 'OUTPUT_TOO_LARGE', `the command printed more than ${maxOutputBytes} bytes`));
            stream.close();
            return;
          }
          out.push(chunk);
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          // keep only the first 64 KiB of stderr: enough for any message we act on
          if (errBytes < 65536) err.push(chunk);
          errBytes += chunk.length;
        });
        stream.on('exit', (code: number | null, sig?: string) => {
          exitCode = typeof code === 'number' ? code : null;
          exitSignal = sig ?? null;
        });
        stream.on('close', () => {
          this.client.removeListener('close', onConnectionGone);
          if (exitCode === null && exitSignal === null) {
            return done(new SshError('error', 'CHANNEL_CLOSED', 'the channel closed without an exit status'));
          }
          done(null);
        });
        stream.on('error', (se: Error) => done(new SshError('error', 'CHANNEL_ERROR', se.message)));
        stream.end(stdin);
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.on('error', () => {});
    this.client.end();
    // end() waits for the server; destroy soon after so a silent server cannot hold the socket open
    setTimeout(() => this.client.destroy(), 1000).unref();
  }
}
