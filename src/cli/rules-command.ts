// `vmsnap rules [id]`: the catalogue, or one rule's doc page.
import { readFile } from 'node:fs/promises';
import Table from 'cli-table3';
import { allRules } from '../rules/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import { type CliIo } from './io.js';
import { UsageError } from '../errors.js';
import { withoutMarkers } from '../rules/catalogue.js';
import { existingBeside } from '../util/beside-module.js';

/** docs/ sits at the package root, two levels above dist/src/cli or one above src/cli. */
async function readDoc(id: string): Promise<string | null> {
  for (const url of existingBeside(import.meta.url, [`../../../docs/rules/${id}.md`, `../../docs/rules/${id}.md`])) {
    try {
      return await readFile(url, 'utf8');
    } catch {
      // unreadable: try the next location, else the rule's own meta
    }
  }
  return null;
}

export async function rulesCommand(id: string | undefined, format: 'table' | 'json', io: CliIo): Promise<number> {
  if (id === undefined) {
    if (format === 'json') {
      io.stdout.write(JSON.stringify(allRules.map((r) => r.meta), null, 2) + '\n');
      return 0;
    }
    const t = new Table({ head: ['Rule', 'Severity', 'Code', 'Fixable', 'Title'], style: { head: [], border: [], compact: true } });
    for (const r of allRules) {
      t.push([r.meta.id, r.meta.severity, r.meta.extensionCode ?? '-', r.meta.fixable ? 'yes' : 'no', r.meta.title]);
    }
    io.stdout.write(`${t.toString()}\n${allRules.length} rules. Details: vmsnap rules <id>\n`);
    return 0;
  }
  const rule = allRules.find((r) => r.meta.id === id);
  if (!rule) {
    const hint = didYouMean(id, allRules.map((r) => r.meta.id));
    throw new UsageError(`unknown rule "${id}"${hint ? ` (did you mean "${hint}"?)` : ''}; \`vmsnap rules\` lists them`);
  }
  if (format === 'json') {
    io.stdout.write(JSON.stringify(rule.meta, null, 2) + '\n');
    return 0;
  }
  const doc = await readDoc(id);
  io.stdout.write(doc !== null ? withoutMarkers(doc) : `${rule.meta.id}: ${rule.meta.title}\n\n${rule.meta.why}\n\nFix: ${rule.meta.fix}\n`);
  return 0;
}
