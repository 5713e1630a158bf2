// A counting semaphore whose waiters give up when their signal aborts: the per-jump-host cap on
// SSH connections being set up at once through it.
import { abortError } from '../util/abort.js';
import { InternalError } from '../errors.js';

export class Limiter {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];
  /** the most connections ever in flight at once (for tests and diagnostics) */
  peak = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new InternalError(`Limiter: max must be a whole number >= 1, got ${max}`);
  }

  get inFlight(): number {
    return this.active;
  }

  /** Waits for a slot; returns its release function (call it once). Rejects with signal.reason on abort. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.active += 1;
        this.peak = Math.max(this.peak, this.active);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active -= 1;
          this.next();
        });
      };
      const waiter = { grant };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.next();
    });
  }

  private next(): void {
    while (this.active < this.max && this.waiting.length > 0) this.waiting.shift()!.grant();
  }
}
