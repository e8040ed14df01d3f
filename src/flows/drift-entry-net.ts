/**
 * A drift mark stored without its `access.drift` entry (G11, G15): the drift check (and `access`,
 * `check`, an extension's run) stores the mark first (`access.driftDetectedAt` and
 * `driftReason`; the conditional write picks the one instance that records it), then appends its
 * entry, and undoes the mark when the append fails (drift-detector.ts `record`). A process killed
 * in between left the mark with no entry, for good: the drift check marks only unmarked grants.
 * The net for stored transitions (unaudited-state-net.ts) writes it, in acrbot's name as every
 * drift entry, under the key the detector writes it with ({@link driftEntryKey}), so a slow
 * append of that process landing after it adds nothing.
 *
 * Not the entry first and the mark after: a mark that then fails to be written (another write
 * won, a revocation began, the process died) would leave an entry saying acrbot recorded drift it
 * never recorded, and the next sweep might not see the drift again to mark it.
 */
import type { AuditEvent } from '../domain/audit-chain';
import { createdAssignmentId } from '../domain/created-assignment';
import { driftNotDone } from '../domain/drift-reason';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import { INVENTORY_REQUEST_LIMIT } from './access-inventory';
import type { StoredTransition } from './unaudited-state-net';

/**
 * The idempotency key of the `access.drift` entry of a request's current mark, one per mark: the
 * detector undoes a mark whose append was reported failed and marks it again at a later sweep,
 * when an append stored all the same (its answer lost) must be found under the same key. A mark
 * that came off (`access.driftCleared`, drift-detector.ts) and a later one are two drifts: the
 * first mark keeps the key it always had, each later one adds its number.
 */
export function driftEntryKey(request: Pick<AccessRequest, 'id' | 'access'>): string {
  const before = request.access?.driftCleared ?? 0;
  return before === 0 ? `access.drift:${request.id}` : `access.drift:${request.id}:${before + 1}`;
}

/**
 * The idempotency key of the `access.drift` entry (outcome `cleared`) of the mark `request`
 * carries coming off: the mark's own key and `:cleared`, so a retried clearing finds it.
 */
export function driftClearedEntryKey(request: Pick<AccessRequest, 'id' | 'access'>): string {
  return `${driftEntryKey(request)}:cleared`;
}

/**
 * How the net lists live grants for drift marks: as the drift check lists the grants it watches
 * (every live one, oldest first, drift-detector.ts), since a grant may drift at any time in a long
 * term. The net for half-done decisions reads the live grants once and hands this many of them to
 * the drift marks' pass (review-reject-net.ts `DecisionNet`).
 */
export const DRIFT_LISTING = { limit: INVENTORY_REQUEST_LIMIT, order: 'oldestFirst' } as const;

/**
 * Drift marks as the net finds them: on a live grant (`succeeded`), at their `driftDetectedAt`;
 * a mark without its reason (made before reasons were recorded) is none of them. Listed by
 * {@link DRIFT_LISTING}. A marked grant revoked at its end before a pass found it is left without
 * its entry; the mark stays on its record.
 */
export const STORED_DRIFT: StoredTransition = {
  state: 'succeeded',
  action: 'access.drift',
  at: (request) => (request.access?.driftReason ? request.access.driftDetectedAt : undefined),
  entry: (request: AccessRequest, at: string): AuditEvent => {
    // Called only on a mark with its reason (`at` above).
    const reason = request.access!.driftReason!;
    const assignment = createdAssignmentId(request);
    return {
      actor: ACRBOT_ACTOR,
      tenantId: request.tenantId,
      action: 'access.drift',
      idempotencyKey: driftEntryKey(request),
      requestId: request.id,
      targetIds: assignment ? [assignment] : [],
      outcome: reason,
      detail: `written late: the drift was stored at ${at} but its process stopped before its entry; ${driftNotDone(reason, 'does')}`,
    };
  },
  listing: DRIFT_LISTING,
};
