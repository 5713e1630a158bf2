// Choosing hosts, shared by `audit`, `inventory` and `merge`: the inventory file in any format vmsnap
// reads (-i, --inventory-format, --az-address, --az-user), --limit and --shard, or --local. And
// `vmsnap inventory`: the selected hosts and their resolved connection settings, without connecting.
import { renderTable } from '../report/text-table.js';
import type { Argv } from 'yargs';
import { endpointId, type Resolver } from '../ssh/resolve.js';
import { routeResolver, sshArgsFrom, type SshArgs } from './ssh-options.js';
import { AZ_ADDRESS_KINDS, type AzAddressKind } from '../inventory/az.js';
import { loadInventory } from '../inventory/source.js';
import { INVENTORY_FORMATS, type Host, type Inventory, type InventoryFormat } from '../inventory/types.js';
import { localInventory } from '../local/audit-local.js';
import { printable } from '../report/terminal-text.js';
import { selectInventoryHosts, type SelectedHosts } from '../select/hosts.js';
import { flagText, type CliIo } from './io.js';
import { withOptions, type OptionSpec } from './options.js';
import { UsageError } from '../errors.js';

/** What chooses the hosts of a command. */
export interface HostArgs {
  /** -i FILE; absent only with --local */
  inventory?: string | undefined;
  inventoryFormat?: InventoryFormat | 'auto' | undefined;
  azAddress?: AzAddressKind | undefined;
  azUser?: string | undefined;
  /** --limit PATTERN, repeatable (each narrows the previous) */
  limit?: readonly string[] | undefined;
  /** --shard I/N */
  shard?: string | undefined;
  /** --local: this machine, no inventory */
  local?: boolean | undefined;
}

/** The options behind HostArgs (-i is each command's own). `local` adds --local (audit only); `shard` adds --shard. */
export function hostOptionSpecs(opts: { local?: boolean; shard?: boolean } = {}): OptionSpec[] {
  const out: OptionSpec[] = [
    {
      name: 'limit',
      kind: 'list',
      group: 'selection',
      notRerun: true,
      doc: 'only these hosts: names, groups, tag:TAG, globs (web*), ~regex; "a,b" or "a:b" union, "&x" intersection, "!x" exclusion (e.g. \'web*:&prod:!web3\')',
    },
    { name: 'inventory-format', kind: 'choice', choices: ['auto', ...INVENTORY_FORMATS], group: 'selection', doc: 'format of -i (default auto: detected from the content)' },
    { name: 'az-address', kind: 'choice', choices: AZ_ADDRESS_KINDS, group: 'selection', doc: 'with an `az vm list -d` inventory: connect to the private (default) or public IP' },
    { name: 'az-user', kind: 'string', group: 'selection', doc: 'with an `az vm list -d` inventory: the login user (default root)' },
  ];
  if (opts.shard !== false) out.push({ name: 'shard', kind: 'string', group: 'selection', doc: 'audit share I of N (1-based), by a hash of each host name, e.g. --shard 2/4; `vmsnap merge` joins the reports' });
  if (opts.local) out.push({ name: 'local', kind: 'boolean', group: 'selection', doc: 'audit this machine, without SSH and without an inventory (as root, or through sudo -n)' });
  return out;
}

function oneValue(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`--${flag} was given ${value.length} times; give it once`);
  return flagText(value, flag);
}

/** HostArgs from yargs' parsed options. */
export function hostArgs(parsed: Record<string, unknown>): HostArgs {
  const inventory = oneValue(parsed['inventory'], 'inventory');
  if (inventory === '') throw new UsageError('--inventory needs a file');
  const limit = parsed['limit'] === undefined ? [] : (parsed['limit'] as unknown[]).map(String);
  return {
    inventory,
    inventoryFormat: oneValue(parsed['inventoryFormat'], 'inventory-format') as HostArgs['inventoryFormat'],
    azAddress: oneValue(parsed['azAddress'], 'az-address') as AzAddressKind | undefined,
    azUser: oneValue(parsed['azUser'], 'az-user'),
    limit,
    shard: oneValue(parsed['shard'], 'shard'),
    local: parsed['local'] === true,
  };
}

/** The inventory that -i and its format flags name, or this machine with --local. */
export async function commandInventory(args: HostArgs): Promise<Inventory> {
  if (args.local) {
    const given = [
      args.inventory !== undefined && '-i',
      (args.limit ?? []).length > 0 && '--limit',
      args.shard !== undefined && '--shard',
      args.inventoryFormat !== undefined && '--inventory-format',
      args.azAddress !== undefined && '--az-address',
      args.azUser !== undefined && '--az-user',
    ].filter((x): x is string => typeof x === 'string');
    if (given.length > 0) throw new UsageError(`--local audits this machine only: it takes no ${given.join(', ')}`);
    return localInventory();
  }
  if (args.inventory === undefined) throw new UsageError('name the inventory with -i FILE (or audit this machine with --local)');
  // a bad inventory is an InventoryError naming the file and line
  return loadInventory(args.inventory, { format: args.inventoryFormat, azAddress: args.azAddress, azUser: args.azUser });
}

/** The inventory through --limit and --shard (a bad one is a SelectionError naming the flag). */
export async function selectCommandHosts(args: HostArgs): Promise<SelectedHosts> {
  return selectInventoryHosts(await commandInventory(args), args);
}

