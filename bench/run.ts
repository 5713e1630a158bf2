// The benchmark of issue 7: vmsnap's full audit against what operators would otherwise run, on one
// local fleet of real sshd test VMs, side by side, interleaved, several rounds.
//
//   npm run bench -- --hosts 200 --concurrency 50 [--rounds 3] [--json FILE]
//
// Tools (each a child process, measured the same way by measure.ts):
//   vmsnap   bin/vmsnap audit --format json to a file (the whole audit: collector, rules, report)
//   openssh  xargs -P C ssh -o KexAlgorithms=curve25519-sha256 ... root@ADDR cat CONFIG
//   ansible  ansible-playbook, stat + slurp of CONFIG, forks=C (installed with apt-get if missing)
//   ssh2     bare ssh2 fan-out (bench/ssh2-fanout.ts): connect, cat CONFIG, close; the library's floor
//   ssh2-collector  the same fan-out running vmsnap's remote command with the collector on stdin:
//            vmsnap's remote work without vmsnap's client (splits vmsnap's cost into library,
//            payload and remote side, and vmsnap's own client code)
//
// Per tool and round: wall time, hosts/s, client CPU (user+sys of the client's whole process tree)
// per host, VM-side CPU per host (the CPU of every VM's sshd and what it ran, from the listeners'
// own and reaped children's times), and the peak RSS of the largest client process. The summary is
// the median over rounds. "client-bound hosts/s" is min(CPUs, the tool's threads) * 1000 / client
// CPU ms per host: the rate if only the client's CPU counted, as on real VMs whose sshd and
// collector run on their own CPUs (a projection, not a measurement). A one-thread tool (the ssh2
// fan-outs, vmsnap --workers 1) gets one CPU of it; xargs' ssh processes and Ansible's forks all. Nothing here asserts speed: CI only runs a 3-VM smoke test.
//
// Every tool runs with SSH_AUTH_SOCK unset and vmsnap and the ssh2 fan-outs with an empty HOME, so
// nothing of the operator's ~/.ssh or agent takes part (OpenSSH reads ~/.ssh from the passwd entry,
// not HOME: keep root's ~/.ssh/config out of its way, or its options apply to the OpenSSH figures).
//
// Flags:
//   --hosts N            VMs to start (default 200)
//   --concurrency C      hosts at once for every tool: vmsnap -j, xargs -P, forks, p-limit (default 50)
//   --rounds R           rounds, each tool once per round, order rotated every round (default 3)
//   --json FILE          write every run and the summary as JSON
//   --tools LIST         comma-separated subset of vmsnap,openssh,ansible,ssh2,ssh2-collector (default all)
//   --ansible-hosts M    Ansible audits only the first M hosts (default: all); its per-host time is compared
//   --scale-hosts K      also time vmsnap on the first K hosts each round: reports time(N) / time(K)
//   --vmsnap NAME=BIN    another vmsnap build to time beside bin/vmsnap (e.g. a worktree with a change)
//   --ssh2-cipher LIST   algorithms.cipher for the bare ssh2 fan-out (default: ssh2's own order, as vmsnap)
//   --pause-ms MS        settle time between runs (default 1500)
//   --profile            one more vmsnap run under node --cpu-prof: client CPU per host by phase
//   --workers N          vmsnap --workers N (default: vmsnap's own default)
//   --workers-rows LIST  also time bin/vmsnap with --workers N for each N of the list (rows "vmsnap -wN")
//   --rss-hosts LIST     after the rounds, one vmsnap run per K of the list (e.g. 1000,5000) for its
//                        peak RSS, with the default workers and each --workers-rows count: an inventory
//                        of K hosts listing each of the fleet's VMs ceil(K / --hosts) times under
//                        names of their own (the client's memory follows hosts and -j, not distinct VMs)
//   --rss-concurrency C  -j of those runs (default 200)
//   --latency            also run bench/latency.ts (4 VMs of its own behind a 50 ms-each-way delay
//                        proxy, -j 1, 2 rounds): round trips per host for vmsnap, OpenSSH and ssh2
//   --no-install         never apt-get install ansible-core
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requestedWorkers } from '../src/audit/worker-pool.js';
import { collectorCommand } from '../src/collect/remote-command.js';
import { findInPath, startFleet, type Fleet } from '../src/fleet/harness.js';
import { MAX_CONFIG_BYTES, MAX_CONFIG_PARSE_BYTES } from '../src/model/facts.js';
import { compliantConfig } from '../src/fleet/spec.js';
import { CONFIG_FILE, Flags, benchSpecs, loadAverage, parseFlags, repoRoot, round2, treeCpuSeconds } from './common.js';
import { killRunning, measure, type Measurement } from './measure.js';
import { summarise as summariseProfile } from './cpuprofile.js';

