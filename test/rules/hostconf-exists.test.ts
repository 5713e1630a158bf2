import { rule } from '../../src/rules/hostconf-exists.js';
import { EXT_DIR, HOST_CONF_TEXT, compliantFiles, withFiles } from '../../src/fleet/spec.js';
import { compliantFacts, factsFor } from '../helpers/facts.js';
import { ruleTester } from '../helpers/rule-tester.js';

const EXT_CONF = `${EXT_DIR}/main/VMSnapshotPluginHost.conf`;
const OVERRIDE = '/etc/azure/VMSnapshotPluginHost.conf';

ruleTester(rule, {
  valid: [
    { name: "the extension's own host conf", facts: compliantFacts() },
    {
      name: 'only the override exists',
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'file', path: OVERRIDE, content: HOST_CONF_TEXT, mode: 0o644 }], [EXT_CONF])),
    },
    {
      name: 'the host conf is a symlink to a file (followed)',
      facts: factsFor(
        withFiles(compliantFiles(), [
          { type: 'file', path: '/etc/azure/hostconf.real', content: HOST_CONF_TEXT, mode: 0o644 },
          { type: 'symlink', path: EXT_CONF, target: '/etc/azure/hostconf.real' },
        ]),
      ),
    },
    {
      name: 'no extension and no override: extension-installed covers it',
      facts: factsFor(withFiles(compliantFiles(), [], [EXT_DIR, `${EXT_DIR}/config/HandlerState`, EXT_CONF])),
    },
  ],
  invalid: [
    {
      name: 'neither file exists',
      facts: factsFor(withFiles(compliantFiles(), [], [EXT_CONF])),
      findings: [{ messageIncludes: [OVERRIDE, EXT_CONF, 'does not exist (ENOENT)'], path: EXT_CONF, severity: 'error' }],
    },
    {
      name: "the extension's host conf is a directory and the override a broken link",
      facts: factsFor(
        withFiles(
          compliantFiles(),
          [
            { type: 'dir', path: EXT_CONF, mode: 0o755 },
            { type: 'symlink', path: OVERRIDE, target: '/etc/azure/gone.conf' },
          ],
        ),
      ),
      findings: [{ messageIncludes: 'is a directory, not a regular file' }],
    },
    {
      name: "the extension's host conf is a broken symlink",
      facts: factsFor(withFiles(compliantFiles(), [{ type: 'symlink', path: EXT_CONF, target: '/nowhere/VMSnapshotPluginHost.conf' }])),
      findings: [{ messageIncludes: 'is a broken symlink' }],
    },
  ],
});
