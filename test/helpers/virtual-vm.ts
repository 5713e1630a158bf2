// A virtual test VM: the files of a VmSpec (src/fleet/spec.ts) in an in-memory file system, and a
// TypeScript mirror of src/collect/collector.py run over it, followed by the client's config parse
// (src/collect/parse-config.ts). It lets rule tests and the demo-fleet test judge exactly the facts
// a real VM built from the same FileSpec list would produce, without SSH or root. Only `sh -n` runs
// for real (the machine's /bin/sh, on a temporary copy of the script), as the collector does.
// test/helpers/virtual-vm.e2e.test.ts keeps it in step: the demo fleet built for real gives the same facts.
//
// Modelled after the fleet harness: missing parent directories are root:root 0755, a file's group
// defaults to its owner's id, each fleet user has a same-named group with the same id.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as posix from 'node:path/posix';
import { parseConfigBytes } from '../../src/collect/parse-config.js';
import { findBashisms } from '../../src/collect/scan-shell.js';
import {
  DEFAULT_CONFIG_PATH,
  EXTENSION_LOG_PATH,
  HOSTCONF_OVERRIDE_PATH,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_PARSE_BYTES,
  WORKLOAD_CONF_PATH,
  type ConfigParse,
  type DirFacts,
  type ExtensionFolder,
  type HostFacts,
  type PathFacts,
  type ScriptFacts,
  type StatFacts,
} from '../../src/model/facts.js';
import { FLEET_USERS, PRIVATE_ROOTS, type FileSpec, type Owner } from '../../src/fleet/spec.js';

/** collector.py's CONFIG_KEYS: the keys the extension reads (the doc's appName is not one) */
const COLLECTOR_CONFIG_KEYS: readonly string[] = [
  'pluginName', 'preScriptLocation', 'postScriptLocation', 'preScriptParams', 'postScriptParams', 'preScriptNoOfRetries',
  'postScriptNoOfRetries', 'timeoutInSeconds', 'continueBackupOnFailure', 'fsFreezeEnabled', 'ScriptsExecutionPollTimeSeconds',
];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

type NodeType = 'file' | 'dir' | 'symlink';
interface VNode {
  type: NodeType;
  mode: number;
  uid: number;
  gid: number;
  ino: number;
  content?: Uint8Array;
  target?: string;
}

const NAMES = new Map<number, string>([[0, 'root'], ...Object.entries(FLEET_USERS).map(([n, id]) => [id, n] as [number, string])]);
const EXT_GLOB_PREFIX = 'Microsoft.Azure.RecoveryServices.VMSnapshotLinux-';
const LOG_MARKERS = ['StatusCode.FailedPrepost', 'Triggering File System Consistent Backup', 'Enable Succeeded with App Consistent Snapshot'];
const enc = new TextEncoder();
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function ownerId(o: Owner | undefined, fallback: number): number {
  if (o === undefined) return fallback;
  if (typeof o === 'number') return o;
  return o === 'root' ? 0 : FLEET_USERS[o];
}

type Resolved = { node: VNode; path: string } | { errno: string };

export class VirtualFs {
  private readonly nodes = new Map<string, VNode>();
  private nextIno = 100;

  constructor(files: readonly FileSpec[]) {
    this.put('/', { type: 'dir', mode: 0o755, uid: 0, gid: 0 });
    for (const root of ['/usr', ...PRIVATE_ROOTS, '/var/lib', '/var/log']) {
      this.ensureDirs(root);
      if (root === '/root') this.nodes.get(root)!.mode = 0o700;
    }
    for (const f of files) {
      this.ensureDirs(posix.dirname(f.path));
      if (f.type === 'dir') {
        const uid = ownerId(f.owner, 0);
        this.put(f.path, { type: 'dir', mode: f.mode, uid, gid: ownerId(f.group, uid) }, true);
      } else if (f.type === 'symlink') {
        this.put(f.path, { type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: f.target });
      } else {
        const uid = ownerId(f.owner, 0);
        const content = typeof f.content === 'string' ? enc.encode(f.content) : f.content;
        this.put(f.path, { type: 'file', mode: f.mode, uid, gid: ownerId(f.group, uid), content });
      }
    }
  }

