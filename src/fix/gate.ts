// The guard against a cron typo rewriting a fleet: when it is on, no host is changed until every
// host of the run has been audited, and then only if no more than `maxHosts` hosts want changes.
// Hosts that want changes wait here with their connection open, so the changes still go over the
// connection that audited them; as soon as one host too many asks, every waiting host is refused.

export type Admission = { ok: true } | { ok: false; reason: string };

export class FixGate {
  private requested = 0;
  private settled = 0;
  private denial: string | null = null;
  private readonly waiting: ((a: Admission) => void)[] = [];

  /**
   * @param total hosts in the run: each one settles exactly once (request or pass)
   * @param maxHosts null: no guard, changes are admitted at once
   */
  constructor(
    private readonly total: number,
    private readonly maxHosts: number | null,
  ) {}

  /** A host that wants to change files asks; resolves when the fleet-wide decision is known. */
  request(): Promise<Admission> {
    this.settled += 1;
    if (this.maxHosts === null) return Promise.resolve({ ok: true });
    this.requested += 1;
    if (this.denial === null && this.requested > this.maxHosts) {
      this.deny(
        `refused: more than ${this.maxHosts} hosts would change and stdout is not a terminal; ` +
          'pass --yes, raise --max-changes, or select hosts explicitly with --limit',
      );
    }
    if (this.denial !== null) return Promise.resolve({ ok: false, reason: this.denial });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.check();
    });
  }

  /** A host that will change nothing (compliant, nothing fixable, unreachable, not started). */
  pass(): void {
    this.settled += 1;
    this.check();
  }

  /** Refuse everything still waiting (e.g. the run was interrupted). */
  deny(reason: string): void {
    if (this.denial === null) this.denial = reason;
    for (const w of this.waiting.splice(0)) w({ ok: false, reason: this.denial });
  }

  private check(): void {
    if (this.denial === null && this.settled >= this.total) {
      for (const w of this.waiting.splice(0)) w({ ok: true });
    }
  }
}
