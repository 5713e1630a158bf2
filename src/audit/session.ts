// One audit, as the library runs it and the CLI calls it: select -> connect -> collect -> judge ->
// (fix) -> results. Every stage reports through one Reporter lifecycle (onRunStart, onHostStart,
// onHostResult, onRunEnd), the same interface the table, JSON, JUnit, Prometheus and HTML reporters
// implement; `audit()` resolves to the report `--format json` prints. Nothing here writes to a
// terminal or exits: warnings go to onWarning, bad input is an InputError.
import { fixPolicy } from '../fix/plan.js';
import { FixGate } from '../fix/gate.js';
import type { Inventory } from '../inventory/types.js';
import { LocalConnector } from '../local/local-session.js';
import type { HostResult, Report } from '../model/report.js';
import type { Reporter } from '../report/reporter.js';
import { allRules } from '../rules/index.js';
import { checkOverrideIds, selectRules } from '../rules/select.js';
import { selectInventoryHosts, selectionNotes } from '../select/hosts.js';
import type { Connector } from '../ssh/connector.js';
import { openConnector, type SshOptions } from '../ssh/open.js';
import { DEFAULT_JUMP_MAX_STARTUPS, jumpShare, type OpenSshConnector } from '../ssh/openssh-connector.js';
import { UsageError } from '../errors.js';
import { loadMarks, type MarkOptions } from './marks.js';
import { runAudit, type RunListener } from './run.js';
import { requestedWorkers, WorkerPool, type WorkerSetup } from './worker-pool.js';

export const DEFAULT_CONCURRENCY = 50;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CHANGES = 10;

export interface FixRunOptions {
  /** plan the changes, make none (the report lists them as pending) */
  dryRun?: boolean | undefined;
  /** the operator reviewed the config and scripts a non-root user could write: they may be made root's */
  adopt?: boolean | undefined;
  /** directories beside /etc/azure under which scripts may be changed */
  allowDirs?: readonly string[] | undefined;
  /**
   * The guard against a typo rewriting a fleet: no host is changed unless at most this many hosts
   * want changes. Undefined: no guard (the CLI sets it when stdout is not a terminal and --yes is
   * absent). Lifted when the hosts were named one by one.
   */
  maxChanges?: number | undefined;
}

export interface AuditOptions extends SshOptions, MarkOptions {
  /** --limit patterns (Ansible syntax), each narrowing the previous */
  limit?: readonly string[] | undefined;
  /** --shard I/N: this run's share of the hosts */
  shard?: string | undefined;
  /** hosts audited at once (default 50) */
  concurrency?: number | undefined;
  /**
   * Threads the per-host work (connect, collect, judge) is spread over, this one among them (N:
   * this thread and N - 1 worker threads); default 1: this thread only. 'auto': the cores, but at
   * most one per 32 hosts. Never more than the hosts or
   * `concurrency`; --local, --fix and a passphrase asked for on the terminal run in this thread.
   */
  workers?: number | 'auto' | undefined;
  /** hard per-host deadline in ms, covering connect, auth, collection and fixing (default 30 s) */
  timeoutMs?: number | undefined;
  /** only these rules (ids) */
  rules?: readonly string[] | undefined;
  /** not these rules (ids) */
  skipRules?: readonly string[] | undefined;
  /** repair what is safe to repair (see the README, "Fixing") */
  fix?: FixRunOptions | null | undefined;
  /** aborting stops starting hosts; those in flight end as `interrupted`; the report still lists every host */
  signal?: AbortSignal | undefined;
  /** each host's result, as it finishes (with its waivers and drift) */
  onHost?: ((result: HostResult, progress: { done: number; total: number }) => void) | undefined;
  /** reporters that follow the run (src/report/create.ts makes the built-in ones) */
  reporters?: readonly Reporter[] | undefined;
  /** warnings about the inputs (expired waivers, skipped known_hosts lines, inventory entries left out) */
  onWarning?: ((message: string) => void) | undefined;
  /** what the run is doing that is not a warning (how many hosts --rerun-failed reruns) */
  onInfo?: ((message: string) => void) | undefined;
}

/** Feeds every run event to each reporter. */
function fanOut(reporters: readonly Reporter[], onHost: AuditOptions['onHost']): Required<Reporter> {
  return {
    onRunStart: (info) => reporters.forEach((r) => r.onRunStart?.(info)),
    onHostStart: (t) => reporters.forEach((r) => r.onHostStart?.(t)),
    onHostResult: (res, progress) => {
      onHost?.(res, progress);
      reporters.forEach((r) => r.onHostResult?.(res, progress));
    },
    onRunEnd: (report) => reporters.forEach((r) => r.onRunEnd(report)),
  };
}

