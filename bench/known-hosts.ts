// known_hosts lookups at fleet scale: N hashed lines (one ed25519 key per host, as `ssh` writes
// them), H hosts looked up as a run does (keyTypesFor before connecting, verify on the key).
// Then the worst case for the hand-written HMAC-SHA1: every host presents a key the file does not
// hold (a re-imaged fleet), so each lookup hashes its name with every line's salt; and the same
// number of HMACs through node:crypto, for the comparison that keeps (or drops) the hand-written one.
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

const scanStart = process.cpuUsage();
let changed = 0;
for (let i = 0; i < hosts; i++) if (!kh.verify(hostName(i), 22, blob(i + lines + 1)).ok) changed++;
const scan = process.cpuUsage(scanStart);
const scanMs = (scan.user + scan.system) / 1000;
const salts = text.map((l) => Buffer.from(l.split('|')[2]!, 'base64'));
const cryptoStart = process.cpuUsage();
for (let i = 0; i < hosts; i++) {
  const name = hostName(i);
  for (const salt of salts) createHmac('sha1', salt).update(name).digest();
}
const c = process.cpuUsage(cryptoStart);
const cryptoMs = (c.user + c.system) / 1000;
const n = lines * hosts;
process.stdout.write(
  `every host presenting an unknown key (${changed} refused): ${scanMs.toFixed(0)} ms CPU for ${n} HMACs (${((scanMs * 1e6) / n).toFixed(0)} ns each); ` +
    `the same HMACs through node:crypto: ${cryptoMs.toFixed(0)} ms (${((cryptoMs * 1e6) / n).toFixed(0)} ns each)\n`,
);
