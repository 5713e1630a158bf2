// Describes a test VM of the local fleet: the files it has (with real owners and modes) under the
// directories each VM gets privately through its own mount namespace. Used by the tests, the demo
// and the benchmark alike, so the demo shows exactly what the tests prove.

/** Directories each test VM sees privately (an overlay over the machine's own). */
export const PRIVATE_ROOTS = ['/etc', '/var', '/opt', '/home', '/root', '/srv', '/usr/local'] as const;

/** Users every test VM has, beside root. Files may be owned by any of these or by a bare uid. */
export const FLEET_USERS = {
  /** non-root login user with passwordless sudo, like Azure's default admin user */
  azureuser: 1000,
  /** non-root login user whose sudo wants a password */
  nosudo: 1001,
  /** non-root user that cannot log in; owns files in misconfiguration fixtures */
  appuser: 1002,
} as const;
export type FleetUser = keyof typeof FLEET_USERS | 'root';

/** A uid with no passwd entry on any test VM (the extension fails its owner check on it). */
export const ORPHAN_UID = 4242;

export type Owner = FleetUser | number;

export type FileSpec =
  | { type: 'file'; path: string; content: string | Uint8Array; mode: number; owner?: Owner; group?: Owner }
  | { type: 'dir'; path: string; mode: number; owner?: Owner; group?: Owner }
  | { type: 'symlink'; path: string; target: string };

export interface VmSpec {
  /** inventory name, unique in the fleet */
  name: string;
  /** a one-line description shown by the demo */
  description?: string;
  files: FileSpec[];
  /** rule ids this VM is built to fail (the end-to-end tests hold the audit to exactly these) */
  expectedRules?: string[];
}

export const EXT_VERSION = '1.0.9225.0';
export const EXT_DIR = `/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-${EXT_VERSION}`;
export const CONFIG_PATH = '/etc/azure/VMSnapshotScriptPluginConfig.json';
export const PRE_SCRIPT = '/etc/azure/prescript.sh';
export const POST_SCRIPT = '/etc/azure/postscript.sh';

export const HOST_CONF_TEXT = [
  '[pre_post]',
  'timeoutInSeconds: 1800',
  'numberOfPlugins: 1',
  'pluginName0: ScriptRunner',
  'pluginPath0: /etc/azure',
  'pluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json',
  '',
].join('\n');

/** The template config, filled in the way the doc asks. */
export function compliantConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pluginName: 'ScriptRunner',
    preScriptLocation: PRE_SCRIPT,
    postScriptLocation: POST_SCRIPT,
    preScriptParams: ['', ''],
    postScriptParams: ['', ''],
    preScriptNoOfRetries: 0,
    postScriptNoOfRetries: 0,
    timeoutInSeconds: 30,
    continueBackupOnFailure: true,
    fsFreezeEnabled: true,
    ...overrides,
  };
}

export const SCRIPT_TEXT = '#!/bin/sh\n# quiesce the application\nsync\nexit 0\n';

/**
 * Every file of a VM the extension is happy with and the doc agrees with. Fixtures start from this
 * and replace or drop entries by path (see `withFiles`).
 */
export function compliantFiles(config: Record<string, unknown> = compliantConfig()): FileSpec[] {
  return [
    { type: 'dir', path: '/etc/azure', mode: 0o755 },
    { type: 'file', path: CONFIG_PATH, content: JSON.stringify(config, null, 2) + '\n', mode: 0o600 },
    { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o700 },
    { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o700 },
    { type: 'dir', path: '/var/lib/waagent', mode: 0o700 },
    { type: 'dir', path: EXT_DIR, mode: 0o755 },
    { type: 'file', path: `${EXT_DIR}/config/HandlerState`, content: 'Enabled', mode: 0o644 },
    { type: 'file', path: `${EXT_DIR}/main/VMSnapshotPluginHost.conf`, content: HOST_CONF_TEXT, mode: 0o644 },
  ];
}

/** Replace files by path (a spec with the same path wins) and drop the paths in `remove`. */
export function withFiles(base: FileSpec[], replace: FileSpec[] = [], remove: string[] = []): FileSpec[] {
  const gone = new Set([...remove, ...replace.map((f) => f.path)]);
  return [...base.filter((f) => !gone.has(f.path)), ...replace];
}

/** A compliant VM whose config has `mode` (0o644: readable by all, the commonest mistake). */
export function compliantFilesWithConfigMode(mode: number): FileSpec[] {
  return withFiles(compliantFiles(), [{ type: 'file', path: CONFIG_PATH, content: JSON.stringify(compliantConfig()), mode }]);
}
