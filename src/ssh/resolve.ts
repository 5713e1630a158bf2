// How one inventory host is reached, as `ssh` would reach it: the inventory's host looked up in
// ssh_config as the name given on the command line, then the precedence
//
//     command-line flags  >  the inventory (host, its groups, defaults:)  >  ssh_config  >  built-in defaults
//
// and the ProxyJump chain expanded the way OpenSSH's `-J` does (the first hop's own ProxyJump
// applies, the later hops' do not). Pure apart from reading the environment it is given.
import path from 'node:path';
import { expandTilde, expandTokens, localTokens, SshConfigError, type SshConfig, type SshHostOptions, type TokenValues } from './ssh-config.js';

export type HostKeyMode = 'strict' | 'accept-new';

export interface IdentitySpec {
  file: string;
  /** set by the inventory: unreadable is the host's failure. Otherwise (ssh_config, defaults) a missing file is skipped */
  required: boolean;
  /** where it came from, for messages */
  source: 'inventory' | 'ssh_config' | 'default';
}

/** One machine to open an SSH connection to: a jump host or the audited host itself. */
export interface Endpoint {
  /** how messages name it: the inventory name, or the jump host as written */
  label: string;
  /** the name looked up in ssh_config */
  name: string;
  /** what is connected to (HostName, else the name) */
  hostName: string;
  port: number;
  user: string;
  identities: IdentitySpec[];
  /** ssh-agent socket, null for none */
  agent: string | null;
  knownHostsFiles: string[];
  hostKeyMode: HostKeyMode;
  hashKnownHosts: boolean;
  /** ConnectTimeout: TCP connect until the server's banner; null = only the deadline */
  connectTimeoutMs: number | null;
  /** ServerAliveInterval in ms (0 = off) and ServerAliveCountMax */
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

export interface Route {
  target: Endpoint;
  /** jump hosts, first to last; empty for a direct connection */
  jumps: Endpoint[];
  /** ssh_config keywords in effect for the host or its jump hosts that vmsnap does not honour */
  notHonoured: string[];
}

/** What the audit knows about a host; the inventory's Host satisfies it. */
export interface RouteTarget {
  name: string;
  /** the inventory's `host`: looked up in ssh_config like the name on an ssh command line */
  address: string;
  port: number;
  user: string;
  identityFile: string | null;
  /** the inventory's `jump:` (ProxyJump syntax, or `none`), when it has one */
  jump?: string | null | undefined;
  /**
   * Which of user and port the inventory set itself (on the host, a group or defaults:). When the
   * inventory cannot say, a value equal to the built-in default (root, 22) counts as not set, so
   * ssh_config's User and Port apply to it.
   */
  explicit?: { user?: boolean; port?: boolean } | undefined;
}

export interface ResolveSettings {
  config: SshConfig;
  home: string;
  env: NodeJS.ProcessEnv;
  /** --known-hosts: replaces every UserKnownHostsFile */
  knownHostsFile?: string | undefined;
  /** --accept-new: wins over StrictHostKeyChecking */
  acceptNew?: boolean | undefined;
  /** --jump: wins over the inventory's jump and ssh_config's ProxyJump (`none` for a direct connection) */
  jump?: string | undefined;
  /** the default identity files when nothing names one (OpenSSH's ~/.ssh/id_*) */
  defaultIdentityFiles: string[];
}

export interface Hop {
  user?: string;
  host: string;
  port?: number;
}

/** ProxyJump syntax: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated; `none` is no hop. */
export function parseJumpSpec(spec: string, where: string): Hop[] {
  const s = spec.trim();
  if (s.toLowerCase() === 'none') return [];
  if (s === '') throw new SshConfigError(`${where}: empty jump host list`);
  return s.split(',').map((raw) => {
    let h = raw.trim();
    if (h.startsWith('ssh://')) h = h.slice(6).replace(/\/$/, '');
    const m = /^(?:([^@\s/]+)@)?(\[[^\]\s]+\]|[^@:\s/[\]]+)(?::(\d+))?$/.exec(h);
    if (!m) throw new SshConfigError(`${where}: bad jump host ${JSON.stringify(raw.trim())} (expected [user@]host[:port])`);
    const port = m[3] === undefined ? undefined : Number(m[3]);
    if (port !== undefined && (port < 1 || port > 65535)) throw new SshConfigError(`${where}: bad port in jump host ${JSON.stringify(raw.trim())}`);
    const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
    if (host.startsWith('-')) throw new SshConfigError(`${where}: bad jump host ${JSON.stringify(raw.trim())}`);
    return { ...(m[1] !== undefined ? { user: m[1] } : {}), host, ...(port !== undefined ? { port } : {}) };
  });
}

/** OpenSSH follows at most this many hops (counting those a first hop's own ProxyJump adds). */
const MAX_HOPS = 10;

export class Resolver {
  private readonly local: ReturnType<typeof localTokens>;

  constructor(private readonly s: ResolveSettings) {
    this.local = localTokens(s.home);
  }

