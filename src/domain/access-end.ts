/**
 * When a request's access ends: its term's end, or a pull secret's credential expiry when that
 * comes first (nothing renews the credential). Reminders, the scheduler, cards and the inventory
 * all read the end here.
 */
import type { AccessRequest } from './request';

/**
 * When a request's access ends; undefined = no end. A pull secret's ends when its term does or
 * when its credential expires, whichever comes first: the credential's lifetime is capped
 * (ACRBOT_SECRET_MAX_EXPIRY), nothing renews it, and pulls with the secret stop then.
 */
export function accessEnd(request: AccessRequest): string | undefined {
  const term = termEnd(request);
  const credential = credentialEnd(request);
  if (credential === undefined) return term;
  return term === undefined || Date.parse(credential) < Date.parse(term) ? credential : term;
}

/**
 * A pull secret whose credential expired while its access term runs on (or is permanent): the
 * request is still `succeeded` and pulls with the secret fail. Its requester may still extend
 * it (the extension rotates a new credential into the secret) or revoke it (the secret goes).
 */
export function credentialLapsed(request: AccessRequest, now: Date): boolean {
  if (request.state !== 'succeeded' || request.access?.revokingSince || request.extendsRequestId) return false;
  const credential = credentialEnd(request);
  if (credential === undefined || Date.parse(credential) > now.getTime()) return false;
  const term = termEnd(request);
  return term === undefined ? Boolean(request.access?.permanent) : Date.parse(term) > now.getTime();
}

/** The end of the access term; undefined when permanent or granted before time-boxing. */
export function termEnd(request: AccessRequest): string | undefined {
  if (request.access?.permanent) return undefined;
  return request.access?.expiresAt;
}

/**
 * When a pull secret's live credential expires, when acrbot's records say so; undefined for a
 * grant, or when it is not known.
 */
export function credentialEnd(request: AccessRequest): string | undefined {
  if (request.plan.kind !== 'secret') return undefined;
  // An extension rotated it: the new credential's expiry, recorded when the end moved.
  if (request.access?.credentialExpiresAt) return request.access.credentialExpiresAt;
  // Never extended: the runner made the credential with the plan's expiry (also before time-boxing).
  if (!request.access?.extendedBy?.length) return request.plan.expiresAt;
  // Extended before the rotated credential's expiry was recorded: the plan's names a deleted
  // credential, and showing that date would call live access expired. Not known, so not capped.
  return undefined;
}
