// The SSH flags shared by `vmsnap audit` and `vmsnap keyscan`, and the connector they configure.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';
import { IdentityStore, defaultIdentityFiles } from '../ssh/identities.js';
import { DEFAULT_JUMP_MAX_STARTUPS, DEFAULT_RETRIES, OpenSshConnector } from '../ssh/openssh-connector.js';
import { ttyPassphrasePrompt } from './passphrase-prompt.js';
import { Resolver, parseJumpSpec } from '../ssh/resolve.js';
import { SshConfig, SshConfigError } from '../ssh/ssh-config.js';
import { decimal, flagText, type CliIo } from './io.js';
import { UsageError } from '../errors.js';

export interface SshArgs {
  /** --ssh-config FILE, or 'none'; default ~/.ssh/config */
  sshConfig?: string | undefined;
  /** --known-hosts FILE: replaces ssh_config's UserKnownHostsFile */
  knownHosts?: string | undefined;
  /** --accept-new */
  acceptNew?: boolean | undefined;
  /** --jump SPEC (ProxyJump syntax, or none) */
  jump?: string | undefined;
  /** --retries */
  retries?: number | undefined;
  /** --jump-max-startups */
  jumpMaxStartups?: number | undefined;
}

/** The SSH flags of `audit` (which defines --known-hosts itself) and `keyscan`. */
export function withSshOptions<T>(y: Argv<T>) {
  return y
    .option('ssh-config', { type: 'string', describe: 'OpenSSH client config to honour (default ~/.ssh/config; "none" for none)' })
    .option('jump', { alias: 'J', type: 'string', describe: 'jump host(s) for every host, as ProxyJump: [user@]host[:port][,...] ("none": connect directly)' })
    .option('accept-new', { type: 'boolean', default: false, describe: 'add unknown host keys to known_hosts (as StrictHostKeyChecking=accept-new); a changed key is never accepted' })
    .option('retries', { type: 'string', default: String(DEFAULT_RETRIES), describe: 'retries, with backoff, of a connection reset or closed before the session is ready' })
    .option('jump-max-startups', { type: 'string', default: String(DEFAULT_JUMP_MAX_STARTUPS), describe: 'per jump host: most connections being set up through it at once' });
}

function wholeNumber(value: unknown, flag: string, min: number): number {
  const n = decimal(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number of at least ${min}, got "${String(value)}"`);
  return n;
}

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
    retries: wholeNumber(parsed['retries'] ?? DEFAULT_RETRIES, 'retries', 0),
    jumpMaxStartups: wholeNumber(parsed['jumpMaxStartups'] ?? DEFAULT_JUMP_MAX_STARTUPS, 'jump-max-startups', 1),
  };
}

/** Reads ssh_config as --ssh-config says (default ~/.ssh/config, missing is fine). Bad files are usage errors. */
export function loadSshConfig(args: Pick<SshArgs, 'sshConfig'>, home = os.homedir()): SshConfig {
  const which = args.sshConfig === undefined ? path.join(home, '.ssh', 'config') : args.sshConfig;
  try {
    if (args.sshConfig === 'none') return SshConfig.empty();
    return SshConfig.load(which, { home, missingOk: args.sshConfig === undefined });
  } catch (e) {
    if (e instanceof SshConfigError) throw new UsageError(`${args.sshConfig === undefined ? '' : '--ssh-config: '}${e.message}`);
    throw e;
  }
}

/** How each host would be reached (user, HostName, port, jump hosts, identities), without connecting. */
export function routeResolver(args: SshArgs, io: CliIo): Resolver {
  const home = os.homedir();
  return new Resolver({
    config: loadSshConfig(args, home),
    home,
    env: io.env,
    knownHostsFile: args.knownHosts,
    acceptNew: args.acceptNew,
    jump: args.jump,
    defaultIdentityFiles: defaultIdentityFiles(home),
  });
}

/** Reads ssh_config (and --known-hosts) and makes the run's connector. Bad files are usage errors. */
export async function buildConnector(args: SshArgs, io: CliIo, timeoutMs: number): Promise<OpenSshConnector> {
  const home = os.homedir();
  const config = loadSshConfig(args, home);
  const connector = new OpenSshConnector({
    config,
    identities: new IdentityStore(io.env['VMSNAP_KEY_PASSPHRASE'] ?? ttyPassphrasePrompt() ?? undefined),
    env: io.env,
    home,
    knownHostsFile: args.knownHosts,
    acceptNew: args.acceptNew,
    jump: args.jump,
    retries: args.retries,
    jumpMaxStartups: args.jumpMaxStartups,
    jumpTimeoutMs: timeoutMs,
  });
  if (args.knownHosts !== undefined) {
    // a file named on the command line must be there (a typo would make every host "unknown"),
    // unless --accept-new is to start it
    if (!args.acceptNew && !existsSync(args.knownHosts)) {
      throw new UsageError(`--known-hosts ${args.knownHosts}: no such file (with --accept-new vmsnap would create it)`);
    }
    let kh;
    try {
      kh = await connector.hostKeys.load(args.knownHosts);
    } catch (e) {
      throw new UsageError(`--known-hosts ${args.knownHosts}: ${(e as Error).message}`);
    }
    if (kh.skipped.length > 0) {
      const first = kh.skipped[0]!;
      io.stderr.write(
        `vmsnap: warning: --known-hosts ${args.knownHosts}: ${kh.skipped.length} line${kh.skipped.length === 1 ? '' : 's'} skipped as not known_hosts lines (line ${first.line}: ${first.reason.slice(0, 120)})\n`,
      );
    }
  }
  return connector;
}
