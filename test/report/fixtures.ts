// Hand-built reports for the reporter tests: every one passes Report.parse (checked here), so the
// reporters are tested on valid model instances only.
import { Report, SCHEMA_VERSION, summarize, type Finding, type HostResult, type HostStatus } from '../../src/model/report.js';

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'config-mode',
    severity: 'error',
    extensionCode: 305,
    portalError: 'IncorrectJSONConfigFile',
    path: '/etc/azure/VMSnapshotScriptPluginConfig.json',
    message: 'mode 0644 is wider than 0600',
    consequence: 'backup silently falls back to file-system-consistent (portal shows success)',
    silent: true,
    fixable: true,
    ...over,
  };
}

export const warning = (over: Partial<Finding> = {}): Finding =>
  finding({ rule: 'script-mode-recommended', severity: 'warning', extensionCode: null, portalError: null, path: '/etc/azure/prescript.sh', message: 'mode 0755 is wider than the recommended 0700', consequence: 'the extension runs as configured; this is advice', silent: false, fixable: true, ...over });

const NOT_AUDITED_ERRORS: Partial<Record<HostStatus, { code: string; message: string }>> = {
  unreachable: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.9:22' },
  auth_failed: { code: 'AUTH_FAILED', message: 'all configured authentication methods failed' },
  hostkey_mismatch: { code: 'HOSTKEY_CHANGED', message: 'the host key changed' },
  sudo_required: { code: 'SUDO_PASSWORD', message: 'sudo wants a password' },
  timeout: { code: 'TIMEOUT', message: 'no result within 30 s' },
  error: { code: 'COLLECTOR_FAILED', message: 'python3 not found' },
  interrupted: { code: 'NOT_STARTED', message: 'the run was interrupted before this host was started' },
};

export function host(name: string, status: HostStatus, findings: Finding[] = [], over: Partial<HostResult> = {}): HostResult {
  const err = NOT_AUDITED_ERRORS[status];
  return {
    name,
    address: `127.0.0.${(name.length % 250) + 2}`,
    port: 22,
    user: 'root',
    status,
    durationMs: 1234,
    ...(err ? { error: err } : {}),
    findings,
    facts: null,
    ...over,
  };
}

export function report(hosts: HostResult[], over: Partial<Report> = {}): Report {
  const r: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'vmsnap', version: '0.1.0' },
    startedAt: '2026-03-01T02:00:00.000Z',
    finishedAt: '2026-03-01T02:00:12.500Z',
    summary: summarize(hosts),
    hosts,
    ...over,
  };
  return Report.parse(r);
}

/** A small mixed fleet: compliant, noncompliant (error + warning), unreachable, timeout. */
export function mixedReport(): Report {
  return report([
    host('web-1', 'compliant'),
    host('db-1', 'noncompliant', [finding(), warning()]),
    host('db-2', 'unreachable'),
    host('app-1', 'timeout'),
  ]);
}

/** A sink that records every write, in order. */
export class MemorySink {
  readonly chunks: string[] = [];
  write(chunk: string): void {
    this.chunks.push(chunk);
  }
  get text(): string {
    return this.chunks.join('');
  }
}
