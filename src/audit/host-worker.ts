// A worker thread of --workers (worker-pool.ts): its own connector and rules, built from the run's
// options as main read them, and one auditHost per target main posts, each result posted back. Main
// has already given the warnings about those options, so nothing here warns.
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { InternalError } from '../errors.js';
import { allRules } from '../rules/index.js';
import { openConnector } from '../ssh/open.js';
import { auditHost } from './audit-host.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-pool.js';

const port = parentPort;
if (!port) throw new InternalError('host-worker.js runs only as a worker thread of the audit');
const setup = workerData as WorkerSetup;

// Test-only (test/audit/workers.e2e.test.ts): the worker crashes on receiving a host named here, as
// a bug or a native crash in it would. Never set it outside the tests.
const crashAt = new Set((process.env['VMSNAP_TEST_WORKER_CRASH'] ?? '').split(',').filter((n) => n !== ''));

// Main's interrupt, relayed: hosts in flight here end as `interrupted` and still post their result
const interrupt = new AbortController();
setMaxListeners(0, interrupt.signal); // every host in flight listens for it, as in runAudit

const byId = new Map(allRules.map((r) => [r.meta.id, r]));
const rules = setup.ruleIds.map((id) => {
  const rule = byId.get(id);
  if (!rule) throw new InternalError(`a worker thread was given an unknown rule id: ${id}`);
  return rule;
});
// a failure here (main opened the same files a moment ago) ends this thread: main reports its hosts as WORKER_FAILED
const connector = openConnector(setup.ssh, setup.timeoutMs);

port.on('message', (m: ToWorker) => {
  if (m.type === 'interrupt') {
    interrupt.abort();
    return;
  }
  if (crashAt.has(m.target.name)) throw new InternalError(`test-only crash (VMSNAP_TEST_WORKER_CRASH) on receiving host ${m.target.name}`);
  void connector
    .then((c) => auditHost(m.target, { ...m.deps, connector: c, rules, interrupt: interrupt.signal }))
    .then((result) => port.postMessage({ type: 'result', id: m.id, result } satisfies FromWorker));
});
