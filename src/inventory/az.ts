// The output of `az vm list -d -o json` (or `-o yaml`) as an inventory:
//
//   name            -> the host's name (as `resourceGroup/name` when two VMs share a name)
//   privateIps      -> the address (the first one), or publicIps with --az-address public
//   resourceGroup   -> its group
//   tags            -> its tags, as key=value (select with --limit tag:env=prod)
//   powerState      -> shown by `vmsnap inventory` when it is not "VM running"
//   storageProfile.osDisk.osType Windows -> skipped (listed, never audited)
//
// The login user is --az-user (default root); port 22, no key file (ssh-agent or OpenSSH's
// default keys), sudo auto. A VM with no address of the chosen kind (deallocated, or no public IP)
// stays in the inventory, marked unavailable: the audit reports it `unreachable` with error code
// NO_ADDRESS without trying to connect, so it is counted, never silently dropped.
import path from 'node:path';
import { InventoryError } from './errors.js';
import { formatFieldPath } from './load.js';
import { IssueList, isRecord, parseJsonLocated, parseYamlLocated, type LocatedDocument, type PathSegment } from './locate.js';
import { FIELD_SCHEMAS, describeValue, fieldProblem } from './schema.js';
import { BUILTIN_DEFAULTS, type Host, type Inventory } from './types.js';

export type AzAddressKind = 'private' | 'public';
export const AZ_ADDRESS_KINDS = ['private', 'public'] as const satisfies readonly AzAddressKind[];

export interface AzOptions {
  /** which IP address to connect to (default private) */
  address?: AzAddressKind | undefined;
  /** login user (default root) */
  user?: string | undefined;
}

function fieldPath(segments: readonly PathSegment[]): string {
  return formatFieldPath(segments);
}

/** The addresses of a privateIps/publicIps value: "10.0.0.4,10.0.0.5", a list, or nothing. */
function addresses(v: unknown): string[] | null {
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((s) => s.trim()).filter((s) => s !== '');
  return null;
}

