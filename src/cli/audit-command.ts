// `vmsnap audit`: inventory -> fan-out -> collect -> judge -> report, and the exit code.
import { posix } from 'node:path';
import { runAudit } from '../audit/run.js';
import { FixGate } from '../fix/gate.js';
import { DEFAULT_ALLOWED_SCRIPT_DIRS, SYSTEM_DIRS, isUnder, type FixPolicy } from '../fix/plan.js';
import { selectCommandHosts, selectionNotes, type HostArgs } from './inventory-command.js';
import { allRules } from '../rules/index.js';
import { createReporter } from '../report/create.js';
import type { HtmlOptions } from '../report/html.js';
import type { Format, Reporter, Sink } from '../report/reporter.js';
import type { RerunHint } from '../report/table-sections.js';
import { prepareReporting } from './audit-reporting.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { trackInFlight } from './in-flight.js';
import { buildConnector, type SshArgs } from './ssh-options.js';
import { LocalConnector } from '../local/local-session.js';
import { type CliIo } from './io.js';
import { UsageError } from '../errors.js';
import { AtomicFileSink, checkWritable, parseOutputSpecs } from './output-files.js';
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

/** --fix-allow-dir values: absolute, normalised, never a system directory. */
export function fixPolicy(allowDirs: readonly string[], adopt = false): FixPolicy {
  const dirs = allowDirs.map((d) => {
    if (!d.startsWith('/')) throw new UsageError(`--fix-allow-dir ${JSON.stringify(d)}: must be an absolute path`);
    const n = posix.normalize(d).replace(/\/+$/, '') || '/';
    const sys = SYSTEM_DIRS.find((s) => isUnder(n, s) || isUnder(s, n));
    if (sys) throw new UsageError(`--fix-allow-dir ${d}: vmsnap never changes files in or above ${sys}`);
    return n;
  });
  return { allowedScriptDirs: [...DEFAULT_ALLOWED_SCRIPT_DIRS, ...dirs], adopt };
}

export function makeReporter(format: Format, sink: Sink, columns?: number, rerun?: RerunHint, html?: HtmlOptions): Reporter {
  return createReporter(format, sink, { width: columns, rerun, html });
}

/** Feeds every run event to each reporter: one stdout report plus the --output files. */
function fanOut(reporters: readonly Reporter[]): Required<Reporter> {
  return {
    onRunStart: (info) => reporters.forEach((r) => r.onRunStart?.(info)),
    onHostStart: (t) => reporters.forEach((r) => r.onHostStart?.(t)),
    onHostResult: (res, progress) => reporters.forEach((r) => r.onHostResult?.(res, progress)),
    onRunEnd: (report) => reporters.forEach((r) => r.onRunEnd(report)),
  };
}

export async function auditCommand(args: AuditArgs, io: CliIo): Promise<number> {
  const rules = selectRules(allRules, args.rule, args.skipRule);
  const specs = parseOutputSpecs(args.output);
  const inputs = [args.inventory, args.knownHosts, args.waivers, args.baseline, args.rerunFailed].filter((x): x is string => typeof x === 'string' && x !== '');
  await checkWritable(specs, inputs);
  const files = specs.map((o) => ({ ...o, sink: new AtomicFileSink(o.path) }));
  // the inventory (any format) through --limit and --shard, or this machine with --local
  const inventory = await selectCommandHosts(args.hosts ?? { inventory: args.inventory });
  for (const note of selectionNotes(inventory)) io.stderr.write(`vmsnap: ${note}\n`);
  checkOverrideIds(
    allRules,
    inventory.hosts.map((h) => [`${args.inventory}: host ${h.name}: rules`, h.ruleSeverity] as [string, Record<string, unknown>]),
  );
  // ssh_config, known_hosts, identities: read once for the run (a bad --ssh-config is a usage error);
  // --local needs none of it
  const ssh = inventory.inventory === null ? null : await buildConnector({ ...args.ssh, knownHosts: args.knownHosts }, io, Math.round(args.timeout * 1000));
  const reporting = await prepareReporting(args, inventory.hosts, allRules.map((r) => r.meta.id), io);
  for (const w of ssh ? await ssh.prepare(reporting.hosts) : []) io.stderr.write(`vmsnap: ${w}\n`);
  // the HTML page filters by the inventory's groups and tags and shows the run's command line
  const labels = new Map(inventory.hosts.map((h) => [h.name, { groups: h.groups, tags: h.tags }]));
  const html: HtmlOptions = { labels: (name) => labels.get(name), argv: args.argv ?? null, inventory: inventory.inventory === null ? undefined : args.inventory };
  const reporter = reporting.wrap(fanOut([
    makeReporter(args.format, reporting.stdout, io.columns, reporting.rerun, html),
    ...files.map((f) => makeReporter(f.format, f.sink, undefined, reporting.rerun, html)),
  ]));
  const inFlight = trackInFlight(reporter, io); // on Ctrl-C: name the hosts in flight on stderr
  const report = await runAudit(
    reporting.hosts,
    {
      concurrency: args.concurrency,
      timeoutMs: Math.round(args.timeout * 1000),
      connector: ssh ?? new LocalConnector(),
      auditOne: inventory.auditOne, // hosts the inventory marks unavailable
      rules,
      interrupt: io.interrupt,
      fix: args.fix
        ? {
            dryRun: args.fix.dryRun,
            policy: fixPolicy(args.fix.allowDirs, args.fix.adopt),
            // the guard: a cron job (no terminal) without --yes may change at most --max-changes hosts
            // (hosts named one by one with --limit, or --local, are an explicit choice: no guard)
            gate: new FixGate(reporting.hosts.length, args.fix.yes || io.stdoutIsTTY || inventory.explicit ? null : args.fix.maxChanges),
          }
        : undefined,
    },
    inFlight.listener,
  ).then((report) => reporting.finalize(report));
  inFlight.dispose();
  ssh?.close(); // the jump host connections
  reporter.onRunEnd(report);
  for (const f of files) await f.sink.commit();
  const refused = args.fix && !args.fix.dryRun ? report.hosts.filter((h) => h.fixes?.some((x) => x.pending)).length : 0;
  if (refused > 0) io.stderr.write(`vmsnap: --fix changed nothing on ${refused} hosts: more than ${args.fix?.maxChanges} hosts would change and stdout is not a terminal (pass --yes, or select hosts explicitly)\n`);
  return io.interrupt.aborted ? EXIT.interrupted : exitCodeFor(report);
}
