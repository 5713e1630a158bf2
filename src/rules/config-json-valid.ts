import { CONSEQUENCE, defineRule, portalErrorFor } from './rule.js';
import type { ConfigParse } from '../model/facts.js';
import { isPlainObject } from './helpers.js';

type ParseFailure = Extract<ConfigParse, { ok: false }>;

const WHAT: Record<ParseFailure['kind'], string> = {
  too_large: 'is over the size cap', // config-size reports this one
  too_deep: 'is nested too deeply', // config-types reports this one (the extension fails with 304)
  not_utf8: "is not valid UTF-8, which the extension's json.loads rejects",
  bom: "starts with a UTF-8 byte-order mark (BOM), which the extension's json.loads rejects",
  comments: "contains a comment, which the extension's json.loads rejects",
  trailing_comma: "has a trailing comma, which the extension's json.loads rejects",
  syntax: "is not valid JSON for the extension's json.loads",
  empty: "is empty, which the extension's json.loads rejects",
  unreadable: 'could not be read by vmsnap, so its content is unchecked',
};

/** Kinds whose parser message adds something to WHAT (the others would repeat it). */
const DETAILED = new Set<ParseFailure['kind']>(['not_utf8', 'syntax', 'unreadable']);

export const rule = defineRule(
  {
    id: 'config-json-valid',
    severity: 'error',
    extensionCode: 305,
    portalError: portalErrorFor(305),
    upstream: 'ScriptRunner.py:82-83, 91-92, 112-117, 153-156',
    scope: 'framework',
    title: 'The script config is strict JSON with both script locations',
    why: "The extension parses the config with Python's json.loads: no BOM, comments or trailing commas, valid UTF-8, and both preScriptLocation and postScriptLocation keys present. Otherwise it fails with 305 and silently takes a file-system-consistent backup.",
    fix: 'Save the file as UTF-8 without BOM, remove comments and trailing commas, and make sure both preScriptLocation and postScriptLocation are present (check with: python3 -m json.tool /etc/azure/VMSnapshotScriptPluginConfig.json).',
    fixable: false,
    consequence: CONSEQUENCE.silentFallback,
    silent: true,
  },
  ({ facts }) => {
    const parse = facts.config.parse;
    const path = facts.configPath;
    if (parse === null) return [];
    if (!parse.ok) {
      if (parse.kind === 'too_large' || parse.kind === 'too_deep') return [];
      const at = parse.line !== null ? ` at line ${parse.line}${parse.column !== null ? `:${parse.column}` : ''}` : '';
      const detail = parse.message && DETAILED.has(parse.kind) ? `: ${parse.message}` : '';
      return [
        {
          message: `script config ${path} ${WHAT[parse.kind]}${at}${detail}`,
          path,
          // vmsnap's own read failure is not proof the extension fails
          ...(parse.kind === 'unreadable' ? { severity: 'warning' as const, consequence: 'unknown: vmsnap could not read the config' } : {}),
        },
      ];
    }
    if (!isPlainObject(parse.value)) return []; // config-types
    const missing = ['preScriptLocation', 'postScriptLocation'].filter((k) => !(k in (parse.value as object)));
    if (missing.length === 0) return [];
    return [
      {
        message: `script config ${path} has no ${missing.join(' and no ')} key: the extension requires both (key names are case-sensitive)`,
        path,
      },
    ];
  },
);
