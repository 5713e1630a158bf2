// Ansible YAML inventories, read as Ansible reads them (its `yaml` inventory plugin):
//
//   all:                       # top-level keys are groups; `all` is every host's ancestor
//     vars: {ansible_user: azureuser}
//     hosts:
//       bastion: {ansible_host: 10.0.0.4}
//     children:
//       web:
//         hosts:
//           web[01:03].contoso.internal:      # ranges expand: web01, web02, web03
//           web04.contoso.internal:2222:      # host:port
//         vars: {ansible_become: true}
//
// Groups come from the children tree (a host is in its groups and all their ancestors); variables
// are inherited down the tree and the child wins: group vars in Ansible's order (depth, then
// ansible_group_priority, then name), then the host's own vars. vmsnap uses ansible_host
// (ansible_ssh_host), ansible_port (ansible_ssh_port), ansible_user (ansible_ssh_user),
// ansible_ssh_private_key_file (ansible_private_key_file; a relative path is relative to the
// current directory, as for ansible itself), and ansible_become (true: sudo always, false: never,
// unset: auto). Other variables are ignored. Hosts whose ansible_connection is not SSH (winrm,
// psrp, local, docker, ...) are skipped and listed. Templates ({{ ... }}) are not evaluated: a
// connection variable holding one is an error. Loading never connects and reads no other file.
import os from 'node:os';
import path from 'node:path';
import { suggestionSuffix } from '../util/did-you-mean.js';
import { InventoryError } from './errors.js';
import { formatFieldPath } from './load.js';
import { IssueList, isRecord, parseYamlLocated, type PathSegment } from './locate.js';
import { FIELD_SCHEMAS, describeValue, fieldProblem } from './schema.js';
import { BUILTIN_DEFAULTS, type Host, type Inventory, type InventoryFormat, type SudoMode } from './types.js';
import { InputError } from '../errors.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];
/** ansible_connection values that reach the host over SSH */
const SSH_CONNECTIONS = new Set(['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh']);
/** most hosts one range pattern may expand to */
const MAX_RANGE_HOSTS = 100_000;

// The shared model of the three Ansible forms (YAML here, INI in ansible-ini.ts, the JSON of
// `ansible-inventory --list` in ansible-json.ts): groups with their vars and parents, hosts with
// theirs. `W` is where a thing was written, in the form's own terms (a YAML path, an INI line).

export interface VarDef<W> {
  value: unknown;
  /** where it was set, for messages */
  path: W;
}

export interface Group<W> {
  name: string;
  vars: Map<string, VarDef<W>>;
  parents: Set<string>;
  /** where the group is first defined */
  path: W;
  depth: number;
}

export interface HostEntry<W> {
  name: string;
  vars: Map<string, VarDef<W>>;
  /** groups the host is listed under directly */
  groups: Set<string>;
  path: W;
}

/** Collects located problems; throwIfAny() throws one InventoryError with all of them. */
export interface IssueSink<W> {
  add(where: W, message: string, at?: 'key' | 'value'): void;
  throwIfAny(): void;
}

export class AnsibleModel<W> {
  readonly groups = new Map<string, Group<W>>();
  readonly hosts = new Map<string, HostEntry<W>>();

  constructor(allAt: W) {
    this.group('all', allAt);
  }

