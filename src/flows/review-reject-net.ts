/**
 * The net for decisions a stopped process left half done (G11, G17). A break-glass review is
 * stored first, then audited, then its review job is cancelled and, for a Reject of a grant that
 * still holds access, the grant revoked (RequestService.reviewNow). A process that dies after
 * the store leaves a review that says `rejected` with no entry and the grant running until its own
 * end, and nothing else notices: the review job finds no review owed, a later click found it
 * reviewed, and the executor's resume and the lost-end net see a grant with its end job in place.
 * So at start, with `drift.check`, and at a later click on the card, the stored review is
 * finished as its click would have: its entry written (keyed, so once, whoever writes it first,
 * the click that was slow included) and a rejected grant revoked. A plain rejection stored without
 * its `request.rejected` entry gets it too.
 *
 * Before writing an entry the request is written again, unchanged but for its version: a click
 * whose own entry failed undoes its decision conditionally on the version it wrote
 * (unaudited-undo.ts), so that undo and this entry cannot both happen. Only acrbot's own records
 * decide (the store, the trail, the schedule), never anything read in Azure.
 */
import type { AuditEvent } from '../domain/audit-chain';
import { reviewedUseOnly } from '../domain/break-glass-review';
import { mapAtMost } from '../domain/bounded-map';
import type { AuditLog, Clock, RequestStore, ScheduledJob } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import { type AccessRequest, isBeingRevoked } from '../domain/request';
import type { Logger } from '../observability/logger';
import type { JobScheduling } from './request-service';
import { WAITING_SCAN_LIMIT } from './waiting-for-approvers';

/**
 * How often the drift check's pass runs at most on one instance: it reads every active request
 * (as the drift check beside it does) to find a rejected one left running. A start's pass always
 * runs; a click on the card finishes its own request at once.
 */
export const REVIEW_NET_RECHECK_MS = 3_600_000;

/**
 * A plain rejection younger than this is left alone: its click may still be writing its own
 * (unkeyed) entry, and a second one would say it was rejected twice.
 */
const PLAIN_REJECTION_GRACE_MS = 5 * 60_000;

/**
 * How far back plain rejections are checked: a process restarts (or the drift check runs) long
 * before; older ones are not read again on every pass.
 */
const PLAIN_REJECTION_LOOKBACK_MS = 2 * 24 * 3_600_000;

/** Most rejected requests one pass reads, newest first (rejections only accumulate). */
const PLAIN_REJECTION_SCAN_LIMIT = 500;

/** The error logged for a request whose follow-up failed. */
const UNFINISHED =
  'finishing a decision a stopped process left unaudited or unrevoked failed; the next start or drift check tries again';

/** Requests of review jobs read at once. */
const READS_AT_ONCE = 16;

/** Times the unchanged write before an entry is tried when other writes land first. */
const CLAIM_ATTEMPTS = 3;

/**
 * The id of a request's end job: access-lifecycle.ts `accessExpiryJobId` (not imported: that file
 * imports request-service.ts, which imports this one; a unit test holds them equal).
 */
export function endJobIdOf(requestId: string): string {
  return `access.expire:${requestId}`;
}

/**
 * The idempotency key of a break-glass review's entry: one per review stored (its time), so the
 * click and whatever finishes it after a crash write it once. Undefined without a stored review.
 */
export function reviewEntryKey(request: AccessRequest): string | undefined {
  const review = request.policy?.breakGlass ? request.policy.review : undefined;
  if (!review?.outcome || !review.at) return undefined;
  return `breakglass.review.${review.outcome}:${request.id}:${review.at}`;
}

/** What a follow-up did: the review's entry written, and a rejected grant's revocation asked for. */
export interface ReviewFollowUp {
  request: AccessRequest;
  entryWritten: boolean;
  revoked: boolean;
}

