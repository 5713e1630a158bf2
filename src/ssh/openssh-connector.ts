// The connector the CLI uses: connects to a host the way `ssh <host>` would from this jump box.
//
//  - ssh_config: the inventory's host looked up like a command-line name (resolve.ts), with
//    flags > inventory > ssh_config > defaults;
//  - jump hosts (ProxyJump, the inventory's jump, --jump): one connection per jump host, shared by
//    every host behind it, each hop's host key verified; the next hop is reached through a
//    `direct-tcpip` channel (ssh2 forwardOut) used as the next connection's socket; at most
//    `jumpMaxStartups` connections are being set up through one jump host at once, because sshd's
//    default MaxStartups (10:30:100) starts dropping unauthenticated connections at 10;
//  - host keys: strict, or accept-new (host-keys.ts), every known_hosts file read once per run;
//  - retries: connection-level failures before the session is ready (retry.ts), never after the
//    connection has been handed out, never beyond the caller's deadline.
import os from 'node:os';
import type { Duplex } from 'node:stream';
import type { Client as SshClient } from 'ssh2';
import { SshConnection, SshError, abortReason, type Identity } from './connection.js';
import type { Connector } from './connector.js';
import { HostKeyStore, knownHostsLine, type HostKeyChecker } from './host-keys.js';
import { defaultIdentityFiles, IdentityError, type IdentityStore } from './identities.js';
import { blobKeyType, fingerprint, hostString } from './known-hosts.js';
import { Limiter } from './limiter.js';
import { endpointId, Resolver, type Endpoint, type Route, type RouteTarget } from './resolve.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { SshConfigError, type SshConfig } from './ssh-config.js';
import { InternalError } from '../errors.js';

export const DEFAULT_RETRIES = 2;
export const DEFAULT_JUMP_MAX_STARTUPS = 8;

/** One lane's part of a jump host's start-up cap when `lanes` threads each connect through it (at least 1). */
export function jumpShare(cap: number, lanes: number): number {
  return Math.max(1, Math.floor(cap / lanes));
}
export const DEFAULT_JUMP_TIMEOUT_MS = 30_000;

export interface OpenSshConnectorOptions {
  config: SshConfig;
  identities: IdentityStore;
  /** the run's known_hosts files (made here when not given) */
  hostKeys?: HostKeyStore | undefined;
  env: NodeJS.ProcessEnv;
  /** the local home folder (`~`, ~/.ssh/...) */
  home?: string | undefined;
  /** --known-hosts */
  knownHostsFile?: string | undefined;
  /** --accept-new */
  acceptNew?: boolean | undefined;
  /** --jump */
  jump?: string | undefined;
  /** --retries (default 2) */
  retries?: number | undefined;
  /** per jump host: connections being set up through it at once (default 8) */
  jumpMaxStartups?: number | undefined;
  /** how long connecting to a jump host may take; it is shared, so no one host's deadline governs it */
  jumpTimeoutMs?: number | undefined;
  /** backoff tuning (tests) */
  backoff?: Omit<RetryPolicy, 'retries'> | undefined;
  /** OpenSSH's default identity files (default ~/.ssh/id_ed25519, id_ecdsa, id_rsa) */
  defaultIdentityFiles?: string[] | undefined;
}

/** What `vmsnap keyscan` learns about one host. */
export interface ScanResult {
  hostName: string;
  port: number;
  /** the jump hosts it was reached through */
  via: string[];
  keyType: string;
  fingerprint: string;
  /** how the key compares with the known_hosts files the host would be checked against */
  verdict: 'match' | 'unknown' | 'changed' | 'revoked';
  /** the verdict in words (for changed and revoked keys: which lines) */
  message: string;
  /** the known_hosts line that would add this key (hashed when the file uses hashing) */
  line: string;
  /** the file the line belongs in */
  knownHostsFile: string;
}

interface JumpEntry {
  conn: Promise<SshConnection>;
  limiter: Limiter;
}

export class OpenSshConnector implements Connector {
  readonly hostKeys: HostKeyStore;
  private readonly resolver: Resolver;
  private readonly policy: RetryPolicy;
  private jumpCap: number;
  private readonly jumps = new Map<string, JumpEntry>();
  private readonly closing = new AbortController();

