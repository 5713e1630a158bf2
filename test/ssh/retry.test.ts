// The pieces under the connector's retries and jump-host cap: backoff, what is retried, the limiter.
import { describe, expect, it } from 'vitest';
import { SshError } from '../../src/ssh/connection.js';
import { Limiter } from '../../src/ssh/limiter.js';
import { backoffMs, withRetries } from '../../src/ssh/retry.js';

const never = new AbortController().signal;

describe('backoff', () => {
  it('doubles up to the cap, half of each wait random', () => {
    const p = { retries: 5, baseMs: 100, maxMs: 500 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, { ...p, random: () => 0 }))).toEqual([50, 100, 200, 250, 250]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, { ...p, random: () => 0.999999 }))).toEqual([100, 200, 400, 500, 500]);
  });
});

describe('withRetries', () => {
  it('retries only retryable failures, at most `retries` times', async () => {
    let calls = 0;
    const closed = () => new SshError('error', 'CONNECTION_CLOSED', 'closed', true);
    await expect(withRetries(async () => { calls++; throw closed(); }, { retries: 2, baseMs: 1 }, never)).rejects.toMatchObject({ code: 'CONNECTION_CLOSED', message: 'closed (after 3 attempts)' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetries(async () => { calls++; throw new SshError('auth_failed', 'AUTH_FAILED', 'no'); }, { retries: 5, baseMs: 1 }, never)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(calls).toBe(1);
    calls = 0;
    expect(await withRetries(async (n) => { calls++; if (n < 2) throw closed(); return 'ok'; }, { retries: 2, baseMs: 1 }, never)).toBe('ok');
    expect(calls).toBe(3);
  });

  it('stops waiting when the deadline comes', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(new SshError('timeout', 'DEADLINE', 'deadline')), 50);
    const t0 = performance.now();
    await expect(withRetries(async () => { throw new SshError('error', 'ECONNRESET', 'reset', true); }, { retries: 3, baseMs: 10_000 }, c.signal)).rejects.toMatchObject({ code: 'DEADLINE' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('Limiter', () => {
  it('lets at most `max` through, in order, and drops a waiter whose signal aborts', async () => {
    const l = new Limiter(2);
    const r1 = await l.acquire(never);
    const r2 = await l.acquire(never);
    const order: string[] = [];
    const c = new AbortController();
    const gaveUp = l.acquire(c.signal).then(() => order.push('aborted one got in'), () => order.push('gave up'));
    const third = l.acquire(never).then((r) => (order.push('third'), r));
    c.abort(new Error('deadline'));
    await gaveUp;
    expect(l.inFlight).toBe(2);
    r1();
    r1(); // releasing twice frees one slot only
    const r3 = await third;
    expect(order).toEqual(['gave up', 'third']);
    expect(l.inFlight).toBe(2);
    r2();
    r3();
    expect([l.inFlight, l.peak]).toEqual([0, 2]);
  });
});
