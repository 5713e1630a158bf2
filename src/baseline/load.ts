// Reads an earlier report for --rerun-failed and --baseline: a JSON report (`--format json` /
// `--output json=...`) or a JSON Lines one (`jsonl`). Only what reruns and drift need is checked
// (schema version, each host's name, status and findings), so facts from another vmsnap version
// do not get in the way. A missing, corrupt or wrong-schema file is a PreviousReportError: the
// CLI turns it into exit 2 with the message.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatFieldPath } from '../inventory/load.js';
import { Finding, HostStatus, SCHEMA_VERSION } from '../model/report.js';

export const PreviousHost = z.object({ name: z.string(), status: HostStatus, findings: z.array(Finding) });
export type PreviousHost = z.infer<typeof PreviousHost>;

export const PreviousReport = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('vmsnap') }),
  startedAt: z.string(),
  hosts: z.array(PreviousHost),
});
export type PreviousReport = z.infer<typeof PreviousReport>;

export class PreviousReportError extends Error {
  override name = 'PreviousReportError';
}

/** `flag` names the option in messages, e.g. `--baseline`. */
export async function loadPreviousReport(file: string, flag: string): Promise<PreviousReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory, not a file' : (code ?? (e as Error).message);
    throw new PreviousReportError(`${flag} ${file}: cannot read the report: ${why}`);
  }
  return parsePreviousReport(text, file, flag);
}

function lineOf(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const line = text.slice(0, Number(m[1])).split('\n').length;
  return ` (line ${line})`;
}

/** A JSON Lines report reassembled: the summary line's fields plus the host lines. */
function fromJsonl(text: string, file: string, flag: string): unknown {
  const hosts: unknown[] = [];
  let summary: Record<string, unknown> | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new PreviousReportError(`${flag} ${file}:${i + 1}: not a vmsnap report: neither JSON nor JSON Lines (${(e as Error).message})`);
    }
    const type = (v as { type?: unknown } | null)?.type;
    if (type === 'host') hosts.push(v);
    else if (type === 'summary') summary = v as Record<string, unknown>;
    else throw new PreviousReportError(`${flag} ${file}:${i + 1}: not a vmsnap JSON Lines report (a line without "type": "host" or "summary")`);
  }
  if (summary === null) {
    throw new PreviousReportError(`${flag} ${file}: the JSON Lines report has no summary line (the run that wrote it did not finish)`);
  }
  return { ...summary, hosts };
}

export function parsePreviousReport(text: string, file: string, flag: string): PreviousReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
    let jsonl = false;
    try {
      jsonl = typeof (JSON.parse(firstLine) as { type?: unknown } | null)?.type === 'string';
    } catch {
      /* not JSON Lines either */
    }
    if (!jsonl) {
      const why = text.trim() === '' ? 'the file is empty' : `not valid JSON${lineOf(text, (e as Error).message)}: ${(e as Error).message}`;
      throw new PreviousReportError(`${flag} ${file}: not a vmsnap report: ${why}`);
    }
    data = fromJsonl(text, file, flag);
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
    const shown = parsed.error.issues.slice(0, 3).map((i) => `${formatFieldPath(i.path as PropertyKey[]) || '(top)'}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? `; and ${parsed.error.issues.length - 3} more` : '';
    throw new PreviousReportError(`${flag} ${file}: not a valid vmsnap report: ${shown.join('; ')}${more}`);
  }
  return parsed.data;
}
