// The one result model every reporter reads. Field names here are a contract with dashboards:
// add fields freely, never rename or remove one without bumping SCHEMA_VERSION.
import * as z from 'zod';
import { HostFacts } from './facts.js';

export const SCHEMA_VERSION = 1;

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const HOST_STATUSES = [
  'compliant',
  'noncompliant',
  'unreachable',
  'auth_failed',
  'hostkey_mismatch',
  'sudo_required',
  'timeout',
  'error',
  'interrupted',
] as const;
export const HostStatus = z.enum(HOST_STATUSES);
export type HostStatus = z.infer<typeof HostStatus>;

/** Statuses that mean the host was audited (facts were collected and judged). */
export const AUDITED_STATUSES: ReadonlySet<HostStatus> = new Set(['compliant', 'noncompliant']);

export const Finding = z.object({
  rule: z.string(),
  severity: Severity,
  /** the VMSnapshotLinux status code this predicts, null when the extension never reports it */
  extensionCode: z.number().int().nullable(),
  /** the name the public doc's troubleshooting table gives this failure, when it has one */
  portalError: z.string().nullable(),
  path: z.string().optional(),
  message: z.string(),
  /** what the backup will do because of this */
  consequence: z.string(),
  /** true when the backup silently falls back to file-system-consistent while the portal shows success */
  silent: z.boolean(),
  fixable: z.boolean(),
  /** set when a --waivers entry accepts this finding: still reported, but it does not count */
  waived: z.object({ justification: z.string(), expires: z.string() }).optional(),
  /** set with --baseline when the host was audited in the baseline too: new since, or already there */
  drift: z.enum(['new', 'unchanged']).optional(),
});
export type Finding = z.infer<typeof Finding>;

export const HostError = z.object({
  /** stable machine-readable code, e.g. ECONNREFUSED, HOSTKEY_CHANGED, SUDO_PASSWORD */
  code: z.string(),
  message: z.string(),
});
export type HostError = z.infer<typeof HostError>;

export const FixRecord = z.object({
  path: z.string(),
  action: z.enum(['chmod', 'chown']),
  from: z.string(),
  to: z.string(),
  applied: z.boolean(),
  /** why it was not applied (refused, dry run, failed on the VM) */
  reason: z.string().optional(),
  /** something the operator should know about an applied change */
  note: z.string().optional(),
  /** true when vmsnap would make this change but did not: --dry-run, or the --max-changes guard */
  pending: z.boolean().optional(),
});
export type FixRecord = z.infer<typeof FixRecord>;

/**
 * Where a host's time went, in wall milliseconds (a run's per-phase breakdown; absent for hosts that
 * were never connected to, and for --local). connect: TCP, banner and key exchange up to
 * authentication; auth: until the session was ready; exec: opening the channel and starting the
 * collector; collect: until its whole output had arrived; parse: checking that output; judge: the rules.
 */
export const HostTiming = z.object({
  connectMs: z.number().optional(),
  authMs: z.number().optional(),
  execMs: z.number().optional(),
  collectMs: z.number().optional(),
  parseMs: z.number().optional(),
  judgeMs: z.number().optional(),
});
export type HostTiming = z.infer<typeof HostTiming>;

export const HostResult = z.object({
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  user: z.string(),
  status: HostStatus,
  durationMs: z.number(),
  /** per-phase wall time of the audit (the first collection with --fix) */
  timing: HostTiming.optional(),
  error: HostError.optional(),
  findings: z.array(Finding),
  /** present when --fix ran: the changes planned or made, and the findings judged again after them */
  fixes: z.array(FixRecord).optional(),
  findingsBefore: z.array(Finding).optional(),
  facts: HostFacts.nullable(),
  /** with --baseline: the host's status in the baseline, null when the baseline did not list it */
  previousStatus: HostStatus.nullable().optional(),
  /** with --baseline: findings the baseline had that this run no longer finds (both runs audited the host) */
  resolved: z.array(Finding).optional(),
});
export type HostResult = z.infer<typeof HostResult>;

