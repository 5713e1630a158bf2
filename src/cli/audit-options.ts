// `vmsnap audit`'s options, one table (see options.ts): yargs, --help's groups, the value checks and
// the rerun hint's filter come from it.
import { availableParallelism } from 'node:os';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_CHANGES, DEFAULT_TIMEOUT_MS } from '../audit/session.js';
import { FORMATS } from '../report/reporter.js';
import { hostOptionSpecs } from './inventory-command.js';
import type { OptionSpec } from './options.js';
import { SSH_OPTIONS } from './ssh-options.js';

/** Largest --timeout: Node's timers hold at most 2^31-1 ms (about 24.8 days). */
export const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

/** The per-host concurrency and deadline, shared with keyscan (which words them for itself). */
export const CONCURRENCY_OPTION: OptionSpec = { name: 'concurrency', alias: 'j', kind: 'integer', default: DEFAULT_CONCURRENCY, min: 0, exclusiveMin: true, group: 'connection', doc: 'hosts audited at once' };
export const TIMEOUT_OPTION: OptionSpec = { name: 'timeout', kind: 'number', default: DEFAULT_TIMEOUT_MS / 1000, min: 0, exclusiveMin: true, max: MAX_TIMEOUT_S, group: 'connection', doc: 'hard per-host deadline in seconds (connect, auth, collection, fixing)' };

export const AUDIT_OPTIONS: readonly OptionSpec[] = [
  { name: 'inventory', alias: 'i', kind: 'string', group: 'selection', doc: 'inventory: vmsnap YAML, Ansible YAML/INI/--list JSON, or `az vm list -d -o json` output (required unless --local)' },
  ...hostOptionSpecs({ local: true }),
  { name: 'rerun-failed', kind: 'string', group: 'selection', notRerun: true, doc: 'an earlier JSON report: audit only the hosts that were not compliant in it' },
  CONCURRENCY_OPTION,
  // the default shown is this machine's cores; unless given, at most one worker per 32 hosts is used
  { name: 'workers', kind: 'integer', default: availableParallelism(), min: 1, group: 'connection', doc: 'threads the hosts are audited in, the main one among them (default: the cores, at most one per 32 hosts; 1: the main thread only)' },
  TIMEOUT_OPTION,
  { name: 'known-hosts', kind: 'string', group: 'connection', doc: 'known_hosts file (default ~/.ssh/known_hosts); host keys are always verified' },
  ...SSH_OPTIONS,
  { name: 'rule', kind: 'list', default: [], group: 'rules', doc: 'run only this rule (repeatable)' },
  { name: 'skip-rule', kind: 'list', default: [], group: 'rules', doc: 'do not run this rule (repeatable)' },
  { name: 'waivers', kind: 'string', group: 'rules', doc: 'YAML file of accepted findings (rule, host/group/tag, justification, expires)' },
  { name: 'format', alias: 'f', kind: 'choice', choices: FORMATS, default: 'table', group: 'reports', notRerun: true, doc: 'report format on stdout' },
  { name: 'output', alias: 'o', kind: 'list', default: [], group: 'reports', notRerun: true, doc: 'also write a report to a file, FORMAT=PATH (repeatable, written atomically)' },
  { name: 'baseline', kind: 'string', group: 'reports', notRerun: true, doc: 'an earlier JSON report: mark findings new or unchanged, list resolved ones' },
  { name: 'quiet', alias: 'q', kind: 'boolean', default: false, group: 'reports', notRerun: true, doc: 'no progress line on stderr' },
  { name: 'fix', kind: 'boolean', default: false, group: 'fix', doc: 'repair owner and mode of the config, the scripts and the host conf (never content, never through a link)' },
  { name: 'dry-run', kind: 'boolean', default: false, group: 'fix', doc: 'with --fix: print the changes per host, change nothing' },
  { name: 'yes', kind: 'boolean', default: false, group: 'fix', doc: 'with --fix: allow more than --max-changes hosts to change when stdout is not a terminal' },
  { name: 'max-changes', kind: 'integer', default: DEFAULT_MAX_CHANGES, min: 0, exclusiveMin: true, group: 'fix', doc: 'with --fix, stdout not a terminal, no --yes: most hosts that may change' },
  {
    name: 'fix-adopt',
    kind: 'boolean',
    default: false,
    group: 'fix',
    notRerun: true, // the operator vouched for the files of this run, not of the next one
    doc: "with --fix: I reviewed these files: also make root's the config and scripts a non-root user owns or can write (never the host conf)",
  },
  { name: 'fix-allow-dir', kind: 'list', default: [], group: 'fix', doc: 'with --fix: another directory the config and scripts may be fixed in (default only /etc/azure)' },
];
