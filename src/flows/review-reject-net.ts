/**
 * The net for decisions a stopped process left half done (G11, G17). A break-glass review is
 * stored first, then audited, then its review job is cancelled and, for a Reject of a grant that
 * still holds access, the grant revoked (BreakGlassReviews.reviewNow). A process that dies after
 * the store leaves a review that says `rejected` with no entry and the grant running until its own
 * end, and nothing else notices: the review job finds no review owed, a later click found it
 * reviewed, and the executor's resume and the lost-end net see a grant with its end job in place.
 * So at start, with `drift.check`, and at a later click on the card, the stored review is
 * finished as its click would have: its entry written (keyed, so once, whoever writes it first,
 * the click that was slow included) and a rejected grant revoked. A plain rejection stored without
 * its `request.rejected` entry gets it too, and so does an expiry without its `request.expired`,
 * a drift mark without its `access.drift` and an approval short of its quorum without its
 * `approval.recorded` (unaudited-state-net.ts, expiry-net.ts, drift-entry-net.ts,
 * approval-entry-net.ts).
 *
 * Before writing an entry the request is written again, unchanged but for its version: a click
 * whose own entry failed undoes its decision conditionally on the version it wrote
 * (unaudited-undo.ts), so that undo and this entry cannot both happen. Only acrbot's own records
 * decide (the store, the trail, the schedule), never anything read in Azure.
 *
 * A live click is never raced: a decision younger than {@link CLICK_GRACE_MS} is left to its
 * click (a slow store between its entry and its revocation is no stopped process), and the
 * revocation is asked for under a key of the review ({@link reviewRevokeKey}), so a click and a
 * pass that both ask anyway write one `access.revoke.requested`.
 */
import { accessExpiryJobId, carriesRevoke } from './access-jobs';
import type { AuditEntry, AuditEvent } from '../domain/audit-chain';
import { reviewedUseOnly } from '../domain/break-glass-review';
import { mapAtMost } from '../domain/bounded-map';
import type { AuditLog, Clock, RequestStore, ScheduledJob } from '../domain/ports';
import { type AccessRequest, isBeingRevoked } from '../domain/request';
import type { Logger } from '../observability/logger';
import { ApprovalEntryNet } from './approval-entry-net';
import { DRIFT_LISTING, STORED_DRIFT } from './drift-entry-net';
import { STORED_EXPIRIES } from './expiry-net';
import type { JobScheduling } from './request-jobs';
import {
  claimUnchanged,
  READS_AT_ONCE,
  type StoredTransition,
  UNFINISHED,
  UnauditedStateNet,
} from './unaudited-state-net';
import { WAITING_SCAN_LIMIT } from './waiting-for-approvers';

/**
 * How often the drift check's pass runs at most on one instance: it reads every active request
 * (as the drift check beside it does) to find a rejected one left running. A start's pass always
 * runs; a click on the card finishes its own request at once.
 */
export const REVIEW_NET_RECHECK_MS = 3_600_000;

/**
 * A decision younger than this is left to its click, which may still be writing it: a plain
 * rejection's own (unkeyed) entry, a second one saying it was rejected twice; a review's entry,
 * its revocation, or the revocation's job (written after its entry). A click holds no lease to
 * ask about; this is well past ACRBOT_LEASE_TTL's 60 s default, after which a silent holder of
 * work counts as stopped, and far within a grant's term. A break-glass review left for it is
 * looked at again at the next drift check (the pass reports it `held`) or the next click.
 */
export const CLICK_GRACE_MS = 5 * 60_000;

/**
 * The idempotency key of a break-glass review's entry: one per review stored (its time), so the
 * click and whatever finishes it after a crash write it once. Undefined without a stored review.
 */
export function reviewEntryKey(request: AccessRequest): string | undefined {
  const review = request.policy?.breakGlass ? request.policy.review : undefined;
  if (!review?.outcome || !review.at) return undefined;
  return `breakglass.review.${review.outcome}:${request.id}:${review.at}`;
}

/**
 * The idempotency key of the `access.revoke.requested` a rejecting review asks for (its click,
 * or a follow-up after a crash): one per review stored. Undefined without a stored review.
 */
export function reviewRevokeKey(request: AccessRequest): string | undefined {
  const key = reviewEntryKey(request);
  return key && `access.revoke.requested:${key}`;
}

/** Whether something done at `at` (a decision, an entry) is past {@link CLICK_GRACE_MS} at `now`. */
function settled(at: string | undefined, now: number): boolean {
  return at !== undefined && now - Date.parse(at) >= CLICK_GRACE_MS;
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
  /**
   * Revokes a rejected grant as its review's click does (`BreakGlassReviews.revokeBreakGlass`, keyed
   * by {@link reviewRevokeKey}); false when a fresh read found nothing to ask for (revoked, being
   * revoked, its end job carrying a revoke).
   */
  revoke(request: AccessRequest): Promise<boolean>;
}

