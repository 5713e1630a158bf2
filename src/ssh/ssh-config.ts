// OpenSSH client configuration (ssh_config(5)): ~/.ssh/config, or the file given with --ssh-config.
//
// The text is parsed by the `ssh-config` package (quoting, `=` separators, Host/Match sections);
// what OpenSSH does with the parsed lines is done here, because vmsnap must do exactly what `ssh`
// would and the package's own compute() does not: it evaluates `Match exec` (runs commands), matches
// `?` as "zero or one character", is case-sensitive and knows nothing of Include.
//
// Honoured: Host patterns (`*`, `?`, `!negation`, case-sensitive like OpenSSH's), Include (globs, nested, also
// inside a Host block), first value wins, IdentityFile accumulates, IgnoreUnknown. Keywords OpenSSH
// knows but vmsnap does not act on are accepted (some are reported by resolve.ts when they apply to a
// host); keywords OpenSSH does not know are an error, as in `ssh`. `Match` blocks never apply.
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig, { LineType, type Line } from 'ssh-config';
import { READ_LIMITS, readBoundedSync, readFailure } from '../util/read-bounded.js';
import { InputError, type ErrorSubject } from '../errors.js';
import { OPENSSH_PATTERN, PATH_COMPONENT, globToRegExp } from '../util/glob.js';

/** An ssh_config vmsnap cannot honour (a syntax error, an unreadable Include); the message names file and line. */
export class SshConfigError extends InputError {
  constructor(message: string, subject: ErrorSubject = {}) {
    super('SSH_CONFIG_INVALID', message, subject);
  }
}