  constructor(private readonly opts: OpenSshConnectorOptions) {
    const home = opts.home ?? os.homedir();
    this.hostKeys = opts.hostKeys ?? new HostKeyStore();
    this.resolver = new Resolver({
      config: opts.config,
      home,
      env: opts.env,
      knownHostsFile: opts.knownHostsFile,
      acceptNew: opts.acceptNew,
      jump: opts.jump,
      defaultIdentityFiles: opts.defaultIdentityFiles ?? defaultIdentityFiles(home),
    });
    this.policy = { ...opts.backoff, retries: opts.retries ?? DEFAULT_RETRIES };
    this.jumpCap = opts.jumpMaxStartups ?? DEFAULT_JUMP_MAX_STARTUPS;
  }

  /**
   * This connector is one of `lanes` (--workers) that each connect through the same jump hosts:
   * from now on it keeps to its share of the cap. Called before the first host.
   */
  shareJumpStartups(lanes: number): void {
    if (this.jumps.size > 0) throw new InternalError('shareJumpStartups must be called before the first connection through a jump host');
    this.jumpCap = jumpShare(this.opts.jumpMaxStartups ?? DEFAULT_JUMP_MAX_STARTUPS, lanes);
  }

  /** How `t` is reached. Throws SshError SSH_CONFIG when ssh_config or a jump spec makes no sense for it. */
  route(t: RouteTarget): Route {
    try {
      return this.resolver.route(t);
    } catch (e) {
      if (e instanceof SshConfigError) throw new SshError('error', 'SSH_CONFIG', e.message);
      throw e;
    }
  }

  /**
   * Before the run: resolves every host, reads every identity file and known_hosts file they need
   * (so an encrypted key's passphrase is asked for once, before any deadline runs). Returns what
   * the user should know: ssh_config settings vmsnap does not honour for some hosts.
   */
  async prepare(targets: readonly RouteTarget[]): Promise<string[]> {
    const notHonoured = new Map<string, number>();
    const endpoints = new Map<string, Endpoint>();
    for (const t of targets) {
      let r: Route;
      try {
        r = this.route(t);
      } catch {
        continue; // the host's own result will say why
      }
      for (const k of r.notHonoured) notHonoured.set(k, (notHonoured.get(k) ?? 0) + 1);
      for (const e of [...r.jumps, r.target]) endpoints.set(endpointId(e) + '\0' + e.knownHostsFiles.join('\0'), e);
    }
    const files = new Set<string>();
    const khFiles = new Set<string>();
    for (const e of endpoints.values()) {
      for (const i of e.identities) files.add(i.file);
      for (const f of e.knownHostsFiles) khFiles.add(f);
    }
    // one at a time: a passphrase prompt must not be raced by a second one
    for (const f of files) await this.opts.identities.load(f).catch(() => undefined);
    await Promise.all([...khFiles].map((f) => this.hostKeys.load(f).catch(() => undefined)));

    const warnings: string[] = [];
    if (notHonoured.size > 0) {
      const list = [...notHonoured].map(([k, n]) => `${k} (${n} host${n === 1 ? '' : 's'})`).join(', ');
      warnings.push(`ssh_config settings vmsnap does not honour apply to some hosts, which it connects to without them: ${list} (see README, SSH)`);
    }
    const matches = this.opts.config.matchLines();
    if (matches.length > 0) {
      const at = matches.slice(0, 3).map((m) => `${m.file}:${m.line}`).join(', ');
      warnings.push(`ssh_config Match blocks are not supported and never apply: ${at}${matches.length > 3 ? ', ...' : ''}`);
    }
    return warnings;
  }

  /** After prepare(): whether an encrypted key needed the passphrase prompt. */
  usedPassphrasePrompt(): boolean {
    return this.opts.identities.prompted;
  }

  async connect(t: RouteTarget, signal: AbortSignal): Promise<SshConnection> {
    const route = this.route(t);
    return this.connectEndpoint(route.target, route.jumps, signal);
  }

  /** Fetches `t`'s host key (through its jump hosts, which are authenticated to) without authenticating to `t`. */
  async scan(t: RouteTarget, signal: AbortSignal): Promise<ScanResult> {
    const route = this.route(t);
    return this.scanEndpoint(route.target, route.jumps, signal);
  }

