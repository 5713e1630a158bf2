// The HTML report: one self-contained file (all CSS and JS inline, a Content-Security-Policy that
// allows only those two inline blocks, by hash), readable from file:// and as a CI artifact, printed
// and in dark mode. Everything that comes from a VM (names, paths, messages, config keys) reaches
// the page only as data: JSON inside <script type="application/json"> with `<`, `>` and `&` escaped,
// read with JSON.parse and put into the DOM with textContent/setAttribute by html-client.ts, never
// innerHTML. The only markup written here from the report is numbers (the tiles) and escaped text.
//
// Size: a host's facts are a few KiB (7 KiB typical); 10,000 hosts of them as plain JSON would be
// 70 MB. The table's data (hosts, statuses, findings, strings interned) is plain JSON; the facts
// (the evidence shown in a host's detail) travel gzip-compressed in base64 chunks of FACTS_CHUNK
// hosts, decoded by the browser's DecompressionStream only when a detail is opened.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { AUDITED_STATUSES, HOST_STATUSES, type Finding, type HostResult, type Report } from '../model/report.js';
import { allRules } from '../rules/index.js';
import { CLIENT_JS } from './html-client.js';
import { CLIENT_CSS } from './html-style.js';
import type { Reporter, Sink } from './reporter.js';
import type { HostLabelLookup } from '../inventory/labels.js';

/** What the HTML report knows beyond the Report: the inventory's labels and how the run was started. */
export interface HtmlOptions {
  /** groups and tags of a host (from the inventory); the report itself does not carry them */
  labels?: HostLabelLookup | undefined;
  /** the command line after `vmsnap` (the run's flags); null/absent: not known (a saved report) */
  argv?: readonly string[] | null | undefined;
  /** the inventory file, for the fix commands shown */
  inventory?: string | undefined;
  /** the saved report this page was rendered from (`vmsnap report FILE`) */
  source?: string | undefined;
  /** when the page was rendered (tests pin it) */
  now?: Date | undefined;
}

export const FACTS_CHUNK = 250;

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that can sit inside <script type="application/json">: no `<` (so no `</script>` or `<!--`), `>` or `&`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

/** The page's policy: nothing but its own inline script and style (by hash); no request of any kind. */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `script-src 'sha256-${sha256(CLIENT_JS)}'`,
    `style-src 'sha256-${sha256(CLIENT_CSS)}'`,
    "img-src 'none'",
    "font-src 'none'",
    "connect-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Repeated strings (rules, paths, messages, consequences) once, findings as index tuples. */