/** Where a setting came from, for messages. */
export interface Origin {
  file: string;
  line: number;
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new' | 'off';

/** What ssh_config says for one host name: raw values (tokens and `~` not yet expanded). */
export interface SshHostOptions {
  hostName?: string;
  user?: string;
  port?: number;
  /** every IdentityFile in effect, in order (raw) */
  identityFiles: string[];
  identitiesOnly?: boolean;
  identityAgent?: string;
  proxyJump?: string;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** seconds */
  connectTimeout?: number;
  /** seconds; 0 = off */
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  hashKnownHosts?: boolean;
  /** keywords in effect for this host that change how OpenSSH connects and that vmsnap does not honour */
  notHonoured: Array<{ keyword: string } & Origin>;
}

// ---- keywords ------------------------------------------------------------------------------------

/** Keywords vmsnap acts on (lowercase → canonical spelling). */
const HONOURED = [
  'Host', 'Match', 'Include', 'HostName', 'User', 'Port', 'IdentityFile', 'IdentitiesOnly', 'IdentityAgent', 'ProxyJump',
  'UserKnownHostsFile', 'StrictHostKeyChecking', 'ConnectTimeout', 'ServerAliveInterval', 'ServerAliveCountMax',
  'HashKnownHosts', 'IgnoreUnknown',
] as const;

/**
 * Keywords that would change how `ssh` connects or whom it trusts, which vmsnap does not do: when one
 * is in effect for an audited host, the CLI says so (README: SSH).
 */
export const NOT_HONOURED = [
  'AddressFamily', 'BindAddress', 'BindInterface', 'CanonicalDomains', 'CanonicalizeFallbackLocal', 'CanonicalizeHostname',
  'CanonicalizeMaxDots', 'CanonicalizePermittedCNAMEs', 'CASignatureAlgorithms', 'CertificateFile', 'Ciphers',
  'ConnectionAttempts', 'GlobalKnownHostsFile', 'HostbasedAcceptedAlgorithms', 'HostbasedAuthentication',
  'HostKeyAlgorithms', 'HostKeyAlias', 'KexAlgorithms', 'KnownHostsCommand', 'MACs', 'PKCS11Provider',
  'PreferredAuthentications', 'ProxyCommand', 'ProxyUseFdpass', 'PubkeyAcceptedAlgorithms', 'PubkeyAcceptedKeyTypes',
  'PubkeyAuthentication', 'RequiredRSASize', 'RevokedHostKeys', 'SecurityKeyProvider', 'VerifyHostKeyDNS',
] as const;

/**
 * The rest of OpenSSH's keywords: accepted and ignored, because they do not matter to one
 * non-interactive exec (forwarding, terminals, multiplexing, logging, passwords vmsnap never sends).
 */
const IGNORED = [
  'AddKeysToAgent', 'BatchMode', 'ChallengeResponseAuthentication', 'CheckHostIP', 'ClearAllForwardings', 'Compression',
  'ControlMaster', 'ControlPath', 'ControlPersist', 'DynamicForward', 'EnableEscapeCommandline', 'EnableSSHKeysign',
  'EscapeChar', 'ExitOnForwardFailure', 'FingerprintHash', 'ForkAfterAuthentication', 'ForwardAgent', 'ForwardX11',
  'ForwardX11Timeout', 'ForwardX11Trusted', 'GatewayPorts', 'GSSAPIAuthentication', 'GSSAPIClientIdentity',
  'GSSAPIDelegateCredentials', 'GSSAPIKeyExchange', 'GSSAPIKexAlgorithms', 'GSSAPIRenewalForcesRekey', 'GSSAPIServerIdentity',
  'GSSAPITrustDns', 'IPQoS', 'KbdInteractiveAuthentication', 'KbdInteractiveDevices', 'LocalCommand', 'LocalForward',
  'LogLevel', 'LogVerbose', 'NoHostAuthenticationForLocalhost', 'NumberOfPasswordPrompts', 'ObscureKeystrokeTiming',
  'PasswordAuthentication', 'PermitLocalCommand', 'PermitRemoteOpen', 'RekeyLimit', 'RemoteCommand', 'RemoteForward',
  'RequestTTY', 'SendEnv', 'SessionType', 'SetEnv', 'StdinNull', 'StreamLocalBindMask', 'StreamLocalBindUnlink',
  'SyslogFacility', 'TCPKeepAlive', 'Tag', 'Tunnel', 'TunnelDevice', 'UpdateHostKeys', 'UseKeychain', 'UsePrivilegedPort',
  'UseRoaming', 'VisualHostKey', 'XAuthLocation', 'ChannelTimeout', 'PerSourcePenalties', 'RSAAuthentication',
  'RhostsRSAAuthentication', 'Protocol', 'Cipher', 'ProtocolKeepAlives', 'SetupTimeOut', 'FallBackToRsh', 'UseRsh',
  'UseBlacklistedKeys', 'PubkeyAuthOptions', 'WarnWeakCrypto', 'RefuseConnection', 'VersionAddendum',
] as const;

const CANONICAL = new Map<string, string>();
for (const k of [...HONOURED, ...NOT_HONOURED, ...IGNORED]) CANONICAL.set(k.toLowerCase(), k);
const NOT_HONOURED_SET = new Set<string>(NOT_HONOURED.map((k) => k.toLowerCase()));

/** OpenSSH's limit on nested Include */
const MAX_INCLUDE_DEPTH = 16;

// ---- parsed form ---------------------------------------------------------------------------------

type Node =
  | ({ kind: 'host'; patterns: HostPatterns } & Origin)
  | ({ kind: 'match' } & Origin)
  | ({ kind: 'option'; keyword: string; args: string[] } & Origin)
  | ({ kind: 'include'; files: ParsedFile[] } & Origin);

interface ParsedFile {
  file: string;
  nodes: Node[];
}

export interface SshConfigLoadOptions {
  /** home folder for `~` and relative Include paths (default os.homedir()) */
  home?: string;
  /** missing file: an empty config (true, the default for ~/.ssh/config) or an error (for --ssh-config) */
  missingOk?: boolean;
}

export class SshConfig {
  /** files read, the main one first */
  readonly files: readonly string[];
  private readonly root: ParsedFile | null;

  private constructor(root: ParsedFile | null, files: string[]) {
    this.root = root;
    this.files = files;
  }

  /** No configuration at all (`--ssh-config none`). */
  static empty(): SshConfig {
    return new SshConfig(null, []);
  }

  /** Reads `file` and everything it includes. Throws SshConfigError naming the file and line. */
  static load(file: string, opts: SshConfigLoadOptions = {}): SshConfig {
    const home = opts.home ?? os.homedir();
    const files: string[] = [];
    const ignoreUnknown: string[] = [];
    let text: string;
    try {
      text = readText(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && (opts.missingOk ?? true)) return new SshConfig(null, []);
      throw new SshConfigError(`cannot read ssh_config file ${show(file)}: ${readFailure(e)}`);
    }
    files.push(file);
    const root = parseFile(text, file, { home, depth: 0, files, ignoreUnknown });
    return new SshConfig(root, files);
  }

  /** Parses ssh_config text (Include still reads files). `file` names it in messages. */
  static parse(text: string, file = 'ssh_config', opts: { home?: string } = {}): SshConfig {
    const files = [file];
    const root = parseFile(text, file, { home: opts.home ?? os.homedir(), depth: 0, files, ignoreUnknown: [] });
    return new SshConfig(root, files);
  }

