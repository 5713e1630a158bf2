// Shared by the SSH tests (not a test file): misbehaving servers on loopback addresses (ssh2's
// Server in-process, raw TCP listeners), a flaky proxy in front of a real sshd, and a runner for
// the built CLI (bin/vmsnap) with a private HOME so no ~/.ssh of the machine leaks in.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2, { type Connection, type ServerChannel, type ServerConfig } from 'ssh2';
import { generateEd25519KeyPair } from '../../src/fleet/openssh-key.js';
import { REPO, VMSNAP, cliEnv, fleetUnavailable, runCli, type CliRun } from '../helpers/cli.js';
import { listenOnFreshLoopback, randomLoopback, startTcpFake, type TcpFake } from '../helpers/loopback.js';

const { Server } = ssh2;

export { REPO, VMSNAP, fleetUnavailable, type CliRun };


/** True when dist/ has the CLI (the CLI tests run bin/vmsnap, which runs dist/: `npm run build`). */
export function cliBuilt(): boolean {
  return fs.existsSync(path.join(REPO, 'dist', 'src', 'cli', 'main.js')) && fs.existsSync(path.join(REPO, 'dist', 'src', 'collect', 'collector.py'));
}

export { randomLoopback };

const listen = (server: net.Server) => listenOnFreshLoopback(server);

export { startTcpFake, type TcpFake };

/** A loopback address and port where nothing listens (connections are refused). */
export async function closedPort(): Promise<{ address: string; port: number }> {
  const server = net.createServer();
  const where = await listen(server);
  await new Promise<void>((r) => server.close(() => r()));
  return where;
}

/**
 * A TCP proxy to `target` that drops its first `drop` connections the way sshd does past
 * MaxStartups: closed before the banner, or (`afterBanner`) right after it.
 */
export async function startFlakyProxy(target: { address: string; port: number }, drop: number, afterBanner = false): Promise<TcpFake> {
  return startTcpFake((s, n) => {
    if (n <= drop) {
      if (afterBanner) s.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
      else s.destroy();
      return;
    }
    const up = net.connect(target.port, target.address);
    up.on('error', () => s.destroy());
    s.on('close', () => up.destroy());
    up.on('close', () => s.destroy());
    s.pipe(up).pipe(s);
  });
}

export interface FakeSshOptions {
  /** ssh2 Server algorithms (e.g. a key exchange the client does not offer) */
  algorithms?: ServerConfig['algorithms'];
  /** delay before accepting a public key, to make connections in setup overlap */
  authDelayMs?: number;
  /** accept only these users (default any) */
  users?: string[];
  /** what an exec does */
  onExec?: (command: string, stream: ServerChannel, conn: Connection, socket: net.Socket) => void;
  /** forward direct-tcpip channels (a jump host) */
  forward?: boolean;
}

export interface FakeSsh {
  address: string;
  port: number;
  /** `ssh-ed25519 AAAA...` */
  hostKeyPublic: string;
  /** the known_hosts line for this server */
  knownHostsLine: string;
  stats: { connections: number; authenticated: number; inSetup: number; peakInSetup: number; forwards: number; execs: string[] };
  close(): Promise<void>;
}

/** An in-process SSH server (ssh2's Server) on a loopback address, port 0. */
export async function startFakeSsh(opts: FakeSshOptions = {}): Promise<FakeSsh> {
  const key = generateEd25519KeyPair('fake');
  const stats = { connections: 0, authenticated: 0, inSetup: 0, peakInSetup: 0, forwards: 0, execs: [] as string[] };
  const sockets = new Set<net.Socket>();
  const server = new Server({ hostKeys: [key.privateKey], ...(opts.algorithms ? { algorithms: opts.algorithms } : {}) });
  server.on('connection', (conn: Connection) => {
    stats.connections += 1;
    stats.inSetup += 1;
    stats.peakInSetup = Math.max(stats.peakInSetup, stats.inSetup);
    let ready = false;
    const socket = (conn as unknown as { _sock: net.Socket })._sock;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    conn.on('error', () => undefined);
    conn.on('close', () => {
      if (!ready) stats.inSetup -= 1;
    });
    conn.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || (opts.users && !opts.users.includes(ctx.username))) return ctx.reject(['publickey']);
      const accept = () => ctx.accept();
      if (opts.authDelayMs) setTimeout(accept, opts.authDelayMs);
      else accept();
    });
    conn.on('ready', () => {
      ready = true;
      stats.inSetup -= 1;
      stats.authenticated += 1;
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, info) => {
          stats.execs.push(info.command);
          const stream = acceptExec();
          if (opts.onExec) opts.onExec(info.command, stream, conn, socket);
          else {
            stream.exit(0);
            stream.end();
          }
        });
      });
      conn.on('tcpip', (accept, reject, info) => {
        if (!opts.forward) return reject();
        stats.forwards += 1;
        const up = net.connect(info.destPort, info.destIP);
        up.once('error', () => reject());
        up.once('connect', () => {
          const ch = accept();
          ch.on('error', () => undefined);
          ch.on('close', () => up.destroy());
          up.on('close', () => ch.destroy());
          ch.pipe(up).pipe(ch);
        });
      });
    });
  });
  const { address, port } = await listen(server);
  const name = port === 22 ? address : `[${address}]:${port}`;
  return {
    address,
    port,
    hostKeyPublic: key.publicKeyNoComment,
    knownHostsLine: `${name} ${key.publicKeyNoComment}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A private HOME for the CLI (no ~/.ssh of the machine), made once per test file. */
export function privateHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-home-'));
}


/** Runs `bin/vmsnap ...args` with a private HOME (see runCli); killed after killAfterMs (default 40 s). */
export function vmsnap(args: string[], opts: { home: string; env?: NodeJS.ProcessEnv; killAfterMs?: number }): Promise<CliRun> {
  return runCli(args, { killAfterMs: 40_000, ...opts });
}

/** Starts `bin/vmsnap ...args` and hands back the child (for signals) and its outcome. */
export function spawnVmsnap(args: string[], opts: { home: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<CliRun> } {
  const started = performance.now();
  const child = spawn(VMSNAP, args, { env: cliEnv(opts.home, opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  return { child, done };
}

export function describeRun(r: CliRun): string {
  const clip = (s: string) => (s.length > 4000 ? `${s.slice(0, 4000)}\n... (${s.length} chars)` : s);
  return `exit ${r.code ?? `signal ${r.signal}`} after ${Math.round(r.ms)} ms\n--- stderr ---\n${clip(r.stderr)}\n--- stdout ---\n${clip(r.stdout)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