// ---- vmsnap inventory ---------------------------------------------------------------------------

export interface InventoryCommandArgs extends HostArgs {
  format: 'table' | 'json';
  /** --ssh-config and --jump, to show how each host is reached as `audit` would reach it */
  ssh: SshArgs;
}

/** user@HostName:port and the jump hosts, after flags, inventory and ssh_config (see src/ssh/resolve.ts). */
function routeOf(h: Host, resolver: Resolver): { connectsAs: string; via: string[]; identityFiles: string[] } | { routeError: string } {
  if (h.unavailable) return { routeError: h.unavailable.message };
  try {
    const r = resolver.route(h);
    return { connectsAs: endpointId(r.target), via: r.jumps.map(endpointId), identityFiles: r.target.identities.map((i) => i.file) };
  } catch (e) {
    return { routeError: (e as Error).message };
  }
}

function listed(h: Host, resolver: Resolver) {
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    identityFile: h.identityFile,
    sudo: h.sudo,
    jump: h.jump ?? null,
    ...routeOf(h, resolver),
    groups: h.groups,
    tags: h.tags,
    ruleSeverity: h.ruleSeverity,
    ...(h.unavailable ? { unavailable: h.unavailable } : {}),
    ...(h.notes ? { notes: h.notes } : {}),
  };
}

export async function inventoryCommand(args: InventoryCommandArgs, io: CliIo): Promise<number> {
  if (args.local) throw new UsageError('`vmsnap inventory` lists an inventory file: name it with -i FILE');
  const s = await selectCommandHosts(args);
  const inv = s.inventory;
  const resolver = routeResolver(args.ssh, io);
  if (args.format === 'json') {
    const out = {
      file: inv.file,
      format: inv.format ?? 'vmsnap',
      total: s.total,
      selected: s.hosts.length,
      ...(s.shard ? { shard: `${s.shard.index}/${s.shard.count}` } : {}),
      hosts: s.hosts.map((h) => listed(h, resolver)),
      skipped: inv.skipped ?? [],
    };
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const rows = s.hosts.map((h) => {
    const route = routeOf(h, resolver);
    const ok = 'connectsAs' in route;
    return [
      h.name,
      ok ? route.connectsAs : '-',
      ok ? route.via.join(' -> ') || '-' : '-',
      ok ? route.identityFiles.join(', ') || '-' : '-',
      h.sudo,
      h.groups.join(', ') || '-',
      h.tags.join(', ') || '-',
      [...(h.notes ?? []), ...(h.unavailable ? [`audit: ${h.unavailable.status} ${h.unavailable.code}`] : []), ...('routeError' in route && !h.unavailable ? [route.routeError] : [])].join('; '),
    ].map(printable);
  });
  const lines: string[] = [];
  if (s.hosts.length > 0) lines.push(renderTable(['Host', 'Connects as', 'Via', 'Identity file', 'Sudo', 'Groups', 'Tags', 'Notes'], rows));
  const selected = s.hosts.length === s.total ? `${s.total} hosts` : `${s.hosts.length} of ${s.total} hosts`;
  const shard = s.shard ? `, shard ${s.shard.index}/${s.shard.count}` : '';
  lines.push(printable(`${selected} (${inv.format ?? 'vmsnap'} inventory ${inv.file}${shard}); nothing was connected to`));
  for (const x of inv.skipped ?? []) lines.push(printable(`skipped: ${x.name}: ${x.reason}`));
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** yargs options of `vmsnap inventory`. */
export const INVENTORY_OPTIONS: readonly OptionSpec[] = [
  { name: 'inventory', alias: 'i', kind: 'string', required: true, group: 'selection', doc: 'inventory: vmsnap YAML, Ansible YAML/INI/--list JSON, or `az vm list -d -o json` output' },
  ...hostOptionSpecs(),
  { name: 'format', alias: 'f', kind: 'choice', choices: ['table', 'json'], default: 'table', group: 'reports', doc: 'listing format' },
  { name: 'ssh-config', kind: 'string', group: 'connection', doc: 'OpenSSH client config to resolve hosts with, as audit does (default ~/.ssh/config; "none")' },
  { name: 'jump', alias: 'J', kind: 'string', group: 'connection', doc: 'jump host(s) for every host, as audit --jump' },
];

export function inventoryOptions<T>(y: Argv<T>) {
  return withOptions(y, INVENTORY_OPTIONS)
    .example('$0 inventory -i inventory.yaml --limit \'web*:&prod:!web3\'', 'which hosts this selection audits, and how vmsnap reaches each')
    .example('$0 inventory -i hosts.yml --format json', 'an Ansible inventory as vmsnap reads it (groups, ansible_user, ansible_become ...)')
    .example('az vm list -d -o json > vms.json && $0 inventory -i vms.json --az-user azureuser', 'the VMs of a subscription, tags as key=value')
    .example('$0 inventory -i inventory.yaml --shard 2/4', 'the hosts shard 2 of 4 audits');
}

/** InventoryCommandArgs from yargs' parsed options. */
export function inventoryArgs(parsed: Record<string, unknown>): InventoryCommandArgs {
  return { ...hostArgs(parsed), format: parsed['format'] === 'json' ? 'json' : 'table', ssh: sshArgsFrom(parsed) };
}
