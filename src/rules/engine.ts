// Judges one host's facts with the selected rules. Pure: same facts, same findings.
import type { HostFacts } from '../model/facts.js';
import type { Finding, Severity } from '../model/report.js';
import { buildRuleContext } from './context.js';
import type { Rule, RuleFinding } from './rule.js';
import { BYPASS_WORKLOADS } from './workload-bypass.js';

export type SeverityOverride = Severity | 'off';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function bypassed(facts: HostFacts): string | null {
  const name = facts.workload.workloadName;
  return name !== null && (BYPASS_WORKLOADS as readonly string[]).includes(name) ? name : null;
}

/** How many further findings' messages a merged finding quotes, and how long each quote may be. */
const MERGED_QUOTES = 3;
const QUOTE_CHARS = 200;

function quote(message: string): string {
  return message.length > QUOTE_CHARS ? `${message.slice(0, QUOTE_CHARS)}…` : message;
}

/**
 * At most one finding per rule per file: a VM's config with 55,000 stray keys must not become
 * 55,000 findings (report size and memory would follow VM content). The most severe finding stands
 * for the others, and its message names how many there are and quotes the first few.
 */
export function oneFindingPerFile(findings: readonly RuleFinding[]): RuleFinding[] {
  if (findings.length < 2) return [...findings];
  const byPath = new Map<string, RuleFinding[]>();
  for (const f of findings) {
    const key = f.path ?? '';
    const group = byPath.get(key);
    if (group) group.push(f);
    else byPath.set(key, [f]);
  }
  if (byPath.size === findings.length) return [...findings];
  const out: RuleFinding[] = [];
  for (const group of byPath.values()) {
    if (group.length === 1) {
      out.push(group[0]!);
      continue;
    }
    // the most severe first (a rule's own default when a finding names none)
    const ranked = group
      .map((f, i) => ({ f, i, rank: f.severity === undefined ? -1 : RANK[f.severity] }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .map((x) => x.f);
    const [first, ...rest] = ranked as [RuleFinding, ...RuleFinding[]];
    const quoted = rest.slice(0, MERGED_QUOTES).map((f) => quote(f.message));
    const more = rest.length > MERGED_QUOTES ? `; and ${rest.length - MERGED_QUOTES} more` : '';
    out.push({ ...first, message: `${first.message} (${rest.length} more of this rule in this file: ${quoted.join('; ')}${more})` });
  }
  return out;
}

export function judge(facts: HostFacts, rules: readonly Rule[], overrides: Readonly<Record<string, SeverityOverride>> = {}): Finding[] {
  const ctx = buildRuleContext(facts);
  const findings: Finding[] = [];
  const bypass = bypassed(facts);
  for (const rule of rules) {
    const override = overrides[rule.meta.id];
    if (override === 'off') continue;
    for (const f of oneFindingPerFile(rule.check(ctx))) {
      const finding: Finding = {
        rule: rule.meta.id,
        // an override replaces the rule's severity for all its findings; otherwise a finding may
        // only lower its rule's default (see RuleFinding.severity)
        severity: override ?? f.severity ?? rule.meta.severity,
        extensionCode: rule.meta.extensionCode,
        portalError: rule.meta.portalError,
        message: f.message,
        consequence: f.consequence ?? rule.meta.consequence,
        silent: f.silent ?? rule.meta.silent,
        fixable: rule.meta.fixable,
      };
      if (f.path !== undefined) finding.path = f.path;
      if (bypass !== null && rule.meta.scope === 'framework' && override === undefined) {
        // the extension never reads these files while workload.conf names a database flow
        finding.severity = 'info';
        finding.silent = false;
        finding.consequence = `none while workload.conf bypasses the script framework (workload_name = ${bypass}); it matters again if workload.conf goes`;
      }
      findings.push(finding);
    }
  }
  // errors first, then warnings, then info; registry order within a severity (stable sort)
  return findings.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function isNoncompliant(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
