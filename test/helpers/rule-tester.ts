// A tiny ESLint-style RuleTester: data-driven valid/invalid cases per rule, each its own vitest test.
// Each case runs rule.check on the context the engine would build (buildRuleContext) and asserts the
// exact number of findings and, in order, what each expectation asks for.
import { describe, expect, it } from 'vitest';
import { HostFacts } from '../../src/model/facts.js';
import type { Severity } from '../../src/model/report.js';
import { oneFindingPerFile } from '../../src/rules/engine.js';
import { buildRuleContext } from '../../src/rules/context.js';
import type { Rule } from '../../src/rules/rule.js';

export interface ValidCase {
  name: string;
  facts: HostFacts;
}

export interface ExpectedFinding {
  /** substrings the message must contain */
  messageIncludes?: string | string[];
  path?: string;
  /** the finding's effective severity (its own, else the rule's) */
  severity?: Severity;
  consequenceIncludes?: string;
}

export interface InvalidCase {
  name: string;
  facts: HostFacts;
  findings: ExpectedFinding[];
}

export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  if (cases.valid.length === 0 || cases.invalid.length === 0) {
    throw new Error(`${rule.meta.id}: a rule test needs at least one valid and one invalid case`);
  }
  describe(rule.meta.id, () => {
    describe('valid', () => {
      for (const c of cases.valid) {
        it(c.name, () => {
          HostFacts.parse(c.facts);
          expect(rule.check(buildRuleContext(c.facts))).toEqual([]);
        });
      }
    });
    describe('invalid', () => {
      for (const c of cases.invalid) {
        it(c.name, () => {
          HostFacts.parse(c.facts);
          // what the engine reports: at most one finding per rule per file
          const got = oneFindingPerFile(rule.check(buildRuleContext(c.facts)));
          expect(got.map((f) => f.message), 'number of findings').toHaveLength(c.findings.length);
          c.findings.forEach((want, i) => {
            const f = got[i]!;
            expect(f.message.length).toBeGreaterThan(10);
            for (const s of typeof want.messageIncludes === 'string' ? [want.messageIncludes] : (want.messageIncludes ?? [])) {
              expect(f.message).toContain(s);
            }
            if (want.path !== undefined) expect(f.path).toBe(want.path);
            if (want.severity !== undefined) expect(f.severity ?? rule.meta.severity).toBe(want.severity);
            if (want.consequenceIncludes !== undefined) expect(f.consequence ?? rule.meta.consequence).toContain(want.consequenceIncludes);
          });
        });
      }
    });
  });
}
