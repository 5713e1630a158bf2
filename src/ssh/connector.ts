// How the audit gets a ready SSH connection for a host. The audit depends only on this interface;
// how the connection is made (identities, agent, known_hosts, ssh_config, jump hosts and retries)
// is the SSH layer's business: the CLI uses OpenSshConnector (openssh-connector.ts).
import type { ConnectTiming, SshConnection } from './connection.js';
import type { RouteTarget } from './resolve.js';

/** name, address (the inventory's host), port, user, identityFile; optionally jump and explicit */
export type ConnectTarget = RouteTarget;

/** What the audit (and --fix) uses of a connection: run a command with stdin, and close. */
export type RemoteSession = Pick<SshConnection, 'exec' | 'close'> & { readonly timing?: ConnectTiming };

export interface Connector {
  /** a ready, authenticated session; rejects with SshError (or IdentityError) */
  connect(target: ConnectTarget, signal: AbortSignal): Promise<RemoteSession>;
}
