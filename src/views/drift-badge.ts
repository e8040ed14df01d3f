/**
 * The badge of a grant the drift check marked, as cards draw it: src/domain/live-drift.ts's words
 * and rule ("Removed outside acrbot", or "No longer gives pull" while its role assignment is
 * still there; only while the grant is live and no revocation is under way) in the Attention
 * colour. One badge for every card that shows one, so none says "Granted" or "Active" of a grant
 * another calls drifted: the access inventory's rows and cells (access-view.ts), and for a live
 * grant the request card and the audit channel's card (stateLabelOf, request-view.ts) and
 * `status`'s list (my-requests-view.ts); the tab says the same words (web/src/format.ts). Its
 * line's words too ({@link driftAccessWords}), where a card says what became of the access.
 * Whether it or another overlay wins is src/domain/live-badge.ts's order.
 */
import { driftNotDone, driftWords, type DriftReason } from '../domain/drift-reason';
import { DRIFT_LABEL, driftKind, liveDriftKind, type DriftKind } from '../domain/live-drift';
import { shortTime } from '../domain/pull-diagnosis';
import type { AccessRequest } from '../domain/request';

/** A badge: its words and the colour its tint is drawn from (tint.ts). */
export interface DriftBadge {
  label: string;
  color: string;
}

/** The two drift badges: the assignment removed or changed, or intact and no longer serving. */
export const DRIFT_BADGE: Readonly<Record<DriftKind, DriftBadge>> = {
  removed: { label: DRIFT_LABEL.removed, color: 'Attention' },
  noLongerPulls: { label: DRIFT_LABEL.noLongerPulls, color: 'Attention' },
};

/** The badge of a drift of `reason` (a mark recorded before reasons were reads as removed). */
export function driftBadge(reason: DriftReason | undefined): DriftBadge {
  return DRIFT_BADGE[driftKind(reason)];
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
 * under way: live-drift.ts `liveDriftKind`); undefined otherwise: a revocation under way or its
 * end says how it ends (its card's Access line keeps the drift words).
 */
export function liveDriftBadge(request: AccessRequest): DriftBadge | undefined {
  const kind = liveDriftKind(request);
  return kind && DRIFT_BADGE[kind];
}