  private put(path: string, n: Omit<VNode, 'ino'>, keepIno = false): void {
    const prev = this.nodes.get(path);
    this.nodes.set(path, { ...n, ino: keepIno && prev ? prev.ino : this.nextIno++ });
  }

  private ensureDirs(dir: string): void {
    if (this.nodes.has(dir)) return;
    this.ensureDirs(posix.dirname(dir));
    this.put(dir, { type: 'dir', mode: 0o755, uid: 0, gid: 0 });
  }

  /** Path resolution as the kernel does it (at most 40 links). */
  resolve(path: string, followLast: boolean, hops = 0): Resolved {
    const parts = posix.normalize(path).split('/').filter(Boolean);
    let cur = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(cur, parts[i]!);
      const node = this.nodes.get(next);
      if (!node) return { errno: 'ENOENT' };
      const last = i === parts.length - 1;
      if (node.type === 'symlink' && (!last || followLast)) {
        if (hops >= 40) return { errno: 'ELOOP' };
        const target = node.target!.startsWith('/') ? node.target! : posix.join(cur, node.target!);
        return this.resolve([target, ...parts.slice(i + 1)].join('/'), followLast, hops + 1);
      }
      if (!last && node.type !== 'dir') return { errno: 'ENOTDIR' };
      cur = next;
    }
    const node = this.nodes.get(cur);
    return node ? { node, path: cur } : { errno: 'ENOENT' };
  }

  children(dir: string): string[] {
    const r = this.resolve(dir, true);
    if ('errno' in r || r.node.type !== 'dir') return [];
    const prefix = r.path === '/' ? '/' : `${r.path}/`;
    return [...this.nodes.keys()]
      .filter((p) => p.startsWith(prefix) && p !== r.path && !p.slice(prefix.length).includes('/'))
      .map((p) => posix.join(dir, p.slice(prefix.length)));
  }

  statDict(n: VNode, path: string): StatFacts {
    const subdirs = n.type === 'dir' ? this.children(path).filter((c) => this.nodes.get(c)?.type === 'dir').length : 0;
    return {
      type: n.type,
      mode: n.mode & 0o7777,
      uid: n.uid,
      gid: n.gid,
      owner: NAMES.get(n.uid) ?? null,
      group: NAMES.get(n.gid) ?? null,
      size: n.type === 'file' ? n.content!.length : n.type === 'symlink' ? enc.encode(n.target).length : 4096,
      nlink: n.type === 'dir' ? 2 + subdirs : 1,
      dev: 2049,
      ino: n.ino,
    };
  }

  tryStat(path: string, follow: boolean): [StatFacts | null, string | null] {
    const r = this.resolve(path, follow);
    return 'errno' in r ? [null, r.errno] : [this.statDict(r.node, r.path), null];
  }

  isFile(path: string): boolean {
    const r = this.resolve(path, true);
    return !('errno' in r) && r.node.type === 'file';
  }

  isDir(path: string): boolean {
    const r = this.resolve(path, true);
    return !('errno' in r) && r.node.type === 'dir';
  }

  /** At most cap+1 bytes of a regular file, or null (collector.read_capped). */
  readCapped(path: string, cap: number): Uint8Array | null {
    const r = this.resolve(path, true);
    if ('errno' in r || r.node.type !== 'file') return null;
    return r.node.content!.subarray(0, cap + 1);
  }

  realpath(path: string): string | null {
    const r = this.resolve(path, true);
    return 'errno' in r ? null : r.path;
  }

  readlink(path: string): string | null {
    const r = this.resolve(path, false);
    return 'errno' in r || r.node.type !== 'symlink' ? null : r.node.target!;
  }
}

/** collector.ancestors: '/etc/azure/x.json' -> ['/', '/etc', '/etc/azure'] */
function ancestors(path: string): string[] {
  const out: string[] = [];
  let parent = posix.dirname(path);
  for (;;) {
    out.push(parent);
    if (parent === '/' || parent === '') break;
    const next = posix.dirname(parent);
    if (next === parent) break;
    parent = next;
  }
  return out.reverse().filter(Boolean);
}

/** os.path.join: an absolute second part replaces the first */
function pyJoin(a: string, b: string): string {
  return b.startsWith('/') ? b : posix.join(a, b);
}

