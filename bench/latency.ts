// Round trips per host: each tool audits the same few VMs one at a time (-j 1) through a TCP delay
// proxy, once with no delay and once with DELAY ms each way. The time a tool waits on the network is
// its round trips times the round-trip time, so
//
//   round trips per host = (wall with delay - wall without) / (hosts * 2 * DELAY)
//
// counts the round trips on each tool's critical path after the TCP connect (the proxy accepts at
// once and connects to the VM at once; only the bytes are delayed, in order, in both directions).
// For vmsnap the per-host timing of its JSON report splits them by phase (connect, auth, exec, collect).
//
//   node dist/bench/latency.js [--hosts 4] [--delay-ms 50] [--rounds 3] [--tools vmsnap,openssh,ssh2] [--json FILE]
//
// This kernel has no netem qdisc (`tc qdisc add dev lo root netem` says "Specified qdisc kind is
// unknown"), hence a proxy; it listens on each VM's own loopback address, port 2200.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFleet, type Fleet } from '../src/fleet/harness.js';
import type { Report } from '../src/model/report.js';
import { CONFIG_FILE, Flags, benchSpecs, parseFlags, repoRoot, round2 } from './common.js';

const PROXY_PORT = 2200;
const TOOLS = ['vmsnap', 'openssh', 'ssh2'] as const;

/** Forwards addr:PROXY_PORT to addr:22, every chunk held for `delay.ms` in each direction. */
function delayProxy(address: string, delay: { ms: number }): Promise<net.Server> {
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: address, port: 22 });
    upstream.setNoDelay(true);
    const pipe = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        // timers of one duration fire in the order they were set: the byte order is kept
        if (delay.ms === 0) to.write(chunk);
        else setTimeout(() => to.destroyed || to.write(chunk), delay.ms);
      });
      from.on('end', () => (delay.ms === 0 ? to.end() : setTimeout(() => to.end(), delay.ms)));
      from.on('error', () => to.destroy());
      from.on('close', () => setTimeout(() => to.destroy(), delay.ms + 50));
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(PROXY_PORT, address, () => resolve(server));
  });
}

