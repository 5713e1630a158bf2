// One SSH connection to one VM, with a hard deadline. Knows nothing about compliance: it connects,
// runs a command with stdin, returns bytes and an exit code, and turns every failure into an
// SshError with a stable code (errors are data, as in execa).
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type AuthenticationType, type Client as SshClient, type ClientChannel, type ConnectConfig, type ParsedKey } from 'ssh2';
import type { HostKeyChecker } from './host-keys.js';
import { fingerprint } from './known-hosts.js';
import { saveRoundTrips } from './round-trips.js';
import { formatBytes } from '../util/read-bounded.js';
import { VmsnapError } from '../errors.js';
import { elapsedMs } from '../util/elapsed.js';

const { Client } = ssh2; // ssh2 is CommonJS: its named exports are not visible to ESM

export type SshFailureKind = 'unreachable' | 'auth_failed' | 'hostkey_mismatch' | 'timeout' | 'interrupted' | 'error';

/** One host's connection or command failed; its `kind` is the host's status, its code the report's error code. */
export class SshError extends VmsnapError {
  constructor(
    readonly kind: SshFailureKind,
    /** stable code: ECONNREFUSED, AUTH_FAILED, HOSTKEY_CHANGED, DEADLINE, CHANNEL_CLOSED ... */
    code: string,
    message: string,
    /** a connection-level failure before the session was ready that another attempt may get past */
    readonly retryable = false,
  ) {
    super(code, message);
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
  agent?: string | undefined | null;
  /** known_hosts lookups for this host (a KnownHosts, or a run's HostKeyStore checker) */
  knownHosts: HostKeyChecker;
  /** aborting it destroys the connection at once; the caller owns the deadline */
  signal: AbortSignal;
  /** an already connected stream to speak SSH over (a jump host's forwarded channel) instead of TCP */
  sock?: Duplex | undefined;
  /** ConnectTimeout: from the TCP connect until the server's banner */
  connectTimeoutMs?: number | null | undefined;
  /** ServerAliveInterval (ms, 0 = off) and ServerAliveCountMax */
  keepaliveIntervalMs?: number | undefined;
  keepaliveCountMax?: number | undefined;
  /** identity files that could not be used, for the auth_failed message (e.g. "~/.ssh/id_rsa: encrypted") */
  identityNotes?: readonly string[] | undefined;
  /** ssh2's protocol trace, line by line (tests read the order of messages from it) */
  debug?: ((line: string) => void) | undefined;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  /** null without an exit status: killed by a signal, or the run ended (StdoutWatch) before it arrived */
  exitCode: number | null;
  exitSignal: string | null;
  /** wall ms: opening the channel until the command was started, then until the run ended */
  timing?: { execMs: number; collectMs: number } | undefined;
}

/** Wall ms of a connection's set-up: TCP, banner and key exchange up to authentication, then authentication. */
export interface ConnectTiming {
  connectMs: number;
  authMs: number;
}

/**
 * Watches a command's stdout as it arrives. Without one, a run ends when the channel closes; a
 * program whose output is framed knows sooner, and must: a login shell's background job
 * (`( sleep 30 & )` in .bashrc) keeps the channel open long after the program has exited.
 */
export interface StdoutWatch {
  /** stdin is not ended after the first write; the `send` of an answer ends it */
  readonly holdStdin: boolean;
  /** `all` is the stdout so far, the new bytes start at `from`; `done` ends the run with what arrived */
  onStdout(all: Buffer, from: number): { send?: Buffer | undefined; done?: boolean } | undefined;
}

/** Once the exit status arrived, the run ends when no more output came for this long. */
export const EXIT_IDLE_MS = 1000;
const STDERR_KEEP = 65536;

/**
 * One exec's output, the same for an SSH channel and a --local child: stdout up to a cap (more is
 * OUTPUT_TOO_LARGE, so a VM that sends without end costs bounded memory), the first 64 KiB of
 * stderr, the exit status, the watcher, and an end once the command has exited and gone quiet.
 */
export class ExecOutput {
  settled = false;
  private buf = Buffer.alloc(0);
  private len = 0;
  private readonly err: Buffer[] = [];
  private errBytes = 0;
  private exitCode: number | null = null;
  private exitSignal: string | null = null;
  private exitSeen = false;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxOutputBytes: number,
    private readonly watch: StdoutWatch | undefined,
    private readonly io: { send(data: Buffer): void; end(e: Error | null, r: ExecResult | null): void },
  ) {}

