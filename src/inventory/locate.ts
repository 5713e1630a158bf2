// Where a value sits in an inventory file, for `file:line: field: message` errors in the formats
// that are not vmsnap's own: a parsed document (YAML or JSON) and a lookup from a field path to a
// line and column. The lookup is lazy: nothing is located until an error needs it.
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InventoryError, type InventoryIssue } from './errors.js';
import { yamlErrorMessage } from '../util/parse-messages.js';

export type PathSegment = string | number;

export interface Position {
  line: number | null;
  column: number | null;
}

export interface LocatedDocument {
  /** the document as plain data (aliases and merge keys resolved) */
  data: unknown;
  /** where the value at `segments` starts; at: 'key' prefers the mapping key. Falls back to the deepest node found. */
  at(segments: readonly PathSegment[], at?: 'key' | 'value'): Position;
}

const NOWHERE: Position = { line: null, column: null };

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/**
 * Parses YAML (1.1 for Ansible, as its PyYAML reads it: yes/no booleans, merge keys; 1.2 otherwise).
 * Syntax errors throw InventoryError with every error's line.
 */
export function parseYamlLocated(text: string, file: string, version: '1.1' | '1.2' = '1.2'): LocatedDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version, merge: version === '1.1' });
  const pos = (offset: number | undefined): Position => {
    if (offset === undefined) return NOWHERE;
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    throw new InventoryError(
      file,
      doc.errors.map((e): InventoryIssue => ({ ...pos(e.pos[0]), field: null, message: yamlErrorMessage(e.message) })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new InventoryError(file, { line: null, column: null, field: null, message: `cannot read the YAML: ${(e as Error).message}` });
  }
  return { data, at: (segments, at = 'value') => yamlPosition(doc, segments, at, pos) };
}

function yamlPosition(doc: Document.Parsed, segments: readonly PathSegment[], at: 'key' | 'value', pos: (o: number | undefined) => Position): Position {
  const deref = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  let cur: unknown = deref(doc.contents);
  let deepest: Node | null = (cur as Node | null) ?? null;
  let key: Node | null = null;
  const findPair = (map: unknown, seg: string, depth = 0): { key: unknown; value: unknown } | null => {
    if (!isMap(map) || depth > 10) return null;
    for (const item of map.items) if (isPair(item) && keyText(item.key) === seg) return item;
    // a YAML 1.1 merge key (<<: *defaults) may supply it
    for (const item of map.items) {
      if (!isPair(item) || keyText(item.key) !== '<<') continue;
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const s of sources) {
        const found = findPair(deref(s), seg, depth + 1);
        if (found) return found;
      }
    }
    return null;
  };
  for (const seg of segments) {
    if (isMap(cur)) {
      const pair = findPair(cur, String(seg));
      if (!pair) return pos(deepest?.range?.[0]);
      key = (pair.key as Node | null) ?? null;
      cur = deref(pair.value);
    } else if (isSeq(cur) && typeof seg === 'number') {
      key = null;
      cur = deref(cur.items[seg]);
      if (cur === undefined || cur === null) return pos(deepest?.range?.[0]);
    } else return pos(deepest?.range?.[0]);
    if (cur !== null && cur !== undefined) deepest = cur as Node;
  }
  const value = cur as Node | null;
  const emptyValue = !value || !value.range || (isScalar(value) && value.value === null && value.range[0] === value.range[1]);
  if ((at === 'key' || emptyValue) && key?.range) return pos(key.range[0]);
  if (value?.range) return pos(value.range[0]);
  return pos(deepest?.range?.[0]);
}

/** Parses JSON; a syntax error throws InventoryError with its line. */
export function parseJsonLocated(text: string, file: string): LocatedDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const errors: ParseError[] = [];
    parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
    const first = errors[0];
    const where = first ? offsetPosition(text, first.offset) : NOWHERE;
    const why = first ? printParseErrorCode(first.error) : (e as Error).message;
    throw new InventoryError(file, { ...where, field: null, message: `JSON syntax error: ${why}` });
  }
  let tree: JsonNode | undefined | null = null;
  return {
    data,
    at(segments, at = 'value') {
      if (tree === null) tree = parseTree(text, [], { allowTrailingComma: false });
      if (!tree) return NOWHERE;
      // the deepest node that exists on the path
      for (let n = segments.length; n >= 0; n--) {
        const node = findNodeAtLocation(tree, [...segments.slice(0, n)]);
        if (!node) continue;
        const keyNode = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
        const useKey = n === segments.length && at === 'key' && keyNode;
        return offsetPosition(text, useKey ? keyNode.offset : node.offset);
      }
      return NOWHERE;
    },
  };
}

function offsetPosition(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A plain object (a YAML/JSON mapping), not an array, null or a Date. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Collects issues located in a document and throws them all at once. */
export class IssueList {
  readonly issues: InventoryIssue[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly doc: LocatedDocument,
    private readonly formatField: (segments: readonly PathSegment[]) => string,
  ) {}

  add(segments: readonly PathSegment[], message: string, at: 'key' | 'value' = 'value'): void {
    const field = segments.length === 0 ? null : this.formatField(segments);
    const k = `${field}\u0000${message}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.issues.push({ ...this.doc.at(segments, at), field, message });
  }

  throwIfAny(): void {
    if (this.issues.length === 0) return;
    const sorted = [...this.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new InventoryError(this.file, sorted);
  }
}
