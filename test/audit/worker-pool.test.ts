// The --workers pool under runAudit, without a fleet: how many workers a run asks for, results in
// inventory order from the worker threads, a worker that dies mid-run (the test-only hook
// VMSNAP_TEST_WORKER_CRASH), this thread as one more lane, and an interrupt relayed to hosts in flight in the workers. The
// threads run the built worker (dist/src/audit/host-worker.js): `npm run build` first.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditTarget } from '../../src/audit/audit-host.js';
import { runAudit } from '../../src/audit/run.js';
import { requestedWorkers, WorkerPool, type WorkerSetup } from '../../src/audit/worker-pool.js';
import { REPO } from '../helpers/cli.js';
import { startTcpFake, type TcpFake } from '../helpers/loopback.js';
import type { Connector } from '../../src/ssh/connector.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-worker-pool-'));
const kh = path.join(home, 'known_hosts');
fs.writeFileSync(kh, '');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const setup: WorkerSetup = { ssh: { sshConfig: 'none', knownHosts: kh, env: {}, home, retries: 0 }, timeoutMs: 20_000, ruleIds: [] };
// the main thread never connects here: every host goes to a worker
const noConnector: Connector = { connect: () => Promise.reject(new Error('the main thread was asked to connect')) };

/** A host the inventory already shows as unreachable: auditHost answers without connecting. */
const unavailable = (i: number): AuditTarget => ({
  name: `vm${i}`,
  address: `192.0.2.${i}`,
  port: 22,
  user: 'root',
  identityFile: null,
  sudo: 'auto',
  unavailable: { status: 'unreachable', code: 'NO_ADDRESS', message: `vm${i} has no address` },
});

describe('requestedWorkers', () => {
  it('the library default is 1; a number is taken as given; auto is the cores, but one per 32 hosts', () => {
    expect(requestedWorkers(undefined, 1000, 8)).toBe(1);
    expect(requestedWorkers(3, 2, 8)).toBe(3);
    expect(requestedWorkers('auto', 3, 8)).toBe(1);
    expect(requestedWorkers('auto', 32, 8)).toBe(1);
    expect(requestedWorkers('auto', 33, 8)).toBe(2);
    expect(requestedWorkers('auto', 1000, 8)).toBe(8);
    expect(requestedWorkers('auto', 1000, 2)).toBe(2);
    expect(requestedWorkers('auto', 0, 2)).toBe(1);
  });
});