function linkChain(vfs: VirtualFs, path: string): [string[], string] {
  const chain: string[] = [];
  let cur = path;
  for (let i = 0; i < 40; i++) {
    const target = vfs.readlink(cur);
    if (target === null) break;
    chain.push(target);
    cur = posix.normalize(pyJoin(posix.dirname(cur), target));
  }
  return [chain, cur];
}

export function pathFacts(vfs: VirtualFs, path: string): PathFacts {
  const [lst, lerr] = vfs.tryStat(path, false);
  const [st, err] = vfs.tryStat(path, true);
  const [chain, last] = lst && lst.type === 'symlink' ? linkChain(vfs, path) : [[], path];
  const real = st ? vfs.realpath(path) : null;
  const wanted = ancestors(path);
  for (const hop of [...(chain.length ? [last] : []), ...(real ? [real] : [])]) wanted.push(...ancestors(hop));
  const seen = new Set<string>();
  const parents: DirFacts[] = [];
  for (const d of wanted) {
    if (seen.has(d)) continue;
    seen.add(d);
    const [dst, derr] = vfs.tryStat(d, false);
    parents.push({ path: d, stat: dst, errno: derr });
  }
  return { path, lstat: lst, stat: st, errno: st ? null : (err ?? lerr), symlinkChain: chain, realpath: real, parents };
}

/** A sketch of Python 3's RawConfigParser (strict): sections, lower-cased keys, first-line errors. */
export function parseIni(text: string): [Record<string, Record<string, string>> | null, string | null] {
  const sections: Record<string, Record<string, string>> = {};
  let cur: Record<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.replace(/\s+$/, '');
    const stripped = line.trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
      lastKey = null;
      continue;
    }
    if (cur && lastKey && /^\s/.test(raw)) {
      cur[lastKey] += `\n${stripped}`;
      continue;
    }
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      const name = header[1]!;
      if (name in sections) return [null, `DuplicateSectionError: While reading from '<string>' [line  ?]: section '${name}' already exists`];
      cur = sections[name] = {};
      lastKey = null;
      continue;
    }
    if (!cur) return [null, 'MissingSectionHeaderError: File contains no section headers.'];
    const opt = /^(.*?)\s*[=:]\s*(.*)$/.exec(line);
    if (!opt || opt[1]!.trim() === '') return [null, "ParsingError: Source contains parsing errors: '<string>'"];
    const key = opt[1]!.trim().toLowerCase();
    if (key in cur) return [null, `DuplicateOptionError: While reading from '<string>' [line  ?]: option '${key}' already exists`];
    cur[key] = opt[2]!;
    lastKey = key;
  }
  return [sections, null];
}

const shCache = new Map<string, { ok: boolean; message: string } | null>();

/** `/bin/sh -n` on a copy of the script, the copy's path replaced by the VM path in the message. */
function shSyntax(path: string, content: Uint8Array): { ok: boolean; message: string } | null {
  if (!fs.existsSync('/bin/sh')) return null;
  const key = `${path}\0${Buffer.from(content).toString('base64')}`;
  if (shCache.has(key)) return shCache.get(key)!;
  const dir = fs.mkdtempSync(posix.join(os.tmpdir(), 'vmsnap-sh-'));
  try {
    const copy = posix.join(dir, 'script');
    fs.writeFileSync(copy, content);
    const r = spawnSync('/bin/sh', ['-n', copy], { encoding: 'utf8', timeout: 10_000 });
    const result = { ok: r.status === 0, message: (r.stderr ?? '').split(copy).join(path).trim().slice(0, 500) };
    shCache.set(key, result);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function lenientJson(data: Uint8Array): unknown {
  try {
    let src = lossy.decode(data);
    if (src.startsWith('\ufeff')) src = src.slice(1);
    return JSON.parse(src) as unknown;
  } catch {
    return null;
  }
}

function scriptFacts(vfs: VirtualFs, which: 'pre' | 'post', cfg: unknown, extdir: string | null): ScriptFacts {
  const key = `${which}ScriptLocation`;
  // `configured` stays absent when the key is missing, as in the collector's JSON
  const out: ScriptFacts = { which, resolvedPath: null, file: null, firstLine: null, shSyntax: null, bashisms: null };
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg) || !(key in cfg)) return out;
  const value = (cfg as Record<string, unknown>)[key];
  out.configured = value;
  if (typeof value !== 'string' || value === '') return out;
  let resolved: string;
  // os.path.join(extdir, value): keeps "./" segments, which posix.join would normalise away
  if (value.startsWith('/')) resolved = value;
  else if (extdir) resolved = `${extdir.replace(/\/$/, '')}/${value}`;
  else return out;
  out.resolvedPath = resolved;
  out.file = pathFacts(vfs, resolved);
  const st = out.file.stat;
  if (st && st.type === 'file') {
    const head = vfs.readCapped(resolved, 255);
    if (head) {
      const nl = head.indexOf(10);
      out.firstLine = lossy.decode(nl >= 0 ? head.subarray(0, nl) : head);
    }
    const whole = vfs.readCapped(resolved, 65536);
    if (whole) out.bashisms = findBashisms(lossy.decode(whole.subarray(0, 65536)));
    if (st.size <= MAX_CONFIG_BYTES) out.shSyntax = shSyntax(resolved, vfs.readCapped(resolved, MAX_CONFIG_BYTES)!);
  }
  return out;
}

