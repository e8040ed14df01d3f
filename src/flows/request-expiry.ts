/**
 * The end of a pending request's approval window (G6): the `request.expire` job, or a click that
 * finds the request past its time, marks it expired; audited, like a decision, by the winner of
 * the conditional write only. One stored without its entry (the process stopped in between) gets
 * it from the net for stored transitions (expiry-net.ts).
 */
import type { AuditLog, Clock, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import { isExpired, transition, type AccessRequest } from '../domain/request';
import { formatUtc } from '../domain/access-term';
import { waitEndsWithOriginal } from '../domain/extension-deadline';
import { approvalCardRefusedThroughout } from './approval-announce';
import { closedByClusterGoneWords, closedByDriftWords } from './close-pending-extensions';
import { type OriginalUnapprovable, originalUnapprovable } from './extension-unapprovable';
import { expiredEntryKey } from './expiry-net';
import type { RequestNotifier } from './notifier';
import { type RequestAudit, targetsOf } from './request-audit';
import type { Logger } from '../observability/logger';
import { cancelPendingRequestJobs, type JobScheduling } from './request-jobs';

/** What expiring a request reads and writes. */
export interface ExpiryPorts {
  store: RequestStore;
  clock: Clock;
  auditing: RequestAudit;
  notifier: RequestNotifier;
  jobs?: JobScheduling;
  /** Where a failed cancel of the expired request's jobs is logged (they then find it expired). */
  log: Logger;
  /** Read for whether its approvers' card was refused throughout (its requester is told so); absent: not read. */
  audit?: Pick<AuditLog, 'forRequest'>;
}

/**
 * The `request.expire` job (G6): marks the request expired and updates its cards when it is
 * still pending and past its expiry; otherwise does nothing. Returns whether it expired it.
 */
export async function expireIfDue(ports: ExpiryPorts, requestId: string): Promise<boolean> {
  const request = await ports.store.get(requestId);
  const now = ports.clock.now();
  if (!request || !isExpired(request, now)) return false;
  return expireRequest(ports, request, now);
}

/**
 * The entry's words for an extension that closes without a decision because the access it
 * extends no longer holds (`gone`, read as it expires), or whose wait ended when that access did
 * (its deadline was cut to that end): said as the close of pending extensions at that end says it
 * (close-pending-extensions.ts), whichever of the two closes it first, however late. One whose
 * wait was cut to an end that another extension moved since ({@link wentOnPastCut}) says so: that
 * access still runs. Undefined otherwise (its approval TTL closed it while the access it extends
 * still runs).
 */
function expiredWithOriginal(request: AccessRequest, gone: OriginalUnapprovable | undefined): string | undefined {
  const closed = 'closed without a decision';
  const originalId = request.extendsRequestId;
  if (gone?.why === 'clusterGone') return closedByClusterGoneWords(gone.original);
  if (gone?.why === 'drifted') return closedByDriftWords(originalId, gone.original.access?.driftDetectedAt);
  const cut = waitEndsWithOriginal(request);
  if (!gone)
    return cut
      ? `its wait was cut to the end of the access it extends (${originalId}) at ${formatUtc(cut)}, which another extension moved since; that access still runs, and this one ${closed}`
      : undefined;
  const end = gone.why === 'ended' ? gone.endedAt : cut;
  if (end) return `the access it extends ended with ${originalId} at ${formatUtc(end)}; ${closed}`;
  return `the access it extends ended with ${originalId}; ${closed}`;
}

/**
 * Whether `request`, an extension whose wait was cut to its original's end when filed
 * (extension-deadline.ts), expires while the access it extends still holds (`gone` undefined):
 * another extension moved that end after this one read it. Recorded
 * ({@link AccessRequest.originalWentOn}), so its requester is asked again with `extend`, which
 * works, not told that the access ended.
 */
function wentOnPastCut(request: AccessRequest, gone: OriginalUnapprovable | undefined): boolean {
  return !gone && Boolean(request.extendsRequestId) && waitEndsWithOriginal(request) !== undefined;
}

/**
 * Why `request`, an extension, closes without a decision because of its original at `now`: its
 * access ended, past its end, being revoked, or no longer giving pull, or its cluster read gone
 * while otherwise live (originalUnapprovable, extension-unapprovable.ts). Its expiry may come
 * after that end (its job late, or the original revoked early and its close failed or not yet
 * run), or after a drift or cluster-gone note no sweep closes it for (the close failed, or it was filed as the note was
 * written: a sweep finding the note already there closes nothing); `extend` of that original is
 * refused either way: recorded, so its requester is sent to a new request
 * ({@link AccessRequest.originalEnded}, {@link AccessRequest.originalDrifted},
 * {@link AccessRequest.originalClusterGoneAt}), as the close would have.
 */
async function originalGone(
  ports: ExpiryPorts,
  request: AccessRequest,
  now: Date,
): Promise<OriginalUnapprovable | undefined> {
  if (!request.extendsRequestId) return undefined;
  // The rule an Approve of it would be refused by (a drift says more than the cluster note, an
  // end that it ended).
  return originalUnapprovable(await ports.store.get(request.extendsRequestId), now);
}

/** Marks `request` expired at `now` unless something moved it first; whether it did. */
export async function expireRequest(ports: ExpiryPorts, request: AccessRequest, now: Date): Promise<boolean> {
  const gone = await originalGone(ports, request, now);
  const next = transition(request, {
    type: 'expire',
    at: now,
    originalEnded: gone !== undefined && gone.why !== 'drifted' && gone.why !== 'clusterGone',
    originalDrifted: gone?.why === 'drifted',
    ...(gone?.why === 'clusterGone' && { originalClusterGoneAt: gone.original.access?.clusterGoneAt }),
    originalWentOn: wentOnPastCut(request, gone),
  });
  // Audited by the winner of the conditional write only, like a decision: an approval that
  // lands first leaves no `request.expired` entry behind it in the chain.
  try {
    await ports.auditing.updateUndoingUnseen(request, next);
  } catch (err) {
    if (err instanceof VersionConflictError) return false;
    throw err;
  }
  const endedWith = expiredWithOriginal(request, gone);
  await ports.auditing.recordOrUndo(request, next, {
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: request.tenantId,
    action: 'request.expired',
    requestId: request.id,
    targetIds: targetsOf(request.plan),
    outcome: 'expired',
    ...(endedWith && { detail: endedWith }),
    // The net for expiries a stopped process left without their entry (expiry-net.ts) writes it
    // under this key: a slow append of this one landing after it adds nothing (G8).
    idempotencyKey: expiredEntryKey(request.id, next.updatedAt),
  });
  // Its reminders, escalation and announcement would each run once and find it expired.
  await cancelPendingRequestJobs(ports.jobs, request.id, ports.log);
  const refused = await approvalCardRefused(ports, request);
  await ports.notifier.requestChanged(next, ...(refused ? [{ approvalCardRefused: true }] : []));
  return true;
}

/**
 * Whether no approver saw `request` because Teams refused its approvers' card until its expiry
 * (never posted, no nudge posted, no approval): read from its audit entries. A read that fails
 * counts as not (the usual words; the expiry stands either way).
 */
async function approvalCardRefused(ports: ExpiryPorts, request: AccessRequest): Promise<boolean> {
  // An approval means an approver saw it (approvalCardRefusedThroughout says no): no read needed.
  if (!ports.audit || request.approvals?.length) return false;
  try {
    return approvalCardRefusedThroughout(request, await ports.audit.forRequest(request.id));
  } catch (err) {
    ports.log.warn(
      { err, requestId: request.id },
      "whether the expired request's approvers' card was ever posted could not be read; its requester gets the usual words",
    );
    return false;
  }
}
