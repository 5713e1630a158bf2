import { describe, expect, it } from 'vitest';
import { JunitReporter, renderJunit } from '../../src/report/junit.js';
import { finding, host, MemorySink, mixedReport, report, warning } from './fixtures.js';
import { parseJunit, type JunitTestcase } from './validators.js';

describe('JUnit XML', () => {
  it('is one testsuite with a testcase per host, a failure per error finding, an error per host not audited, nothing skipped', () => {
    const r = report([
      host('web-1', 'compliant'),
      host('db-1', 'noncompliant', [finding(), finding({ rule: 'config-owner', message: 'owned by appuser, not root' }), warning()]),
      host('db-2', 'unreachable'),
      host('app-1', 'timeout'),
      host('app-2', 'interrupted'),
    ]);
    const doc = parseJunit(renderJunit(r));
    const top = doc.testsuites;
    expect(top).toMatchObject({ tests: '5', failures: '1', errors: '3', time: '12.500' });
    expect(top.testsuite).toHaveLength(1);
    const suite = top.testsuite[0]!;
    expect(suite).toMatchObject({ name: 'vmsnap audit', tests: '5', failures: '1', errors: '3', skipped: '0', time: '12.500', timestamp: r.startedAt });
    expect(suite.testcase.map((t) => t.name)).toEqual(['web-1', 'db-1', 'db-2', 'app-1', 'app-2']);
    const byName = (n: string) => suite.testcase.find((t) => t.name === n)!;
    const [web, db, unreachable, timeout, interrupted] = ['web-1', 'db-1', 'db-2', 'app-1', 'app-2'].map(byName) as [JunitTestcase, JunitTestcase, JunitTestcase, JunitTestcase, JunitTestcase];
    expect(web.failure).toHaveLength(0);
    expect(web.error).toHaveLength(0);
    expect(web.time).toBe('1.234');
    expect(db.failure.map((f) => f.type)).toEqual(['config-mode', 'config-owner']);
    expect(db.failure[0]!.message).toBe('config-mode: mode 0644 is wider than 0600');
    expect(db.failure[0]!['#text']).toContain('vmsnap rules config-mode');
    expect(db['system-out'].join('')).toContain('script-mode-recommended');
    expect(unreachable.error[0]).toMatchObject({ type: 'unreachable' });
    expect(unreachable.error[0]!.message).toContain('ECONNREFUSED');
    expect(timeout.error[0]!.type).toBe('timeout');
    expect(interrupted.error[0]!.type).toBe('interrupted');
    for (const t of suite.testcase) expect(t.skipped).toHaveLength(0);
    // the counts agree with the elements, as a CI server would tally them
    expect(suite.testcase.filter((t) => t.failure.length > 0)).toHaveLength(Number(suite.failures));
    expect(suite.testcase.filter((t) => t.error.length > 0)).toHaveLength(Number(suite.errors));
  });

  it('does not fail a host on waived findings, and lists them', () => {
    const r = report([host('db-1', 'compliant', [finding({ waived: { justification: 'vendor <appliance> & co', expires: '2030-01-01' } })])]);
    const suite = parseJunit(renderJunit(r)).testsuites.testsuite[0]!;
    expect(suite.failures).toBe('0');
    expect(suite.testcase[0]!.failure).toHaveLength(0);
    expect(suite.testcase[0]!['system-out'][0]).toContain('waived until 2030-01-01: vendor <appliance> & co');
  });

  it('escapes whatever a VM or an inventory puts in names and messages, and stays well-formed', () => {
    const nasty = 'a<b>&"c\' \u0001\u001b[2J \ud83d\ude00 \ud800 ]]> \r\n\ttab';
    const r = report([host(`h"<&>'`, 'noncompliant', [finding({ message: nasty, path: nasty })]), host('e', 'error', [], { error: { code: 'X&Y', message: nasty } })]);
    const xml = renderJunit(r);
    const suite = parseJunit(xml).testsuites.testsuite[0]!;
    expect(suite.testcase[0]!.name).toBe(`h"<&>'`);
    const msg = suite.testcase[0]!.failure[0]!.message;
    expect(msg).toContain('a<b>&"c\'');
    expect(msg).toContain('\\u0001\\u001b[2J'); // not allowed in XML 1.0 at all: shown as escapes
    expect(msg).toContain('\ud83d\ude00'); // a real character survives
    expect(msg).toContain('\r\n\ttab'); // kept exactly, as character references in the attribute
    expect(suite.testcase[1]!.error[0]!.message).toContain('X&Y');
  });

  it('writes through the Reporter interface once, at the end', () => {
    const sink = new MemorySink();
    const rep = new JunitReporter(sink);
    const r = mixedReport();
    expect(sink.chunks).toHaveLength(0);
    rep.onRunEnd(r);
    expect(sink.chunks).toHaveLength(1);
    expect(sink.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
  });

  it('an empty run is still a valid document', () => {
    const suite = parseJunit(renderJunit(report([]))).testsuites.testsuite[0]!;
    expect(suite).toMatchObject({ tests: '0', failures: '0', errors: '0' });
    expect(suite.testcase).toHaveLength(0);
  });
});
