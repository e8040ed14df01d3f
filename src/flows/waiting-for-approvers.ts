/**
 * What waits for approvers, read whole up to a bound: every pending request, and every
 * break-glass grant whose review is owed. Each approver's list (chat's `pending`, the tab's
 * "Waiting for your approval") is narrowed from these afterwards, so a cap must not come first:
 * the oldest 50 across every rule and tenant could all be someone else's, and the approver of a
 * newer request was told "Nothing pending". A read that reaches its bound says so
 * (`boundReached`), for the answer to say that more may wait.
 */
import { awaitingReview } from '../domain/policy';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest, RequestState } from '../domain/request';

/**
 * Most requests one read of what waits for approvers takes from the store, per read (pending;
 * live break-glass grants; ended ones): the bound of the start's sweeps and the drift check
 * (LOST_END_SCAN_LIMIT). Pending requests expire within a day and each requester has a few
 * (ACRBOT_MAX_PENDING_PER_USER), so they stay far below it. Store cost of a read: on SQLite one
 * indexed query; on Azure Tables as many index rows and point reads as requests found.
 */
export const WAITING_SCAN_LIMIT = 10_000;

/** Requests that wait for approvers, oldest first. */
export interface WaitingRequests {
  requests: AccessRequest[];
  /**
   * A read found more than {@link WAITING_SCAN_LIMIT}: only the oldest that many of it are here,
   * and newer requests may wait too.
   */
  boundReached: boolean;
}

/**
 * States a break-glass grant owing its review can be in, in the order a request moves through
 * them, read live ones first: ended grants (`revoked`) only accumulate, and read together with
 * live ones oldest first they would crowd out a newer grant whose access is there now. A failed
 * run owes none (policy.ts, awaitingReview), so `failed`, which accumulates too, is not read.
 */
const REVIEW_READS: RequestState[][] = [['approved', 'executing', 'succeeded'], ['revoked']];

/** Every pending request up to the bound, oldest first. */
export async function listPending(store: Pick<RequestStore, 'listByState'>): Promise<WaitingRequests> {
  return bounded(await store.listByState(['pending'], WAITING_SCAN_LIMIT + 1));
}

/**
 * Every break-glass grant whose review is still owed, up to the bound of each read, oldest first.
 * A grant revoked at once by its user still owes its review (the daily report names it too). The
 * reads follow the states' order, so a grant whose access ends between them is found by the later
 * one (and kept once, as read last).
 */
export async function listReviewsOwed(store: Pick<RequestStore, 'listByState'>): Promise<WaitingRequests> {
  const byId = new Map<string, AccessRequest>();
  let boundReached = false;
  for (const states of REVIEW_READS) {
    const read = bounded(await store.listByState(states, WAITING_SCAN_LIMIT + 1));
    boundReached ||= read.boundReached;
    for (const request of read.requests) byId.set(request.id, request);
  }
  const owed = [...byId.values()].filter(awaitingReview);
  return { requests: owed.sort((a, b) => a.createdAt.localeCompare(b.createdAt)), boundReached };
}

/** A read of `WAITING_SCAN_LIMIT + 1`, cut to the bound, and whether it had more. */
function bounded(read: AccessRequest[]): WaitingRequests {
  return { requests: read.slice(0, WAITING_SCAN_LIMIT), boundReached: read.length > WAITING_SCAN_LIMIT };
}
