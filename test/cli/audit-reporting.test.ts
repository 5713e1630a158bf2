// The CLI around reporting, in-process and without a fleet: option parsing, exit 2 for bad
// --waivers/--baseline/--rerun-failed files, --rerun-failed selection and what goes to stderr.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileOption, rerunArgs } from '../../src/cli/audit-reporting.js';
import { main } from '../../src/cli/main.js';
import { host, report } from '../report/fixtures.js';
import { memoryIo } from './run-main.js';
import { parseJson } from '../helpers/json.js';
import type { Report } from '../../src/model/report.js';


describe('rerunArgs', () => {
  it('keeps what selects and connects, drops report and selection options in every spelling', () => {
    expect(
      rerunArgs([
        'audit', '-i', 'inv.yaml', '--format', 'json', '-o', 'json=a.json', 'junit=b.xml', '--known-hosts', 'kh',
        '--output=prometheus=c.prom', '--rerun-failed', 'last.json', '--baseline=last.json', '-q', '--rule', 'config-mode',
        '--limit', 'a,b', 'web*:!web3', '-f', 'table', '--waivers', 'w.yaml', '--quiet', '-j', '5',
      ]),
    ).toEqual(['-i', 'inv.yaml', '--known-hosts', 'kh', '--rule', 'config-mode', '--waivers', 'w.yaml', '-j', '5']);
  });
});

describe('fileOption', () => {
  it('absent, once, twice, empty', () => {
    expect(fileOption(undefined, 'baseline')).toBeUndefined();
    expect(fileOption('x.json', 'baseline')).toBe('x.json');
    expect(() => fileOption(['a', 'b'], 'baseline')).toThrow('--baseline was given 2 times; give it once');
    expect(() => fileOption('', 'waivers')).toThrow('--waivers needs a file');
  });
});

describe('vmsnap audit with reporting options (no host is ever contacted here)', () => {
  let dir: string;
  let inventory: string;
  let knownHosts: string;
  let allCompliant: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vmsnap-cli-reporting-'));
    inventory = join(dir, 'inventory.yaml');
    // loopback addresses nothing listens on: these runs stop before connecting, and if one ever did it stays on this machine
    writeFileSync(inventory, 'hosts:\n  - name: a\n    host: 127.77.2.1\n  - name: b\n    host: 127.77.2.2\n');
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, '');
    allCompliant = join(dir, 'all-compliant.json');
    writeFileSync(allCompliant, JSON.stringify(report([host('a', 'compliant'), host('b', 'compliant'), host('retired', 'unreachable')])));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const audit = (...args: string[]) => ['audit', '-i', inventory, '--known-hosts', knownHosts, ...args];

  it('a corrupt --baseline or --rerun-failed file is exit 2 with a clear message', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion": 1, "hosts": [');
    for (const flag of ['--baseline', '--rerun-failed']) {
      const io = memoryIo();
      expect(await main(audit(flag, bad), io)).toBe(2);
      expect(io.err()).toMatch(new RegExp(`^vmsnap: ${flag} ${bad}: not a vmsnap report: not valid JSON`));
      expect(io.out()).toBe('');
    }
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ ...report([]), schemaVersion: 9 }));
    const io = memoryIo();
    expect(await main(audit('--baseline', wrong), io)).toBe(2);
    expect(io.err()).toBe(`vmsnap: --baseline ${wrong}: report schema version 9 is not the one this vmsnap reads (1)\n`);
  });

  it('an unknown rule in --waivers is exit 2 naming file:line with a did-you-mean', async () => {
    const w = join(dir, 'w.yaml');
    writeFileSync(w, 'waivers:\n  - rule: config-mod\n    host: "*"\n    justification: x\n    expires: 2030-01-01\n');
    const io = memoryIo();
    expect(await main(audit('--waivers', w), io)).toBe(2);
    expect(io.err()).toBe(`vmsnap: ${w}:2: waivers[0].rule: unknown rule "config-mod" (did you mean "config-mode"?) (\`vmsnap rules\` lists them)\n`);
  });

  it('--rerun-failed with nothing that failed audits nothing, says so, and names hosts gone from the inventory', async () => {
    const io = memoryIo();
    const out = join(dir, 'out.json');
    expect(await main(audit('--rerun-failed', allCompliant, '--format', 'jsonl', '--output', `json=${out}`), io)).toBe(0);
    expect(io.err()).toContain(`--rerun-failed ${allCompliant}: 1 host is no longer in the inventory (or not selected by --limit/--shard), skipped: retired`);
    expect(io.err()).toContain('rerunning 0 hosts that were not compliant');
    const lines = io.out().trimEnd().split('\n').map((l) => parseJson<unknown>(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: 'summary', summary: { hosts: 0 } });
    expect(parseJson<Report>(readFileSync(out, 'utf8')).hosts).toEqual([]);
  });

  it('the progress line only when stderr is a terminal, and never with --quiet', async () => {
    const CLEAR = '\r\x1b[2K';
    const notTty = memoryIo({ stderrIsTTY: false });
    await main(audit('--rerun-failed', allCompliant, '-q'), notTty);
    expect(notTty.err()).not.toContain(CLEAR);
    const tty = memoryIo({ stderrIsTTY: true, stderrColumns: 100 });
    await main(audit('--rerun-failed', allCompliant), tty);
    expect(tty.err()).toContain(`${CLEAR}vmsnap 0/0 done`);
    expect(tty.err().endsWith(CLEAR)).toBe(true); // cleared at the end
    const quiet = memoryIo({ stderrIsTTY: true });
    await main(audit('--rerun-failed', allCompliant, '--quiet'), quiet);
    expect(quiet.err()).toBe(`vmsnap: --rerun-failed ${allCompliant}: 1 host is no longer in the inventory (or not selected by --limit/--shard), skipped: retired\n`);
  });

  it('an expired waiver is a warning on stderr before the run', async () => {
    const w = join(dir, 'expired.yaml');
    writeFileSync(w, 'waivers:\n  - rule: config-mode\n    host: "db-*"\n    justification: x\n    expires: 2001-01-01\n');
    const io = memoryIo();
    const code = await main(audit('--waivers', w, '--rerun-failed', allCompliant, '--format', 'json', '-q'), io);
    expect(code).toBe(0);
    expect(io.err()).toContain(`vmsnap: warning: 1 waiver has expired and no longer waive anything: ${w}:2 config-mode on host db-* (expired 2001-01-01)`);
    expect(parseJson<Report>(io.out()).waivers?.expired).toHaveLength(1);
  });

  it('new formats are accepted by --format and --output', async () => {
    const io = memoryIo();
    expect(await main(audit('--format', 'yaml'), io)).toBe(2);
    expect(io.err()).toContain('"table", "json", "jsonl", "junit", "prometheus"');
    const io2 = memoryIo();
    expect(await main(audit('--output', 'xml=x'), io2)).toBe(2);
    expect(io2.err()).toContain('FORMAT one of table, json, jsonl, junit, prometheus');
  });
});
