import { rule } from '../../src/rules/last-backup-evidence.js';
import { EXTENSION_LOG_PATH } from '../../src/model/facts.js';
import { compliantFacts, withLogLines } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const c = compliantFacts();
const prefix = (ts: string) => `${ts.replaceAll('-', '/')} [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0] ${ts}.118200   Info   `;
const FALLBACK = prefix('2025-03-02 02:00:15') + 'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginhostConfigNotFound,';
const OK = prefix('2025-03-03 02:00:22') + 'Enable Succeeded with App Consistent Snapshot';
const SCRIPT_FAILED = prefix('2025-03-04 02:00:15') + 'Pre-script failed: StatusCode.FailedPrepostPreScriptTimeout,';

ruleTester(rule, {
  valid: [
    { name: 'no log', facts: c },
    { name: 'a log with no outcome lines', facts: withLogLines(c, []) },
  ],
  invalid: [
    {
      name: 'the newest line is a silent fallback',
      facts: withLogLines(c, [OK, FALLBACK]),
      findings: [
        {
          messageIncludes: ['at 2025/03/02 02:00:15', 'fell back to file-system-consistent', 'StatusCode.FailedPrepostPluginhostConfigNotFound (313, IncorrectPluginhostFile)', 'portal showed success'],
          path: EXTENSION_LOG_PATH,
          severity: 'error',
        },
      ],
    },
    {
      name: 'a fallback line without a timestamp',
      facts: withLogLines(c, ['Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigParsing,']),
      findings: [{ messageIncludes: 'StatusCode.FailedPrepostPluginConfigParsing (305, IncorrectJSONConfigFile)', severity: 'error' }],
    },
    {
      name: 'the newest line is a script failure: a warning',
      facts: withLogLines(c, [FALLBACK, OK, SCRIPT_FAILED]),
      findings: [{ messageIncludes: ['StatusCode.FailedPrepostPreScriptTimeout (308, Pre-ScriptTimeout)', "scripts failed"], severity: 'warning' }],
    },
    {
      name: 'the newest line is app-consistent: info, even after an older fallback',
      facts: withLogLines(c, [FALLBACK, OK]),
      findings: [{ messageIncludes: ['at 2025/03/03 02:00:22', 'application-consistent'], severity: 'info' }],
    },
  ],
});
