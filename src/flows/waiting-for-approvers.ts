/**
 * What waits for approvers, read whole up to a bound: every pending request, and every
 * break-glass grant whose review is owed. Each approver's list (chat's `pending`, the tab's
 * "Waiting for your approval") is narrowed from these afterwards, so a cap must not come first:
 * the oldest 50 across every rule and tenant could all be someone else's, and the approver of a
 * newer request was told "Nothing pending". A read that reaches its bound says so
 * (`boundReached`), for the answer to say that more may wait. Reviews owed are read from their
 * jobs in the schedule, not from the states ended grants pile up in.
 */
import { mapAtMost } from '../domain/bounded-map';
import { awaitingReview } from '../domain/policy';
import type { ListOrder, RequestStore, ScheduledJob } from '../domain/ports';
import type { AccessRequest, RequestState } from '../domain/request';

/**
 * Most requests one read of what waits for approvers takes from the store, per read (pending;
 * review jobs; or, read by state, live break-glass grants and ended ones): the bound of the
 * start's sweeps and the drift check (LOST_END_SCAN_LIMIT). Pending requests expire within a day and each requester has a few
 * (ACRBOT_MAX_PENDING_PER_USER), so they stay far below it. Store cost of a read: on SQLite one
 * indexed query; on Azure Tables as many index rows and point reads as requests found.
 */
export const WAITING_SCAN_LIMIT = 10_000;

/** Requests that wait for approvers, oldest first. */
export interface WaitingRequests {
  requests: AccessRequest[];
  /**
   * A read found more than {@link WAITING_SCAN_LIMIT}: only the oldest that many of it are here
   * (of revoked grants owing a review, read by state, the newest), and others may wait too.
   */
  boundReached: boolean;
}

/**
 * States a break-glass grant owing its review can be in, in the order a request moves through
 * them, read live ones first: ended grants (`revoked`) only accumulate, and read together with
 * live ones oldest first they would crowd out a newer grant whose access is there now. A failed
 * run owes none (policy.ts, awaitingReview), so `failed`, which accumulates too, is not read.
 */
const REVIEW_READS: (readonly [RequestState[], ListOrder])[] = [
  [['approved', 'executing', 'succeeded'], 'oldestFirst'],
  // Newest first: past the bound of a year's revoked grants, the review owed of one revoked
  // yesterday (its job lost) is still found; an owed review is rarely older than its report.
  [['revoked'], 'newestFirst'],
];

/** Every pending request up to the bound, oldest first. */
export async function listPending(store: Pick<RequestStore, 'listByState'>): Promise<WaitingRequests> {
  return bounded(await store.listByState(['pending'], WAITING_SCAN_LIMIT + 1));
}

/**
 * Lists the review jobs (`breakglass.review:<requestId>`) of the persisted schedule, at most
 * `limit`, in id order: a key-range read that finds only them.
 */
export type ReviewJobLister = (limit: number) => Promise<ScheduledJob[]>;

/** How many requests of review jobs are read from the store at once. */
const REVIEW_READS_AT_ONCE = 16;

/**
 * Every break-glass grant whose review is still owed, up to the bound, oldest first: read from
 * its review job when the schedule can list them (`reviewJobs`), otherwise by state
 * ({@link scanReviewsOwed}). Every review owed has a job from before its request is stored
 * until the review is recorded (RequestCreation.createBreakGlass, ApprovalNudges.reviewDue, the
 * start's `scheduleReviewsForUnreviewed` for one lost), whether or not the access has ended;
 * reading the jobs costs what is owed, while `revoked`, which every ended grant joins, grows for
 * ever. Each job's request is read again and kept only while its review is owed (a job can
 * outlive its review for a moment: reported and reviewed at once).
 */
export async function listReviewsOwed(
  store: Pick<RequestStore, 'get' | 'listByState'>,
  reviewJobs?: ReviewJobLister,
): Promise<WaitingRequests> {
  if (!reviewJobs) return scanReviewsOwed(store);
  const jobs = await reviewJobs(WAITING_SCAN_LIMIT + 1);
  const ids = [...new Set(jobs.slice(0, WAITING_SCAN_LIMIT).flatMap((j) => (j.requestId ? [j.requestId] : [])))];
  const read = await mapAtMost(ids, REVIEW_READS_AT_ONCE, (id) => store.get(id));
  const requests = read.filter((r): r is AccessRequest => r !== undefined && awaitingReview(r));
  return { requests: oldestFirst(requests), boundReached: jobs.length > WAITING_SCAN_LIMIT };
}

/**
 * Every break-glass grant whose review is still owed, read by state, up to `limit` per read
 * (live grants the oldest, revoked ones the newest), returned oldest first: where there is no schedule to read the review jobs from, and at start, to
 * find a review owed whose job was lost. A grant revoked at once by its user still owes its
 * review (the daily report names it too). The reads follow the states' order, so a grant whose
 * access ends between them is found by the later one (and kept once, as read last).
 */
export async function scanReviewsOwed(
  store: Pick<RequestStore, 'listByState'>,
  limit: number = WAITING_SCAN_LIMIT,
): Promise<WaitingRequests> {
  const byId = new Map<string, AccessRequest>();
  let boundReached = false;
  for (const [states, order] of REVIEW_READS) {
    const read = bounded(await store.listByState(states, limit + 1, order), limit);
    boundReached ||= read.boundReached;
    for (const request of read.requests) byId.set(request.id, request);
  }
  return { requests: oldestFirst([...byId.values()].filter(awaitingReview)), boundReached };
}

function oldestFirst(requests: AccessRequest[]): AccessRequest[] {
  return requests.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A read of `limit + 1`, cut to the bound, and whether it had more. */
function bounded(read: AccessRequest[], limit: number = WAITING_SCAN_LIMIT): WaitingRequests {
  return { requests: read.slice(0, limit), boundReached: read.length > limit };
}
