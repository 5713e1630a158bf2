// JUnit XML, as CI servers (Jenkins, GitLab, Azure DevOps) read it: one <testsuite> for the run,
// one <testcase> per host; a <failure> per error finding that counts (not waived), an <error> for a
// host that could not be audited, never <skipped>. Warnings, info and waived findings go to the
// testcase's <system-out>, so they are visible without failing the build.
// Attribute counts follow the usual reading: tests = hosts, failures = hosts with at least one
// <failure>, errors = hosts with an <error>; time in seconds.
import { AUDITED_STATUSES, type Finding, type HostResult, type Report } from '../model/report.js';
import type { Reporter, Sink } from './reporter.js';

// characters XML 1.0 does not allow at all, even escaped (C0 controls but tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF) become a visible \uXXXX; well-formed surrogate pairs are kept
function clean(s: string): string {
  return s.replace(/[\ud800-\udbff][\udc00-\udfff]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g, (c) =>
    c.length === 2 ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function xmlText(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function xmlAttr(s: string): string {
  // tab, CR and LF in an attribute are normalised to spaces by parsers unless escaped as references
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

function findingLine(f: Finding): string {
  const code = f.extensionCode !== null ? ` [${f.extensionCode}${f.portalError ? ' ' + f.portalError : ''}]` : '';
  const waived = f.waived ? ` (waived until ${f.waived.expires}: ${f.waived.justification})` : '';
  const drift = f.drift === 'new' ? ' [new]' : '';
  return `${f.severity} ${f.rule}${code}${drift}${waived}: ${f.message}${f.path ? ` (${f.path})` : ''}`;
}

function counts(h: HostResult): { failure: boolean; error: boolean } {
  if (!AUDITED_STATUSES.has(h.status)) return { failure: false, error: true };
  return { failure: h.findings.some((f) => f.severity === 'error' && !f.waived), error: false };
}

function testcase(h: HostResult): string {
  const out: string[] = [];
  const name = xmlAttr(h.name);
  out.push(`    <testcase name="${name}" classname="vmsnap.${name}" time="${seconds(h.durationMs)}">`);
  if (!AUDITED_STATUSES.has(h.status)) {
    const code = h.error?.code ?? h.status;
    const msg = h.error?.message ?? `host could not be audited (${h.status})`;
    out.push(`      <error message="${xmlAttr(`${h.status}: ${code}: ${msg}`)}" type="${xmlAttr(h.status)}">${xmlText(`${h.address}:${h.port} as ${h.user}: ${msg}`)}</error>`);
  } else {
    for (const f of h.findings) {
      if (f.severity !== 'error' || f.waived) continue;
      const body = [f.message, `consequence: ${f.consequence}`, f.path ? `path: ${f.path}` : '', `explain: vmsnap rules ${f.rule}`]
        .filter(Boolean)
        .join('\n');
      out.push(`      <failure message="${xmlAttr(`${f.rule}: ${f.message}`)}" type="${xmlAttr(f.rule)}">${xmlText(body)}</failure>`);
    }
  }
  const other = h.findings.filter((f) => f.severity !== 'error' || f.waived).map(findingLine);
  for (const f of h.resolved ?? []) other.push(`resolved since the baseline: ${f.rule}: ${f.message}`);
  if (other.length > 0) out.push(`      <system-out>${xmlText(other.join('\n'))}</system-out>`);
  out.push('    </testcase>');
  return out.join('\n');
}

export function renderJunit(report: Report): string {
  let failures = 0;
  let errors = 0;
  for (const h of report.hosts) {
    const c = counts(h);
    if (c.failure) failures += 1;
    if (c.error) errors += 1;
  }
  const tests = report.hosts.length;
  const started = Date.parse(report.startedAt);
  const finished = Date.parse(report.finishedAt);
  const time = Number.isFinite(started) && Number.isFinite(finished) ? seconds(finished - started) : '0.000';
  // JUnit's timestamp is ISO 8601 without a zone designator in the original Ant schema; CI servers accept both
  const stamp = xmlAttr(report.startedAt);
  const attrs = `tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="vmsnap" ${attrs}>`,
    `  <testsuite name="vmsnap audit" ${attrs} timestamp="${stamp}">`,
    '    <properties>',
    `      <property name="vmsnap.version" value="${xmlAttr(report.tool.version)}"/>`,
    `      <property name="vmsnap.schemaVersion" value="${report.schemaVersion}"/>`,
    '    </properties>',
    ...report.hosts.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export class JunitReporter implements Reporter {
  constructor(private readonly sink: Sink) {}

  onRunEnd(report: Report): void {
    this.sink.write(renderJunit(report));
  }
}
