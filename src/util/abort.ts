// An AbortSignal's reason, as the Error it is: vmsnap aborts with Errors (the deadline's SshError, the
// interrupt), and a bare controller.abort() gives a DOMException, itself an Error.
import { VmsnapError } from '../errors.js';
export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new VmsnapError('ABORTED', `aborted: ${String(r)}`);
}
