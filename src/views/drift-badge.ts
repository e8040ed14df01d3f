/**
 * The badge of a grant the drift check marked (`access.driftDetectedAt`, its reason in
 * `driftReason`: src/domain/drift-reason.ts): "Removed outside acrbot", or "No longer gives pull"
 * while its role assignment is still there (the cluster's identity or the registry's mode
 * changed), where "removed" would send people looking for it. One rule for every card that
 * badges one, so none says "Granted" or "Active" of a grant another calls drifted: the access
 * inventory's rows and cells (access-view.ts), and for a live grant the request card and the
 * audit channel's card (stateLabelOf, request-view.ts) and `status`'s list (my-requests-view.ts).
 * Its line's words too ({@link driftAccessWords}), where a card says what became of the access.
 */
import { driftNotDone, driftWords, type DriftReason } from '../domain/drift-reason';
import { shortTime } from '../domain/pull-diagnosis';
import { isBeingRevoked, type AccessRequest } from '../domain/request';

/** A badge: its words and the colour its tint is drawn from (tint.ts). */
export interface DriftBadge {
  label: string;
  color: string;
}

/** The two drift badges: the assignment removed or changed, or intact and no longer serving. */
export const DRIFT_BADGE = {
  removed: { label: 'Removed outside acrbot', color: 'Attention' },
  noLongerPulls: { label: 'No longer gives pull', color: 'Attention' },
} as const satisfies Record<string, DriftBadge>;

/** A drift whose role assignment is still there (the cluster's identity or the registry's mode changed). */
export function intactDrift(reason: DriftReason | undefined): boolean {
  return reason === 'identityChanged' || reason === 'modeChanged';
}

/** The badge of a drift of `reason` (a mark recorded before reasons were reads as removed). */
export function driftBadge(reason: DriftReason | undefined): DriftBadge {
  return intactDrift(reason) ? DRIFT_BADGE.noLongerPulls : DRIFT_BADGE.removed;
}

/**
 * What became of a drift-marked grant's access, beside its badge: "removed outside acrbot on …;
 * acrbot did not …" (drift-reason.ts's words). The request card's Access line (request-view.ts,
 * in place of its Term) and `status`'s list line (my-requests-view.ts) say it.
 */
export function driftAccessWords(reason: DriftReason | undefined, detectedAt: string): string {
  return `${driftWords(reason)} on ${shortTime(detectedAt)}; ${driftNotDone(reason)}`;
}

/**
 * The badge of `request` when it is drift-marked while its grant is live (granted, no revocation
 * under way); undefined otherwise: a revocation under way or its end says how it ends (its card's
 * Access line keeps the drift words).
 */
export function liveDriftBadge(request: AccessRequest): DriftBadge | undefined {
  const access = request.access;
  if (request.state !== 'succeeded' || !access?.driftDetectedAt || isBeingRevoked(request)) return undefined;
  return driftBadge(access.driftReason);
}
