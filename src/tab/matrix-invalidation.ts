/**
 * When the tab's cached matrix ({@link CachedInventory}) is dropped: only by request changes that
 * can alter it, so a reminder does not make the next tab open pay a full read.
 */
import type { AccessRequest, RequestState } from '../domain/request';
import type { CachedInventory } from './inventory-cache';

/**
 * The states of a request whose changes can alter the tab's matrix: the matrix reads the records
 * of succeeded and revoked requests (access-inventory.ts) besides Azure, and a run's writes in
 * Azure end in succeeded or failed (a failed run's clean-up deletes what it made, and tells it as
 * a failed request too). A revocation or a drift mark keeps its request succeeded, an extension
 * moves a succeeded request's end, so every change in these states counts.
 *
 * The other states change nothing the matrix shows: a pending request's nudges and decisions, a
 * cancel or an expiry before any grant, a run starting (told before its first write in Azure) and
 * its "waiting" marks (its writes so far are told when it ends). Dropping the matrix for them
 * made most approvers' tab opens pay a full read (tens of ARM lists, thousands of Graph calls
 * at scale) for a reminder.
 */
const MATRIX_STATES: ReadonlySet<RequestState> = new Set<RequestState>(['succeeded', 'failed', 'revoked']);

/** What tells of every request change on this instance (the composition's flows). */
export interface RequestChanges {
  onRequestChanged(listener: (request: AccessRequest) => void): void;
}

/**
 * Drops the tab's cached matrix when a request changes on this instance in a way that can alter
 * it ({@link MATRIX_STATES}); other changes keep the copy for its TTL.
 */
export function dropMatrixOnAccessChange(
  changes: RequestChanges,
  inventory: Pick<CachedInventory, 'invalidate'>,
): void {
  changes.onRequestChanged((request: AccessRequest) => {
    if (MATRIX_STATES.has(request.state)) inventory.invalidate();
  });
}