  group(name: string, at: W): Group<W> {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { name, vars: new Map(), parents: new Set(), path: at, depth: 0 }));
    return g;
  }

  /**
   * Adds the hosts a pattern names (`web[01:03]`, `db:2222`) to a group, with their variables
   * (later ones win, as when Ansible reads the same host twice).
   */
  addHosts(issues: IssueSink<W>, groupName: string, key: string, vars: readonly [string, unknown, W][], at: W): void {
    const { pattern, port } = splitHostPort(key);
    if (port !== null && (port < 1 || port > 65535)) issues.add(at, `the port in ${JSON.stringify(key)} must be from 1 to 65535`, 'key');
    let names: string[];
    try {
      names = expandHostRange(pattern);
    } catch (e) {
      issues.add(at, (e as Error).message, 'key');
      return;
    }
    for (const name of names) {
      const problem = fieldProblem(FIELD_SCHEMAS.hostName, name);
      if (problem) {
        issues.add(at, `host name ${problem}`, 'key');
        continue;
      }
      let h = this.hosts.get(name);
      if (!h) this.hosts.set(name, (h = { name, vars: new Map(), groups: new Set(), path: at }));
      h.groups.add(groupName);
      if (port !== null) h.vars.set('ansible_port', { value: port, path: at });
      for (const [vk, vv, vat] of vars) h.vars.set(vk, { value: vv, path: vat });
    }
  }
}

/** Ansible's boolean(): true/false, yes/no, on/off, y/n, t/f, 1/0 (any case). */
export function ansibleBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (['yes', 'on', '1', 'true', 't', 'y', '1.0'].includes(s)) return true;
  if (['no', 'off', '0', 'false', 'f', 'n', '0.0'].includes(s)) return false;
  return null;
}

/** Whether a host pattern holds an Ansible range (`[01:10]`, `[a:f]`). */
function hasRange(s: string): boolean {
  const open = s.indexOf('[');
  if (open === -1) return false;
  const close = s.indexOf(']', open);
  return close !== -1 && s.slice(open, close).includes(':');
}

/** Expands Ansible host ranges: `web[01:03]` -> web01, web02, web03; `db-[a:c]`; `[1:10:2]` steps. */
export function expandHostRange(pattern: string): string[] {
  if (!hasRange(pattern)) return [pattern];
  const open = pattern.indexOf('[');
  const close = pattern.indexOf(']', open);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = pattern.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new InputError('INVENTORY_INVALID', `host range [${bounds.join(':')}] must be [begin:end] or [begin:end:step]`);
  const beg = bounds[0] === '' ? '0' : bounds[0]!;
  const end = bounds[1]!;
  const stepText = bounds[2] ?? '1';
  if (end === '') throw new InputError('INVENTORY_INVALID', 'host range must give an end value');
  if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new InputError('INVENTORY_INVALID', `host range step must be a positive whole number, got "${stepText}"`);
  const step = Number(stepText);
  let seq: string[];
  if (/^[A-Za-z]$/.test(beg) && /^[A-Za-z]$/.test(end)) {
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const b = letters.indexOf(beg);
    const e = letters.indexOf(end);
    if (b > e) throw new InputError('INVENTORY_INVALID', `host range [${beg}:${end}] must have begin <= end`);
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(letters[i]!);
  } else if (/^\d+$/.test(beg) && /^\d+$/.test(end)) {
    const padded = beg.length > 1 && beg.startsWith('0');
    if (padded && beg.length !== end.length) throw new InputError('INVENTORY_INVALID', `host range [${beg}:${end}] must give begin and end with the same number of digits`);
    const b = Number(beg);
    const e = Number(end);
    if (b > e) throw new InputError('INVENTORY_INVALID', `host range [${beg}:${end}] must have begin <= end`);
    if ((e - b) / step + 1 > MAX_RANGE_HOSTS) throw new InputError('INVENTORY_INVALID', `host range [${beg}:${end}] expands to more than ${MAX_RANGE_HOSTS} hosts`);
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(padded ? String(i).padStart(beg.length, '0') : String(i));
  } else {
    throw new InputError('INVENTORY_INVALID', `host range [${bounds.join(':')}] must be numbers ([01:10]) or single letters ([a:f])`);
  }
  const out: string[] = [];
  for (const x of seq) {
    out.push(...expandHostRange(head + x + tail));
    if (out.length > MAX_RANGE_HOSTS) throw new InputError('INVENTORY_INVALID', `host pattern expands to more than ${MAX_RANGE_HOSTS} hosts`);
  }
  return out;
}

