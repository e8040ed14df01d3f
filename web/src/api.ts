/** Calls to the tab API with the user's bearer token. */
import type { Host } from './host';

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

/** GET or POST a JSON endpoint under /api/tab. */
export async function api<T>(host: Host, path: string, body?: unknown): Promise<T> {
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
  if (!res.ok) {
    const id = json.correlationId ? ` (correlation id ${json.correlationId})` : '';
    throw new ApiError(res.status, `${json.message ?? `The server answered ${res.status}.`}${id}`);
  }
  return json as T;
}
