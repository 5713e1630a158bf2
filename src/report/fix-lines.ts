// How --fix records read in the human report: `path: chmod 0644 -> 0600 (applied)`.
import type { HostResult } from '../model/report.js';

export function fixLines(h: HostResult): string[] {
  if (!h.fixes || h.fixes.length === 0) return [];
  const out = ['  fixes:'];
  for (const f of h.fixes) {
    const state = f.applied ? 'applied' : f.pending ? 'would change' : 'NOT changed';
    out.push(`    ${f.path}: ${f.action} ${f.from} -> ${f.to} (${state})`);
    if (f.reason && f.reason !== 'dry run') out.push(`        ${f.reason}`);
    if (f.note) out.push(`        note: ${f.note}`);
  }
  if (h.findingsBefore) {
    const before = h.findingsBefore.filter((f) => f.severity === 'error').length;
    const after = h.findings.filter((f) => f.severity === 'error').length;
    if (h.fixes.some((f) => f.applied)) out.push(`  errors before the fix: ${before}, after: ${after}`);
  }
  return out;
}
