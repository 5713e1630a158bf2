// Applying waivers to a report: pure functions. A waived finding stays in the report, marked
// `waived: { justification, expires }`, and no longer counts: a host whose only error findings are
// waived is compliant. A waiver past its date waives nothing and is listed as expired; a waiver
// that matched no finding of this run is listed as unused.
import { AUDITED_STATUSES, summarize, type Finding, type HostResult, type Report, type WaiverRef } from '../model/report.js';
import { WAIVER_GLOB, globToRegExp } from '../util/glob.js';
import type { Waiver, WaiverSet } from './load.js';
import type { HostLabelLookup, HostLabels } from '../inventory/labels.js';

const DAY_MS = 86_400_000;

/** A waiver works through its `expires` day, UTC; from the next midnight UTC on it has expired. */
export function isExpired(w: Pick<Waiver, 'expires'>, now: Date): boolean {
  return now.getTime() >= Date.parse(`${w.expires}T00:00:00Z`) + DAY_MS;
}

/** Compiled once per set, so matching a large fleet does not rebuild a regexp per finding. */
class Matcher {
  private readonly patterns = new Map<string, RegExp>();

  hostMatches(w: Waiver, host: string, labels: HostLabels | undefined): boolean {
    if (w.host !== undefined) {
      let re = this.patterns.get(w.host);
      if (!re) this.patterns.set(w.host, (re = globToRegExp(w.host, WAIVER_GLOB)));
      if (!re.test(host)) return false;
    }
    if (w.group !== undefined && !(labels?.groups.includes(w.group) ?? false)) return false;
    if (w.tag !== undefined && !(labels?.tags.includes(w.tag) ?? false)) return false;
    return true;
  }
}

const matchers = new WeakMap<WaiverSet, Matcher>();
function matcherFor(set: WaiverSet): Matcher {
  let m = matchers.get(set);
  if (!m) matchers.set(set, (m = new Matcher()));
  return m;
}

export interface HostWaiverOutcome {
  host: HostResult;
  /** per waiver of the set (same index): how many findings of this host it matched */
  matches: number[];
}

/**
 * One host: marks the findings the first live matching waiver accepts (and clears marks no waiver
 * supports any more), then re-derives the status of an audited host from the findings that count.
 */
export function waiveHost(h: HostResult, set: WaiverSet, now: Date, labelsOf: HostLabelLookup = () => undefined): HostWaiverOutcome {
  const matches = new Array<number>(set.waivers.length).fill(0);
  const m = matcherFor(set);
  const labels = labelsOf(h.name);
  const applicable = set.waivers.map((w) => m.hostMatches(w, h.name, labels));
  const expired = set.waivers.map((w) => isExpired(w, now));
  const findings = h.findings.map((f): Finding => {
    let by: Waiver | undefined;
    set.waivers.forEach((w, i) => {
      if (!applicable[i] || w.rule !== f.rule) return;
      matches[i]! += 1;
      if (!expired[i] && by === undefined) by = w;
    });
    const { waived: _old, ...rest } = f;
    return by ? { ...rest, waived: { justification: by.justification, expires: by.expires } } : rest;
  });
  let status = h.status;
  if (AUDITED_STATUSES.has(status)) status = findings.some((f) => f.severity === 'error' && !f.waived) ? 'noncompliant' : 'compliant';
  return { host: { ...h, findings, status }, matches };
}

function ref(w: Waiver, matches: number): WaiverRef {
  return {
    source: w.source,
    rule: w.rule,
    ...(w.host !== undefined ? { host: w.host } : {}),
    ...(w.group !== undefined ? { group: w.group } : {}),
    ...(w.tag !== undefined ? { tag: w.tag } : {}),
    justification: w.justification,
    expires: w.expires,
    matches,
  };
}

/**
 * The report with waivers applied: findings marked, statuses and summary re-derived, and
 * `waivers: { file, expired, unused }` listing the waivers that need attention.
 */
export function applyWaivers(report: Report, set: WaiverSet, now: Date, labelsOf?: HostLabelLookup): Report {
  const totals = new Array<number>(set.waivers.length).fill(0);
  const hosts = report.hosts.map((h) => {
    const out = waiveHost(h, set, now, labelsOf);
    out.matches.forEach((n, i) => (totals[i]! += n));
    return out.host;
  });
  const expired: WaiverRef[] = [];
  const unused: WaiverRef[] = [];
  set.waivers.forEach((w, i) => {
    if (isExpired(w, now)) expired.push(ref(w, totals[i]!));
    else if (totals[i] === 0) unused.push(ref(w, 0));
  });
  const summary = { ...summarize(hosts), ...driftCounts(report) };
  summary.waived ??= 0;
  return { ...report, hosts, summary, waivers: { file: set.file, expired, unused } };
}

/** baseline counts survive a re-summary */
function driftCounts(report: Report): Partial<Report['summary']> {
  const { newFindings, resolvedFindings, statusChanged } = report.summary;
  return {
    ...(newFindings !== undefined ? { newFindings } : {}),
    ...(resolvedFindings !== undefined ? { resolvedFindings } : {}),
    ...(statusChanged !== undefined ? { statusChanged } : {}),
  };
}

/** One line per waiver for messages: `waivers.yaml:4 config-mode on host db-*`. */
export function describeWaiver(w: WaiverRef | Waiver): string {
  const on = [w.host !== undefined ? `host ${w.host}` : '', w.group !== undefined ? `group ${w.group}` : '', w.tag !== undefined ? `tag ${w.tag}` : '']
    .filter(Boolean)
    .join(', ');
  return `${w.source} ${w.rule} on ${on}`;
}
