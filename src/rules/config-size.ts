import { defineRule, portalErrorFor } from './rule.js';
import { MAX_CONFIG_BYTES, MAX_CONFIG_PARSE_BYTES } from '../model/facts.js';

const MIB = 1024 * 1024;

export const rule = defineRule(
  {
    id: 'config-size',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    upstream: "ScriptRunner.py:82-83 (json.load reads the whole file; the cap is vmsnap's)",
    scope: 'framework',
    title: 'The script config is a sensible size',
    why: `The template config is a few hundred bytes. The extension reads a config of any size, so vmsnap judges one over ${MAX_CONFIG_BYTES / MIB} MiB from what Python's json reads of it on the VM (without line numbers); past ${MAX_CONFIG_PARSE_BYTES / MIB} MiB it does not read it at all, and none of the content checks ran.`,
    fix: 'Replace the file with the template from github.com/MicrosoftAzureBackup/VMSnapshotPluginConfig and fill in the script paths.',
    fixable: false,
    consequence: "unknown: vmsnap could not check the config's content",
    silent: false,
  },
  ({ facts }) => {
    const { parse, size, judgedOnVm } = facts.config;
    const path = facts.configPath;
    const bytes = size !== null ? `${size} bytes` : 'very large';
    if (parse !== null && !parse.ok && parse.kind === 'too_large') {
      return [
        {
          message: `script config ${path} is ${bytes}: ${parse.message}; its content is unchecked`,
          path,
          consequence: "unknown: vmsnap could not check the config's content",
        },
      ];
    }
    if (judgedOnVm) {
      return [
        {
          severity: 'warning',
          message: `script config ${path} is ${bytes} (the template is a few hundred): judged from what Python's json read of it on the VM`,
          path,
          consequence: 'none by itself: the extension reads a config of any size',
        },
      ];
    }
    return [];
  },
);
