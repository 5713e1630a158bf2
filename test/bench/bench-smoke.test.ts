// The benchmark still runs end to end and writes the JSON it documents: 3 VMs, one round, an RSS
// run of 7 hosts on them, no Ansible (CI stays offline and fast). Not a timed test: nothing here looks at the numbers.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, fleetUnavailable } from '../helpers/cli.js';

const RUN = path.join(REPO, 'dist', 'bench', 'run.js');

describe.skipIf(fleetUnavailable)('npm run bench (smoke)', () => {
  it('times every tool on a 3-VM fleet and writes the JSON summary', async () => {
    expect(fs.existsSync(RUN), `${RUN} is missing: run npm run build`).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-bench-smoke-'));
    const json = path.join(dir, 'bench.json');
    try {
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [RUN, '--hosts', '3', '--concurrency', '3', '--rounds', '1', '--tools', 'vmsnap,openssh,ssh2', '--no-install', '--pause-ms', '200', '--rss-hosts', '7', '--rss-concurrency', '4', '--json', json],
          { cwd: REPO, timeout: 90_000 },
          (err, out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out, stderr: errOut }),
        );
      });
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/vmsnap bench: 3 hosts, concurrency 3, 1 rounds/);
      const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as {
        params: { hosts: number; tools: string[] };
        machine: { cpus: number; loadAvgStart: number[] };
        summary: { tool: string; hosts: number; wallS: number; hostsPerS: number; clientCpuMsPerHost: number; vmCpuMsPerHost: number; clientBoundHostsPerS: number; peakRssMb: number; failedRuns: number }[];
        ratios: Record<string, Record<string, number>>;
        targets: { tool: string; target: string; met: boolean | null }[];
        runs: { tool: string; ok: number; hosts: number }[];
        rss: { hosts: number; workers: string; ok: number; peakRssMb: number }[];
      };
      expect(doc.params.hosts).toBe(3);
      expect(doc.summary.map((s) => s.tool)).toEqual(['vmsnap', 'openssh', 'ssh2']);
      for (const s of doc.summary) {
        expect(s.failedRuns).toBe(0);
        for (const k of ['wallS', 'hostsPerS', 'clientCpuMsPerHost', 'vmCpuMsPerHost', 'clientBoundHostsPerS', 'peakRssMb'] as const) expect(s[k]).toBeGreaterThan(0);
      }
      expect(doc.runs.every((r) => r.ok === r.hosts)).toBe(true);
      expect(Object.keys(doc.ratios['vmsnap'] ?? {})).toEqual(expect.arrayContaining(['wallOverOpenssh', 'clientCpuOverSsh2']));
      expect(doc.targets.filter((t) => t.tool === 'vmsnap').length).toBeGreaterThan(0);
      expect(doc.machine.loadAvgStart).toHaveLength(3);
      // --rss-hosts 7 on 3 VMs: each listed two or three times under names of its own, every one audited
      expect(doc.rss.map((r) => [r.hosts, r.workers, r.ok])).toEqual([[7, 'default', 7]]);
      expect(doc.rss[0]!.peakRssMb).toBeGreaterThan(0);
      expect(doc.targets.some((t) => t.target.startsWith('peak RSS, MB (7 hosts'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