  /** The options in effect for `host`, the name as given on the `ssh` command line. */
  lookup(host: string): SshHostOptions {
    const out: SshHostOptions = { identityFiles: [], notHonoured: [] };
    if (!this.root) return out;
    const name = host; // OpenSSH matches Host patterns against the name as typed, case-sensitively
    const seen = new Set<string>();
    const apply = (n: Extract<Node, { kind: 'option' }>) => {
      const k = n.keyword;
      if (k === 'identityfile') {
        out.identityFiles.push(n.args[0]!);
        return;
      }
      // first value wins; ProxyJump and ProxyCommand share one slot ("whichever is specified first
      // will prevent later instances of the other from taking effect", ssh_config(5))
      const slot = k === 'proxycommand' ? 'proxyjump' : k;
      if (seen.has(slot)) return;
      seen.add(slot);
      const a = n.args;
      switch (k) {
        case 'hostname':
          out.hostName = a[0]!;
          break;
        case 'user':
          out.user = a[0]!;
          break;
        case 'port':
          out.port = Number(a[0]);
          break;
        case 'identitiesonly':
          out.identitiesOnly = yes(a[0]!);
          break;
        case 'identityagent':
          out.identityAgent = a[0]!;
          break;
        case 'proxyjump':
          out.proxyJump = a.join(',');
          break;
        case 'proxycommand':
          // `ProxyCommand none` switches proxying off: nothing vmsnap misses, and no ProxyJump after it
          if (!(a.length === 1 && a[0]!.toLowerCase() === 'none')) out.notHonoured.push({ keyword: 'ProxyCommand', file: n.file, line: n.line });
          break;
        case 'userknownhostsfile':
          out.userKnownHostsFiles = [...a];
          break;
        case 'stricthostkeychecking':
          out.strictHostKeyChecking = strictValue(a[0]!);
          break;
        case 'connecttimeout':
          out.connectTimeout = a[0] === 'none' ? 0 : Number(a[0]);
          break;
        case 'serveraliveinterval':
          out.serverAliveInterval = Number(a[0]);
          break;
        case 'serveralivecountmax':
          out.serverAliveCountMax = Number(a[0]);
          break;
        case 'hashknownhosts':
          out.hashKnownHosts = yes(a[0]!);
          break;
        default:
          if (NOT_HONOURED_SET.has(k)) {
            // `ProxyCommand none` / `ProxyJump none` style values switch a feature off: nothing to miss
            if (!(a.length === 1 && a[0]!.toLowerCase() === 'none')) out.notHonoured.push({ keyword: CANONICAL.get(k) ?? k, file: n.file, line: n.line });
          }
      }
    };
    const walk = (f: ParsedFile, startActive: boolean): void => {
      let active = startActive;
      for (const n of f.nodes) {
        switch (n.kind) {
          case 'host':
            active = startActive && matchesCompiled(n.patterns, name);
            break;
          case 'match':
            active = false; // Match is not supported: its block never applies
            break;
          case 'include':
            for (const inc of n.files) walk(inc, active);
            break;
          case 'option':
            if (active) apply(n);
            break;
        }
      }
    };
    walk(this.root, true);
    return out;
  }

