// A host's hard deadline: one abort signal covering connect, auth, collection and fixing, that
// Ctrl-C also aborts, and that can be paused while the host waits on something that is not its
// own slowness (the fleet-wide --fix guard).
import { SshError } from './connection.js';
import { abortError } from '../util/abort.js';

export class Deadline {
  private readonly ctl = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private readonly onInterrupt = () =>
    this.ctl.abort(new SshError('interrupted', 'INTERRUPTED', 'the run was interrupted while this host was in flight'));

  constructor(
    private readonly ms: number,
    private readonly interrupt?: AbortSignal,
  ) {
    this.resume();
    if (interrupt?.aborted) this.onInterrupt();
    else interrupt?.addEventListener('abort', this.onInterrupt, { once: true });
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** starts a full period again */
  resume(): void {
    this.pause();
    this.timer = setTimeout(() => this.ctl.abort(new SshError('timeout', 'DEADLINE', `no result within the ${this.ms} ms deadline`)), this.ms);
  }

  /** Resolves never; rejects with the abort reason (deadline or interrupt). */
  rejection(): Promise<never> {
    const signal = this.ctl.signal;
    return new Promise((_, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
    });
  }

  dispose(): void {
    this.pause();
    this.interrupt?.removeEventListener('abort', this.onInterrupt);
  }
}