function run(argv: string[], env: NodeJS.ProcessEnv, stdoutFile: string): Promise<{ wallMs: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(stdoutFile, 'w');
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', out, 'pipe'] });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(out);
      if (code !== 0) process.stderr.write(`latency: ${path.basename(argv[1] ?? argv[0]!)} exit ${code}: ${err.trim().split('\n').slice(-2).join(' | ')}\n`);
      resolve({ wallMs: performance.now() - t0, code });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const PHASES = ['connectMs', 'authMs', 'execMs', 'collectMs'] as const;

async function main(): Promise<void> {
  const f = new Flags(parseFlags(process.argv.slice(2)));
  const hosts = f.int('hosts', 4);
  const delayMs = f.int('delay-ms', 50);
  const rounds = f.int('rounds', 3);
  const json = f.str('json');
  const tools = (f.str('tools') ?? TOOLS.join(',')).split(',').filter(Boolean);
  f.done();
  for (const t of tools) if (!(TOOLS as readonly string[]).includes(t)) throw new Error(`--tools: unknown tool ${t}`);

  const delay = { ms: 0 };
  let fleet: Fleet | null = null;
  const servers: net.Server[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-latency-'));
  try {
    fleet = await startFleet({ vms: benchSpecs(hosts) });
    for (const vm of fleet.vms) servers.push(await delayProxy(vm.address, delay));
    // the proxies' endpoints: [address]:2200 with each VM's key
    const knownHosts = path.join(work, 'known_hosts');
    fs.writeFileSync(
      knownHosts,
      fs
        .readFileSync(fleet.knownHostsFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('#'))
        .map((l) => l.replace(/^(\S+)/, `[$1]:${PROXY_PORT}`))
        .join('\n') + '\n',
    );
    const inventory = path.join(work, 'inventory.yaml');
    fs.writeFileSync(inventory, `defaults:\n  user: root\n  port: ${PROXY_PORT}\n  identityFile: ${fleet.identityFile}\nhosts:\n${fleet.vms.map((v) => `  - name: ${v.name}\n    host: ${v.address}\n`).join('')}`);
    const addresses = path.join(work, 'addresses');
    fs.writeFileSync(addresses, fleet.vms.map((v) => v.address).join('\n') + '\n');
    const home = path.join(work, 'home');
    fs.mkdirSync(home);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env['SSH_AUTH_SOCK'];
    const root = repoRoot();
    const argv: Record<string, string[]> = {
      vmsnap: [process.execPath, path.join(root, 'bin', 'vmsnap'), 'audit', '-i', inventory, '--known-hosts', knownHosts, '-j', '1', '--format', 'json', '--quiet'],
      openssh: ['xargs', '-a', addresses, '-P', '1', '-I', '{}', 'ssh', '-p', String(PROXY_PORT), '-o', 'KexAlgorithms=curve25519-sha256', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-i', fleet.identityFile, 'root@{}', 'cat', CONFIG_FILE],
      ssh2: [process.execPath, path.join(root, 'dist', 'bench', 'ssh2-fanout.js'), '--addresses', addresses, '--port', String(PROXY_PORT), '--identity', fleet.identityFile, '--known-hosts', knownHosts, '--concurrency', '1'],
    };
    const walls: Record<string, { direct: number[]; delayed: number[] }> = {};
    const phases: Record<string, number[]> = Object.fromEntries(PHASES.map((p) => [p, []]));
    for (let r = 0; r < rounds; r++) {
      for (const tool of tools) {
        const w = (walls[tool] ??= { direct: [], delayed: [] });
        for (const d of [0, delayMs]) {
          delay.ms = d;
          const out = path.join(work, `${tool}.out`);
          const { wallMs, code } = await run(argv[tool]!, env, out);
          if (code !== 0) throw new Error(`${tool} failed (delay ${d} ms)`);
          (d === 0 ? w.direct : w.delayed).push(wallMs);
          if (tool === 'vmsnap' && d === delayMs) {
            const rep = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
            for (const h of rep.hosts) for (const p of PHASES) phases[p]!.push((h.timing?.[p] ?? 0) / (2 * delayMs));
          }
        }
      }
    }
    const rows = tools.map((tool) => {
      const w = walls[tool]!;
      const rt = (median(w.delayed) - median(w.direct)) / (hosts * 2 * delayMs);
      return { tool, directMsPerHost: round2(median(w.direct) / hosts), delayedMsPerHost: round2(median(w.delayed) / hosts), roundTripsPerHost: round2(rt) };
    });
    const phaseRts = Object.fromEntries(PHASES.map((p) => [p.replace(/Ms$/, ''), round2(median(phases[p]!))]));
    const lines = [
      `round trips per host after the TCP connect: ${hosts} hosts one at a time, ${delayMs} ms each way (RTT ${2 * delayMs} ms), ${rounds} rounds (median)`,
      '',
      'tool      ms/host direct  ms/host delayed  round trips/host',
      ...rows.map((r) => `${r.tool.padEnd(8)}  ${r.directMsPerHost.toFixed(1).padStart(14)}  ${r.delayedMsPerHost.toFixed(1).padStart(15)}  ${r.roundTripsPerHost.toFixed(2).padStart(16)}`),
    ];
    if (tools.includes('vmsnap')) lines.push('', `vmsnap by phase (RTTs of wall time per host, median): ${Object.entries(phaseRts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
    if (json) fs.writeFileSync(json, JSON.stringify({ hosts, delayMs, rounds, rows, vmsnapPhaseRoundTrips: phaseRts, walls }, null, 2) + '\n');
  } finally {
    for (const s of servers) s.close();
    await fleet?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`latency: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