  /** `Match` lines anywhere in the configuration (they never apply; the CLI says so). */
  matchLines(): Origin[] {
    const out: Origin[] = [];
    const walk = (f: ParsedFile) => {
      for (const n of f.nodes) {
        if (n.kind === 'match') out.push({ file: n.file, line: n.line });
        else if (n.kind === 'include') n.files.forEach(walk);
      }
    };
    if (this.root) walk(this.root);
    return out;
  }
}

// ---- host patterns ---------------------------------------------------------------------------------

/** OpenSSH match_pattern: `*` any run, `?` exactly one character, case-sensitive (as `ssh -G` shows). */
function patternRegExp(p: string): RegExp {
  return globToRegExp(p, OPENSSH_PATTERN);
}

/** A Host line's patterns, compiled once. */
interface HostPatterns {
  positive: Array<string | RegExp>;
  negative: Array<string | RegExp>;
}

function compilePatterns(patterns: readonly string[]): HostPatterns {
  const out: HostPatterns = { positive: [], negative: [] };
  for (const p of patterns) {
    for (const one of p.split(',')) {
      if (one === '' || one === '!') continue;
      const neg = one.startsWith('!');
      const body = neg ? one.slice(1) : one;
      // a plain name is compared as a string: a 10 MB config of plain Host lines stays fast
      (neg ? out.negative : out.positive).push(/[*?]/.test(body) ? patternRegExp(body) : body);
    }
  }
  return out;
}

function matchesOne(p: string | RegExp, name: string): boolean {
  return typeof p === 'string' ? p === name : p.test(name);
}

function matchesCompiled(c: HostPatterns, name: string): boolean {
  if (c.negative.some((p) => matchesOne(p, name))) return false;
  return c.positive.some((p) => matchesOne(p, name));
}

/** A Host line's patterns against a name: any negated match excludes, else any match includes. */
export function hostMatches(patterns: readonly string[], name: string): boolean {
  return matchesCompiled(compilePatterns(patterns), name);
}

// ---- parsing ------------------------------------------------------------------------------------

interface ParseContext {
  home: string;
  depth: number;
  files: string[];
  ignoreUnknown: string[];
}

function show(file: string): string {
  return /^[\x21-\x7e]+$/.test(file) ? file : JSON.stringify(file);
}


function readText(file: string): string {
  return readBoundedSync(file, READ_LIMITS.sshConfig).toString('utf8');
}

function yes(v: string): boolean {
  return v.toLowerCase() === 'yes' || v.toLowerCase() === 'true';
}

function strictValue(v: string): StrictHostKeyChecking {
  const l = v.toLowerCase();
  if (l === 'true') return 'yes';
  if (l === 'false') return 'no';
  return l as StrictHostKeyChecking;
}

function valuesOf(line: { value: string | { val: string }[] }): string[] {
  return Array.isArray(line.value) ? line.value.map((v) => v.val) : [line.value];
}

/** Checks the values of the keywords vmsnap acts on; returns the problem or null. */
function checkValue(keyword: string, args: string[]): string | null {
  const one = args[0] ?? '';
  const int = (min: number, max: number) => /^\d+$/.test(one) && Number(one) >= min && Number(one) <= max;
  const flag = () => /^(yes|no|true|false)$/i.test(one);
  if (args.length === 0 || one === '') return 'missing value';
  switch (keyword) {
    case 'port':
      return int(1, 65535) ? null : `bad port ${JSON.stringify(one)} (a number from 1 to 65535)`;
    case 'connecttimeout':
      return one === 'none' || int(0, 2 ** 31 / 1000) ? null : `bad ConnectTimeout ${JSON.stringify(one)} (seconds)`;
    case 'serveraliveinterval':
    case 'serveralivecountmax':
      return int(0, 2 ** 31 / 1000) ? null : `bad value ${JSON.stringify(one)} (a whole number)`;
    case 'identitiesonly':
    case 'hashknownhosts':
      return flag() ? null : `bad value ${JSON.stringify(one)} (yes or no)`;
    case 'stricthostkeychecking':
      return /^(yes|no|ask|accept-new|off|true|false)$/i.test(one) ? null : `bad value ${JSON.stringify(one)} (yes, accept-new, no, off or ask)`;
    default:
      return null;
  }
}

function parseFile(text: string, file: string, ctx: ParseContext): ParsedFile {
  let parsed: SSHConfig;
  try {
    parsed = SSHConfig.parse(text);
  } catch (e) {
    throw new SshConfigError(`${show(file)}: cannot parse as ssh_config: ${sanitize((e as Error).message)}`);
  }
  const nodes: Node[] = [];
  // line numbers: count the newlines the parser kept in each line's surrounding whitespace
  let lineNo = 1;
  const visit = (l: Line, inSection: boolean): void => {
    lineNo += countNewlines(l.before);
    const at = lineNo;
    if (l.type === LineType.DIRECTIVE) {
      const keyword = l.param.toLowerCase();
      const args = valuesOf(l);
      const origin = { file, line: at };
      const where = `${show(file)} line ${at}`;
      if (keyword === 'host' && 'config' in l) {
        nodes.push({ kind: 'host', patterns: compilePatterns(args), ...origin });
      } else if (keyword === 'match' && 'config' in l) {
        nodes.push({ kind: 'match', ...origin });
      } else if (keyword === 'include') {
        if (ctx.depth >= MAX_INCLUDE_DEPTH) throw new SshConfigError(`${where}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
        const files: ParsedFile[] = [];
        for (const pattern of args) {
          for (const f of expandInclude(pattern, ctx.home)) {
            let t: string;
            try {
              t = readText(f);
            } catch (e) {
              // OpenSSH skips a file that vanished between the glob and the read; a named file that
              // cannot be read is worth saying
              if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
              throw new SshConfigError(`${where}: Include ${show(f)}: ${readFailure(e)}`);
            }
            ctx.files.push(f);
            files.push(parseFile(t, f, { ...ctx, depth: ctx.depth + 1 }));
          }
        }
        nodes.push({ kind: 'include', files, ...origin });
      } else {
        const canonical = CANONICAL.get(keyword);
        if (canonical === undefined) {
          if (!ctx.ignoreUnknown.some((p) => hostMatches([p], keyword))) {
            const shown = l.param.length > 40 ? `${l.param.slice(0, 40)}...` : l.param;
            throw new SshConfigError(`${where}: unknown keyword ${sanitize(JSON.stringify(shown))} (OpenSSH would refuse it too)`);
          }
        } else {
          const problem = checkValue(keyword, args);
          if (problem) throw new SshConfigError(`${where}: ${canonical}: ${problem}`);
          if (keyword === 'ignoreunknown') ctx.ignoreUnknown.push(...args.join(',').split(',').map((s) => s.toLowerCase()));
          nodes.push({ kind: 'option', keyword, args, ...origin });
        }
      }
      lineNo += countNewlines(l.after);
      if ('config' in l && !inSection) for (const sub of l.config) visit(sub, true);
      return;
    }
    lineNo += countNewlines(l.after);
  };
  for (const l of parsed) visit(l, false);
  return { file, nodes };
}

function countNewlines(s: string | undefined): number {
  if (!s) return 0;
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** keeps messages about binary garbage printable (ASCII), one line and short */
function sanitize(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
  return clean.length > 120 ? `${clean.slice(0, 120)}...` : clean;
}

/** Include paths: `~` expanded; relative ones are under ~/.ssh (as for a user config); globs expanded, sorted. */
function expandInclude(pattern: string, home: string): string[] {
  let p = pattern;
  if (p === '~' || p.startsWith('~/')) p = path.join(home, p.slice(1));
  else if (!p.startsWith('/')) p = path.join(home, '.ssh', p);
  if (!/[*?[]/.test(p)) return [p];
  return globPath(p);
}

/** A small glob(3): `*`, `?` and `[...]` within path components; hidden files only when asked for. */
function globPath(pattern: string): string[] {
  const parts = pattern.split('/').filter((x, i) => i === 0 || x !== '');
  let bases = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    if (!/[*?[]/.test(part)) {
      for (const b of bases) next.push(path.join(b, part));
    } else {
      const re = globToRegExp(part, PATH_COMPONENT);
      for (const b of bases) {
        let entries: string[];
        try {
          entries = readdirSync(b);
        } catch {
          continue;
        }
        for (const e of entries.sort()) {
          if (e.startsWith('.') && !part.startsWith('.')) continue;
          if (re.test(e)) next.push(path.join(b, e));
        }
      }
    }
    bases = next;
  }
  return bases.filter((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

// ---- tokens --------------------------------------------------------------------------------------

export interface TokenValues {
  /** %h: the host name to connect to (after HostName) */
  h: string;
  /** %n: the name as given (the inventory's host) */
  n: string;
  /** %p */
  p: string;
  /** %r: the remote login name */
  r: string;
  /** %u: the local user */
  u: string;
  /** %d: the local home folder */
  d: string;
  /** %i: the local uid */
  i: string;
  /** %l, %L: the local host name, with and without its domain */
  l: string;
  L: string;
}

/** The local values of the tokens (%u %d %i %l %L); the caller fills %h %n %p %r. */
export function localTokens(home = os.homedir()): Pick<TokenValues, 'u' | 'd' | 'i' | 'l' | 'L'> {
  let user = process.env['USER'] ?? '';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry: keep $USER */
  }
  const host = os.hostname();
  return { u: user, d: home, i: String(typeof process.getuid === 'function' ? process.getuid() : ''), l: host, L: host.split('.')[0] ?? host };
}

/** Expands `%x` tokens (and `%%`). An unknown token is an error, as in OpenSSH. */
export function expandTokens(value: string, tokens: TokenValues, keyword: string): string {
  return value.replace(/%(.?)/gs, (_m, c: string) => {
    if (c === '%') return '%';
    if (c in tokens) return tokens[c as keyof TokenValues];
    throw new SshConfigError(`${keyword} ${JSON.stringify(value)}: unknown token %${c} (vmsnap expands %h %n %p %r %u %d %i %l %L %%)`);
  });
}

/** `~` and `~/...` → the home folder, as OpenSSH expands paths in IdentityFile and friends. */
export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  if (p.startsWith('~')) throw new SshConfigError(`${JSON.stringify(p)}: only "~/" is expanded, not "~user/"`);
  return p;
}
