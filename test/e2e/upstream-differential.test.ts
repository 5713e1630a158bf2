// vmsnap's verdicts against the extension's own code. For every scenario (one change to a compliant
// VM, and seeded random combinations of two or three), the real `PluginHost(logger).pre_check()` of
// upstream VMBackup/main (../shared/reference/vmbackup-main-b7eecd4.tar.gz, unpacked outside the
// repo, never copied into it) runs inside the test VM as root, in the VM's extension folder, with a
// logger that only keeps lines; then one vmsnap audit judges the same VMs. Per host:
//   - pre_check returns a code           -> that code is among vmsnap's findings' extension codes;
//   - success with no plugin loaded      -> vmsnap reports hostconf-no-plugins (the scripts never run);
//   - success with the plugin loaded     -> vmsnap has no finding with a code pre_check can return.
// Codes only a script run produces (300, 301, 308-311) are out of pre_check's reach and not compared.
// VMSNAP_DIFF_SEED replays a run's combinations; the seed is printed, and named in every failure.
// VMSNAP_DIFF_DUMP=FILE writes every scenario with both verdicts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { CONFIG_PATH, EXT_DIR, HOST_CONF_TEXT, ORPHAN_UID, POST_SCRIPT, PRE_SCRIPT, SCRIPT_TEXT, type FileSpec, type Owner, type VmSpec } from '../../src/fleet/spec.js';
import type { HostResult } from '../../src/model/report.js';
import { UPSTREAM_MISSING, UPSTREAM_TARBALL } from '../helpers/upstream.js';
import { auditJson, describeRun, fleetUnavailable } from './cli.js';

const TARBALL = UPSTREAM_TARBALL ?? '';
const skip = fleetUnavailable ?? UPSTREAM_MISSING;
if (skip) console.warn(`skipping the differential test against the extension's code: ${skip}`);

// unpacked once, outside the repo; the VMs get the agent library the extension's folder ships
// (WAAgentUtil finds it as main/WaagentLib.py under the extension folder, its working directory)
const upstreamDir = skip ? null : fs.mkdtempSync(join(tmpdir(), 'vmsnap-upstream-'));
if (upstreamDir) execFileSync('tar', ['xzf', TARBALL, '-C', upstreamDir]);
const UPSTREAM_MAIN = upstreamDir ? join(upstreamDir, 'VMBackup', 'main') : '';
const WAAGENT_LIB = upstreamDir ? fs.readFileSync(join(UPSTREAM_MAIN, 'WaagentLib.py')) : Buffer.alloc(0);

