import { describe, expect, it } from 'vitest';
import { FACT_LIMITS, boundFacts } from '../../src/audit/bound-facts.js';
import { HostFacts } from '../../src/model/facts.js';
import { compliantConfig } from '../../src/fleet/spec.js';
import { compliantFacts, edit, withConfig, withScript } from '../helpers/facts.js';

const size = (v: unknown) => JSON.stringify(v).length;

describe('boundFacts: what a report keeps of a host\'s facts', () => {
  it('keeps the facts of an ordinary VM exactly, with no trimmed list', () => {
    const facts = compliantFacts();
    expect(boundFacts(facts)).toEqual(facts);
    expect(boundFacts(facts).trimmed).toBeUndefined();
  });

  it('cuts a config of 55,000 stray keys to a few KiB, keeping every key the extension reads', () => {
    const stray = Object.fromEntries(Array.from({ length: 55_000 }, (_, i) => [`key${i}`, 'v'.repeat(10)]));
    const facts = withConfig(compliantFacts(), { ...stray, ...compliantConfig() });
    expect(size(facts)).toBeGreaterThan(1_000_000);
    const bounded = boundFacts(facts);
    expect(size(bounded)).toBeLessThan(32 * 1024);
    const value = (bounded.config.parse as { ok: true; value: Record<string, unknown> }).value;
    for (const [k, v] of Object.entries(compliantConfig())) expect(value[k]).toEqual(v);
    expect(Object.keys(value)).toHaveLength(FACT_LIMITS.items);
    expect(bounded.trimmed).toEqual([expect.stringMatching(/^config\.parse\.value: 54946 values, keys or items cut/)]);
    // still facts of the published shape, and the input was not changed
    expect(() => HostFacts.parse(bounded)).not.toThrow();
    expect(Object.keys((facts.config.parse as { ok: true; value: object }).value)).toHaveLength(55_010);
  });

  it('shortens huge strings, long lists and deep nesting anywhere in the config', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    const facts = withConfig(compliantFacts(), compliantConfig({ preScriptParams: ['x'.repeat(5_000_000), ...Array.from({ length: 100_000 }, String)], deep }));
    const bounded = boundFacts(facts);
    expect(size(bounded)).toBeLessThan(16 * 1024);
    const value = (bounded.config.parse as { ok: true; value: Record<string, unknown> }).value;
    const params = value['preScriptParams'] as string[];
    expect(params).toHaveLength(FACT_LIMITS.items);
    expect(params[0]).toHaveLength(FACT_LIMITS.stringChars + 1);
  });

  it('keeps "__proto__" keys as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "preScriptLocation": "/etc/azure/prescript.sh"}') as unknown;
    const bounded = boundFacts(withConfig(compliantFacts(), value));
    const kept = (bounded.config.parse as { ok: true; value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(kept, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('caps host conf sections, extension folders, bash-only findings and log lines, keeping what matters', () => {
    const facts = edit(compliantFacts(), (f) => {
      const pp = f.hostConf.sections!['pre_post']!;
      f.hostConf.sections = { ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`s${i}`, { k: 'v' }])), pre_post: pp };
      const one = f.extensions[0]!;
      f.extensions = [...Array.from({ length: 500 }, (_, i) => ({ ...one, dir: `/var/lib/waagent/x-${i}` })), one];
      f.extensionLog.outcomeLines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    });
    const bashy = withScript(facts, 'pre', { bashisms: Array.from({ length: 5000 }, (_, i) => ({ line: i + 1, text: '[[ x ]]', what: '[[ ]]', aborts: false })) });
    const b = boundFacts(bashy);
    expect(Object.keys(b.hostConf.sections!)).toHaveLength(FACT_LIMITS.sections);
    expect(b.hostConf.sections!['pre_post']).toEqual(facts.hostConf.sections!['pre_post']);
    expect(b.extensions).toHaveLength(FACT_LIMITS.extensions);
    expect(b.extensions[0]!.dir).toBe(facts.selectedExtension);
    expect(b.scripts.pre!.bashisms).toHaveLength(FACT_LIMITS.bashisms);
    expect(b.extensionLog.outcomeLines).toEqual(Array.from({ length: 20 }, (_, i) => `line ${80 + i}`));
    expect(b.trimmed!.map((t) => t.split(':')[0])).toEqual(['hostConf.sections', 'scripts.pre.bashisms', 'extensions', 'extensionLog.outcomeLines']);
  });
});
