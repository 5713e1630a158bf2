// `vmsnap schema`: the JSON Schema of the report, generated from the zod schemas the code uses.
import * as z from 'zod';
import { Report } from '../model/report.js';
import type { CliIo } from './io.js';

export function reportJsonSchema(): unknown {
  return z.toJSONSchema(Report, { target: 'draft-2020-12', unrepresentable: 'any' });
}

export function schemaCommand(io: CliIo): number {
  io.stdout.write(JSON.stringify(reportJsonSchema(), null, 2) + '\n');
  return 0;
}
