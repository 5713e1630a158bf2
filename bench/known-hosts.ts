// known_hosts lookups at fleet scale: N hashed lines (one ed25519 key per host, as `ssh` writes
// them), H hosts looked up as a run does (keyTypesFor before connecting, verify on the key).
//   node dist/bench/known-hosts.js [--lines 1000] [--hosts 1000]
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { KnownHosts } from '../src/ssh/known-hosts.js';
import { Flags, parseFlags } from './common.js';

const flags = new Flags(parseFlags(process.argv.slice(2)));
const lines = flags.int('lines', 1000);
const hosts = flags.int('hosts', 1000);
flags.done();

const hostName = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
function blob(i: number): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const b = Buffer.alloc(4 + type.length + 4 + 32);
  b.writeUInt32BE(type.length, 0);
  type.copy(b, 4);
  b.writeUInt32BE(32, 4 + type.length);
  createHash('sha256').update(String(i)).digest().copy(b, 8 + type.length);
  return b;
}

const text: string[] = [];
for (let i = 0; i < lines; i++) {
  const salt = randomBytes(20);
  const h = createHmac('sha1', salt).update(hostName(i)).digest();
  text.push(`|1|${salt.toString('base64')}|${h.toString('base64')} ssh-ed25519 ${blob(i).toString('base64')}`);
}
const kh = KnownHosts.parse(text.join('\n') + '\n', 'known_hosts');
const start = process.cpuUsage();
let ok = 0;
for (let i = 0; i < hosts; i++) {
  kh.keyTypesFor(hostName(i), 22);
  if (kh.verify(hostName(i), 22, blob(i)).ok) ok++;
}
const used = process.cpuUsage(start);
process.stdout.write(`${lines} hashed lines, ${hosts} hosts: ${((used.user + used.system) / 1000).toFixed(0)} ms CPU (${ok} verified)\n`);
