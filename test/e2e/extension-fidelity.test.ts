// Corners where the extension's own reading of a VM decides the verdict (../shared/reference
// extension-behavior.md): the agent's waagent.conf parser, paths holding a NUL byte, a relative
// pluginConfigPath0, configs over the 1 MiB the collector ships or nested deeper than Python's json
// reads, bash-only scripts run by dash. Real sshd VMs, the real collector, one audit.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import {
  CONFIG_PATH,
  EXT_DIR,
  HOST_CONF_TEXT,
  POST_SCRIPT,
  PRE_SCRIPT,
  compliantConfig,
  compliantFiles,
  withFiles,
  type FileSpec,
  type VmSpec,
} from '../../src/fleet/spec.js';
import type { HostResult, Report } from '../../src/model/report.js';
import { auditJson, describeRun, fleetUnavailable, setDiff, type CliRun } from './cli.js';

if (fleetUnavailable) console.warn(`skipping end-to-end tests: ${fleetUnavailable}`);

const EXT_HOST_CONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;
const OVERRIDE = '/etc/azure/VMSnapshotPluginHost.conf';
const MIB = 1024 * 1024;

/** The compliant files with the extension under another Lib.Dir. */
function extensionUnder(libDir: string, waagentConf: string): FileSpec[] {
  const moved = compliantFiles().map((f) => (f.path.startsWith('/var/lib/waagent') ? { ...f, path: f.path.replace('/var/lib/waagent', libDir) } : f));
  return [...moved, { type: 'file', path: '/etc/waagent.conf', content: waagentConf, mode: 0o644 }];
}

const config = (o: Record<string, unknown>, indent = 2) => JSON.stringify(compliantConfig(o), null, indent) + '\n';
const withConfigText = (content: string | Uint8Array, extra: FileSpec[] = []) =>
  withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content, mode: 0o600 }, ...extra]);

interface Case {
  vm: VmSpec;
  /** errors and warnings expected, by rule id */
  rules: string[];
  /** more to hold the report to */
  check?: (h: HostResult) => void;
}

const bigAppName = 'x'.repeat(MIB + 4096);

