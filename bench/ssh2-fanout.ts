// The library's own floor: a bare ssh2 fan-out. For each address: connect (same ssh2 options as
// vmsnap: its host key algorithm order, no keepalive, the host key checked against known_hosts),
// run one command, write its stdout to ours, close. p-limit caps the hosts in flight.
//
//   node dist/bench/ssh2-fanout.js --addresses FILE --identity KEY --known-hosts FILE
//        [--concurrency 50] [--port 22] [--user root] [--command 'cat /etc/azure/...'] [--stdin FILE]
//        [--cipher aes128-gcm@openssh.com,...] [--summary FILE]
//        [--coalesce-writes] [--count-writes]
//
// Experiments for changes proposed to src/ssh/connection.ts (bench/README.md). The fan-out stays
// bare ssh2: what vmsnap does to ssh2's protocol (src/ssh/round-trips.ts) is not applied here.
//   --coalesce-writes    packets ssh2 writes in the same tick go out in one writev (cork until the
//                        next tick): fewer loopback/TCP sends and fewer reads for sshd
//   --count-writes       report socket writes per host in the summary
//
// Exit code 0 when every host answered with exit status 0; the summary (JSON) says how many did.
import * as fs from 'node:fs';
import { Socket } from 'node:net';
import pLimit from 'p-limit';
import ssh2, { type ConnectConfig, type ParsedKey } from 'ssh2';
import { hostKeyAlgorithmsFor } from '../src/ssh/connection.js';
import { CONFIG_FILE, Flags, parseFlags } from './common.js';

const { Client, utils } = ssh2;

const flags = new Flags(parseFlags(process.argv.slice(2)));
const addressesFile = flags.str('addresses');
const identityFile = flags.str('identity');
const knownHostsFile = flags.str('known-hosts');
const concurrency = flags.int('concurrency', 50);
const user = flags.str('user') ?? 'root';
const port = flags.int('port', 22);
const command = flags.str('command') ?? `cat ${CONFIG_FILE}`;
const stdinFile = flags.str('stdin');
const cipher = flags.str('cipher');
const summaryFile = flags.str('summary');
const coalesce = flags.bool('coalesce-writes');
const countWrites = flags.bool('count-writes');
flags.done();
let writes = 0;
if (!addressesFile || !identityFile || !knownHostsFile) {
  process.stderr.write('ssh2-fanout: --addresses, --identity and --known-hosts are required\n');
  process.exit(2);
}

const addresses = fs.readFileSync(addressesFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
const parsed = utils.parseKey(fs.readFileSync(identityFile));
if (parsed instanceof Error) throw parsed;
const key = Array.isArray(parsed) ? (parsed as ParsedKey[])[0]! : parsed;
const stdinData = stdinFile ? fs.readFileSync(stdinFile) : null;

// plain known_hosts lines `<address> <type> <base64>`, as the fleet writes them
const known = new Map<string, { type: string; blob: Buffer }>();
for (const line of fs.readFileSync(knownHostsFile, 'utf8').split('\n')) {
  const [name, type, b64] = line.trim().split(/\s+/);
  if (name && type && b64 && !name.startsWith('#')) known.set(name, { type, blob: Buffer.from(b64, 'base64') });
}

let ok = 0;
const failures: string[] = [];
const out: Buffer[] = [];

function one(host: string): Promise<void> {
  return new Promise((resolve) => {
    const client = new Client();
    let settled = false;
    const finish = (err: string | null) => {
      if (settled) return;
      settled = true;
      if (err) failures.push(`${host}: ${err}`);
      else ok += 1;
      client.on('error', () => undefined);
      client.end();
      resolve();
    };
    const entry = known.get(port === 22 ? host : `[${host}]:${port}`);
    const config: ConnectConfig = {
      host,
      port,
      username: user,
      privateKey: undefined,
      readyTimeout: 2 ** 31 - 1,
      keepaliveInterval: 0,
      algorithms: {
        serverHostKey: hostKeyAlgorithmsFor(entry ? [entry.type] : []) as never,
        ...(cipher ? { cipher: cipher.split(',') as never } : {}),
      },
      hostVerifier: (blob: Buffer) => entry !== undefined && entry.blob.equals(blob),
      authHandler: [{ type: 'publickey', username: user, key }] as never,
    };
    client.once('ready', () => {
      client.exec(command, (e, stream) => {
        if (e) return finish(`exec: ${e.message}`);
        const chunks: Buffer[] = [];
        let code: number | null = null;
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.stderr.on('data', () => undefined);
        stream.on('exit', (c: number | null) => {
          code = c;
        });
        stream.on('close', () => {
          out.push(Buffer.concat(chunks));
          finish(code === 0 ? null : `exit status ${code}`);
        });
        stream.end(stdinData ?? undefined);
      });
    });
    client.on('error', (e: Error) => finish(e.message));
    client.on('close', () => finish('connection closed'));
    const sock = new Socket();
    config.sock = sock;
    sock.connect({ host, port });
    if (countWrites || coalesce) {
      const write = sock.write.bind(sock) as (chunk: unknown) => boolean;
      (sock as { write: (chunk: unknown) => boolean }).write = (chunk: unknown) => {
        writes += 1;
        if (coalesce && !sock.writableCorked) {
          sock.cork();
          process.nextTick(() => sock.uncork());
        }
        return write(chunk);
      };
    }
    client.connect(config);
  });
}

const limit = pLimit(concurrency);
const started = performance.now();
await Promise.all(addresses.map((a) => limit(() => one(a))));
const wallMs = performance.now() - started;
fs.writeSync(1, Buffer.concat(out));
const summary = { hosts: addresses.length, ok, failed: failures.length, failures: failures.slice(0, 10), wallMs: Math.round(wallMs), ...(countWrites ? { writesPerHost: writes / addresses.length } : {}) };
if (summaryFile) fs.writeFileSync(summaryFile, JSON.stringify(summary) + '\n');
process.exitCode = failures.length ? 1 : 0;
