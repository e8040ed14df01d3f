/**
 * The one error type whose text may be shown to users. Everything else is logged with a
 * correlation id and shown as a generic failure, so SDK messages (which may echo request
 * details) never reach a card.
 */
export class UserFacingError extends Error {
  /** Machine-readable reason, stable across wording changes (used by tests and audit). */
  readonly code: string;
  /** Optional follow-up hints (e.g. closest names) shown under the message. */
  readonly hints: readonly string[];

  constructor(code: string, message: string, hints: readonly string[] | { cause?: unknown } = []) {
    super(message, Array.isArray(hints) ? undefined : { cause: (hints as { cause?: unknown }).cause });
    this.name = 'UserFacingError';
    this.code = code;
    this.hints = Array.isArray(hints) ? hints : [];
  }
}

/** True when `err` is a {@link UserFacingError}. */
export function isUserFacing(err: unknown): err is UserFacingError {
  return err instanceof UserFacingError;
}
