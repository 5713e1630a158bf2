// --workers: the per-host work (SSH handshake, collect, judge) spread over threads, so a jump box
// uses every core. --workers N is N threads in all: this one audits a share of the hosts beside
// N - 1 worker threads (the inline lane), since each worker costs a V8 isolate of its own (~20 MB,
// ~0.2 s of CPU to start and to compile the same hot code again). Main keeps everything that spans
// hosts: -j's p-limit, report order, reporters, waivers and drift, the interrupt. A worker gets one
// AuditTarget at a time and posts back its HostResult, both plain data. A worker that dies loses no
// host: each one it had in flight becomes an `error` result (WORKER_FAILED), and later hosts go to
// the other lanes, or all run in this thread when no worker is left.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { HostResult } from '../model/report.js';
import type { SshOptions } from '../ssh/open.js';
import { auditHost, type AuditDeps, type AuditTarget } from './audit-host.js';
import { firstBeside } from '../util/beside-module.js';

/** The default's share: fewer hosts than this per worker do not repay a thread's start-up. */
export const HOSTS_PER_WORKER = 32;

/** How many threads (the main one among them) were asked for: a number as given, 'auto' the cores but one per HOSTS_PER_WORKER hosts, default 1. */
export function requestedWorkers(workers: number | 'auto' | undefined, hosts: number, cores = availableParallelism()): number {
  if (workers === 'auto') return Math.max(1, Math.min(cores, Math.ceil(hosts / HOSTS_PER_WORKER)));
  return workers ?? 1;
}

export interface PoolOptions {
  /** the worker's entry (default: the build's, found beside this module) */
  url?: URL;
  /** this thread audits hosts too, as one more lane (session.ts: --workers N = N - 1 threads + this one) */
  inline?: boolean;
}

/** What a worker builds its connector and rules from: structured-clone data only (no passphrase prompt). */
export interface WorkerSetup {
  ssh: Omit<SshOptions, 'passphrase'> & { passphrase?: string | undefined };
  /** how long connecting to a jump host may take (each host's own deadline comes with the host) */
  timeoutMs: number;
  /** the run's rules, in order */
  ruleIds: string[];
}

export type ToWorker = { type: 'host'; id: number; target: AuditTarget; deps: Pick<AuditDeps, 'timeoutMs' | 'maxConfigBytes'> } | { type: 'interrupt' };
export type FromWorker = { type: 'result'; id: number; result: HostResult };

interface InFlight {
  target: AuditTarget;
  started: number;
  resolve: (r: HostResult) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, InFlight>;
  alive: boolean;
}

/**
 * The worker's entry: beside this module in dist/src/audit, and the same file from the CLI's bundle
 * in dist/src/cli; from the sources (vitest runs src/), the built one, as a thread cannot load .ts.
 * The build's one-file bundle of it (scripts/bundle.ts) when there is one: a thread then starts in
 * about half the CPU.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  const dir = here.endsWith('.ts') ? '../../dist/src/audit/' : '../audit/';
  return firstBeside(here, [`${dir}host-worker.bundle.js`]) ?? new URL(`${dir}host-worker.js`, here);
}

function workerFailed(f: InFlight, message: string): HostResult {
  const t = f.target;
  return {
    name: t.name,
    address: t.address,
    port: t.port,
    user: t.user,
    status: 'error',
    durationMs: Math.round(performance.now() - f.started),
    error: { code: 'WORKER_FAILED', message: `the worker thread auditing this host failed: ${message}` },
    findings: [],
    facts: null,
  };
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;
  private readonly inline: boolean;
  /** hosts in flight in this thread's lane */
  private inlineInFlight = 0;
  /** the run's interrupt signals (one, in practice), relayed to every worker */
  private readonly watched = new Set<AbortSignal>();
  private readonly onInterrupt = () => {
    for (const s of this.slots) if (s.alive) s.worker.postMessage({ type: 'interrupt' } satisfies ToWorker);
  };

  /** Starts `threads` workers; throws (having ended those it started) when one cannot be started. */
  constructor(threads: number, setup: WorkerSetup, { url = workerUrl(), inline = false }: PoolOptions = {}) {
    this.inline = inline;
    try {
      for (let i = 0; i < threads; i++) this.slots.push(this.start(url, setup));
    } catch (e) {
      void this.close();
      throw e;
    }
  }

  /** Workers still running. */
  get alive(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /**
   * RunOptions.auditOne: the host goes to the lane with the fewest hosts in flight. A tie goes to a
   * worker, so this thread, which also runs the reporters and reads the workers' results, has the
   * lighter share.
   */
  readonly auditOne = (t: AuditTarget, deps: AuditDeps): Promise<HostResult> => {
    this.watch(deps.interrupt);
    let slot: Slot | null = null;
    for (const s of this.slots) if (s.alive && (!slot || s.inFlight.size < slot.inFlight.size)) slot = s;
    if (!slot) return auditHost(t, deps); // every worker is gone: the rest of the run goes on here
    if (this.inline && this.inlineInFlight < slot.inFlight.size) return this.auditHere(t, deps);
    const chosen = slot;
    const id = this.nextId++;
    return new Promise<HostResult>((resolve) => {
      chosen.inFlight.set(id, { target: t, started: performance.now(), resolve });
      try {
        chosen.worker.postMessage({ type: 'host', id, target: t, deps: { timeoutMs: deps.timeoutMs, maxConfigBytes: deps.maxConfigBytes } } satisfies ToWorker);
      } catch {
        // a target that is not plain data (a library caller's own fields) cannot cross: audit it here
        chosen.inFlight.delete(id);
        resolve(this.auditHere(t, deps));
      }
    });
  };

  private async auditHere(t: AuditTarget, deps: AuditDeps): Promise<HostResult> {
    this.inlineInFlight += 1;
    try {
      return await auditHost(t, deps);
    } finally {
      this.inlineInFlight -= 1;
    }
  }

  /** Ends every worker (and with them their SSH connections); nothing of the pool keeps the process alive. */
  async close(): Promise<void> {
    this.closed = true;
    for (const signal of this.watched) signal.removeEventListener('abort', this.onInterrupt);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Relays `signal` to the workers (at once when it is already aborted, so before the next host). */
  private watch(signal: AbortSignal | undefined): void {
    if (!signal || this.watched.has(signal)) return;
    this.watched.add(signal);
    if (signal.aborted) this.onInterrupt();
    else signal.addEventListener('abort', this.onInterrupt, { once: true });
  }

  private start(url: URL, setup: WorkerSetup): Slot {
    const slot: Slot = { worker: new Worker(url, { workerData: setup }), inFlight: new Map(), alive: true };
    slot.worker.on('message', (m: FromWorker) => {
      const f = slot.inFlight.get(m.id);
      if (!f) return;
      slot.inFlight.delete(m.id);
      f.resolve(m.result);
    });
    slot.worker.on('error', (e: unknown) => this.fail(slot, (e as Error)?.message ?? String(e)));
    slot.worker.on('messageerror', (e: unknown) => this.fail(slot, `a message could not be read: ${(e as Error)?.message ?? String(e)}`));
    slot.worker.on('exit', (code: number) => this.fail(slot, `it exited (code ${code})`));
    return slot;
  }

  /** The worker is gone (or no longer to be trusted): its hosts in flight end as errors, never lost. */
  private fail(slot: Slot, message: string): void {
    if (!slot.alive) return;
    slot.alive = false;
    for (const f of slot.inFlight.values()) f.resolve(workerFailed(f, message));
    slot.inFlight.clear();
    if (!this.closed) void slot.worker.terminate();
  }
}
