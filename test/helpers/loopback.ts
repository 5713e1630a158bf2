// Fake hosts for the tests live in 127.10.0.0 - 127.99.255.255 (the fleet harness takes 127.100-250).
import * as net from 'node:net';

export function randomLoopback(): string {
  const r = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
  return `127.${r(10, 99)}.${r(0, 255)}.${r(2, 254)}`;
}

/** Listens on `port` (0: any) of a fresh loopback address; returns the address and the port. */
export async function listenOnFreshLoopback(server: net.Server, port = 0): Promise<{ address: string; port: number }> {
  for (let i = 0; ; i++) {
    const address = randomLoopback();
    const ok = await new Promise<boolean>((resolve) => {
      const onError = () => resolve(false);
      server.once('error', onError);
      server.listen(port, address, () => {
        server.removeListener('error', onError);
        resolve(true);
      });
    });
    if (ok) return { address, port: (server.address() as net.AddressInfo).port };
    if (i > 20) throw new Error(`could not listen on port ${port} of any loopback address`);
  }
}

export interface TcpFake {
  address: string;
  port: number;
  accepted(): number;
  close(): Promise<void>;
}

/**
 * A TCP listener on a fresh loopback address that does `behave` with every connection (never speak,
 * banner then silence, ...); `port` 0 picks any.
 */
export async function startTcpFake(behave: (s: net.Socket, n: number) => void, port = 0): Promise<TcpFake> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted += 1;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    behave(s, accepted);
  });
  const where = await listenOnFreshLoopback(server, port);
  return {
    ...where,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

