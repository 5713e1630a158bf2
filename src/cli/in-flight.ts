// Ctrl-C during `vmsnap audit`: the run stops starting hosts and the ones in flight end as
// `interrupted` (run.ts, audit-host.ts); this names those hosts on stderr at the moment of the
// interrupt, so an operator sees which VMs were being talked to when the run was cut short.
import type { RunListener } from '../audit/run.js';
import type { CliIo } from './io.js';

/** Wraps a run listener to track the hosts in flight; on the first interrupt, lists them on stderr. */
export function trackInFlight(inner: RunListener, io: Pick<CliIo, 'stderr' | 'interrupt'>): { listener: RunListener; dispose(): void } {
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
  const listener: RunListener = {
    onRunStart: (info) => inner.onRunStart?.(info),
    onHostStart: (t) => {
      inFlight.add(t.name);
      inner.onHostStart?.(t);
    },
    onHostResult: (r, p) => {
      inFlight.delete(r.name);
      inner.onHostResult?.(r, p);
    },
  };
  return { listener, dispose: () => io.interrupt.removeEventListener('abort', onInterrupt) };
}
