// The fleet's loopback addresses, and the port-22 listeners already on the machine (never reused).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { SSH_PORT, FleetError } from './prerequisites.js';

export function parseV4(addr: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  const o = m ? m.slice(1).map(Number) : [];
  if (!m || o.some((x) => x > 255)) throw new FleetError(`not an IPv4 address: ${addr}`);
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

export function formatV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `count` consecutive loopback addresses from `base`, skipping last octets 0 and 255. */
export function fleetAddresses(base: string, count: number): string[] {
  let cur = parseV4(base);
  const out: string[] = [];
  while (out.length < count) {
    const last = cur & 255;
    if (last !== 0 && last !== 255) {
      if (cur >>> 24 !== 127) throw new FleetError(`the fleet may only use loopback addresses (127.0.0.0/8); ${count} VMs from ${base} run past 127.255.255.254`);
      out.push(formatV4(cur));
    }
    cur = (cur + 1) >>> 0;
    if (cur === 0) throw new FleetError(`address range from ${base} overflowed`);
  }
  return out;
}

export function randomBase(): string {
  const a = 100 + Math.floor(Math.random() * 151);
  const b = Math.floor(Math.random() * 256);
  return `127.${a}.${b}.1`;
}

/** Addresses with a TCP listener on port 22, from /proc/net/tcp and tcp6 (IPv4-mapped included). */
export function port22Listeners(): Set<string> {
  const out = new Set<string>();
  const le = os.endianness() === 'LE';
  const word = (hex: string): number[] => {
    const b = [...Buffer.from(hex, 'hex')];
    return le ? b.reverse() : b;
  };
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A = LISTEN
      const [hexAddr, hexPort] = (f[1] ?? '').split(':');
      if (!hexAddr || parseInt(hexPort ?? '', 16) !== SSH_PORT) continue;
      if (hexAddr.length === 8) {
        out.add(word(hexAddr).join('.'));
      } else if (hexAddr.length === 32) {
        const bytes: number[] = [];
        for (let i = 0; i < 32; i += 8) bytes.push(...word(hexAddr.slice(i, i + 8)));
        if (bytes.every((x) => x === 0)) out.add('::');
        else if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 255 && bytes[11] === 255) out.add(bytes.slice(12).join('.'));
      }
    }
  }
  return out;
}

