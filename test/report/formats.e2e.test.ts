// End to end: a small real fleet (two compliant VMs, one broken, one refused address), one
// `bin/vmsnap audit` run writing jsonl to stdout and json, junit and prometheus files, each
// validated as its consumer reads it. Then a second run that reruns only the failures, against
// the first run as baseline, with a waiver for the broken VM's finding.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { compliantFiles, compliantFilesWithConfigMode } from '../../src/fleet/spec.js';
import { HOST_STATUSES, Report } from '../../src/model/report.js';
import { describeRun, fleetUnavailable, refusedAddress, vmsnap, type CliRun } from '../e2e/cli.js';
import { parseJunit, parsePrometheusText, schemaErrors } from './validators.js';
import { parseJson } from '../helpers/json.js';

if (fleetUnavailable) console.warn(`skipping report format end-to-end tests: ${fleetUnavailable}`);

describe.skipIf(fleetUnavailable)('report formats end to end', () => {
  let fleet: Fleet;
  let inventory: string;
  let out: { json: string; junit: string; prom: string };
  let run: CliRun;

  beforeAll(async () => {
    const [f, refused] = await Promise.all([
      startFleet({
        vms: [
          { name: 'good-1', files: compliantFiles() },
          { name: 'good-2', files: compliantFiles() },
          // config readable by all: the extension refuses it (305), the backup silently falls back
          { name: 'broken', files: compliantFilesWithConfigMode(0o644) },
        ],
      }),
      refusedAddress(),
    ]);
    fleet = f;
    inventory = fleet.writeInventory({ file: join(fleet.dir, 'inv.yaml'), extraHosts: [{ name: 'gone', host: refused }] });
    out = { json: join(fleet.dir, 'last.json'), junit: join(fleet.dir, 'junit.xml'), prom: join(fleet.dir, 'vmsnap.prom') };
    run = await vmsnap([
      'audit', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--timeout', '10',
      '--format', 'jsonl', '--output', `json=${out.json}`, '--output', `junit=${out.junit}`, '--output', `prometheus=${out.prom}`,
    ]);
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('exits 3 (a host could not be audited) and keeps stderr free of progress when it is not a terminal', () => {
    expect(run.code, describeRun(run)).toBe(3);
    expect(run.stderr).not.toContain('\x1b[');
  });

  it('JSON: validates against the schema `vmsnap schema` prints, and against the zod model', async () => {
    const schemaRun = await vmsnap(['schema']);
    expect(schemaRun.code).toBe(0);
    const json = parseJson<unknown>(fs.readFileSync(out.json, 'utf8'));
    expect(schemaErrors(json)).toBeNull();
    const report = Report.parse(json);
    expect(report.hosts.map((h) => [h.name, h.status])).toEqual([
      ['good-1', 'compliant'],
      ['good-2', 'compliant'],
      ['broken', 'noncompliant'],
      ['gone', 'unreachable'],
    ]);
    expect(report.hosts[2]!.findings.map((f) => f.rule)).toContain('config-mode');
    expect(JSON.stringify(JSON.parse(schemaRun.stdout))).toBe(JSON.stringify((await import('./validators.js')).printedSchema()));
  });

  it('JSON Lines on stdout: a host line per host, the summary line last, and together the same report as the JSON file', () => {
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; name?: string } & Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).every((l) => l.type === 'host')).toBe(true);
    expect(lines.slice(0, 4).map((l) => l.name).sort()).toEqual(['broken', 'gone', 'good-1', 'good-2']); // finishing order
    expect(lines[4]!.type).toBe('summary');
    const { type: _s, ...summary } = lines[4]!;
    const byName = new Map(lines.slice(0, 4).map(({ type: _h, ...h }) => [h.name as string, h]));
    const json = JSON.parse(fs.readFileSync(out.json, 'utf8')) as Report;
    const rebuilt = { ...summary, hosts: json.hosts.map((h) => byName.get(h.name)) };
    expect(schemaErrors(rebuilt)).toBeNull();
    expect(rebuilt).toEqual(json);
  });

  it('JUnit: a testcase per host, a failure per error finding, an error for the host not audited', () => {
    const doc = parseJunit(fs.readFileSync(out.junit, 'utf8'));
    const suite = doc.testsuites.testsuite[0]!;
    expect(suite).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '0' });
    expect(Number(suite.time)).toBeGreaterThan(0);
    expect(suite.testcase.map((t) => t.name)).toEqual(['good-1', 'good-2', 'broken', 'gone']);
    const broken = suite.testcase[2]!;
    const json = Report.parse(JSON.parse(fs.readFileSync(out.json, 'utf8')));
    expect(broken.failure.map((f) => f.type)).toEqual(json.hosts[2]!.findings.filter((f) => f.severity === 'error').map((f) => f.rule));
    expect(suite.testcase[3]!.error[0]!.type).toBe('unreachable');
    for (const t of suite.testcase.slice(0, 2)) expect([t.failure.length, t.error.length]).toEqual([0, 0]);
  });

  it('Prometheus: valid textfile-collector input with per-host and fleet gauges', () => {
    const fams = parsePrometheusText(fs.readFileSync(out.prom, 'utf8'));
    const get = (name: string) => fams.find((f) => f.name === name)!.samples;
    const status = get('vmsnap_host_status');
    expect(status).toHaveLength(4 * HOST_STATUSES.length);
    expect(status.filter((s) => s.value === 1).map((s) => [s.labels['host'], s.labels['status']])).toEqual([
      ['good-1', 'compliant'],
      ['good-2', 'compliant'],
      ['broken', 'noncompliant'],
      ['gone', 'unreachable'],
    ]);
    const json = Report.parse(JSON.parse(fs.readFileSync(out.json, 'utf8')));
    const silent = (name: string) => (json.hosts.find((h) => h.name === name)!.findings.some((f) => f.silent && f.severity === 'error') ? 1 : 0);
    expect(get('vmsnap_host_silent_fallback').map((s) => [s.labels['host'], s.value])).toEqual(['good-1', 'good-2', 'broken'].map((n) => [n, silent(n)]));
    expect(get('vmsnap_host_findings').find((s) => s.labels['host'] === 'broken' && s.labels['severity'] === 'error')!.value).toBe(json.summary.errors);
    expect(get('vmsnap_hosts').find((s) => s.labels['status'] === 'compliant')!.value).toBe(2);
    const ts = get('vmsnap_last_run_timestamp_seconds')[0]!.value;
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(600);
    expect(get('vmsnap_run_duration_seconds')[0]!.value).toBeGreaterThan(0);
    // written atomically: no temp file left beside it
    expect(fs.readdirSync(fleet.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('rerun: --rerun-failed audits only the failures, --baseline says what changed, a waiver makes the broken VM compliant', async () => {
    const waivers = join(fleet.dir, 'waivers.yaml');
    fs.writeFileSync(
      waivers,
      ['waivers:', '  - rule: config-mode', '    host: "brok*"', '    justification: config is replaced next sprint (OPS-42)', '    expires: 2099-12-31',
        '  - rule: config-owner', '    host: "*"', '    justification: nothing matches this one', '    expires: 2099-12-31', ''].join('\n'),
    );
    const second = join(fleet.dir, 'second.json');
    const r = await vmsnap([
      'audit', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--timeout', '10',
      '--rerun-failed', out.json, '--baseline', out.json, '--waivers', waivers, '--format', 'table', '--output', `json=${second}`,
    ]);
    expect(r.code, describeRun(r)).toBe(3); // "gone" is still unreachable
    const report = Report.parse(JSON.parse(fs.readFileSync(second, 'utf8')));
    expect(schemaErrors(JSON.parse(fs.readFileSync(second, 'utf8')))).toBeNull();
    expect(report.hosts.map((h) => [h.name, h.status, h.previousStatus])).toEqual([
      ['broken', 'compliant', 'noncompliant'],
      ['gone', 'unreachable', 'unreachable'],
    ]);
    const waived = report.hosts[0]!.findings.find((f) => f.rule === 'config-mode')!;
    expect(waived.waived).toEqual({ justification: 'config is replaced next sprint (OPS-42)', expires: '2099-12-31' });
    expect(waived.drift).toBe('unchanged');
    expect(report.waivers!.unused.map((w) => w.rule)).toEqual(['config-owner']);
    expect(report.summary).toMatchObject({ compliant: 1, noncompliant: 0, unreachable: 1, newFindings: 0, resolvedFindings: 0, statusChanged: 1 });
    expect(report.baseline!.statusChanges).toEqual([{ host: 'broken', from: 'noncompliant', to: 'compliant' }]);
    expect(r.stdout).toContain('waived  config-mode');
    expect(r.stdout).toContain(`since ${out.json}`);
    const [rerunLine, summaryLine] = r.stdout.trimEnd().split('\n').slice(-2);
    expect(summaryLine).toMatch(/^2 hosts, 1 compliant, 0 noncompliant, 1 not audited/);
    expect(rerunLine).toBe(`Rerun the failures: vmsnap audit -i ${inventory} --known-hosts ${fleet.knownHostsFile} --timeout 10 --waivers ${waivers} --rerun-failed ${second}`);
  });
});