/** The per-host phases of vmsnap's report (HostResult.timing), in the order they happen. */
const PHASES = ['connectMs', 'authMs', 'execMs', 'collectMs', 'parseMs', 'judgeMs'] as const;

const TOOL_NAMES = ['vmsnap', 'openssh', 'ansible', 'ssh2', 'ssh2-collector'] as const;

interface Tool {
  /** label in the table: vmsnap, vmsnap@K, openssh, ansible, ssh2, or a --vmsnap NAME */
  name: string;
  kind: (typeof TOOL_NAMES)[number];
  hosts: number;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** threads that do its per-host work (one Node thread each for the ssh2 fan-outs, vmsnap's --workers); unset: as many as there are CPUs */
  threads?: number;
  /** checks the run's output: how many hosts answered as expected (and, for vmsnap, the median phase times) */
  check: (stdoutFile: string, m: Measurement) => { ok: number; note?: string; phases?: Record<string, number> };
}

interface Run extends Measurement {
  tool: string;
  round: number;
  hosts: number;
  ok: number;
  note?: string;
  vmCpuS: number;
  loadAvg1: number;
  /** vmsnap: median wall ms per host of each phase */
  phases?: Record<string, number>;
}

interface Summary {
  tool: string;
  hosts: number;
  runs: number;
  failedRuns: number;
  wallS: number;
  wallMinS: number;
  wallMaxS: number;
  hostsPerS: number;
  msPerHost: number;
  clientCpuMsPerHost: number;
  vmCpuMsPerHost: number;
  totalCpuMsPerHost: number;
  /** CPUs * 1000 / client CPU ms per host: hosts/s if only the client's CPU counted (a projection) */
  clientBoundHostsPerS: number;
  peakRssMb: number;
  phases?: Record<string, number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0]!.trim();
}

/** ansible-playbook, installed from Debian's ansible-core when missing (unless --no-install). */
function ensureAnsible(install: boolean, log: (s: string) => void): { bin: string | null; note?: string } {
  let bin = findInPath('ansible-playbook');
  if (bin) return { bin };
  if (!install) return { bin: null, note: 'ansible-playbook not found and --no-install given: Ansible skipped' };
  log('installing ansible-core with apt-get (once) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let r = apt(['install', '-y', '-qq', '--no-install-recommends', 'ansible-core']);
  if (r.status !== 0) {
    apt(['update', '-qq']);
    r = apt(['install', '-y', '-qq', '--no-install-recommends', 'ansible-core']);
  }
  bin = findInPath('ansible-playbook');
  if (bin) return { bin };
  return { bin: null, note: `could not install ansible-core (${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop()}): Ansible skipped` };
}

/** `git describe --always --dirty` of the repository, or null outside a work tree. */
function gitRevision(): string | null {
  const r = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: repoRoot(), encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function parseArgs(argv: string[]) {
  const f = new Flags(parseFlags(argv));
  const hosts = f.int('hosts', 200);
  const concurrency = f.int('concurrency', 50);
  const rounds = f.int('rounds', 3);
  const json = f.str('json');
  const toolsArg = f.str('tools');
  const tools = toolsArg ? toolsArg.split(',').map((t) => t.trim()).filter(Boolean) : [...TOOL_NAMES];
  for (const t of tools) if (!(TOOL_NAMES as readonly string[]).includes(t)) throw new Error(`--tools: unknown tool ${t} (known: ${TOOL_NAMES.join(', ')})`);
  const ansibleHosts = Math.min(hosts, f.int('ansible-hosts', hosts));
  const scaleHostsArg = f.str('scale-hosts');
  const scaleHosts = scaleHostsArg === undefined ? null : f.int('scale-hosts', 100);
  if (scaleHosts !== null && scaleHosts >= hosts) throw new Error('--scale-hosts must be below --hosts');
  const variants = f.all('vmsnap').map((v) => {
    const eq = v.indexOf('=');
    if (eq < 1) throw new Error(`--vmsnap wants NAME=PATH-TO-bin/vmsnap, got ${v}`);
    const bin = path.resolve(v.slice(eq + 1));
    if (!fs.existsSync(bin)) throw new Error(`--vmsnap ${v}: ${bin} does not exist`);
    return { name: v.slice(0, eq), bin };
  });
  const ssh2Cipher = f.str('ssh2-cipher');
  const pauseMs = f.int('pause-ms', 1500, 0);
  const noInstall = f.bool('no-install');
  const profile = f.bool('profile');
  const workers = f.str('workers') === undefined ? null : f.int('workers', 1);
  const workersRows = (f.str('workers-rows') ?? '').split(',').filter(Boolean).map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--workers-rows: not a worker count: ${x}`);
    return n;
  });
  const rssHosts = (f.str('rss-hosts') ?? '').split(',').filter(Boolean).map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--rss-hosts: not a host count: ${x}`);
    return n;
  });
  const rssConcurrency = f.int('rss-concurrency', 200);
  const latency = f.bool('latency');
  f.done();
  return { hosts, concurrency, rounds, json, tools, ansibleHosts, scaleHosts, variants, ssh2Cipher, pauseMs, noInstall, profile, workers, workersRows, rssHosts, rssConcurrency, latency };
}

