// `vmsnap report FILE.json|FILE.jsonl`: render a saved report (a nightly JSON, a `merge`d shard
// report, a --baseline run, JSON Lines) in another format, without connecting to anything. With -i
// the inventory's groups and tags label the hosts (the HTML page filters by them). Exit 0 when the
// report was rendered (rendering judges nothing: the audit's exit code was the verdict), 2 for a
// usage problem or a file that is not a vmsnap report.
import type { Argv } from 'yargs';
import { createReporter } from '../report/create.js';
import type { HtmlOptions } from '../report/html.js';
import type { Report } from '../model/report.js';
import { FORMATS, replayReport, type Format, type Sink } from '../report/reporter.js';
import { EXIT } from './exit-codes.js';
import { commandInventory } from './inventory-command.js';
import { flagText, type CliIo } from './io.js';
import { UsageError } from '../errors.js';
import { AtomicFileSink, checkWritable, parseOutputSpecs } from './output-files.js';
import { readSavedReport } from './saved-report.js';
import { withOptions, type OptionSpec } from './options.js';
import { hostLabels } from '../inventory/labels.js';

export interface ReportArgs {
  file: string;
  /** stdout's format; default table, nothing on stdout when only -o is given */
  format?: Format | undefined;
  /** FORMAT=PATH, repeatable */
  output: string[];
  /** an inventory whose groups and tags label the hosts */
  inventory?: string | undefined;
}

function emit(format: Format, sink: Sink, report: Report, width: number | undefined, html: HtmlOptions): void {
  replayReport(report, createReporter(format, sink, { width, html }));
}

export async function reportCommand(args: ReportArgs, io: CliIo): Promise<number> {
  const specs = parseOutputSpecs(args.output);
  await checkWritable(specs, [args.file, ...(args.inventory !== undefined ? [args.inventory] : [])]);
  const { report } = await readSavedReport(args.file, 'report');
  const labels = args.inventory !== undefined ? hostLabels((await commandInventory({ inventory: args.inventory })).hosts) : undefined;
  const html: HtmlOptions = { labels, source: args.file, inventory: args.inventory };
  const files = specs.map((o) => ({ ...o, sink: new AtomicFileSink(o.path) }));
  for (const f of files) emit(f.format, f.sink, report, undefined, html);
  const stdoutFormat = args.format ?? (files.length === 0 ? 'table' : undefined);
  if (stdoutFormat) emit(stdoutFormat, io.stdout, report, io.columns, html);
  for (const f of files) await f.sink.commit();
  for (const f of files) io.stderr.write(`vmsnap: report: wrote ${f.format} to ${f.path}\n`);
  return EXIT.ok;
}

/** yargs options of `vmsnap report <file>`. */
export const REPORT_OPTIONS: readonly OptionSpec[] = [
  { name: 'format', alias: 'f', kind: 'choice', choices: FORMATS, group: 'reports', doc: 'format on stdout (default: table, or nothing with -o)' },
  { name: 'output', alias: 'o', kind: 'list', default: [], group: 'reports', doc: 'also write the report to a file, FORMAT=PATH (repeatable, written atomically)' },
  { name: 'inventory', alias: 'i', kind: 'string', group: 'selection', doc: 'the inventory the report audited: its groups and tags label the hosts' },
];

export function reportOptions<T>(y: Argv<T>) {
  return withOptions(y.positional('file', { type: 'string', describe: 'a saved report: JSON (--format json / --output json=, or vmsnap merge) or JSON Lines' }), REPORT_OPTIONS)
    .example('$0 report nightly.json -o html=nightly.html', 'a page to open: tiles, charts, a host table that filters and searches, each host\'s findings and fixes')
    .example('$0 report merged.json -f junit > junit.xml', 'JUnit for CI from a merged shard report');
}

/** ReportArgs from yargs' parsed options. */
export function reportArgs(parsed: Record<string, unknown>): ReportArgs {
  const file = parsed['file'];
  if (typeof file !== 'string' || file === '') throw new UsageError('report: name the saved report, e.g. vmsnap report last.json --format html > last.html');
  const inventory = parsed['inventory'];
  return {
    file,
    format: parsed['format'] as Format | undefined,
    output: ((parsed['output'] as unknown[] | undefined) ?? []).map(String),
    inventory: inventory === undefined ? undefined : flagText(inventory, 'inventory'),
  };
}
