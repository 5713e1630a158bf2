// Reads an earlier report for --rerun-failed and --baseline: a JSON report (`--format json` /
// `--output json=...`) or a JSON Lines one (`jsonl`). Only what reruns and drift need is checked
// (schema version, each host's name, status and findings), so facts from another vmsnap version
// do not get in the way. A missing, corrupt or wrong-schema file is a PreviousReportError: the
// CLI turns it into exit 2 with the message.
import * as z from 'zod';
import { formatFieldPath } from '../inventory/load.js';
import { Finding, HostStatus, SCHEMA_VERSION } from '../model/report.js';
import { JsonlReportError, looksLikeJsonl, reassembleJsonl } from '../report/jsonl.js';
import { oneLine } from '../util/parse-messages.js';
import { READ_LIMITS, readBounded, readFailure } from '../util/read-bounded.js';
import { InputError } from '../errors.js';

export const PreviousHost = z.object({ name: z.string(), status: HostStatus, findings: z.array(Finding) });
export type PreviousHost = z.infer<typeof PreviousHost>;

export const PreviousReport = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('vmsnap') }),
  startedAt: z.string(),
  hosts: z.array(PreviousHost),
});
export type PreviousReport = z.infer<typeof PreviousReport>;

/** A --baseline or --rerun-failed report that cannot be read or is not a vmsnap report. */
export class PreviousReportError extends InputError {
  constructor(message: string, subject: { file?: string; flag?: string } = {}) {
    super('PREVIOUS_REPORT_INVALID', message, subject);
  }
}

/** `flag` names the option in messages, e.g. `--baseline`. */
export async function loadPreviousReport(file: string, flag: string): Promise<PreviousReport> {
  let text: string;
  try {
    text = (await readBounded(file, { maxBytes: READ_LIMITS.report, pipes: true })).toString('utf8');
  } catch (e) {
    throw new PreviousReportError(`${flag} ${file}: cannot read the report: ${readFailure(e)}`);
  }
  return parsePreviousReport(text, file, flag);
}

function lineOf(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const line = text.slice(0, Number(m[1])).split('\n').length;
  return ` (line ${line})`;
}

/** A JSON Lines report reassembled (report/jsonl.ts), its errors named with the flag and file. */
function fromJsonl(text: string, file: string, flag: string): unknown {
  try {
    return reassembleJsonl(text);
  } catch (e) {
    if (!(e instanceof JsonlReportError)) throw e;
    throw new PreviousReportError(`${flag} ${file}${e.line !== null ? `:${e.line}` : ''}: ${e.message}`);
  }
}

export function parsePreviousReport(text: string, file: string, flag: string): PreviousReport {
  let data: unknown;
  if (looksLikeJsonl(text)) {
    data = fromJsonl(text, file, flag); // even one host line alone, which is valid JSON too
  } else {
    try {
      data = JSON.parse(text);
    } catch (e) {
      const why = text.trim() === '' ? 'the file is empty' : `not valid JSON${lineOf(text, (e as Error).message)}: ${oneLine((e as Error).message)}`;
      throw new PreviousReportError(`${flag} ${file}: not a vmsnap report: ${why}`);
    }
  }
  const d = data as { schemaVersion?: unknown; tool?: { name?: unknown } } | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d) || d.tool?.name !== 'vmsnap') {
    throw new PreviousReportError(`${flag} ${file}: not a vmsnap report (expected the JSON written by --format json or --output json=FILE)`);
  }
  if (d.schemaVersion !== SCHEMA_VERSION) {
    throw new PreviousReportError(
      `${flag} ${file}: report schema version ${JSON.stringify(d.schemaVersion)} is not the one this vmsnap reads (${SCHEMA_VERSION})`,
    );
  }
  const parsed = PreviousReport.safeParse(data);
  if (!parsed.success) {
    const shown = parsed.error.issues.slice(0, 3).map((i) => `${formatFieldPath(i.path) || '(top)'}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? `; and ${parsed.error.issues.length - 3} more` : '';
    throw new PreviousReportError(`${flag} ${file}: not a valid vmsnap report: ${shown.join('; ')}${more}`);
  }
  return parsed.data;
}
