// What the collector learned about one VM. Rules read only this; nothing here knows about SSH.
// The shapes are zod schemas so that the collector's output is validated at the boundary and
// `vmsnap schema` can publish the same contract dashboards read.
import * as z from 'zod';

export const FILE_TYPES = ['file', 'dir', 'symlink', 'fifo', 'socket', 'char', 'block', 'unknown'] as const;

/** One stat(2)/lstat(2) result. `owner` is the passwd name of `uid` (null: no passwd entry). */
export const StatFacts = z.object({
  type: z.enum(FILE_TYPES),
  /** permission bits only (mode & 0o7777) */
  mode: z.number().int(),
  uid: z.number().int(),
  gid: z.number().int(),
  owner: z.string().nullable(),
  group: z.string().nullable(),
  size: z.number(),
  nlink: z.number().int(),
  dev: z.number(),
  ino: z.number(),
});
export type StatFacts = z.infer<typeof StatFacts>;

export const DirFacts = z.object({
  path: z.string(),
  stat: StatFacts.nullable(),
  errno: z.string().nullable(),
});
export type DirFacts = z.infer<typeof DirFacts>;

/**
 * A path as the extension would see it: lstat of the path itself, stat after following links
 * (what the extension checks), the chain of link targets, and every parent directory of both the
 * path and its resolved target (what an attacker could write to swap the file).
 */
export const PathFacts = z.object({
  path: z.string(),
  lstat: StatFacts.nullable(),
  stat: StatFacts.nullable(),
  /** errno name when stat failed: ENOENT, EACCES, ELOOP, ENOTDIR ... */
  errno: z.string().nullable(),
  /** raw readlink() text of each link followed, in order; empty when the path is not a link */
  symlinkChain: z.array(z.string()),
  realpath: z.string().nullable(),
  parents: z.array(DirFacts),
});
export type PathFacts = z.infer<typeof PathFacts>;

export const ExtensionFolder = z.object({
  dir: z.string(),
  version: z.string(),
  /** numeric version parts; null when the suffix is not a dotted number */
  versionParts: z.array(z.number()).nullable(),
  handlerState: z.string().nullable(),
  /** false when the agent ignores it: HandlerState missing, NotInstalled or FailedUpgrade */
  eligible: z.boolean(),
});
export type ExtensionFolder = z.infer<typeof ExtensionFolder>;

/** Result of reading the config file as the extension's json.loads would. */
export const ConfigParse = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    kind: z.enum(['too_large', 'too_deep', 'not_utf8', 'bom', 'comments', 'trailing_comma', 'syntax', 'empty', 'unreadable']),
    message: z.string(),
    line: z.number().int().nullable(),
    column: z.number().int().nullable(),
  }),
]);
export type ConfigParse = z.infer<typeof ConfigParse>;

export const ScriptFacts = z.object({
  which: z.enum(['pre', 'post']),
  /** the raw JSON value of preScriptLocation / postScriptLocation (undefined when the key is absent) */
  configured: z.unknown().optional(),
  /** absolute path the extension would run (relative paths resolve against the extension folder) */
  resolvedPath: z.string().nullable(),
  file: PathFacts.nullable(),
  /** first line of the target, at most 256 bytes, for interpreter checks */
  firstLine: z.string().nullable(),
  /** `sh -n` on the VM: null when not run (not a regular file, too big, no sh) */
  shSyntax: z.object({ ok: z.boolean(), message: z.string() }).nullable(),
  /** bash-only constructs in the script's first 64 KiB (collect/scan-shell.ts); null when not read */
  bashisms: z
    .array(z.object({ line: z.number().int(), text: z.string(), what: z.string(), aborts: z.boolean() }))
    .nullable()
    .default(null),
});
export type ScriptFacts = z.infer<typeof ScriptFacts>;

export const IniSections = z.record(z.string(), z.record(z.string(), z.string()));

export const HostFacts = z.object({
  collectorVersion: z.number().int(),
  /** who the collector ran as (after sudo): must be root to see what the extension sees */
  runAs: z.object({ uid: z.number().int(), name: z.string().nullable() }),
  python: z.string(),
  waagent: z.object({
    libDir: z.string(),
    libDirSource: z.enum(['default', 'waagent.conf']),
  }),
  extensions: z.array(ExtensionFolder),
  /** the folder the agent would use: newest eligible version by numeric order */
  selectedExtension: z.string().nullable(),
  hostConf: z.object({
    overridePath: z.string(),
    extensionPath: z.string().nullable(),
    /** which file the extension reads: the override when it is a file, else the extension's own */
    source: z.enum(['override', 'extension', 'none']),
    file: PathFacts.nullable(),
    sections: IniSections.nullable(),
    parseError: z.string().nullable(),
  }),
  /** pluginConfigPath0 from the host conf, else the default */
  configPath: z.string(),
  config: z.object({
    file: PathFacts,
    size: z.number().nullable(),
    parse: ConfigParse.nullable(),
    /** over the shipping cap: judged from what Python's json read on the VM (no line numbers) */
    judgedOnVm: z.boolean().default(false),
  }),
  scripts: z.object({ pre: ScriptFacts.nullable(), post: ScriptFacts.nullable() }),
  workload: z.object({
    file: PathFacts,
    workloadName: z.string().nullable(),
  }),
  extensionLog: z.object({
    path: z.string(),
    exists: z.boolean(),
    size: z.number().nullable(),
    /** lines naming backup outcomes, oldest first, from a bounded tail of the log */
    outcomeLines: z.array(z.string()),
  }),
  /**
   * In a report: what was cut from these facts to keep them within a few KiB per host (the rules
   * and --fix saw them whole), one line per place; absent when nothing was cut.
   */
  trimmed: z.array(z.string()).optional(),
});
export type HostFacts = z.infer<typeof HostFacts>;

export const DEFAULT_CONFIG_PATH = '/etc/azure/VMSnapshotScriptPluginConfig.json';
export const HOSTCONF_OVERRIDE_PATH = '/etc/azure/VMSnapshotPluginHost.conf';
export const WORKLOAD_CONF_PATH = '/etc/azure/workload.conf';
export const EXTENSION_LOG_PATH = '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** A config over MAX_CONFIG_BYTES is read by Python on the VM up to this size; past it, not at all. */
export const MAX_CONFIG_PARSE_BYTES = 16 * 1024 * 1024;