  stdout(chunk: Buffer): void {
    if (this.settled) return;
    if (this.len + chunk.length > this.maxOutputBytes) {
      return this.fail(new SshError('error', 'OUTPUT_TOO_LARGE', `the command printed more than ${formatBytes(this.maxOutputBytes)} on stdout (a login shell rc file or banner that prints without end?)`));
    }
    if (this.len + chunk.length > this.buf.length) {
      // one contiguous buffer, doubled as needed: the watcher searches it in place. It starts at 16 KiB
      // (a compliant host's facts are ~7.5 KB): with -j 200 in flight, 64 KiB each was 12.5 MB of RSS
      const grown = Buffer.allocUnsafe(Math.min(this.maxOutputBytes, Math.max(16384, 2 * this.buf.length, this.len + chunk.length)));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len);
    const from = this.len;
    this.len += chunk.length;
    this.quietAfterExit();
    const answer = this.watch?.onStdout(this.buf.subarray(0, this.len), from);
    if (answer?.send) this.io.send(answer.send);
    if (answer?.done) this.finish();
  }

  stderr(chunk: Buffer): void {
    if (this.settled) return;
    // the first 64 KiB: enough for any message we act on
    if (this.errBytes < STDERR_KEEP) this.err.push(chunk);
    this.errBytes += chunk.length;
    this.quietAfterExit();
  }

  exited(code: number | null, signal: string | null): void {
    this.exitCode = code;
    this.exitSignal = signal;
    this.exitSeen = true;
    this.quietAfterExit();
  }

  /** the channel (or the child's stdio) closed: the normal end */
  closed(): void {
    if (!this.exitSeen) return this.fail(new SshError('error', 'CHANNEL_CLOSED', 'the channel closed without an exit status'));
    this.finish();
  }

  fail(e: Error): void {
    this.settle(e, null);
  }

  private finish(): void {
    this.settle(null, { stdout: this.buf.subarray(0, this.len), stderr: Buffer.concat(this.err), exitCode: this.exitCode, exitSignal: this.exitSignal });
  }

  private settle(e: Error | null, r: ExecResult | null): void {
    if (this.settled) return;
    this.settled = true;
    if (this.idle) clearTimeout(this.idle);
    this.io.end(e, r);
  }

  // output still in flight after the exit status resets the wait; a background job that holds the
  // channel open and stays silent ends it
  private quietAfterExit(): void {
    if (!this.exitSeen || this.settled) return;
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.finish(), EXIT_IDLE_MS);
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

// ssh2's host key algorithms, in its default order (constants.js DEFAULT_SERVER_HOST_KEY) plus ssh-dss
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/**
 * Key types we can verify first, then the rest, as OpenSSH orders them: a host with an ed25519 entry
 * is not reported as changed just because the server would have offered another type first, and a
 * host whose recorded type the server no longer has shows its new key (reported as changed) rather
 * than failing the key exchange. RSA keys are offered under three algorithm names.
 */
export function hostKeyAlgorithmsFor(types: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of types) {
    if (t === 'ssh-rsa') out.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else if (HOST_KEY_ALGORITHMS.includes(t) || t === 'ssh-dss') out.push(t);
  }
  return [...new Set([...out, ...HOST_KEY_ALGORITHMS])];
}

/** The abort reason of a session's signal, as the SshError the report shows (the deadline's, unless it was another). */
export function abortReason(signal: AbortSignal): SshError {
  const r: unknown = signal.reason;
  if (r instanceof SshError) return r;
  return new SshError('timeout', 'DEADLINE', 'deadline reached');
}

type Stage = 'connecting' | 'banner' | 'kex' | 'auth';

