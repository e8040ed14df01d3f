/** Errors the audit CLI reports as one clear sentence, with the exit code they map to. */

/**
 * Exit codes: 0 = done / chain intact, 1 = chain broken, 2 = usage, configuration or file
 * problem, or not verified (the anchors named by ACRBOT_AUDIT_ANCHOR could not be read), 3 =
 * (`verify --not-live` or `--file`) the log is a prefix of the anchored log: every anchor within
 * it agrees, but it ends before the newest one (a backup, a copy cut short), or (`--file`) a
 * filtered export whose entries' hashes and MACs hold: either way not the whole log.
 */
export const EXIT = { ok: 0, broken: 1, usage: 2, prefix: 3 } as const;

/**
 * A problem the operator can fix (bad flag, missing file); printed without a stack trace. One
 * made from a failure keeps it as `cause`, for whoever runs the CLI under a debugger or wraps it.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}
