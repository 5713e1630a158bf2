// A saved report read back (`vmsnap merge`, `vmsnap report`): JSON or JSON Lines, size-capped,
// checked to be vmsnap's own at this schema version, then validated against the report model.
// Every problem is a UsageError naming the command, the file and (for JSON Lines) the line.
import { formatFieldPath } from '../inventory/load.js';
import { Report, SCHEMA_VERSION } from '../model/report.js';
import { UsageError } from '../errors.js';
import { oneLine } from '../util/parse-messages.js';
import { READ_LIMITS, readBounded, readFailure } from '../util/read-bounded.js';
import { JsonlReportError, looksLikeJsonl, reassembleJsonl } from '../report/jsonl.js';

export interface SavedReport {
  file: string;
  /** the file's JSON as written (hosts keep fields this vmsnap may not know) */
  raw: Record<string, unknown> & { hosts: Record<string, unknown>[] };
  report: Report;
}

/** `command` prefixes every message, e.g. `merge`. */
export async function readSavedReport(file: string, command: string): Promise<SavedReport> {
  let text: string;
  try {
    text = (await readBounded(file, { maxBytes: READ_LIMITS.report, pipes: true })).toString('utf8');
  } catch (e) {
    throw new UsageError(`${command}: ${file}: cannot read: ${readFailure(e)}`);
  }
  let raw: unknown;
  if (looksLikeJsonl(text)) {
    // written as JSON Lines (--format jsonl / --output jsonl=FILE)
    try {
      raw = reassembleJsonl(text);
    } catch (err) {
      if (!(err instanceof JsonlReportError)) throw err;
      throw new UsageError(`${command}: ${file}${err.line !== null ? `:${err.line}` : ''}: ${err.message}`);
    }
  } else {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${command}: ${file}: not a JSON report: ${text.trim() === '' ? 'the file is empty' : oneLine((e as Error).message)}`);
    }
  }
  const d = raw as { tool?: { name?: unknown }; schemaVersion?: unknown } | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d) || d.tool?.name !== 'vmsnap') {
    throw new UsageError(`${command}: ${file}: not a vmsnap report (expected the JSON of --format json or --output json=FILE)`);
  }
  if (d.schemaVersion !== SCHEMA_VERSION) {
    throw new UsageError(`${command}: ${file}: report schema version ${JSON.stringify(d.schemaVersion)} is not the one this vmsnap writes (${SCHEMA_VERSION})`);
  }
  const parsed = Report.safeParse(raw);
  if (!parsed.success) {
    const shown = parsed.error.issues.slice(0, 3).map((i) => `${formatFieldPath(i.path) || '(top)'}: ${i.message}`);
    throw new UsageError(`${command}: ${file}: not a valid vmsnap report: ${shown.join('; ')}`);
  }
  return { file, raw: raw as SavedReport['raw'], report: parsed.data };
}
