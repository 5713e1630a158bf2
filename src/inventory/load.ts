// Reads and validates an inventory file (YAML). Loading never opens a connection and never reads
// any other file (identity files are resolved to paths, not checked). Every problem found is
// reported at once, each located by line and field path; nothing but InventoryError is thrown.
import os from 'node:os';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type * as z from 'zod';
import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import { InventoryError, type InventoryIssue } from './errors.js';
import {
  CONNECTION_FIELDS,
  DEFAULTS_KEYS,
  GROUP_KEYS,
  HOST_KEYS,
  InventorySchema,
  KEY_SYNONYMS,
  ROOT_KEYS,
  describeValue,
  genericIssueMessage,
  type ConnectionField,
  type GroupEntry,
  type InventoryFile,
} from './schema.js';
import { BUILTIN_DEFAULTS, type Host, type Inventory, type RuleSeverityOverride } from './types.js';
import { yamlErrorMessage } from '../util/parse-messages.js';
import { READ_LIMITS, readBounded, readFailure } from '../util/read-bounded.js';

export { InventoryError } from './errors.js';

/** An inventory file's text; an unreadable file is an InventoryError naming it. */
export async function readInventoryFile(file: string): Promise<string> {
  try {
    // a pipe is fine (`-i <(az vm list -d ...)`), and so is /dev/stdin
    return (await readBounded(file, { maxBytes: READ_LIMITS.inventory, pipes: true })).toString('utf8');
  } catch (err) {
    throw new InventoryError(
      file,
      { line: null, column: null, field: null, message: `cannot read inventory file: ${readFailure(err)}` },
      { cause: err },
    );
  }
}

/** Reads and parses an inventory file. Throws InventoryError (only) when it is unreadable or invalid. */
export async function loadVmsnapInventory(file: string): Promise<Inventory> {
  return parseInventory(await readInventoryFile(file), file);
}