export const Summary = z.object({
  hosts: z.number().int(),
  compliant: z.number().int(),
  noncompliant: z.number().int(),
  unreachable: z.number().int(),
  auth_failed: z.number().int(),
  hostkey_mismatch: z.number().int(),
  sudo_required: z.number().int(),
  timeout: z.number().int(),
  error: z.number().int(),
  interrupted: z.number().int(),
  /** hosts that could not be audited at all (every status but compliant/noncompliant) */
  notAudited: z.number().int(),
  /** audited hosts whose backups silently fall back to file-system-consistent */
  silentFallback: z.number().int(),
  errors: z.number().int(),
  warnings: z.number().int(),
  fixesApplied: z.number().int().optional(),
  fixesPlanned: z.number().int().optional(),
  /** changes not made because of --dry-run or the --max-changes guard */
  fixesPending: z.number().int().optional(),
  /** findings a waiver accepted (not counted in errors/warnings) */
  waived: z.number().int().optional(),
  /** with --baseline: findings new since the baseline, findings resolved since, hosts whose status changed */
  newFindings: z.number().int().optional(),
  resolvedFindings: z.number().int().optional(),
  statusChanged: z.number().int().optional(),
});
export type Summary = z.infer<typeof Summary>;

/** A --waivers entry as reports list it (expired or unused). */
export const WaiverRef = z.object({
  /** file:line of the entry */
  source: z.string(),
  rule: z.string(),
  host: z.string().optional(),
  group: z.string().optional(),
  tag: z.string().optional(),
  justification: z.string(),
  expires: z.string(),
  /** findings of this run it matches (for an expired waiver: the findings it no longer waives) */
  matches: z.number().int(),
});
export type WaiverRef = z.infer<typeof WaiverRef>;

export const StatusChange = z.object({ host: z.string(), from: HostStatus.nullable(), to: HostStatus });
export type StatusChange = z.infer<typeof StatusChange>;

export const Report = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('vmsnap'), version: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  summary: Summary,
  hosts: z.array(HostResult),
  /** with --waivers: waivers past their date (they no longer waive anything) and waivers that matched nothing */
  waivers: z.object({ file: z.string(), expired: z.array(WaiverRef), unused: z.array(WaiverRef) }).optional(),
  /** with --baseline: the report compared against, and the hosts whose status changed since */
  baseline: z.object({ file: z.string(), startedAt: z.string(), statusChanges: z.array(StatusChange) }).optional(),
});
export type Report = z.infer<typeof Report>;

export function summarize(hosts: readonly HostResult[]): Summary {
  const s: Summary = {
    hosts: hosts.length,
    compliant: 0,
    noncompliant: 0,
    unreachable: 0,
    auth_failed: 0,
    hostkey_mismatch: 0,
    sudo_required: 0,
    timeout: 0,
    error: 0,
    interrupted: 0,
    notAudited: 0,
    silentFallback: 0,
    errors: 0,
    warnings: 0,
  };
  let planned = 0;
  let applied = 0;
  let pending = 0;
  let anyFix = false;
  for (const h of hosts) {
    s[h.status] += 1;
    if (!AUDITED_STATUSES.has(h.status)) s.notAudited += 1;
    if (h.findings.some((f) => f.silent && f.severity === 'error' && !f.waived)) s.silentFallback += 1;
    for (const f of h.findings) {
      if (f.waived) s.waived = (s.waived ?? 0) + 1;
      else if (f.severity === 'error') s.errors += 1;
      else if (f.severity === 'warning') s.warnings += 1;
    }
    if (h.fixes) {
      anyFix = true;
      planned += h.fixes.length;
      applied += h.fixes.filter((x) => x.applied).length;
      pending += h.fixes.filter((x) => x.pending).length;
    }
  }
  if (anyFix) {
    s.fixesPlanned = planned;
    s.fixesApplied = applied;
    s.fixesPending = pending;
  }
  return s;
}