function libDir(vfs: VirtualFs): [string, 'default' | 'waagent.conf'] {
  // as WALinuxAgent's ConfigurationProvider (and collector.py's lib_dir): last line wins
  const data = vfs.readCapped('/etc/waagent.conf', 256 * 1024);
  let value: string | null = null;
  if (data) {
    for (const line of lossy.decode(data).split('\n')) {
      if (line.startsWith('#') || !line.includes('=')) continue;
      const eq = line.indexOf('=');
      if (line.slice(0, eq).trim() !== 'Lib.Dir') continue;
      const v = line.slice(eq + 1).split('#')[0]!.replace(/^[" ]+|[" ]+$/g, '').trim();
      value = v === 'None' ? null : v;
    }
  }
  return value ? [value, 'waagent.conf'] : ['/var/lib/waagent', 'default'];
}

function extensions(vfs: VirtualFs, libdir: string): [ExtensionFolder[], string | null] {
  const found: ExtensionFolder[] = [];
  const dirs = vfs
    .children(libdir)
    .filter((p) => posix.basename(p).startsWith(EXT_GLOB_PREFIX))
    .sort();
  for (const d of dirs) {
    if (!vfs.isDir(d)) continue;
    const version = d.slice(d.lastIndexOf('-') + 1);
    const raw = vfs.readCapped(posix.join(d, 'config', 'HandlerState'), 256);
    const state = raw !== null ? lossy.decode(raw).trim() : null;
    const parts = version.split('.');
    found.push({
      dir: d,
      version,
      versionParts: parts.length && parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : null,
      handlerState: state,
      eligible: state !== null && state !== 'NotInstalled' && state !== 'FailedUpgrade',
    });
  }
  const eligible = found.filter((e) => e.eligible);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length) return -1;
      if (i >= b.length) return 1;
      if (a[i] !== b[i]) return a[i]! - b[i]!;
    }
    return 0;
  };
  eligible.sort((a, b) => cmp(a.versionParts ?? [-1], b.versionParts ?? [-1]));
  return [found, eligible.length ? eligible[eligible.length - 1]!.dir : null];
}

function tailOutcomes(vfs: VirtualFs, path: string): HostFacts['extensionLog'] {
  const info: HostFacts['extensionLog'] = { path, exists: false, size: null, outcomeLines: [] };
  const [st] = vfs.tryStat(path, true);
  if (!st) return info;
  info.exists = true;
  info.size = st.size;
  if (st.type !== 'file') return info;
  const all = vfs.readCapped(path, Number.MAX_SAFE_INTEGER)!;
  const tail = 262144;
  const start = Math.max(0, all.length - tail);
  let lines = lossy.decode(all.subarray(start)).split(/\r\n|\n|\r/);
  if (start > 0 && lines.length) lines = lines.slice(1);
  info.outcomeLines = lines.filter((l) => LOG_MARKERS.some((m) => l.includes(m))).map((l) => l.slice(0, 500)).slice(-20);
  return info;
}

