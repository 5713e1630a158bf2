import { defineRule, portalErrorFor } from './rule.js';

/** The extension's FailedPrepost* status names and their codes (ExtensionErrorCodeHelper). */
const PREPOST_CODES: Record<string, number> = {
  FailedPrepostPreScriptFailed: 300,
  FailedPrepostPostScriptFailed: 301,
  FailedPrepostPreScriptNotFound: 302,
  FailedPrepostPostScriptNotFound: 303,
  FailedPrepostPluginhostConfigParsing: 304,
  FailedPrepostPluginConfigParsing: 305,
  FailedPrepostPreScriptPermissionError: 306,
  FailedPrepostPostScriptPermissionError: 307,
  FailedPrepostPreScriptTimeout: 308,
  FailedPrepostPostScriptTimeout: 309,
  FailedPrepostPluginhostPreTimeout: 310,
  FailedPrepostPluginhostPostTimeout: 311,
  FailedPrepostCheckSumMismatch: 312,
  FailedPrepostPluginhostConfigNotFound: 313,
  FailedPrepostPluginhostConfigPermissionError: 314,
  FailedPrepostPluginhostConfigOwnershipError: 315,
  FailedPrepostPluginConfigNotFound: 316,
  FailedPrepostPluginConfigPermissionError: 317,
  FailedPrepostPluginConfigOwnershipError: 318,
};

const FALLBACK = 'Triggering File System Consistent Backup';
const APP_CONSISTENT = 'Enable Succeeded with App Consistent Snapshot';

/** 'StatusCode.FailedPrepostPluginConfigParsing (305, IncorrectJSONConfigFile)' */
function describeStatus(name: string): string {
  const code = PREPOST_CODES[name];
  if (code === undefined) return `StatusCode.${name}`;
  const portal = portalErrorFor(code);
  return `StatusCode.${name} (${code}${portal ? `, ${portal}` : ''})`;
}

function timestampOf(line: string): string | null {
  return /\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}/.exec(line)?.[0] ?? null;
}

export const rule = defineRule(
  {
    id: 'last-backup-evidence',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "none: reads the extension's log, as handle.py:518 writes it",
    scope: 'outside',
    title: "The extension log shows the last backup's outcome",
    why: "For the silent failures (304, 305, 313, 314, 316) the portal reports success and the only trace is a line in the extension's own log; the newest outcome line tells whether the last backup really ran the scripts.",
    fix: 'Fix what the other findings report, then take an on-demand backup and check the newest lines of /var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log.',
    fixable: false,
    consequence: 'the last backup silently fell back to file-system-consistent (the portal showed success)',
    silent: true,
  },
  ({ facts }) => {
    const lines = facts.extensionLog.outcomeLines;
    const line = lines[lines.length - 1];
    if (line === undefined) return [];
    const path = facts.extensionLog.path;
    const ts = timestampOf(line);
    const when = ts ? ` at ${ts}` : '';
    const status = /StatusCode\.(\w+)/.exec(line)?.[1] ?? null;
    if (line.includes(FALLBACK)) {
      return [
        {
          message: `the newest outcome line in ${path}${when} says the backup fell back to file-system-consistent because of ${status ? describeStatus(status) : 'an error'}: the last backup was not application-consistent although the portal showed success`,
          path,
        },
      ];
    }
    if (status !== null && status.startsWith('FailedPrepost')) {
      return [
        {
          message: `the newest outcome line in ${path}${when} reports ${describeStatus(status)}: the last backup's scripts failed, so it was not application-consistent`,
          path,
          severity: 'warning',
          silent: false,
          consequence: 'the last backup was not application-consistent; continueBackupOnFailure and fsFreezeEnabled decided whether it completed',
        },
      ];
    }
    if (line.includes(APP_CONSISTENT)) {
      return [
        {
          message: `the newest outcome line in ${path}${when} says the last backup was application-consistent`,
          path,
          severity: 'info',
          silent: false,
          consequence: 'the last backup ran the scripts and was application-consistent',
        },
      ];
    }
    return [];
  },
);
