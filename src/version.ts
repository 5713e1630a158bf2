// The package version, read once from package.json (one level above src, two above dist/src, three
// above dist/src/cli where the CLI's bundle is).
import { readFileSync } from 'node:fs';
import { existingBeside } from './util/beside-module.js';

function readVersion(): string {
  for (const url of existingBeside(import.meta.url, ['../package.json', '../../package.json', '../../../package.json'])) {
    try {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vmsnap' && pkg.version) return pkg.version;
    } catch {
      // unreadable or not JSON: try the next location
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
