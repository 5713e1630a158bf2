// The collector's output must not change when it is made faster: this runs two versions of
// collector.py side by side on the same VMs, under every Python it finds, and compares their stdout
// byte for byte (and their exit codes and stderr), then times both (CPU per run, inside the VM).
//
//   node dist/bench/collector-diff.js --old OLD.py [--new src/collect/collector.py] [--python P ...]
//        [--runs 30] [--old-bootstrap json|literal] [--new-bootstrap json|literal]
//
// e.g. git show HEAD~1:src/collect/collector.py > /tmp/old.py && node dist/bench/collector-diff.js --old /tmp/old.py
//
// VMs: the demo fleet (every rule's failure), plus edge cases of what the faster paths replace:
// INI files configparser reads in its own ways, Lib.Dir values glob treats specially, `sh -n`
// verdicts and long messages. Each collector runs inside the VM's mount namespace (nsenter), as
// root, with the same bootstrap and stdin as over SSH.
//
// --*-bootstrap literal: the parameters line is a Python literal read by eval instead of JSON read
// by `import json` (the bootstrap change proposed in bench/README.md: json's import is ~6 ms of the
// collector's CPU); json is the bootstrap of src/collect/remote-command.ts today.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { demoFleet } from '../src/fleet/demo-fleet.js';
import { startFleet } from '../src/fleet/harness.js';
import { CONFIG_PATH, EXT_DIR, PRE_SCRIPT, POST_SCRIPT, compliantConfig, compliantFiles, withFiles, type FileSpec, type VmSpec } from '../src/fleet/spec.js';
import { MAX_CONFIG_BYTES } from '../src/model/facts.js';
import { Flags, parseFlags, repoRoot } from './common.js';

const BOOTSTRAPS = {
  json: 'import sys,json;P=json.loads(sys.stdin.readline());exec(sys.stdin.read())',
  literal: "import sys;P=eval(sys.stdin.readline(),{'__builtins__':{},'True':True,'False':False});exec(sys.stdin.read())",
} as const;
type Bootstrap = keyof typeof BOOTSTRAPS;

