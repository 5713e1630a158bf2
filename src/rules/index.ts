// The rule registry: every rule vmsnap knows, in the order reports list their findings
// (extension, host conf, config, scripts, values, security, evidence).
import type { Rule } from './rule.js';
import { rule as extensionInstalled } from './extension-installed.js';
import { rule as extensionVersions } from './extension-versions.js';
import { rule as hostconfExists } from './hostconf-exists.js';
import { rule as hostconfMode } from './hostconf-mode.js';
import { rule as hostconfOwner } from './hostconf-owner.js';
import { rule as hostconfValid } from './hostconf-valid.js';
import { rule as hostconfNoPlugins } from './hostconf-no-plugins.js';
import { rule as configExists } from './config-exists.js';
import { rule as configMode } from './config-mode.js';
import { rule as configOwner } from './config-owner.js';
import { rule as configModeRecommended } from './config-mode-recommended.js';
import { rule as configSize } from './config-size.js';
import { rule as configJsonValid } from './config-json-valid.js';
import { rule as configTypes } from './config-types.js';
import { rule as pluginName } from './plugin-name.js';
import { rule as prescriptExists } from './prescript-exists.js';
import { rule as postscriptExists } from './postscript-exists.js';
import { rule as prescriptMode } from './prescript-mode.js';
import { rule as postscriptMode } from './postscript-mode.js';
import { rule as prescriptOwner } from './prescript-owner.js';
import { rule as postscriptOwner } from './postscript-owner.js';
import { rule as scriptModeRecommended } from './script-mode-recommended.js';
import { rule as scriptPathRelative } from './script-path-relative.js';
import { rule as scriptSymlink } from './script-symlink.js';
import { rule as scriptInterpreter } from './script-interpreter.js';
import { rule as scriptSyntax } from './script-syntax.js';
import { rule as prescriptParamsType } from './prescript-params-type.js';
import { rule as postscriptParamsType } from './postscript-params-type.js';
import { rule as timeoutMissing } from './timeout-missing.js';
import { rule as timeoutNonpositive } from './timeout-nonpositive.js';
import { rule as timeoutAboveMax } from './timeout-above-max.js';
import { rule as pollTimeRange } from './poll-time-range.js';
import { rule as pollTimeNotNumeric } from './poll-time-not-numeric.js';
import { rule as retriesIgnored } from './retries-ignored.js';
import { rule as unknownKey } from './unknown-key.js';
import { rule as booleanAsString } from './boolean-as-string.js';
import { rule as fsfreezeDisabled } from './fsfreeze-disabled.js';
import { rule as workloadBypass } from './workload-bypass.js';
import { rule as pathWritableByNonRoot } from './path-writable-by-non-root.js';
import { rule as configWritableByNonRoot } from './config-writable-by-non-root.js';
import { rule as lastBackupEvidence } from './last-backup-evidence.js';

export const allRules: readonly Rule[] = [
  // extension and host conf
  extensionInstalled,
  extensionVersions,
  hostconfExists,
  hostconfMode,
  hostconfOwner,
  hostconfValid,
  hostconfNoPlugins,
  // config
  configExists,
  configMode,
  configOwner,
  configModeRecommended,
  configSize,
  configJsonValid,
  configTypes,
  pluginName,
  // scripts
  prescriptExists,
  postscriptExists,
  prescriptMode,
  postscriptMode,
  prescriptOwner,
  postscriptOwner,
  scriptModeRecommended,
  scriptPathRelative,
  scriptSymlink,
  scriptInterpreter,
  scriptSyntax,
  prescriptParamsType,
  postscriptParamsType,
  // values
  timeoutMissing,
  timeoutNonpositive,
  timeoutAboveMax,
  pollTimeRange,
  pollTimeNotNumeric,
  retriesIgnored,
  unknownKey,
  booleanAsString,
  fsfreezeDisabled,
  workloadBypass,
  // security
  pathWritableByNonRoot,
  configWritableByNonRoot,
  // evidence
  lastBackupEvidence,
];