  /** Fetches `ep`'s host key through `jumps` (a jump host itself is scanned through the ones before it). */
  async scanEndpoint(ep: Endpoint, jumps: Endpoint[], signal: AbortSignal): Promise<ScanResult> {
    const checker = await this.checker(ep, 'strict');
    const key = await withRetries(
      async () => {
        const hop = jumps.length > 0 ? await this.forward(jumps, ep, signal) : null;
        try {
          return await SshConnection.fetchHostKey({
            host: ep.hostName,
            port: ep.port,
            knownHosts: checker,
            signal,
            sock: hop?.stream,
            connectTimeoutMs: ep.connectTimeoutMs,
          });
        } finally {
          hop?.release();
        }
      },
      this.policy,
      signal,
    );
    const verdict = await checker.verify(ep.hostName, ep.port, key);
    const primary = ep.knownHostsFiles[0]!;
    const hashed = ep.hashKnownHosts || (await this.hostKeys.load(primary).then((k) => k.usesHashing, () => false));
    return {
      hostName: ep.hostName,
      port: ep.port,
      via: jumps.map(endpointId),
      keyType: blobKeyType(key) ?? 'unknown',
      fingerprint: fingerprint(key),
      verdict: verdict.ok ? 'match' : verdict.code === 'HOSTKEY_UNKNOWN' ? 'unknown' : verdict.code === 'HOSTKEY_CHANGED' ? 'changed' : 'revoked',
      message: verdict.ok ? `${hostString(ep.hostName, ep.port)} matches ${primary}` : verdict.message,
      line: knownHostsLine(ep.hostName, ep.port, key, hashed),
      knownHostsFile: primary,
    };
  }

  /** Ends every jump host connection. */
  close(): void {
    this.closing.abort(new SshError('interrupted', 'CLOSED', 'the connector was closed'));
    for (const [k, e] of this.jumps) {
      this.jumps.delete(k);
      e.conn.then((c) => c.close(), () => undefined);
    }
  }

  /** Jump hosts and how far each got: for tests and diagnostics. */
  jumpStats(): Array<{ via: string; peakInFlight: number }> {
    return [...this.jumps].map(([via, e]) => ({ via, peakInFlight: e.limiter.peak }));
  }

  // ---- internals -----------------------------------------------------------------------------------

  private async connectEndpoint(ep: Endpoint, jumps: Endpoint[], signal: AbortSignal): Promise<SshConnection> {
    const { identities, notes } = await this.identitiesFor(ep);
    const knownHosts = await this.checker(ep, ep.hostKeyMode);
    return withRetries(
      async () => {
        const hop = jumps.length > 0 ? await this.forward(jumps, ep, signal) : null;
        try {
          return await SshConnection.connect({
            host: ep.hostName,
            port: ep.port,
            username: ep.user,
            identities,
            identityNotes: notes,
            agent: ep.agent,
            knownHosts,
            signal,
            sock: hop?.stream,
            connectTimeoutMs: ep.connectTimeoutMs,
            keepaliveIntervalMs: ep.keepaliveIntervalMs,
            keepaliveCountMax: ep.keepaliveCountMax,
          });
        } finally {
          hop?.release();
        }
      },
      this.policy,
      signal,
    );
  }

  private async checker(ep: Endpoint, mode: Endpoint['hostKeyMode']): Promise<HostKeyChecker> {
    try {
      return await this.hostKeys.checker(ep.knownHostsFiles, mode, ep.hashKnownHosts);
    } catch (e) {
      throw new SshError('error', 'KNOWN_HOSTS_UNREADABLE', (e as Error).message);
    }
  }

  private async identitiesFor(ep: Endpoint): Promise<{ identities: Identity[]; notes: string[] }> {
    const identities: Identity[] = [];
    const notes: string[] = [];
    for (const spec of ep.identities) {
      try {
        identities.push(await this.opts.identities.load(spec.file));
      } catch (e) {
        if (spec.required || !(e instanceof IdentityError)) throw e;
        if (spec.source === 'default' && e.code === 'IDENTITY_UNREADABLE') continue; // a missing default key is normal
        notes.push(e.message);
      }
    }
    return { identities, notes };
  }

