// The run's SSH side from plain options (what --ssh-config, --known-hosts, --accept-new, --jump,
// --retries and --jump-max-startups say): ssh_config read once, known_hosts checked up front, and the
// connector every host goes through. Bad files are InputErrors naming them.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { IdentityStore, defaultIdentityFiles, type PassphraseSource } from './identities.js';
import { OpenSshConnector } from './openssh-connector.js';
import { Resolver } from './resolve.js';
import { SshConfig, SshConfigError, expandTilde } from './ssh-config.js';

export interface SshOptions {
  /** an OpenSSH client config to honour, or 'none'; default ~/.ssh/config (missing is fine) */
  sshConfig?: string | undefined;
  /** known_hosts file: replaces ssh_config's UserKnownHostsFile; must exist unless acceptNew */
  knownHosts?: string | undefined;
  /** add unknown host keys (StrictHostKeyChecking=accept-new); a changed key is never accepted */
  acceptNew?: boolean | undefined;
  /** jump hosts for every host, in ProxyJump syntax, or 'none' */
  jump?: string | undefined;
  /** retries of a connection reset or closed before the session is ready */
  retries?: number | undefined;
  /** per jump host: most connections being set up through it at once */
  jumpMaxStartups?: number | undefined;
  /** the passphrase of encrypted identity files (or a function that asks for it once) */
  passphrase?: PassphraseSource | undefined;
  /** environment for SSH_AUTH_SOCK and ssh_config's %-tokens; default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** home directory for ~ and the default files; default os.homedir() */
  home?: string | undefined;
}

/** Reads ssh_config as `sshConfig` says (default ~/.ssh/config, missing is fine). */
export function loadSshConfig(opts: Pick<SshOptions, 'sshConfig'>, home = os.homedir()): SshConfig {
  const which = opts.sshConfig === undefined ? path.join(home, '.ssh', 'config') : opts.sshConfig;
  try {
    if (opts.sshConfig === 'none') return SshConfig.empty();
    return SshConfig.load(which, { home, missingOk: opts.sshConfig === undefined });
  } catch (e) {
    if (e instanceof SshConfigError && opts.sshConfig !== undefined) throw new SshConfigError(`--ssh-config: ${e.message}`, { file: which, flag: 'ssh-config', cause: e });
    throw e;
  }
}

/** How each host would be reached (user, HostName, port, jump hosts, identities), without connecting. */
export function routeResolver(opts: SshOptions): Resolver {
  const home = opts.home ?? os.homedir();
  return new Resolver({
    config: loadSshConfig(opts, home),
    home,
    env: opts.env ?? process.env,
    knownHostsFile: opts.knownHosts,
    acceptNew: opts.acceptNew,
    jump: opts.jump,
    defaultIdentityFiles: defaultIdentityFiles(home),
  });
}

/** The connector of a run; `onWarning` hears of known_hosts lines it skipped. */
export async function openConnector(options: SshOptions, timeoutMs: number, onWarning: (message: string) => void = () => {}): Promise<OpenSshConnector> {
  const home = options.home ?? os.homedir();
  // '~/.ssh/known_hosts' as a library caller writes it (a shell expands it before the CLI sees it)
  const opts = { ...options, knownHosts: options.knownHosts === undefined ? undefined : expandTilde(options.knownHosts, home) };
  const connector = new OpenSshConnector({
    config: loadSshConfig(opts, home),
    identities: new IdentityStore(opts.passphrase),
    env: opts.env ?? process.env,
    home,
    knownHostsFile: opts.knownHosts,
    acceptNew: opts.acceptNew,
    jump: opts.jump,
    retries: opts.retries,
    jumpMaxStartups: opts.jumpMaxStartups,
    jumpTimeoutMs: timeoutMs,
  });
  if (opts.knownHosts !== undefined) {
    // a file named on the command line must be there (a typo would make every host "unknown"),
    // unless --accept-new is to start it
    const subject = { file: opts.knownHosts, flag: 'known-hosts' };
    if (!opts.acceptNew && !existsSync(opts.knownHosts)) {
      throw new UsageError(`--known-hosts ${opts.knownHosts}: no such file (with --accept-new vmsnap would create it)`, subject);
    }
    let kh;
    try {
      kh = await connector.hostKeys.load(opts.knownHosts);
    } catch (e) {
      throw new UsageError(`--known-hosts ${opts.knownHosts}: ${(e as Error).message}`, { ...subject, cause: e });
    }
    if (kh.skipped.length > 0) {
      const first = kh.skipped[0]!;
      onWarning(
        `warning: --known-hosts ${opts.knownHosts}: ${kh.skipped.length} line${kh.skipped.length === 1 ? '' : 's'} skipped as not known_hosts lines (line ${first.line}: ${first.reason.slice(0, 120)})`,
      );
    }
  }
  return connector;
}
