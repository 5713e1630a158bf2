// Ctrl-C during `vmsnap audit`: the run stops starting hosts and the ones in flight end as
// `interrupted` (run.ts, audit-host.ts); this names those hosts on stderr at the moment of the
// interrupt, so an operator sees which VMs were being talked to when the run was cut short.
import type { Reporter } from '../report/reporter.js';
import type { CliIo } from './io.js';

/** A reporter that tracks the hosts in flight; on the first interrupt, it lists them on stderr. */
export function inFlightReporter(io: Pick<CliIo, 'stderr' | 'interrupt'>): { reporter: Reporter; dispose(): void } {
  const inFlight = new Set<string>();
  const onInterrupt = () => {
    const names = [...inFlight];
    io.stderr.write(
      names.length === 0
        ? 'vmsnap: interrupted; no host was in flight\n'
        : `vmsnap: interrupted; ${names.length} host${names.length === 1 ? ' was' : 's were'} in flight and end${names.length === 1 ? 's' : ''} as interrupted: ${names.join(', ')}\n`,
    );
  };
  if (!io.interrupt.aborted) io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  const reporter: Reporter = {
    onHostStart: (t) => void inFlight.add(t.name),
    onHostResult: (r) => void inFlight.delete(r.name),
    onRunEnd: () => {},
  };
  return { reporter, dispose: () => io.interrupt.removeEventListener('abort', onInterrupt) };
}
