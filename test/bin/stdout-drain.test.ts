// bin/vmsnap leaves only once stdout has taken the whole report. A reader that is slow to start (a
// dashboard's collector, `| ssh jumpbox tee`) lets the pipe fill (64 KiB on Linux) and Node keep
// the rest; exiting then loses it, and when that rest is under the stream's high-water mark Node
// does not even say it needs draining. This report is sized to leave ~6 KB behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Report, SCHEMA_VERSION, summarize, type HostResult } from '../../src/model/report.js';
import { VMSNAP, cliEnv } from '../helpers/cli.js';

const PIPE_BYTES = 65_536;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-drain-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function reportOfAbout(bytes: number, noncompliant = false): Report {
  const hosts: HostResult[] = [];
  const make = (hs: HostResult[]): Report => ({
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'vmsnap', version: '0.1.0' },
    startedAt: '2026-01-10T10:00:00.000Z',
    finishedAt: '2026-01-10T10:01:00.000Z',
    summary: summarize(hs),
    hosts: hs,
  });
  for (let i = 0; JSON.stringify(make(hosts), null, 2).length < bytes; i++) {
    const bad = noncompliant && i === 0;
    const findings = bad ? [{ rule: 'config-mode', severity: 'error' as const, extensionCode: 317, portalError: null, message: 'mode 0644', consequence: 'x', silent: false, fixable: true }] : [];
    hosts.push({ name: `vm-${String(i).padStart(4, '0')}`, address: '127.0.0.1', port: 22, user: 'root', status: bad ? 'noncompliant' : 'compliant', durationMs: 5, findings, facts: null });
  }
  return make(hosts);
}

describe('bin/vmsnap and a slow stdout reader', () => {
  it('writes the whole report before it exits', () => {
    const report = reportOfAbout(PIPE_BYTES + 6_000);
    const expected = JSON.stringify(report, null, 2) + '\n';
    const file = path.join(dir, 'shard.json');
    fs.writeFileSync(file, expected);

    // the reader starts a second late, as a pipe to a slow consumer does
    const r = spawnSync('/bin/bash', ['-c', 'set -o pipefail; "$0" "$1" merge "$2" | { sleep 1; cat; }', process.execPath, VMSNAP, file], {
      env: cliEnv(),
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    const code = r.status;
    const out = r.stdout;
    expect(code).toBe(0);
    expect(out.length).toBe(expected.length);
    expect(out).toBe(expected);
  });

  it('a reader that goes away early (| head) leaves the exit code as the fleet is: 1 here, not 0', () => {
    const file = path.join(dir, 'noncompliant.json');
    fs.writeFileSync(file, JSON.stringify(reportOfAbout(200_000, true), null, 2) + '\n');
    const r = spawnSync('/bin/bash', ['-c', 'set -o pipefail; "$0" "$1" merge "$2" | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"', process.execPath, VMSNAP, file], {
      env: cliEnv(),
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('1');
    expect(r.stderr).toBe('');
  });

  it('a full disk on stdout: one line on stderr, exit 74, no stack trace', () => {
    const file = path.join(dir, 'shard.json');
    const r = spawnSync(process.execPath, [VMSNAP, 'merge', file], { env: cliEnv(), encoding: 'utf8', stdio: ['ignore', fs.openSync('/dev/full', 'w'), 'pipe'] });
    expect(r.status).toBe(74);
    expect(r.stderr).toBe('vmsnap: cannot write the report to stdout: ENOSPC; the report on stdout is incomplete\n');
  });
});
