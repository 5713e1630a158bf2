// `vmsnap audit --local`: the local session on its own, then the real CLI auditing "this machine"
// inside a private mount namespace whose /etc and /var are overlays over the machine's own (upper
// dirs in a temp dir) with tmpfs on /etc/azure, /var/lib/waagent and /var/log/azure, filled from a
// staging dir with exact modes. The namespace script checks that both overlays are mounted before
// it writes anything, so the machine's own files are never touched.
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compliantFiles, CONFIG_PATH, type FileSpec, compliantFilesWithConfigMode } from '../../src/fleet/spec.js';
import { LocalSession } from '../../src/local/local-session.js';
import { Report } from '../../src/model/report.js';
import { SshError } from '../../src/ssh/connection.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VMSNAP = path.join(REPO, 'bin', 'vmsnap');

describe('LocalSession', () => {
  const session = () => new LocalSession(new AbortController().signal);

  it('runs /bin/sh -c COMMAND with stdin, returns output and exit code', async () => {
    const r = await session().exec('cat; printf oops >&2; exit 3', 'from stdin', 1024);
    expect(r.stdout.toString()).toBe('from stdin');
    expect(r.stderr.toString()).toBe('oops');
    expect(r.exitCode).toBe(3);
    expect(r.exitSignal).toBeNull();
  });

  it('passes the command line to the shell as is, quotes and all', async () => {
    const r = await session().exec(`/bin/sh -c 'printf "%s|" "$0" "$1"' 'a b' "c'd"`, '', 1024);
    expect(r.stdout.toString()).toBe("a b|c'd|");
  });

  it('reports a signal', async () => {
    const r = await session().exec('kill -TERM $$', '', 1024);
    expect(r.exitCode).toBeNull();
    expect(r.exitSignal).toBe('SIGTERM');
  });

  it('a command that ignores stdin is fine', async () => {
    const r = await session().exec('exit 0', 'x'.repeat(1 << 20), 1024);
    expect(r.exitCode).toBe(0);
  });

  it('ends a run once the command exited and went quiet, though a background job holds stdout', async () => {
    const t = performance.now();
    const r = await session().exec('( sleep 10 & ); echo done; exit 4', '', 1024);
    expect([r.stdout.toString(), r.exitCode]).toEqual(['done\n', 4]);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('ends a run when its watcher has what it waits for, and writes stdin when asked', async () => {
    const r = await session().exec('echo ready; read -r x; echo "got $x"; sleep 30', '', 1024, {
      holdStdin: true,
      onStdout: (all) => (all.includes('ready\n') && !all.includes('got') ? { send: Buffer.from('it\n') } : { done: all.includes('got it\n') }),
    });
    expect([r.stdout.toString(), r.exitCode]).toEqual(['ready\ngot it\n', null]);
  });

  it('caps the output', async () => {
    await expect(session().exec('head -c 5000 /dev/zero', '', 1000)).rejects.toMatchObject({ code: 'OUTPUT_TOO_LARGE' });
  });

  it('the deadline kills the whole process group and rejects with its reason', async () => {
    const ac = new AbortController();
    const s = new LocalSession(ac.signal);
    const pidFile = path.join(os.tmpdir(), `vmsnap-local-${process.pid}-${Date.now()}`);
    const started = Date.now();
    const p = s.exec(`sh -c 'echo $$ > ${pidFile}; sleep 30' & wait`, '', 1024);
    for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort(new SshError('timeout', 'DEADLINE', 'too slow'));
    await expect(p).rejects.toMatchObject({ kind: 'timeout', code: 'DEADLINE' });
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    fs.rmSync(pidFile);
    // gone with its group (a zombie waiting for init to reap it counts as gone)
    const alive = () => {
      const stat = fs.existsSync(`/proc/${grandchild}/stat`) ? fs.readFileSync(`/proc/${grandchild}/stat`, 'utf8') : '';
      return stat !== '' && !/^\S+ \(.*\) [ZX] /.test(stat);
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
  });

  it('refuses to run once aborted or closed', async () => {
    const ac = new AbortController();
    ac.abort(new SshError('interrupted', 'INTERRUPTED', 'ctrl-c'));
    await expect(new LocalSession(ac.signal).exec('true', '', 10)).rejects.toMatchObject({ code: 'INTERRUPTED' });
    const s = session();
    s.close();
    await expect(s.exec('true', '', 10)).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });
});

/** Why this machine cannot give the CLI a private /etc and /var, or null. */
const namespaceUnavailable: string | null = (() => {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (mount namespaces and overlays)';
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-local-probe-'));
  try {
    for (const d of ['upper', 'work', 'merged']) fs.mkdirSync(path.join(probe, d));
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=/etc,upperdir=${probe}/upper,workdir=${probe}/work`, `${probe}/merged`], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (r.error || r.status !== 0) return `unshare --mount + an overlay failed: ${(r.error?.message ?? r.stderr).trim()}`;
    return null;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
})();
if (namespaceUnavailable) console.warn(`skipping the --local end-to-end tests: ${namespaceUnavailable}`);

// Runs in the new namespace as: sh -c NS_SCRIPT ns T COMMAND...
const NS_SCRIPT = `set -eu
T="$1"; shift
for d in etc var; do
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/upper/$d,workdir=$T/work/$d" "/$d"
  # nothing is written unless the overlay is really there
  grep -qE "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ /$d .* - overlay [^ ]+ .*upperdir=$T/upper/$d(,|$)" /proc/self/mountinfo || { echo "no overlay on /$d" >&2; exit 99; }
done
mkdir -p /etc/azure /var/lib/waagent /var/log/azure
mount -t tmpfs -o mode=0755 tmpfs /etc/azure
mount -t tmpfs -o mode=0700 tmpfs /var/lib/waagent
mount -t tmpfs -o mode=0755 tmpfs /var/log/azure
cp -a "$T/stage/etc/azure/." /etc/azure/
cp -a "$T/stage/var/lib/waagent/." /var/lib/waagent/
chmod 0755 /etc/azure; chmod 0700 /var/lib/waagent
printf 'Lib.Dir=/var/lib/waagent\\n' > /etc/waagent.conf
exec "$@"`;

interface Machine {
  dir: string;
  /** runs argv inside a fresh namespace that has `files` */
  run(files: FileSpec[], argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function stage(root: string, files: FileSpec[]): void {
  for (const f of files) {
    if (!f.path.startsWith('/etc/azure') && !f.path.startsWith('/var/lib/waagent')) throw new Error(`stage: ${f.path} is outside the private dirs`);
    const p = path.join(root, f.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (f.type === 'dir') {
      fs.mkdirSync(p, { recursive: true });
      fs.chmodSync(p, f.mode);
    } else if (f.type === 'file') {
      fs.writeFileSync(p, f.content);
      fs.chmodSync(p, f.mode);
    } else fs.symlinkSync(f.target, p);
    if (f.type !== 'symlink' && f.owner !== undefined && f.owner !== 'root') throw new Error('stage: files are owned by root here');
  }
}

/** What the namespace writes over, as the machine itself has it. */
function machineState() {
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).sort() : null);
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null);
  return { etcAzure: list('/etc/azure'), waagentConf: read('/etc/waagent.conf'), waagentLib: list('/var/lib/waagent'), azureLog: list('/var/log/azure') };
}

function machine(): Machine {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-local-'));
  let n = 0;
  return {
    dir: base,
    run(files, argv) {
      const t = path.join(base, String(n++));
      for (const d of ['upper/etc', 'upper/var', 'work/etc', 'work/var', 'stage/etc/azure', 'stage/var/lib/waagent']) fs.mkdirSync(path.join(t, d), { recursive: true });
      stage(path.join(t, 'stage'), files);
      return new Promise((resolve) => {
        execFile(
          'unshare',
          ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', NS_SCRIPT, 'ns', t, ...argv],
          { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, SSH_AUTH_SOCK: '' } },
          (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      });
    },
  };
}

describe.skipIf(namespaceUnavailable)('vmsnap audit --local (private /etc and /var)', () => {
  let m: Machine;
  let before: ReturnType<typeof machineState>;
  beforeAll(() => {
    before = machineState();
    m = machine();
  });
  afterAll(() => fs.rmSync(m.dir, { recursive: true, force: true }));

  const audit = async (files: FileSpec[], extra: string[] = [], wrap: string[] = []) => {
    const r = await m.run(files, [...wrap, process.execPath, VMSNAP, 'audit', '--local', '--format', 'json', '--quiet', ...extra]);
    let report: Report | null = null;
    try {
      report = Report.parse(JSON.parse(r.stdout));
    } catch {
      /* the assertion shows the run */
    }
    return { ...r, report, describe: `exit ${r.code}\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout.slice(0, 3000)}` };
  };

  it('a compliant machine: one host named after the hostname, address local, exit 0', async () => {
    const r = await audit(compliantFiles());
    expect(r.code, r.describe).toBe(0);
    expect(r.report!.hosts).toHaveLength(1);
    const h = r.report!.hosts[0]!;
    expect(h).toMatchObject({ name: os.hostname(), address: 'local', user: 'root', status: 'compliant' });
    expect(h.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(h.facts?.runAs.uid).toBe(0);
  });

  it('finds what it finds on a VM: a 0644 config is config-mode, exit 1', async () => {
    const files = compliantFilesWithConfigMode(0o644);
    const r = await audit(files);
    expect(r.code, r.describe).toBe(1);
    const h = r.report!.hosts[0]!;
    expect(h.status).toBe('noncompliant');
    expect(h.findings.filter((f) => f.severity === 'error').map((f) => f.rule)).toEqual(['config-mode']);
  });

  it('--fix repairs it the same way, and judges again', async () => {
    const files = compliantFilesWithConfigMode(0o644);
    const r = await audit(files, ['--fix']);
    expect(r.code, r.describe).toBe(0);
    const h = r.report!.hosts[0]!;
    expect(h.fixes).toEqual([expect.objectContaining({ path: CONFIG_PATH, action: 'chmod', from: '0644', to: '0600', applied: true })]);
    expect(h.findingsBefore?.map((f) => f.rule)).toContain('config-mode');
    expect(h.status).toBe('compliant');
  });

  it('not root: goes through sudo -n like a remote host, and says when sudo wants a password', async () => {
    // (a non-root user has a home of their own: vmsnap reads ~/.ssh/config even for --local)
    const r = await audit(compliantFiles(), [], ['env', `HOME=${os.tmpdir()}`, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']);
    expect(r.code, r.describe).toBe(3);
    const h = r.report!.hosts[0]!;
    expect(h.user).not.toBe('root');
    expect(h.status).toBe('sudo_required');
    expect(h.error?.code).toMatch(/^SUDO_/);
  });

  it("the machine's own files were never touched", () => {
    expect(machineState()).toEqual(before);
  });
});
