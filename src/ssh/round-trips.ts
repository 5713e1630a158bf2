// Fewer round trips per connection than ssh2 makes on its own (bench/latency.ts counts them: a host
// behind a 100 ms RTT costs 100 ms per round trip, once per host, every night).
//
// ssh2 has no options for these, so they wrap three methods of the connection's own protocol object
// (`client._protocol`, not a public API). Each is checked for the shape it expects and, when ssh2
// changes, left alone: the connection then behaves exactly as ssh2 makes it, only slower.
// test/ssh/round-trips.test.ts fails when a change stops taking effect.
//
// 1. Sign at once: ssh2 asks the server whether it would take a public key (a "query", one round
//    trip) before sending the signed request; with a private key in hand, the signed request goes
//    first. The signature covers this session's id (after the host key was verified), so it is
//    worth nothing to any other session; a server that refuses the key answers the same FAILURE.
// 2. Authenticate without waiting for SERVICE_ACCEPT: the user-auth request follows the service
//    request in the same flight (the server reads its input in order; OpenSSH queues it). Only when
//    the key's signature algorithm does not depend on the server's server-sig-algs (RSA keys choose
//    rsa-sha2-256/512 from it), or once that extension has arrived.
// 3. No hostkeys-prove: sshd announces its other host keys after authentication and ssh2 answers
//    with a request that makes the server sign with each key and makes us verify each signature, for
//    a `hostkeys` event vmsnap never uses (known_hosts is never updated from it). The announcement
//    wants no reply; none is sent, as OpenSSH's client does not either with UpdateHostKeys off.
import type { Client as SshClient, ParsedKey } from 'ssh2';

interface ProtocolShape {
  authPK: (username: string, key: unknown, keyAlgo?: unknown, cbSign?: unknown) => void;
  service: (name: string) => void;
  _handlers: Record<string, unknown>;
  requestSuccess?: () => void;
}

type Handler = (...args: unknown[]) => void;

function protocolOf(client: SshClient): ProtocolShape | null {
  const proto = (client as unknown as { _protocol?: Partial<ProtocolShape> })._protocol;
  if (!proto || typeof proto.authPK !== 'function' || typeof proto.service !== 'function') return null;
  const h = proto._handlers;
  if (!h || typeof h['SERVICE_ACCEPT'] !== 'function' || typeof h['GLOBAL_REQUEST'] !== 'function') return null;
  return proto as ProtocolShape;
}

// the hash each RSA signature algorithm name means (ssh2's getKeyAlgos pairs them the same way)
const RSA_HASH: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512', 'ssh-rsa': 'sha1' };

function isPrivateKey(k: unknown): k is ParsedKey {
  const key = k as Partial<ParsedKey> | null;
  return typeof key?.sign === 'function' && typeof key.isPrivateKey === 'function' && key.isPrivateKey();
}

export interface RoundTripOptions {
  /** the first method tried is a private key whose signature algorithm the server cannot change (not RSA) */
  firstKeyIndependentOfServer: boolean;
}

/** What took effect: `false` for each part whose ssh2 internals were not as expected. */
export interface RoundTripSavings {
  signAtOnce: boolean;
  earlyAuth: boolean;
  noHostKeysProve: boolean;
}

/** Call right after `client.connect(config)`, before any byte is read. */
export function saveRoundTrips(client: SshClient, opts: RoundTripOptions): RoundTripSavings {
  const proto = protocolOf(client);
  if (!proto) return { signAtOnce: false, earlyAuth: false, noHostKeysProve: false };
  const handlers = proto._handlers;

  // 1. sign at once
  const authPK = proto.authPK.bind(proto);
  proto.authPK = (username, key, keyAlgo, cbSign) => {
    if (cbSign !== undefined || typeof keyAlgo === 'function' || !isPrivateKey(key)) return authPK(username, key, keyAlgo, cbSign);
    const hash = typeof keyAlgo === 'string' ? RSA_HASH[keyAlgo] : undefined;
    return authPK(username, key, keyAlgo, (data: Buffer, send: (sig: Buffer) => void) => {
      const sig = key.sign(data, hash);
      // a key that cannot sign: ssh2's own path (query, then its error for the key) takes over
      if (sig instanceof Error) return authPK(username, key, keyAlgo);
      send(sig);
    });
  };

  // 2. authenticate in the service request's flight
  const serviceAccept = handlers['SERVICE_ACCEPT'] as Handler;
  const extInfo = typeof handlers['EXT_INFO'] === 'function' ? (handlers['EXT_INFO'] as Handler) : null;
  let requested = false;
  let started = false;
  let extInfoSeen = false;
  const start = () => {
    if (started) return;
    started = true;
    serviceAccept(proto, 'ssh-userauth');
  };
  handlers['SERVICE_ACCEPT'] = (p: unknown, name: unknown) => {
    if (name === 'ssh-userauth' && started) return; // ours began already
    if (name === 'ssh-userauth') started = true;
    serviceAccept(p, name);
  };
  if (extInfo) {
    handlers['EXT_INFO'] = (...args: unknown[]) => {
      extInfo(...args);
      extInfoSeen = true;
      if (requested) start();
    };
  }
  const service = proto.service.bind(proto);
  proto.service = (name: string) => {
    service(name);
    if (name !== 'ssh-userauth') return;
    requested = true;
    // after the rest of what has arrived is read: EXT_INFO travels right behind the server's NEWKEYS
    if (opts.firstKeyIndependentOfServer || extInfoSeen) setImmediate(start);
  };

  // 3. no hostkeys-prove
  const globalRequest = handlers['GLOBAL_REQUEST'] as Handler;
  handlers['GLOBAL_REQUEST'] = (p: unknown, name: unknown, wantReply: unknown, data: unknown) => {
    if (name !== 'hostkeys-00@openssh.com') return globalRequest(p, name, wantReply, data);
    if (wantReply) proto.requestSuccess?.();
  };
  return { signAtOnce: true, earlyAuth: true, noHostKeysProve: true };
}
