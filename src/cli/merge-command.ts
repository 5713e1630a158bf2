// `vmsnap merge a.json b.json ...`: the JSON reports of the shards of one run (--shard I/N) as one
// report. A host reported twice is refused (the reports are not shards of one run). The summary is
// recomputed, startedAt is the earliest, finishedAt the latest. With -i (and the run's --limit),
// inventory hosts no shard reported are added as status `error`, code NOT_REPORTED, so a lost
// shard shows up in the merged report instead of shrinking it. The exit code is the merged
// report's, as `vmsnap audit` would give it (0, 1, 3, 4, 130), or 2 for a usage problem.
import type { Argv } from 'yargs';
import type { Report } from '../model/report.js';
import { mergeReports } from '../report/merge.js';
import { createReporter } from '../report/create.js';
import { FORMATS, replayReport, type Format, type Sink } from '../report/reporter.js';
import { exitCodeFor } from './exit-codes.js';
import { hostArgs, hostOptionSpecs, selectCommandHosts, type HostArgs } from './inventory-command.js';
import { withOptions, type OptionSpec } from './options.js';
import { type CliIo } from './io.js';
import { UsageError } from '../errors.js';
import { AtomicFileSink, checkWritable, type OutputSpec } from './output-files.js';
import { readSavedReport, type SavedReport } from './saved-report.js';

export interface MergeArgs extends HostArgs {
  /** the shard reports, JSON */
  reports: string[];
  /** -o: PATH (JSON) or FORMAT=PATH, repeatable */
  output: string[];
  /** stdout's format; default json when no -o is given, nothing on stdout otherwise */
  format?: Format | undefined;
}

function outputSpecs(values: readonly string[]): OutputSpec[] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    const format = eq > 0 ? v.slice(0, eq) : '';
    if ((FORMATS as readonly string[]).includes(format)) {
      const path = v.slice(eq + 1);
      if (path === '') throw new UsageError(`-o ${v}: a file is missing after ${format}=`);
      return { format: format as Format, path };
    }
    if (v === '') throw new UsageError('-o needs a file');
    return { format: 'json', path: v };
  });
}

function list(names: readonly string[], max = 20): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function emit(format: Format, sink: Sink, report: Report, width?: number): void {
  replayReport(report, createReporter(format, sink, { width }));
}

export async function mergeCommand(args: MergeArgs, io: CliIo): Promise<number> {
  if (args.reports.length === 0) throw new UsageError('merge: name the shard reports to merge, e.g. vmsnap merge shard-*.json -o report.json');
  if (args.shard !== undefined) throw new UsageError('merge: --shard selects what one shard audits; merge all the shards\' reports instead');
  if (args.local) throw new UsageError('merge: --local does not go with merge');
  if (args.inventory === undefined) {
    const given = [(args.limit ?? []).length > 0 && '--limit', args.inventoryFormat !== undefined && '--inventory-format', args.azAddress !== undefined && '--az-address', args.azUser !== undefined && '--az-user'].filter(Boolean);
    if (given.length > 0) throw new UsageError(`merge: ${given.join(', ')} go${given.length === 1 ? 'es' : ''} with -i INVENTORY`);
  }
  const specs = outputSpecs(args.output);
  await checkWritable(specs, [...args.reports, ...(args.inventory !== undefined ? [args.inventory] : [])]);
  const shards: SavedReport[] = [];
  for (const f of args.reports) shards.push(await readSavedReport(f, 'merge'));
  const expected = args.inventory !== undefined ? (await selectCommandHosts(args)).hosts : null;

  const { report, duplicates, missing, extra } = mergeReports(
    shards.map((s) => ({ file: s.file, report: s.report, hosts: s.raw.hosts })),
    expected,
  );
  if (duplicates.size > 0) {
    const shown = [...duplicates].slice(0, 20).map(([n, files]) => `${n} (${files.join(', ')})`);
    const more = duplicates.size > 20 ? ` and ${duplicates.size - 20} more` : '';
    throw new UsageError(`merge: ${duplicates.size} host${duplicates.size === 1 ? ' is' : 's are'} in more than one report, so these are not shards of one run: ${shown.join('; ')}${more}`);
  }
  if (missing.length > 0) {
    io.stderr.write(`vmsnap: merge: ${missing.length} host${missing.length === 1 ? '' : 's'} of ${args.inventory} ${missing.length === 1 ? 'is' : 'are'} in no shard report, added as error NOT_REPORTED: ${list(missing)}\n`);
  }
  if (extra.length > 0) {
    io.stderr.write(`vmsnap: merge: warning: ${extra.length} reported host${extra.length === 1 ? ' is' : 's are'} not in the selection of ${args.inventory}, kept: ${list(extra)}\n`);
  }

  const files = specs.map((o) => ({ ...o, sink: new AtomicFileSink(o.path) }));
  for (const f of files) emit(f.format, f.sink, report);
  const stdoutFormat = args.format ?? (files.length === 0 ? 'json' : undefined);
  if (stdoutFormat) emit(stdoutFormat, io.stdout, report, io.columns);
  for (const f of files) await f.sink.commit();
  return exitCodeFor(report);
}

/** yargs options of `vmsnap merge <reports..>`. */
export const MERGE_OPTIONS: readonly OptionSpec[] = [
  { name: 'output', alias: 'o', kind: 'list', default: [], group: 'reports', doc: 'write the merged report to PATH (JSON) or FORMAT=PATH (repeatable, atomic)' },
  { name: 'format', alias: 'f', kind: 'choice', choices: FORMATS, group: 'reports', doc: 'print the merged report on stdout in this format (default: json, or nothing with -o)' },
  { name: 'inventory', alias: 'i', kind: 'string', group: 'selection', doc: 'the inventory the shards audited: its hosts no shard reported are added as error NOT_REPORTED' },
  ...hostOptionSpecs({ shard: false }),
];

export function mergeOptions<T>(y: Argv<T>) {
  return withOptions(y.positional('reports', { type: 'string', array: true, describe: 'JSON reports of the shards (--output json=FILE of each --shard run)' }), MERGE_OPTIONS)
    .example('$0 merge /out/shard-*.json -o report.json', 'one report from the shards of a run')
    .example('$0 merge shard-*.json -i inventory.yaml --limit prod -f table', 'a table of the whole run; hosts of the selection no shard reported show as NOT_REPORTED');
}

/** MergeArgs from yargs' parsed options. */
export function mergeArgs(parsed: Record<string, unknown>): MergeArgs {
  const reports = parsed['reports'];
  return {
    ...hostArgs(parsed),
    reports: (Array.isArray(reports) ? reports : reports === undefined ? [] : [reports]).map(String),
    output: ((parsed['output'] as unknown[] | undefined) ?? []).map(String),
    format: parsed['format'] as Format | undefined,
  };
}
