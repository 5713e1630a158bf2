// src/ssh/round-trips.ts against real sshd: the signed user-auth request goes first (no public-key
// query), in the service request's flight (before SERVICE_ACCEPT arrives), and sshd's host key
// announcement gets no hostkeys-prove. Read from ssh2's own protocol trace: the order of messages is
// deterministic, so nothing here is timed. When an ssh2 upgrade changes the internals these rely on,
// the connection still works (the last test) but these assertions fail.
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import path from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/harness.js';
import { generateEd25519KeyPair } from '../../src/fleet/openssh-key.js';
import { compliantFiles } from '../../src/fleet/spec.js';
import { SshConnection, type Identity } from '../../src/ssh/connection.js';
import { KnownHosts } from '../../src/ssh/known-hosts.js';
import { fleetUnavailable } from './helpers.js';

const { utils } = ssh2;

function parse(text: string): ParsedKey {
  const k = utils.parseKey(text);
  if (k instanceof Error) throw k;
  return Array.isArray(k) ? (k[0] as ParsedKey) : k;
}

describe.skipIf(fleetUnavailable !== null)('round trips saved on each connection', () => {
  let fleet: Fleet;
  let known: KnownHosts;
  let ed25519: Identity;
  let rsa: Identity;
  let stranger: Identity;

  beforeAll(async () => {
    fleet = await startFleet({ vms: [{ name: 'rt', files: compliantFiles() }] });
    known = await KnownHosts.load(fleet.knownHostsFile);
    ed25519 = { label: 'ed25519', key: parse(fs.readFileSync(fleet.identityFile, 'utf8')) };
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    rsa = { label: 'rsa', key: parse(pair.privateKey) };
    // sshd of every fleet VM reads this one file
    fs.appendFileSync(path.join(fleet.dir, 'authorized_keys'), `ssh-rsa ${rsa.key.getPublicSSH().toString('base64')} rsa\n`);
    stranger = { label: 'stranger', key: parse(generateEd25519KeyPair('stranger').privateKey) };
  });
  afterAll(async () => fleet?.stop());

  async function connect(identities: Identity[]): Promise<string[]> {
    const trace: string[] = [];
    const vm = fleet.vms[0]!;
    const conn = await SshConnection.connect({ host: vm.address, port: 22, username: 'root', identities, knownHosts: known, signal: new AbortController().signal, debug: (l) => trace.push(l) });
    try {
      const r = await conn.exec('echo ok', '', 1024);
      expect(r.stdout.toString()).toBe('ok\n');
      // the host key announcement comes after authentication: let it arrive before closing
      await new Promise((res) => setTimeout(res, 200));
    } finally {
      conn.close();
    }
    return trace;
  }
  const at = (trace: string[], re: RegExp) => trace.findIndex((l) => re.test(l));

  it('ed25519: the signed request first, sent before SERVICE_ACCEPT arrives; no hostkeys-prove', async () => {
    const trace = await connect([ed25519]);
    const signed = at(trace, /Outbound: Sending USERAUTH_REQUEST \(publickey\)/);
    const accept = at(trace, /Inbound: Received SERVICE_ACCEPT/);
    expect(signed).toBeGreaterThan(-1);
    expect(accept).toBeGreaterThan(signed);
    expect(trace.filter((l) => /publickey -- check/.test(l))).toEqual([]);
    expect(at(trace, /USERAUTH_SUCCESS/)).toBeGreaterThan(signed);
    expect(at(trace, /Inbound: GLOBAL_REQUEST \(hostkeys-00@openssh.com\)/)).toBeGreaterThan(-1);
    expect(trace.filter((l) => /hostkeys-prove/.test(l))).toEqual([]);
  });

  it('RSA: waits for server-sig-algs (EXT_INFO), then signs at once with an algorithm sshd takes', async () => {
    const trace = await connect([rsa]);
    const signed = at(trace, /Outbound: Sending USERAUTH_REQUEST \(publickey\)/);
    expect(signed).toBeGreaterThan(at(trace, /Inbound: Handshake completed|EXT_INFO/));
    expect(trace.filter((l) => /publickey -- check/.test(l))).toEqual([]);
    expect(trace.filter((l) => /auth failed/.test(l))).toEqual([]);
  });

  it('a refused key first: sshd answers FAILURE to the signed request and the next key logs in', async () => {
    const trace = await connect([stranger, ed25519]);
    expect(trace.filter((l) => /Outbound: Sending USERAUTH_REQUEST \(publickey\)/.test(l))).toHaveLength(2);
    expect(trace.filter((l) => /publickey -- check/.test(l))).toEqual([]);
    expect(at(trace, /USERAUTH_SUCCESS/)).toBeGreaterThan(-1);
  });
});
