// Bundles the CLI into one file, dist/src/cli/vmsnap.bundle.js, which bin/vmsnap runs, and the
// worker threads' entry into dist/src/audit/host-worker.bundle.js.
//
// Why: Node 20 spends most of the CLI's start-up resolving, reading and compiling its ~200 ES
// modules one by one: importing dist/src/cli/main.js took 447-500 ms of CPU, the bundle 240-246 ms
// (`node -e` timing `await import(...)` of each, 3 runs, busy machine). A nightly run pays that once,
// but at 200 hosts it is ~1.2 ms of client CPU per host, about a third of what vmsnap adds to ssh2.
//
// Each bundle sits beside its unbundled entry so the files it reads relative to its own module (docs/rules,
// package.json, the collector's .py files) are found as from the unbundled modules. ssh2 stays
// external (its native crypto binding is loaded by path) and so does jsonc-parser (its UMD build
// requires its own files at run time). The library (`import ... from 'vmsnap'`) is not bundled.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../src/', import.meta.url));

// the CLI, and the entry of --workers' threads (each thread starts its own copy of the modules)
for (const [entry, out] of [
  ['cli/entry.js', 'cli/vmsnap.bundle.js'],
  ['audit/host-worker.js', 'audit/host-worker.bundle.js'],
]) {
  await bundle(`${dist}${entry}`, `${dist}${out}`);
}

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2', 'jsonc-parser'],
  // the ES module builds of dependencies that have one (yargs' own entry is ESM)
  mainFields: ['module', 'main'],
  // the CommonJS dependencies inside the bundle call require() for Node's own modules
  banner: { js: "import { createRequire as vmsnapCreateRequire } from 'node:module'; const require = vmsnapCreateRequire(import.meta.url);" },
  // for profiles (bench/cpuprofile.ts maps a bundled frame back to its module); not in the package
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
  });
}
