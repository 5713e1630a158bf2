// The demo and end-to-end fleet: one compliant VM first, then VMs that each get one thing (or a small
// related group of things) wrong. `expectedRules` lists exactly the rule ids (errors and warnings;
// info findings are not listed) the audit must report on each VM: the end-to-end tests hold the real
// audit to it, and test/rules/demo-fleet.test.ts holds the rules to it on a virtual copy of each VM.
import {
  compliantConfig,
  compliantFiles,
  CONFIG_PATH,
  EXT_DIR,
  EXT_VERSION,
  HOST_CONF_TEXT,
  ORPHAN_UID,
  POST_SCRIPT,
  PRE_SCRIPT,
  SCRIPT_TEXT,
  withFiles,
  type FileSpec,
  type Owner,
  type VmSpec,
} from './spec.js';

const LIB_DIR = '/var/lib/waagent';
const HANDLER_STATE = `${EXT_DIR}/config/HandlerState`;
const EXT_HOST_CONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;
const OVERRIDE_HOST_CONF = '/etc/azure/VMSnapshotPluginHost.conf';
const WORKLOAD_CONF = '/etc/azure/workload.conf';
const EXTENSION_LOG = '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';

/** The template config with some keys changed (undefined removes a key). */
function config(changes: Record<string, unknown>): Record<string, unknown> {
  const c = compliantConfig();
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete c[k];
    else c[k] = v;
  }
  return c;
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

function configFile(content: string | Uint8Array, mode = 0o600, owner: Owner = 'root'): FileSpec {
  return { type: 'file', path: CONFIG_PATH, content, mode, owner };
}

/**
 * Lines as the extension writes them: the handler's timestamp and name, then the backup logger's
 * own timestamp and level (Backuplogger.log via HandlerUtil.log).
 */
function logLine(when: string, level: 'Info' | 'Warning' | 'Error', message: string): string {
  const [date, time] = when.split(' ');
  return `${date!.replaceAll('-', '/')} ${time} [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-${EXT_VERSION}] ${when}.412908   ${level}   ${message}`;
}

function extensionLog(lines: string[]): FileSpec {
  return { type: 'file', path: EXTENSION_LOG, content: lines.join('\n') + '\n', mode: 0o600 };
}

/** A backup whose pre-checks passed and whose scripts ran. */
function appConsistentRun(day: string): string[] {
  return [
    logLine(`${day} 02:00:14`, 'Info', 'starting daemon'),
    logLine(`${day} 02:00:15`, 'Info', 'App Consistent Consistent Backup Enabled'),
    logLine(`${day} 02:00:15`, 'Info', 'Prescript for ScriptRunner successfully executed.'),
    logLine(`${day} 02:00:21`, 'Info', 'Postscript for ScriptRunner successfully executed.'),
    logLine(`${day} 02:00:22`, 'Info', 'Enable Succeeded with App Consistent Snapshot'),
  ];
}

const BASH_PRESCRIPT = [
  '#!/bin/bash',
  '# flush the application before the snapshot',
  'set -euo pipefail',
  'function quiesce() {',
  '  sync',
  '}',
  'quiesce',
  'exit 0',
  '',
].join('\n');

const WORKLOAD_TEXT = '[workload]\nworkload_name = mysql\ncommand_path = /usr/bin/\n';

