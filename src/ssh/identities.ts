// Private keys, read and parsed once per run however many hosts use them.
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';

const { utils } = ssh2; // ssh2 is CommonJS: its named exports are not visible to ESM
import type { Identity } from './connection.js';
import { READ_LIMITS, readBounded, readFailure } from '../util/read-bounded.js';
import { VmsnapError } from '../errors.js';

export class IdentityError extends VmsnapError {
  declare readonly code: 'IDENTITY_UNREADABLE' | 'IDENTITY_INVALID' | 'IDENTITY_ENCRYPTED';
  constructor(code: IdentityError['code'], message: string) {
    super(code, message);
  }
}

/** OpenSSH's default identity files, tried when a host names none. */
export function defaultIdentityFiles(home = homedir()): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f));
}

/** The passphrase for encrypted keys: a string (VMSNAP_KEY_PASSPHRASE), or asked for once (a TTY prompt). */
export type PassphraseSource = string | (() => Promise<string | null>) | undefined;

export class IdentityStore {
  private readonly cache = new Map<string, Promise<Identity>>();
  /** the one answer of the passphrase prompt, shared by every encrypted key */
  private asked: Promise<string | null> | null = null;

  /** @param passphrase for encrypted keys (VMSNAP_KEY_PASSPHRASE, or a prompt asked at most once) */
  constructor(private readonly passphrase?: PassphraseSource) {}

  /** Whether an encrypted key asked for the passphrase prompt (whose answer lives only in this thread). */
  get prompted(): boolean {
    return this.asked !== null;
  }

  load(file: string): Promise<Identity> {
    let p = this.cache.get(file);
    if (!p) {
      p = this.read(file);
      this.cache.set(file, p);
    }
    return p;
  }

  /** The identities that exist among `files`; unreadable defaults are skipped silently, as OpenSSH does. */
  async loadExisting(files: readonly string[]): Promise<Identity[]> {
    const out: Identity[] = [];
    for (const f of files) {
      try {
        out.push(await this.load(f));
      } catch {
        // a missing default key is normal
      }
    }
    return out;
  }

  private async read(file: string): Promise<Identity> {
    let data: Buffer;
    try {
      // a key is a small regular file: a FIFO would wait for a writer forever, /dev/zero never end
      data = await readBounded(file, { maxBytes: READ_LIMITS.identity, pipes: false });
    } catch (e) {
      throw new IdentityError('IDENTITY_UNREADABLE', `cannot read identity file ${file}: ${readFailure(e)}`);
    }
    let parsed = utils.parseKey(data, typeof this.passphrase === 'string' ? this.passphrase : undefined);
    let gavePassphrase = typeof this.passphrase === 'string';
    if (parsed instanceof Error && isEncryptedError(parsed) && typeof this.passphrase === 'function') {
      this.asked ??= this.passphrase().catch(() => null);
      const answer = await this.asked;
      if (answer !== null) {
        parsed = utils.parseKey(data, answer);
        gavePassphrase = true;
      }
    }
    if (parsed instanceof Error) {
      const encrypted = isEncryptedError(parsed) || (gavePassphrase && /decrypt|bad/i.test(parsed.message));
      throw new IdentityError(
        encrypted ? 'IDENTITY_ENCRYPTED' : 'IDENTITY_INVALID',
        encrypted
          ? gavePassphrase
            ? `identity file ${file} is encrypted and the passphrase given does not open it (${parsed.message})`
            : `identity file ${file} is encrypted: set VMSNAP_KEY_PASSPHRASE, run vmsnap on a terminal to be asked once, or use ssh-agent`
          : `identity file ${file} is not a private key ssh2 can read: ${parsed.message}`,
      );
    }
    const key: ParsedKey | undefined = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
    if (!key) throw new IdentityError('IDENTITY_INVALID', `identity file ${file} holds no key`);
    return { label: file, key };
  }
}

function isEncryptedError(e: Error): boolean {
  return /encrypted|passphrase/i.test(e.message);
}
