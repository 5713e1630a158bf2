// Plans `--fix`: the smallest permission/ownership change per audited file that makes its fixable
// findings pass, and every refusal with its reason. Pure: facts and findings in, a plan out.
//
// The extension runs the scripts as root, so a careless fixer is a privilege-escalation tool. The
// planner only ever touches the config, the scripts it names and the host conf, as this run saw
// them; only regular files that are not symlinks; never directories, never content. A script is
// touched only when the config that names it is trusted (root-owned, not writable by anyone else,
// in directories no one else can write), when it lives under an allowed directory, outside system
// directories, with a single hard link. The fixer on the VM then checks device and inode.
//
// The extension's owner and mode checks are themselves a security control: they stop root from
// running (or importing) what a non-root user wrote. So by default no change makes the extension
// trust a file a non-root user owns or can write ("adoption"); --fix-adopt allows it for the
// config and the scripts once the operator has reviewed them. The host conf names the Python module
// the extension imports as root: it is never adopted, and never changed unless it holds exactly
// the values the extension ships.
import { posix } from 'node:path';
import { UsageError } from '../errors.js';
import { DEFAULT_CONFIG_PATH, type HostFacts, type PathFacts, type StatFacts } from '../model/facts.js';
import type { Finding, FixRecord } from '../model/report.js';
import { formatMode, nonRootWriters } from '../rules/helpers.js';

export type FixRole = 'config' | 'prescript' | 'postscript' | 'hostconf';

/** What the fixer must find at `path` before it changes anything (from this run's lstat). */
export interface ExpectedFile {
  dev: number;
  ino: number;
  uid: number;
  gid: number;
  mode: number;
}

export interface PlannedChange {
  role: FixRole;
  /** true when the change makes root trust a file a non-root user owns or can write (--fix-adopt) */
  adopt: boolean;
  path: string;
  expect: ExpectedFile;
  /** the new owner (uid, gid) when it changes */
  chown: { uid: number; gid: number } | null;
  /** the new permission bits when they change */
  chmod: number | null;
  requireSingleLink: boolean;
  /** the records reported for this change, in the order applied (chown, then chmod) */
  records: FixRecord[];
}

export interface FixPlan {
  changes: PlannedChange[];
  /** changes the planner will not make, already as report records (applied: false, with a reason) */
  refused: FixRecord[];
}

export interface FixPolicy {
  /** directories under which scripts may be changed (default ['/etc/azure']) */
  allowedScriptDirs: readonly string[];
  /**
   * --fix-adopt: the operator reviewed the config and scripts, so they may be made root's (or
   * stripped of group/other write) even though a non-root user owns or can write them. Never the
   * host conf. Default false.
   */
  adopt?: boolean;
}

/** The policy for --fix-allow-dir values (absolute, normalised, never a system directory) and --fix-adopt. */
export function fixPolicy(allowDirs: readonly string[] = [], adopt = false): FixPolicy {
  const dirs = allowDirs.map((d) => {
    if (!d.startsWith('/')) throw new UsageError(`--fix-allow-dir ${JSON.stringify(d)}: must be an absolute path`, { flag: 'fix-allow-dir' });
    const n = posix.normalize(d).replace(/\/+$/, '') || '/';
    const sys = SYSTEM_DIRS.find((s) => isUnder(n, s) || isUnder(s, n));
    if (sys) throw new UsageError(`--fix-allow-dir ${d}: vmsnap never changes files in or above ${sys}`, { flag: 'fix-allow-dir' });
    return n;
  });
  return { allowedScriptDirs: [...DEFAULT_ALLOWED_SCRIPT_DIRS, ...dirs], adopt };
}

/** The values of [pre_post] in the host conf the extension ships (ConfigParser lowercases keys). */
export const SHIPPED_HOSTCONF: Readonly<Record<string, string>> = {
  numberofplugins: '1',
  pluginname0: 'ScriptRunner',
  pluginpath0: '/etc/azure',
  pluginconfigpath0: DEFAULT_CONFIG_PATH,
};

