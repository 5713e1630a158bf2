// How the audit gets a ready SSH connection for a host. The audit depends only on this interface;
// how the connection is made (identities, agent, known_hosts, and later ssh_config, jump hosts and
// retries) is the SSH layer's business.
import { SshConnection } from './connection.js';
import { defaultIdentityFiles, type IdentityStore } from './identities.js';
import type { KnownHosts } from './known-hosts.js';

export interface ConnectTarget {
  name: string;
  address: string;
  port: number;
  user: string;
  identityFile: string | null;
}

export interface Connector {
  /** a ready, authenticated connection; rejects with SshError (or IdentityError) */
  connect(target: ConnectTarget, signal: AbortSignal): Promise<SshConnection>;
}

export interface DirectConnectorOptions {
  knownHosts: KnownHosts;
  identities: IdentityStore;
  /** ssh-agent socket (SSH_AUTH_SOCK) */
  agent?: string | undefined;
}

/** Connects straight to the host's address with its identity file (or OpenSSH's defaults) and the agent. */
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
