// `vmsnap audit`: flags -> the library's audit options (src/audit/session.ts), and its reporters:
// the one on stdout, the --output files, the progress line, the in-flight list on Ctrl-C. Then the
// --output files are committed and the exit code says how the fleet is.
import { audit, type AuditOptions } from '../audit/session.js';
import { createReporter } from '../report/create.js';
import type { HtmlOptions } from '../report/html.js';
import type { Format, Reporter, Sink } from '../report/reporter.js';
import type { RerunHint } from '../report/table-sections.js';
import { prepareReporting } from './audit-reporting.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { inFlightReporter } from './in-flight.js';
import { commandInventory, type HostArgs } from './inventory-command.js';
import type { CliIo } from './io.js';
import { AtomicFileSink, checkWritable, parseOutputSpecs } from './output-files.js';
import { sshOptionsFor, type SshArgs } from './ssh-options.js';
import { hostLabels } from '../inventory/labels.js';

export interface AuditArgs {
  inventory: string;
  format: Format;
  concurrency: number;
  /** --workers as given; undefined: the cores, at most one per 32 hosts ('auto') */
  workers?: number | undefined;
  /** seconds */
  timeout: number;
  knownHosts?: string | undefined;
  rule: string[];
  skipRule: string[];
  /** extra reports, FORMAT=PATH */
  output: string[];
  /** --fix and its flags; null without --fix */
  fix?: FixArgs | null;
  /** --waivers FILE, --baseline LAST.json, --rerun-failed LAST.json, --quiet (see audit-reporting.ts) */
  waivers?: string | undefined;
  baseline?: string | undefined;
  rerunFailed?: string | undefined;
  quiet?: boolean | undefined;
  /** the command line after `vmsnap`, for the table's rerun command; null: no rerun command (the demo's fleet is gone by then) */
  argv?: readonly string[] | null | undefined;
  /** --ssh-config, --jump, --accept-new, --retries, --jump-max-startups (see ssh-options.ts) */
  ssh?: SshArgs | undefined;
  /** -i with --inventory-format/--az-*, --limit, --shard, or --local (see inventory-command.ts); default: all of `inventory` */
  hosts?: HostArgs | undefined;
}

export interface FixArgs {
  dryRun: boolean;
  yes: boolean;
  maxChanges: number;
  allowDirs: string[];
  /** --fix-adopt: the operator reviewed the files a non-root user could write */
  adopt: boolean;
}

export function makeReporter(format: Format, sink: Sink, columns?: number, rerun?: RerunHint, html?: HtmlOptions): Reporter {
  return createReporter(format, sink, { width: columns, rerun, html });
}

export async function auditCommand(args: AuditArgs, io: CliIo): Promise<number> {
  const specs = parseOutputSpecs(args.output);
  const inputs = [args.inventory, args.knownHosts, args.waivers, args.baseline, args.rerunFailed].filter((x): x is string => typeof x === 'string' && x !== '');
  await checkWritable(specs, inputs);
  const files = specs.map((o) => ({ ...o, sink: new AtomicFileSink(o.path) }));
  const hostArgs = args.hosts ?? { inventory: args.inventory };
  // the inventory (any format), or this machine with --local
  const inventory = await commandInventory(hostArgs);
  const output = prepareReporting(args, io);
  // the HTML page filters by the inventory's groups and tags and shows the run's command line
  const html: HtmlOptions = { labels: hostLabels(inventory.hosts), argv: args.argv ?? null, inventory: inventory.local ? undefined : args.inventory };
  const inFlight = inFlightReporter(io); // on Ctrl-C: name the hosts in flight on stderr
  const say = (message: string) => io.stderr.write(`vmsnap: ${message}\n`);
  const options: AuditOptions = {
    ...sshOptionsFor({ ...args.ssh, knownHosts: args.knownHosts }, io),
    limit: hostArgs.limit,
    shard: hostArgs.shard,
    concurrency: args.concurrency,
    workers: args.workers ?? 'auto',
    timeoutMs: Math.round(args.timeout * 1000),
    rules: args.rule,
    skipRules: args.skipRule,
    waivers: args.waivers,
    baseline: args.baseline,
    rerunFailed: args.rerunFailed,
    fix: args.fix && {
      dryRun: args.fix.dryRun,
      adopt: args.fix.adopt,
      allowDirs: args.fix.allowDirs,
      // the guard: a cron job (no terminal) without --yes may change at most --max-changes hosts
      maxChanges: args.fix.yes || io.stdoutIsTTY ? undefined : args.fix.maxChanges,
    },
    signal: io.interrupt,
    // in this order: the progress line is cleared before any report reaches the terminal
    reporters: [
      inFlight.reporter,
      ...(output.progress ? [output.progress] : []),
      makeReporter(args.format, output.stdout, io.columns, output.rerun, html),
      ...files.map((f) => makeReporter(f.format, f.sink, undefined, output.rerun, html)),
    ],
    onWarning: say,
    onInfo: args.quiet ? undefined : say,
  };
  let report;
  try {
    report = await audit(inventory, options);
  } finally {
    inFlight.dispose();
  }
  for (const f of files) await f.sink.commit();
  const refused = args.fix && !args.fix.dryRun ? report.hosts.filter((h) => h.fixes?.some((x) => x.pending)).length : 0;
  if (refused > 0) io.stderr.write(`vmsnap: --fix changed nothing on ${refused} hosts: more than ${args.fix?.maxChanges} hosts would change and stdout is not a terminal (pass --yes, or select hosts explicitly)\n`);
  return io.interrupt.aborted ? EXIT.interrupted : exitCodeFor(report);
}
