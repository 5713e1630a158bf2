// accept-new from several threads at once (--workers): each thread has its own HostKeyStore, so
// only the lock file beside known_hosts (O_EXCL, the same for threads as for processes; the pid it
// holds is never read) keeps them from losing each other's lines or adding one twice. Runs the
// built module (dist/) in real worker threads.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '../../src/fleet/openssh-key.js';
import { KnownHosts } from '../../src/ssh/known-hosts.js';
import { REPO } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-kh-threads-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(async ({ HostKeyStore }) => {
  const checker = await new HostKeyStore().checker([workerData.file], 'accept-new', false);
  const verdicts = await Promise.all(workerData.hosts.map((h) => checker.verify(h.host, 22, Buffer.from(h.blob, 'base64'))));
  parentPort.postMessage(verdicts.map((v) => (v.ok ? 'ok' : v.code)));
});
`;

interface Added {
  host: string;
  blob: string;
}

function runThread(file: string, hosts: Added[]): Promise<string[]> {
  const module = pathToFileURL(path.join(REPO, 'dist', 'src', 'ssh', 'host-keys.js')).href;
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { module, file, hosts } });
    w.once('message', (m: string[]) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

const key = (): string => generateEd25519KeyPair().publicKeyNoComment.split(' ')[1]!;

describe('accept-new from several threads', () => {
  it('every new key is added once, none is lost, and a clash is refused', async () => {
    const file = path.join(dir, 'known_hosts');
    const shared: Added[] = Array.from({ length: 5 }, (_, i) => ({ host: `10.9.0.${i + 1}`, blob: key() }));
    const own = (t: number): Added[] => Array.from({ length: 15 }, (_, i) => ({ host: `10.${t}.1.${i + 1}`, blob: key() }));
    const mine = [0, 1, 2, 3].map(own);
    // the same name with another key in each thread: only the first to take the lock may add it
    const clash = [0, 1, 2, 3].map(() => ({ host: '10.9.9.9', blob: key() }));
    const results = await Promise.all(mine.map((m, t) => runThread(file, [...shared, ...m, clash[t]!])));

    for (const r of results) expect(r.slice(0, 20)).toEqual(Array(20).fill('ok'));
    const clashVerdicts = results.map((r) => r[20]);
    expect(clashVerdicts.filter((v) => v === 'ok')).toHaveLength(1);
    expect(clashVerdicts.filter((v) => v === 'HOSTKEY_CHANGED')).toHaveLength(3);

    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    const names = lines.map((l) => l.split(' ')[0]);
    expect(names.length).toBe(new Set(names).size); // none twice
    expect(lines.length).toBe(5 + 4 * 15 + 1); // none lost
    const kh = KnownHosts.parse(lines.join('\n'), file);
    for (const h of [...shared, ...mine.flat()]) expect(kh.verify(h.host, 22, Buffer.from(h.blob, 'base64')).ok, h.host).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f !== 'known_hosts')).toEqual([]); // no lock or temp file left
  });
});
