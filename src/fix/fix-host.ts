// --fix for one audited host: plan, wait for the fleet-wide guard, apply over the audit's own
// connection, then collect and judge again. Settles the guard exactly once, on every path.
import type { HostFacts } from '../model/facts.js';
import type { Finding, FixRecord } from '../model/report.js';
import type { RemoteSession } from '../ssh/connector.js';
import type { Deadline } from '../ssh/deadline.js';
import { applyChanges, notApplied } from './apply.js';
import type { FixGate } from './gate.js';
import { planFixes, type FixPolicy } from './plan.js';

export interface FixOptions {
  /** plan and report the changes, change nothing */
  dryRun: boolean;
  policy: FixPolicy;
  /** the fleet-wide --max-changes guard */
  gate: FixGate;
  /**
   * Gives this host's concurrency slot back while it waits at the guard (set per host by the run):
   * the guard waits for every host, so waiting hosts holding all -j slots would wait forever.
   */
  releaseSlot?: () => void;
}

/** The host as collected and judged after the changes, or null when none were applied. */
export type FixOutcome = { facts: HostFacts; findings: Finding[] } | null;

export async function fixHost(args: {
  fix: FixOptions;
  conn: RemoteSession;
  viaSudo: boolean;
  facts: HostFacts;
  findings: Finding[];
  deadline: Deadline;
  /** collect and judge again, over the same connection */
  reaudit: () => Promise<{ facts: HostFacts; findings: Finding[] }>;
  /** receives every fix record as soon as it exists, so a later failure cannot lose one */
  record: (r: FixRecord[]) => void;
}): Promise<FixOutcome> {
  const { fix, deadline } = args;
  const plan = planFixes(args.facts, args.findings, fix.policy);
  args.record(plan.refused);
  if (plan.changes.length === 0 || fix.dryRun) {
    fix.gate.pass();
    args.record(notApplied(plan.changes, 'dry run', true));
    return null;
  }
  // waiting for the fleet-wide decision is not this host's slowness: pause its deadline
  deadline.pause();
  const asked = fix.gate.request();
  fix.releaseSlot?.(); // at most --max-changes hosts wait like this: past that the guard refuses at once
  let admission;
  try {
    admission = await Promise.race([asked, deadline.rejection()]);
  } catch (e) {
    // interrupted (or out of time) while waiting: the planned changes are still reported, not made
    args.record(notApplied(plan.changes, `not made: ${(e as Error)?.message ?? 'interrupted'} while waiting for the --max-changes decision`, true));
    throw e;
  }
  deadline.resume();
  if (!admission.ok) {
    args.record(notApplied(plan.changes, admission.reason, true));
    return null;
  }
  args.record(await applyChanges(args.conn, args.viaSudo, plan.changes));
  return args.reaudit();
}
