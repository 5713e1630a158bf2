// Audits one host: connect, collect, judge (and, with --fix, repair and judge again).
// Every outcome, including ones nobody expected, becomes a HostResult: a host is never lost.
import { performance } from 'node:perf_hooks';
import { NO_PYTHON_MARKER, runCollector } from '../collect/remote-command.js';
import { CollectorOutputError, parseCollectorOutput } from '../collect/parse-output.js';
import { MAX_CONFIG_BYTES, MAX_CONFIG_PARSE_BYTES, type HostFacts } from '../model/facts.js';
import type { Finding, FixRecord, HostError, HostResult, HostStatus, HostTiming } from '../model/report.js';
import type { HostUnavailable } from '../inventory/types.js';
import { judge, isNoncompliant, type SeverityOverride } from '../rules/engine.js';
import type { Rule } from '../rules/rule.js';
import { SshError, type ExecResult } from '../ssh/connection.js';
import type { Connector, RemoteSession } from '../ssh/connector.js';
import { IdentityError } from '../ssh/identities.js';
import { fixHost, type FixOptions } from '../fix/fix-host.js';
import { Deadline } from '../ssh/deadline.js';
import { boundFacts } from './bound-facts.js';
import { VmsnapError } from '../errors.js';
import { elapsedMs } from '../util/elapsed.js';

/** What the audit needs to know about a host (the inventory's Host satisfies it). */
export interface AuditTarget {
  name: string;
  address: string;
  port: number;
  user: string;
  identityFile: string | null;
  sudo: 'auto' | 'always' | 'never';
  ruleSeverity?: Readonly<Record<string, SeverityOverride>>;
  /** the inventory already shows the host cannot be audited (an az VM with no address of the kind asked for) */
  unavailable?: HostUnavailable | undefined;
}

export interface AuditDeps {
  connector: Connector;
  /** present with --fix */
  fix?: FixOptions | undefined;
  rules: readonly Rule[];
  /** hard per-host deadline covering connect, auth, collection (and fixing) */
  timeoutMs: number;
  maxConfigBytes?: number;
  /** aborted on Ctrl-C: hosts in flight end as `interrupted` */
  interrupt?: AbortSignal;
}

export function usesSudo(t: AuditTarget): boolean {
  return t.sudo === 'always' || (t.sudo === 'auto' && t.user !== 'root');
}

