// What `vmsnap audit` does around the run for reporting: --rerun-failed (which hosts), --waivers and
// --baseline (marks on each host result as it arrives, so streamed formats carry them too, and on
// the final report), the progress line on a terminal, and the rerun hint for the table.
import type { Host } from '../inventory/types.js';
import type { HostResult, Report } from '../model/report.js';
import { applyBaseline, baselineIndex, driftHost } from '../baseline/drift.js';
import { loadPreviousReport } from '../baseline/load.js';
import { failedHostNames, selectRerun } from '../baseline/rerun.js';
import { ProgressReporter } from '../report/progress.js';
import type { Format, Reporter, Sink } from '../report/reporter.js';
import type { RerunHint } from '../report/table-sections.js';
import { applyWaivers, describeWaiver, isExpired, waiveHost, type HostLabelLookup } from '../waivers/apply.js';
import { loadWaivers, type WaiverSet } from '../waivers/load.js';
import { flagText, type CliIo } from './io.js';
import { UsageError } from '../errors.js';
import { parseOutputSpecs } from './output-files.js';

export interface ReportingArgs {
  inventory: string;
  format: Format;
  output: readonly string[];
  knownHosts?: string | undefined;
  /** --waivers FILE */
  waivers?: string | undefined;
  /** --baseline LAST.json */
  baseline?: string | undefined;
  /** --rerun-failed LAST.json */
  rerunFailed?: string | undefined;
  /** --quiet: no progress line */
  quiet?: boolean | undefined;
  /** the command line after `vmsnap`, for the rerun hint; null for none */
  argv?: readonly string[] | null | undefined;
}

export interface Reporting<T extends Host> {
  /** the hosts to audit (all, or the failures of --rerun-failed) */
  hosts: T[];
  /** stdout, wrapped so the progress line and stdout never share a terminal row */
  stdout: Sink;
  rerun: RerunHint | undefined;
  /** run events through waivers, baseline and the progress line to the reporters */
  wrap(inner: Required<Reporter>): Required<Reporter>;
  /** the run's report with waivers and baseline applied */
  finalize(report: Report): Report;
}

/**
 * Options dropped from the rerun hint, and whether they take a value: those that choose hosts or
 * reports, and --fix-adopt (the operator vouched for the files of this run, not of the next one).
 */
const NOT_RERUN: Record<string, 'value' | 'values' | 'flag'> = {
  format: 'value',
  f: 'value',
  output: 'values',
  o: 'values',
  'rerun-failed': 'value',
  limit: 'values',
  baseline: 'value',
  quiet: 'flag',
  q: 'flag',
  'fix-adopt': 'flag',
};

/** `vmsnap audit` arguments of this command line minus report/selection options (pure). */
export function rerunArgs(argv: readonly string[]): string[] {
  const start = argv.indexOf('audit');
  const rest = argv.slice(start + 1);
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    const m = /^--?(?:no-)?([^=]+)(=.*)?$/.exec(tok);
    const name = m ? m[1]!.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) : null;
    const kind = name !== null && tok.startsWith('-') && tok !== '-' && tok !== '--' ? NOT_RERUN[name] : undefined;
    if (kind === undefined) {
      out.push(tok);
      continue;
    }
    if (kind === 'flag' || m![2] !== undefined) continue;
    if (kind === 'value') i += 1;
    else while (i + 1 < rest.length && !rest[i + 1]!.startsWith('-')) i += 1;
  }
  return out;
}

