// What the CLI may touch of the outside world, passed in so commands can be tested in-process.
import type { Sink } from '../report/reporter.js';
import { UsageError } from '../errors.js';

export interface CliIo {
  stdout: Sink;
  stderr: Sink;
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  /** stderr is a terminal: the live progress line is drawn there (never when it is not) */
  stderrIsTTY?: boolean | undefined;
  /** terminal width of stderr, for the progress line */
  stderrColumns?: number | undefined;
  /** stdout is a regular file (`> out.jsonl`): streamed lines cannot meet the progress line on a terminal */
  stdoutIsFile?: boolean | undefined;
  /** terminal width for the table, when stdout is a terminal */
  columns?: number | undefined;
  /** aborted on the first SIGINT */
  interrupt: AbortSignal;
}

/** A usage or input problem: printed as one clear line, exit code 2, never a stack trace. */

/** A flag's value as yargs gives it (a string, or a number or boolean it parsed) as text. */
export function flagText(value: unknown, flag: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UsageError(`--${flag} takes one value`);
}

