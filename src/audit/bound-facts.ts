// What a host's report keeps of its facts: bounded, whatever the VM wrote. The rules and --fix see
// the facts whole; the report (kept in memory until the run ends, then printed and sent to
// dashboards) holds a copy cut to a few KiB per host, so a 1 MB config of 55,000 keys costs the
// run its size only while that one host is being judged. What was cut is listed in `trimmed`.
import type { HostFacts, ScriptFacts } from '../model/facts.js';
import { KNOWN_CONFIG_KEYS } from '../rules/unknown-key.js';

/** The caps, per value in the facts. Documented in the README ("Speed and memory"). */
export const FACT_LIMITS = {
  /** characters of one string value */
  stringChars: 1024,
  /** items of one list, keys of one object (config, host conf section) */
  items: 64,
  /** nesting levels of a config value */
  depth: 8,
  /** host conf sections */
  sections: 16,
  /** extension folders */
  extensions: 64,
  /** bash-only constructs listed per script */
  bashisms: 20,
  /** extension.log outcome lines */
  logLines: 20,
} as const;

/** out[k] = v as an own property, even for "__proto__" (a key a VM's JSON may hold). */
function setOwn(out: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Counts what was cut, per place in the facts. */
class Cuts {
  readonly notes: string[] = [];
  note(where: string, what: string): void {
    this.notes.push(`${where}: ${what}`);
  }
}

function cutString(s: string): { value: string; cut: boolean } {
  return s.length > FACT_LIMITS.stringChars ? { value: `${s.slice(0, FACT_LIMITS.stringChars)}…`, cut: true } : { value: s, cut: false };
}

/**
 * A JSON value cut to the limits: long strings shortened, long lists and objects cut, deep nesting
 * replaced by null. Linear in the part it keeps; counts what it dropped in `dropped`.
 */
function pruneJson(v: unknown, depth: number, dropped: { n: number }, firstKeys: readonly string[] = []): unknown {
  if (typeof v === 'string') {
    const c = cutString(v);
    if (c.cut) dropped.n += 1;
    return c.value;
  }
  if (v === null || typeof v !== 'object') return v;
  if (depth >= FACT_LIMITS.depth) {
    dropped.n += 1;
    return null;
  }
  if (Array.isArray(v)) {
    if (v.length > FACT_LIMITS.items) dropped.n += v.length - FACT_LIMITS.items;
    return v.slice(0, FACT_LIMITS.items).map((x) => pruneJson(x, depth + 1, dropped));
  }
  const obj = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let kept = 0;
  // the keys the extension reads first, so the evidence that matters survives the cut
  for (const k of firstKeys) {
    if (Object.prototype.hasOwnProperty.call(obj, k)) {
      setOwn(out, k, pruneJson(obj[k], depth + 1, dropped));
      kept += 1;
    }
  }
  let total = 0;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    total += 1;
    if (kept >= FACT_LIMITS.items || Object.prototype.hasOwnProperty.call(out, k)) continue;
    const key = cutString(k);
    if (key.cut) dropped.n += 1;
    setOwn(out, key.value, pruneJson(obj[k], depth + 1, dropped));
    kept += 1;
  }
  if (total > kept) dropped.n += total - kept;
  return out;
}

function boundJson(v: unknown, where: string, cuts: Cuts, firstKeys?: readonly string[]): unknown {
  const dropped = { n: 0 };
  const out = pruneJson(v, 0, dropped, firstKeys);
  if (dropped.n > 0) cuts.note(where, `${dropped.n} values, keys or items cut (strings to ${FACT_LIMITS.stringChars} characters, lists and objects to ${FACT_LIMITS.items} entries, ${FACT_LIMITS.depth} levels)`);
  return out;
}

function boundScript(s: ScriptFacts | null, cuts: Cuts): ScriptFacts | null {
  if (!s) return s;
  const out: ScriptFacts = { ...s };
  if (s.configured !== undefined) out.configured = boundJson(s.configured, `scripts.${s.which}.configured`, cuts);
  if (s.bashisms && s.bashisms.length > FACT_LIMITS.bashisms) {
    cuts.note(`scripts.${s.which}.bashisms`, `${s.bashisms.length} found, the first ${FACT_LIMITS.bashisms} kept`);
    out.bashisms = s.bashisms.slice(0, FACT_LIMITS.bashisms);
  }
  return out;
}

function boundSections(sections: Record<string, Record<string, string>>, cuts: Cuts): Record<string, Record<string, string>> {
  const names = Object.keys(sections);
  // [pre_post] is the section the extension reads: keep it first
  const ordered = names.includes('pre_post') ? ['pre_post', ...names.filter((n) => n !== 'pre_post')] : names;
  const out: Record<string, Record<string, string>> = {};
  let dropped = 0;
  for (const name of ordered.slice(0, FACT_LIMITS.sections)) {
    const section = sections[name]!;
    const keys = Object.keys(section);
    const kept: Record<string, string> = {};
    for (const k of keys.slice(0, FACT_LIMITS.items)) {
      const value = cutString(section[k]!);
      if (value.cut) dropped += 1;
      setOwn(kept, cutString(k).value, value.value);
    }
    dropped += Math.max(0, keys.length - FACT_LIMITS.items);
    setOwn(out, cutString(name).value, kept);
  }
  dropped += Math.max(0, names.length - FACT_LIMITS.sections);
  if (dropped > 0) cuts.note('hostConf.sections', `${dropped} sections, keys or values cut (${FACT_LIMITS.sections} sections of ${FACT_LIMITS.items} keys kept)`);
  return out;
}

/** The facts as the report keeps them: every value within FACT_LIMITS; `trimmed` says what was cut. */
export function boundFacts(facts: HostFacts): HostFacts {
  const cuts = new Cuts();
  const out: HostFacts = { ...facts };
  const parse = facts.config.parse;
  if (parse?.ok) {
    out.config = { ...facts.config, parse: { ok: true, value: boundJson(parse.value, 'config.parse.value', cuts, KNOWN_CONFIG_KEYS) } };
  }
  if (facts.hostConf.sections) out.hostConf = { ...facts.hostConf, sections: boundSections(facts.hostConf.sections, cuts) };
  out.scripts = { pre: boundScript(facts.scripts.pre, cuts), post: boundScript(facts.scripts.post, cuts) };
  if (facts.extensions.length > FACT_LIMITS.extensions) {
    cuts.note('extensions', `${facts.extensions.length} extension folders, ${FACT_LIMITS.extensions} kept (the one the agent uses among them)`);
    const selected = facts.extensions.find((e) => e.dir === facts.selectedExtension);
    const rest = facts.extensions.filter((e) => e !== selected).slice(0, FACT_LIMITS.extensions - (selected ? 1 : 0));
    out.extensions = selected ? [selected, ...rest] : rest;
  }
  if (facts.extensionLog.outcomeLines.length > FACT_LIMITS.logLines) {
    cuts.note('extensionLog.outcomeLines', `${facts.extensionLog.outcomeLines.length} lines, the last ${FACT_LIMITS.logLines} kept`);
    out.extensionLog = { ...facts.extensionLog, outcomeLines: facts.extensionLog.outcomeLines.slice(-FACT_LIMITS.logLines) };
  }
  if (cuts.notes.length > 0) out.trimmed = cuts.notes;
  return out;
}
