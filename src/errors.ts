// Every error vmsnap throws on purpose is a VmsnapError: a stable string `code` to branch on (as
// Vitest's errors carry theirs), and what it is about where that applies (file, line, flag, host).
// An InputError says the caller's input is wrong (a flag, an inventory, a waivers or report file,
// an ssh_config) and nothing was done: the CLI exits 2 for it. Anything else that reaches the top is
// a bug (exit 70). Errors of one host (SshError, IdentityError, CollectorOutputError) never reach the
// top: they become that host's result.

export interface ErrorSubject {
  /** the file the error is about, as the caller named it */
  file?: string | undefined;
  /** 1-based line in that file */
  line?: number | null | undefined;
  /** the command-line flag, without dashes */
  flag?: string | undefined;
  /** the inventory host */
  host?: string | undefined;
  cause?: unknown;
}

export class VmsnapError extends Error {
  readonly code: string;
  /** null where it does not apply: errors are data, and null survives JSON */
  readonly file: string | null;
  readonly line: number | null;
  readonly flag: string | null;
  readonly host: string | null;

  constructor(code: string, message: string, subject: ErrorSubject = {}) {
    super(message, subject.cause === undefined ? undefined : { cause: subject.cause });
    this.name = new.target.name;
    this.code = code;
    this.file = subject.file ?? null;
    this.line = subject.line ?? null;
    this.flag = subject.flag ?? null;
    this.host = subject.host ?? null;
  }
}

/** The caller's input is wrong; nothing was done (exit 2). */
export class InputError extends VmsnapError {}

/** A flag, or a combination of flags, that cannot be taken (exit 2). */
export class UsageError extends InputError {
  constructor(message: string, subject: ErrorSubject = {}) {
    super('USAGE', message, subject);
  }
}

/** An invariant of vmsnap's own code does not hold: a bug, never the caller's input (exit 70). */
export class InternalError extends VmsnapError {
  constructor(message: string) {
    super('INTERNAL', message);
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
