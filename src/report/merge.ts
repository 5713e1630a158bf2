// Joining the reports of a sharded run (`vmsnap merge`, or a library caller with its own shards):
// hosts of all shards in inventory order, the summary counted again, every expected host present.
import { SCHEMA_VERSION, summarize, type HostResult, type Report, type Summary, type WaiverRef } from '../model/report.js';
import { VERSION } from '../version.js';

function notReported(h: { name: string; address: string; port: number; user: string }): HostResult {
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    status: 'error',
    durationMs: 0,
    error: { code: 'NOT_REPORTED', message: 'no shard report has this host: its shard did not run, failed, or audited another selection' },
    findings: [],
    facts: null,
  };
}

const waiverKey = (w: WaiverRef) => JSON.stringify([w.source, w.rule, w.host ?? null, w.group ?? null, w.tag ?? null]);

/** Joins shard reports (pure); `expected` adds NOT_REPORTED hosts and sets the order. */
export function mergeReports(
  shards: readonly { file: string; report: Report; hosts?: readonly Record<string, unknown>[] }[],
  expected: readonly { name: string; address: string; port: number; user: string }[] | null = null,
): { report: Report; duplicates: Map<string, string[]>; missing: string[]; extra: string[] } {
  const byName = new Map<string, { host: HostResult; file: string }>();
  const duplicates = new Map<string, string[]>();
  const order: string[] = [];
  for (const s of shards) {
    s.report.hosts.forEach((h, i) => {
      const host = (s.hosts?.[i] ?? h) as HostResult;
      const prev = byName.get(h.name);
      if (prev) {
        const files = duplicates.get(h.name) ?? [prev.file];
        files.push(s.file);
        duplicates.set(h.name, files);
      } else {
        byName.set(h.name, { host, file: s.file });
        order.push(h.name);
      }
    });
  }
  let hosts: HostResult[];
  const missing: string[] = [];
  const extra: string[] = [];
  if (expected) {
    const wanted = new Set(expected.map((h) => h.name));
    hosts = expected.map((h) => {
      const got = byName.get(h.name);
      if (got) return got.host;
      missing.push(h.name);
      return notReported(h);
    });
    for (const n of order) {
      if (!wanted.has(n)) {
        extra.push(n);
        hosts.push(byName.get(n)!.host);
      }
    }
  } else hosts = order.map((n) => byName.get(n)!.host);

  const reports = shards.map((s) => s.report);
  const time = (s: string) => {
    const t = Date.parse(s);
    return Number.isNaN(t) ? Infinity : t;
  };
  const startedAt = reports.map((r) => r.startedAt).reduce((a, b) => (time(b) < time(a) ? b : a));
  const finishedAt = reports.map((r) => r.finishedAt).reduce((a, b) => (time(b) > time(a) || time(a) === Infinity ? b : a));
  const versions = new Set(reports.map((r) => r.tool.version));

  // summary counts summarize() does not derive from the hosts (e.g. baseline counts): summed
  const summary: Summary = summarize(hosts);
  const derived = new Set([...Object.keys(summary), 'fixesApplied', 'fixesPlanned', 'fixesPending', 'waived']);
  const sums = summary as Record<string, number | undefined>;
  for (const r of reports) {
    for (const [k, v] of Object.entries(r.summary)) if (!derived.has(k) && typeof v === 'number') sums[k] = (sums[k] ?? 0) + v;
  }

  const merged: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'vmsnap', version: versions.size === 1 ? [...versions][0]! : VERSION },
    startedAt,
    finishedAt,
    summary,
    hosts,
  };

  const withWaivers = reports.filter((r) => r.waivers);
  if (withWaivers.length > 0) {
    const expired = new Map<string, WaiverRef>();
    for (const r of withWaivers) {
      for (const w of r.waivers!.expired) {
        const prev = expired.get(waiverKey(w));
        expired.set(waiverKey(w), prev ? { ...prev, matches: prev.matches + w.matches } : { ...w });
      }
    }
    // unused in the merged run: unused in every shard
    const first = withWaivers[0]!.waivers!;
    const unused = first.unused.filter((w) => withWaivers.every((r) => r.waivers!.unused.some((x) => waiverKey(x) === waiverKey(w))));
    merged.waivers = { file: first.file, expired: [...expired.values()], unused };
  }
  const withBaseline = reports.filter((r) => r.baseline);
  if (withBaseline.length > 0) {
    const b = withBaseline[0]!.baseline!;
    merged.baseline = { file: b.file, startedAt: b.startedAt, statusChanges: withBaseline.flatMap((r) => r.baseline!.statusChanges) };
  }
  return { report: merged, duplicates, missing, extra };
}

