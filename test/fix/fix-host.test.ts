// fixHost while it waits for the fleet-wide --max-changes decision: an interrupt must not lose the
// changes it planned (they are reported, not made). No connection is needed: nothing is applied.
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/ssh/deadline.js';
import { fixHost } from '../../src/fix/fix-host.js';
import { FixGate } from '../../src/fix/gate.js';
import { DEFAULT_ALLOWED_SCRIPT_DIRS } from '../../src/fix/plan.js';
import { CONFIG_PATH, compliantConfig } from '../../src/fleet/spec.js';
import type { FixRecord } from '../../src/model/report.js';
import type { RemoteSession } from '../../src/ssh/connector.js';
import { judge } from '../../src/rules/engine.js';
import { allRules } from '../../src/rules/index.js';
import { factsWithFiles } from '../helpers/facts.js';

describe('fixHost at the guard', () => {
  it('Ctrl-C while waiting: the planned changes are reported as not made, the host gave its slot back', async () => {
    const facts = factsWithFiles([{ type: 'file', path: CONFIG_PATH, content: JSON.stringify(compliantConfig()), mode: 0o644 }]);
    const interrupt = new AbortController();
    const deadline = new Deadline(60_000, interrupt.signal);
    const records: FixRecord[] = [];
    let slotGivenBack = false;
    const noConnection = new Proxy({}, { get: () => () => Promise.reject(new Error('nothing may be applied')) }) as unknown as RemoteSession;
    const waiting = fixHost({
      // two hosts in the run: this one waits for the other, which never comes
      fix: { dryRun: false, policy: { allowedScriptDirs: DEFAULT_ALLOWED_SCRIPT_DIRS }, gate: new FixGate(2, 10), releaseSlot: () => (slotGivenBack = true) },
      conn: noConnection,
      viaSudo: false,
      facts,
      findings: judge(facts, allRules),
      deadline,
      reaudit: () => Promise.reject(new Error('not reached')),
      record: (r) => records.push(...r),
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(slotGivenBack).toBe(true);
    interrupt.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'INTERRUPTED' });
    deadline.dispose();
    expect(records).toEqual([
      expect.objectContaining({ path: CONFIG_PATH, action: 'chmod', from: '0644', to: '0600', applied: false, pending: true, reason: expect.stringMatching(/^not made: the run was interrupted/) as string }),
    ]);
  });
});
