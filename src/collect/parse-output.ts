// Turns the collector's stdout into validated HostFacts. The collector ships the config as bytes;
// judging them (parse-config.ts) happens here, on the client, in one place.
import * as z from 'zod';
import { HostFacts, MAX_CONFIG_PARSE_BYTES, PathFacts, ScriptFacts, type ConfigParse } from '../model/facts.js';
import { findBashisms } from './scan-shell.js';
import { parseConfigBytes } from './parse-config.js';
import { VmsnapError } from '../errors.js';

// A script as the collector ships it: its text (first 64 KiB) instead of what is found in it.
const RawScript = ScriptFacts.omit({ bashisms: true }).extend({ text: z.string().nullable() });
const toScriptFacts = ({ text, ...rest }: z.infer<typeof RawScript>): ScriptFacts => ({
  ...rest,
  bashisms: text === null ? null : findBashisms(text),
});

const PythonFailureKind = z.enum(['bom', 'not_utf8', 'syntax', 'too_large', 'too_deep']);

const RawCollectorOutput = HostFacts.omit({ config: true, scripts: true }).extend({
  scripts: z.object({ pre: RawScript.nullable(), post: RawScript.nullable() }),
  config: z.object({
    file: PathFacts,
    size: z.number().nullable(),
    contentBase64: z.string().nullable(),
    truncated: z.boolean(),
    /** a config over the shipping cap, read by Python's json on the VM */
    pythonParse: z
      .discriminatedUnion('ok', [
        z.object({ ok: z.literal(true), json: z.string() }),
        z.object({ ok: z.literal(false), kind: PythonFailureKind, message: z.string() }),
      ])
      .nullable(),
  }),
});

/** Python's json errors end with "line L column C (char N)". */
function pythonFailure(kind: z.infer<typeof PythonFailureKind>, message: string): ConfigParse {
  if (kind === 'too_deep') message = `nests arrays/objects too deeply: Python's json stops with ${message}`;
  const at = /line (\d+) column (\d+)/.exec(message);
  return { ok: false, kind, message, line: at ? Number(at[1]) : null, column: at ? Number(at[2]) : null };
}

/** What the collector printed on a VM is not the facts it should print (the host's result says so). */
export class CollectorOutputError extends VmsnapError {
  constructor(message: string) {
    super('COLLECTOR_OUTPUT_INVALID', message);
  }
}

export function parseCollectorOutput(stdout: string): HostFacts {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new CollectorOutputError(`collector printed something that is not JSON (${stdout.length} bytes, starts ${JSON.stringify(stdout.slice(0, 60))})`);
  }
  const raw = RawCollectorOutput.safeParse(json);
  if (!raw.success) {
    const issue = raw.error.issues[0];
    throw new CollectorOutputError(`collector output does not match the facts schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const { config, scripts, ...rest } = raw.data;
  let parse: ConfigParse | null = null;
  if (config.truncated) {
    parse = {
      ok: false,
      kind: 'too_large',
      message: `over vmsnap's ${MAX_CONFIG_PARSE_BYTES / (1024 * 1024)} MiB limit, so it was not read`,
      line: null,
      column: null,
    };
  } else if (config.pythonParse !== null) {
    const py = config.pythonParse;
    parse = py.ok ? parseConfigBytes(Buffer.from(py.json, 'utf8')) : pythonFailure(py.kind, py.message);
  } else if (config.contentBase64 !== null) {
    parse = parseConfigBytes(Buffer.from(config.contentBase64, 'base64'));
  } else if (config.file.stat?.type === 'file') {
    parse = { ok: false, kind: 'unreadable', message: 'the file exists but could not be read', line: null, column: null };
  }
  return {
    ...rest,
    config: { file: config.file, size: config.size, parse, judgedOnVm: config.pythonParse !== null },
    scripts: { pre: scripts.pre && toScriptFacts(scripts.pre), post: scripts.post && toScriptFacts(scripts.post) },
  };
}