describe('WorkerPool', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(REPO, 'dist', 'src', 'audit', 'host-worker.js'))) throw new Error('dist/src/audit/host-worker.js is missing: run `npm run build` first');
  });

  it('audits in the workers, in inventory order, and ends them with the run', async () => {
    const pool = new WorkerPool(2, setup);
    expect(pool.alive).toBe(2);
    const targets = Array.from({ length: 10 }, (_, i) => unavailable(i + 1));
    try {
      const report = await runAudit(targets, { concurrency: 4, connector: noConnector, rules: [], timeoutMs: 1000, auditOne: pool.auditOne });
      expect(report.hosts.map((h) => [h.name, h.status, h.error?.code])).toEqual(targets.map((t) => [t.name, 'unreachable', 'NO_ADDRESS']));
      expect(pool.alive).toBe(2);
    } finally {
      await pool.close();
    }
    await new Promise((r) => setImmediate(r));
    expect(pool.alive).toBe(0);
  });

  it('a worker that dies: its hosts end as WORKER_FAILED, the others go on in the other worker', async () => {
    const before = process.env['VMSNAP_TEST_WORKER_CRASH'];
    process.env['VMSNAP_TEST_WORKER_CRASH'] = 'vm3'; // a worker's environment is copied when it starts
    const pool = new WorkerPool(2, setup);
    if (before === undefined) delete process.env['VMSNAP_TEST_WORKER_CRASH'];
    else process.env['VMSNAP_TEST_WORKER_CRASH'] = before;
    const targets = Array.from({ length: 12 }, (_, i) => unavailable(i + 1));
    try {
      const report = await runAudit(targets, { concurrency: 3, connector: noConnector, rules: [], timeoutMs: 1000, auditOne: pool.auditOne });
      expect(report.hosts.map((h) => h.name)).toEqual(targets.map((t) => t.name));
      expect(report.hosts[2]).toMatchObject({ status: 'error', error: { code: 'WORKER_FAILED', message: expect.stringMatching(/test-only crash .* host vm3$/) as string } });
      const failed = report.hosts.filter((h) => h.error?.code === 'WORKER_FAILED');
      expect(failed.length).toBeLessThanOrEqual(3); // -j 3
      expect(report.hosts.slice(-6).every((h) => h.error?.code === 'NO_ADDRESS')).toBe(true);
      expect(pool.alive).toBe(1);
    } finally {
      await pool.close();
    }
  });

  describe('with this thread as one more lane (inline, as --workers N runs)', () => {
    let closing: TcpFake;
    beforeAll(async () => {
      closing = await startTcpFake((sock) => sock.destroy()); // a worker's hosts: reset at once
    });
    afterAll(() => closing?.close());
    const target = (i: number): AuditTarget => ({ name: `h${i}`, address: closing.address, port: closing.port, user: 'root', identityFile: null, sudo: 'auto' });
    /** this thread's connector: records the hosts it is asked for, and fails them recognisably */
    const hereConnector = (here: string[]): Connector => ({
      connect: (t) => {
        here.push(t.name);
        return Promise.reject(new Error('audited in this thread'));
      },
    });

    it('shares the hosts between the worker and this thread, the first (a tie) to the worker, each once and in order', async () => {
      const pool = new WorkerPool(1, setup, { inline: true });
      const here: string[] = [];
      const targets = Array.from({ length: 12 }, (_, i) => target(i + 1));
      try {
        const report = await runAudit(targets, { concurrency: 4, connector: hereConnector(here), rules: [], timeoutMs: 5000, auditOne: pool.auditOne });
        expect(report.hosts.map((h) => h.name)).toEqual(targets.map((t) => t.name));
        const inThisThread = report.hosts.filter((h) => h.error?.message.includes('audited in this thread')).map((h) => h.name);
        expect(inThisThread.sort()).toEqual([...here].sort());
        expect(here.length).toBeGreaterThan(0);
        expect(here.length).toBeLessThan(targets.length);
        expect(here).not.toContain('h1');
        // the worker's own connector tried it: reset (or closed, when ssh2 saw the close first)
        expect(report.hosts[0]?.error?.message).not.toContain('audited in this thread');
        expect(['ECONNRESET', 'CONNECTION_CLOSED']).toContain(report.hosts[0]?.error?.code);
      } finally {
        await pool.close();
      }
    });

    it('when its worker dies, the rest of the run goes on in this thread', async () => {
      const before = process.env['VMSNAP_TEST_WORKER_CRASH'];
      process.env['VMSNAP_TEST_WORKER_CRASH'] = 'h1';
      const pool = new WorkerPool(1, setup, { inline: true });
      if (before === undefined) delete process.env['VMSNAP_TEST_WORKER_CRASH'];
      else process.env['VMSNAP_TEST_WORKER_CRASH'] = before;
      const here: string[] = [];
      const targets = Array.from({ length: 8 }, (_, i) => target(i + 1));
      try {
        // -j 1: h1 goes to the worker (a tie) and ends it; every later host finds no worker alive
        const report = await runAudit(targets, { concurrency: 1, connector: hereConnector(here), rules: [], timeoutMs: 5000, auditOne: pool.auditOne });
        expect(report.hosts.map((h) => h.name)).toEqual(targets.map((t) => t.name));
        expect(report.hosts[0]?.error?.code).toBe('WORKER_FAILED');
        expect(pool.alive).toBe(0);
        expect(here).toEqual(targets.slice(1).map((t) => t.name));
      } finally {
        await pool.close();
      }
    });
  });

  describe('interrupt', () => {
    let hung: TcpFake;
    beforeAll(async () => {
      hung = await startTcpFake(() => undefined); // accepts, never says a word
    });
    afterAll(() => hung?.close());

    it('is relayed to the workers: hosts in flight there end as interrupted and still report', async () => {
      const pool = new WorkerPool(2, setup);
      const ctl = new AbortController();
      const target = (name: string): AuditTarget => ({ name, address: hung.address, port: hung.port, user: 'root', identityFile: null, sudo: 'auto' });
      const targets = [target('a'), target('b'), target('c')];
      try {
        const run = runAudit(targets, { concurrency: 2, connector: noConnector, rules: [], timeoutMs: 20_000, interrupt: ctl.signal, auditOne: pool.auditOne });
        for (let i = 0; hung.accepted() < 2 && i < 200; i++) await new Promise((r) => setTimeout(r, 50));
        expect(hung.accepted()).toBe(2);
        const sent = performance.now();
        ctl.abort();
        const report = await run;
        expect(performance.now() - sent).toBeLessThan(2000);
        expect(report.hosts.map((h) => [h.name, h.status, h.error?.code])).toEqual([
          ['a', 'interrupted', 'INTERRUPTED'],
          ['b', 'interrupted', 'INTERRUPTED'],
          ['c', 'interrupted', 'NOT_STARTED'],
        ]);
      } finally {
        await pool.close();
      }
    });
  });
});