const SEED = Number(process.env['VMSNAP_DIFF_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const COMBINATIONS = 70;
/** the codes pre_check can return (PluginHost.py, ScriptRunner.py at b7eecd4) */
const PRE_CHECK_CODES = new Set([302, 303, 304, 305, 306, 307, 313, 314, 316, 317]);
const OVERRIDE = '/etc/azure/VMSnapshotPluginHost.conf';
const EXT_CONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;

// ---- the VM a scenario describes -------------------------------------------------------------

interface FileState {
  kind: 'file' | 'missing' | 'dir' | 'symlink' | 'dangling';
  mode: number;
  owner: Owner;
  group?: Owner;
}
interface Setup {
  /** the config's keys, each with the raw JSON text of its value (NaN and 1e400 included) */
  keys: [string, string][];
  /** replaces the whole config text */
  rawConfig?: string | Uint8Array;
  config: FileState;
  pre: FileState;
  post: FileState;
  hostConf: FileState & { text: string };
  override: (FileState & { text: string }) | null;
}

const compliantSetup = (): Setup => ({
  keys: [
    ['pluginName', '"ScriptRunner"'],
    ['preScriptLocation', JSON.stringify(PRE_SCRIPT)],
    ['postScriptLocation', JSON.stringify(POST_SCRIPT)],
    ['preScriptParams', '["", ""]'],
    ['postScriptParams', '["", ""]'],
    ['preScriptNoOfRetries', '0'],
    ['postScriptNoOfRetries', '0'],
    ['timeoutInSeconds', '30'],
    ['continueBackupOnFailure', 'true'],
    ['fsFreezeEnabled', 'true'],
  ],
  config: { kind: 'file', mode: 0o600, owner: 'root' },
  pre: { kind: 'file', mode: 0o700, owner: 'root' },
  post: { kind: 'file', mode: 0o700, owner: 'root' },
  hostConf: { kind: 'file', mode: 0o644, owner: 'root', text: HOST_CONF_TEXT },
  override: null,
});

function setKey(s: Setup, key: string, raw: string | null): void {
  const at = s.keys.findIndex(([k]) => k === key);
  if (raw === null) {
    if (at !== -1) s.keys.splice(at, 1);
  } else if (at === -1) s.keys.push([key, raw]);
  else s.keys[at] = [key, raw];
}

function fileSpecs(path: string, st: FileState, content: string | Uint8Array, linkTarget: string): FileSpec[] {
  switch (st.kind) {
    case 'missing':
      return [];
    case 'dir':
      return [{ type: 'dir', path, mode: 0o755 }];
    case 'symlink':
      return [
        { type: 'file', path: linkTarget, content, mode: st.mode, owner: st.owner, ...(st.group !== undefined ? { group: st.group } : {}) },
        { type: 'symlink', path, target: linkTarget },
      ];
    case 'dangling':
      return [{ type: 'symlink', path, target: `${linkTarget}.gone` }];
    case 'file':
      return [{ type: 'file', path, content, mode: st.mode, owner: st.owner, ...(st.group !== undefined ? { group: st.group } : {}) }];
  }
}

function vmFiles(s: Setup): FileSpec[] {
  const config = s.rawConfig ?? `{\n${s.keys.map(([k, v]) => `  ${JSON.stringify(k)}: ${v}`).join(',\n')}\n}\n`;
  return [
    { type: 'dir', path: '/etc/azure', mode: 0o755 },
    { type: 'dir', path: '/var/lib/waagent', mode: 0o700 },
    { type: 'dir', path: EXT_DIR, mode: 0o755 },
    { type: 'dir', path: `${EXT_DIR}/main`, mode: 0o755 },
    { type: 'dir', path: `${EXT_DIR}/config`, mode: 0o755 },
    { type: 'dir', path: '/srv/targets', mode: 0o755 },
    { type: 'file', path: `${EXT_DIR}/config/HandlerState`, content: 'Enabled', mode: 0o644 },
    { type: 'file', path: `${EXT_DIR}/main/WaagentLib.py`, content: WAAGENT_LIB, mode: 0o644 },
    { type: 'file', path: `${EXT_DIR}/relative.sh`, content: SCRIPT_TEXT, mode: 0o700 },
    ...fileSpecs(EXT_CONF, s.hostConf, s.hostConf.text, '/srv/targets/hostconf'),
    ...(s.override ? fileSpecs(OVERRIDE, s.override, s.override.text, '/srv/targets/override') : []),
    ...fileSpecs(CONFIG_PATH, s.config, config, '/srv/targets/config.json'),
    ...fileSpecs(PRE_SCRIPT, s.pre, SCRIPT_TEXT, '/srv/targets/pre.sh'),
    ...fileSpecs(POST_SCRIPT, s.post, SCRIPT_TEXT, '/srv/targets/post.sh'),
  ];
}

// ---- the changes -------------------------------------------------------------------------------

interface Change {
  name: string;
  apply(s: Setup): void;
}

/** JSON values of every type, and the corners of Python's json.load, int() and min() */
const VALUES = [
  'null', 'true', 'false', '0', '-5', '3', '2.5', '1e400', '-1e400', 'NaN', 'Infinity', '-Infinity',
  '12345678901234567890123', '"3"', '" 4 "', '"2.5"', '"1e3"', '"0x10"', '"+2"', '"1_0"', '"\\uff13"',
  '"abc"', '""', '[]', '{}', '["a"]', '"relative.sh"',
];
const VALUE_KEYS = ['timeoutInSeconds', 'ScriptsExecutionPollTimeSeconds', 'preScriptLocation', 'postScriptLocation', 'pluginName'];
const OTHER_KEYS = ['continueBackupOnFailure', 'fsFreezeEnabled', 'preScriptParams', 'appName', 'preScriptNoOfRetries'];

const configText = (t: string | Uint8Array): Change['apply'] => (s) => void (s.rawConfig = t);
const hostConfLines = (edit: (lines: string[]) => string[]): Change['apply'] => (s) => {
  s.hostConf.text = edit(s.hostConf.text.split('\n')).join('\n');
};
const replaceLine = (prefix: string, line: string | null) => hostConfLines((ls) => ls.flatMap((l) => (l.startsWith(prefix) ? (line === null ? [] : [line]) : [l])));

function changes(): Change[] {
  const out: Change[] = [];
  for (const key of VALUE_KEYS) for (const v of VALUES) out.push({ name: `${key}=${v}`, apply: (s) => setKey(s, key, v) });
  for (const key of OTHER_KEYS) for (const v of ['null', '"false"', '[]', 'NaN', '5']) out.push({ name: `${key}=${v}`, apply: (s) => setKey(s, key, v) });
  for (const key of [...VALUE_KEYS, ...OTHER_KEYS]) out.push({ name: `no ${key}`, apply: (s) => setKey(s, key, null) });
  const texts: [string, string | Uint8Array][] = [
    ['bom', `\ufeff{"preScriptLocation": "${PRE_SCRIPT}", "postScriptLocation": "${POST_SCRIPT}"}`],
    ['comment', `{"preScriptLocation": "${PRE_SCRIPT}", // pre\n "postScriptLocation": "${POST_SCRIPT}"}`],
    ['trailing comma', `{"preScriptLocation": "${PRE_SCRIPT}", "postScriptLocation": "${POST_SCRIPT}",}`],
    ['empty', ''],
    ['list', '[]'],
    ['string', '"x"'],
    ['null', 'null'],
    ['number', '1'],
    ['NaN top level', 'NaN'],
    ['latin-1 byte', Buffer.concat([Buffer.from(`{"appName": "caf`), Buffer.from([0xe9]), Buffer.from(`", "preScriptLocation": "${PRE_SCRIPT}", "postScriptLocation": "${POST_SCRIPT}"}`)])],
    ['duplicate key, last wins', `{"preScriptLocation": 5, "preScriptLocation": "${PRE_SCRIPT}", "postScriptLocation": "${POST_SCRIPT}"}`],
    ['extra data', `{"preScriptLocation": "${PRE_SCRIPT}", "postScriptLocation": "${POST_SCRIPT}"} x`],
    ['deep', `{"appName": ${'['.repeat(1200)}${']'.repeat(1200)}, "preScriptLocation": "${PRE_SCRIPT}", "postScriptLocation": "${POST_SCRIPT}"}`],
    ['single quotes', `{'preScriptLocation': '${PRE_SCRIPT}', 'postScriptLocation': '${POST_SCRIPT}'}`],
  ];
  for (const [name, t] of texts) out.push({ name: `config ${name}`, apply: configText(t) });

  const files: [string, (s: Setup) => FileState][] = [
    ['config', (s) => s.config],
    ['pre', (s) => s.pre],
    ['post', (s) => s.post],
    ['hostconf', (s) => s.hostConf],
  ];
  for (const [what, get] of files) {
    for (const mode of [0o644, 0o640, 0o604, 0o700, 0o600, 0o400, 0o755, 0o744, 0o664, 0o000, 0o500, 0o710]) {
      out.push({ name: `${what} mode ${mode.toString(8).padStart(4, '0')}`, apply: (s) => void (get(s).mode = mode) });
    }
    out.push({ name: `${what} owner appuser`, apply: (s) => void (get(s).owner = 'appuser') });
    out.push({ name: `${what} owner uid ${ORPHAN_UID}`, apply: (s) => void (get(s).owner = ORPHAN_UID) });
    out.push({ name: `${what} group appuser`, apply: (s) => void (get(s).group = 'appuser') });
    for (const kind of ['missing', 'dir', 'symlink', 'dangling'] as const) out.push({ name: `${what} ${kind}`, apply: (s) => void (get(s).kind = kind) });
  }

  const ini: [string, Change['apply']][] = [
    ['numberOfPlugins 0', replaceLine('numberOfPlugins', 'numberOfPlugins: 0')],
    ['numberOfPlugins -1', replaceLine('numberOfPlugins', 'numberOfPlugins: -1')],
    ['numberOfPlugins 2', replaceLine('numberOfPlugins', 'numberOfPlugins: 2')],
    ['numberOfPlugins abc', replaceLine('numberOfPlugins', 'numberOfPlugins: abc')],
    ['numberOfPlugins 1.0', replaceLine('numberOfPlugins', 'numberOfPlugins: 1.0')],
    ['numberOfPlugins " 1 "', replaceLine('numberOfPlugins', 'numberOfPlugins =  1 ')],
    ['no numberOfPlugins', replaceLine('numberOfPlugins', null)],
    ['no timeoutInSeconds', replaceLine('timeoutInSeconds', null)],
    ['timeoutInSeconds abc', replaceLine('timeoutInSeconds', 'timeoutInSeconds: abc')],
    ['timeoutInSeconds 5', replaceLine('timeoutInSeconds', 'timeoutInSeconds: 5')],
    ['pluginName0 evil', replaceLine('pluginName0', 'pluginName0: evil')],
    ['no pluginName0', replaceLine('pluginName0', null)],
    ['no pluginPath0', replaceLine('pluginPath0', null)],
    ['no pluginConfigPath0', replaceLine('pluginConfigPath0', null)],
    ['pluginConfigPath0 missing file', replaceLine('pluginConfigPath0', 'pluginConfigPath0: /etc/azure/none.json')],
    ['pluginConfigPath0 with %', replaceLine('pluginConfigPath0', 'pluginConfigPath0: /etc/azure/100%.json')],
    ['section [Pre_Post]', replaceLine('[pre_post]', '[Pre_Post]')],
    ['no section header', replaceLine('[pre_post]', null)],
    ['empty host conf', (s) => void (s.hostConf.text = '')],
    ['duplicate key', hostConfLines((ls) => [...ls, 'numberOfPlugins: 1'])],
    ['DEFAULT section', (s) => void (s.hostConf.text = `[DEFAULT]\nnumberOfPlugins: 1\n${HOST_CONF_TEXT.replace('numberOfPlugins: 1\n', '')}`)],
    ['keys in upper case', hostConfLines((ls) => ls.map((l) => (l.startsWith('[') ? l : l.replace(/^[^:]+/, (k) => k.toUpperCase()))))],
    ['inline comment', replaceLine('numberOfPlugins', 'numberOfPlugins: 1 ; one')],
  ];
  for (const [name, apply] of ini) out.push({ name: `hostconf ${name}`, apply });

  const override = (o: Partial<FileState> & { text?: string }): Change['apply'] => (s) => {
    s.override = { kind: 'file', mode: 0o644, owner: 'root', text: HOST_CONF_TEXT, ...o };
  };
  out.push(
    { name: 'override shipped', apply: override({}) },
    { name: 'override mode 0664', apply: override({ mode: 0o664 }) },
    { name: 'override owner appuser', apply: override({ owner: 'appuser' }) },
    { name: 'override numberOfPlugins 0', apply: override({ text: HOST_CONF_TEXT.replace('numberOfPlugins: 1', 'numberOfPlugins: 0') }) },
    { name: 'override other config path', apply: override({ text: HOST_CONF_TEXT.replace(CONFIG_PATH, '/etc/azure/none.json') }) },
    { name: 'override is a dir', apply: override({ kind: 'dir' }) },
    { name: 'override symlink', apply: override({ kind: 'symlink' }) },
    { name: 'override empty', apply: override({ text: '' }) },
  );
  return out;
}

/** mulberry32: small, seeded, good enough to pick combinations */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  vm: VmSpec;
  changes: string[];
}

function scenarios(): Scenario[] {
  const all = changes();
  const list: Change[][] = all.map((c) => [c]);
  // the one pair whose order matters: get_config's error handlers concatenate pluginName (304, not 305)
  const named = (n: string) => all.find((c) => c.name === n)!;
  list.push([named('pluginName=3'), named('no postScriptLocation')], [named('pluginName=[]'), named('ScriptsExecutionPollTimeSeconds="2.5"')]);
  const next = rng(SEED);
  for (let i = 0; i < COMBINATIONS; i++) {
    const n = 2 + Math.floor(next() * 2);
    const pick = new Set<Change>();
    while (pick.size < n) pick.add(all[Math.floor(next() * all.length)]!);
    list.push([...pick]);
  }
  return list.map((cs, i) => {
    const s = compliantSetup();
    for (const c of cs) c.apply(s);
    return { vm: { name: `d${i}`, files: vmFiles(s) }, changes: cs.map((c) => c.name) };
  });
}

// ---- running the extension's pre_check in a VM ---------------------------------------------------

// The upstream code, untouched: only the logger is a stand-in (it keeps the last lines, for messages).
const RUNNER = `
import sys, os, json
main_dir, ext_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, main_dir)
os.chdir(ext_dir)
class Logger(object):
    def __init__(self): self.lines = []
    def log(self, msg, *a, **k): self.lines.append(str(msg).split('stack trace')[0][:240])
from PluginHost import PluginHost
logger = Logger()
host = PluginHost(logger)
try:
    code, dobackup, fsfreeze = host.pre_check()
    out = {'code': code, 'plugins': host.noOfPlugins}
except Exception as e:
    out = {'raised': '%s: %s' % (e.__class__.__name__, e)}
out['log'] = logger.lines[-2:]
sys.stdout.write(json.dumps(out))
`;

interface Upstream {
  code?: number;
  plugins?: number;
  raised?: string;
  log: string[];
}

describe.skipIf(skip)("vmsnap's verdicts equal the extension's own pre_check", () => {
  let fleet: Fleet;
  const cases = scenarios();
  const upstream = new Map<string, Upstream>();
  const audited = new Map<string, HostResult>();

  beforeAll(async () => {
    console.log(`differential test: ${cases.length} scenarios, ${cases.filter((c) => c.changes.length > 1).length} of them combinations (VMSNAP_DIFF_SEED=${SEED})`);
    const work = upstreamDir!;
    const main = UPSTREAM_MAIN;
    fs.writeFileSync(join(work, 'run-pre-check.py'), RUNNER);
    fs.chmodSync(work, 0o755);

    fleet = await startFleet({ vms: cases.map((c) => c.vm) });
    // two at a time: the upstream import of WaagentLib costs ~0.3 s of CPU per run
    const queue = [...fleet.vms];
    await Promise.all(
      [0, 1].map(async () => {
        for (let vm = queue.shift(); vm; vm = queue.shift()) {
          const r = await fleet.execInVm(vm.name, ['python3', '-B', join(work, 'run-pre-check.py'), main, EXT_DIR]);
          try {
            upstream.set(vm.name, JSON.parse(r.stdout) as Upstream);
          } catch {
            upstream.set(vm.name, { raised: `runner: exit ${r.code}: ${r.stderr.slice(-400)}`, log: [] });
          }
        }
      }),
    );
    const inv = fleet.writeInventory({ file: join(fleet.dir, 'inventory.yaml') });
    const { run, report } = await auditJson(['-i', inv, '--known-hosts', fleet.knownHostsFile, '-j', '20', '--timeout', '60'], 300_000);
    for (const h of report.hosts) audited.set(h.name, h);
    if (audited.size !== cases.length) throw new Error(`the audit reported ${audited.size} of ${cases.length} hosts\n${describeRun(run)}`);
  }, 900_000);

  afterAll(async () => {
    await fleet?.stop();
    if (upstreamDir) fs.rmSync(upstreamDir, { recursive: true, force: true });
  });

  it('agrees on every scenario', () => {
    const disagreements: string[] = [];
    for (const c of cases) {
      const up = upstream.get(c.vm.name)!;
      const h = audited.get(c.vm.name)!;
      const codes = h.findings.filter((f) => f.severity === 'error').map((f) => f.extensionCode);
      const rules = h.findings.map((f) => `${f.rule}${f.extensionCode !== null ? `(${f.extensionCode})` : ''}`);
      let bad: string | null = null;
      if (up.raised !== undefined || up.code === undefined) bad = `pre_check raised: ${up.raised}`;
      else if (h.status !== 'compliant' && h.status !== 'noncompliant') bad = `vmsnap: ${h.status} ${h.error?.code ?? ''} ${h.error?.message ?? ''}`;
      else if (up.code !== 0) {
        if (!codes.includes(up.code)) bad = `extension ${up.code}, vmsnap has not`;
      } else if (up.plugins === 0) {
        if (!h.findings.some((f) => f.rule === 'hostconf-no-plugins')) bad = 'extension loads no plugin (success, scripts never run), vmsnap does not say so';
      } else {
        const extra = codes.filter((x) => x !== null && PRE_CHECK_CODES.has(x));
        if (extra.length) bad = `extension succeeds, vmsnap predicts ${extra.join(', ')}`;
      }
      if (bad) disagreements.push(`${c.vm.name} [${c.changes.join(' + ')}]: ${bad}\n    vmsnap: ${rules.join(' ') || 'no findings'}\n    extension log: ${up.log.join(' | ')}`);
    }
    const dump = process.env['VMSNAP_DIFF_DUMP'];
    if (dump) fs.writeFileSync(dump, JSON.stringify(cases.map((c) => ({ changes: c.changes, extension: upstream.get(c.vm.name), vmsnap: audited.get(c.vm.name)?.findings.map((f) => [f.rule, f.extensionCode]) })), null, 1));
    const outcomes = new Map<string, number>();
    for (const up of upstream.values()) {
      const k = up.code === undefined ? 'raised' : up.code === 0 ? (up.plugins === 0 ? 'success, no plugin' : 'success') : String(up.code);
      outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    }
    console.log(`the extension's pre_check: ${[...outcomes].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    // a runner that cannot import the extension's code would make every VM agree on nothing useful
    expect(outcomes.get('success') ?? 0).toBeGreaterThan(20);
    expect(outcomes.size).toBeGreaterThan(8);
    const agree = cases.length - disagreements.length;
    expect(disagreements, `${agree} of ${cases.length} agree (VMSNAP_DIFF_SEED=${SEED}):\n${disagreements.join('\n')}`).toEqual([]);
  });
});