/** The collector's command failed on the VM in a way that decides the host's status (sudo, no python...). */
class HostFailure extends VmsnapError {
  constructor(
    readonly status: HostStatus,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

function statusOfSshError(e: SshError): HostStatus {
  return e.kind;
}

/** The last three lines of a program's output, on one line, for a message. */
function lastLines(text: string): string {
  return text.split('\n').slice(-3).join(' | ').slice(0, 400);
}

/** Classifies a collector run without output: sudo refusals, no python, a login shell in the way, or a crash. */
export function classifyExecFailure(r: ExecResult, viaSudo: boolean): HostFailure {
  const stderr = r.stderr.toString('utf8').trim();
  const firstLines = lastLines(stderr);
  if (viaSudo) {
    if (/must have a tty|requiretty/i.test(stderr)) {
      return new HostFailure('sudo_required', 'SUDO_TTY', `sudo wants a terminal for this user (Defaults requiretty): add "Defaults:USER !requiretty" for it, or connect as root: ${firstLines}`);
    }
    if (/a password is required|a terminal is required|askpass/i.test(stderr)) {
      return new HostFailure('sudo_required', 'SUDO_PASSWORD', `sudo -n wants a password for this user: ${firstLines}`);
    }
    if (/not in the sudoers|is not allowed to (execute|run)|may not run sudo/i.test(stderr)) {
      return new HostFailure('sudo_required', 'SUDO_DENIED', `this user may not use sudo: ${firstLines}`);
    }
    if (r.exitCode === 127 && !stderr.includes(NO_PYTHON_MARKER)) {
      return new HostFailure('sudo_required', 'SUDO_MISSING', `sudo is not installed (connect as root, or install sudo): ${firstLines}`);
    }
  }
  if (stderr.includes(NO_PYTHON_MARKER)) {
    return new HostFailure('error', 'NO_PYTHON', 'no python interpreter on the VM: vmsnap and the VMSnapshotLinux extension both need one');
  }
  // nologin and friends answer on stdout
  const stdout = lastLines(r.stdout.toString('utf8').trim());
  if (/currently not available|nologin|not allowed to log ?in/i.test(`${stderr}\n${stdout}`)) {
    return new HostFailure('error', 'LOGIN_REFUSED', `the user's login shell runs no commands (nologin): ${firstLines || stdout}`);
  }
  if (r.exitCode === 0) {
    return new HostFailure('error', 'NO_OUTPUT', `the collector's output never arrived, yet the command exited 0: the user's login shell rc files (.bashrc, .profile) may exit or exec before running commands: ${firstLines || (stdout ? `stdout: ${stdout}` : 'no message')}`);
  }
  const how = r.exitCode !== null ? `exit code ${r.exitCode}` : `signal ${r.exitSignal}`;
  return new HostFailure('error', 'COLLECTOR_FAILED', `collector failed (${how}): ${firstLines || (stdout ? `stdout: ${stdout}` : 'no message')}`);
}

/** Runs the collector and checks its output; `timing` (when given) gets the exec, collect and parse phases. */
export async function collectFacts(conn: RemoteSession, viaSudo: boolean, maxConfigBytes: number, timing?: HostTiming): Promise<HostFacts> {
  const params = { maxConfigBytes, maxConfigParseBytes: MAX_CONFIG_PARSE_BYTES };
  const run = await runCollector(conn, viaSudo, params);
  if (timing && run.result.timing) {
    timing.execMs = run.result.timing.execMs;
    timing.collectMs = run.result.timing.collectMs;
  }
  // a complete frame is the collector's whole answer, whatever the exit status (which may not have arrived)
  if (run.output === null) throw classifyExecFailure(run.result, viaSudo);
  const parseStarted = performance.now();
  const facts = parseCollectorOutput(run.output);
  if (timing) timing.parseMs = elapsedMs(parseStarted);
  if (facts.runAs.uid !== 0) {
    throw new HostFailure(
      'sudo_required',
      'NOT_ROOT',
      `the collector ran as ${facts.runAs.name ?? 'uid ' + facts.runAs.uid}, not root, so it cannot see what the extension sees: set sudo to auto or always`,
    );
  }
  return facts;
}

export async function auditHost(t: AuditTarget, deps: AuditDeps): Promise<HostResult> {
  const started = performance.now();
  const base = { name: t.name, address: t.address, port: t.port, user: t.user };
  if (t.unavailable) {
    deps.fix?.gate.pass(); // every host settles the --fix guard exactly once
    return { ...base, status: t.unavailable.status, durationMs: 0, error: { code: t.unavailable.code, message: t.unavailable.message }, findings: [], facts: null };
  }
  const deadline = new Deadline(deps.timeoutMs, deps.interrupt);
  let gateSettled = false;
  let conn: RemoteSession | null = null;
  let facts: HostFacts | null = null;
  // --fix records as they happen: a failure after fixing started must not lose one
  let fixes: FixRecord[] | null = null;
  let findingsBefore: Finding[] = [];
  let timing: HostTiming | undefined;
  const fail = (status: HostStatus, error: HostError): HostResult => {
    const r: HostResult = { ...base, status, durationMs: Math.round(performance.now() - started), ...(timing ? { timing } : {}), error, findings: [], facts: facts && boundFacts(facts) };
    if (fixes) {
      r.fixes = fixes;
      r.findingsBefore = findingsBefore;
    }
    return r;
  };
  try {
    conn = await deps.connector.connect(t, deadline.signal);
    const session = conn;
    if (session.timing) timing = { ...session.timing };
    const viaSudo = usesSudo(t);
    const maxConfig = deps.maxConfigBytes ?? MAX_CONFIG_BYTES;
    facts = await collectFacts(session, viaSudo, maxConfig, timing);
    const judgeStarted = performance.now();
    let findings = judge(facts, deps.rules, t.ruleSeverity);
    if (timing) timing.judgeMs = elapsedMs(judgeStarted);
    const result: HostResult = { ...base, status: 'compliant', durationMs: 0, ...(timing ? { timing } : {}), findings, facts };
    if (deps.fix) {
      const recorded: FixRecord[] = (fixes = result.fixes = []);
      findingsBefore = result.findingsBefore = findings;
      gateSettled = true; // fixHost settles the guard on every path
      const after = await fixHost({
        fix: deps.fix,
        conn: session,
        viaSudo,
        facts,
        findings,
        deadline,
        reaudit: async () => {
          const after = await collectFacts(session, viaSudo, maxConfig);
          facts = after;
          return { facts: after, findings: judge(after, deps.rules, t.ruleSeverity) };
        },
        record: (r) => recorded.push(...r),
      });
      if (after) {
        result.facts = after.facts;
        findings = result.findings = after.findings;
      }
    }
    // the report keeps a bounded copy: what a VM wrote must not grow the run's memory or report
    if (result.facts) result.facts = boundFacts(result.facts);
    result.status = isNoncompliant(findings) ? 'noncompliant' : 'compliant';
    result.durationMs = Math.round(performance.now() - started);
    return result;
  } catch (e) {
    if (e instanceof SshError) return fail(statusOfSshError(e), { code: e.code, message: e.message });
    if (e instanceof HostFailure) return fail(e.status, { code: e.code, message: e.message });
    if (e instanceof IdentityError) return fail('auth_failed', { code: e.code, message: e.message });
    if (e instanceof CollectorOutputError) return fail('error', { code: e.code, message: e.message });
    return fail('error', { code: 'INTERNAL', message: `unexpected error: ${(e as Error)?.message ?? String(e)}` });
  } finally {
    if (deps.fix && !gateSettled) deps.fix.gate.pass();
    deadline.dispose();
    conn?.close();
  }
}
