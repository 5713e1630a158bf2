// Facts for rule tests. `compliantFacts()` is what the collector reports (after the client parsed the
// config) on a VM built from `compliantFiles()`; `factsFor(files)` does the same for any file list
// (see virtual-vm.ts), and the `with*` helpers derive small variants without touching the input.
import type { ConfigParse, DirFacts, HostFacts, PathFacts, ScriptFacts, StatFacts } from '../../src/model/facts.js';
import { compliantConfig, compliantFiles, withFiles, type FileSpec } from '../../src/fleet/spec.js';
import { collectFacts } from './virtual-vm.js';

export type Which = 'pre' | 'post';

/** What the collector reports for a VM with exactly these files. */
export function factsFor(files: readonly FileSpec[]): HostFacts {
  return collectFacts(files);
}

/** A VM the extension and the doc are both happy with (src/fleet/spec.ts compliantFiles()). */
export function compliantFacts(): HostFacts {
  return factsFor(compliantFiles());
}

/** The compliant VM with some files replaced or removed (spec.ts withFiles). */
export function factsWithFiles(replace: FileSpec[] = [], remove: string[] = [], config = compliantConfig()): HostFacts {
  return factsFor(withFiles(compliantFiles(config), replace, remove));
}

/** The compliant VM whose config file holds `config` (JSON), every other file unchanged. */
export function factsWithConfig(config: Record<string, unknown>): HostFacts {
  return factsFor(compliantFiles(config));
}

function clone(facts: HostFacts): HostFacts {
  return structuredClone(facts);
}

/** Replace the parsed config value (nothing else changes: script facts stay as they were). */
export function withConfig(facts: HostFacts, value: unknown): HostFacts {
  const f = clone(facts);
  f.config.parse = { ok: true, value: structuredClone(value) };
  return f;
}

/** Replace the client's parse result (e.g. a failure). */
export function withConfigParse(facts: HostFacts, parse: ConfigParse | null): HostFacts {
  const f = clone(facts);
  f.config.parse = parse;
  return f;
}

/** A failed parse of the given kind. */
export function parseFailure(kind: Extract<ConfigParse, { ok: false }>['kind'], message = 'x', line: number | null = null, column: number | null = null): ConfigParse {
  return { ok: false, kind, message, line, column };
}

/** Change the followed stat (and the lstat, when the path is not a link) of a path's facts. */
function patchStat(p: PathFacts, patch: Partial<StatFacts>): void {
  if (!p.stat) throw new Error(`${p.path} has no stat to patch`);
  Object.assign(p.stat, patch);
  if (p.lstat && p.lstat.type !== 'symlink') Object.assign(p.lstat, patch);
}

export function withConfigStat(facts: HostFacts, patch: Partial<StatFacts>): HostFacts {
  const f = clone(facts);
  patchStat(f.config.file, patch);
  return f;
}

export function withConfigMode(facts: HostFacts, mode: number): HostFacts {
  return withConfigStat(facts, { mode });
}

export function withHostConfStat(facts: HostFacts, patch: Partial<StatFacts>): HostFacts {
  const f = clone(facts);
  if (!f.hostConf.file) throw new Error('no host conf file');
  patchStat(f.hostConf.file, patch);
  return f;
}

export function withScriptStat(facts: HostFacts, which: Which, patch: Partial<StatFacts>): HostFacts {
  const f = clone(facts);
  const file = f.scripts[which]?.file;
  if (!file) throw new Error(`no ${which}-script file`);
  patchStat(file, patch);
  return f;
}

/** Merge fields into a script's facts. */
export function withScript(facts: HostFacts, which: Which, patch: Partial<ScriptFacts>): HostFacts {
  const f = clone(facts);
  const cur = f.scripts[which];
  if (!cur) throw new Error(`no ${which}-script facts`);
  f.scripts[which] = { ...cur, ...structuredClone(patch) };
  return f;
}

/** Change one parent directory (by path) of the config, a script or the host conf. */
export function withParent(facts: HostFacts, of: 'config' | Which | 'hostConf', dir: string, patch: Partial<StatFacts>): HostFacts {
  const f = clone(facts);
  const file = of === 'config' ? f.config.file : of === 'hostConf' ? f.hostConf.file : f.scripts[of]?.file;
  const d: DirFacts | undefined = file?.parents.find((p) => p.path === dir);
  if (!d?.stat) throw new Error(`${dir} is not a parent of the ${of} file`);
  Object.assign(d.stat, patch);
  return f;
}

export function withWorkload(facts: HostFacts, workloadName: string | null): HostFacts {
  const f = clone(facts);
  f.workload.workloadName = workloadName;
  return f;
}

export function withLogLines(facts: HostFacts, outcomeLines: string[]): HostFacts {
  const f = clone(facts);
  f.extensionLog = { ...f.extensionLog, exists: true, size: outcomeLines.join('\n').length, outcomeLines: [...outcomeLines] };
  return f;
}

/** Arbitrary edits on a copy, for the odd case the helpers above do not cover. */
export function edit(facts: HostFacts, fn: (f: HostFacts) => void): HostFacts {
  const f = clone(facts);
  fn(f);
  return f;
}