  /**
   * A channel from the last of `jumps` to `ep`, holding one of that jump host's setup slots until
   * `release` is called (when the connection over it is ready or has failed).
   */
  private async forward(jumps: Endpoint[], ep: Endpoint, signal: AbortSignal): Promise<{ stream: Duplex; release: () => void }> {
    const entry = this.jumpEntry(jumps);
    const last = jumps[jumps.length - 1]!;
    const conn = await raceSignal(entry.conn, signal).catch((e: unknown) => {
      throw viaJump(e, last);
    });
    const release = await entry.limiter.acquire(signal);
    try {
      const stream = await forwardOut(conn.sshClient, ep.hostName, ep.port, signal, last);
      return { stream, release };
    } catch (e) {
      release();
      throw e;
    }
  }

  /** The shared connection to the last of `jumps` (opened on first use, through the ones before it). */
  private jumpEntry(jumps: Endpoint[]): JumpEntry {
    const key = jumps.map(endpointId).join(' > ');
    let entry = this.jumps.get(key);
    if (entry) return entry;
    const made: JumpEntry = { conn: this.openJump(jumps), limiter: new Limiter(this.jumpCap) };
    this.jumps.set(key, made);
    made.conn.then(
      (c) =>
        c.sshClient.once('close', () => {
          if (this.jumps.get(key) === made) this.jumps.delete(key); // gone: the next host opens a new one
        }),
      (e: unknown) => {
        // a failure that will not change (bad key, refused, config) is remembered for the run, so
        // 2,000 hosts behind a broken jump host do not knock on it 2,000 times; a timeout is not
        const lasting = e instanceof SshError && e.kind !== 'timeout' && e.kind !== 'interrupted' && !e.retryable;
        if (!lasting && this.jumps.get(key) === made) this.jumps.delete(key);
      },
    );
    entry = made;
    return entry;
  }

  private async openJump(jumps: Endpoint[]): Promise<SshConnection> {
    const ep = jumps[jumps.length - 1]!;
    const before = jumps.slice(0, -1);
    const timeoutMs = this.opts.jumpTimeoutMs ?? DEFAULT_JUMP_TIMEOUT_MS;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new SshError('timeout', 'JUMP_TIMEOUT', `no SSH session within ${timeoutMs / 1000} s`)), timeoutMs);
    timer.unref();
    const onClose = () => ctl.abort(this.closing.signal.reason);
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    try {
      return await this.connectEndpoint(ep, before, ctl.signal);
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener('abort', onClose);
    }
  }
}

/** A jump host's failure as the host behind it reports it: same status and code, the jump host named. */
function viaJump(e: unknown, jump: Endpoint): unknown {
  if (!(e instanceof SshError)) return e;
  if (e.message.startsWith('via ')) return e;
  return new SshError(e.kind, e.code, `via ${jump.label} (${endpointId(jump)}): ${e.message}`, false);
}

function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

// RFC 4254 channel open failure reasons
const OPEN_PROHIBITED = 1;
const OPEN_CONNECT_FAILED = 2;

/** A direct-tcpip channel through `client` to host:port (what `ssh -W host:port jump` opens). */
function forwardOut(client: SshClient, host: string, port: number, signal: AbortSignal, jump: Endpoint): Promise<Duplex> {
  const via = `via ${jump.label} (${endpointId(jump)})`;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      signal.removeEventListener('abort', onAbort);
      if (settled) {
        stream?.destroy();
        return;
      }
      settled = true;
      if (!err) return resolve(stream);
      const reason = (err as Error & { reason?: number }).reason;
      const target = hostString(host, port);
      if (reason === OPEN_PROHIBITED) {
        return reject(new SshError('unreachable', 'JUMP_FORWARD_REFUSED', `${via}: the jump host may not forward to ${target} (AllowTcpForwarding or PermitOpen): ${err.message}`));
      }
      if (reason === OPEN_CONNECT_FAILED) {
        const refused = /refused/i.test(err.message);
        return reject(new SshError('unreachable', refused ? 'ECONNREFUSED' : 'JUMP_CONNECT_FAILED', `${via}: the jump host could not connect to ${target}: ${err.message}`));
      }
      if (/No response|Not connected/i.test(err.message)) {
        // the jump host connection went away: the next attempt opens a new one
        return reject(new SshError('error', 'CONNECTION_CLOSED', `${via}: the jump host connection closed: ${err.message}`, true));
      }
      reject(new SshError('unreachable', 'JUMP_CONNECT_FAILED', `${via}: cannot open a channel to ${target}: ${err.message}`));
    });
  });
}
