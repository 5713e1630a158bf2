import { defineRule, portalErrorFor } from './rule.js';
import { MAX_CONFIG_BYTES } from '../model/facts.js';

export const rule = defineRule(
  {
    id: 'config-size',
    severity: 'error',
    extensionCode: null,
    portalError: portalErrorFor(null),
    title: 'The script config is small enough to audit',
    why: 'The template config is a few hundred bytes. vmsnap does not read a config over 1 MiB, so none of its content checks ran: a file that size is almost certainly not what the extension expects.',
    fix: 'Replace the file with the template from github.com/MicrosoftAzureBackup/VMSnapshotPluginConfig and fill in the script paths.',
    fixable: false,
    consequence: "vmsnap could not check the config's content; the extension reads it whole and most likely fails to parse it",
    silent: false,
  },
  ({ facts }) => {
    const parse = facts.config.parse;
    if (parse === null || parse.ok || parse.kind !== 'too_large') return [];
    const size = facts.config.size !== null ? `${facts.config.size} bytes` : 'larger than the cap';
    return [
      {
        message: `script config ${facts.configPath} is ${size}: over vmsnap's ${MAX_CONFIG_BYTES}-byte (1 MiB) cap, so it was not read and its content is unchecked`,
        path: facts.configPath,
      },
    ];
  },
);