/** What collector.py prints for a VM with these files, after the client parsed the config. */
export function collectFacts(files: readonly FileSpec[]): HostFacts {
  const vfs = new VirtualFs(files);
  const [libdir, source] = libDir(vfs);
  const [exts, selected] = extensions(vfs, libdir);

  const extConf = selected ? posix.join(selected, 'main', 'VMSnapshotPluginHost.conf') : null;
  let hcSource: 'override' | 'extension' | 'none';
  let hcPath: string | null;
  if (vfs.isFile(HOSTCONF_OVERRIDE_PATH)) [hcSource, hcPath] = ['override', HOSTCONF_OVERRIDE_PATH];
  else if (extConf && vfs.isFile(extConf)) [hcSource, hcPath] = ['extension', extConf];
  else [hcSource, hcPath] = ['none', extConf];
  const hostConf: HostFacts['hostConf'] = {
    overridePath: HOSTCONF_OVERRIDE_PATH,
    extensionPath: extConf,
    source: hcSource,
    file: null,
    sections: null,
    parseError: null,
  };
  let configPath = DEFAULT_CONFIG_PATH;
  if (hcPath) {
    hostConf.file = pathFacts(vfs, hcPath);
    const data = vfs.readCapped(hcPath, 64 * 1024);
    if (data) {
      [hostConf.sections, hostConf.parseError] = parseIni(lossy.decode(data));
      const target = hostConf.sections?.['pre_post']?.['pluginconfigpath0'];
      if (target) configPath = posix.isAbsolute(target) || !selected ? target : posix.join(selected, target);
    }
  }

  const cfgFile = pathFacts(vfs, configPath);
  let size: number | null = null;
  let parse: ConfigParse | null = null;
  let cfgData: Uint8Array | null = null;
  let judgedOnVm = false;
  if (cfgFile.stat && cfgFile.stat.type === 'file') {
    size = cfgFile.stat.size;
    const data = vfs.readCapped(configPath, MAX_CONFIG_BYTES);
    if (data && data.length > MAX_CONFIG_BYTES) {
      // the collector has Python's json read it on the VM; the client's parser stands in for it here
      const whole = vfs.readCapped(configPath, MAX_CONFIG_PARSE_BYTES);
      if (!whole || whole.length > MAX_CONFIG_PARSE_BYTES) {
        parse = { ok: false, kind: 'too_large', message: `over vmsnap's 16 MiB limit, so it was not read`, line: null, column: null };
      } else {
        judgedOnVm = true;
        cfgData = whole;
        parse = parseConfigBytes(whole);
      }
    } else if (data) {
      cfgData = data;
      parse = parseConfigBytes(data);
    }
  }
  if (judgedOnVm && parse?.ok && isObject(parse.value) && JSON.stringify(parse.value).length > MAX_CONFIG_BYTES) {
    // as collector.py's python_parse: a config too big to ship keeps the extension's own keys and
    // small values; every other value is named, not shipped
    parse = {
      ...parse,
      value: Object.fromEntries(
        Object.entries(parse.value).map(([k, v]) => [k, COLLECTOR_CONFIG_KEYS.includes(k) || JSON.stringify(v).length <= 1024 ? v : '(vmsnap: value not shipped)']),
      ),
    };
  }
  const parsed = cfgData ? lenientJson(cfgData) : null;

  const wlFile = pathFacts(vfs, WORKLOAD_CONF_PATH);
  let workloadName: string | null = null;
  const wlData = vfs.readCapped(WORKLOAD_CONF_PATH, 64 * 1024);
  if (wlData) {
    const [sections] = parseIni(lossy.decode(wlData));
    const name = sections?.['workload']?.['workload_name'];
    workloadName = name !== undefined ? name.trim() : null;
  }

  return {
    collectorVersion: 1,
    runAs: { uid: 0, name: 'root' },
    python: '3.11.2',
    waagent: { libDir: libdir, libDirSource: source },
    extensions: exts,
    selectedExtension: selected,
    hostConf,
    configPath,
    config: { file: cfgFile, size, parse, judgedOnVm },
    scripts: { pre: scriptFacts(vfs, 'pre', parsed, selected), post: scriptFacts(vfs, 'post', parsed, selected) },
    workload: { file: wlFile, workloadName },
    extensionLog: tailOutcomes(vfs, EXTENSION_LOG_PATH),
  };
}
