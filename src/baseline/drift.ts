// --baseline LAST.json: what changed since an earlier report. Pure functions.
//   - each finding of a host audited in both runs is marked drift: 'new' or 'unchanged';
//   - findings the baseline had and this run no longer has are listed as the host's `resolved`;
//   - every host gets previousStatus (null when the baseline did not list it);
//   - the summary counts new and resolved findings and hosts whose status changed, and
//     report.baseline lists those status changes.
// Findings are matched by rule, path and message first, then by rule and path (the same problem
// with different details, e.g. another mode, is unchanged); each baseline finding matches once.
// A host that either run could not audit has nothing to compare: its findings stay unmarked.
import { AUDITED_STATUSES, type Finding, type HostResult, type Report, type StatusChange } from '../model/report.js';
import type { PreviousHost, PreviousReport } from './load.js';

const exactKey = (f: Finding) => JSON.stringify([f.rule, f.path ?? null, f.message]);
const looseKey = (f: Finding) => JSON.stringify([f.rule, f.path ?? null]);

function strip(f: Finding): Finding {
  const { drift: _d, ...rest } = f;
  return rest;
}

/** One host against its baseline entry (undefined: the baseline did not list it). */
export function driftHost(h: HostResult, prev: PreviousHost | undefined): HostResult {
  const base: HostResult = { ...h, findings: h.findings.map(strip), previousStatus: prev?.status ?? null };
  delete base.resolved;
  if (!prev || !AUDITED_STATUSES.has(h.status) || !AUDITED_STATUSES.has(prev.status)) return base;

  const remaining = prev.findings.map((f) => ({ f, used: false }));
  const marks: Array<'new' | 'unchanged'> = base.findings.map(() => 'new');
  for (const key of [exactKey, looseKey]) {
    base.findings.forEach((f, i) => {
      if (marks[i] === 'unchanged') return;
      const k = key(f);
      const hit = remaining.find((r) => !r.used && key(r.f) === k);
      if (hit) {
        hit.used = true;
        marks[i] = 'unchanged';
      }
    });
  }
  base.findings = base.findings.map((f, i) => ({ ...f, drift: marks[i]! }));
  base.resolved = remaining.filter((r) => !r.used).map((r) => {
    const { waived: _w, ...rest } = strip(r.f);
    return rest;
  });
  return base;
}

/** Index of a baseline's hosts by name. */
export function baselineIndex(previous: PreviousReport): Map<string, PreviousHost> {
  return new Map(previous.hosts.map((h) => [h.name, h]));
}

/** The report compared with the baseline: findings marked, resolved listed, summary counts, status changes. */
export function applyBaseline(report: Report, previous: PreviousReport, file: string, index = baselineIndex(previous)): Report {
  const hosts = report.hosts.map((h) => driftHost(h, index.get(h.name)));
  let newFindings = 0;
  let resolvedFindings = 0;
  const statusChanges: StatusChange[] = [];
  for (const h of hosts) {
    newFindings += h.findings.filter((f) => f.drift === 'new').length;
    resolvedFindings += h.resolved?.length ?? 0;
    const from = h.previousStatus ?? null;
    if (from !== h.status) statusChanges.push({ host: h.name, from, to: h.status });
  }
  return {
    ...report,
    hosts,
    summary: { ...report.summary, newFindings, resolvedFindings, statusChanged: statusChanges.length },
    baseline: { file, startedAt: previous.startedAt, statusChanges },
  };
}
