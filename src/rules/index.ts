// The rule registry: every rule vmsnap knows, in the order reports list their findings.
import type { Rule } from './rule.js';

export const allRules: readonly Rule[] = [];
