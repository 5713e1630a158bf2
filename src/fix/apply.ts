// Applies a fix plan over an open connection with the remote fixer, and turns its answer into
// the report's fix records. Every planned change ends up in a record, applied or not.
import { PARAMS_LOST_MARKER, runFixer, type ProgramRun } from '../collect/remote-command.js';
import type { FixRecord } from '../model/report.js';
import { SshError } from '../ssh/connection.js';
import type { RemoteSession } from '../ssh/connector.js';
import type { PlannedChange } from './plan.js';

interface FixerAnswer {
  path: string;
  chown?: { applied: boolean; reason?: string } | null;
  chmod?: { applied: boolean; reason?: string } | null;
  error?: string;
}

/** Marks every record of these changes as not applied, with the reason. */
export function notApplied(changes: readonly PlannedChange[], reason: string, pending = false): FixRecord[] {
  return changes.flatMap((c) =>
    c.records.map((r) => {
      const rec: FixRecord = { ...r, applied: false, reason };
      if (pending) rec.pending = true;
      return rec;
    }),
  );
}

export function recordsFromAnswer(changes: readonly PlannedChange[], answers: readonly FixerAnswer[]): FixRecord[] {
  return changes.flatMap((c, i) => {
    const a = answers[i];
    return c.records.map((r): FixRecord => {
      if (!a || a.path !== c.path) return { ...r, applied: false, reason: 'the fixer gave no answer for this file' };
      if (a.error) return { ...r, applied: false, reason: `the fixer failed: ${a.error}` };
      const outcome = r.action === 'chown' ? a.chown : a.chmod;
      if (!outcome) return { ...r, applied: false, reason: 'the fixer did not attempt it' };
      const rec: FixRecord = { ...r, applied: outcome.applied };
      if (!outcome.applied) {
        rec.reason = outcome.reason ?? 'not applied';
        delete rec.note;
      }
      return rec;
    });
  });
}

export async function applyChanges(conn: RemoteSession, viaSudo: boolean, changes: readonly PlannedChange[]): Promise<FixRecord[]> {
  const params = {
    changes: changes.map((c) => ({ path: c.path, expect: c.expect, chown: c.chown, chmod: c.chmod, requireSingleLink: c.requireSingleLink, adopt: c.adopt })),
  };
  let run: ProgramRun;
  let started = false;
  try {
    run = await runFixer(conn, viaSudo, params, () => (started = true));
  } catch (e) {
    const why = (e as Error).message;
    // the fixer changes nothing before it has its parameters: then "not made" is certain
    if (!started) {
      const hint = e instanceof SshError && e.code === 'DEADLINE' ? '; a login shell rc file that waits for input on stdin would do this' : '';
      return notApplied(changes, `not made: the fixer did not start (${why})${hint}`);
    }
    // the connection failed under the fixer: what happened on the VM is unknown, say so
    return notApplied(changes, `unknown: the connection failed while fixing (${why}); audit again to see the state`);
  }
  const r = run.result;
  if (run.output === null) {
    const stderr = r.stderr.toString('utf8');
    if (stderr.includes(PARAMS_LOST_MARKER)) {
      return notApplied(changes, 'not made: the fixer did not get its parameters intact on stdin (something the login shell started reads stdin)');
    }
    const why = stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
    return notApplied(changes, `the fixer failed (exit ${r.exitCode ?? r.exitSignal}): ${why || 'no message'}`);
  }
  let answer: { results?: FixerAnswer[] };
  try {
    answer = JSON.parse(run.output) as { results?: FixerAnswer[] };
  } catch {
    return notApplied(changes, 'the fixer printed something that is not JSON');
  }
  return recordsFromAnswer(changes, answer.results ?? []);
}