class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  id(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/** [rule, severity, extensionCode, portalError, path, message, consequence, silent, fixable, waived, drift] */
type FindingTuple = [number, number, number | null, number, number, number, number, 0 | 1, 0 | 1, { j: string; e: string } | null, number];

function findingTuple(f: Finding, S: Strings): FindingTuple {
  return [
    S.id(f.rule),
    S.id(f.severity),
    f.extensionCode,
    S.id(f.portalError),
    S.id(f.path),
    S.id(f.message),
    S.id(f.consequence),
    f.silent ? 1 : 0,
    f.fixable ? 1 : 0,
    f.waived ? { j: f.waived.justification, e: f.waived.expires } : null,
    S.id(f.drift),
  ];
}

function hostRecord(h: HostResult, i: number, S: Strings, opts: HtmlOptions): Record<string, unknown> {
  const labels = opts.labels?.(h.name);
  const rec: Record<string, unknown> = {
    n: h.name,
    a: h.address,
    p: h.port,
    u: h.user,
    s: h.status,
    d: h.durationMs,
    f: h.findings.map((f) => findingTuple(f, S)),
    g: labels ? labels.groups.map((x) => S.id(x)) : [],
    t: labels ? labels.tags.map((x) => S.id(x)) : [],
    // where the facts are: chunk i / FACTS_CHUNK, entry i % FACTS_CHUNK (-1: none)
    x: h.facts ? i : -1,
  };
  if (h.error) rec['e'] = [h.error.code, h.error.message];
  if (h.previousStatus !== undefined) rec['ps'] = h.previousStatus;
  if (h.resolved) rec['r'] = h.resolved.map((f) => findingTuple(f, S));
  if (h.fixes) rec['fx'] = h.fixes;
  if (h.findingsBefore) rec['fb'] = h.findingsBefore.map((f) => findingTuple(f, S));
  return rec;
}

const TILE_LABELS: Array<[string, string]> = [
  ['hosts', 'hosts'],
  ['compliant', 'compliant'],
  ['noncompliant', 'noncompliant'],
  ['notAudited', 'not audited'],
  ['silentFallback', 'silent fallback'],
];

function tiles(report: Report): string {
  const s = report.summary as Record<string, number | undefined>;
  const tile = (key: string, label: string, cls: string) =>
    `<button type="button" class="tile ${cls}" data-count="${escapeHtml(key)}" data-filter="${escapeHtml(key)}"><span class="num">${Number(s[key] ?? 0)}</span><span class="lbl">${escapeHtml(label)}</span></button>`;
  const main = TILE_LABELS.map(([k, l]) => tile(k, l, `t-${k}`)).join('');
  const causes = HOST_STATUSES.filter((st) => !AUDITED_STATUSES.has(st))
    .map((st) => tile(st, st.replace(/_/g, ' '), `t-cause${(s[st] ?? 0) === 0 ? ' zero' : ''}`))
    .join('');
  const extra: Array<[string, string]> = [['errors', 'errors'], ['warnings', 'warnings']];
  if (s['waived'] !== undefined) extra.push(['waived', 'waived']);
  if (report.baseline) extra.push(['newFindings', 'new findings'], ['resolvedFindings', 'resolved findings'], ['statusChanged', 'status changed']);
  if (s['fixesPlanned'] !== undefined) extra.push(['fixesPlanned', 'fixes planned'], ['fixesApplied', 'fixes applied']);
  return (
    `<div class="tiles main">${main}</div>` +
    `<div class="tiles causes" aria-label="not audited, by cause">${causes}</div>` +
    `<div class="tiles extra">${extra.map(([k, l]) => tile(k, l, 't-extra')).join('')}</div>`
  );
}

export function renderHtml(report: Report, sink: Sink, opts: HtmlOptions = {}): void {
  const S = new Strings();
  const hosts = report.hosts.map((h, i) => hostRecord(h, i, S, opts));
  const used = new Set<string>();
  for (const h of report.hosts) for (const f of [...h.findings, ...(h.resolved ?? [])]) used.add(f.rule);
  const rules: Record<string, { title: string; fix: string; fixable: boolean; why: string }> = {};
  for (const r of allRules) if (used.has(r.meta.id)) rules[r.meta.id] = { title: r.meta.title, fix: r.meta.fix, fixable: r.meta.fixable, why: r.meta.why };
  const meta = {
    tool: report.tool,
    schemaVersion: report.schemaVersion,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    summary: report.summary,
    baseline: report.baseline ?? null,
    waivers: report.waivers ?? null,
    argv: opts.argv ?? null,
    inventory: opts.inventory ?? null,
    source: opts.source ?? null,
    renderedAt: (opts.now ?? new Date()).toISOString(),
    factsChunk: FACTS_CHUNK,
  };
  const s = report.summary;
  const title = `vmsnap: ${s.hosts} hosts, ${s.noncompliant} noncompliant, ${s.notAudited} not audited`;

  sink.write(
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy())}">\n` +
      '<meta name="referrer" content="no-referrer">\n<meta name="color-scheme" content="light dark">\n' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
      `<title>${escapeHtml(title)}</title>\n<style>${CLIENT_CSS}</style>\n</head>\n<body>\n` +
      '<header><h1>vmsnap fleet report</h1><p id="headline" class="headline"></p><p id="runline" class="runline"></p></header>\n' +
      `<main>\n<section id="tiles" aria-label="hosts by status">${tiles(report)}</section>\n` +
      '<noscript><p class="noscript">The host table, charts and details need JavaScript (inline only; this page makes no request). The counts above are the run\'s summary.</p></noscript>\n' +
      '<section id="charts" class="charts"><figure><figcaption>Hosts by status</figcaption><div id="chart-status"></div></figure><figure><figcaption>Findings by rule</figcaption><div id="chart-rules"></div></figure></section>\n' +
      '<section id="changes" hidden></section>\n' +
      '<section id="hosts-section"><div id="filters" class="filters"></div><div id="table-wrap" class="table-wrap"><table id="hosts"><thead></thead><tbody></tbody></table></div><p id="shown" class="shown"></p></section>\n' +
      '<section id="detail" class="detail" hidden></section>\n' +
      '<section id="meta" class="meta"></section>\n</main>\n' +
      '<script type="application/json" id="vmsnap-data">',
  );
  // the data, host by host: a fleet of thousands is never one string in memory
  const head = jsonForScript({ v: 1, meta, rules, S: S.list, hosts: [] });
  const cut = head.lastIndexOf('[]');
  sink.write(head.slice(0, cut + 1));
  hosts.forEach((h, i) => sink.write((i > 0 ? ',' : '') + jsonForScript(h)));
  sink.write(head.slice(cut + 1) + '</script>\n<script type="application/json" id="vmsnap-facts">[');
  for (let c = 0; c * FACTS_CHUNK < report.hosts.length; c++) {
    const facts = report.hosts.slice(c * FACTS_CHUNK, (c + 1) * FACTS_CHUNK).map((h) => h.facts);
    sink.write((c > 0 ? ',' : '') + JSON.stringify(gzipSync(JSON.stringify(facts), { level: 6 }).toString('base64')));
  }
  sink.write(`]</script>\n<script>${CLIENT_JS}</script>\n</body>\n</html>\n`);
}

export class HtmlReporter implements Reporter {
  constructor(
    private readonly sink: Sink,
    private readonly opts: HtmlOptions = {},
  ) {}

  onRunEnd(report: Report): void {
    renderHtml(report, this.sink, this.opts);
  }
}
