// Turns the collector's stdout into validated HostFacts. The collector ships the config as bytes;
// judging them (parse-config.ts) happens here, on the client, in one place.
import { z } from 'zod';
import { HostFacts, PathFacts, type ConfigParse } from '../model/facts.js';
import { parseConfigBytes } from './parse-config.js';

const RawCollectorOutput = HostFacts.omit({ config: true }).extend({
  config: z.object({
    file: PathFacts,
    size: z.number().nullable(),
    contentBase64: z.string().nullable(),
    truncated: z.boolean(),
  }),
});

export class CollectorOutputError extends Error {
  readonly code = 'COLLECTOR_OUTPUT_INVALID';
}

export function parseCollectorOutput(stdout: string, maxConfigBytes: number): HostFacts {
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
  const { config, ...rest } = raw.data;
  let parse: ConfigParse | null = null;
  if (config.truncated) {
    parse = {
      ok: false,
      kind: 'too_large',
      message: `${config.size ?? 'more than ' + maxConfigBytes} bytes, over the ${maxConfigBytes}-byte cap: not read`,
      line: null,
      column: null,
    };
  } else if (config.contentBase64 !== null) {
    parse = parseConfigBytes(Buffer.from(config.contentBase64, 'base64'));
  } else if (config.file.stat?.type === 'file') {
    parse = { ok: false, kind: 'unreadable', message: 'the file exists but could not be read', line: null, column: null };
  }
  return { ...rest, config: { file: config.file, size: config.size, parse } };
}
