// Ed25519 key pairs written in OpenSSH's own formats, generated in-process.
//
// The fleet needs one host key per VM (up to 1,000 for the benchmark) and one client key. Spawning
// `ssh-keygen` for each costs a process start apiece; node's crypto makes the same key in
// microseconds, and the "openssh-key-v1" container (PROTOCOL.key in the OpenSSH sources) is simple
// enough to write directly when the key is unencrypted. The tests check the result with
// `ssh-keygen -y` and with real sshd/ssh.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { FleetError } from './prerequisites.js';

export interface OpenSshKeyPair {
  /** "-----BEGIN OPENSSH PRIVATE KEY-----" ... unencrypted, as `ssh-keygen -N ''` writes it */
  privateKey: string;
  /** one line: `ssh-ed25519 AAAA... <comment>` (no trailing newline) */
  publicKey: string;
  /** `ssh-ed25519 AAAA...` without the comment */
  publicKeyNoComment: string;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function sshString(data: Buffer | string): Buffer {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(buf.length), buf]);
}

/** A fresh ed25519 key pair in OpenSSH private-key and authorized_keys formats. */
export function generateEd25519KeyPair(comment = ''): OpenSshKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x) throw new FleetError('node did not export the ed25519 key as JWK');
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  if (seed.length !== 32 || pub.length !== 32) throw new FleetError('unexpected ed25519 key length');

  const type = 'ssh-ed25519';
  const pubBlob = Buffer.concat([sshString(type), sshString(pub)]);
  const check = randomBytes(4);
  const parts = [check, check, sshString(type), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)];
  let priv = Buffer.concat(parts);
  // pad to the cipher block size ("none" uses 8) with 1, 2, 3, ...
  const padLen = (8 - (priv.length % 8)) % 8;
  if (padLen > 0) priv = Buffer.concat([priv, Buffer.from(Array.from({ length: padLen }, (_, i) => i + 1))]);

  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'), // cipher
    sshString('none'), // kdf
    sshString(''), // kdf options
    u32(1), // number of keys
    sshString(pubBlob),
    sshString(priv),
  ]);
  const b64 = body.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70));
  const privateKey_ = `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
  const publicKeyNoComment = `${type} ${pubBlob.toString('base64')}`;
  return {
    privateKey: privateKey_,
    publicKey: comment ? `${publicKeyNoComment} ${comment}` : publicKeyNoComment,
    publicKeyNoComment,
  };
}
