// The SSH flags shared by `vmsnap audit` and `vmsnap keyscan`, and the connector they configure.
import { DEFAULT_JUMP_MAX_STARTUPS, DEFAULT_RETRIES, type OpenSshConnector } from '../ssh/openssh-connector.js';
import { openConnector, routeResolver as openRouteResolver, type SshOptions } from '../ssh/open.js';
import { ttyPassphrasePrompt } from './passphrase-prompt.js';
import { parseJumpSpec, type Resolver } from '../ssh/resolve.js';
import { flagText, type CliIo } from './io.js';
import { numberFlag, type OptionSpec } from './options.js';
import { UsageError } from '../errors.js';

/** The SSH flags: --ssh-config, --known-hosts, --accept-new, --jump, --retries, --jump-max-startups. */
export type SshArgs = Pick<SshOptions, 'sshConfig' | 'knownHosts' | 'acceptNew' | 'jump' | 'retries' | 'jumpMaxStartups'>;

/** The SSH flags of `audit` (which defines --known-hosts itself) and `keyscan`. */
export const SSH_OPTIONS: readonly OptionSpec[] = [
  { name: 'ssh-config', kind: 'string', group: 'connection', doc: 'OpenSSH client config to honour (default ~/.ssh/config; "none" for none)' },
  { name: 'jump', alias: 'J', kind: 'string', group: 'connection', doc: 'jump host(s) for every host, as ProxyJump: [user@]host[:port][,...] ("none": connect directly)' },
  { name: 'accept-new', kind: 'boolean', default: false, group: 'connection', doc: 'add unknown host keys to known_hosts (as StrictHostKeyChecking=accept-new); a changed key is never accepted' },
  { name: 'retries', kind: 'integer', default: DEFAULT_RETRIES, min: 0, group: 'connection', doc: 'retries, with backoff, of a connection reset or closed before the session is ready' },
  { name: 'jump-max-startups', kind: 'integer', default: DEFAULT_JUMP_MAX_STARTUPS, min: 1, group: 'connection', doc: 'per jump host: most connections being set up through it at once' },
];

/** The SSH flags from yargs' parsed argv, checked. */
export function sshArgsFrom(parsed: Record<string, unknown>): SshArgs {
  const str = (k: string): string | undefined => {
    const v = parsed[k];
    if (v === undefined) return undefined;
    const flag = k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (Array.isArray(v)) throw new UsageError(`--${flag} may be given once`);
    return flagText(v, flag);
  };
  const sshConfig = str('sshConfig');
  if (sshConfig === '') throw new UsageError('--ssh-config needs a file (or "none")');
  const jump = str('jump');
  if (jump !== undefined) {
    try {
      parseJumpSpec(jump, '--jump');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return {
    sshConfig,
    knownHosts: str('knownHosts'),
    acceptNew: parsed['acceptNew'] === true,
    jump,
    retries: numberFlag(SSH_OPTIONS, parsed, 'retries'),
    jumpMaxStartups: numberFlag(SSH_OPTIONS, parsed, 'jump-max-startups'),
  };
}

/** The library's SshOptions for these flags: the environment, and the passphrase from VMSNAP_KEY_PASSPHRASE or the terminal. */
export function sshOptionsFor(args: SshArgs, io: Pick<CliIo, 'env'>): SshOptions {
  return { ...args, env: io.env, passphrase: io.env['VMSNAP_KEY_PASSPHRASE'] ?? ttyPassphrasePrompt() ?? undefined };
}

/** How each host would be reached, as `audit` would reach it (for `vmsnap inventory`). */
export function routeResolver(args: SshArgs, io: Pick<CliIo, 'env'>): Resolver {
  return openRouteResolver({ ...args, env: io.env });
}

/** The connector of `keyscan`; known_hosts warnings go to stderr. */
export function buildConnector(args: SshArgs, io: CliIo, timeoutMs: number): Promise<OpenSshConnector> {
  return openConnector(sshOptionsFor(args, io), timeoutMs, (w) => io.stderr.write(`vmsnap: ${w}\n`));
}