const STAGE_TEXT: Record<Stage, string> = {
  connecting: 'before the TCP connection was made',
  banner: 'before sending its SSH banner (sshd does this past MaxStartups, or when it refuses the client)',
  kex: 'during the key exchange, right after its banner',
  auth: 'during authentication',
};

export class SshConnection {
  private closed = false;
  /** the last error ssh2 reported after the connection was ready (e.g. a keepalive timeout) */
  private lastError: SshError | null = null;

  private constructor(
    private readonly client: SshClient,
    private readonly signal: AbortSignal,
    /** how long the set-up took (the last attempt's, when it was retried) */
    readonly timing: ConnectTiming,
  ) {
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'client-timeout') this.lastError = new SshError('timeout', 'KEEPALIVE_TIMEOUT', `the server stopped answering keepalives (ServerAliveInterval): ${err.message}`);
    });
  }

  /** A ready, authenticated connection. Rejects with an SshError. */
  static connect(opts: ConnectOptions): Promise<SshConnection> {
    return handshake(opts, null).then(({ client, timing }) => new SshConnection(client, opts.signal, timing));
  }

  /**
   * The host key the server presents, fetched without authenticating (the key exchange is abandoned
   * as soon as the key is known). Rejects with an SshError when there is no key to show.
   */
  static async fetchHostKey(opts: Omit<ConnectOptions, 'identities' | 'username'> & { username?: string }): Promise<Buffer> {
    let key: Buffer | null = null;
    try {
      await handshake({ identities: [], username: opts.username ?? 'vmsnap-keyscan', ...opts }, (k) => {
        key = k;
      });
    } catch (e) {
      if (key) return key;
      throw e;
    }
    if (key) return key;
    throw new SshError('error', 'NO_HOST_KEY', 'the server did not present a host key');
  }

  /** The underlying ssh2 client, for jump hosts: forwardOut channels to the next hop. */
  get sshClient(): SshClient {
    return this.client;
  }

  /**
   * Runs `command` with `stdin`, collecting at most maxOutputBytes of stdout (more is an error).
   * `watch` (see StdoutWatch) may end the run as soon as the output it waits for is complete.
   */
  exec(command: string, stdin: string | Buffer, maxOutputBytes: number, watch?: StdoutWatch): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(abortReason(this.signal));
      let channel: ClientChannel | null = null;
      const opened = performance.now();
      let started = opened;
      const output = new ExecOutput(maxOutputBytes, watch, {
        send: (data) => channel?.end(data),
        end: (e, r) => {
          this.signal.removeEventListener('abort', onAbort);
          this.client.removeListener('close', onConnectionGone);
          // ended before the channel closed (output complete, too large, or only a background job
          // left holding it open): close it, the server need not wait for that job
          channel?.close();
          if (e) reject(e);
          else resolve({ ...r!, timing: { execMs: elapsedMs(opened, started), collectMs: elapsedMs(started, performance.now()) } });
        },
      });
      const onAbort = () => {
        output.fail(abortReason(this.signal));
        this.close();
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
      const onConnectionGone = () =>
        output.fail(this.lastError ?? new SshError('error', 'CONNECTION_CLOSED', 'the connection closed while the command ran (the server went away)'));
      this.client.once('close', onConnectionGone);

      this.client.exec(command, (e, stream) => {
        if (e) return output.fail(new SshError('error', 'EXEC_FAILED', `could not start the command: ${e.message}`));
        channel = stream;
        started = performance.now();
        if (output.settled) return void stream.close();
        stream.on('data', (chunk: Buffer) => output.stdout(chunk));
        stream.stderr.on('data', (chunk: Buffer) => output.stderr(chunk));
        stream.on('exit', (code: number | null, sig?: string) => output.exited(typeof code === 'number' ? code : null, sig ?? null));
        stream.on('close', () => output.closed());
        stream.on('error', (se: Error) => output.fail(new SshError('error', 'CHANNEL_ERROR', se.message)));
        if (watch?.holdStdin) stream.write(stdin);
        else stream.end(stdin);
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

/** Resolves once the connection is ready (or, when `scan` is given, once the host key is seen). */
function handshake(opts: ConnectOptions, scan: ((key: Buffer) => void) | null): Promise<{ client: SshClient; timing: ConnectTiming }> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(abortReason(opts.signal));
    const begun = performance.now();
    let authBegun: number | null = null;
    const client = new Client();
    let hostKeyFailure: SshError | null = null;
    const tried: string[] = [];
    const notes: string[] = [...(opts.identityNotes ?? [])];
    let serverMethods: string[] | null = null;
    let stage: Stage = opts.sock ? 'banner' : 'connecting';
    let settled = false;
    let connectTimer: NodeJS.Timeout | null = null;
    const sock: Duplex = opts.sock ?? new Socket();

    const finish = (err: SshError | null) => {
      if (settled) return;
      settled = true;
      if (connectTimer) clearTimeout(connectTimer);
      opts.signal.removeEventListener('abort', onAbort);
      sock.removeListener('data', onData);
      if (err) {
        client.removeAllListeners('ready');
        client.on('error', () => {}); // late errors after destroy must not crash the process
        client.destroy();
        sock.destroy();
        reject(err);
      } else {
        const now = performance.now();
        resolve({ client, timing: { connectMs: elapsedMs(begun, authBegun ?? now), authMs: elapsedMs(authBegun ?? now, now) } });
      }
    };
    const onAbort = () => finish(abortReason(opts.signal));
    opts.signal.addEventListener('abort', onAbort, { once: true });

    // what the server has sent so far tells how far it got before a failure
    const onData = () => {
      if (stage === 'connecting' || stage === 'banner') {
        stage = 'kex';
        if (connectTimer) clearTimeout(connectTimer);
      }
    };
    sock.on('connect', () => {
      if (stage === 'connecting') stage = 'banner';
    });
    if (opts.connectTimeoutMs) {
      const ms = opts.connectTimeoutMs;
      connectTimer = setTimeout(() => {
        const what = stage === 'connecting' ? 'the TCP connection was not made' : 'the server sent no SSH banner';
        finish(new SshError('unreachable', 'CONNECT_TIMEOUT', `${what} within ConnectTimeout (${ms / 1000} s)`));
      }, ms);
    }

    const methods: AnyAuthMethod[] = opts.identities.map((id) => ({ type: 'publickey', username: opts.username, key: id.key }));
    const firstKey = opts.identities[0]?.key;
    const labels = opts.identities.map((id) => `publickey ${id.label} (${describeKey(id.key)})`);
    if (opts.agent) {
      methods.push({ type: 'agent', username: opts.username, agent: opts.agent });
      labels.push(`the keys of the agent at ${opts.agent}`);
    }
    const knownTypes = opts.knownHosts.keyTypesFor(opts.host, opts.port);
    const config: ConnectConfig = {
      host: opts.host,
      port: opts.port,
      username: opts.username,
      sock: sock,
      // the caller's signal is the deadline; ssh2's own timer is only a backstop
      readyTimeout: 2 ** 31 - 1,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 0,
      keepaliveCountMax: opts.keepaliveCountMax ?? 3,
      ...(opts.debug ? { debug: opts.debug } : {}),
      algorithms: { serverHostKey: hostKeyAlgorithmsFor(knownTypes) as never },
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        stage = 'kex';
        if (scan) {
          scan(key);
          finish(new SshError('error', 'KEYSCAN_DONE', 'host key fetched'));
          verify(false);
          return;
        }
        Promise.resolve()
          .then(() => opts.knownHosts.verify(opts.host, opts.port, key))
          .then(
            (verdict) => {
              if (verdict.ok) return verify(true);
              hostKeyFailure = new SshError('hostkey_mismatch', verdict.code, verdict.message);
              verify(false);
            },
            (e: unknown) => {
              hostKeyFailure = new SshError('hostkey_mismatch', 'HOSTKEY_UNKNOWN', `cannot check the host key: ${(e as Error)?.message ?? e}`);
              verify(false);
            },
          );
      },
      authHandler: (left: AuthenticationType[] | null, _partial: boolean, next) => {
        stage = 'auth';
        authBegun ??= performance.now();
        if (Array.isArray(left)) serverMethods = left;
        const m = methods.shift();
        const label = labels.shift();
        if (!m || label === undefined) return next(false as unknown as AuthenticationType);
        tried.push(label);
        next(m);
      },
    };

    client.once('ready', () => finish(null));
    client.on('error', (err: Error & { level?: string; code?: unknown }) => {
      if (hostKeyFailure) return finish(hostKeyFailure);
      // problems with one method are not the end: ssh2 goes on with the next
      if (err.level === 'agent') {
        notes.push(`agent: ${err.message}`);
        return;
      }
      if (err.level === 'client-authentication' && !/All configured authentication methods failed/.test(err.message)) {
        notes.push(err.message);
        return;
      }
      if (err.level === 'client-authentication') {
        const what = tried.length ? `tried ${tried.join(', ')}` : 'no key or agent was available to try';
        const allowed = serverMethods ? `; the server accepts: ${serverMethods.join(', ') || 'nothing more'}` : '';
        const extra = notes.length ? `; not usable: ${notes.join('; ')}` : '';
        return finish(new SshError('auth_failed', 'AUTH_FAILED', `authentication failed for user ${opts.username}: ${what}${allowed}${extra}`));
      }
      const code = typeof err.code === 'string' ? err.code : '';
      if (UNREACHABLE_CODES.has(code)) return finish(new SshError('unreachable', code, err.message));
      if (code === 'EMFILE' || code === 'ENFILE') {
        return finish(new SshError('error', code, `${err.message}: the jump box ran out of file descriptors; lower -j or raise the limit (ulimit -n)`));
      }
      if (RESET_CODES.has(code)) {
        return finish(new SshError('error', 'ECONNRESET', `the connection was reset ${STAGE_TEXT[stage]}: ${err.message}`, stage !== 'auth'));
      }
      if (err.level === 'handshake') {
        return finish(new SshError('error', 'KEX_FAILED', `the key exchange failed: ${err.message} (the server and vmsnap share no algorithm)`));
      }
      if (/Connection lost before handshake/.test(err.message)) {
        return finish(new SshError('error', 'CONNECTION_CLOSED', `the server closed the connection ${STAGE_TEXT[stage]}`, stage !== 'auth'));
      }
      if (typeof err.code === 'number') {
        return finish(new SshError('error', 'SSH_DISCONNECT', `the server disconnected ${STAGE_TEXT[stage]}: ${err.message}`));
      }
      if (err.level === 'client-timeout') return finish(new SshError('timeout', 'HANDSHAKE_TIMEOUT', err.message));
      if (err.level === 'protocol') return finish(new SshError('error', 'SSH_PROTOCOL', `the server does not speak SSH as expected: ${err.message}`));
      return finish(new SshError('error', code || (err.level ? `SSH_${err.level.toUpperCase().replace(/-/g, '_')}` : 'SSH_ERROR'), err.message));
    });
    client.once('close', () => {
      if (hostKeyFailure) return finish(hostKeyFailure);
      finish(new SshError('error', 'CONNECTION_CLOSED', `the server closed the connection ${STAGE_TEXT[stage]}`, stage !== 'auth'));
    });
    try {
      // connecting first: ssh2 takes a socket that is not `connecting` as already connected
      if (!opts.sock) (sock as Socket).connect({ host: opts.host, port: opts.port });
      client.connect(config);
      if (!scan) saveRoundTrips(client, { firstKeyIndependentOfServer: firstKey !== undefined && firstKey.type !== 'ssh-rsa' });
      // after connect(): ssh2 has paused the socket, so this listener does not start the flow
      sock.on('data', onData);
    } catch (e) {
      finish(new SshError('error', 'SSH_CONFIG', (e as Error).message));
    }
  });
}

function describeKey(key: ParsedKey): string {
  try {
    return `${key.type} ${fingerprint(key.getPublicSSH())}`;
  } catch {
    return key.type;
  }
}
