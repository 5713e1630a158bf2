// `vmsnap rules`: the catalogue from the registry, one rule's page as a reader sees it.
import { describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/index.js';
import { ruleFactsTable } from '../../src/rules/catalogue.js';
import { run } from './run-main.js';

describe('vmsnap rules', () => {
  it('lists every rule of the registry', async () => {
    const r = await run(['rules', '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { id: string }[]).map((m) => m.id)).toEqual(allRules.map((x) => x.meta.id));
  });

  it("prints a rule's page with its facts table and without the generator's markers", async () => {
    const r = await run(['rules', 'config-mode']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('# config-mode\n')).toBe(true);
    expect(r.out).toContain(ruleFactsTable(allRules.find((x) => x.meta.id === 'config-mode')!.meta));
    expect(r.out).not.toContain('<!--');
  });
});