/** Parses `az vm list -d` output (JSON, or YAML from `-o yaml`). Throws InventoryError (only). */
export function parseAzVmList(text: string, file: string, opts: AzOptions = {}): Inventory {
  const kind = opts.address ?? 'private';
  const user = opts.user ?? BUILTIN_DEFAULTS.user;
  const userProblem = fieldProblem(FIELD_SCHEMAS.user, user);
  if (userProblem) throw new InventoryError(file, { line: null, column: null, field: '--az-user', message: userProblem });

  const doc: LocatedDocument = text.trimStart().startsWith('[') ? parseJsonLocated(text, file) : parseYamlLocated(text, file);
  const data = doc.data;
  if (!Array.isArray(data)) {
    throw new InventoryError(file, { ...doc.at([]), field: null, message: `expected the list \`az vm list -d -o json\` prints, got ${describeValue(data)}` });
  }
  if (data.length === 0) throw new InventoryError(file, { line: 1, column: 1, field: null, message: 'the VM list is empty: `az vm list` found no VMs (check the subscription: az account show)' });
  const detailed = data.some((vm) => isRecord(vm) && ('privateIps' in vm || 'publicIps' in vm || 'powerState' in vm));
  if (!detailed) {
    throw new InventoryError(file, {
      line: 1,
      column: 1,
      field: null,
      message: 'this is `az vm list` output without --show-details: it has no IP addresses; run `az vm list -d -o json` (-d adds privateIps, publicIps and powerState)',
    });
  }

  const issues = new IssueList(file, doc, fieldPath);
  const ipField = kind === 'public' ? 'publicIps' : 'privateIps';
  interface Vm {
    index: number;
    name: string;
    resourceGroup: string;
    host: Host;
  }
  const vms: Vm[] = [];
  const skipped: { name: string; reason: string }[] = [];
  data.forEach((vm, i) => {
    if (!isRecord(vm)) {
      issues.add([i], `must be a VM (a mapping with name, resourceGroup, ...), got ${describeValue(vm)}`);
      return;
    }
    const name = vm['name'];
    const rg = vm['resourceGroup'];
    let ok = true;
    const nameProblem = typeof name === 'string' ? fieldProblem(FIELD_SCHEMAS.hostName, name) : `must be the VM's name, got ${describeValue(name)}`;
    if (nameProblem) {
      issues.add([i, 'name'], nameProblem);
      ok = false;
    }
    if (typeof rg !== 'string' || rg === '') {
      issues.add([i, 'resourceGroup'], `must be the VM's resource group, got ${describeValue(rg)}`);
      ok = false;
    }
    const tags = vm['tags'];
    if (tags !== null && tags !== undefined && !isRecord(tags)) {
      issues.add([i, 'tags'], `must be a mapping of tag names to values, got ${describeValue(tags)}`);
      ok = false;
    }
    const ips = addresses(vm[ipField]);
    if (ips === null) {
      issues.add([i, ipField], `must be a comma-separated list of IP addresses, got ${describeValue(vm[ipField])}`);
      ok = false;
    }
    if (!ok) return;
    const osType = (vm['storageProfile'] as { osDisk?: { osType?: unknown } } | undefined)?.osDisk?.osType;
    if (typeof osType === 'string' && osType.toLowerCase() === 'windows') {
      skipped.push({ name: name as string, reason: 'a Windows VM' });
      return;
    }
    const address = ips![0] ?? '';
    if (address !== '') {
      const problem = fieldProblem(FIELD_SCHEMAS.address, address);
      if (problem) {
        issues.add([i, ipField], problem);
        return;
      }
    }
    const power = typeof vm['powerState'] === 'string' ? (vm['powerState']) : null;
    const host: Host = {
      name: name as string,
      address,
      port: BUILTIN_DEFAULTS.port,
      user,
      identityFile: null,
      sudo: BUILTIN_DEFAULTS.sudo,
      tags: Object.entries(isRecord(tags) ? tags : {}).map(([k, v]) => `${k}=${v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)}`),
      groups: [rg as string],
      ruleSeverity: {},
    };
    const notes: string[] = [];
    if (power !== null && power !== 'VM running') notes.push(power);
    if (address === '') {
      const why = power !== null && power !== 'VM running' ? ` (${power})` : '';
      const hint = kind === 'public' ? '; from inside its network, use --az-address private' : '';
      host.unavailable = { status: 'unreachable', code: 'NO_ADDRESS', message: `az vm list shows no ${kind} IP address for this VM${why}${hint}` };
      notes.push(`no ${kind} IP address`);
    }
    if (notes.length > 0) host.notes = notes;
    vms.push({ index: i, name: name as string, resourceGroup: rg as string, host });
  });
  issues.throwIfAny();

  // VM names are unique within a resource group only: qualify the ones that clash
  const count = new Map<string, number>();
  for (const v of vms) count.set(v.name, (count.get(v.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const v of vms) {
    if ((count.get(v.name) ?? 0) > 1) v.host.name = `${v.resourceGroup}/${v.name}`;
    const prev = seen.get(v.host.name);
    if (prev !== undefined) {
      const line = doc.at([prev]).line;
      issues.add([v.index, 'name'], `VM ${JSON.stringify(v.host.name)} is listed twice (first at line ${line}); merge the lists with jq 'unique_by(.id)' or list one subscription per file`);
    } else seen.set(v.host.name, v.index);
  }
  issues.throwIfAny();
  if (vms.length === 0) {
    throw new InventoryError(file, { line: 1, column: 1, field: null, message: `the list has no Linux VMs (${skipped.length} Windows VMs skipped)` });
  }
  const inv: Inventory = { file: path.resolve(file), hosts: vms.map((v) => v.host), format: 'az' };
  if (skipped.length > 0) inv.skipped = skipped;
  return inv;
}