/** How many hosts of a vmsnap JSON report are compliant (and the median phase times), with a note on the others. */
function vmsnapReportCheck(stdout: string, count: number): { ok: number; note?: string; phases?: Record<string, number> } {
  try {
    const r = JSON.parse(fs.readFileSync(stdout, 'utf8')) as { hosts: { status: string; error?: { code: string }; timing?: Record<string, number> }[] };
    const bad = r.hosts.filter((h) => h.status !== 'compliant');
    const note = bad.length ? `not compliant: ${[...new Set(bad.map((h) => h.error?.code ?? h.status))].join(', ')}` : r.hosts.length !== count ? `${r.hosts.length} hosts in the report` : undefined;
    const phases = Object.fromEntries(PHASES.map((p) => [p, round2(median(r.hosts.map((h) => h.timing?.[p] ?? 0)))]));
    return { ok: r.hosts.length - bad.length, phases, ...(note ? { note } : {}) };
  } catch (e) {
    return { ok: 0, note: `no JSON report: ${(e as Error).message}` };
  }
}

function sshOptions(fleet: Fleet): string[] {
  return ['-o', 'KexAlgorithms=curve25519-sha256', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${fleet.knownHostsFile}`, '-i', fleet.identityFile];
}

function buildTools(opts: ReturnType<typeof parseArgs>, fleet: Fleet, work: string, ansibleBin: string | null): Tool[] {
  const root = repoRoot();
  const home = path.join(work, 'home');
  fs.mkdirSync(home, { recursive: true });
  const baseEnv: NodeJS.ProcessEnv = { ...process.env };
  delete baseEnv['SSH_AUTH_SOCK'];
  const isolatedEnv: NodeJS.ProcessEnv = { ...baseEnv, HOME: home };
  const n = opts.hosts;
  const c = opts.concurrency;
  const configBytes = Buffer.byteLength(JSON.stringify(compliantConfig(), null, 2) + '\n');
  const addresses = (count: number) => {
    const file = path.join(work, `addresses-${count}`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, fleet.vms.slice(0, count).map((v) => v.address).join('\n') + '\n');
    return file;
  };
  const inventory = (count: number) =>
    count === n ? fleet.writeInventory({ file: path.join(work, 'inventory.yaml') }) : fleet.writeInventory({ names: fleet.vms.slice(0, count).map((v) => v.name), file: path.join(work, `inventory-${count}.yaml`) });

  const vmsnapCheck = (count: number) => (stdout: string) => vmsnapReportCheck(stdout, count);
  const vmsnap = (name: string, bin: string, count: number, workers = opts.workers): Tool => ({
    name,
    kind: 'vmsnap',
    hosts: count,
    argv: [process.execPath, bin, 'audit', '-i', inventory(count), '--known-hosts', fleet.knownHostsFile, '-j', String(c), ...(workers ? ['--workers', String(workers)] : []), '--format', 'json', '--quiet'],
    env: isolatedEnv,
    threads: Math.min(requestedWorkers(workers ?? 'auto', count), c),
    check: vmsnapCheck(count),
  });

  const tools: Tool[] = [];
  if (opts.tools.includes('vmsnap')) {
    tools.push(vmsnap('vmsnap', path.join(root, 'bin', 'vmsnap'), n));
    for (const v of opts.variants) tools.push(vmsnap(v.name, v.bin, n));
    for (const w of opts.workersRows) tools.push(vmsnap(`vmsnap -w${w}`, path.join(root, 'bin', 'vmsnap'), n, w));
    if (opts.scaleHosts !== null) tools.push(vmsnap(`vmsnap@${opts.scaleHosts}`, path.join(root, 'bin', 'vmsnap'), opts.scaleHosts));
  }
  if (opts.tools.includes('openssh')) {
    tools.push({
      name: 'openssh',
      kind: 'openssh',
      hosts: n,
      argv: ['xargs', '-a', addresses(n), '-P', String(c), '-I', '{}', 'ssh', ...sshOptions(fleet), 'root@{}', 'cat', CONFIG_FILE],
      env: baseEnv,
      check: (stdout, m) => {
        const size = fs.statSync(stdout).size;
        const ok = Math.min(n, Math.floor(size / configBytes));
        return { ok: m.exitCode === 0 ? ok : Math.min(ok, n - 1), ...(m.exitCode !== 0 ? { note: `xargs exit ${m.exitCode}` } : {}) };
      },
    });
  }
  if (opts.tools.includes('ansible') && ansibleBin) {
    const m = opts.ansibleHosts;
    const inv = path.join(work, `ansible-inventory-${m}.ini`);
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    fs.writeFileSync(
      inv,
      [
        '[bench]',
        ...fleet.vms.slice(0, m).map((v) => `${v.name} ansible_host=${v.address}`),
        '',
        '[bench:vars]',
        'ansible_user=root',
        `ansible_ssh_private_key_file=${fleet.identityFile}`,
        `ansible_ssh_common_args=${q(`-o UserKnownHostsFile=${fleet.knownHostsFile} -o KexAlgorithms=curve25519-sha256`)}`,
        '',
      ].join('\n'),
    );
    const playbook = path.join(work, 'stat-slurp.yml');
    fs.writeFileSync(
      playbook,
      [
        '- hosts: bench',
        '  gather_facts: false',
        '  tasks:',
        `    - ansible.builtin.stat: { path: ${CONFIG_FILE} }`,
        `    - ansible.builtin.slurp: { src: ${CONFIG_FILE} }`,
        '',
      ].join('\n'),
    );
    const cfg = path.join(work, 'ansible.cfg');
    fs.writeFileSync(
      cfg,
      ['[defaults]', 'host_key_checking = True', `forks = ${c}`, 'gathering = explicit', 'retry_files_enabled = False', `local_tmp = ${work}/ansible-local`, '', '[ssh_connection]', `control_path_dir = ${work}/ansible-cp`, ''].join('\n'),
    );
    tools.push({
      name: 'ansible',
      kind: 'ansible',
      hosts: m,
      argv: [ansibleBin, '-i', inv, '-f', String(c), playbook],
      env: {
        ...baseEnv,
        ANSIBLE_CONFIG: cfg,
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_HOME: path.join(work, 'ansible-home'),
      },
      check: (stdout) => {
        // PLAY RECAP: "bench-0001 : ok=2 changed=0 unreachable=0 failed=0 ..."
        const text = fs.readFileSync(stdout, 'utf8');
        let ok = 0;
        for (const mm of text.matchAll(/^\S+\s+:\s+ok=(\d+)\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
          if (mm[1] === '2' && mm[2] === '0' && mm[3] === '0') ok += 1;
        }
        return { ok, ...(ok !== m ? { note: 'see the PLAY RECAP in the run output' } : {}) };
      },
    });
  }
  const ssh2Tool = (kind: 'ssh2' | 'ssh2-collector', extra: string[]): Tool => {
    const summary = path.join(work, `${kind}-summary.json`);
    return {
      name: kind,
      kind,
      hosts: n,
      threads: 1,
      argv: [
        process.execPath,
        path.join(root, 'dist', 'bench', 'ssh2-fanout.js'),
        '--addresses', addresses(n),
        '--identity', fleet.identityFile,
        '--known-hosts', fleet.knownHostsFile,
        '--concurrency', String(c),
        '--summary', summary,
        ...(opts.ssh2Cipher ? ['--cipher', opts.ssh2Cipher] : []),
        ...extra,
      ],
      env: isolatedEnv,
      check: () => {
        try {
          const s = JSON.parse(fs.readFileSync(summary, 'utf8')) as { ok: number; failures: string[] };
          return { ok: s.ok, ...(s.failures.length ? { note: s.failures[0] } : {}) };
        } catch (e) {
          return { ok: 0, note: `no summary: ${(e as Error).message}` };
        }
      },
    };
  };
  if (opts.tools.includes('ssh2')) tools.push(ssh2Tool('ssh2', []));
  if (opts.tools.includes('ssh2-collector')) {
    // vmsnap's own remote command (root: no sudo; the program travels in it), as audit-host.ts sends it
    tools.push(ssh2Tool('ssh2-collector', ['--command', collectorCommand(false, { maxConfigBytes: MAX_CONFIG_BYTES, maxConfigParseBytes: MAX_CONFIG_PARSE_BYTES })]));
  }
  return tools;
}

function summarise(runs: Run[], tool: Tool): Summary {
  const rs = runs.filter((r) => r.tool === tool.name);
  const good = rs.filter((r) => r.ok === tool.hosts);
  const use = good.length ? good : rs;
  const n = tool.hosts;
  const wall = median(use.map((r) => r.wallS));
  const client = median(use.map((r) => (r.userS + r.sysS) * 1000 / n));
  const vm = median(use.map((r) => (r.vmCpuS * 1000) / n));
  return {
    tool: tool.name,
    hosts: n,
    runs: rs.length,
    failedRuns: rs.length - good.length,
    wallS: round2(wall),
    wallMinS: round2(Math.min(...use.map((r) => r.wallS))),
    wallMaxS: round2(Math.max(...use.map((r) => r.wallS))),
    hostsPerS: round2(n / wall),
    msPerHost: round2((wall * 1000) / n),
    clientCpuMsPerHost: round2(client),
    vmCpuMsPerHost: round2(vm),
    totalCpuMsPerHost: round2(median(use.map((r) => ((r.userS + r.sysS + r.vmCpuS) * 1000) / n))),
    clientBoundHostsPerS: round2((Math.min(os.cpus().length, tool.threads ?? Infinity) * 1000) / client),
    peakRssMb: round2(Math.max(...use.map((r) => r.maxRssKb)) / 1024),
    ...(use[0]?.phases ? { phases: Object.fromEntries(PHASES.map((p) => [p, round2(median(use.map((r) => r.phases?.[p] ?? 0)))])) } : {}),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r, ri) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') + (ri === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : '')).join('\n');
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('the benchmark starts sshd test VMs and must run as root');

  let fleet: Fleet | null = null;
  let work: string | null = null;
  let stopping = false;
  const cleanup = async () => {
    killRunning();
    const f = fleet;
    fleet = null;
    if (f) await f.stop().catch(() => undefined);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping the run and the fleet`);
    void cleanup().finally(() => process.exit(128 + (os.constants.signals[sig] ?? 1)));
  };
  // registered before startFleet's own handlers, and kept: the process exits once the fleet is stopped
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  try {
    let ansibleBin: string | null = null;
    const notes: string[] = [];
    if (opts.tools.includes('ansible')) {
      const a = ensureAnsible(!opts.noInstall, log);
      ansibleBin = a.bin;
      if (a.note) {
        notes.push(a.note);
        log(a.note);
      }
    }
    const loadStart = loadAverage();
    log(`starting ${opts.hosts} sshd test VMs (load average ${loadStart.join(' ')}) ...`);
    const t0 = performance.now();
    fleet = await startFleet({ vms: benchSpecs(opts.hosts) });
    log(`fleet up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-bench-'));
    const tools = buildTools(opts, fleet, work, ansibleBin);
    const pids = fleet.vms.map((v) => v.pid);
    const runs: Run[] = [];

    const runOne = async (tool: Tool, round: number, warm = false): Promise<Run> => {
      const stdout = path.join(work!, `${tool.name}.out`);
      const load = loadAverage()[0];
      const before = treeCpuSeconds(pids);
      const m = await measure(tool.argv, { stdout, stderr: path.join(work!, `${tool.name}.err`), result: path.join(work!, 'measure.json'), ...(tool.env ? { env: tool.env } : {}) });
      await sleep(opts.pauseMs); // the VMs' session processes finish and are reaped
      const vmCpuS = treeCpuSeconds(pids) - before;
      const { ok, note, phases } = tool.check(stdout, m);
      const run: Run = { tool: tool.name, round, hosts: tool.hosts, ...m, ok, ...(note ? { note } : {}), ...(phases ? { phases } : {}), vmCpuS, loadAvg1: load };
      if (!warm) {
        const cpu = ((m.userS + m.sysS) * 1000) / tool.hosts;
        log(
          `round ${round + 1} ${tool.name.padEnd(12)} ${m.wallS.toFixed(2).padStart(7)} s  ${(tool.hosts / m.wallS).toFixed(1).padStart(6)} hosts/s  client ${cpu.toFixed(2)} ms/host  VM ${((vmCpuS * 1000) / tool.hosts).toFixed(2)} ms/host  rss ${(m.maxRssKb / 1024).toFixed(0)} MB  ok ${ok}/${tool.hosts}${note ? `  (${note})` : ''}  load ${load}`,
        );
        if (ok !== tool.hosts) log(`  ${tool.name} stderr: ${fs.readFileSync(path.join(work!, `${tool.name}.err`), 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
      }
      return run;
    };

    // warm-up: every tool once on a few hosts (page cache, Ansible's first-run files), not timed
    log('warm-up ...');
    const warmDir = path.join(work, 'warm-up');
    fs.mkdirSync(warmDir);
    const few = Math.min(5, opts.hosts);
    for (const t of buildTools({ ...opts, hosts: few, ansibleHosts: few, scaleHosts: null, variants: [], workersRows: [] }, fleet, warmDir, ansibleBin)) await runOne(t, -1, true);

    for (let r = 0; r < opts.rounds; r++) {
      const order = tools.map((_, i) => tools[(i + r) % tools.length]!);
      for (const t of order) runs.push(await runOne(t, r));
    }
    // one more vmsnap run under the CPU profiler (every thread writes its own profile), not timed
    let profileRows: { name: string; msPerHost: number; percent: number }[] | null = null;
    const vmsnapTool = tools.find((t) => t.name === 'vmsnap');
    if (opts.profile && vmsnapTool) {
      const dir = path.join(work, 'prof');
      fs.mkdirSync(dir);
      await measure([vmsnapTool.argv[0]!, '--cpu-prof', `--cpu-prof-dir=${dir}`, ...vmsnapTool.argv.slice(1)], { stdout: path.join(work, 'prof.out'), stderr: path.join(work, 'prof.err'), result: path.join(work, 'measure.json'), ...(vmsnapTool.env ? { env: vmsnapTool.env } : {}) });
      const total = new Map<string, number>();
      let all = 0;
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
        const { rows } = summariseProfile(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Parameters<typeof summariseProfile>[0], 'phase');
        for (const r of rows) {
          total.set(r.name, (total.get(r.name) ?? 0) + r.selfMs);
          all += r.selfMs;
        }
      }
      profileRows = [...total].map(([name, ms]) => ({ name, msPerHost: round2(ms / vmsnapTool.hosts), percent: round2((100 * ms) / all) })).sort((a, b) => b.msPerHost - a.msPerHost);
    }
    // peak RSS at fleet sizes beyond the fleet's: each VM listed several times under names of its own
    const rssRows: { hosts: number; workers: string; concurrency: number; wallS: number; peakRssMb: number; clientCpuMsPerHost: number; ok: number; note?: string }[] = [];
    if (opts.rssHosts.length) {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: path.join(work, 'home') };
      delete env['SSH_AUTH_SOCK'];
      for (const k of opts.rssHosts) {
        const inv = path.join(work, `rss-inventory-${k}.yaml`);
        const hostsYaml = Array.from({ length: k }, (_, i) => {
          const vm = fleet!.vms[i % fleet!.vms.length]!;
          return `  - name: rss-${String(i + 1).padStart(6, '0')}\n    host: ${vm.address}\n`;
        }).join('');
        fs.writeFileSync(inv, `defaults:\n  user: root\n  port: 22\n  identityFile: ${fleet.identityFile}\n  sudo: auto\nhosts:\n${hostsYaml}`);
        for (const w of [null, ...opts.workersRows]) {
          const label = w === null ? 'default' : String(w);
          const stdout = path.join(work, `rss-${k}-${label}.out`);
          const argv = [process.execPath, path.join(repoRoot(), 'bin', 'vmsnap'), 'audit', '-i', inv, '--known-hosts', fleet.knownHostsFile, '-j', String(opts.rssConcurrency), ...(w === null ? [] : ['--workers', String(w)]), '--format', 'json', '--quiet'];
          const m = await measure(argv, { stdout, stderr: path.join(work, `rss-${k}-${label}.err`), result: path.join(work, 'measure.json'), env });
          await sleep(opts.pauseMs);
          const { ok, note } = vmsnapReportCheck(stdout, k);
          const row = { hosts: k, workers: label, concurrency: opts.rssConcurrency, wallS: round2(m.wallS), peakRssMb: round2(m.maxRssKb / 1024), clientCpuMsPerHost: round2(((m.userS + m.sysS) * 1000) / k), ok, ...(note ? { note } : {}) };
          rssRows.push(row);
          log(`rss ${k} hosts -j ${opts.rssConcurrency} --workers ${label}: ${row.wallS} s, peak RSS ${row.peakRssMb.toFixed(0)} MB, ok ${ok}/${k}${note ? ` (${note})` : ''}`);
        }
      }
    }
    // round trips per host, from bench/latency.ts (a fleet of its own, started and stopped by it)
    let latencyRows: { tool: string; roundTripsPerHost: number }[] | null = null;
    if (opts.latency) {
      const file = path.join(work, 'latency.json');
      const r = spawnSync(process.execPath, [path.join(repoRoot(), 'dist', 'bench', 'latency.js'), '--hosts', '4', '--delay-ms', '50', '--rounds', '2', '--json', file], { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status === 0) latencyRows = (JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: { tool: string; roundTripsPerHost: number }[] }).rows;
      else notes.push(`latency.js failed (exit ${r.status ?? r.signal})`);
    }
    const loadEnd = loadAverage();

    const summaries = tools.map((t) => summarise(runs, t));
    const by = (name: string) => summaries.find((s) => s.tool === name);
    const ratios: Record<string, Record<string, number>> = {};
    const targets: { tool: string; target: string; value: number | null; limit: string; met: boolean | null }[] = [];
    const o = by('openssh');
    const a = by('ansible');
    const s2 = by('ssh2');
    // the targets, for bin/vmsnap and for each --vmsnap build
    for (const v of summaries.filter((x) => tools.find((t) => t.name === x.tool)?.kind === 'vmsnap' && !x.tool.includes('@'))) {
      const r: Record<string, number> = {};
      if (o) r['wallOverOpenssh'] = round2(v.wallS / o.wallS);
      if (a) r['ansibleMsPerHostOverThis'] = round2(a.msPerHost / v.msPerHost);
      if (s2) r['clientCpuOverSsh2'] = round2(v.clientCpuMsPerHost / s2.clientCpuMsPerHost);
      if (o) r['clientCpuOverOpenssh'] = round2(v.clientCpuMsPerHost / o.clientCpuMsPerHost);
      if (o) r['totalCpuOverOpenssh'] = round2(v.totalCpuMsPerHost / o.totalCpuMsPerHost);
      const k = opts.scaleHosts;
      const sc = k !== null && v.tool === 'vmsnap' ? by(`vmsnap@${k}`) : undefined;
      if (sc) r[`wall${opts.hosts}Over${k}`] = round2(v.wallS / sc.wallS);
      ratios[v.tool] = r;
      const t = (target: string, value: number | undefined, limit: string, met: (x: number) => boolean) =>
        targets.push({ tool: v.tool, target, value: value ?? null, limit, met: value === undefined ? null : met(value) });
      t(`wall / OpenSSH fan-out wall (${opts.hosts} hosts, -j ${opts.concurrency})`, r['wallOverOpenssh'], '<= 1.0', (x) => x <= 1.0);
      t('Ansible time per host / this time per host', r['ansibleMsPerHostOverThis'], '>= 10', (x) => x >= 10);
      t('client CPU per host / bare ssh2 client CPU per host', r['clientCpuOverSsh2'], '<= 1.2', (x) => x <= 1.2);
      t(`peak RSS, MB (${opts.hosts} hosts)`, v.peakRssMb, '<= 150 (at 1,000 hosts)', (x) => x <= 150);
      if (sc && k !== null) {
        const limit = (opts.hosts / k) * 1.05; // 1,000 vs 100: <= 10.5
        t(`wall ${opts.hosts} hosts / ${k} hosts`, r[`wall${opts.hosts}Over${k}`], `<= ${round2(limit)}`, (x) => x <= limit);
      }
    }

    for (const r of rssRows) {
      const limit = r.hosts <= 1000 ? 150 : 250;
      targets.push({ tool: `vmsnap --workers ${r.workers}`, target: `peak RSS, MB (${r.hosts} hosts, -j ${r.concurrency})`, value: r.peakRssMb, limit: `<= ${limit}`, met: r.peakRssMb <= limit });
    }
    const rt = latencyRows?.find((x) => x.tool === 'vmsnap');
    if (rt) targets.push({ tool: 'vmsnap', target: 'round trips per host after the TCP connect (latency.js)', value: rt.roundTripsPerHost, limit: '<= 6', met: rt.roundTripsPerHost <= 6 });

    const header = ['tool', 'hosts', 'wall s (min-max)', 'hosts/s', 'ms/host', 'client CPU ms/host', 'VM CPU ms/host', 'total CPU ms/host', 'client-bound hosts/s', 'peak RSS MB', 'runs ok'];
    const rows = summaries.map((s) => [
      s.tool,
      String(s.hosts),
      `${s.wallS.toFixed(2)} (${s.wallMinS.toFixed(2)}-${s.wallMaxS.toFixed(2)})`,
      s.hostsPerS.toFixed(1),
      s.msPerHost.toFixed(2),
      s.clientCpuMsPerHost.toFixed(2),
      s.vmCpuMsPerHost.toFixed(2),
      s.totalCpuMsPerHost.toFixed(2),
      s.clientBoundHostsPerS.toFixed(0),
      s.peakRssMb.toFixed(0),
      `${s.runs - s.failedRuns}/${s.runs}`,
    ]);
    const cpuModel = (os.cpus()[0]?.model ?? 'unknown').trim();
    const out: string[] = [];
    out.push('');
    out.push(`vmsnap bench: ${opts.hosts} hosts, concurrency ${opts.concurrency}, ${opts.rounds} rounds (median), ${os.cpus().length} CPUs (${cpuModel}), load average ${loadStart.join(' ')} at start, ${loadEnd.join(' ')} at end`);
    out.push('');
    out.push(table([header, ...rows]));
    out.push('');
    out.push(`client CPU: user+sys of the client process tree; VM CPU: every VM's sshd and what it ran (on the same ${os.cpus().length} CPUs here);`);
    out.push(`client-bound hosts/s: min(${os.cpus().length} CPUs, the tool's threads) * 1000 / client CPU per host (a projection for VMs with CPUs of their own); peak RSS: largest client process`);
    if (targets.length) {
      out.push('');
      out.push(table([['build', 'target', 'value', 'limit', 'met'], ...targets.map((x) => [x.tool, x.target, x.value === null ? '-' : String(x.value), x.limit, x.met === null ? '-' : x.met ? 'yes' : 'NO'])]));
    }
    const withPhases = summaries.filter((x) => x.phases);
    if (withPhases.length) {
      out.push('');
      out.push('vmsnap per host, by phase (wall ms, median over hosts, then over runs; report: the JSON report\'s HostResult.timing):');
      out.push(table([['tool', ...PHASES.map((p) => p.replace(/Ms$/, ''))], ...withPhases.map((x) => [x.tool, ...PHASES.map((p) => x.phases![p]!.toFixed(2))])]));
    }
    if (profileRows) {
      out.push('');
      out.push('vmsnap client CPU per host by phase (node --cpu-prof of one more run, every thread; samples by call stack, bench/cpuprofile.ts --by phase):');
      out.push(table([['phase', 'CPU ms/host', '%'], ...profileRows.map((r) => [r.name, r.msPerHost.toFixed(3), r.percent.toFixed(1)])]));
    }
    if (rssRows.length) {
      out.push('');
      out.push('vmsnap peak RSS by fleet size (one run each; each VM of the fleet listed several times under names of its own):');
      out.push(table([['hosts', '--workers', '-j', 'wall s', 'peak RSS MB', 'client CPU ms/host', 'ok'], ...rssRows.map((r) => [String(r.hosts), r.workers, String(r.concurrency), r.wallS.toFixed(1), r.peakRssMb.toFixed(0), r.clientCpuMsPerHost.toFixed(2), `${r.ok}/${r.hosts}${r.note ? ` (${r.note})` : ''}`])]));
    }
    if (latencyRows) {
      out.push('');
      out.push('round trips per host after the TCP connect (bench/latency.ts: 4 VMs, 50 ms each way, -j 1):');
      out.push(table([['tool', 'round trips/host'], ...latencyRows.map((r) => [r.tool, r.roundTripsPerHost.toFixed(2)])]));
    }
    for (const n of notes) out.push(`note: ${n}`);
    process.stdout.write(out.join('\n') + '\n');

    if (opts.json) {
      const doc = {
        benchVersion: 1,
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
        finishedAt: new Date().toISOString(),
        params: { hosts: opts.hosts, concurrency: opts.concurrency, rounds: opts.rounds, ansibleHosts: opts.ansibleHosts, scaleHosts: opts.scaleHosts, tools: tools.map((t) => t.name) },
        revision: gitRevision(),
        machine: {
          cpus: os.cpus().length,
          cpuModel,
          memGb: round2(os.totalmem() / 2 ** 30),
          loadAvgStart: loadStart,
          loadAvgEnd: loadEnd,
          node: process.version,
          openssh: firstLine('ssh', ['-V']),
          ansible: ansibleBin ? firstLine(ansibleBin, ['--version']) : null,
          python: firstLine('/usr/bin/python3', ['--version']),
        },
        summary: summaries,
        ratios,
        targets,
        ...(profileRows ? { profile: profileRows } : {}),
        ...(rssRows.length ? { rss: rssRows } : {}),
        ...(latencyRows ? { latency: latencyRows } : {}),
        notes,
        runs,
      };
      fs.writeFileSync(opts.json, JSON.stringify(doc, null, 2) + '\n');
      log(`wrote ${opts.json}`);
    }
    const failed = runs.some((r) => r.ok !== r.hosts);
    return failed ? 1 : 0;
  } finally {
    if (!stopping) await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(2);
  },
);

