// Parts of the human report beyond the host table: finding lines (with waiver and drift marks),
// findings grouped across hosts for large fleets, waiver and baseline notes, and the command that
// reruns the failures.
import { AUDITED_STATUSES, type Finding, type HostResult, type Report } from '../model/report.js';
import { shellWord } from '../util/shell-quote.js';

/** Above this many hosts the table groups identical findings instead of one block per host. */
export const GROUP_ABOVE_HOSTS = 20;

export function findingLines(f: Finding): string[] {
  const code = f.extensionCode !== null ? ` [${f.extensionCode}${f.portalError ? ' ' + f.portalError : ''}]` : '';
  const marks = `${f.fixable ? ' (fixable)' : ''}${f.drift === 'new' ? ' [new]' : ''}`;
  const lines = [`  ${(f.waived ? 'waived' : f.severity).padEnd(7)} ${f.rule}${code}${marks}`, `          ${f.message}`];
  if (f.waived) lines.push(`          waived ${f.severity} until ${f.waived.expires}: ${f.waived.justification}`);
  else lines.push(`          -> ${f.consequence}`);
  return lines;
}

export function resolvedLines(h: HostResult): string[] {
  return (h.resolved ?? []).map((f) => `  resolved ${f.rule}: ${f.message}`);
}

/** The message with its variable parts (quoted text, numbers) blanked: findings of one shape group together. */
export function messageShape(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`/g, '"…"')
    .replace(/\d+/g, 'N');
}

function wrapList(prefix: string, items: readonly string[], width: number): string[] {
  const out: string[] = [];
  let line = prefix;
  const indent = ' '.repeat(prefix.length);
  items.forEach((item, i) => {
    const piece = item + (i < items.length - 1 ? ',' : '');
    if (line.length + 1 + piece.length > width && line.trim() !== prefix.trim()) {
      out.push(line);
      line = indent + piece;
    } else line += (line === prefix ? '' : ' ') + piece;
  });
  out.push(line);
  return out;
}

interface Group {
  first: Finding;
  messages: Set<string>;
  hosts: string[];
  newOn: number;
}

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

/**
 * One block per (rule, severity, waived or not, message shape) listing the hosts that have it,
 * most widespread first within a severity; then hosts not audited, grouped by status and error code.
 */
export function groupedDetails(report: Report, width: number): string[] {
  const groups = new Map<string, Group>();
  for (const h of report.hosts) {
    for (const f of h.findings) {
      const key = JSON.stringify([f.severity, f.waived ? 1 : 0, f.rule, messageShape(f.message)]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { first: f, messages: new Set(), hosts: [], newOn: 0 }));
      g.messages.add(f.message);
      if (g.hosts[g.hosts.length - 1] !== h.name) g.hosts.push(h.name);
      if (f.drift === 'new') g.newOn += 1;
    }
  }
  const out: string[] = [];
  const sorted = [...groups.values()].sort(
    (a, b) =>
      (a.first.waived ? 1 : 0) - (b.first.waived ? 1 : 0) ||
      SEVERITY_ORDER[a.first.severity]! - SEVERITY_ORDER[b.first.severity]! ||
      b.hosts.length - a.hosts.length,
  );
  if (sorted.length > 0) out.push(`Findings across ${report.hosts.length} hosts, identical findings grouped:`, '');
  for (const g of sorted) {
    const [head, message, tail] = findingLines(g.first);
    const n = g.hosts.length;
    out.push(`${head} - ${n} host${n === 1 ? '' : 's'}${g.newOn > 0 ? `, new on ${g.newOn}` : ''}`);
    out.push(`${message}${g.messages.size > 1 ? `   (and ${g.messages.size - 1} variant${g.messages.size > 2 ? 's' : ''} of this message)` : ''}`);
    out.push(tail!);
    out.push(...wrapList('          hosts: ', g.hosts, width));
    out.push('');
  }
  const failed = new Map<string, { hosts: string[]; message: string }>();
  for (const h of report.hosts) {
    if (AUDITED_STATUSES.has(h.status)) continue;
    const key = `${h.status}: ${h.error?.code ?? h.status}`;
    let g = failed.get(key);
    if (!g) failed.set(key, (g = { hosts: [], message: h.error?.message ?? '' }));
    g.hosts.push(h.name);
  }
  for (const [key, g] of failed) {
    out.push(`${key} - ${g.hosts.length} host${g.hosts.length === 1 ? '' : 's'}`);
    if (g.message) out.push(`          ${g.message}${g.hosts.length > 1 ? '   (first host\'s message)' : ''}`);
    out.push(...wrapList('          hosts: ', g.hosts, width), '');
  }
  const resolved = report.hosts.reduce((n, h) => n + (h.resolved?.length ?? 0), 0);
  if (resolved > 0) {
    const byRule = new Map<string, string[]>();
    for (const h of report.hosts) for (const f of h.resolved ?? []) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), h.name]);
    for (const [rule, hosts] of byRule) out.push(...wrapList(`resolved ${rule} on `, hosts, width));
    out.push('');
  }
  return out;
}

export function waiverLines(report: Report): string[] {
  const w = report.waivers;
  if (!w) return [];
  const out: string[] = [];
  for (const e of w.expired) {
    const on = [e.host && `host ${e.host}`, e.group && `group ${e.group}`, e.tag && `tag ${e.tag}`].filter(Boolean).join(', ');
    out.push(`warning: waiver ${e.source} (${e.rule} on ${on}) expired on ${e.expires}${e.matches > 0 ? `; it no longer waives ${e.matches} finding${e.matches === 1 ? '' : 's'}` : ''}`);
  }
  for (const e of w.unused) {
    const on = [e.host && `host ${e.host}`, e.group && `group ${e.group}`, e.tag && `tag ${e.tag}`].filter(Boolean).join(', ');
    out.push(`note: waiver ${e.source} (${e.rule} on ${on}) matched no finding in this run`);
  }
  return out;
}

export function baselineLines(report: Report): string[] {
  const b = report.baseline;
  if (!b) return [];
  const s = report.summary;
  const changes = b.statusChanges.filter((c) => c.from !== null);
  const added = b.statusChanges.length - changes.length;
  let line = `since ${b.file} (${b.startedAt}): ${s.newFindings ?? 0} new findings, ${s.resolvedFindings ?? 0} resolved; `;
  line += changes.length === 0 ? 'no host changed status' : `${changes.length} host${changes.length === 1 ? '' : 's'} changed status`;
  if (added > 0) line += `; ${added} host${added === 1 ? '' : 's'} not in the baseline`;
  const out = [line];
  const shown = changes.slice(0, 20);
  for (const c of shown) out.push(`  ${c.host}: ${c.from} -> ${c.to}`);
  if (changes.length > shown.length) out.push(`  ... and ${changes.length - shown.length} more (see the JSON report's baseline.statusChanges)`);
  return out;
}

/** How the table can print the command that reruns the failures. */
export interface RerunHint {
  /** `vmsnap audit` arguments that select and connect (inventory, known hosts, rules, ...), without report or selection flags */
  args: readonly string[];
  /** a JSON report this run writes (--output json=PATH): the rerun reads its failures from it */
  jsonPath?: string | undefined;
}


/** Past this many failed hosts a --limit list is no command to paste: --rerun-failed instead. */
export const RERUN_LIMIT_MAX_HOSTS = 20;

/** The command that audits again only the hosts that were not compliant, or null when all were. */
export function rerunCommand(report: Report, hint: RerunHint): string | null {
  const failed = report.hosts.filter((h) => h.status !== 'compliant').map((h) => h.name);
  if (failed.length === 0) return null;
  const base = ['vmsnap', 'audit', ...hint.args].map(shellWord).join(' ');
  // --local is one host and takes no --limit: the same command again
  if (hint.args.includes('--local')) return base;
  if (hint.jsonPath === undefined && failed.length > RERUN_LIMIT_MAX_HOSTS) {
    return `${base} --rerun-failed REPORT.json   (${failed.length} hosts: add --output json=REPORT.json to this run's command to keep a report to rerun from)`;
  }
  const select = hint.jsonPath !== undefined ? ['--rerun-failed', hint.jsonPath] : ['--limit', failed.join(',')];
  return `${base} ${select.map(shellWord).join(' ')}`;
}
