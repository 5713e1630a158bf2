// The process exit codes, a contract with cron jobs and CI: documented in the README.
import type { Report } from '../model/report.js';

export const EXIT = {
  /** every selected host was audited and is compliant */
  ok: 0,
  /** at least one host is noncompliant (all hosts were audited) */
  noncompliant: 1,
  /** usage or inventory error: nothing was audited */
  usage: 2,
  /** at least one host could not be audited (wins over 1 and 4: the picture is incomplete) */
  notAudited: 3,
  /** --fix: changes are pending, not made (--dry-run, or refused by the --max-changes guard); wins over 1 */
  changesPending: 4,
  /** a bug in vmsnap, not bad input (EX_SOFTWARE); one line on stderr, the stack with VMSNAP_DEBUG=1 */
  internal: 70,
  /** the report could not be written to stdout (a full disk; EX_IOERR); a reader that left (EPIPE) is not this */
  ioError: 74,
  /** interrupted by SIGINT (128 + 2, as shells report it) */
  interrupted: 130,
  /** terminated by SIGTERM (128 + 15) when a second signal made it leave at once */
  terminated: 143,
} as const;

export function exitCodeFor(report: Report): number {
  if (report.summary.interrupted > 0) return EXIT.interrupted;
  if (report.summary.notAudited > 0) return EXIT.notAudited;
  if ((report.summary.fixesPending ?? 0) > 0) return EXIT.changesPending;
  if (report.summary.noncompliant > 0) return EXIT.noncompliant;
  return EXIT.ok;
}