/** Why the hosts cannot be audited in worker threads, or null when they can. */
function inThisThreadBecause(local: boolean, fix: boolean, ssh: OpenSshConnector | null): string | null {
  if (local) return '--local audits this machine through a local shell';
  if (fix) return "--fix's --max-changes guard covers the whole fleet";
  if (ssh?.usedPassphrasePrompt()) return 'an encrypted key was opened with the passphrase asked for on the terminal, which a worker thread cannot ask';
  return null;
}

/** What every worker builds its connector and rules from (main has read and checked the same options); `lanes` counts this thread. */
function workerSetup(options: AuditOptions, lanes: number, timeoutMs: number, ruleIds: string[]): WorkerSetup {
  const { sshConfig, knownHosts, acceptNew, jump, retries, home } = options;
  return {
    ssh: {
      sshConfig,
      knownHosts,
      acceptNew,
      jump,
      retries,
      home,
      env: { ...(options.env ?? process.env) },
      passphrase: typeof options.passphrase === 'string' ? options.passphrase : undefined,
      // each lane has its own connection to a jump host: together they stay within the cap
      jumpMaxStartups: jumpShare(options.jumpMaxStartups ?? DEFAULT_JUMP_MAX_STARTUPS, lanes),
    },
    timeoutMs,
    ruleIds,
  };
}

/**
 * Audits the hosts of `inventory` (loadInventory's, or localInventory() for this machine) and
 * resolves to the report. Throws an InputError before connecting to anything when an option or a
 * file it names is wrong; after that, every host ends in the report with its status, whatever happens.
 */
export async function audit(inventory: Inventory, options: AuditOptions = {}): Promise<Report> {
  const warn = options.onWarning ?? (() => {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const workers = options.workers;
  if (workers !== undefined && workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1)) {
    throw new UsageError(`workers must be a whole number of at least 1 or 'auto', got ${String(workers)}`, { flag: 'workers' });
  }
  const rules = selectRules(allRules, options.rules ?? [], options.skipRules ?? []);
  const selection = selectInventoryHosts(inventory, options);
  for (const note of selectionNotes(selection)) warn(note);
  checkOverrideIds(
    allRules,
    selection.hosts.map((h) => [`${inventory.file}: host ${h.name}: rules`, h.ruleSeverity] as [string, Record<string, unknown>]),
  );
  const policy = options.fix ? fixPolicy(options.fix.allowDirs, options.fix.adopt) : null;
  const marks = await loadMarks(options, selection.hosts, allRules.map((r) => r.meta.id), warn, options.onInfo ?? (() => {}));
  // ssh_config, known_hosts, identities: read once for the run; --local needs none of it
  const ssh = inventory.local ? null : await openConnector(options, timeoutMs, warn);
  const connector: Connector = ssh ?? new LocalConnector();
  let pool: WorkerPool | null = null;
  try {
    // once, here: the workers open their own connectors silently
    for (const w of ssh ? await ssh.prepare(marks.hosts) : []) warn(w);
    const requested = requestedWorkers(workers, marks.hosts.length);
    const why = requested > 1 ? inThisThreadBecause(inventory.local === true, Boolean(options.fix), ssh) : null;
    if (why) options.onInfo?.(`auditing in this thread only, not in ${requested} threads: ${why}`);
    const size = why ? 1 : Math.min(requested, marks.hosts.length, concurrency);
    if (size > 1) {
      try {
        // this thread is one of the `size` lanes: size - 1 workers beside it
        pool = new WorkerPool(size - 1, workerSetup(options, size, timeoutMs, rules.map((r) => r.meta.id)), { inline: true });
        ssh?.shareJumpStartups(size);
      } catch (e) {
        // the machine is out of threads or memory: the run can still go on here
        options.onInfo?.(`auditing in this thread: worker threads could not be started (${(e as Error)?.message ?? String(e)})`);
      }
    }
    const out = fanOut(options.reporters ?? [], options.onHost);
    const listener: RunListener = {
      onRunStart: out.onRunStart,
      onHostStart: out.onHostStart,
      onHostResult: (r, p) => out.onHostResult(marks.annotate(r), p),
    };
    const fix = options.fix;
    const report = marks.finalize(
      await runAudit(
        marks.hosts,
        {
          concurrency,
          timeoutMs,
          connector,
          rules,
          interrupt: options.signal,
          ...(pool ? { auditOne: pool.auditOne } : {}),
          fix:
            fix && policy
              ? {
                  dryRun: fix.dryRun === true,
                  policy,
                  // hosts named one by one (--limit of names, --local) are an explicit choice: no guard
                  gate: new FixGate(marks.hosts.length, fix.maxChanges === undefined || selection.explicit ? null : fix.maxChanges),
                }
              : undefined,
        },
        listener,
      ),
    );
    out.onRunEnd(report);
    return report;
  } finally {
    await pool?.close(); // on every path: no worker outlives the run
    ssh?.close(); // the jump host connections
  }
}
