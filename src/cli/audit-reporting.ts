// What `vmsnap audit` does around the run for its output: the progress line on a terminal (and
// stdout wrapped so the two never share a row), and the rerun hint for the table. The run itself,
// with --waivers, --baseline and --rerun-failed, is the library's (src/audit/session.ts).
import type { Format, Reporter, Sink } from '../report/reporter.js';
import { ProgressReporter } from '../report/progress.js';
import type { RerunHint } from '../report/table-sections.js';
import { flagText, type CliIo } from './io.js';
import { parseOutputSpecs } from './output-files.js';
import { AUDIT_OPTIONS } from './audit-options.js';
import { notRerun } from './options.js';
import { UsageError } from '../errors.js';

export interface ReportingArgs {
  inventory: string;
  format: Format;
  output: readonly string[];
  knownHosts?: string | undefined;
  /** --quiet: no progress line */
  quiet?: boolean | undefined;
  /** the command line after `vmsnap`, for the rerun hint; null for none */
  argv?: readonly string[] | null | undefined;
}

export interface Reporting {
  /** stdout, wrapped so the progress line and stdout never share a terminal row */
  stdout: Sink;
  rerun: RerunHint | undefined;
  /** the progress line on stderr, or null; put it before the reports: it is cleared before any reaches the terminal */
  progress: Reporter | null;
}

/** Options dropped from the rerun hint (those that choose hosts or reports, and --fix-adopt), from the option table. */
const NOT_RERUN = notRerun(AUDIT_OPTIONS);

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

export function prepareReporting(args: ReportingArgs, io: CliIo): Reporting {
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

  return { stdout, rerun, progress };
}

/** A file option's value from yargs: undefined when absent; given twice or empty is a usage error. */
export function fileOption(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`--${flag} was given ${value.length} times; give it once`);
  const s = flagText(value, flag);
  if (s === '') throw new UsageError(`--${flag} needs a file`);
  return s;
}