/** Never changed, whatever --fix-allow-dir says: system binaries and kernel file systems. */
export const SYSTEM_DIRS = ['/bin', '/sbin', '/usr', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/dev', '/proc', '/sys', '/run'];

export const DEFAULT_ALLOWED_SCRIPT_DIRS = ['/etc/azure'];

/** Which fixable rules concern which file. */
const ROLE_OF_RULE: Record<string, FixRole | 'script'> = {
  'config-mode': 'config',
  'config-owner': 'config',
  'config-mode-recommended': 'config',
  'config-writable-by-non-root': 'config',
  'hostconf-mode': 'hostconf',
  'hostconf-owner': 'hostconf',
  'prescript-mode': 'prescript',
  'prescript-owner': 'prescript',
  'postscript-mode': 'postscript',
  'postscript-owner': 'postscript',
  'script-mode-recommended': 'script',
};

export function isUnder(path: string, dir: string): boolean {
  const d = dir.endsWith('/') && dir !== '/' ? dir.slice(0, -1) : dir;
  return d === '/' || path === d || path.startsWith(d + '/');
}

function ownerLabel(uid: number, gid: number, st?: StatFacts): string {
  const u = st && st.uid === uid ? (st.owner ?? String(uid)) : uid === 0 ? 'root' : String(uid);
  const g = st && st.gid === gid ? (st.group ?? String(gid)) : gid === 0 ? 'root' : String(gid);
  return `${u}:${g}`;
}

/** The state the doc asks for, as the smallest change from `st`. */
function target(role: FixRole, st: StatFacts): { uid: number; mode: number } {
  switch (role) {
    case 'config':
      return { uid: 0, mode: 0o600 };
    case 'prescript':
    case 'postscript':
      return { uid: 0, mode: 0o700 };
    case 'hostconf':
      // the extension's own test is (mode & 0o033) == 0: drop group/other write and execute, and
      // never keep a setuid, setgid or sticky bit (& 0o777)
      return { uid: 0, mode: st.mode & ~0o033 & 0o777 };
  }
}

function fileOf(facts: HostFacts, role: FixRole): PathFacts | null {
  switch (role) {
    case 'config':
      return facts.config.file;
    case 'hostconf':
      return facts.hostConf.file;
    case 'prescript':
      return facts.scripts.pre?.file ?? null;
    case 'postscript':
      return facts.scripts.post?.file ?? null;
  }
}

/**
 * Why root cannot trust what a file says: it or a directory above it is not root's alone (a
 * non-root owner can chmod it); null when it can. `what` names the file, `dirWhat` its directories.
 */
function untrusted(stat: StatFacts, parents: PathFacts['parents'], ownedByRoot: boolean, what: string, dirWhat: string): string | null {
  if (!ownedByRoot) return `${what} is not owned by root`;
  const writers = nonRootWriters(stat);
  if (writers.length > 0) return `${what} is writable by a non-root user (${writers[0]})`;
  for (const d of parents) {
    if (!d.stat || d.stat.type === 'symlink') continue;
    const w = nonRootWriters(d.stat);
    if (w.length > 0) return `${dirWhat} ${d.path} is writable by a non-root user (${w[0]})`;
  }
  return null;
}

/** Why the config cannot be trusted to name what root runs; null when it can. */
export function configDistrust(facts: HostFacts): string | null {
  const f = facts.config.file;
  if (!f.lstat || f.lstat.type !== 'file' || !f.stat) return `the config ${f.path} is not a regular file`;
  return untrusted(f.stat, f.parents, f.stat.uid === 0 && f.stat.owner === 'root', `the config ${f.path}`, "the config's directory");
}

/** Why the host conf cannot be trusted to name the config; null when it can (or names the default). */
function hostConfDistrust(facts: HostFacts): string | null {
  const hc = facts.hostConf.file;
  if (!hc || !hc.stat || facts.configPath === DEFAULT_CONFIG_PATH) return null;
  return untrusted(hc.stat, hc.parents, hc.stat.uid === 0, `the host conf ${hc.path} that names it`, "the host conf's directory");
}

function refuse(path: string, st: StatFacts | null, want: { uid: number; mode: number } | null, reason: string): FixRecord[] {
  if (!st || !want) return [{ path, action: 'chmod', from: st ? formatMode(st.mode) : '?', to: want ? formatMode(want.mode) : '?', applied: false, reason }];
  const out: FixRecord[] = [];
  if (st.uid !== want.uid) out.push({ path, action: 'chown', from: ownerLabel(st.uid, st.gid, st), to: ownerLabel(want.uid, st.gid, st), applied: false, reason });
  if (st.mode !== want.mode) out.push({ path, action: 'chmod', from: formatMode(st.mode), to: formatMode(want.mode), applied: false, reason });
  if (out.length === 0) out.push({ path, action: 'chmod', from: formatMode(st.mode), to: formatMode(want.mode), applied: false, reason });
  return out;
}

/** Why a script may not be changed; null when it may. */
function scriptRefusal(facts: HostFacts, file: PathFacts, policy: FixPolicy): string | null {
  const distrust = configDistrust(facts);
  if (distrust) {
    return `${distrust}: it could name any file (/bin/sh, /etc/shadow), so no script it names is changed; fix the config, check what it points to, then run --fix again`;
  }
  return placeRefusal(file, policy, 'scripts') ?? plantedRefusal(file);
}

/** What every changed file needs: one link, a plain path, outside system directories. */
function fileRefusal(file: PathFacts): string | null {
  const st = file.lstat!;
  if (st.nlink !== 1) return `it has ${st.nlink} hard links: changing it would change another path too`;
  const normal = posix.normalize(file.path);
  if (file.realpath !== normal) return `its path goes through a symlinked directory (it resolves to ${file.realpath})`;
  const system = SYSTEM_DIRS.find((d) => isUnder(normal, d));
  if (system) return `it lives under ${system}, a system directory: vmsnap never changes files there`;
  return null;
}

/** fileRefusal, then: under a directory --fix may change `what` in. */
function placeRefusal(file: PathFacts, policy: FixPolicy, what: 'scripts' | 'files'): string | null {
  const why = fileRefusal(file);
  if (why) return why;
  const normal = posix.normalize(file.path);
  if (!policy.allowedScriptDirs.some((d) => isUnder(normal, d))) {
    return `it is outside the directories --fix may change ${what} in (${policy.allowedScriptDirs.join(', ')}; add one with --fix-allow-dir)`;
  }
  return null;
}

/**
 * Why the config may not be changed; null when it may. Its path comes from the host conf, so it
 * gets the scripts' protections: a host conf anyone could edit could point it at /etc/passwd.
 */
function configRefusal(facts: HostFacts, file: PathFacts, policy: FixPolicy): string | null {
  const distrust = hostConfDistrust(facts);
  if (distrust) return `${distrust}: it could name any file as the config, so the config is not changed; fix the host conf first`;
  const why = placeRefusal(file, policy, 'files');
  if (why) return why;
  const parse = facts.config.parse;
  if (!parse || !parse.ok || typeof parse.value !== 'object' || parse.value === null || Array.isArray(parse.value)) {
    return 'it is not a JSON object the extension could read as its config, so it may be some other file: fix its content first';
  }
  return plantedRefusal(file);
}

/**
 * A file not owned by root in a directory a non-root user can write may have been planted by that
 * user: making it root-owned would hand their code (or their config) to root.
 */
function plantedRefusal(file: PathFacts): string | null {
  if (!file.lstat || file.lstat.uid === 0) return null;
  for (const d of file.parents) {
    if (!d.stat || d.stat.type === 'symlink') continue;
    const w = nonRootWriters(d.stat);
    if (w.length > 0) return `it is not owned by root and its directory ${d.path} is writable by a non-root user (${w[0]}): it may have been planted; check it and chown it by hand`;
  }
  return null;
}

/**
 * Why making root trust this file would hand root to a non-root user; null when no non-root user
 * owns or can write it, or when --fix-adopt covers it. Such a user may have written anything in it
 * (or may still hold it open for writing): today the extension refuses it for that very reason.
 */
function adoptionRefusal(role: FixRole, st: StatFacts, policy: FixPolicy): string | null {
  const writers = nonRootWriters(st);
  if (writers.length === 0) return null;
  const who = writers.join('; ');
  if (role === 'hostconf') {
    return `${who}: the extension refuses it for that reason, and once root's it would import as root the plugin module it names. vmsnap never adopts a host conf, whatever the flags: reinstall the extension (or replace the override with a root-owned copy of the shipped file)`;
  }
  if (policy.adopt === true) return null;
  const runs = role === 'config' ? 'read as root the scripts it names' : 'run its content as root';
  return `${who}: once root's, the extension would ${runs}. Review its content${role === 'config' ? ' and the scripts it names' : ''}, then chown/chmod it by hand or run again with --fix-adopt`;
}

/** How the host conf differs from what the extension ships (or why it cannot be read); null when it does not. */
export function hostConfDeviation(facts: HostFacts): string | null {
  const hc = facts.hostConf;
  if (hc.parseError !== null || hc.sections === null) return 'it is not an INI file vmsnap could read';
  const pp = hc.sections['pre_post'];
  if (!pp) return 'it has no [pre_post] section';
  for (const [key, want] of Object.entries(SHIPPED_HOSTCONF)) {
    const have = pp[key];
    if (have === undefined) return `it has no ${key} (the extension ships ${key} = ${want})`;
    if (have.trim() !== want) return `${key} is ${JSON.stringify(have)} (the extension ships ${want})`;
  }
  return null;
}

/** Why the host conf may not be changed; null when it may. */
function hostConfRefusal(facts: HostFacts, file: PathFacts): string | null {
  const why = fileRefusal(file) ?? plantedRefusal(file);
  if (why) return why;
  const deviation = hostConfDeviation(facts);
  if (deviation) {
    return `${deviation}: vmsnap changes only a host conf that holds the values the extension ships; reinstall the extension so it writes its own host conf again`;
  }
  return null;
}

export function planFixes(facts: HostFacts, findings: readonly Finding[], policy: FixPolicy): FixPlan {
  const roles = new Set<FixRole>();
  for (const f of findings) {
    if (!f.fixable) continue;
    const role = ROLE_OF_RULE[f.rule];
    if (role === 'script') {
      if (f.path && f.path === facts.scripts.pre?.file?.path) roles.add('prescript');
      if (f.path && f.path === facts.scripts.post?.file?.path) roles.add('postscript');
    } else if (role) {
      roles.add(role);
    }
  }
  const plan: FixPlan = { changes: [], refused: [] };
  const seen = new Set<string>();
  for (const role of ['config', 'hostconf', 'prescript', 'postscript'] as const) {
    if (!roles.has(role)) continue;
    const file = fileOf(facts, role);
    if (!file) continue;
    const st = file.lstat;
    if (!st || st.type !== 'file') {
      const why =
        st?.type === 'symlink'
          ? `it is a symlink (to ${file.realpath ?? file.symlinkChain.join(' -> ')}): vmsnap never changes a file through a link; check the target and fix it by hand`
          : `it is not a regular file (${st ? st.type : (file.errno ?? 'missing')})`;
      plan.refused.push(...refuse(file.path, file.stat, file.stat ? target(role, file.stat) : null, why));
      continue;
    }
    // the same file named twice (pre and post script are one file): plan it once
    if (seen.has(`${st.dev}:${st.ino}`)) continue;
    seen.add(`${st.dev}:${st.ino}`);
    const want = target(role, st);
    {
      const why =
        role === 'prescript' || role === 'postscript'
          ? scriptRefusal(facts, file, policy)
          : role === 'config'
            ? configRefusal(facts, file, policy)
            : hostConfRefusal(facts, file);
      // for the host conf, that a non-root user could have written it is the first thing to say
      const refusal = role === 'hostconf' ? (adoptionRefusal(role, st, policy) ?? why) : (why ?? adoptionRefusal(role, st, policy));
      if (refusal) {
        plan.refused.push(...refuse(file.path, st, want, refusal));
        continue;
      }
    }
    const adopt = nonRootWriters(st).length > 0;
    const chown = st.uid !== want.uid ? { uid: want.uid, gid: st.gid } : null;
    const chmod = st.mode !== want.mode ? want.mode : null;
    if (!chown && chmod === null) continue;
    const records: FixRecord[] = [];
    if (chown) {
      records.push({
        path: file.path,
        action: 'chown',
        from: ownerLabel(st.uid, st.gid, st),
        to: ownerLabel(chown.uid, chown.gid, st),
        applied: false,
      });
    }
    if (chmod !== null) records.push({ path: file.path, action: 'chmod', from: formatMode(st.mode), to: formatMode(chmod), applied: false });
    // only --fix-adopt gets here with a file a non-root user could write: say so on the record
    if (adopt) records[0]!.note = `adopted with --fix-adopt (${nonRootWriters(st).join('; ')}): the extension now trusts what is in it`;
    plan.changes.push({
      role,
      adopt,
      path: file.path,
      expect: { dev: st.dev, ino: st.ino, uid: st.uid, gid: st.gid, mode: st.mode },
      chown,
      chmod,
      requireSingleLink: true,
      records,
    });
  }
  return plan;
}
