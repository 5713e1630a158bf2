// The folders of src/ are layers, in the order the flow runs (inventory -> ssh -> collect -> rules ->
// fix -> report, with the audit session above them and the CLI on top): a module imports only from
// layers below its own, never from a higher one or from a sibling folder of the same layer.
import * as fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '..', 'src');

const LAYERS: Record<string, number> = {
  // what everything may use
  'errors.ts': 0,
  'version.ts': 0,
  util: 1,
  model: 1,
  fleet: 2, // the local test fleet (tests, the demo, the bench): knows nothing of vmsnap's flow
  inventory: 2,
  select: 3,
  ssh: 3,
  local: 4,
  collect: 4,
  rules: 5,
  fix: 6,
  report: 7,
  waivers: 8,
  baseline: 8,
  audit: 9,
  cli: 10,
  'index.ts': 11,
};

function unit(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

describe('layers of src/', () => {
  const files = fs.readdirSync(SRC, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));

  it('every folder of src/ has a layer', () => {
    expect([...new Set(files.map(unit))].filter((u) => LAYERS[u] === undefined)).toEqual([]);
  });

  it('no import climbs to a higher layer or reaches across to a sibling', () => {
    const climbs: string[] = [];
    for (const f of files) {
      const from = unit(f);
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/^(?:import|export)[^;]*? from '(\.[^']+)';/gm)) {
        const to = unit(path.resolve(path.dirname(f), m[1]!).replace(/\.js$/, '.ts'));
        if (to === from) continue;
        if (LAYERS[to]! >= LAYERS[from]!) climbs.push(`${path.relative(SRC, f)} imports ${m[1]} (${to}, layer ${LAYERS[to]}, from layer ${LAYERS[from]})`);
      }
    }
    expect(climbs).toEqual([]);
  });
});
