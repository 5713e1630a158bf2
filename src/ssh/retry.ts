// Retrying a connection attempt that failed at the connection level before the session was ready
// (reset, or closed by the server before or right after its banner, as sshd does past MaxStartups),
// with exponential backoff and jitter. Never retried: authentication and host key failures, a
// refused connection, the deadline, an interruption: the caller's signal ends the waiting too.
import { SshError } from './connection.js';
import { abortError } from '../util/abort.js';

export interface RetryPolicy {
  /** attempts after the first (--retries) */
  retries: number;
  /** first backoff in ms, doubled each time (default 250) */
  baseMs?: number;
  /** longest backoff in ms (default 4000) */
  maxMs?: number;
  /** [0, 1) source of jitter (tests pass a fixed one) */
  random?: () => number;
}

export function isRetryable(e: unknown): boolean {
  return e instanceof SshError && e.retryable;
}

/** The wait before attempt `n` (n >= 1): half of base*2^(n-1) fixed, the other half random ("equal jitter"). */
export function backoffMs(n: number, p: RetryPolicy): number {
  const base = p.baseMs ?? 250;
  const cap = p.maxMs ?? 4000;
  const d = Math.min(cap, base * 2 ** (n - 1));
  return Math.round(d / 2 + (p.random ?? Math.random)() * (d / 2));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `attempt` until it succeeds, fails for good, or the retries are spent. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, p: RetryPolicy, signal: AbortSignal): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!isRetryable(e) || n >= p.retries || signal.aborted) {
        if (n > 0 && e instanceof SshError && !signal.aborted) {
          throw new SshError(e.kind, e.code, `${e.message} (after ${n + 1} attempts)`, e.retryable);
        }
        throw e;
      }
      await sleep(backoffMs(n + 1, p), signal);
    }
  }
}
