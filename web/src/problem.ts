/**
 * The sentence the page shows for a failure. The API's refusals and failures (`AuthError`,
 * `ApiError`) already carry one meant for users, with the correlation id, and so does a framing
 * host that never answered (`HostSilentError`). Anything else is a fault of the page itself (a
 * field it could not draw) or something thrown that is no Error, which must still read as a
 * sentence with what to do, never an empty alert or a bare TypeError.
 */
import { ApiError, AuthError } from './api';
import { HostSilentError } from './host-deadline';

/** What the page says for `err`. */
export function problemMessage(err: unknown): string {
  if (err instanceof AuthError || err instanceof ApiError || err instanceof HostSilentError) return err.message;
  const what =
    err instanceof Error
      ? `${err.name}: ${err.message}`
      : typeof err === 'string' && err.trim()
        ? err.trim()
        : 'no details';
  return `Something went wrong showing this page (${what.slice(0, 300)}). Reload the page; if it stays, tell the platform team what this says.`;
}
