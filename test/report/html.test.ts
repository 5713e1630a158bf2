// The HTML page as text: one self-contained file whose only active parts are its own inline style and
// script (allowed by hash in its CSP), its data JSON that no host string can break out of, tiles
// equal to the summary, and facts that decompress to the report's own. The page's behaviour is
// tested in a real browser by html.browser.e2e.test.ts.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FACTS_CHUNK, contentSecurityPolicy, escapeHtml, jsonForScript, renderHtml } from '../../src/report/html.js';
import { CLIENT_JS } from '../../src/report/html-client.js';
import { CLIENT_CSS } from '../../src/report/html-style.js';
import type { Report } from '../../src/model/report.js';
import { MemorySink, finding, host, mixedReport, report } from './fixtures.js';
import { compliantFacts, factsWithConfig } from '../helpers/facts.js';
import { compliantConfig } from '../../src/fleet/spec.js';

const HOSTILE = ['</script><script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "' onmouseover='alert(3)", '<!-- <script>', '\u2028\u2029', '&lt;b&gt;'];

function page(r: Report, opts: Parameters<typeof renderHtml>[2] = {}): string {
  const sink = new MemorySink();
  renderHtml(r, sink, { now: new Date('2026-03-01T03:00:00Z'), ...opts });
  return sink.text;
}

/** The text between <script ...id="ID"> and its </script>. */
function scriptBody(html: string, id: string): string {
  const open = html.indexOf(`id="${id}">`);
  expect(open, id).toBeGreaterThan(0);
  const start = open + `id="${id}">`.length;
  return html.slice(start, html.indexOf('</script>', start));
}

function hostileReport(): Report {
  return report(
    HOSTILE.map((s, i) =>
      host(`h${i}${s}`, 'noncompliant', [finding({ path: `/etc/azure/${s}.sh`, message: `key ${s} is not read` })], {
        facts: factsWithConfig({ ...compliantConfig(), [s]: s }),
      }),
    ),
  );
}

describe('escapeHtml', () => {
  it('leaves no character that starts markup or ends an attribute', () => {
    for (const s of HOSTILE) expect(escapeHtml(s)).not.toMatch(/[<>"']/);
    expect(escapeHtml('a&b')).toBe('a&#38;b');
  });
});

describe('jsonForScript', () => {
  it('parses back to the same value and has no <, > or & that could end the script element', () => {
    const value = { hosts: HOSTILE, nested: [{ k: HOSTILE.join('') }] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('renderHtml', () => {
  it('inlines exactly one style and one script, allowed by their hashes, and loads nothing', () => {
    const html = page(mixedReport());
    const sha = (s: string) => createHash('sha256').update(s).digest('base64');
    expect(contentSecurityPolicy()).toContain(`'sha256-${sha(CLIENT_JS)}'`);
    expect(contentSecurityPolicy()).toContain(`'sha256-${sha(CLIENT_CSS)}'`);
    expect(contentSecurityPolicy()).toMatch(/^default-src 'none'/);
    expect(html).toContain(`<style>${CLIENT_CSS}</style>`);
    expect(html).toContain(`<script>${CLIENT_JS}</script>`);
    // every other script element is data, never run
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.sort()).toEqual(['', ' type="application/json" id="vmsnap-data"', ' type="application/json" id="vmsnap-facts"'].sort());
    expect(html).not.toMatch(/\s(src|href)=["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/<link\b|@import|url\(/i);
  });

  it('keeps hostile host names, paths, messages and facts inside the data, as data', () => {
    const r = hostileReport();
    const html = page(r, { argv: ['audit', '-i', HOSTILE[0]!] });
    // the only <script and </script in the file are the page's own three elements
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script/g)).toHaveLength(3);
    expect(html).not.toContain('<img');
    const data = JSON.parse(scriptBody(html, 'vmsnap-data')) as { hosts: { n: string }[]; S: string[]; meta: { argv: string[] } };
    expect(data.hosts.map((h) => h.n)).toEqual(r.hosts.map((h) => h.name));
    for (const s of HOSTILE) expect(data.S).toContain(`/etc/azure/${s}.sh`);
    expect(data.meta.argv).toEqual(['audit', '-i', HOSTILE[0]]);
    // the title names counts only
    expect(/<title>(.*)<\/title>/.exec(html)![1]).toBe('vmsnap: 6 hosts, 6 noncompliant, 0 not audited');
  });

  it('shows the summary in the tiles, one per status and count', () => {
    const r = mixedReport();
    const html = page(r);
    const tiles = new Map([...html.matchAll(/data-count="(\w+)"[^>]*><span class="num">(\d+)</g)].map((m) => [m[1]!, Number(m[2])]));
    for (const [k, v] of Object.entries(r.summary)) if (typeof v === 'number' && tiles.has(k)) expect(tiles.get(k), k).toBe(v);
    for (const k of ['hosts', 'compliant', 'noncompliant', 'notAudited', 'silentFallback', 'unreachable', 'timeout']) expect(tiles.has(k), k).toBe(true);
    expect(tiles.get('unreachable')).toBe(1);
    expect(tiles.get('notAudited')).toBe(2);
  });

  it("carries each host's facts gzip-compressed in chunks, decoding to the report's facts", () => {
    const hosts = Array.from({ length: FACTS_CHUNK + 3 }, (_, i) =>
      host(`vm-${i}`, 'compliant', [], { facts: i % 2 ? compliantFacts() : factsWithConfig({ ...compliantConfig(), timeoutInSeconds: i }) }),
    );
    const r = report(hosts);
    const chunks = JSON.parse(scriptBody(page(r), 'vmsnap-facts')) as string[];
    expect(chunks).toHaveLength(2);
    const decoded = chunks.flatMap((c) => JSON.parse(gunzipSync(Buffer.from(c, 'base64')).toString('utf8')) as unknown[]);
    expect(decoded).toEqual(r.hosts.map((h) => h.facts));
  });

  it('writes the host data host by host, never the whole fleet as one string', () => {
    const r = report(Array.from({ length: 50 }, (_, i) => host(`vm-${i}`, 'compliant')));
    const sink = new MemorySink();
    renderHtml(r, sink);
    expect(sink.chunks.length).toBeGreaterThan(50);
    expect(Math.max(...sink.chunks.map((c) => c.length))).toBeLessThan(CLIENT_JS.length + 100);
  });
});
