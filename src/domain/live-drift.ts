/**
 * The one rule for what a drift-marked grant (`access.driftDetectedAt`, its reason in
 * `driftReason`: drift-reason.ts) is called, and when: "Removed outside acrbot", or "No longer
 * gives pull" while its role assignment is still there (the cluster's identity or the registry's
 * mode changed), where "removed" would send people looking for it; only while the grant is live
 * and no revocation is under way. A revocation under way wins: "Being revoked" says how the
 * access ends, as it does over a cluster gone (cluster-gone.ts `liveClusterGoneAt`). Every place
 * that names one uses these words: the cards (src/views/drift-badge.ts, access-view.ts), `check`
 * (pull-diagnosis.ts) and the tab (src/tab/tab-rows.ts, web/src/format.ts). Which of a request's
 * overlays its badge shows (being revoked, a drift, past its end, its cluster gone) is one rule
 * too: live-badge.ts. Pure.
 */
import type { AcrbotRequestRef } from './inventory-rows';
import type { DriftReason } from './drift-reason';
import { isBeingRevoked, type AccessRequest } from './request';

/** A drift's kind: its assignment removed or changed, or intact and no longer serving. */
export type DriftKind = 'removed' | 'noLongerPulls';

/** The words each {@link DriftKind} is badged with. */
export const DRIFT_LABEL: Readonly<Record<DriftKind, string>> = {
  removed: 'Removed outside acrbot',
  noLongerPulls: 'No longer gives pull',
};

/** The badge of access whose revocation is under way: it still pulls until the revocation finishes. */
export const BEING_REVOKED_LABEL = 'Being revoked';

/**
 * The badge of a live grant whose cluster the drift check read gone (cluster-gone.ts): the grant
 * gives nothing, so neither "Active" nor a drift.
 */
export const CLUSTER_GONE_LABEL = 'Cluster gone';

/**
 * The badge of a live grant on a cluster whose pulling identity acrbot cannot determine
 * (`unverified`, inventory-rows.ts): whether it still gives pull cannot be told, so neither
 * "Active" nor a drift.
 */
export const CANNOT_BE_CHECKED_LABEL = 'Cannot be checked';

/** A drift whose role assignment is still there (the cluster's identity or the registry's mode changed). */
export function intactDrift(reason: DriftReason | undefined): boolean {
  return reason === 'identityChanged' || reason === 'modeChanged';
}

/** The kind of a drift of `reason` (a mark recorded before reasons were recorded reads as removed). */
export function driftKind(reason: DriftReason | undefined): DriftKind {
  return intactDrift(reason) ? 'noLongerPulls' : 'removed';
}

/**
 * The drift kind of `request` while it is drift-marked and its grant live (granted, no
 * revocation under way); undefined otherwise: a revocation under way or its end says how it ends.
 */
export function liveDriftKind(request: AccessRequest): DriftKind | undefined {
  const access = request.access;
  if (request.state !== 'succeeded' || !access?.driftDetectedAt || isBeingRevoked(request)) return undefined;
  return driftKind(access.driftReason);
}

/**
 * {@link liveDriftKind} for a request as the inventory shows it (`state` drifted: drift-marked
 * and not ended; `revokingSince` while its revocation is under way).
 */
export function liveDriftKindOfRef(
  ref: Pick<AcrbotRequestRef, 'state' | 'driftReason' | 'revokingSince'>,
): DriftKind | undefined {
  return ref.state === 'drifted' && !ref.revokingSince ? driftKind(ref.driftReason) : undefined;
}