/** What the net reads and writes; the entry and the revocation are the request service's, as at a click. */
export interface ReviewNetPorts {
  store: Pick<RequestStore, 'get' | 'update' | 'listByState'>;
  audit: Pick<AuditLog, 'append' | 'forRequest'>;
  jobs?: Pick<JobScheduling, 'get' | 'cancel' | 'withIdPrefix'>;
  clock: Clock;
  log: Logger;
  /** The review job's id (`breakGlassReviewJobId`). */
  reviewJobId(requestId: string): string;
  /** The entry of the review stored on `request`, keyed by {@link reviewEntryKey}, as its click writes it. */
  reviewEntry(request: AccessRequest): AuditEvent;
  /** Revokes a rejected grant as its review's click does (`RequestService.revokeBreakGlass`). */
  revoke(request: AccessRequest): Promise<void>;
}

/**
 * Finishes the break-glass review stored on `request`: writes its entry when the trail lacks it,
 * revokes a rejected grant that still holds access and whose revocation nobody asked for, then
 * cancels the review job (last: while it stays, a failed follow-up is found again). Undefined
 * when there was nothing to write or revoke, or the review was undone meanwhile. Throws when a
 * write fails.
 */
export async function finishStoredReview(
  ports: ReviewNetPorts,
  request: AccessRequest,
): Promise<ReviewFollowUp | undefined> {
  const key = reviewEntryKey(request);
  if (!key) return undefined;
  const action = `breakglass.review.${request.policy!.review!.outcome}`;
  const entries = await ports.audit.forRequest(request.id);
  // An entry of this review: keyed by it, or written before review entries carried keys.
  const entryOwed = !entries.some(
    (e) => e.action === action && (e.idempotencyKey === undefined || e.idempotencyKey === key),
  );
  let current = request;
  if (entryOwed) {
    const claimed = await claim(ports, request, (r) => reviewEntryKey(r) === key);
    if (!claimed) return undefined;
    current = claimed;
    await ports.audit.append(ports.reviewEntry(current));
  }
  const revoke = await revocationOwed(ports, current);
  if (revoke) await ports.revoke(current);
  await ports.jobs?.cancel(ports.reviewJobId(request.id));
  if (!entryOwed && !revoke) return undefined;
  return { request: (await ports.store.get(request.id)) ?? current, entryWritten: entryOwed, revoked: revoke };
}

/**
 * A rejected grant that still holds access, with no revocation begun or asked for (a revoke
 * carried by its end job, due now, is run by the sweep).
 */
async function revocationOwed(ports: ReviewNetPorts, request: AccessRequest): Promise<boolean> {
  if (request.policy?.review?.outcome !== 'rejected' || reviewedUseOnly(request)) return false;
  if (request.state !== 'succeeded' || isBeingRevoked(request)) return false;
  return !carriesRevoke(await ports.jobs?.get(endJobIdOf(request.id)));
}

const carriesRevoke = (job: ScheduledJob | undefined): boolean => !!(job?.payload as { by?: unknown } | undefined)?.by;

/**
 * Writes `request` again, unchanged but for its version, while `same` holds for what is stored:
 * an undo of the unaudited decision (conditional on the version its click wrote) can then no
 * longer land after the entry written next. Undefined once `same` fails (undone, decided again).
 */
async function claim(
  ports: Pick<ReviewNetPorts, 'store' | 'clock'>,
  request: AccessRequest,
  same: (stored: AccessRequest) => boolean,
): Promise<AccessRequest | undefined> {
  let current: AccessRequest | undefined = request;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS && current && same(current); attempt++) {
    const claimed = { ...current, version: current.version + 1, updatedAt: ports.clock.now().toISOString() };
    try {
      await ports.store.update(claimed);
      return claimed;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
    current = await ports.store.get(request.id);
  }
  if (current && same(current))
    throw new Error(`${request.id} kept changing; its unaudited decision is finished at the next pass`);
  return undefined;
}

/** The `request.rejected` entry of a stored plain rejection, as its click writes it, keyed by the decision. */
function rejectionEntry(request: AccessRequest): AuditEvent {
  const decision = request.decision!;
  return {
    actor: decision.by,
    tenantId: request.tenantId,
    action: 'request.rejected',
    requestId: request.id,
    targetIds: [request.plan.cluster.id, request.plan.registry.id],
    outcome: 'rejected',
    detail: decision.reason,
    ruleId: request.policy?.ruleId,
    policyHash: request.policy?.policyHash,
    idempotencyKey: `request.rejected:${request.id}:${decision.at}`,
  };
}

