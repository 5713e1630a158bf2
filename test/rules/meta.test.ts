// The registry, the rule files, their docs and tests, and the demo fleet must agree.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoFleet } from '../../src/fleet/demo-fleet.js';
import { allRules } from '../../src/rules/index.js';
import { UPSTREAM_MISSING, UPSTREAM_TARBALL } from '../helpers/upstream.js';
import { portalErrorFor } from '../../src/rules/rule.js';
import { generatedBlock, ruleFactsTable, rulesIndexTable } from '../../src/rules/catalogue.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rulesDir = path.join(root, 'src/rules');
const docsDir = path.join(root, 'docs/rules');
const ids = allRules.map((r) => r.meta.id);

/** Extension codes the extension can report for a configuration check. */
const CONFIG_CHECK_CODES = [302, 303, 304, 305, 306, 307, 313, 314, 316, 317];
/** Files in src/rules that are not rules. */
const NOT_RULES = new Set(['index.ts', 'rule.ts', 'context.ts', 'engine.ts', 'helpers.ts', 'python.ts', 'script-rule-factory.ts', 'select.ts', 'catalogue.ts', 'file-rule-factory.ts']);

describe('rule registry', () => {
  it('has unique kebab-case ids', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  for (const r of allRules) {
    const id = r.meta.id;
    describe(id, () => {
      it(`is the rule exported by src/rules/${id}.ts`, async () => {
        const mod = (await import(/* @vite-ignore */ path.join(rulesDir, `${id}.ts`))) as { rule?: unknown };
        expect(mod.rule).toBe(r);
      });

      it(`has docs/rules/${id}.md and test/rules/${id}.test.ts`, () => {
        expect(fs.existsSync(path.join(docsDir, `${id}.md`))).toBe(true);
        expect(fs.existsSync(path.join(root, 'test/rules', `${id}.test.ts`))).toBe(true);
      });

      it('has a doc page: its title, the facts table derived from its meta (npm run docs), and its sections', () => {
        const doc = fs.readFileSync(path.join(docsDir, `${id}.md`), 'utf8');
        expect(doc.split('\n')[0]).toBe(`# ${id}`);
        expect(generatedBlock(doc), `docs/rules/${id}.md drifted from the meta: run npm run docs`).toBe(ruleFactsTable(r.meta));
        // the extension's lines it mirrors, at b7eecd4 (../shared/reference/vmbackup-main-b7eecd4.tar.gz)
        expect(r.meta.upstream).toMatch(/^(none: .+|(?:(?:PluginHost|ScriptRunner|handle)\.py:\d+(?:-\d+)?(?:, \d+(?:-\d+)?)*(?:; |(?= \(|$)))+.*)$/);
        for (const section of ['## What it checks', '## Why it matters', '## Failing example', '## Passing example', '## How to fix', '## See also']) {
          expect(doc, `${id}.md lacks ${section}`).toContain(section);
        }
      });

      it('names its portal error by its extension code', () => {
        expect(r.meta.portalError).toBe(portalErrorFor(r.meta.extensionCode));
      });

      it('is silent exactly when the code is a silent fallback', () => {
        if (r.meta.extensionCode !== null) expect(r.meta.silent).toBe([304, 305, 313, 314, 316].includes(r.meta.extensionCode));
      });

      it('has a title, why, fix and consequence', () => {
        for (const k of ['title', 'why', 'fix', 'consequence'] as const) expect(r.meta[k].length, k).toBeGreaterThan(10);
      });
    });
  }

  it('covers every extension code a config check can produce', () => {
    for (const code of CONFIG_CHECK_CODES) {
      expect(allRules.some((r) => r.meta.extensionCode === code), `code ${code}`).toBe(true);
    }
  });

  it('has a file in src/rules for every rule and no rule file outside the registry', () => {
    const files = fs.readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && !NOT_RULES.has(f));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...ids].sort());
  });

  it('keeps rules pure: no rule file imports a node built-in', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const f of fs.readdirSync(rulesDir).filter((x) => x.endsWith('.ts') && x !== 'engine.ts')) {
      const src = fs.readFileSync(path.join(rulesDir, f), 'utf8');
      const specifiers = [...src.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const s of specifiers) expect(builtins.has(s) || s.startsWith('node:'), `${f} imports ${s}`).toBe(false);
    }
  });

  it('docs/rules/README.md lists exactly the registry, in order, as derived from the meta (npm run docs)', () => {
    const readme = fs.readFileSync(path.join(docsDir, 'README.md'), 'utf8');
    expect(generatedBlock(readme), 'docs/rules/README.md drifted from the registry: run npm run docs').toBe(rulesIndexTable(allRules));
  });

  it('a framework rule is info only while workload.conf bypasses the framework; an outside rule counts', () => {
    expect(allRules.filter((r) => r.meta.scope === 'outside').map((r) => r.meta.id).sort()).toEqual(
      ['config-writable-by-non-root', 'extension-installed', 'extension-versions', 'last-backup-evidence', 'path-writable-by-non-root', 'workload-bypass'],
    );
  });
});

const TARBALL = UPSTREAM_TARBALL ?? '';
if (!UPSTREAM_TARBALL) console.warn(`not checking the upstream lines rules cite: ${UPSTREAM_MISSING}`);

describe.skipIf(!UPSTREAM_TARBALL)('the upstream lines rules cite', () => {
  it('exist in the extension source at b7eecd4', () => {
    const lines = new Map<string, number>();
    for (const r of allRules) {
      for (const [, file, refs] of r.meta.upstream.matchAll(/(\w+\.py):([\d, -]+)/g)) {
        if (!lines.has(file!)) lines.set(file!, execFileSync('tar', ['-xzOf', TARBALL, `VMBackup/main/${file}`], { encoding: 'utf8' }).split('\n').length);
        for (const n of refs!.split(/[^\d]+/).filter(Boolean).map(Number)) expect(n, `${r.meta.id}: ${file}:${n}`).toBeLessThanOrEqual(lines.get(file!)!);
      }
    }
  });
});

describe('demo fleet coverage', () => {
  it('expects every rule that can report an error or a warning on at least one VM', () => {
    const expected = new Set(demoFleet().flatMap((v) => v.expectedRules ?? []));
    const missing = allRules.filter((r) => r.meta.severity !== 'info' && !expected.has(r.meta.id)).map((r) => r.meta.id);
    expect(missing).toEqual([]);
  });
});