/** JSON data as a Python 2/3 literal of printable ASCII (u"..." strings with JSON's escapes). */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`pyLiteral: ${v} has no literal`);
    return JSON.stringify(v);
  }
  if (typeof v === 'string') {
    return 'u' + JSON.stringify(v).replace(/[\u{7f}-\u{10ffff}]/gu, (c) => {
      const cp = c.codePointAt(0)!;
      return cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    });
  }
  if (Array.isArray(v)) return '[' + v.map(pyLiteral).join(', ') + ']';
  if (typeof v === 'object') {
    return '{' + Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${pyLiteral(k)}: ${pyLiteral(x)}`).join(', ') + '}';
  }
  throw new Error(`pyLiteral: cannot write a ${typeof v}`);
}
const HOST_CONF_OVERRIDE = '/etc/azure/VMSnapshotPluginHost.conf';
const WORKLOAD = '/etc/azure/workload.conf';
const file = (p: string, content: string | Uint8Array, mode = 0o644): FileSpec => ({ type: 'file', path: p, content, mode });
const hostConf = (lines: string[]) => [...lines, ''].join('\n');
const std = ['timeoutInSeconds: 1800', 'numberOfPlugins: 1', 'pluginName0: ScriptRunner', 'pluginPath0: /etc/azure', 'pluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json'];

/** INI texts for the host conf override (first) and workload.conf (second), one VM per pair. */
const INI_PAIRS: [string, string, string][] = [
  ['ini-plain', hostConf(['[pre_post]', ...std]), '[workload]\nworkload_name = oracle\n'],
  ['ini-continuation', hostConf(['[pre_post]', ...std, '  continued here']), '[workload]\nworkload_name = a\n  b\n'],
  ['ini-default', hostConf(['[DEFAULT]', 'x = 1', '[pre_post]', ...std]), '[DEFAULT]\nworkload_name = d\n[workload]\n'],
  ['ini-duplicates', hostConf(['[pre_post]', ...std, 'TimeoutInSeconds = 5']), '[workload]\n[workload]\nworkload_name = x\n'],
  ['ini-inline-comments', hostConf(['[pre_post]', 'timeoutInSeconds: 1800 ; thirty minutes', 'pluginConfigPath0 = /etc/azure/VMSnapshotScriptPluginConfig.json # here']), '[workload]\nworkload_name = "" ; quoted\n'],
  ['ini-bom', '\ufeff' + hostConf(['[pre_post]', ...std]), '\ufeff[workload]\nworkload_name = bom\n'],
  ['ini-no-value', hostConf(['[pre_post]', ...std, 'flag']), '[workload]\nworkload_name\n'],
  ['ini-before-section', hostConf(['key = 1', '[pre_post]', ...std]), 'workload_name = early\n[workload]\n'],
  ['ini-delimiters', hostConf(['[pre_post]', 'A=1', 'B : 2', 'c:d=e', 'e=f:g', ' ', '\t# indented comment', '; semicolon', 'PluginConfigPath0=/etc/azure/VMSnapshotScriptPluginConfig.json']), '[workload]\nWORKLOAD_NAME:  spaced value  \n'],
  ['ini-headers', hostConf(['[ pre_post ]', ...std, '[a]b]', 'k = v', '[]', '[x] trailing']), '[workload] # c\nworkload_name = x\n'],
  ['ini-crlf', hostConf(['[pre_post]', ...std]).replace(/\n/g, '\r\n'), '[workload]\r\nworkload_name = crlf\r\n'],
  ['ini-empty-key', hostConf(['[pre_post]', '= 1', ...std]), '[workload]\n: x\nworkload_name = y\n'],
  ['ini-empty', '', '\n\n# only comments\n'],
  ['ini-rem', hostConf(['[pre_post]', 'rem this is a py2 comment', ...std]), '[workload]\nREM x\nworkload_name = r\n'],
  ['ini-unicode', hostConf(['[pré_post]', 'clé = välue', '[pre_post]', ...std]), '[workload]\nworkload_name = ワーク\n'],
  ['ini-invalid-utf8', '', ''],
];

function edgeVms(): VmSpec[] {
  const vms: VmSpec[] = INI_PAIRS.map(([name, hc, wl]) => ({
    name,
    files: withFiles(compliantFiles(), [file(HOST_CONF_OVERRIDE, hc), file(WORKLOAD, wl)]),
  }));
  const bad = vms.find((v) => v.name === 'ini-invalid-utf8')!;
  bad.files = withFiles(compliantFiles(), [file(HOST_CONF_OVERRIDE, Buffer.from('[pre_post]\nk\xff = v\xfe\n', 'latin1')), file(WORKLOAD, Buffer.from('[workload]\nworkload_name = \xc3\x28\n', 'latin1'))]);
  const waagent = (libdir: string, extra: FileSpec[] = []): FileSpec[] => withFiles(compliantFiles(), [file('/etc/waagent.conf', `Lib.Dir=${libdir}\n`), ...extra]);
  const ext2 = EXT_DIR.replace('1.0.9225.0', '1.0.10000.0');
  vms.push(
    { name: 'libdir-trailing-slash', files: waagent('/var/lib/waagent/') },
    { name: 'libdir-double-slash', files: waagent('/var/lib//waagent//') },
    { name: 'libdir-magic', files: waagent('/var/lib/waa[g]ent') },
    { name: 'libdir-star', files: waagent('/var/lib/waag*') },
    { name: 'libdir-relative', files: waagent('var/lib/waagent') },
    { name: 'libdir-missing', files: waagent('/var/lib/nowhere') },
    { name: 'libdir-file', files: waagent('/etc/passwd') },
    {
      name: 'libdir-many',
      files: withFiles(compliantFiles(), [
        { type: 'dir', path: ext2, mode: 0o755 },
        file(`${ext2}/config/HandlerState`, 'Enabled'),
        file('/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-9.9.9.9', 'a file, not a dir'),
        { type: 'dir', path: '/var/lib/waagent/.Microsoft.Azure.RecoveryServices.VMSnapshotLinux-0.1', mode: 0o755 },
        { type: 'dir', path: '/var/lib/waagent/microsoft.azure.recoveryservices.vmsnapshotlinux-1.0', mode: 0o755 },
        { type: 'dir', path: '/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-', mode: 0o755 },
        { type: 'dir', path: '/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-x.y', mode: 0o755 },
      ]),
    },
    { name: 'sh-syntax-error', files: withFiles(compliantFiles(), [file(PRE_SCRIPT, '#!/bin/sh\nif then fi\n', 0o700), file(POST_SCRIPT, '#!/bin/sh\necho "unterminated\n', 0o700)]) },
    { name: 'sh-long-message', files: withFiles(compliantFiles(), [file(PRE_SCRIPT, `#!/bin/sh\n${'x'.repeat(3000)}() { \n`, 0o700), file(POST_SCRIPT, Buffer.from('#!/bin/sh\n(\xff\xfe\n', 'latin1'), 0o700)]) },
    { name: 'sh-empty-and-dir', files: withFiles(compliantFiles(compliantConfig({ postScriptLocation: '/etc/azure' })), [file(PRE_SCRIPT, '', 0o700)]) },
    { name: 'cfg-bytes', files: withFiles(compliantFiles(), [file(CONFIG_PATH, Buffer.from('{"preScriptLocation": "/etc/azure/pre\xffscript.sh", "x": 1e400}\n', 'latin1'), 0o600)]) },
  );
  return vms;
}