const CASES: Case[] = [
  {
    vm: { name: 'ef-libdir-spaces', files: extensionUnder('/opt/waagent', '# agent\nLib.Dir = /opt/waagent\n') },
    rules: [],
    check: (h) => expect(h.facts?.waagent).toEqual({ libDir: '/opt/waagent', libDirSource: 'waagent.conf' }),
  },
  { vm: { name: 'ef-libdir-quoted', files: extensionUnder('/opt/waagent', 'Lib.Dir="/opt/waagent" # moved\n') }, rules: [] },
  { vm: { name: 'ef-libdir-twice', files: extensionUnder('/opt/waagent', 'Lib.Dir=/srv/old\nLib.Dir=/opt/waagent\n') }, rules: [] },
  {
    vm: { name: 'ef-libdir-commented', files: extensionUnder('/opt/waagent', 'Lib.Dir=/opt/waagent\n#Lib.Dir=/srv/old\n') },
    rules: [],
  },
  {
    vm: { name: 'ef-nul-script', files: compliantFiles(compliantConfig({ preScriptLocation: '/etc/azure/pre\u0000.sh' })) },
    rules: ['prescript-exists'],
    check: (h) => expect(h.findings.find((f) => f.rule === 'prescript-exists')?.extensionCode).toBe(302),
  },
  {
    vm: {
      name: 'ef-nul-config-path',
      files: withFiles(compliantFiles(), [{ type: 'file', path: OVERRIDE, content: HOST_CONF_TEXT.replace('pluginConfigPath0: /etc/azure/', 'pluginConfigPath0: /etc/azure/\u0000'), mode: 0o644 }]),
    },
    rules: ['config-exists'],
  },
  {
    vm: {
      name: 'ef-relative-config-path',
      files: withFiles(compliantFiles(), [
        { type: 'file', path: OVERRIDE, content: HOST_CONF_TEXT.replace('pluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json', 'pluginConfigPath0: my.json'), mode: 0o644 },
        { type: 'file', path: `${EXT_DIR}/my.json`, content: config({}), mode: 0o600 },
      ]),
    },
    rules: [],
    check: (h) => expect(h.facts?.configPath).toBe(`${EXT_DIR}/my.json`),
  },
  {
    vm: { name: 'ef-hostconf-runner', files: withFiles(compliantFiles(), [{ type: 'file', path: EXT_HOST_CONF, content: HOST_CONF_TEXT.replace('ScriptRunner', 'MyRunner'), mode: 0o644 }]) },
    rules: ['hostconf-valid'],
  },
  {
    vm: { name: 'ef-big-valid', files: withConfigText(config({ appName: bigAppName })) },
    rules: ['config-size'],
    check: (h) => {
      expect(h.status).toBe('compliant');
      expect(h.findings.find((f) => f.rule === 'config-size')?.severity).toBe('warning');
    },
  },
  {
    vm: {
      name: 'ef-big-script-mode',
      files: withConfigText(config({ appName: bigAppName }), [{ type: 'file', path: PRE_SCRIPT, content: '#!/bin/sh\nsync\n', mode: 0o755 }]),
    },
    rules: ['config-size', 'prescript-mode'],
  },
  {
    vm: { name: 'ef-big-bom', files: withConfigText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(config({ appName: bigAppName }))])) },
    rules: ['config-size', 'config-json-valid'],
    check: (h) => expect(h.findings.find((f) => f.rule === 'config-json-valid')?.message).toContain('BOM'),
  },
  {
    vm: { name: 'ef-big-syntax', files: withConfigText(config({ appName: bigAppName }).replace('"pluginName"', 'pluginName')) },
    rules: ['config-size', 'config-json-valid'],
    check: (h) => expect(h.findings.find((f) => f.rule === 'config-json-valid')?.message).toMatch(/line 2/),
  },
  {
    vm: { name: 'ef-deep', files: withConfigText(config({}).replace(/}\n$/, `, "deep": ${'['.repeat(20_000)}${']'.repeat(20_000)}}\n`)) },
    rules: ['config-types'],
    check: (h) => expect(h.findings.find((f) => f.rule === 'config-types')?.message).toContain('RecursionError'),
  },
  {
    vm: { name: 'ef-big-deep', files: withConfigText(config({ appName: bigAppName }).replace(/}\n$/, `, "deep": ${'['.repeat(2000)}${']'.repeat(2000)}}\n`)) },
    rules: ['config-size', 'config-types'],
    check: (h) => expect(h.findings.find((f) => f.rule === 'config-types')?.message).toContain('RecursionError'),
  },
  {
    vm: { name: 'ef-big-array', files: withConfigText(JSON.stringify([compliantConfig(), bigAppName])) },
    rules: ['config-size', 'config-types'],
    check: (h) => expect(h.findings.find((f) => f.rule === 'config-types')?.message).toContain('JSON array at the top level'),
  },
  {
    vm: { name: 'ef-pipefail', files: withFiles(compliantFiles(), [{ type: 'file', path: POST_SCRIPT, content: '#!/bin/bash\nset -euo pipefail\nsync\n', mode: 0o700 }]) },
    rules: ['script-interpreter', 'script-syntax'],
    check: (h) => expect(h.findings.find((f) => f.rule === 'script-syntax')).toMatchObject({ severity: 'error', path: POST_SCRIPT }),
  },
  {
    vm: { name: 'ef-double-bracket', files: withFiles(compliantFiles(), [{ type: 'file', path: PRE_SCRIPT, content: '#!/bin/sh\n[[ -d /data ]] && sync\nexit 0\n', mode: 0o700 }]) },
    rules: ['script-syntax'],
    check: (h) => {
      expect(h.status).toBe('compliant');
      expect(h.findings.find((f) => f.rule === 'script-syntax')?.severity).toBe('warning');
    },
  },
];

describe.skipIf(fleetUnavailable)("the extension's own reading of a VM", () => {
  let fleet: Fleet;
  let run: CliRun;
  let report: Report;

  beforeAll(async () => {
    fleet = await startFleet({ vms: CASES.map((c) => c.vm) });
    const inv = fleet.writeInventory({ file: join(fleet.dir, 'fidelity.yaml') });
    ({ run, report } = await auditJson(['-i', inv, '--known-hosts', fleet.knownHostsFile, '--timeout', '30']));
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('audits every VM (none ends as error)', () => {
    expect(report.hosts.map((h) => `${h.name}: ${h.status}${h.error ? ` ${h.error.code} ${h.error.message}` : ''}`), describeRun(run)).toEqual(
      CASES.map((c) => expect.stringMatching(new RegExp(`^${c.vm.name}: (compliant|noncompliant)$`)) as string),
    );
  });

  for (const c of CASES) {
    it(`${c.vm.name}: ${c.rules.length ? c.rules.join(', ') : 'compliant'}`, () => {
      const h = report.hosts.find((x) => x.name === c.vm.name)!;
      const got = [...new Set(h.findings.filter((f) => f.severity !== 'info').map((f) => f.rule))].sort();
      expect(got, `${setDiff(c.rules, got)}\n${h.findings.map((f) => `  ${f.severity} ${f.rule}: ${f.message}`).join('\n')}`).toEqual([...c.rules].sort());
      c.check?.(h);
    });
  }
});

