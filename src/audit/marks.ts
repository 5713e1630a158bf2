// What an audit adds from earlier files: --rerun-failed (which hosts), --waivers and --baseline
// (marks on each host result as it arrives, so streamed reports carry them too, and on the final
// report). Loading is I/O; the marks themselves are pure (src/waivers, src/baseline).
import { applyBaseline, baselineIndex, driftHost } from '../baseline/drift.js';
import { loadPreviousReport } from '../baseline/load.js';
import { failedHostNames, selectRerun } from '../baseline/rerun.js';
import type { Host } from '../inventory/types.js';
import type { HostResult, Report } from '../model/report.js';
import { applyWaivers, describeWaiver, isExpired, waiveHost } from '../waivers/apply.js';
import { loadWaivers, type WaiverSet } from '../waivers/load.js';
import { hostLabels } from '../inventory/labels.js';

export interface MarkOptions {
  /** a waivers file (YAML) */
  waivers?: string | undefined;
  /** an earlier report (JSON or JSON Lines): each host and the report say what changed since */
  baseline?: string | undefined;
  /** an earlier report: audit only the hosts that were not compliant in it */
  rerunFailed?: string | undefined;
}

export interface Marks<T extends Host> {
  /** the hosts to audit: all, or the failures of rerunFailed */
  hosts: T[];
  /** one host's result with its waivers and drift */
  annotate(result: HostResult): HostResult;
  /** the run's report with waivers and baseline applied */
  finalize(report: Report): Report;
}

export async function loadMarks<T extends Host>(
  opts: MarkOptions,
  inventoryHosts: T[],
  ruleIds: readonly string[],
  onWarning: (message: string) => void,
  onInfo: (message: string) => void,
  now: Date = new Date(),
): Promise<Marks<T>> {
  let waivers: WaiverSet | null = null;
  if (opts.waivers !== undefined) {
    waivers = await loadWaivers(opts.waivers, ruleIds);
    const expired = waivers.waivers.filter((w) => isExpired(w, now));
    if (expired.length > 0) {
      onWarning(
        `warning: ${expired.length} waiver${expired.length === 1 ? ' has' : 's have'} expired and no longer waive anything: ` +
          expired.map((w) => `${describeWaiver(w)} (expired ${w.expires})`).join('; '),
      );
    }
  }
  const baseline = opts.baseline !== undefined ? await loadPreviousReport(opts.baseline, '--baseline') : null;
  const index = baseline ? baselineIndex(baseline) : null;

  let hosts = inventoryHosts;
  if (opts.rerunFailed !== undefined) {
    const last = opts.rerunFailed === opts.baseline && baseline ? baseline : await loadPreviousReport(opts.rerunFailed, '--rerun-failed');
    const { selected, missing } = selectRerun(inventoryHosts, failedHostNames(last));
    if (missing.length > 0) {
      onWarning(
        `--rerun-failed ${opts.rerunFailed}: ${missing.length} host${missing.length === 1 ? ' is' : 's are'} no longer in the inventory (or not selected by --limit/--shard), skipped: ${missing.join(', ')}`,
      );
    }
    onInfo(`--rerun-failed ${opts.rerunFailed}: rerunning ${selected.length} host${selected.length === 1 ? '' : 's'} that were not compliant`);
    hosts = selected;
  }

  const labelsOf = hostLabels(inventoryHosts);
  return {
    hosts,
    annotate: (h) => {
      let out = h;
      if (waivers) out = waiveHost(out, waivers, now, labelsOf).host;
      if (index) out = driftHost(out, index.get(out.name));
      return out;
    },
    finalize: (report) => {
      let out = report;
      if (waivers) out = applyWaivers(out, waivers, now, labelsOf);
      if (baseline && index) out = applyBaseline(out, baseline, opts.baseline!, index);
      return out;
    },
  };
}
