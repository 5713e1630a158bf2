// Ansible INI inventories (`/etc/ansible/hosts`), read as ansible-core's `ini` inventory plugin
// reads them (plugins/inventory/ini.py, 2.14):
//
//   bastion ansible_host=10.0.0.4          # before any section: the group "ungrouped"
//   [web]
//   web[01:20].example.com ansible_port=2222
//   web21.example.com:2200 ansible_user='admin user'
//   [web:vars]
//   ansible_become=true                    # no shlex here: `# ...` after a value is part of it
//   [prod:children]
//   web
//   [all:vars]
//   ansible_user=azureuser
//
// Lines are stripped; empty ones and those starting with # or ; are skipped. A host line is split
// as POSIX shlex does (quotes, backslashes, `#` comments), its first word a host pattern (ranges,
// host:port), the others key=value. A value is what Python's ast.literal_eval makes of it (2222 an
// int, True a bool, 'x' a str) or else the text. A child group may be declared after the section
// that names it; [g:vars] for a group declared nowhere, or a child declared nowhere, is an error.
// The model and its resolution (ancestors, precedence) are shared with the YAML form (ansible.ts).
import { AnsibleModel, resolveAnsibleModel, type IssueSink } from './ansible.js';
import { InventoryError, type InventoryIssue } from './errors.js';
import type { Inventory } from './types.js';
import { InputError } from '../errors.js';

/** Where something was written: the line, and the variable or host it is about. */
interface IniAt {
  line: number;
  field: string | null;
}

