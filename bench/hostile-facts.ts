// What hostile VM content costs the client: H hosts whose config holds K keys the extension does
// not read (about 1 MB at 55,000), audited beside C compliant hosts. Reports the client's peak RSS,
// the JSON report's size, the table's line count and the unknown-key findings per host.
//   node dist/bench/hostile-facts.js [--hostile 5] [--keys 55000] [--compliant 5]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFleet } from '../src/fleet/harness.js';
import { compliantConfig, compliantFiles, type VmSpec } from '../src/fleet/spec.js';
import type { Report } from '../src/model/report.js';
import { Flags, parseFlags } from './common.js';
import { measure } from './measure.js';

const flags = new Flags(parseFlags(process.argv.slice(2)));
const hostile = flags.int('hostile', 5);
const keys = flags.int('keys', 55_000);
const compliant = flags.int('compliant', 5);
flags.done();

const stray = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, 0]));
const big = { ...compliantConfig(), ...stray };
const vms: VmSpec[] = [
  ...Array.from({ length: hostile }, (_, i) => ({ name: `hostile-${i + 1}`, files: compliantFiles(big) })),
  ...Array.from({ length: compliant }, (_, i) => ({ name: `ok-${i + 1}`, files: compliantFiles() })),
];
const fleet = await startFleet({ vms });
try {
  const inventory = fleet.writeInventory();
  const vmsnap = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../bin/vmsnap');
  const out = (name: string) => path.join(fleet.dir, name);
  const env = { ...process.env, HOME: fleet.dir };
  const run = async (format: 'json' | 'table') =>
    measure([process.execPath, vmsnap, 'audit', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--format', format, '-q'], {
      stdout: out(`${format}.out`),
      stderr: out(`${format}.err`),
      result: out(`${format}.m.json`),
      env,
    });
  const json = await run('json');
  const table = await run('table');
  const report = JSON.parse(fs.readFileSync(out('json.out'), 'utf8')) as Report;
  const configBytes = Buffer.byteLength(JSON.stringify(big, null, 2));
  const perHost = report.hosts.map((h) => {
    const byRule = new Map<string, number>();
    for (const f of h.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const rules = [...byRule].map(([r, n]) => `${r} x${n}`).join(', ') || 'none';
    return `${h.name} ${h.status}: ${h.findings.length} findings (${rules}), facts ${(JSON.stringify(h.facts).length / 1024).toFixed(1)} KiB`;
  });
  process.stdout.write(
    [
      `${hostile} hosts with ${keys} unknown config keys (${(configBytes / 1e6).toFixed(2)} MB each) + ${compliant} compliant hosts`,
      `json:  exit ${json.exitCode}, peak RSS ${(json.maxRssKb / 1024).toFixed(0)} MB, report ${(fs.statSync(out('json.out')).size / 1024).toFixed(0)} KiB, wall ${json.wallS.toFixed(2)} s`,
      `table: exit ${table.exitCode}, peak RSS ${(table.maxRssKb / 1024).toFixed(0)} MB, ${fs.readFileSync(out('table.out'), 'utf8').split('\n').length} lines`,
      ...perHost,
    ].join('\n') + '\n',
  );
} finally {
  await fleet.stop();
}
