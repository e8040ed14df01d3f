/** Calls to the tab API with the user's bearer token. */

/** The API refused the caller (401/403): sign in again or ask for access. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Any other failure, with the server's message (and correlation id) for the user; status 0 when
 * no answer came (the network, or acrbot down). `code` is the answer's `error` and `body` the
 * answer itself, for a refusal that carries more than words (a 409 `revoke.changed` carries the
 * new preview).
 */
export class ApiError extends Error {
  readonly code?: string;
  readonly body?: unknown;
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown; code?: string; body?: unknown },
  ) {
    super(message, options);
    this.code = options?.code;
    this.body = options?.body;
  }
}

/**
 * Teams' refusal to give the tab a token (`authentication.getAuthToken()` rejects with a bare
 * reason such as `resourceRequiresConsent` or an `AADSTS…` sentence) as a sign-in problem that
 * says what it is and who can fix it, instead of the bare reason as the page's only text.
 */
export function signInFailure(err: unknown): AuthError {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  // AADSTS sentences carry trace and correlation ids the admins need, but may run long.
  const reason = raw.trim().slice(0, 300) || 'no reason given';
  const consent = /consent|AADSTS65001/i.test(reason);
  return new AuthError(
    401,
    'sso_failed',
    `Teams could not sign you in to acrbot (${reason}). ` +
      (consent
        ? "An admin must grant consent to the tab's app registration; tell the platform team."
        : "Close the tab and open it again; if this stays, give the platform team this message (the tab's app registration may need fixing)."),
  );
}

/** Where a call gets the user's token (the {@link import('./host').Host}; no page needed). */
export interface TokenSource {
  token(): Promise<string | undefined>;
}

/** GET or POST a JSON endpoint under /api/tab. */
export async function api<T>(host: TokenSource, path: string, body?: unknown): Promise<T> {
  const token = await host.token();
  if (!token) throw new AuthError(401, 'missing_token', 'Sign in to see your access.');
  const post = body !== undefined;
  let res: Response;
  try {
    res = await fetch(`/api/tab${path}`, {
      method: post ? 'POST' : 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(post ? { 'Content-Type': 'application/json' } : {}),
      },
      body: post ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    // The browser's own words ("Failed to fetch", "NetworkError when attempting…") say nothing
    // to a user; and a POST without an answer may have been done all the same.
    throw new ApiError(0, unreachableMessage(post), { cause: err });
  }
  const json = (await res.json().catch(() => undefined)) as
    { error?: string; message?: string; correlationId?: string } | undefined;
  if (res.status === 401 || res.status === 403)
    throw new AuthError(res.status, json?.error ?? 'refused', json?.message ?? 'Access refused.');
  if (!res.ok)
    throw new ApiError(res.status, failureMessage(res.status, json ?? {}), { code: json?.error, body: json });
  // A success that is no JSON object (a proxy's or a sign-in page, say) must not be drawn as data:
  // the page would fail on a missing field and show the browser's TypeError instead.
  if (json === null || typeof json !== 'object')
    throw new ApiError(
      res.status,
      `acrbot's answer could not be read (HTTP ${res.status}, not JSON); reload the page.`,
    );
  return json as T;
}

/** What a call that got no answer says: for a POST, that it may have been done all the same. */
export function unreachableMessage(post: boolean): string {
  return post
    ? 'acrbot could not be reached, so whether that was done is not known; reload the page to see where it stands.'
    : 'acrbot could not be reached; check your connection and reload the page.';
}

/**
 * The sentence shown for a failed call: the server's message, with its correlation id as the
 * reference the platform team looks up, added unless the message already names it (a 500's does).
 */
export function failureMessage(status: number, json: { message?: string; correlationId?: string }): string {
  const message = json.message ?? `The server answered ${status}.`;
  const id = json.correlationId && !message.includes(json.correlationId) ? ` (reference ${json.correlationId})` : '';
  return `${message}${id}`;
}
