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

/** Any other failure, with the server's message (and correlation id) for the user. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where a call gets the user's token (the {@link import('./host').Host}; no page needed). */
export interface TokenSource {
  token(): Promise<string | undefined>;
}

/** GET or POST a JSON endpoint under /api/tab. */
export async function api<T>(host: TokenSource, path: string, body?: unknown): Promise<T> {
  const token = await host.token();
  if (!token) throw new AuthError(401, 'missing_token', 'Sign in to see your access.');
  const res = await fetch(`/api/tab${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: string; message?: string; correlationId?: string };
  if (res.status === 401 || res.status === 403)
    throw new AuthError(res.status, json.error ?? 'refused', json.message ?? 'Access refused.');
  if (!res.ok) throw new ApiError(res.status, failureMessage(res.status, json));
  return json as T;
}

/**
 * The sentence shown for a failed call: the server's message, with its correlation id (for the
 * admins) added unless the message already names it (a 500's does).
 */
export function failureMessage(status: number, json: { message?: string; correlationId?: string }): string {
  const message = json.message ?? `The server answered ${status}.`;
  const id =
    json.correlationId && !message.includes(json.correlationId) ? ` (correlation id ${json.correlationId})` : '';
  return `${message}${id}`;
}