function pythons(given: string[]): string[] {
  if (given.length) return given;
  const found = ['/usr/bin/python3'];
  const pyenv = '/root/.pyenv/versions';
  try {
    for (const v of fs.readdirSync(pyenv).sort()) {
      const p = path.join(pyenv, v, 'bin', 'python');
      if (fs.existsSync(p)) found.push(p);
    }
  } catch {
    /* none */
  }
  return found;
}

interface Out {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  cpuMs: number;
}

function runIn(pid: number, python: string, boot: Bootstrap, stdin: string): Promise<Out> {
  return new Promise((resolve, reject) => {
    const c = spawn('nsenter', ['-t', String(pid), '-m', '--', python, '-E', '-S', '-c', BOOTSTRAPS[boot]], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    c.stdout.on('data', (b: Buffer) => out.push(b));
    c.stderr.on('data', (b: Buffer) => err.push(b));
    c.once('error', reject);
    c.once('close', (code) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code, cpuMs: 0 }));
    c.stdin.end(stdin);
  });
}

/** CPU ms per run of `runs` sequential runs (children's rusage, via /usr/bin/time). */
function timeRuns(pid: number, python: string, boot: Bootstrap, stdinFile: string, runs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const script = `for i in $(seq ${runs}); do nsenter -t ${pid} -m -- "$1" -E -S -c "$2" < "$3" > /dev/null; done`;
    const c = spawn('/usr/bin/time', ['-f', '%U %S', 'sh', '-c', script, 'x', python, BOOTSTRAPS[boot], stdinFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.once('error', reject);
    c.once('close', () => {
      const [u, s] = err.trim().split('\n').pop()!.split(' ').map(Number);
      resolve((((u ?? NaN) + (s ?? NaN)) * 1000) / runs);
    });
  });
}

const flags = new Flags(parseFlags(process.argv.slice(2)));
const oldFile = flags.str('old');
const newFile = flags.str('new') ?? path.join(repoRoot(), 'src', 'collect', 'collector.py');
const pys = pythons(flags.all('python'));
const runs = flags.int('runs', 30);
const bootstrapFlag = (name: string): Bootstrap => {
  const v = flags.str(name) ?? 'json';
  if (v !== 'json' && v !== 'literal') throw new Error(`--${name} is json or literal, got ${v}`);
  return v;
};
const oldBoot = bootstrapFlag('old-bootstrap');
const newBoot = bootstrapFlag('new-bootstrap');
flags.done();
if (!oldFile) {
  process.stderr.write('usage: node dist/bench/collector-diff.js --old OLD.py [--new NEW.py] [--python P ...] [--runs N]\n');
  process.exit(2);
}
const paramsLine = (b: Bootstrap) => (b === 'json' ? JSON.stringify : pyLiteral)({ maxConfigBytes: MAX_CONFIG_BYTES });
const oldIn = `${paramsLine(oldBoot)}\n${fs.readFileSync(oldFile, 'utf8')}`;
const newIn = `${paramsLine(newBoot)}\n${fs.readFileSync(newFile, 'utf8')}`;

const specs = [...demoFleet(), ...edgeVms()];
const fleet = await startFleet({ vms: specs });
let differences = 0;
try {
  for (const py of pys) {
    let same = 0;
    for (const vm of fleet.vms) {
      const [a, b] = [await runIn(vm.pid, py, oldBoot, oldIn), await runIn(vm.pid, py, newBoot, newIn)];
      if (a.code === b.code && a.stdout.equals(b.stdout) && a.stderr === b.stderr) {
        same += 1;
        continue;
      }
      differences += 1;
      process.stdout.write(`DIFFERENT ${py} on ${vm.name}: exit ${a.code} vs ${b.code}\n  old: ${a.stdout.toString().slice(0, 2000)}${a.stderr}\n  new: ${b.stdout.toString().slice(0, 2000)}${b.stderr}\n`);
    }
    process.stdout.write(`${py}: ${same}/${fleet.vms.length} VMs identical\n`);
  }
  const tmp = fs.mkdtempSync('/tmp/vmsnap-collector-diff-');
  fs.writeFileSync(path.join(tmp, 'old'), oldIn);
  fs.writeFileSync(path.join(tmp, 'new'), newIn);
  const vm = fleet.vms[0]!; // the compliant demo VM
  for (const py of pys) {
    const to = await timeRuns(vm.pid, py, oldBoot, path.join(tmp, 'old'), runs);
    const tn = await timeRuns(vm.pid, py, newBoot, path.join(tmp, 'new'), runs);
    process.stdout.write(`${py} on ${vm.name}: old ${to.toFixed(1)} ms CPU per run, new ${tn.toFixed(1)} ms (${runs} runs each, nsenter included)\n`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
} finally {
  await fleet.stop();
}
process.exit(differences ? 1 : 0);
