// Runs one client command and measures it the same way for every tool: wall time, the CPU time
// (user + sys) of the whole client process tree, and the largest resident set of any process in it.
//
// A small Python wrapper does the measuring (node cannot read a child tree's rusage): it makes
// itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), runs the command, and when the command
// has exited it also ends and reaps the descendants that outlived it (Ansible's ssh ControlPersist
// masters daemonise: without the subreaper their CPU, the crypto of every Ansible connection, would
// be counted nowhere, and a master left alive would serve the next round's connections). Then
// getrusage(RUSAGE_CHILDREN) holds the CPU of every process of the tree, and ru_maxrss the peak
// RSS of the largest one. The wrapper's own start-up is not in the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export interface Measurement {
  /** seconds from the command's start to its exit (descendants it left behind not included) */
  wallS: number;
  exitCode: number;
  /** CPU seconds of the command and every descendant */
  userS: number;
  sysS: number;
  /** ru_maxrss of the tree: the largest single process, in KiB */
  maxRssKb: number;
  /** descendants still running when the command exited (ended with SIGTERM, then reaped) */
  leftovers: number;
}

const WRAPPER = String.raw`
import ctypes, json, os, resource, signal, sys, time
out_path, stdout_path, stderr_path = sys.argv[1:4]
argv = sys.argv[4:]
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans of the tree are reparented to us
me = os.getpid()
def children():
    out = []
    for ent in os.listdir('/proc'):
        if not ent.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % ent) as f:
                s = f.read()
            if int(s[s.rindex(')') + 2:].split()[1]) == me:
                out.append(int(ent))
        except (OSError, ValueError):
            pass
    return out
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    fd = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, ('cannot run %s: %s\n' % (argv[0], e)).encode())
    os._exit(127)
_, status = os.waitpid(pid, 0)
wall = time.monotonic() - t0
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
left = children()
for p in left:
    try:
        os.kill(p, signal.SIGTERM)
    except OSError:
        pass
deadline = time.monotonic() + 5
killed = False
while True:
    try:
        r, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if r == 0:
        if not killed and time.monotonic() > deadline:
            for p in children():
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            killed = True
        time.sleep(0.01)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out_path, 'w') as f:
    json.dump({'wallS': wall, 'exitCode': code, 'userS': ru.ru_utime, 'sysS': ru.ru_stime,
               'maxRssKb': ru.ru_maxrss, 'leftovers': len(left)}, f)
`;

export function measurePython(): string {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (fs.existsSync(p)) return p;
  throw new Error('the benchmark measures with /usr/bin/python3 (install python3)');
}

/** the measured command running now, if any (its process group is ended on Ctrl-C) */
let running: ChildProcess | null = null;

export function killRunning(): void {
  const c = running;
  if (c?.pid === undefined || c.exitCode !== null) return;
  try {
    process.kill(-c.pid, 'SIGTERM'); // its own process group: the wrapper and the tool's processes
  } catch {
    /* gone */
  }
}

export async function measure(
  argv: readonly string[],
  io: { stdout: string; stderr: string; result: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Measurement> {
  fs.rmSync(io.result, { force: true });
  const child = spawn(measurePython(), ['-c', WRAPPER, io.result, io.stdout, io.stderr, ...argv], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
    env: io.env ?? process.env,
    cwd: io.cwd,
  });
  running = child;
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, sig) => resolve(c ?? 128 + (sig ? 1 : 0)));
    });
    if (code !== 0 || !fs.existsSync(io.result)) throw new Error(`the measuring wrapper failed (exit ${code}) running ${argv.join(' ')}`);
    return JSON.parse(fs.readFileSync(io.result, 'utf8')) as Measurement;
  } finally {
    running = null;
  }
}