export async function prepareReporting<T extends Host>(
  args: ReportingArgs,
  inventoryHosts: T[],
  ruleIds: readonly string[],
  io: CliIo,
  now: Date = new Date(),
): Promise<Reporting<T>> {
  let waivers: WaiverSet | null = null;
  if (args.waivers !== undefined) {
    waivers = await loadWaivers(args.waivers, ruleIds);
    const expired = waivers.waivers.filter((w) => isExpired(w, now));
    if (expired.length > 0) {
      io.stderr.write(
        `vmsnap: warning: ${expired.length} waiver${expired.length === 1 ? ' has' : 's have'} expired and no longer waive anything: ` +
          expired.map((w) => `${describeWaiver(w)} (expired ${w.expires})`).join('; ') +
          '\n',
      );
    }
  }
  const baseline = args.baseline !== undefined ? await loadPreviousReport(args.baseline, '--baseline') : null;
  const index = baseline ? baselineIndex(baseline) : null;

  let hosts = inventoryHosts;
  if (args.rerunFailed !== undefined) {
    const last = args.rerunFailed === args.baseline && baseline ? baseline : await loadPreviousReport(args.rerunFailed, '--rerun-failed');
    const { selected, missing } = selectRerun(inventoryHosts, failedHostNames(last));
    if (missing.length > 0) {
      io.stderr.write(
        `vmsnap: --rerun-failed ${args.rerunFailed}: ${missing.length} host${missing.length === 1 ? ' is' : 's are'} no longer in the inventory (or not selected by --limit/--shard), skipped: ${missing.join(', ')}\n`,
      );
    }
    if (!args.quiet) {
      io.stderr.write(`vmsnap: --rerun-failed ${args.rerunFailed}: rerunning ${selected.length} host${selected.length === 1 ? '' : 's'} that were not compliant\n`);
    }
    hosts = selected;
  }

  const labels = new Map(inventoryHosts.map((h) => [h.name, { groups: h.groups, tags: h.tags }]));
  const labelsOf: HostLabelLookup = (name) => labels.get(name);
  const annotate = (h: HostResult): HostResult => {
    let out = h;
    if (waivers) out = waiveHost(out, waivers, now, labelsOf).host;
    if (index) out = driftHost(out, index.get(out.name));
    return out;
  };

  const progress = io.stderrIsTTY && !args.quiet ? new ProgressReporter(io.stderr, { columns: io.stderrColumns }) : null;
  // stdout on the same terminal: clear the progress line around each write. Through a pipe (`| jq`)
  // jsonl lines reach the terminal a little later, so the line waits a while before it is repainted;
  // into a file nothing can mix. Other formats write only after the line is cleared for good.
  let stdout = io.stdout;
  if (progress && io.stdoutIsTTY) stdout = progress.wrap(io.stdout);
  else if (progress && args.format === 'jsonl' && !io.stdoutIsFile) stdout = progress.wrap(io.stdout, { holdMs: 250 });

  const json = parseOutputSpecs(args.output).find((o) => o.format === 'json');
  const rerun: RerunHint | undefined = args.argv === null ? undefined : {
    args: args.argv ? rerunArgs(args.argv) : ['-i', args.inventory, ...(args.knownHosts ? ['--known-hosts', args.knownHosts] : [])],
    jsonPath: json?.path,
  };

  return {
    hosts,
    stdout,
    rerun,
    wrap: (inner) => ({
      onRunStart: (info) => {
        progress?.onRunStart(info);
        inner.onRunStart(info);
      },
      onHostStart: (t) => {
        progress?.onHostStart(t);
        inner.onHostStart(t);
      },
      onHostResult: (r, p) => {
        const a = annotate(r);
        progress?.onHostResult(a, p);
        inner.onHostResult(a, p);
      },
      onRunEnd: (report) => {
        progress?.onRunEnd(); // cleared before any report reaches the terminal
        inner.onRunEnd(report);
      },
    }),
    finalize: (report) => {
      let out = report;
      if (waivers) out = applyWaivers(out, waivers, now, labelsOf);
      if (baseline && index) out = applyBaseline(out, baseline, args.baseline!, index);
      return out;
    },
  };
}

/** A file option's value from yargs: undefined when absent; given twice or empty is a usage error. */
export function fileOption(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`--${flag} was given ${value.length} times; give it once`);
  const s = flagText(value, flag);
  if (s === '') throw new UsageError(`--${flag} needs a file`);
  return s;
}
