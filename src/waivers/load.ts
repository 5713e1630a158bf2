// Reads and validates a --waivers file (YAML). Every problem is reported at once, each located
// as file:line and field path, like the inventory loader; unknown rule ids and keys get a
// did-you-mean. Nothing but WaiverError is thrown.
//
//   waivers:
//     - rule: script-interpreter        # required: a rule id (`vmsnap rules` lists them)
//       host: "db-*"                    # glob on the host name; and/or
//       group: legacy                   # an inventory group; and/or
//       tag: appliance                  # an inventory tag (every selector given must match)
//       justification: vendor appliance, ticket OPS-1234   # required
//       expires: 2025-09-30             # required; the waiver works through that day (UTC)
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import * as z from 'zod';
import { formatIssue, type InventoryIssue } from '../inventory/errors.js';
import { formatFieldPath } from '../inventory/load.js';
import { describeValue } from '../inventory/schema.js';
import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import { yamlErrorMessage } from '../util/parse-messages.js';
import { READ_LIMITS, readBounded, readFailure } from '../util/read-bounded.js';
import { InputError } from '../errors.js';

export interface Waiver {
  rule: string;
  /** glob on the host name */
  host?: string;
  group?: string;
  tag?: string;
  justification: string;
  /** YYYY-MM-DD: the last day the waiver works (UTC) */
  expires: string;
  /** `file:line` of the entry, for messages and reports */
  source: string;
}

export interface WaiverSet {
  /** the file as the caller named it */
  file: string;
  waivers: Waiver[];
}

export class WaiverError extends InputError {
  declare readonly file: string;
  constructor(
    file: string,
    readonly issues: readonly InventoryIssue[],
  ) {
    super('WAIVERS_INVALID', issues.map((i) => formatIssue(file, i)).join('\n'), { file, line: issues[0]?.line, flag: 'waivers' });
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** true for a real calendar date written YYYY-MM-DD */
export function isIsoDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const text = (what: string) =>
  z
    .string({ error: (iss) => `must be ${what}, got ${describeValue(iss.input)}` })
    .refine((v) => v.trim() !== '', { error: 'must not be empty' });

const WaiverEntry = z.strictObject({
  rule: text('a rule id'),
  host: text('a host name or glob (e.g. "db-*")').optional(),
  group: text('an inventory group name').optional(),
  tag: text('an inventory tag').optional(),
  justification: text('a sentence saying why the finding is accepted'),
  expires: z
    .string({
      error: (iss) =>
        iss.input instanceof Date ? 'must be a date written YYYY-MM-DD' : `must be a date written YYYY-MM-DD, got ${describeValue(iss.input)}`,
    })
    .refine(isIsoDate, { error: (iss) => `must be a date written YYYY-MM-DD, got ${describeValue(iss.input)}` }),
});

const WaiverFile = z.strictObject({
  waivers: z.array(WaiverEntry, { error: (iss) => `must be a list of waivers, got ${describeValue(iss.input)}` }),
});

const ENTRY_KEYS = Object.keys(WaiverEntry.shape);
const ROOT_KEYS = Object.keys(WaiverFile.shape);

/** Reads and validates a waivers file; `ruleIds` are the rule ids vmsnap knows. */
export async function loadWaivers(file: string, ruleIds: readonly string[]): Promise<WaiverSet> {
  let body: string;
  try {
    body = (await readBounded(file, { maxBytes: READ_LIMITS.waivers, pipes: true })).toString('utf8');
  } catch (e) {
    throw new WaiverError(file, [{ line: null, column: null, field: null, message: `cannot read waivers file: ${readFailure(e)}` }]);
  }
  return parseWaivers(body, file, ruleIds);
}

/** Parses waivers text; `file` names it in messages. Pure. */
export function parseWaivers(body: string, file: string, ruleIds: readonly string[]): WaiverSet {
  const lines = new LineCounter();
  const doc = parseDocument(body, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: InventoryIssue[] = [];
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: null, column: null };
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const issue = (path: readonly PropertyKey[], message: string, where: 'key' | 'value' = 'value') => {
    issues.push({ ...at(locate(doc, path, where)), field: path.length ? formatFieldPath(path) : null, message });
  };
  const fail = (): never => {
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new WaiverError(file, issues);
  };

  if (doc.errors.length > 0) {
    for (const e of doc.errors) issues.push({ ...at(e.pos[0]), field: null, message: yamlErrorMessage(e.message) });
    fail();
  }
  if (doc.contents === null) {
    issues.push({ line: 1, column: 1, field: null, message: 'the waivers file is empty (expected a mapping with a waivers: list)' });
    fail();
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    issue([], `the waivers file must be a mapping with a waivers: list, got ${describeValue(data)}`);
    fail();
  }
  const parsed = WaiverFile.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const missing: Array<readonly PropertyKey[]> = [];
    for (const iss of parsed.error.issues) {
      const path = iss.path.filter((s): s is string | number => typeof s === 'string' || typeof s === 'number');
      if (iss.code === 'unrecognized_keys') {
        const allowed = path.length === 0 ? ROOT_KEYS : ENTRY_KEYS;
        for (const k of iss.keys) {
          const s = didYouMean(k, allowed);
          issue([...path, k], `unknown field ${JSON.stringify(k)}${s ? ` (did you mean ${JSON.stringify(s)}?)` : ` (allowed: ${allowed.join(', ')})`}`, 'key');
        }
      } else if (iss.code === 'invalid_type' && (iss as { input?: unknown }).input === undefined) {
        missing.push(path);
      } else issue(path, iss.message);
    }
    for (const path of missing) issue(path, `required field ${JSON.stringify(String(path[path.length - 1]))} is missing`);
    fail();
  }

  const known = new Set(ruleIds);
  const waivers: Waiver[] = [];
  parsed.data!.waivers.forEach((w, i) => {
    if (!known.has(w.rule)) {
      issue(['waivers', i, 'rule'], `unknown rule ${JSON.stringify(w.rule)}${suggestionSuffix(w.rule, ruleIds)} (\`vmsnap rules\` lists them)`);
    }
    if (w.host === undefined && w.group === undefined && w.tag === undefined) {
      issue(['waivers', i], 'says no host: give host (a name or glob, "*" for every host), group or tag');
    }
    const line = at(locate(doc, ['waivers', i], 'value')).line;
    waivers.push({
      rule: w.rule,
      ...(w.host !== undefined ? { host: w.host } : {}),
      ...(w.group !== undefined ? { group: w.group } : {}),
      ...(w.tag !== undefined ? { tag: w.tag } : {}),
      justification: w.justification.trim(),
      expires: w.expires,
      source: line === null ? file : `${file}:${line}`,
    });
  });
  if (issues.length > 0) fail();
  return { file, waivers };
}

/** offset of the node at `path` (its key for 'key'), else of the deepest node found on the way */
function locate(doc: Document.Parsed, path: readonly PropertyKey[], where: 'key' | 'value'): number | undefined {
  let cur: unknown = doc.contents;
  let deepest = (cur as Node | null)?.range?.[0];
  let keyOffset: number | undefined;
  for (const seg of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return deepest;
      keyOffset = (pair.key as Node | null)?.range?.[0];
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      keyOffset = undefined;
      cur = cur.items[seg];
    } else return deepest;
    const off = (cur as Node | null)?.range?.[0];
    if (off !== undefined) deepest = off;
    else if (keyOffset !== undefined) deepest = keyOffset;
  }
  if (where === 'key' && keyOffset !== undefined) return keyOffset;
  return deepest;
}
