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

/**
 * A user-facing failure of a service acrbot depends on (Azure not answering in time), not of
 * what the user asked: the user reads its message (which names the reference of the turn), and
 * operators must see it too, so the turn logs it once, as a warning, under that reference
 * (bot/turn-cards.ts). Other user-facing errors are answers, not logged.
 */
export class UserFacingOutageError extends UserFacingError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'UserFacingOutageError';
  }
}

/** True when `err` is a {@link UserFacingOutageError}. */
export function isUserFacingOutage(err: unknown): err is UserFacingOutageError {
  return err instanceof UserFacingOutageError;
}

/** ARM's codes for a resource, or the resource group holding it, that does not exist. */
const RESOURCE_GONE_CODES: ReadonlySet<string> = new Set(['ResourceNotFound', 'ResourceGroupNotFound']);

/**
 * True when Azure answered that the resource itself no longer exists: 404 with ARM's
 * `ResourceNotFound` or `ResourceGroupNotFound`. Not a refusal (403), not a transient failure, and
 * not a 404 under another code (`SubscriptionNotFound` can mean acrbot lost its access to the
 * subscription; `ParentResourceNotFound` is about a child resource).
 */
export function isResourceGone(err: { statusCode?: number; code?: string } | undefined): boolean {
  return err?.statusCode === 404 && err.code !== undefined && RESOURCE_GONE_CODES.has(err.code);
}

/**
 * True when ARM answered 404 `SubscriptionNotFound`: it could not find the subscription itself
 * (deleted, moved to another Microsoft Entra tenant, or acrbot's identity not yet known to ARM
 * there). That says nothing of what the subscription holds, so it is never "not found" nor
 * "gone" for a resource in it.
 */
export function isSubscriptionNotFound(err: unknown): boolean {
  const e = err as { statusCode?: unknown; code?: unknown } | null | undefined;
  return e?.statusCode === 404 && e.code === 'SubscriptionNotFound';
}

/**
 * Azure says a cluster or registry acrbot works with no longer exists ({@link isResourceGone}).
 * What acrbot put in it (a Kubernetes secret, role assignments on its scope) went with it, so a
 * revocation says so and finishes instead of retrying for ever (G17); a run shows the sentence.
 */
export class ResourceGoneError extends UserFacingError {
  /**
   * @param subject what is gone, in words: `cluster aks-dev`, `registry contosoacr`.
   * @param azureCode ARM's error code (`ResourceNotFound`, `ResourceGroupNotFound`).
   */
  constructor(
    readonly kind: 'cluster' | 'registry' | 'scope',
    readonly subject: string,
    readonly azureCode: string,
    cause?: unknown,
  ) {
    super(
      `${kind}.gone`,
      `${subject.charAt(0).toUpperCase()}${subject.slice(1)} no longer exists (Azure answered ${azureCode}).`,
      { cause },
    );
    this.name = 'ResourceGoneError';
  }
}
