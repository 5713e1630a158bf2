// Judges one host's facts with the selected rules. Pure: same facts, same findings.
import type { HostFacts } from '../model/facts.js';
import type { Finding, Severity } from '../model/report.js';
import { buildRuleContext } from './context.js';
import type { Rule } from './rule.js';

export type SeverityOverride = Severity | 'off';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function judge(facts: HostFacts, rules: readonly Rule[], overrides: Readonly<Record<string, SeverityOverride>> = {}): Finding[] {
  const ctx = buildRuleContext(facts);
  const findings: Finding[] = [];
  for (const rule of rules) {
    const override = overrides[rule.meta.id];
    if (override === 'off') continue;
    for (const f of rule.check(ctx)) {
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
      findings.push(finding);
    }
  }
  // errors first, then warnings, then info; registry order within a severity (stable sort)
  return findings.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function isNoncompliant(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
