// How the engine (and the rule tests) turn collected facts into what a rule's check receives.
import type { HostFacts } from '../model/facts.js';
import type { RuleContext } from './rule.js';
import { isPlainObject } from './helpers.js';

/** The config as the rules see it: the parsed value when it parsed to a JSON object, else null. */
export function buildRuleContext(facts: HostFacts): RuleContext {
  const parse = facts.config.parse;
  const config = parse !== null && parse.ok && isPlainObject(parse.value) ? parse.value : null;
  return { facts, config };
}
