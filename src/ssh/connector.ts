// How the audit gets a ready SSH connection for a host. The audit depends only on this interface;
// how the connection is made (identities, agent, known_hosts, ssh_config, jump hosts and retries)
// is the SSH layer's business: the CLI uses OpenSshConnector (openssh-connector.ts).
import { SshConnection } from './connection.js';
import type { HostKeyChecker } from './host-keys.js';
import { defaultIdentityFiles, type IdentityStore } from './identities.js';
import type { RouteTarget } from './resolve.js';

/** name, address (the inventory's host), port, user, identityFile; optionally jump and explicit */
export type ConnectTarget = RouteTarget;

/** What the audit (and --fix) uses of a connection: run a command with stdin, and close. */
export type RemoteSession = Pick<SshConnection, 'exec' | 'close'>;

export interface Connector {
  /** a ready, authenticated session; rejects with SshError (or IdentityError) */
  connect(target: ConnectTarget, signal: AbortSignal): Promise<RemoteSession>;
}

export interface DirectConnectorOptions {
  knownHosts: HostKeyChecker;
  identities: IdentityStore;
  /** ssh-agent socket (SSH_AUTH_SOCK) */
  agent?: string | undefined;
}

/** Connects straight to the host's address with its identity file (or OpenSSH's defaults) and the agent; no ssh_config. */
export class DirectConnector implements Connector {
  constructor(private readonly opts: DirectConnectorOptions) {}

  async connect(t: ConnectTarget, signal: AbortSignal): Promise<SshConnection> {
    const identities = t.identityFile
      ? [await this.opts.identities.load(t.identityFile)]
      : await this.opts.identities.loadExisting(defaultIdentityFiles());
    return SshConnection.connect({
      host: t.address,
      port: t.port,
      username: t.user,
      identities,
      agent: this.opts.agent,
      knownHosts: this.opts.knownHosts,
      signal,
    });
  }
}
