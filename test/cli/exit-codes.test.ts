import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes.js';
import { SCHEMA_VERSION, summarize, type HostResult, type HostStatus, type Report } from '../../src/model/report.js';

function report(statuses: HostStatus[]): Report {
  const hosts: HostResult[] = statuses.map((status, i) => ({ name: `h${i}`, address: '127.0.0.1', port: 22, user: 'root', status, durationMs: 0, findings: [], facts: null }));
  return { schemaVersion: SCHEMA_VERSION, tool: { name: 'vmsnap', version: '0' }, startedAt: '', finishedAt: '', summary: summarize(hosts), hosts };
}

describe('exitCodeFor', () => {
  it.each<[HostStatus[], number]>([
    [['compliant', 'compliant'], EXIT.ok],
    [['compliant', 'noncompliant'], EXIT.noncompliant],
    [['compliant', 'unreachable'], EXIT.notAudited],
    [['noncompliant', 'timeout'], EXIT.notAudited],
    [['noncompliant', 'sudo_required'], EXIT.notAudited],
    [['compliant', 'interrupted'], EXIT.interrupted],
    [[], EXIT.ok],
  ])('%j -> %i', (statuses, code) => expect(exitCodeFor(report(statuses))).toBe(code));
});