/**
 * Finishes the break-glass review stored on `request`: writes its entry when the trail lacks it,
 * revokes a rejected grant that still holds access and whose revocation nobody asked for, then
 * cancels the review job (last: while it stays, a failed follow-up is found again). Undefined
 * when there was nothing to write or revoke, the review was undone meanwhile, or it is younger
 * than {@link CLICK_GRACE_MS} (its click may still be on it: see {@link reviewSettled}). Throws
 * when a write fails.
 */
export async function finishStoredReview(
  ports: ReviewNetPorts,
  request: AccessRequest,
): Promise<ReviewFollowUp | undefined> {
  const key = reviewEntryKey(request);
  if (!key || !reviewSettled(request, ports.clock.now().getTime())) return undefined;
  const action = `breakglass.review.${request.policy!.review!.outcome}`;
  const entries = await ports.audit.forRequest(request.id);
  // An entry of this review: keyed by it, or written before review entries carried keys.
  const entryOwed = !entries.some(
    (e) => e.action === action && (e.idempotencyKey === undefined || e.idempotencyKey === key),
  );
  let current = request;
  if (entryOwed) {
    const claimed = await claimUnchanged(ports, request, (r) => reviewEntryKey(r) === key);
    if (!claimed) return undefined;
    current = claimed;
    await ports.audit.append(ports.reviewEntry(current));
  }
  // Told by the revocation whether it asked for anything: only then did this call revoke.
  const revoked = (await revocationOwed(ports, current, entries)) && (await ports.revoke(current));
  await ports.jobs?.cancel(ports.reviewJobId(request.id));
  if (!entryOwed && !revoked) return undefined;
  return { request: (await ports.store.get(request.id)) ?? current, entryWritten: entryOwed, revoked };
}

/**
 * Whether the review stored on `request` is older than {@link CLICK_GRACE_MS} at `now`: younger,
 * its click may still be writing its entry or asking for its revocation, and is left to it.
 */
function reviewSettled(request: AccessRequest, now: number): boolean {
  return settled(request.policy?.review?.at, now);
}

/**
 * A rejected grant that still holds access, with no revocation begun or asked for (a revoke
 * carried by its end job, due now, is run by the sweep). One asked for under the review's key
 * ({@link reviewRevokeKey}) moments ago is left to whoever asked (its job is written before its
 * entry, so it is found carrying the revoke); an older one whose job is missing (lost since, or
 * written by a release that audited first and stopped in between) is asked for again, the key
 * keeping its entry single.
 */
async function revocationOwed(ports: ReviewNetPorts, request: AccessRequest, entries: AuditEntry[]): Promise<boolean> {
  if (request.policy?.review?.outcome !== 'rejected' || reviewedUseOnly(request)) return false;
  if (request.state !== 'succeeded' || isBeingRevoked(request)) return false;
  const asked = entries.find((e) => e.idempotencyKey === reviewRevokeKey(request));
  if (asked && !settled(asked.ts, ports.clock.now().getTime())) return false;
  return !carriesRevoke(await ports.jobs?.get(accessExpiryJobId(request.id)));
}

/**
 * Plain rejections as the net finds them: stored `rejected`, at their decision's time; their
 * `request.rejected` entry as the click writes it, keyed by the decision.
 */
const PLAIN_REJECTIONS: StoredTransition = {
  state: 'rejected',
  action: 'request.rejected',
  at: (request) => (request.decision && !request.decision.approved ? request.decision.at : undefined),
  entry: (request, at) => ({
    actor: request.decision!.by,
    tenantId: request.tenantId,
    action: 'request.rejected',
    requestId: request.id,
    targetIds: [request.plan.cluster.id, request.plan.registry.id],
    outcome: 'rejected',
    detail: request.decision!.reason,
    ruleId: request.policy?.ruleId,
    policyHash: request.policy?.policyHash,
    idempotencyKey: `request.rejected:${request.id}:${at}`,
  }),
};

/** What one pass found and did. */
export interface ReviewNetPass {
  /** Break-glass requests whose stored review it finished. */
  reviews: string[];
  /** Plain rejections it audited. */
  rejections: string[];
  /** Expiries it audited (logged by the pass itself). */
  expiries: string[];
  /** Drift marks it audited (logged by the pass itself). */
  drifts: string[];
  /** Requests with an approval short of the quorum, or a discounted one, it audited (logged by the pass itself). */
  approvals: string[];
  /**
   * Break-glass requests whose stored review it left to its click, being younger than
   * {@link CLICK_GRACE_MS}: the next pass looks again whatever its hourly bound.
   */
  held: string[];
  /** Requests whose follow-up failed (logged each); the next pass tries again. */
  failed: number;
}

