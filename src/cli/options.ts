// One table per command: each option's name, alias, kind, group, default and doc, its bounds, and
// whether the rerun command keeps it. yargs' definitions (and so --help, with titled groups and
// [number] for numbers, and the shell completion), the checks of the parsed values (a number as
// written in decimal and in range; a single-valued option given once) and the rerun hint's filter
// are all derived from it.
import type { Argv, Options } from 'yargs';
import { UsageError, InternalError } from '../errors.js';

export const GROUPS = {
  selection: 'Choosing hosts:',
  connection: 'Connecting:',
  rules: 'Rules:',
  reports: 'Reports:',
  fix: 'Fixing (--fix):',
} as const;
export type Group = keyof typeof GROUPS;

interface Base {
  name: string;
  alias?: string;
  group: Group;
  doc: string;
  /** dropped from the rerun command the table prints: options that choose hosts or reports, or vouch for this run's files only */
  notRerun?: boolean;
}

export type OptionSpec = Base &
  (
    | { kind: 'string'; default?: string; required?: boolean }
    | { kind: 'list'; default?: readonly string[] }
    | { kind: 'boolean'; default?: boolean }
    | { kind: 'choice'; choices: readonly string[]; default?: string }
    | { kind: 'integer' | 'number'; default: number; min: number; max?: number; exclusiveMin?: boolean }
  );

/** A flag's number as written in decimal (Number() would also take 0x10, 1e3 and ''); NaN otherwise. */
export function decimal(value: unknown): number {
  const text = String(value).trim();
  return /^\+?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
}

/** A number flag's value as written in decimal ("0x10", "1e3" and "" are refused), within its bounds. */
export function parseNumberFlag(spec: Extract<OptionSpec, { kind: 'integer' | 'number' }>, value: unknown): number {
  if (Array.isArray(value)) throw new UsageError(`--${spec.name} was given ${value.length} times; give it once`, { flag: spec.name });
  if (typeof value === 'number') return value; // the default
  const n = decimal(value);
  const integer = spec.kind === 'integer';
  const kind = integer ? 'whole number' : 'number';
  const low = spec.exclusiveMin ? n <= spec.min : n < spec.min;
  if (!Number.isFinite(n) || low || (integer && !Number.isInteger(n))) {
    const what = spec.exclusiveMin && spec.min === 0 ? `a positive ${kind}` : `a ${kind} of at least ${spec.min}`;
    throw new UsageError(`--${spec.name} must be ${what}, got "${String(value)}"`, { flag: spec.name });
  }
  if (spec.max !== undefined && n > spec.max) throw new UsageError(`--${spec.name} must be at most ${spec.max}, got "${String(value)}"`, { flag: spec.name });
  return n;
}

function yargsOption(spec: OptionSpec): Options {
  const o: Options = { describe: spec.doc, group: GROUPS[spec.group] };
  if (spec.alias) o.alias = spec.alias;
  switch (spec.kind) {
    case 'string':
      Object.assign(o, { type: 'string', requiresArg: true });
      if (spec.required) o.demandOption = true;
      break;
    case 'list':
      Object.assign(o, { type: 'string', array: true, requiresArg: true });
      break;
    case 'boolean':
      o.type = 'boolean';
      break;
    case 'choice':
      Object.assign(o, { choices: spec.choices, requiresArg: true });
      break;
    case 'integer':
    case 'number':
      // string: the value stays as written, for numberFlag (yargs' Number() would take 0x10 and 1e3);
      // number: --help shows [number] (of the types it knows for an option, yargs shows the last)
      Object.assign(o, { string: true, number: true, requiresArg: true });
      break;
  }
  if (spec.default !== undefined) o.default = spec.default;
  return o;
}

/** The options of `specs` on a yargs command. */
export function withOptions<T>(y: Argv<T>, specs: readonly OptionSpec[]): Argv<T> {
  let out = y;
  for (const s of specs) out = out.option(s.name, yargsOption(s));
  return out;
}

/** For the rerun hint: the options it drops, and whether each takes a value, values or none. */
export function notRerun(specs: readonly OptionSpec[]): Record<string, 'value' | 'values' | 'flag'> {
  const out: Record<string, 'value' | 'values' | 'flag'> = {};
  for (const s of specs) {
    if (!s.notRerun) continue;
    const takes = s.kind === 'boolean' ? 'flag' : s.kind === 'list' ? 'values' : 'value';
    out[s.name] = takes;
    if (s.alias) out[s.alias] = takes;
  }
  return out;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** A number option's checked value from yargs' parsed argv. */
export function numberFlag(specs: readonly OptionSpec[], parsed: Record<string, unknown>, name: string): number {
  const spec = specs.find((s) => s.name === name);
  if (!spec || (spec.kind !== 'integer' && spec.kind !== 'number')) throw new InternalError(`${name} is not a number option of this command`);
  return parseNumberFlag(spec, parsed[camel(name)] ?? spec.default);
}

/** Single-valued options given twice (yargs makes a list of them, which nothing expects) are refused. */
export function rejectRepeated(specs: readonly OptionSpec[], parsed: Record<string, unknown>): void {
  for (const s of specs) {
    if (s.kind === 'list' || s.kind === 'boolean') continue;
    const v = parsed[s.name];
    if (Array.isArray(v)) throw new UsageError(`--${s.name} was given ${v.length} times; give it once`, { flag: s.name });
  }
}
