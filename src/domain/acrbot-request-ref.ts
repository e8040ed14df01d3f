/**
 * A request as the inventory shows it ({@link AcrbotRequestRef}): its state at a given time, who
 * asked and approved, until when it lasts, and whether acrbot's orphan watch still looks after
 * it once revoked.
 */
import { accessEnd, termEnd } from './access-end';
import { liveClusterGoneAt } from './cluster-gone';
import type { AcrbotRequestRef, RequestAccessState, TermState } from './inventory-rows';
import { grantedBy, listingMayLag } from './listing-lag';
import { isBeingRevoked, type AccessRequest } from './request';

/** A way of pulling is "expiring" when it ends within this window (issue #15: 7 days). */
export const EXPIRING_WITHIN_MS = 7 * 24 * 60 * 60 * 1000;

function termStateAt(end: string | undefined, now: Date): TermState {
  if (end === undefined) return 'active';
  const left = Date.parse(end) - now.getTime();
  return left <= 0 ? 'expired' : left <= EXPIRING_WITHIN_MS ? 'expiring' : 'active';
}

/** The access state of a request that gave access, at `now`. */
export function requestAccessState(request: AccessRequest, now: Date): RequestAccessState {
  const end = accessEnd(request);
  if (request.state === 'revoked') {
    // Revoked by nobody at or after the end = the sweeper revoked it at expiry.
    const atExpiry =
      !request.access?.revokedBy &&
      end !== undefined &&
      Date.parse(request.access?.revokedAt ?? request.updatedAt) >= Date.parse(end);
    return atExpiry ? 'expired' : 'revoked';
  }
  if (request.access?.driftDetectedAt) return 'drifted';
  return termStateAt(end, now);
}

/** The reference cards and the tab show for a request. */
export function requestRef(request: AccessRequest, now: Date): AcrbotRequestRef {
  const end = accessEnd(request);
  const state = requestAccessState(request, now);
  const approved = request.decision?.approved ? request.decision : undefined;
  // Its decision is its requester's own, made only so it ran at once: nobody approved it.
  const breakGlass = Boolean(request.policy?.breakGlass);
  const clusterGoneAt = liveClusterGoneAt(request, now);
  return {
    requestId: request.id,
    requesterName: request.requester.name,
    requesterId: request.requester.objectId,
    ...(breakGlass
      ? { startedAsBreakGlassBy: approved?.by.name }
      : { approvedBy: approved?.by.name, approvedAt: approved?.at }),
    // Only while Azure's listing may lag it: `check` and `access` then say so of a grant it lacks.
    ...(request.plan.kind === 'grant' &&
      request.state === 'succeeded' &&
      listingMayLag(request, now) && { grantedAt: grantedBy(request).toISOString() }),
    expiresAt: end,
    // The end is the credential's, not the term's: the views say why pulls stop then.
    ...(end !== undefined && end !== termEnd(request) && { credentialExpiresAt: end }),
    noExpiry: end !== undefined ? undefined : request.access?.permanent ? 'permanent' : 'beforeTimeBoxing',
    state,
    ...(state === 'drifted' && { termState: termStateAt(end, now) }),
    revokedAt: request.access?.revokedAt,
    revokedBy: request.access?.revokedBy?.name,
    driftDetectedAt: request.access?.driftDetectedAt,
    ...(request.access?.driftReason && { driftReason: request.access.driftReason }),
    ...(isBeingRevoked(request) && { revokingSince: request.access.revokingSince }),
    // Its cluster deleted: it gives nothing (a drift or a revocation under way says more, and
    // past its end its expiry does: the cards' rule, liveClusterGoneAt).
    ...(clusterGoneAt && { clusterGoneAt }),
    ...watchOf(request, now),
  };
}

/**
 * How long acrbot watches, after a revocation that met its registry gone from the recorded id,
 * for a registry there again, to delete the role assignment Azure kept at that id (G17).
 */
export const ORPHAN_WATCH_DAYS = 90;

/** {@link ORPHAN_WATCH_DAYS} in milliseconds. */
export const ORPHAN_WATCH_MS = ORPHAN_WATCH_DAYS * 24 * 60 * 60 * 1000;

/**
 * A revoked grant's {@link AcrbotRequestRef.watchedUntil}, while its watch's window runs: only
 * when its revocation recorded that it scheduled one (`access.orphanWatchUntil`). Not from
 * `revokedAt`: a grant revoked normally whose assignment Azure still lists (a listing that lags,
 * or one kept for another holder) has no watch, and saying one removes it would be a promise
 * nobody keeps.
 */
function watchOf(request: AccessRequest, now: Date): { watchedUntil?: string } {
  const until = request.access?.orphanWatchUntil;
  if (request.state !== 'revoked' || request.plan.kind !== 'grant' || !until) return {};
  return Date.parse(until) > now.getTime() ? { watchedUntil: until } : {};
}
