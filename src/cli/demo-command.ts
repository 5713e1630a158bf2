// `vmsnap demo`: start a throwaway local fleet of real sshd test VMs (one compliant, the others
// each broken in a way the rules catch), audit it exactly as `vmsnap audit` would, clean up.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoFleet } from '../fleet/demo-fleet.js';
import { checkFleetPrerequisites, startFleet, type Fleet } from '../fleet/harness.js';
import { auditCommand } from './audit-command.js';
import { EXIT } from './exit-codes.js';
import { type CliIo } from './io.js';
import { UsageError } from '../errors.js';

function ensureOpenSsh(io: CliIo): void {
  if (existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/sudo')) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return; // the prerequisite check explains
  io.stderr.write('demo: installing openssh-server and sudo with apt-get (the test VMs are real sshd processes)\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'openssh-server', 'sudo'], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

export async function demoCommand(opts: { dir: string; format: 'table' | 'json' }, io: CliIo): Promise<number> {
  ensureOpenSsh(io);
  try {
    checkFleetPrerequisites();
  } catch (e) {
    throw new UsageError(`the demo cannot start its test VMs: ${(e as Error).message}`);
  }
  const specs = demoFleet();
  io.stderr.write(`demo: starting ${specs.length} test VMs (real sshd, each on its own 127.x address with a private /etc and /var)\n`);
  let fleet: Fleet | null = null;
  try {
    const t0 = Date.now();
    fleet = await startFleet({ vms: specs });
    io.stderr.write(`demo: fleet up in ${Date.now() - t0} ms\n`);
    mkdirSync(opts.dir, { recursive: true });
    const inventory = fleet.writeInventory({ file: join(opts.dir, 'inventory.yaml') });
    const reportPath = join(opts.dir, 'report.json');
    const htmlPath = join(opts.dir, 'report.html');
    io.stderr.write(`demo: vmsnap audit -i ${inventory} --known-hosts ${fleet.knownHostsFile} --output json=${reportPath} --output html=${htmlPath}\n\n`);
    const t1 = Date.now();
    const code = await auditCommand(
      { inventory, format: opts.format, concurrency: 50, timeout: 30, knownHosts: fleet.knownHostsFile, rule: [], skipRule: [], output: [`json=${reportPath}`, `html=${htmlPath}`], argv: null },
      io,
    );
    io.stderr.write(
      `\ndemo: audited ${specs.length} VMs in ${Date.now() - t1} ms; audit exit code ${code} (1 = noncompliant VMs found, as the demo intends)\n` +
        `demo: JSON report kept at ${reportPath}; the VMs are stopped now\n` +
        `demo: open the fleet report in a browser: ${resolve(htmlPath)}\n`,
    );
    return code === EXIT.noncompliant ? EXIT.ok : code;
  } finally {
    await fleet?.stop();
  }
}