/** A stored plain rejection between the grace and the lookback, to be checked for its entry. */
function recentRejection(request: AccessRequest, now: number): boolean {
  const at = request.decision && !request.decision.approved ? Date.parse(request.decision.at) : NaN;
  return now - at >= PLAIN_REJECTION_GRACE_MS && now - at <= PLAIN_REJECTION_LOOKBACK_MS;
}

/** What one pass found and did. */
export interface ReviewNetPass {
  /** Break-glass requests whose stored review it finished. */
  reviews: string[];
  /** Plain rejections it audited. */
  rejections: string[];
  /** Requests whose follow-up failed (logged each); the next pass tries again. */
  failed: number;
}

/**
 * One pass: break-glass reviews whose review job is still there (the click cancels it right after
 * the entry), every active break-glass grant whose review rejected it (a process that died
 * before revoking), and plain rejections of the last two days without their entry. Store cost:
 * the review jobs' key range and a read of each request; one `listByState(['succeeded'])` of at
 * most WAITING_SCAN_LIMIT (oldest first, as the start's other sweeps read it); one of at most 500
 * `rejected`, newest first; the trail of each request it looks at closer (a stored review, a
 * recent rejection). A request whose follow-up fails is logged and the others go on.
 */
export async function finishStoredDecisions(ports: ReviewNetPorts): Promise<ReviewNetPass> {
  const pass: ReviewNetPass = { reviews: [], rejections: [], failed: 0 };
  for (const request of await storedReviews(ports)) {
    try {
      if (await finishStoredReview(ports, request)) pass.reviews.push(request.id);
    } catch (err) {
      pass.failed++;
      ports.log.error({ err, requestId: request.id }, UNFINISHED);
    }
  }
  const now = ports.clock.now().getTime();
  const rejected = await ports.store.listByState(['rejected'], PLAIN_REJECTION_SCAN_LIMIT, 'newestFirst');
  for (const request of rejected.filter((r) => recentRejection(r, now))) {
    try {
      if (await auditStoredRejection(ports, request)) pass.rejections.push(request.id);
    } catch (err) {
      pass.failed++;
      ports.log.error({ err, requestId: request.id }, UNFINISHED);
    }
  }
  return pass;
}

/** Break-glass requests with a stored review that may be unfinished, each once. */
async function storedReviews(ports: ReviewNetPorts): Promise<AccessRequest[]> {
  const byId = new Map<string, AccessRequest>();
  const jobs = ports.jobs?.withIdPrefix ? await ports.jobs.withIdPrefix(ports.reviewJobId(''), WAITING_SCAN_LIMIT) : [];
  const ids = [...new Set(jobs.flatMap((j) => (j.requestId ? [j.requestId] : [])))];
  for (const request of await mapAtMost(ids, READS_AT_ONCE, (id) => ports.store.get(id)))
    if (request && reviewEntryKey(request)) byId.set(request.id, request);
  const live = await ports.store.listByState(['succeeded'], WAITING_SCAN_LIMIT + 1);
  if (live.length > WAITING_SCAN_LIMIT)
    ports.log.warn(
      { limit: WAITING_SCAN_LIMIT },
      'the net for unfinished break-glass rejections read only the oldest active requests; a rejected grant among the others is revoked at its end or at a later pass',
    );
  for (const request of live.slice(0, WAITING_SCAN_LIMIT))
    if (request.policy?.review?.outcome === 'rejected' && reviewEntryKey(request)) byId.set(request.id, request);
  return [...byId.values()];
}

/** Writes the missing `request.rejected` entry of a stored plain rejection; true when it did. */
async function auditStoredRejection(ports: ReviewNetPorts, request: AccessRequest): Promise<boolean> {
  const entries = await ports.audit.forRequest(request.id);
  if (entries.some((e) => e.action === 'request.rejected')) return false;
  const at = request.decision!.at;
  const claimed = await claim(ports, request, (r) => r.state === 'rejected' && r.decision?.at === at);
  if (!claimed) return false;
  await ports.audit.append(rejectionEntry(claimed));
  return true;
}
