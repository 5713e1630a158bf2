// One run: fan out over the selected hosts with a concurrency cap, and never lose a result
// (as p-map: each task settles to a HostResult, the report keeps inventory order).
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { SCHEMA_VERSION, summarize, type HostResult, type Report } from '../model/report.js';
import { VERSION } from '../version.js';
import { auditHost, type AuditDeps, type AuditTarget } from './audit-host.js';

export interface RunListener {
  onRunStart?(info: { total: number; startedAt: string }): void;
  onHostStart?(target: AuditTarget): void;
  onHostResult?(result: HostResult, progress: { done: number; total: number }): void;
}

export interface RunOptions extends AuditDeps {
  concurrency: number;
  /** how one host is audited; the default connects over SSH (tests and --local swap it) */
  auditOne?: (t: AuditTarget, deps: AuditDeps) => Promise<HostResult>;
}

function notStarted(t: AuditTarget): HostResult {
  return {
    name: t.name,
    address: t.address,
    port: t.port,
    user: t.user,
    status: 'interrupted',
    durationMs: 0,
    error: { code: 'NOT_STARTED', message: 'the run was interrupted before this host was started' },
    findings: [],
    facts: null,
  };
}

export async function runAudit(targets: readonly AuditTarget[], opts: RunOptions, listener: RunListener = {}): Promise<Report> {
  const startedAt = new Date().toISOString();
  const limit = pLimit(Math.max(1, opts.concurrency));
  const auditOne = opts.auditOne ?? auditHost;
  // every host in flight listens for the interrupt: that is by design, not a leak
  if (opts.interrupt) setMaxListeners(0, opts.interrupt);
  const results = new Array<HostResult | undefined>(targets.length);
  let done = 0;
  listener.onRunStart?.({ total: targets.length, startedAt });

  const one = async (t: AuditTarget, i: number, releaseSlot: () => void): Promise<void> => {
    let r: HostResult;
    if (opts.interrupt?.aborted) {
      r = notStarted(t);
      opts.fix?.gate.pass(); // so hosts waiting to fix are not kept waiting for this one
    } else {
      listener.onHostStart?.(t);
      try {
        r = await auditOne(t, opts.fix ? { ...opts, fix: { ...opts.fix, releaseSlot } } : opts);
      } catch (e) {
        // auditHost never throws by design; a bug must still not hide a host
        r = { ...notStarted(t), status: 'error', error: { code: 'INTERNAL', message: (e as Error)?.message ?? String(e) } };
      }
    }
    results[i] = r;
    done += 1;
    listener.onHostResult?.(r, { done, total: targets.length });
  };
  // A host's slot is free when it is done, or earlier when it only waits for --fix's fleet-wide guard.
  await Promise.all(
    targets.map(
      (t, i) =>
        new Promise<void>((hostDone, hostFailed) => {
          void limit(
            () =>
              new Promise<void>((slotFree) => {
                one(t, i, slotFree)
                  .then(hostDone, hostFailed) // a reporter's bug still fails the run, as before
                  .finally(slotFree);
              }),
          );
        }),
    ),
  );
  const hosts = results.map((r, i) => r ?? notStarted(targets[i]!));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'vmsnap', version: VERSION },
    startedAt,
    finishedAt: new Date().toISOString(),
    summary: summarize(hosts),
    hosts,
  };
}
