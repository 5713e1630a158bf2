import { describe, expect, it } from 'vitest';
import type { AuditTarget } from '../../src/audit/audit-host.js';
import { runAudit, type RunOptions } from '../../src/audit/run.js';
import type { HostResult } from '../../src/model/report.js';

const target = (i: number): AuditTarget => ({ name: `vm${i}`, address: `127.0.0.${i}`, port: 22, user: 'root', identityFile: null, sudo: 'auto' });

const result = (t: AuditTarget, status: HostResult['status'] = 'compliant'): HostResult => ({
  name: t.name,
  address: t.address,
  port: t.port,
  user: t.user,
  status,
  durationMs: 1,
  findings: [],
  facts: null,
});

function options(auditOne: RunOptions['auditOne'], concurrency = 3, interrupt?: AbortSignal): RunOptions {
  const connector = { connect: () => Promise.reject(new Error('tests here never connect')) };
  return { concurrency, auditOne, connector, rules: [], timeoutMs: 1000, interrupt };
}

describe('runAudit', () => {
  it('keeps inventory order whatever order hosts finish in, and never exceeds the concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const targets = Array.from({ length: 20 }, (_, i) => target(i + 1));
    const finished: string[] = [];
    const report = await runAudit(
      targets,
      options(async (t) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, (29 * Number(t.name.slice(2))) % 17));
        inFlight -= 1;
        return result(t);
      }),
      { onHostResult: (r) => finished.push(r.name) },
    );
    expect(report.hosts.map((h) => h.name)).toEqual(targets.map((t) => t.name));
    expect(peak).toBeLessThanOrEqual(3);
    expect(finished).toHaveLength(20);
    expect(finished).not.toEqual(targets.map((t) => t.name)); // they really finished out of order
    expect(report.summary.hosts).toBe(20);
  });

  it('turns a thrown error into an error result instead of losing the host', async () => {
    const targets = [target(1), target(2), target(3)];
    const report = await runAudit(
      targets,
      options(async (t) => {
        if (t.name === 'vm2') throw new Error('boom');
        return result(t, 'noncompliant');
      }),
    );
    expect(report.hosts.map((h) => [h.name, h.status])).toEqual([
      ['vm1', 'noncompliant'],
      ['vm2', 'error'],
      ['vm3', 'noncompliant'],
    ]);
    expect(report.hosts[1]!.error).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(report.summary).toMatchObject({ hosts: 3, noncompliant: 2, error: 1, notAudited: 1 });
  });

  it('marks hosts not yet started as interrupted once the run is interrupted', async () => {
    const ctl = new AbortController();
    const targets = Array.from({ length: 6 }, (_, i) => target(i + 1));
    const report = await runAudit(
      targets,
      options(
        async (t) => {
          if (t.name === 'vm1') ctl.abort();
          return result(t);
        },
        1,
        ctl.signal,
      ),
    );
    expect(report.hosts[0]!.status).toBe('compliant');
    expect(report.hosts.slice(1).every((h) => h.status === 'interrupted' && h.error?.code === 'NOT_STARTED')).toBe(true);
    expect(report.summary.interrupted).toBe(5);
  });
});