/** Parses inventory text; `file` names it in messages and anchors relative identity files. Pure. */
export function parseInventory(text: string, file: string, parsed?: ParsedYaml): Inventory {
  try {
    return new InventoryParser(text, file, parsed).parse();
  } catch (err) {
    if (err instanceof InventoryError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new InventoryError(file, { line: null, column: null, field: null, message: `cannot parse inventory: ${message}` }, { cause: err });
  }
}


type PathSegment = string | number;

/** `hosts[1].port`, `groups.prod.rules.script-interpreter`, `groups["my group"].user` */
export function formatFieldPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === '' ? s : `.${s}`;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

interface Located {
  /** the value node at the path, when every segment was found and the value is a node */
  value: Node | null;
  /** the key node of the last segment, when it is a mapping key that was found */
  key: Node | null;
  /** the deepest node reached on the way (the containing collection when the path is incomplete) */
  deepest: Node | null;
  complete: boolean;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** A vmsnap inventory's YAML, parsed once (format detection reads the same Document). */
export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineCounter;
}

export function parseInventoryYaml(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  return { doc, lines };
}

class InventoryParser {
  private readonly lines: LineCounter;
  private readonly issues: InventoryIssue[] = [];
  private readonly doc: Document.Parsed;

  constructor(
    text: string,
    private readonly file: string,
    parsed: ParsedYaml = parseInventoryYaml(text),
  ) {
    this.doc = parsed.doc;
    this.lines = parsed.lines;
  }

  parse(): Inventory {
    if (this.doc.errors.length > 0) {
      for (const e of this.doc.errors) {
        const pos = this.position(e.pos[0]);
        this.issues.push({ ...pos, field: null, message: yamlErrorMessage(e.message) });
      }
      this.fail();
    }
    if (this.doc.contents === null) {
      this.issues.push({ line: 1, column: 1, field: null, message: 'the inventory is empty (expected a mapping with a hosts: list)' });
      this.fail();
    }
    const data: unknown = this.doc.toJS({ maxAliasCount: 1000 });

    const result = InventorySchema.safeParse(data, {
      reportInput: true,
      error: (iss) => genericIssueMessage(iss),
    });
    if (!result.success) {
      this.addSchemaIssues(result.error.issues);
      this.fail();
    }
    const inventory = this.resolve(result.data);
    if (this.issues.length > 0) this.fail();
    return inventory;
  }

  private fail(): never {
    const seen = new Set<string>();
    const unique = this.issues.filter((i) => {
      const k = `${i.line}:${i.column}:${i.field}:${i.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new InventoryError(this.file, unique);
  }

  // ---- positions -------------------------------------------------------------------------------

  private position(offset: number | undefined): { line: number | null; column: number | null } {
    if (offset === undefined) return { line: null, column: null };
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  private nodePosition(node: Node | null): { line: number | null; column: number | null } {
    return this.position(node?.range?.[0]);
  }

  private locate(segments: readonly PropertyKey[]): Located {
    let cur: unknown = this.doc.contents;
    let key: Node | null = null;
    let deepest: Node | null = (cur as Node | null) ?? null;
    for (const seg of segments) {
      if (isAlias(cur)) cur = cur.resolve(this.doc) ?? null;
      if (isMap(cur)) {
        const pair = cur.items.find((p) => keyText(p.key) === String(seg));
        if (!pair) return { value: null, key: null, deepest, complete: false };
        key = (pair.key as Node | null) ?? null;
        cur = pair.value ?? null;
      } else if (isSeq(cur) && typeof seg === 'number') {
        key = null;
        cur = cur.items[seg] ?? null;
        if (cur === null) return { value: null, key: null, deepest, complete: false };
      } else {
        return { value: null, key: null, deepest, complete: false };
      }
      if (cur !== null) deepest = cur as Node;
    }
    return { value: (cur as Node | null) ?? null, key, deepest, complete: true };
  }

  /** where the value at `segments` is (its key's line when the value is empty) */
  private valueAt(segments: readonly PropertyKey[]): { line: number | null; column: number | null } {
    const l = this.locate(segments);
    if (l.complete) {
      const v = l.value;
      if (v && v.range && !(isScalar(v) && v.value === null && v.range[0] === v.range[1])) return this.nodePosition(v);
      if (l.key) return this.nodePosition(l.key);
      if (v) return this.nodePosition(v);
    }
    return this.nodePosition(l.deepest);
  }

  /** where the key of `segments` is (falls back to the value, then to the containing collection) */
  private keyAt(segments: readonly PropertyKey[]): { line: number | null; column: number | null } {
    const l = this.locate(segments);
    if (l.complete && l.key) return this.nodePosition(l.key);
    return this.valueAt(segments);
  }

  private issue(segments: readonly PropertyKey[], message: string, at: 'key' | 'value' = 'value'): void {
    const pos = at === 'key' ? this.keyAt(segments) : this.valueAt(segments);
    this.issues.push({ ...pos, field: segments.length === 0 ? null : formatFieldPath(segments), message });
  }

  // ---- schema issues ---------------------------------------------------------------------------

  private addSchemaIssues(issues: readonly z.core.$ZodIssue[]): void {
    // a missing required field that an unknown key in the same mapping looks like is one mistake:
    // report only the unknown key (with its suggestion)
    const suggested = new Set<string>();
    const missing: Array<{ segments: PathSegment[]; parent: string }> = [];
    for (const iss of issues) {
      const segments = iss.path.filter((s): s is PathSegment => typeof s === 'string' || typeof s === 'number');
      const input = (iss as { input?: unknown }).input;
      if (iss.code === 'unrecognized_keys') {
        const allowed = allowedKeys(segments);
        for (const k of iss.keys) {
          let suggestion = didYouMean(k, allowed);
          const synonym = KEY_SYNONYMS[k.toLowerCase()];
          if (suggestion === null && synonym !== undefined && allowed.includes(synonym)) suggestion = synonym;
          let hint = '';
          if (suggestion !== null) {
            hint = ` (did you mean ${JSON.stringify(suggestion)}?)`;
            suggested.add(JSON.stringify([...segments, suggestion]));
          } else if (allowed.length > 0) hint = ` (allowed: ${allowed.join(', ')})`;
          this.issue([...segments, k], `unknown field ${JSON.stringify(k)}${hint}`, 'key');
        }
      } else if (iss.code === 'invalid_key') {
        const inner = iss.issues[0]?.message ?? 'is not allowed';
        const key = segments[segments.length - 1];
        const what = segments[0] === 'groups' && segments.length === 2 ? 'group name' : 'key';
        this.issue(segments, `${what} ${describeValue(String(key))} ${inner}`, 'key');
      } else if (iss.code === 'invalid_type' && input === undefined) {
        missing.push({ segments, parent: JSON.stringify(segments) });
      } else if (iss.code === 'invalid_type' && segments.length === 0) {
        this.issue(segments, `the inventory must be a mapping with a hosts: list, got ${describeValue(input)}`);
      } else {
        this.issue(segments, iss.message);
      }
    }
    for (const m of missing) {
      if (suggested.has(m.parent)) continue;
      const last = m.segments[m.segments.length - 1];
      const what = last === 'host' ? ' (the IP address or DNS name to connect to)' : '';
      this.issue(m.segments, `required field ${JSON.stringify(String(last))} is missing${what}`);
    }
  }

  // ---- cross-references and resolution ---------------------------------------------------------

  private resolve(data: InventoryFile): Inventory {
    const baseDir = path.dirname(path.resolve(this.file));
    const defaults = data.defaults ?? {};
    const groups = new Map<string, GroupEntry>();
    for (const [name, g] of Object.entries(data.groups ?? {})) groups.set(name, g ?? {});
    const groupOrder = [...groups.keys()];

    // unique host names
    const firstIndex = new Map<string, number>();
    data.hosts.forEach((h, i) => {
      const prev = firstIndex.get(h.name);
      if (prev === undefined) firstIndex.set(h.name, i);
      else {
        const prevLine = this.valueAt(['hosts', prev, 'name']).line;
        this.issue(['hosts', i, 'name'], `duplicate host name ${JSON.stringify(h.name)} (first used at line ${prevLine}, hosts[${prev}])`);
      }
    });
    const hostNames = [...firstIndex.keys()];

    // group membership, from both sides
    const membership = new Map<string, Set<string>>();
    const join = (host: string, group: string) => {
      let set = membership.get(host);
      if (!set) membership.set(host, (set = new Set()));
      set.add(group);
    };
    for (const [gname, g] of groups) {
      (g.hosts ?? []).forEach((member, j) => {
        if (firstIndex.has(member)) join(member, gname);
        else
          this.issue(
            ['groups', gname, 'hosts', j],
            `no host named ${JSON.stringify(member)} in hosts:${suggestionSuffix(member, hostNames)}`,
          );
      });
    }
    data.hosts.forEach((h, i) => {
      (h.groups ?? []).forEach((gname, j) => {
        if (groups.has(gname)) join(h.name, gname);
        else if (groups.size === 0)
          this.issue(['hosts', i, 'groups', j], `group ${JSON.stringify(gname)} is not defined (the inventory has no groups: section)`);
        else
          this.issue(
            ['hosts', i, 'groups', j],
            `group ${JSON.stringify(gname)} is not defined under groups:${suggestionSuffix(gname, groupOrder)}`,
          );
      });
    });

    // conflicting settings between two groups of the same host, reported once per pair and field
    const conflicts = new Map<string, { a: string; b: string; setting: PropertyKey[]; what: string; va: unknown; vb: unknown; hosts: string[] }>();
    const noteConflict = (a: string, b: string, setting: PropertyKey[], what: string, va: unknown, vb: unknown, host: string) => {
      const k = JSON.stringify([a, b, setting]);
      const c = conflicts.get(k);
      if (c) {
        if (!c.hosts.includes(host)) c.hosts.push(host);
      } else conflicts.set(k, { a, b, setting, what, va, vb, hosts: [host] });
    };

    const resolveIdentity = (p: string | null): string | null => {
      if (p === null) return null;
      if (p === '~') return os.homedir();
      if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
      return path.resolve(baseDir, p);
    };
    const normalize = (field: ConnectionField, v: unknown): unknown =>
      field === 'identityFile' ? resolveIdentity(v as string | null) : v;

    const hosts: Host[] = [];
    data.hosts.forEach((h) => {
      const member = membership.get(h.name) ?? new Set<string>();
      const hostGroups = groupOrder.filter((g) => member.has(g));

      const resolved: Record<ConnectionField, unknown> = { ...BUILTIN_DEFAULTS, jump: null };
      const set = new Set<ConnectionField>();
      for (const field of CONNECTION_FIELDS) {
        if (h[field] !== undefined) {
          resolved[field] = normalize(field, h[field]);
          set.add(field);
          continue;
        }
        const setters = hostGroups.filter((g) => groups.get(g)![field] !== undefined);
        if (setters.length > 0) {
          const first = setters[0]!;
          const value = normalize(field, groups.get(first)![field]);
          for (const other of setters.slice(1)) {
            const ov = normalize(field, groups.get(other)![field]);
            if (ov !== value) noteConflict(first, other, [field], field, groups.get(first)![field], groups.get(other)![field], h.name);
          }
          resolved[field] = value;
          set.add(field);
        } else if (defaults[field] !== undefined) {
          resolved[field] = normalize(field, defaults[field]);
          set.add(field);
        }
      }

      const ruleSeverity: Record<string, RuleSeverityOverride> = {};
      const ruleSource: Record<string, string> = {};
      for (const g of hostGroups) {
        for (const [rule, sev] of Object.entries(groups.get(g)!.rules ?? {})) {
          const prevGroup = ruleSource[rule];
          if (prevGroup === undefined) {
            Object.defineProperty(ruleSeverity, rule, { value: sev, enumerable: true, writable: true, configurable: true });
            ruleSource[rule] = g;
          } else if (ruleSeverity[rule] !== sev) {
            noteConflict(prevGroup, g, ['rules', rule], `rule ${JSON.stringify(rule)}`, ruleSeverity[rule], sev, h.name);
          }
        }
      }

      hosts.push({
        name: h.name,
        address: h.host,
        port: resolved.port as number,
        user: resolved.user as string,
        identityFile: resolved.identityFile as string | null,
        sudo: resolved.sudo as Host['sudo'],
        jump: resolved.jump as string | null,
        explicit: { user: set.has('user'), port: set.has('port') },
        tags: [...new Set(h.tags ?? [])],
        groups: hostGroups,
        ruleSeverity,
      });
    });

    for (const c of conflicts.values()) {
      const lineA = this.valueAt(['groups', c.a, ...c.setting]).line;
      const lineB = this.valueAt(['groups', c.b, ...c.setting]).line;
      const who = c.hosts.length === 1 ? `host ${JSON.stringify(c.hosts[0])} is` : `hosts ${c.hosts.map((n) => JSON.stringify(n)).join(', ')} are`;
      const fix = c.setting[0] === 'rules' ? 'make the groups agree, or take the host out of one of them' : `set ${c.what} on the host, or in only one of the groups`;
      this.issue(
        ['groups', c.b, ...c.setting],
        `groups ${JSON.stringify(c.a)} (line ${lineA}) and ${JSON.stringify(c.b)} (line ${lineB}) set ${c.what} differently ` +
          `(${describeValue(c.va)} vs ${describeValue(c.vb)}) and ${who} in both; ${fix}`,
      );
    }

    return { file: path.resolve(this.file), hosts };
  }
}

/** the keys allowed in the mapping at `segments` of the inventory */
function allowedKeys(segments: readonly PathSegment[]): string[] {
  if (segments.length === 0) return ROOT_KEYS;
  const [top] = segments;
  if (top === 'defaults' && segments.length === 1) return DEFAULTS_KEYS;
  if (top === 'groups' && segments.length === 2) return GROUP_KEYS;
  if (top === 'hosts' && segments.length === 2) return HOST_KEYS;
  return [];
}
