// `vmsnap keyscan`: pre-flights a fleet's host keys. Connects to every inventory host (and every
// jump host on the way) as the audit would, fetches the host key, never authenticates to the host,
// and compares the key with the known_hosts file the audit would check it against.
//
// stdout: the known_hosts lines it would add (new keys only), ready for `>> ~/.ssh/known_hosts`
// after checking them; stderr: one line per host (matches, new, CHANGED, revoked, or why it could
// not be scanned) and a summary. Exit 0 when every key was fetched and none changed, 3 otherwise,
// 2 for usage errors, 130 when interrupted.
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { Argv } from 'yargs';
import { SshError } from '../ssh/connection.js';
import type { OpenSshConnector, ScanResult } from '../ssh/openssh-connector.js';
import { endpointId, type Endpoint, type RouteTarget } from '../ssh/resolve.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { hostOptionSpecs, selectCommandHosts, type HostArgs } from './inventory-command.js';
import { SSH_OPTIONS, buildConnector, type SshArgs } from './ssh-options.js';
import { withOptions, type OptionSpec } from './options.js';
import { CONCURRENCY_OPTION, TIMEOUT_OPTION } from './audit-options.js';

/** `vmsnap keyscan`'s flags: the inventory, and the SSH flags that decide how hosts are reached. */
export const KEYSCAN_OPTIONS: readonly OptionSpec[] = [
  { name: 'inventory', alias: 'i', kind: 'string', required: true, group: 'selection', doc: 'inventory: vmsnap YAML, Ansible YAML/INI/--list JSON, or `az vm list -d -o json` output' },
  ...hostOptionSpecs(),
  { ...CONCURRENCY_OPTION, doc: 'hosts scanned at once' },
  { ...TIMEOUT_OPTION, doc: 'per-host deadline in seconds' },
  { name: 'known-hosts', kind: 'string', group: 'connection', doc: 'known_hosts file to compare with (default: as ssh_config says, else ~/.ssh/known_hosts)' },
  ...SSH_OPTIONS,
];

export function keyscanOptions(y: Argv) {
  return withOptions(y, KEYSCAN_OPTIONS)
    .example('$0 keyscan -i inventory.yaml >> ~/.ssh/known_hosts', 'after checking the fingerprints it prints on stderr')
    .example('$0 keyscan -i inventory.yaml --ssh-config ~/.ssh/config.fleet', 'through the jump hosts that config names');
}

export interface KeyscanArgs {
  /** -i, --limit, --shard, --inventory-format, --az-* (as audit reads them) */
  hosts: HostArgs;
  /** seconds per host */
  timeout: number;
  concurrency: number;
  ssh: SshArgs;
}

interface Outcome {
  label: string;
  result: ScanResult | null;
  error: { code: string; message: string } | null;
}

export async function keyscanCommand(args: KeyscanArgs, io: CliIo): Promise<number> {
  // the same hosts `vmsnap audit` would reach with the same flags (hosts without an address left out)
  const hosts: RouteTarget[] = (await selectCommandHosts(args.hosts)).hosts.filter((h) => !h.unavailable);
  const timeoutMs = Math.round(args.timeout * 1000);
  const connector = await buildConnector(args.ssh, io, timeoutMs);
  try {
    for (const w of await connector.prepare(hosts)) io.stderr.write(`vmsnap: ${w}\n`);
    const outcomes = await scanAll(connector, hosts, args.concurrency, timeoutMs, io.interrupt);
    return report(outcomes, io);
  } finally {
    connector.close();
  }
}

