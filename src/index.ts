// vmsnap as a library: what the CLI itself calls. `audit()` resolves to the report `--format json`
// prints (its shape is `Report`, and `vmsnap schema`); nothing here writes to a terminal or exits.
//
//   import { audit, loadInventory } from 'vmsnap';
//   const report = await audit(await loadInventory('inventory.yaml'), { knownHosts: '~/.ssh/known_hosts' });

// the run
export { audit, DEFAULT_CONCURRENCY, DEFAULT_MAX_CHANGES, DEFAULT_TIMEOUT_MS, type AuditOptions, type FixRunOptions } from './audit/session.js';
export type { SshOptions } from './ssh/open.js';
export type { MarkOptions } from './audit/marks.js';

// inventories
export { loadInventory, parseInventorySource as parseInventory, detectFormat, type SourceOptions as InventoryOptions } from './inventory/source.js';
export { localInventory } from './local/audit-local.js';
export { selectInventoryHosts, type SelectedHosts, type SelectionOptions } from './select/hosts.js';
export type { Host, Inventory, InventoryFormat, SudoMode } from './inventory/types.js';

// rules
export { allRules as rules } from './rules/index.js';
export { judge } from './rules/engine.js';
export type { Rule, RuleMeta } from './rules/rule.js';

// the report
export { Report, HostResult, Finding, SCHEMA_VERSION, summarize, type HostStatus, type Severity, type Summary, type FixRecord } from './model/report.js';
export type { HostFacts } from './model/facts.js';
export { createReporter, type ReporterOptions } from './report/create.js';
export { FORMATS, type Format, type Reporter, type Sink } from './report/reporter.js';
export { mergeReports } from './report/merge.js';

// errors: every one has a stable `code`; InputError is the caller's input (nothing was done)
export { VmsnapError, InputError, UsageError, isInputError, type ErrorSubject } from './errors.js';
export { InventoryError, type InventoryIssue } from './inventory/errors.js';
export { SelectionError } from './select/pattern.js';
export { WaiverError } from './waivers/load.js';
export { PreviousReportError } from './baseline/load.js';
export { SshConfigError } from './ssh/ssh-config.js';
export { SshError } from './ssh/connection.js';

export { VERSION } from './version.js';