class IniIssues implements IssueSink<IniAt> {
  private readonly issues: InventoryIssue[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly file: string) {}
  add(at: IniAt, message: string): void {
    const k = `${at.line}\u0000${at.field}\u0000${message}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.issues.push({ line: at.line, column: null, field: at.field, message });
  }
  throwIfAny(): void {
    if (this.issues.length > 0) throw new InventoryError(this.file, [...this.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }
}

// ini.py's patterns: `[name]`, `[name:type]`, then optional spaces and a # comment
const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/** POSIX shlex.split(line, comments=True), as ansible's shlex_split calls it. */
export function shlexSplit(line: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  let state: 'ws' | 'word' | 'sq' | 'dq' | 'esc' | 'dqesc' = 'ws';
  const space = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  for (const c of line) {
    if (state === 'ws' || state === 'word') {
      if (space(c)) {
        if (cur !== null) out.push(cur);
        cur = null;
        state = 'ws';
      } else if (c === '#') {
        break; // a comment, also right after a word
      } else if (c === "'") {
        cur ??= '';
        state = 'sq';
      } else if (c === '"') {
        cur ??= '';
        state = 'dq';
      } else if (c === '\\') {
        cur ??= '';
        state = 'esc';
      } else {
        cur = (cur ?? '') + c;
        state = 'word';
      }
    } else if (state === 'sq') {
      if (c === "'") state = 'word';
      else cur += c;
    } else if (state === 'dq') {
      if (c === '"') state = 'word';
      else if (c === '\\') state = 'dqesc';
      else cur += c;
    } else if (state === 'esc') {
      cur += c;
      state = 'word';
    } else {
      cur += c === '"' || c === '\\' ? c : `\\${c}`;
      state = 'dq';
    }
  }
  if (state === 'sq' || state === 'dq' || state === 'dqesc') throw new InputError('INVENTORY_INVALID', 'No closing quotation');
  if (state === 'esc') throw new InputError('INVENTORY_INVALID', 'No escaped character');
  if (cur !== null) out.push(cur);
  return out;
}

/**
 * What ansible's _parse_value keeps of a value: Python's ast.literal_eval for the literals that
 * matter here (integers, floats, True/False/None, a quoted string), else the text itself.
 */
export function iniValue(v: string): unknown {
  if (/^[+-]?(?:0|[1-9](?:_?\d)*|0+)$/.test(v)) return Number(v.replace(/_/g, ''));
  if (/^[+-]?0[xX](?:_?[0-9a-fA-F])+$/.test(v)) return Number.parseInt(v.replace(/_|0[xX]/g, ''), 16) * (v.startsWith('-') ? -1 : 1);
  if (/^[+-]?(?:\d(?:_?\d)*\.(?:\d(?:_?\d)*)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$|^[+-]?\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*$/.test(v)) return Number(v.replace(/_/g, ''));
  if (v === 'True') return true;
  if (v === 'False') return false;
  if (v === 'None') return null;
  const q = /^(['"])((?:(?!\1)[^\\]|\\.)*)\1$/.exec(v);
  if (q) return q[2]!.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' })[c] ?? `\\${c}`);
  return v;
}

/** Whether text is an Ansible INI inventory, from its first meaningful line. */
export function looksLikeAnsibleIni(text: string): boolean {
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (SECTION.test(line)) return true;
    // a host line before any section: `name key=value ...` or a bare name with no YAML/JSON mark
    const [first = '', ...rest] = line.split(/\s+/);
    const next = rest.join(' ');
    return /^[^\s{}[\]"'#-]/.test(first) && !first.endsWith(':') && (next === '' || next.startsWith('#') || /^[A-Za-z_][\w.]*=/.test(next));
  }
  return false;
}

/** Parses an Ansible INI inventory. Throws InventoryError (only), with every problem and its line. */
export function parseAnsibleIni(text: string, file: string): Inventory {
  const issues = new IniIssues(file);
  const model = new AnsibleModel<IniAt>({ line: 1, field: null });
  type Pending = { line: number; state: 'vars' | 'children'; parents: string[] };
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  let lineNo = 0;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const at = (field: string | null = null): IniAt => ({ line: lineNo, field });
    const m = SECTION.exec(line);
    if (m) {
      const kind = m[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        issues.add(at(), `section [${m[1]}:${kind}] has an unknown type: ${kind} (a section is [name], [name:vars] or [name:children])`);
        group = '';
        continue;
      }
      group = m[1]!;
      state = kind;
      if (!model.groups.has(group) && group !== 'ungrouped' && kind === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', parents: [] });
      model.group(group, at());
      const p = pending.get(group);
      // a group named by a [x:children] section, or given [x:vars] first, is declared now
      if (p && kind !== 'vars') {
        if (p.state === 'children') for (const parent of p.parents) model.groups.get(group)!.parents.add(parent);
        pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      issues.add(at(), `invalid section entry ${JSON.stringify(line)}: a section name has no spaces or other invalid characters`);
      continue;
    }
    if (group === '') continue; // inside a section already reported
    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line);
      } catch (e) {
        issues.add(at(), `cannot parse the host line ${JSON.stringify(line)}: ${(e as Error).message}`);
        continue;
      }
      if (tokens.length === 0) continue;
      const [pattern, ...rest] = tokens as [string, ...string[]];
      if (pattern.trim().endsWith(':')) {
        issues.add(at(pattern), `invalid host pattern ${JSON.stringify(pattern)}: it ends in ':', which is reserved for a port`);
        continue;
      }
      const vars: [string, unknown, IniAt][] = [];
      for (const t of rest) {
        const eq = t.indexOf('=');
        if (eq === -1) issues.add(at(pattern), `expected key=value host variable assignment, got: ${t}`);
        else vars.push([t.slice(0, eq), iniValue(t.slice(eq + 1)), at(`${pattern} ${t.slice(0, eq)}`)]);
      }
      model.addHosts(issues, group, pattern, vars, at(pattern));
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq === -1) {
        issues.add(at(), `expected key=value in [${group}:vars], got: ${line}`);
        continue;
      }
      const k = line.slice(0, eq).trim();
      model.groups.get(group)!.vars.set(k, { value: iniValue(line.slice(eq + 1).trim()), path: at(`[${group}:vars] ${k}`) });
    } else {
      const c = GROUP_NAME.exec(line);
      if (!c) {
        issues.add(at(), `invalid group name ${JSON.stringify(line)} in [${group}:children]`);
        continue;
      }
      const child = c[1]!;
      if (child === 'all') issues.add(at(), 'the group "all" cannot be a child of another group');
      else if (model.groups.has(child)) model.groups.get(child)!.parents.add(group);
      else {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { line: lineNo, state: 'children', parents: [group] });
      }
    }
  }
  for (const [name, p] of pending) {
    if (p.state === 'vars') issues.add({ line: p.line, field: null }, `section [${name}:vars] is not valid for an undefined group: ${name} (declare it with [${name}] or as a child)`);
    else issues.add({ line: p.line, field: null }, `section [${p.parents[p.parents.length - 1]}:children] includes an undefined group: ${name}`);
  }
  return resolveAnsibleModel(model, issues, file, 'ansible-ini', { line: null, column: null });
}
