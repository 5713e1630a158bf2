// Files shipped with vmsnap are found relative to the module that reads them. The same module runs
// from src/ (vitest), dist/src/ (the compiled tree) and from a one-file bundle in dist/src/cli, so
// each caller lists the places its file can be, nearest first.
import { existsSync } from 'node:fs';

/** The candidates (relative to moduleUrl, e.g. import.meta.url) that exist, in the order given. */
export function existingBeside(moduleUrl: string, candidates: readonly string[]): URL[] {
  return candidates.map((rel) => new URL(rel, moduleUrl)).filter((url) => existsSync(url));
}

/** The first candidate that exists, or null. */
export function firstBeside(moduleUrl: string, candidates: readonly string[]): URL | null {
  return existingBeside(moduleUrl, candidates)[0] ?? null;
}
