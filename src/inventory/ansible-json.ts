// The JSON of `ansible-inventory -i ... --list`, which is also what dynamic inventories print (the
// azure_rm plugin, inventory scripts), read as ansible-core's `script` inventory plugin reads it:
//
//   { "_meta": { "hostvars": { "web01": { "ansible_host": "10.0.0.5" } } },
//     "all":   { "children": ["ungrouped", "web"] },
//     "web":   { "hosts": ["web01"], "vars": { "ansible_user": "azureuser" }, "children": [] },
//     "db":    ["db01", "db02"] }                       <- a plain list is the group's hosts
//
// Host names are taken as written (no ranges, no host:port); `_meta.hostvars` gives each listed
// host its variables (a host only in hostvars is in no group and, as for Ansible, not in the
// inventory). The model and its resolution are shared with the YAML form (ansible.ts).
import { AnsibleModel, resolveAnsibleModel } from './ansible.js';
import { InventoryError } from './errors.js';
import { formatFieldPath } from './load.js';
import { IssueList, isRecord, parseYamlLocated, type PathSegment } from './locate.js';
import { FIELD_SCHEMAS, describeValue, fieldProblem } from './schema.js';
import type { Inventory } from './types.js';

const GROUP_KEYS = ['hosts', 'vars', 'children'];

/** Whether parsed JSON is ansible-inventory --list output (or a dynamic inventory's). */
export function looksLikeAnsibleJson(data: unknown): boolean {
  if (!isRecord(data)) return false;
  if ('_meta' in data) return true;
  return Object.values(data).some((g) => Array.isArray(g) || (isRecord(g) && (Array.isArray(g['hosts']) || Array.isArray(g['children']))));
}

export function parseAnsibleJson(text: string, file: string): Inventory {
  const doc = parseYamlLocated(text, file, '1.2');
  const issues = new IssueList(file, doc, formatFieldPath);
  const data = doc.data;
  if (!isRecord(data)) {
    throw new InventoryError(file, { ...doc.at([]), field: null, message: `ansible-inventory --list JSON is an object of groups, got ${describeValue(data)}` });
  }
  const model = new AnsibleModel<PathSegment[]>(['all']);
  const listed: [string, string, PathSegment[]][] = [];
  const stringList = (v: unknown, at: PathSegment[], what: string): string[] => {
    if (!Array.isArray(v)) {
      issues.add(at, `must be a list of ${what} names, got ${describeValue(v)}`);
      return [];
    }
    return v.flatMap((x, i) => {
      if (typeof x === 'string') return [x];
      issues.add([...at, i], `must be a ${what} name (a string), got ${describeValue(x)}`);
      return [];
    });
  };
  for (const [name, raw] of Object.entries(data)) {
    if (name === '_meta') continue;
    const g = model.group(name, [name]);
    // a list is the host list; an object without hosts/vars/children is one host with those vars
    let body: Record<string, unknown>;
    if (Array.isArray(raw)) body = { hosts: raw };
    else if (isRecord(raw)) body = GROUP_KEYS.some((k) => k in raw) ? raw : { hosts: [name], vars: raw };
    else if (raw === null) body = {};
    else {
      issues.add([name], `group ${JSON.stringify(name)} must be an object with hosts, vars or children, or a list of hosts; got ${describeValue(raw)}`);
      continue;
    }
    if ('hosts' in body) stringList(body['hosts'], [name, 'hosts'], 'host').forEach((h, i) => listed.push([name, h, [name, 'hosts', i]]));
    if ('vars' in body && body['vars'] !== null) {
      if (!isRecord(body['vars'])) issues.add([name, 'vars'], `must be an object of variables, got ${describeValue(body['vars'])}`);
      else for (const [k, v] of Object.entries(body['vars'])) g.vars.set(k, { value: v, path: [name, 'vars', k] });
    }
    if ('children' in body) {
      for (const child of stringList(body['children'], [name, 'children'], 'group')) {
        if (child === 'all') issues.add([name, 'children'], 'the group "all" cannot be a child of another group');
        else model.group(child, [name, 'children']).parents.add(name);
      }
    }
  }
  const meta = data['_meta'];
  const hostvars = isRecord(meta) ? meta['hostvars'] : undefined;
  if (meta !== undefined && (!isRecord(meta) || (hostvars !== undefined && !isRecord(hostvars)))) {
    issues.add(['_meta'], 'must be an object with hostvars: an object of host name -> variables');
  }
  for (const [group, host, at] of listed) {
    const problem = fieldProblem(FIELD_SCHEMAS.hostName, host);
    if (problem) {
      issues.add(at, `host name ${problem}`);
      continue;
    }
    let h = model.hosts.get(host);
    if (!h) model.hosts.set(host, (h = { name: host, vars: new Map(), groups: new Set(), path: at }));
    h.groups.add(group);
  }
  if (isRecord(hostvars)) {
    for (const [host, vars] of Object.entries(hostvars)) {
      const h = model.hosts.get(host);
      if (!h || vars === null) continue;
      if (!isRecord(vars)) issues.add(['_meta', 'hostvars', host], `must be an object of variables, got ${describeValue(vars)}`);
      else for (const [k, v] of Object.entries(vars)) h.vars.set(k, { value: v, path: ['_meta', 'hostvars', host, k] });
    }
  }
  return resolveAnsibleModel(model, issues, file, 'ansible-json', doc.at([]));
}
