/**
 * Where granted access stands against its term, read from the request alone: still active, or
 * due to end. Grants from before time-boxing and permanent ones never end.
 */
import type { AccessRequest } from '../domain/request';

/** Still-granted access whose term has not ended (pre-time-boxing and permanent grants never end). */
export function isActive(request: AccessRequest, now: Date): boolean {
  if (request.state !== 'succeeded') return false;
  const term = request.access;
  if (!term || term.permanent || !term.expiresAt) return true;
  return Date.parse(term.expiresAt) > now.getTime();
}

/** Granted access whose term has ended (never a permanent one, or one from before time-boxing). */
export function isDue(request: AccessRequest, now: Date): boolean {
  const end = request.access?.expiresAt;
  return !!end && !request.access?.permanent && Date.parse(end) <= now.getTime();
}