export function demoFleet(): VmSpec[] {
  const base = compliantFiles();
  const vm = (name: string, description: string, files: FileSpec[], expectedRules: string[]): VmSpec => ({
    name,
    description,
    files,
    expectedRules,
  });
  const withConfig = (changes: Record<string, unknown>, replace: FileSpec[] = [], remove: string[] = []) =>
    withFiles(compliantFiles(config(changes)), replace, remove);

  return [
    vm('vm-compliant', 'everything as the extension and the doc want it', base, []),

    // --- extension and host conf
    vm(
      'vm-ext-failed-upgrade',
      'the only extension folder is in FailedUpgrade: the agent ignores it, so nothing runs the scripts',
      withFiles(base, [{ type: 'file', path: HANDLER_STATE, content: 'FailedUpgrade', mode: 0o644 }]),
      ['extension-installed'],
    ),
    vm(
      'vm-ext-newer-no-hostconf',
      'a newer extension folder (1.0.10000.0, newer in numeric order) lacks its host conf',
      withFiles(base, [
        { type: 'dir', path: `${LIB_DIR}/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.10000.0`, mode: 0o755 },
        { type: 'file', path: `${LIB_DIR}/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.10000.0/config/HandlerState`, content: 'Enabled', mode: 0o644 },
      ]),
      ['hostconf-exists'],
    ),
    vm(
      'vm-hostconf-override-perms',
      'an override host conf in /etc/azure, group-writable and owned by appuser',
      withFiles(base, [{ type: 'file', path: OVERRIDE_HOST_CONF, content: HOST_CONF_TEXT, mode: 0o664, owner: 'appuser' }]),
      ['hostconf-mode', 'hostconf-owner'],
    ),
    vm(
      'vm-hostconf-truncated',
      "the extension's host conf lost its plugin lines",
      withFiles(base, [{ type: 'file', path: EXT_HOST_CONF, content: '[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\n', mode: 0o644 }]),
      ['hostconf-valid'],
    ),
    vm(
      'vm-hostconf-zero-plugins',
      'the host conf says numberOfPlugins: 0: the backup is reported application-consistent, the scripts never run',
      withFiles(base, [{ type: 'file', path: EXT_HOST_CONF, content: HOST_CONF_TEXT.replace('numberOfPlugins: 1', 'numberOfPlugins: 0'), mode: 0o644 }]),
      ['hostconf-no-plugins'],
    ),

    // --- config file
    vm('vm-config-missing', 'no VMSnapshotScriptPluginConfig.json', withFiles(base, [], [CONFIG_PATH]), ['config-exists']),
    vm(
      'vm-config-0644',
      'the config is world-readable (0644)',
      withFiles(base, [configFile(json(compliantConfig()), 0o644)]),
      ['config-mode'],
    ),
    vm(
      'vm-config-appuser',
      'the config is owned by appuser',
      withFiles(base, [configFile(json(compliantConfig()), 0o600, 'appuser')]),
      ['config-owner', 'config-writable-by-non-root'],
    ),
    vm(
      'vm-doc-drift',
      'the extension is happy (its last backup was app-consistent), but the modes are not the doc\'s 600/700',
      withFiles(base, [
        configFile(json(compliantConfig()), 0o400),
        { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o500 },
        { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o600 },
        extensionLog([...appConsistentRun('2025-03-01'), ...appConsistentRun('2025-03-02')]),
      ]),
      ['config-mode-recommended', 'script-mode-recommended'],
    ),
    vm(
      'vm-config-huge',
      'a 1.1 MiB config (a log pasted into appName)',
      withFiles(base, [configFile(json(config({ appName: 'x'.repeat(1_150_000) })))]),
      ['config-size'],
    ),
    vm(
      'vm-config-bom',
      'the config was saved with a UTF-8 BOM; the log shows the silent fallback it caused',
      withFiles(base, [
        configFile('\ufeff' + json(compliantConfig())),
        extensionLog([
          ...appConsistentRun('2025-03-01'),
          logLine('2025-03-02 02:00:14', 'Info', 'starting daemon'),
          logLine('2025-03-02 02:00:15', 'Error', 'Error parsing the plugin config file: Unexpected UTF-8 BOM (decode using utf-8-sig)'),
          logLine('2025-03-02 02:00:15', 'Info', 'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigParsing,'),
          logLine('2025-03-02 02:00:31', 'Info', 'Enable Succeeded'),
        ]),
      ]),
      ['config-json-valid', 'last-backup-evidence'],
    ),
    vm(
      'vm-config-types',
      'preScriptLocation is null and timeoutInSeconds is a string',
      withConfig({ preScriptLocation: null, timeoutInSeconds: '60' }),
      ['config-types'],
    ),
    vm(
      'vm-config-key-typos',
      'pluginName miscased and TimeoutInSeconds instead of timeoutInSeconds',
      withConfig({ pluginName: 'scriptRunner', timeoutInSeconds: undefined, TimeoutInSeconds: 60 }),
      ['plugin-name', 'timeout-missing', 'unknown-key'],
    ),

    // --- scripts
    vm(
      'vm-prescript-missing',
      'preScriptLocation names a script that is not there',
      withConfig({ preScriptLocation: '/etc/azure/prescript-mysql.sh' }),
      ['prescript-exists'],
    ),
    vm('vm-postscript-empty', 'postScriptLocation is "" (the template value)', withConfig({ postScriptLocation: '' }), ['postscript-exists']),
    vm(
      'vm-script-perms-a',
      'pre-script 0755; post-script owned by appuser',
      withFiles(base, [
        { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o755 },
        { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: 'appuser' },
      ]),
      ['prescript-mode', 'postscript-owner'],
    ),
    vm(
      'vm-script-perms-b',
      `pre-script owned by uid ${ORPHAN_UID} (no passwd entry); post-script 0750`,
      withFiles(base, [
        { type: 'file', path: PRE_SCRIPT, content: SCRIPT_TEXT, mode: 0o700, owner: ORPHAN_UID },
        { type: 'file', path: POST_SCRIPT, content: SCRIPT_TEXT, mode: 0o750 },
      ]),
      ['prescript-owner', 'postscript-mode'],
    ),
    vm(
      'vm-script-relative',
      'preScriptLocation is relative: it works from the extension folder until the next upgrade',
      withConfig({ preScriptLocation: 'prescript.sh' }, [{ type: 'file', path: `${EXT_DIR}/prescript.sh`, content: SCRIPT_TEXT, mode: 0o700 }]),
      ['script-path-relative'],
    ),
    vm(
      'vm-script-symlink',
      'the pre-script is a symlink into /opt/app/hooks',
      withFiles(base, [
        { type: 'dir', path: '/opt/app', mode: 0o755 },
        { type: 'dir', path: '/opt/app/hooks', mode: 0o755 },
        { type: 'file', path: '/opt/app/hooks/pre-freeze.sh', content: SCRIPT_TEXT, mode: 0o700 },
        { type: 'symlink', path: PRE_SCRIPT, target: '/opt/app/hooks/pre-freeze.sh' },
      ]),
      ['script-symlink'],
    ),
    vm(
      'vm-bash-prescript',
      'a bash pre-script (function f() {...}) that sh rejects; the log shows it failing',
      withFiles(base, [
        { type: 'file', path: PRE_SCRIPT, content: BASH_PRESCRIPT, mode: 0o700 },
        extensionLog([
          logLine('2025-03-02 02:00:14', 'Info', 'starting daemon'),
          logLine('2025-03-02 02:00:15', 'Error', 'Prescript for ScriptRunner failed with error code: 300 .'),
          logLine('2025-03-02 02:00:15', 'Warning', 'Pre-script failed: StatusCode.FailedPrepostPreScriptFailed, continueBackupOnFailure: True'),
        ]),
      ]),
      ['script-interpreter', 'script-syntax', 'last-backup-evidence'],
    ),
    vm(
      'vm-script-params',
      'preScriptParams is a string; postScriptParams is null',
      withConfig({ preScriptParams: '--flush-logs', postScriptParams: null }),
      ['prescript-params-type', 'postscript-params-type'],
    ),

    // --- values
    vm(
      'vm-values-invalid',
      'timeoutInSeconds 0 and a non-numeric poll time',
      withConfig({ timeoutInSeconds: 0, ScriptsExecutionPollTimeSeconds: 'fast' }),
      ['timeout-nonpositive', 'poll-time-not-numeric'],
    ),
    vm(
      'vm-values-out-of-range',
      'timeoutInSeconds 3600 and a poll time of 10 s',
      withConfig({ timeoutInSeconds: 3600, ScriptsExecutionPollTimeSeconds: 10 }),
      ['timeout-above-max', 'poll-time-range'],
    ),
    vm(
      'vm-retries-and-string-boolean',
      'retries configured (ignored) and continueBackupOnFailure "false" (a truthy string)',
      withConfig({ preScriptNoOfRetries: 3, postScriptNoOfRetries: 3, continueBackupOnFailure: 'false' }),
      ['retries-ignored', 'boolean-as-string'],
    ),
    vm('vm-fsfreeze-off', 'fsFreezeEnabled false while continueBackupOnFailure is true', withConfig({ fsFreezeEnabled: false }), ['fsfreeze-disabled']),
    vm(
      'vm-workload-mysql',
      'workload.conf names mysql: the script framework is bypassed',
      withFiles(base, [{ type: 'file', path: WORKLOAD_CONF, content: WORKLOAD_TEXT, mode: 0o600 }]),
      ['workload-bypass'],
    ),

    // --- security
    vm(
      'vm-azure-dir-azureuser',
      '/etc/azure was created by azureuser: it can swap the config and the scripts',
      withFiles(base, [{ type: 'dir', path: '/etc/azure', mode: 0o755, owner: 'azureuser' }]),
      ['path-writable-by-non-root'],
    ),
  ];
}
