// Holds a benchmark fleet up until Ctrl-C (or SIGTERM), for profiling by hand:
//   node dist/bench/fleet.js --hosts 200
// prints the inventory, known_hosts and identity paths, then waits. The fleet is always stopped.
import { startFleet } from '../src/fleet/harness.js';
import { Flags, benchSpecs, parseFlags } from './common.js';

const flags = new Flags(parseFlags(process.argv.slice(2)));
const hosts = flags.int('hosts', 200);
flags.done();

const fleet = await startFleet({ vms: benchSpecs(hosts) });
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await fleet.stop();
  process.exit(code);
};
// registered after startFleet's own handlers: they kill the sshds, this one also removes the namespaces
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(0));
const inventory = fleet.writeInventory();
const addresses = `${fleet.dir}/addresses`;
(await import('node:fs')).writeFileSync(addresses, fleet.vms.map((v) => v.address).join('\n') + '\n');
process.stdout.write(
  JSON.stringify({ hosts, dir: fleet.dir, inventory, knownHosts: fleet.knownHostsFile, identity: fleet.identityFile, addresses, pids: fleet.vms.map((v) => v.pid) }) + '\n',
);
process.stderr.write(`fleet of ${hosts} VMs up; Ctrl-C (or kill -TERM ${process.pid}) stops it\n`);
setInterval(() => undefined, 1 << 30);
