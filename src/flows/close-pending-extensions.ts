/**
 * When access ends, or drifts (its role assignment removed or changed outside acrbot, or no
 * longer serving), or its cluster is read gone (cluster-gone.ts), the extensions of it still
 * waiting for approval close with it: what they would extend is gone, or no longer gives pull. A
 * failure is logged, never the revocation's nor the drift's.
 */
import { VersionConflictError } from '../domain/ports';
import { formatUtc } from '../domain/access-term';
import { clusterGoneNoteWords } from '../domain/cluster-gone-words';
import { ACRBOT_ACTOR, type AccessRequest, transition } from '../domain/request';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { pendingRequestJobIds } from './request-jobs';
import { undoUnaudited, updateUndoingUnseen } from './unaudited-undo';
import { expiredEntryKey } from './expiry-net';

/** What closing pending extensions reads and writes: the lifecycle's ports, or the drift detector's. */
export type ClosingDeps = Pick<LifecycleDeps, 'store' | 'audit' | 'clock' | 'cards' | 'log'> & {
  jobs: Pick<LifecycleDeps['jobs'], 'cancel'>;
};

/**
 * Why the extensions close: the access they extend `ended` (revoked or expired), or `drifted`
 * (no longer giving pull: extending it is refused, extend.drifted, drifted-access.ts), or
 * `clusterGone` (the drift check read its cluster gone: it gives nothing, and approving an
 * extension of it is refused, approval.refused.clusterGone, cluster-gone.ts).
 */
export type ClosedBecause = 'ended' | 'drifted' | 'clusterGone';

/**
 * Closes the extensions still waiting for approval of access that just ended (`original` and
 * the extensions that ended with it) or just drifted (`original`, marked): what they would
 * extend is gone, or no longer gives pull, so they expire with it rather than wait for an
 * approver whose approval could only fail. Each is a conditional write like every transition;
 * one decided meanwhile (approved, rejected, cancelled) is left as it is, and so is one its own
 * `request.expire` job expired meanwhile: an extension's wait for a decision ends at its
 * original's end when filed (extension-deadline.ts), so at that end the two race, one write wins,
 * and each says the same of it (request-expiry.ts). Audited, and every copy of its card updated
 * (its requester's news, the approvers' card), as when a pending request expires; a close whose
 * audit entry cannot be written is undone (G11).
 *
 * The access has ended or drifted by now, so a failure here does not make the revocation or the
 * drift's record fail (a retry would find the original revoked, or marked, and stop): it is
 * logged, each extension on its own, and an extension left pending still grants nothing
 * (approved, its run finds the original ended or drifted and fails with `extend.notActive` or
 * `extend.drifted`; its own expiry records either).
 */
export async function closePendingExtensions(
  deps: ClosingDeps,
  original: AccessRequest,
  ended: readonly AccessRequest[],
  because: ClosedBecause = 'ended',
): Promise<void> {
  const endedIds = new Set([original.id, ...ended.map((e) => e.id)]);
  let pending: AccessRequest[];
  try {
    pending = await deps.store.listByTarget(original.plan.cluster.id, original.plan.registry.id, ['pending'], 1000);
  } catch (err) {
    deps.log.error(
      { err, requestId: original.id, because },
      'pending extensions of ended or drifted access not closed',
    );
    return;
  }
  // One by one: a failure closing one leaves the others to be closed.
  for (const extension of pending)
    if (extension.extendsRequestId && endedIds.has(extension.extendsRequestId))
      await closePendingExtension(deps, extension, original, because).catch((err: unknown) =>
        deps.log.error(
          { err, requestId: extension.id, original: original.id, because },
          'pending extension of ended or drifted access not closed',
        ),
      );
}

/**
 * The `request.expired` words of an extension closed because the drift check read the cluster of
 * the access it extends (`original`) gone: the note's words (cluster-gone.ts).
 */
export function closedByClusterGoneWords(original: AccessRequest): string {
  const at = original.access?.clusterGoneAt ?? '';
  return `${clusterGoneNoteWords(original.plan.cluster.name, original.id, at)}; closed without a decision`;
}

/**
 * The `request.expired` words of an extension closed because the access it extends (`originalId`)
 * drifted, seen at `seen`: the same whether this close or its own expiry closes it.
 */
export function closedByDriftWords(originalId: string | undefined, seen: string | undefined): string {
  return `the access it extends (${originalId}) was removed or changed outside acrbot, or no longer serves${seen ? ` (drift seen ${formatUtc(seen)})` : ''}; closed without a decision`;
}

async function closePendingExtension(
  deps: ClosingDeps,
  extension: AccessRequest,
  original: AccessRequest,
  because: ClosedBecause,
): Promise<void> {
  // Marked: its requester is sent to a new request, not to `extend` of the ended or drifted
  // original, however late this close runs (past the extension's own deadline, as a retried end
  // notice may).
  const drifted = because === 'drifted';
  const clusterGone = because === 'clusterGone';
  const next = transition(extension, {
    type: 'expire',
    at: deps.clock.now(),
    originalEnded: because === 'ended',
    originalDrifted: drifted,
    ...(clusterGone && { originalClusterGoneAt: original.access?.clusterGoneAt }),
  });
  try {
    await updateUndoingUnseen({ store: deps.store, clock: deps.clock, log: deps.log }, extension, next);
  } catch (err) {
    if (!(err instanceof VersionConflictError)) throw err;
    deps.log.info({ requestId: extension.id }, 'pending extension decided or expired meanwhile; left as it is');
    return;
  }
  // Audited by the winner of the conditional write only, as a pending request's expiry is;
  // no state change without its entry (G11): undone when the entry cannot be written.
  try {
    await recordAccessEvent(deps, extension, ACRBOT_ACTOR, {
      action: 'request.expired',
      outcome: 'expired',
      detail: clusterGone
        ? closedByClusterGoneWords(original)
        : drifted
          ? closedByDriftWords(original.id, original.access?.driftDetectedAt)
          : `the access it extends ended with ${original.id}; closed without a decision`,
      // The key the expiry net writes a missing entry under: a slow append landing after it adds nothing.
      idempotencyKey: expiredEntryKey(extension.id, next.updatedAt),
    });
  } catch (err) {
    await undoUnaudited(deps.store, deps.clock, extension, next);
    throw err;
  }
  // All its jobs, as a cancel's: its reminders and announcement would only run to find it closed.
  for (const id of pendingRequestJobIds(extension.id)) await deps.jobs.cancel(id);
  await deps.cards.requestChanged(next);
}