/** `name:port` / `[v6addr]:port` / `name` of a hosts: key (Ansible's parse_address, simplified). */
export function splitHostPort(key: string): { pattern: string; port: number | null } {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(key);
  if (v6 && v6[1]!.split(':').length > 2) return { pattern: v6[1]!, port: v6[2] !== undefined ? Number(v6[2]) : null };
  const m = /^(.*[^:]):(\d+)$/.exec(key);
  if (m && !m[1]!.replace(/\[[^\]]*\]/g, '').includes(':')) return { pattern: m[1]!, port: Number(m[2]) };
  return { pattern: key, port: null };
}

function fieldPath(segments: readonly PathSegment[]): string {
  return formatFieldPath(segments);
}

/** Parses an Ansible YAML inventory. Throws InventoryError (only) listing every problem found. */
export function parseAnsibleInventory(text: string, file: string): Inventory {
  const doc = parseYamlLocated(text, file, '1.1');
  const issues = new IssueList(file, doc, fieldPath);
  const data = doc.data;
  if (data === null || data === undefined) {
    throw new InventoryError(file, { line: 1, column: 1, field: null, message: 'the inventory is empty (expected all: or groups with hosts:)' });
  }
  if (!isRecord(data)) {
    throw new InventoryError(file, { ...doc.at([]), field: null, message: `an Ansible YAML inventory must be a mapping of groups (all:, web:, ...), got ${describeValue(data)}` });
  }

  const model = new AnsibleModel<PathSegment[]>(['all']);
  const group = (name: string, at: PathSegment[]) => model.group(name, at);
  const parseGroup = (name: string, value: unknown, at: PathSegment[], parent: string | null): void => {
    const g = group(name, at);
    if (parent !== null && name !== 'all') g.parents.add(parent);
    if (name === 'all' && parent !== null) issues.add(at, 'the group "all" cannot be a child of another group', 'key');
    if (value === null || value === undefined) return;
    if (!isRecord(value)) {
      issues.add(at, `group ${JSON.stringify(name)} must be a mapping with hosts:, children: or vars:, got ${describeValue(value)}`);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const here = [...at, k];
      if (k === 'vars') {
        if (v === null || v === undefined) continue;
        if (!isRecord(v)) issues.add(here, `must be a mapping of variable names to values, got ${describeValue(v)}`);
        else for (const [vk, vv] of Object.entries(v)) g.vars.set(vk, { value: vv, path: [...here, vk] });
      } else if (k === 'children') {
        if (v === null || v === undefined) continue;
        if (!isRecord(v)) {
          const hint = Array.isArray(v) ? ' (write each child group as a key: `web:` on its own line, not `- web`)' : '';
          issues.add(here, `must be a mapping of group names, got ${describeValue(v)}${hint}`);
        } else for (const [ck, cv] of Object.entries(v)) parseGroup(ck, cv, [...here, ck], name);
      } else if (k === 'hosts') {
        if (v === null || v === undefined) continue;
        if (!isRecord(v)) {
          const hint = Array.isArray(v) ? ' (Ansible\'s YAML format lists hosts as keys: `web1:` on its own line, not `- web1`)' : '';
          issues.add(here, `must be a mapping of host names, got ${describeValue(v)}${hint}`);
          continue;
        }
        for (const [hk, hv] of Object.entries(v)) addHosts(name, hk, hv, [...here, hk]);
      } else {
        issues.add(here, `unknown key ${JSON.stringify(k)} in group ${JSON.stringify(name)}${suggestionSuffix(k, GROUP_KEYS) || ` (a group has ${GROUP_KEYS.join(', ')}; a group's variables go under vars:)`}`, 'key');
      }
    }
  };

  const addHosts = (groupName: string, key: string, value: unknown, at: PathSegment[]): void => {
    if (value !== null && value !== undefined && !isRecord(value)) {
      issues.add(at, `host ${JSON.stringify(key)} must have a mapping of variables (or nothing), got ${describeValue(value)}`);
      value = null;
    }
    const vars = isRecord(value) ? Object.entries(value).map(([vk, vv]) => [vk, vv, [...at, vk]] as [string, unknown, PathSegment[]]) : [];
    model.addHosts(issues, groupName, key, vars, at);
  };

  for (const [k, v] of Object.entries(data)) parseGroup(k, v, [k], null);
  return resolveAnsibleModel(model, issues, file, 'ansible', doc.at([]));
}

/**
 * Hosts as Ansible resolves them from the model: groups and all their ancestors, variables in
 * Ansible's precedence (group vars by depth, ansible_group_priority, name; then the host's own),
 * and the connection variables vmsnap uses. Throws InventoryError (only) with every problem.
 */
export function resolveAnsibleModel<W>(
  model: AnsibleModel<W>,
  issues: IssueSink<W>,
  file: string,
  format: InventoryFormat,
  emptyAt: { line: number | null; column: number | null },
): Inventory {
  const { groups, hosts } = model;
  // the tree: groups without a parent hang under all; depth is the longest path from all
  for (const g of groups.values()) if (g.name !== 'all' && g.parents.size === 0) g.parents.add('all');
  const state = new Map<string, 'visiting' | 'done'>();
  const depthOf = (g: Group<W>, trail: string[]): number => {
    const s = state.get(g.name);
    if (s === 'done') return g.depth;
    if (s === 'visiting') {
      const loop = [...trail.slice(trail.indexOf(g.name)), g.name].reverse();
      issues.add(g.path, `group ${JSON.stringify(g.name)} is its own ancestor (children: ${loop.join(' -> ')})`, 'key');
      return 0;
    }
    state.set(g.name, 'visiting');
    let d = 0;
    for (const p of g.parents) d = Math.max(d, depthOf(groups.get(p)!, [...trail, g.name]) + 1);
    state.set(g.name, 'done');
    g.depth = g.name === 'all' ? 0 : d;
    return g.depth;
  };
  for (const g of groups.values()) depthOf(g, []);

  const ancestors = (names: Iterable<string>): Set<string> => {
    const out = new Set<string>();
    const stack = [...names];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (out.has(n)) continue;
      out.add(n);
      for (const p of groups.get(n)?.parents ?? []) stack.push(p);
    }
    return out;
  };
  const priority = (g: Group<W>): number => {
    const v = g.vars.get('ansible_group_priority')?.value;
    const n = typeof v === 'string' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) ? n : 1;
  };
  const groupOrder = [...groups.keys()];

  const out: Host[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const h of hosts.values()) {
    // a host listed in any group other than all is not in ungrouped, wherever else it appears
    // (Ansible's reconcile_inventory)
    const direct = [...h.groups].filter((g) => g !== 'all' && g !== 'ungrouped');
    const all = ancestors(direct.length > 0 ? direct : ['ungrouped']);
    all.add('all');
    const ordered = [...all]
      .map((n) => groups.get(n) ?? { name: n, vars: new Map<string, VarDef<W>>(), parents: new Set<string>(), path: h.path, depth: 1 })
      .sort((a, b) => a.depth - b.depth || priority(a) - priority(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const vars = new Map<string, VarDef<W>>();
    for (const g of ordered) for (const [k, v] of g.vars) vars.set(k, v);
    for (const [k, v] of h.vars) vars.set(k, v);

    const get = (...names: string[]): VarDef<W> | undefined => {
      for (const n of names) {
        const v = vars.get(n);
        if (v !== undefined) return v;
      }
      return undefined;
    };
    // the field path names the variable (and the host, for a host's own); a group's is reported once
    const bad = (v: VarDef<W>, _name: string, message: string) => issues.add(v.path, message);
    const templated = (v: VarDef<W> | undefined, name: string): boolean => {
      if (v && typeof v.value === 'string' && /\{\{|\{%/.test(v.value)) {
        bad(v, name, `${JSON.stringify(v.value)} is a Jinja2 template; vmsnap does not evaluate templates: give the value itself`);
        return true;
      }
      return false;
    };

    const connection = get('ansible_connection');
    if (connection && !templated(connection, 'ansible_connection')) {
      const c = String(connection.value);
      if (!SSH_CONNECTIONS.has(c)) {
        skipped.push({ name: h.name, reason: `ansible_connection: ${c} (not SSH)${c === 'local' ? '; audit this machine with `vmsnap audit --local`' : ''}` });
        continue;
      }
    }

    const hostVar = get('ansible_host', 'ansible_ssh_host');
    let address = h.name;
    if (hostVar && !templated(hostVar, 'ansible_host')) {
      const v = typeof hostVar.value === 'number' ? String(hostVar.value) : hostVar.value;
      const problem = fieldProblem(FIELD_SCHEMAS.address, v);
      if (problem) bad(hostVar, 'ansible_host', problem);
      else address = v as string;
    } else if (!hostVar) {
      const problem = fieldProblem(FIELD_SCHEMAS.address, h.name);
      if (problem) issues.add(h.path, `host ${JSON.stringify(h.name)} has no ansible_host, and its name cannot be used as an address: it ${problem}`, 'key');
    }

    let port: number = BUILTIN_DEFAULTS.port;
    const portVar = get('ansible_port', 'ansible_ssh_port');
    if (portVar && !templated(portVar, 'ansible_port')) {
      const n = typeof portVar.value === 'string' && /^\d+$/.test(portVar.value.trim()) ? Number(portVar.value) : portVar.value;
      const problem = fieldProblem(FIELD_SCHEMAS.port, n);
      if (problem) bad(portVar, 'ansible_port', problem);
      else port = n as number;
    }

    let user: string = BUILTIN_DEFAULTS.user;
    const userVar = get('ansible_user', 'ansible_ssh_user');
    if (userVar && !templated(userVar, 'ansible_user')) {
      const problem = fieldProblem(FIELD_SCHEMAS.user, userVar.value);
      if (problem) bad(userVar, 'ansible_user', problem);
      else user = userVar.value as string;
    }

    let identityFile: string | null = null;
    const keyVar = get('ansible_ssh_private_key_file', 'ansible_private_key_file');
    if (keyVar && keyVar.value !== null && !templated(keyVar, 'ansible_ssh_private_key_file')) {
      const problem = fieldProblem(FIELD_SCHEMAS.identityFile, keyVar.value);
      if (problem) bad(keyVar, 'ansible_ssh_private_key_file', problem);
      else identityFile = resolveKeyPath(keyVar.value as string);
    }

    let sudo: SudoMode = BUILTIN_DEFAULTS.sudo;
    const becomeVar = get('ansible_become');
    if (becomeVar && !templated(becomeVar, 'ansible_become')) {
      const b = ansibleBoolean(becomeVar.value);
      if (b === null) bad(becomeVar, 'ansible_become', `must be true or false, got ${describeValue(becomeVar.value)}`);
      else sudo = b ? 'always' : 'never';
    }

    out.push({
      name: h.name,
      address,
      port,
      user,
      identityFile,
      sudo,
      // as with ansible itself, ssh_config's User and Port apply unless the inventory sets them
      explicit: { user: userVar !== undefined, port: portVar !== undefined },
      tags: [],
      groups: groupOrder.filter((g) => g !== 'all' && all.has(g)).concat(all.has('ungrouped') && !groups.has('ungrouped') ? ['ungrouped'] : []),
      ruleSeverity: {},
    });
  }
  issues.throwIfAny();
  if (out.length === 0) {
    const why = skipped.length > 0 ? ` (${skipped.length} skipped: not reached over SSH)` : '';
    throw new InventoryError(file, { ...emptyAt, field: null, message: `the inventory has no hosts${why}` });
  }
  const inv: Inventory = { file: path.resolve(file), hosts: out, format };
  if (skipped.length > 0) inv.skipped = skipped;
  return inv;
}

/** As ssh -i would read it when ansible runs from the current directory; `~/` is the home folder. */
function resolveKeyPath(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return path.resolve(p);
}