/** Every jump host (once) then every inventory host, scanned with at most `concurrency` at once. */
async function scanAll(connector: OpenSshConnector, hosts: RouteTarget[], concurrency: number, timeoutMs: number, interrupt: AbortSignal): Promise<Outcome[]> {
  setMaxListeners(0, interrupt); // every host in flight listens for Ctrl-C: by design, not a leak
  type Job = { label: string; run: (signal: AbortSignal) => Promise<ScanResult> };
  const jobs: Job[] = [];
  const jumpJobs = new Map<string, Job>();
  const hostJobs: Job[] = [];
  for (const h of hosts) {
    let route: ReturnType<OpenSshConnector['route']> | null = null;
    try {
      route = connector.route(h);
    } catch (e) {
      const err = e as Error;
      hostJobs.push({ label: h.name, run: () => Promise.reject(err) });
      continue;
    }
    route.jumps.forEach((j: Endpoint, i: number) => {
      const before = route.jumps.slice(0, i);
      const key = [...before, j].map(endpointId).join(' > ');
      if (!jumpJobs.has(key)) jumpJobs.set(key, { label: j.label, run: (s) => connector.scanEndpoint(j, before, s) });
    });
    hostJobs.push({ label: h.name, run: (s) => connector.scan(h, s) });
  }
  jobs.push(...jumpJobs.values(), ...hostJobs);

  const limit = pLimit(Math.max(1, concurrency));
  return Promise.all(
    jobs.map((job) =>
      limit(async (): Promise<Outcome> => {
        if (interrupt.aborted) return { label: job.label, result: null, error: { code: 'INTERRUPTED', message: 'the scan was interrupted before this host was started' } };
        const ctl = new AbortController();
        const timer = setTimeout(() => ctl.abort(new SshError('timeout', 'DEADLINE', `no host key within the ${timeoutMs} ms deadline`)), timeoutMs);
        const onInterrupt = () => ctl.abort(new SshError('interrupted', 'INTERRUPTED', 'the scan was interrupted while this host was in flight'));
        interrupt.addEventListener('abort', onInterrupt, { once: true });
        try {
          return { label: job.label, result: await job.run(ctl.signal), error: null };
        } catch (e) {
          const code = e instanceof SshError ? e.code : ((e as { code?: string }).code ?? 'ERROR');
          return { label: job.label, result: null, error: { code, message: (e as Error)?.message ?? String(e) } };
        } finally {
          clearTimeout(timer);
          interrupt.removeEventListener('abort', onInterrupt);
        }
      }),
    ),
  );
}

function report(outcomes: Outcome[], io: CliIo): number {
  const counts = { match: 0, unknown: 0, changed: 0, revoked: 0, failed: 0 };
  const linesByFile = new Map<string, string[]>();
  const added = new Set<string>();
  let interrupted = false;
  for (const o of outcomes) {
    if (!o.result) {
      counts.failed += 1;
      if (o.error?.code === 'INTERRUPTED') interrupted = true;
      io.stderr.write(`${o.label}: not scanned: ${o.error?.code}: ${o.error?.message}\n`);
      continue;
    }
    const r = o.result;
    const at = `${r.hostName}:${r.port}${r.via.length ? ` via ${r.via.join(' > ')}` : ''}`;
    counts[r.verdict] += 1;
    switch (r.verdict) {
      case 'match':
        io.stderr.write(`${o.label} (${at}): matches, ${r.keyType} ${r.fingerprint}\n`);
        break;
      case 'unknown': {
        io.stderr.write(`${o.label} (${at}): new, ${r.keyType} ${r.fingerprint} (line on stdout, for ${r.knownHostsFile})\n`);
        const id = `${r.knownHostsFile}\0${r.hostName}:${r.port}\0${r.fingerprint}`;
        if (!added.has(id)) {
          added.add(id);
          const list = linesByFile.get(r.knownHostsFile) ?? [];
          list.push(r.line);
          linesByFile.set(r.knownHostsFile, list);
        }
        break;
      }
      case 'changed':
        io.stderr.write(`${o.label} (${at}): CHANGED: ${r.message}\n`);
        break;
      case 'revoked':
        io.stderr.write(`${o.label} (${at}): REVOKED: ${r.message}\n`);
        break;
    }
  }
  const several = linesByFile.size > 1;
  for (const [file, lines] of linesByFile) {
    if (several) io.stdout.write(`# for ${file}\n`);
    for (const l of lines) io.stdout.write(`${l}\n`);
  }
  io.stderr.write(
    `keyscan: ${outcomes.length} scanned: ${counts.match} match, ${counts.unknown} new, ${counts.changed} changed, ` +
      `${counts.revoked} revoked, ${counts.failed} not scanned\n`,
  );
  if (interrupted) return EXIT.interrupted;
  return counts.changed + counts.revoked + counts.failed > 0 ? EXIT.notAudited : EXIT.ok;
}
