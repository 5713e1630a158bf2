// `vmsnap audit`: inventory -> fan-out -> collect -> judge -> report, and the exit code.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runAudit } from '../audit/run.js';
import { loadInventory, InventoryError } from '../inventory/load.js';
import { allRules } from '../rules/index.js';
import { JsonReporter } from '../report/json.js';
import type { Format, Reporter, Sink } from '../report/reporter.js';
import { TableReporter } from '../report/table.js';
import { DirectConnector } from '../ssh/connector.js';
import { IdentityStore } from '../ssh/identities.js';
import { KnownHosts } from '../ssh/known-hosts.js';
import { exitCodeFor } from './exit-codes.js';
import { UsageError, type CliIo } from './io.js';
import { AtomicFileSink, parseOutputSpecs } from './output-files.js';
import { checkOverrideIds, selectRules } from './select-rules.js';

export interface AuditArgs {
  inventory: string;
  format: Format;
  concurrency: number;
  /** seconds */
  timeout: number;
  knownHosts?: string | undefined;
  rule: string[];
  skipRule: string[];
  /** extra reports, FORMAT=PATH */
  output: string[];
}

export function makeReporter(format: Format, sink: Sink, columns?: number): Reporter {
  switch (format) {
    case 'json':
      return new JsonReporter(sink);
    case 'table':
      return new TableReporter(sink, { width: columns });
  }
}

/** Feeds every run event to each reporter: one stdout report plus the --output files. */
function fanOut(reporters: readonly Reporter[]): Required<Reporter> {
  return {
    onRunStart: (info) => reporters.forEach((r) => r.onRunStart?.(info)),
    onHostResult: (res, progress) => reporters.forEach((r) => r.onHostResult?.(res, progress)),
    onRunEnd: (report) => reporters.forEach((r) => r.onRunEnd(report)),
  };
}

export async function auditCommand(args: AuditArgs, io: CliIo): Promise<number> {
  const rules = selectRules(allRules, args.rule, args.skipRule);
  const files = parseOutputSpecs(args.output).map((o) => ({ ...o, sink: new AtomicFileSink(o.path) }));
  let inventory: Awaited<ReturnType<typeof loadInventory>>;
  try {
    inventory = await loadInventory(args.inventory);
  } catch (e) {
    if (e instanceof InventoryError) throw new UsageError(e.message);
    throw e;
  }
  checkOverrideIds(
    allRules,
    inventory.hosts.map((h) => [`${args.inventory}: host ${h.name}: rules`, h.ruleSeverity] as [string, Record<string, unknown>]),
  );
  const knownHostsFile = args.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
  let knownHosts: KnownHosts;
  try {
    knownHosts = await KnownHosts.load(knownHostsFile);
  } catch (e) {
    throw new UsageError(`--known-hosts ${knownHostsFile}: ${(e as Error).message}`);
  }
  const reporter = fanOut([
    makeReporter(args.format, io.stdout, io.columns),
    ...files.map((f) => makeReporter(f.format, f.sink)),
  ]);
  const report = await runAudit(
    inventory.hosts,
    {
      concurrency: args.concurrency,
      timeoutMs: Math.round(args.timeout * 1000),
      connector: new DirectConnector({
        knownHosts,
        identities: new IdentityStore(io.env['VMSNAP_KEY_PASSPHRASE']),
        agent: io.env['SSH_AUTH_SOCK'] || undefined,
      }),
      rules,
      interrupt: io.interrupt,
    },
    reporter,
  );
  reporter.onRunEnd(report);
  for (const f of files) await f.sink.commit();
  return exitCodeFor(report);
}
