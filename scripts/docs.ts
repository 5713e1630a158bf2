// `npm run docs`: writes what the rule catalogue derives from each rule's meta (src/rules/catalogue.ts)
// into docs/rules/<id>.md and docs/rules/README.md. The prose around the tables stays hand-written.
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ruleFactsTable, rulesIndexTable, withGeneratedBlock } from '../src/rules/catalogue.js';
import { allRules } from '../src/rules/index.js';

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'rules');
let changed = 0;
const write = (file: string, next: string) => {
  if (fs.readFileSync(file, 'utf8') === next) return;
  fs.writeFileSync(file, next);
  changed++;
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
};
for (const r of allRules) {
  const file = path.join(docs, `${r.meta.id}.md`);
  write(file, withGeneratedBlock(fs.readFileSync(file, 'utf8'), ruleFactsTable(r.meta)));
}
const index = path.join(docs, 'README.md');
write(index, withGeneratedBlock(fs.readFileSync(index, 'utf8'), rulesIndexTable(allRules)));
console.log(`${changed} file${changed === 1 ? '' : 's'} changed`);