/**
 * The net on one instance: what its passes found (plain rejections, expiries and drift marks seen
 * audited are not read again). One pass: break-glass reviews whose review job is still there (the
 * click cancels it right after the entry), every active break-glass grant whose review rejected it
 * (a process that died before revoking), and plain rejections, expiries, drift marks,
 * approvals short of the quorum and approvals no longer counted of the last two days without
 * their entry (unaudited-state-net.ts, approval-entry-net.ts). Store cost: the review jobs' key
 * range and a read of each request; one `listByState(['succeeded'])` of at most
 * WAITING_SCAN_LIMIT + 1 (oldest first, as the start's other sweeps read it), which holds the
 * live grants as the drift check reads them too (drift-entry-net.ts); one of at most 500
 * `rejected` and one of at most 500 `expired`, newest first; the net for approvals' two listings
 * (approval-entry-net.ts); the trail of each stored review older than the grace, and
 * of each recent rejection, expiry, drift mark, partial or discounted approval not seen audited by an earlier pass (16 at once).
 * A request whose follow-up fails is logged and the others go on.
 */
export class DecisionNet {
  private readonly rejections: UnauditedStateNet;
  private readonly expiries: UnauditedStateNet;
  private readonly drifts: UnauditedStateNet;
  private readonly approvals: ApprovalEntryNet;

  constructor(private readonly ports: ReviewNetPorts) {
    this.rejections = new UnauditedStateNet(PLAIN_REJECTIONS, ports, CLICK_GRACE_MS);
    this.expiries = new UnauditedStateNet(STORED_EXPIRIES, ports, CLICK_GRACE_MS);
    this.drifts = new UnauditedStateNet(STORED_DRIFT, ports, CLICK_GRACE_MS);
    this.approvals = new ApprovalEntryNet(ports, CLICK_GRACE_MS);
  }

  /** One pass (see the class). Throws when a listing fails; a request's failure is counted and logged. */
  async pass(): Promise<ReviewNetPass> {
    const { ports } = this;
    const pass: ReviewNetPass = {
      reviews: [],
      rejections: [],
      expiries: [],
      drifts: [],
      approvals: [],
      held: [],
      failed: 0,
    };
    // The live grants once for both the reviews and the drift marks (each as it lists them).
    const live = await ports.store.listByState(['succeeded'], LIVE_SCAN_LIMIT + 1, 'oldestFirst');
    for (const request of await storedReviews(ports, live)) {
      if (!reviewSettled(request, ports.clock.now().getTime())) {
        pass.held.push(request.id);
        continue;
      }
      try {
        if (await finishStoredReview(ports, request)) pass.reviews.push(request.id);
      } catch (err) {
        pass.failed++;
        ports.log.error({ err, requestId: request.id }, UNFINISHED);
      }
    }
    const rejections = await this.rejections.pass();
    pass.rejections = rejections.audited;
    const expiries = await this.expiries.pass();
    pass.expiries = expiries.audited;
    const drifts = await this.drifts.pass(live.slice(0, DRIFT_LISTING.limit));
    pass.drifts = drifts.audited;
    const approvals = await this.approvals.pass();
    pass.approvals = approvals.audited;
    pass.failed += rejections.failed + expiries.failed + drifts.failed + approvals.failed;
    // Told here: the caller's line names reviews and rejections.
    if (expiries.audited.length > 0)
      ports.log.warn(
        { expiries: expiries.audited },
        'audited expiries a stopped process left without their entry (request.expired written late)',
      );
    if (drifts.audited.length > 0)
      ports.log.warn(
        { drifts: drifts.audited },
        'audited drift marks a stopped process left without their entry (access.drift written late)',
      );
    if (approvals.audited.length > 0)
      ports.log.warn(
        { approvals: approvals.audited },
        'audited approvals a stopped process left without their entry (approval.recorded or approval.discounted written late)',
      );
    return pass;
  }
}

/**
 * Most live grants a pass lists (oldest first): as many as the reviews' and the drift marks'
 * listings read, and one more to tell that the reviews' bound was reached.
 */
const LIVE_SCAN_LIMIT = Math.max(WAITING_SCAN_LIMIT, DRIFT_LISTING.limit);

/**
 * Break-glass requests with a stored review that may be unfinished, each once. `live`: the live
 * grants, oldest first, at least one more than WAITING_SCAN_LIMIT when there are that many.
 */
async function storedReviews(ports: ReviewNetPorts, live: AccessRequest[]): Promise<AccessRequest[]> {
  const byId = new Map<string, AccessRequest>();
  const jobs = ports.jobs?.withIdPrefix ? await ports.jobs.withIdPrefix(ports.reviewJobId(''), WAITING_SCAN_LIMIT) : [];
  const ids = [...new Set(jobs.flatMap((j) => (j.requestId ? [j.requestId] : [])))];
  for (const request of await mapAtMost(ids, READS_AT_ONCE, (id) => ports.store.get(id)))
    if (request && reviewEntryKey(request)) byId.set(request.id, request);
  if (live.length > WAITING_SCAN_LIMIT)
    ports.log.warn(
      { limit: WAITING_SCAN_LIMIT },
      'the net for unfinished break-glass rejections read only the oldest active requests; a rejected grant among the others is revoked at its end or at a later pass',
    );
  for (const request of live.slice(0, WAITING_SCAN_LIMIT))
    if (request.policy?.review?.outcome === 'rejected' && reviewEntryKey(request)) byId.set(request.id, request);
  return [...byId.values()];
}