  route(t: RouteTarget): Route {
    const notHonoured = new Set<string>();
    const cfg = this.s.config.lookup(t.address);
    note(cfg, notHonoured);
    const userSet = t.explicit?.user ?? t.user !== 'root';
    const portSet = t.explicit?.port ?? t.port !== 22;
    const user = userSet ? t.user : (cfg.user ?? t.user);
    const port = portSet ? t.port : (cfg.port ?? t.port);
    const inventoryIdentity: IdentitySpec[] = t.identityFile ? [{ file: t.identityFile, required: true, source: 'inventory' }] : [];
    const target = this.endpoint(t.name, t.address, user, port, cfg, inventoryIdentity);

    let spec: string | undefined;
    let where: string;
    if (this.s.jump !== undefined) {
      spec = this.s.jump;
      where = '--jump';
    } else if (t.jump !== undefined && t.jump !== null) {
      spec = t.jump;
      where = `host ${t.name}: jump`;
    } else {
      spec = cfg.proxyJump;
      where = `ssh_config ProxyJump for ${t.address}`;
    }
    const jumps = spec === undefined ? [] : this.expandChain(parseJumpSpec(spec, where), where, notHonoured, new Set([t.address.toLowerCase()]));
    return { target, jumps, notHonoured: [...notHonoured] };
  }

  /** The hops, with the first hop's own ProxyJump expanded in front of it (recursively). */
  private expandChain(hops: Hop[], where: string, notHonoured: Set<string>, seen: Set<string>): Endpoint[] {
    if (hops.length === 0) return [];
    const out: Endpoint[] = [];
    const first = hops[0]!;
    const firstCfg = this.s.config.lookup(first.host);
    if (firstCfg.proxyJump !== undefined) {
      const key = first.host.toLowerCase();
      if (seen.has(key)) throw new SshConfigError(`${where}: ProxyJump loops back to ${first.host}`);
      seen.add(key);
      out.push(...this.expandChain(parseJumpSpec(firstCfg.proxyJump, `ssh_config ProxyJump for ${first.host}`), where, notHonoured, seen));
    }
    for (const h of hops) {
      const cfg = h === first ? firstCfg : this.s.config.lookup(h.host);
      note(cfg, notHonoured);
      const user = h.user ?? cfg.user ?? this.local.u;
      const port = h.port ?? cfg.port ?? 22;
      out.push(this.endpoint(`jump host ${h.host}`, h.host, user, port, cfg, []));
    }
    if (out.length > MAX_HOPS) throw new SshConfigError(`${where}: more than ${MAX_HOPS} jump hosts`);
    return out;
  }

  private endpoint(label: string, name: string, user: string, port: number, cfg: SshHostOptions, first: IdentitySpec[]): Endpoint {
    const home = this.s.home;
    const nameTokens: TokenValues = { ...this.local, h: name, n: name, p: String(port), r: user };
    // OpenSSH lowercases the host name it connects to (not the name Host lines are matched against)
    const hostName = (cfg.hostName !== undefined ? expandTokens(cfg.hostName, nameTokens, 'HostName') : name).toLowerCase();
    const tokens: TokenValues = { ...nameTokens, h: hostName };
    // relative paths are taken from the current folder, as ssh does
    const file = (v: string, kw: string) => path.resolve(expandTilde(expandTokens(v, tokens, kw), home));

    const identities: IdentitySpec[] = [...first];
    for (const f of cfg.identityFiles) {
      if (f.toLowerCase() === 'none') continue;
      identities.push({ file: file(f, 'IdentityFile'), required: false, source: 'ssh_config' });
    }
    if (identities.length === 0) for (const f of this.s.defaultIdentityFiles) identities.push({ file: f, required: false, source: 'default' });
    const seen = new Set<string>();
    const unique = identities.filter((i) => (seen.has(i.file) ? false : (seen.add(i.file), true)));

    let agent: string | null = this.s.env['SSH_AUTH_SOCK'] || null;
    if (cfg.identityAgent !== undefined) {
      const a = cfg.identityAgent;
      if (a.toLowerCase() === 'none') agent = null;
      else if (a === 'SSH_AUTH_SOCK') agent = this.s.env['SSH_AUTH_SOCK'] || null;
      else if (a.startsWith('$')) agent = this.s.env[a.slice(1)] || null;
      else agent = file(a, 'IdentityAgent');
    }
    if (cfg.identitiesOnly) agent = null; // vmsnap cannot pick one agent key: IdentitiesOnly means the files only

    const knownHostsFiles =
      this.s.knownHostsFile !== undefined
        ? [this.s.knownHostsFile]
        : cfg.userKnownHostsFiles !== undefined && !(cfg.userKnownHostsFiles.length === 1 && cfg.userKnownHostsFiles[0]!.toLowerCase() === 'none')
          ? cfg.userKnownHostsFiles.map((f) => file(f, 'UserKnownHostsFile'))
          : [path.join(home, '.ssh', 'known_hosts')];
    const strict = cfg.strictHostKeyChecking;
    const hostKeyMode: HostKeyMode = this.s.acceptNew || strict === 'accept-new' || strict === 'no' || strict === 'off' ? 'accept-new' : 'strict';
    return {
      label,
      name,
      hostName,
      port,
      user,
      identities: unique,
      agent,
      knownHostsFiles,
      hostKeyMode,
      hashKnownHosts: cfg.hashKnownHosts ?? false,
      connectTimeoutMs: cfg.connectTimeout ? cfg.connectTimeout * 1000 : null,
      keepaliveIntervalMs: (cfg.serverAliveInterval ?? 0) * 1000,
      keepaliveCountMax: cfg.serverAliveCountMax ?? 3,
    };
  }
}

function note(cfg: SshHostOptions, into: Set<string>): void {
  for (const n of cfg.notHonoured) into.add(n.keyword);
}

/** `user@host:port` of an endpoint, as messages and the jump-host pool name it. */
export function endpointId(e: Endpoint): string {
  const host = e.hostName.includes(':') ? `[${e.hostName}]` : e.hostName;
  return `${e.user}@${host}:${e.port}`;
}
