/**
 * The jobs of a request: the ids of its `request.expire`, reminder, escalation, announcement and
 * `breakglass.review` jobs, the part of the scheduler the request flows use, and the idempotent
 * scheduling of each (at creation, and at start for requests whose job is missing).
 */
import type { RequestStore, ScheduledJob } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import type { JobSpec } from './scheduler';
import { scanReviewsOwed, WAITING_SCAN_LIMIT } from './waiting-for-approvers';
import { PENDING_SWEEP_LIMIT, type SweepOptions } from './credential-cleanup';

/** The part of the scheduler the request flows use. */
export interface JobScheduling {
  schedule(job: JobSpec): Promise<void>;
  cancel(id: string): Promise<void>;
  /** The job with this id, if still scheduled. */
  get(id: string): Promise<ScheduledJob | undefined>;
  /**
   * Writes the job only while none with its id is stored; false, with nothing written, when one
   * is (`Scheduler.scheduleIfAbsent`). The lost-end net's write: a job written since it looked
   * (a confirmed revoke, with who and why) must stay.
   */
  scheduleIfAbsent(job: JobSpec): Promise<boolean>;
  /** Runs a due job at once under its lease (optional: without it the next sweep runs it). */
  runNow?(id: string): Promise<boolean>;
  /** Moves a running job to `dueAt` unless it was written since it was read (see `Scheduler.moveIfUnchanged`). */
  moveIfUnchanged?(job: ScheduledJob, dueAt: Date): Promise<boolean>;
  /**
   * Jobs whose id starts with `prefix`, at most `limit`, in id order (ScheduleStore.withIdPrefix);
   * optional: without it, reviews owed are read by state.
   */
  withIdPrefix?(prefix: string, limit: number): Promise<ScheduledJob[]>;
}

/** The `breakglass.review` job of a break-glass request (reported again daily until reviewed). */
export function breakGlassReviewJobId(requestId: string): string {
  return `breakglass.review:${requestId}`;
}

/** The reminder and escalation jobs of a pending request. */
export function approvalNudgeJobIds(requestId: string): { remind: string; escalate: string } {
  return { remind: `approval.remind:${requestId}`, escalate: `approval.escalate:${requestId}` };
}

/** The `approval.announce` job of a request its approvers must be told of (approval-announce.ts). */
export function approvalAnnounceJobId(requestId: string): string {
  return `approval.announce:${requestId}`;
}

/**
 * How long after its creation a request's `approval.announce` job looks whether its approvers'
 * card went out: well past the few seconds the announcement takes (member lookups and a post),
 * so the job rarely meets one still posting, and soon enough that approvers hear of a request
 * whose announcing process stopped within minutes, not at its reminder or expiry.
 */
export const ANNOUNCE_GRACE_MS = 2 * 60_000;

/**
 * Schedules the `approval.announce` job of a request made pending (a break-glass one before it
 * is approved at once): the announcement is an obligation in the store, not only the work of the
 * process that stored the request (idempotent; the job does nothing once the card is posted).
 */
export async function scheduleAnnouncement(jobs: JobScheduling | undefined, request: AccessRequest): Promise<void> {
  if (!jobs || request.state !== 'pending') return;
  await jobs.schedule({
    id: approvalAnnounceJobId(request.id),
    kind: 'approval.announce',
    dueAt: new Date(Date.parse(request.createdAt) + ANNOUNCE_GRACE_MS),
    requestId: request.id,
  });
}

/** The `request.expire` job of a pending request. */
export function requestExpiryJobId(requestId: string): string {
  return `request.expire:${requestId}`;
}

/**
 * Every job a pending request holds (its expiry, reminder, escalation and announcement), each of
 * which does something only while the request is pending: cancelled by the paths that end it
 * without a decision (the requester's `cancel`, the withdrawal of one just stored over the pending
 * cap or as a twin, its expiry) and, after their write, by an approval or rejection
 * ({@link cancelPendingRequestJobs}). Each is cancelled by id, so a job the request's rule never
 * scheduled costs a no-op. A job kind added to a pending request's creation belongs here too, or
 * an ended request keeps it until it runs and finds nothing to do; a job an approved request
 * still needs (its run, `access.expire`, reminders of its end, `breakglass.review`) never does.
 * The announcement also serves a break-glass grant's review, but a break-glass request is never
 * stored pending (request-creation.ts stores it approved), so none of its jobs is cancelled here.
 */
export function pendingRequestJobIds(requestId: string): string[] {
  const nudges = approvalNudgeJobIds(requestId);
  return [requestExpiryJobId(requestId), nudges.remind, nudges.escalate, approvalAnnounceJobId(requestId)];
}

/**
 * Cancels the jobs of a request just approved or rejected ({@link pendingRequestJobIds}): each
 * would run once more, read the request, find it decided and do nothing. Called only after the
 * decision's write and its audit entry both stood: a click that lost the race, or whose decision
 * was undone, must leave the pending request's jobs (the winner's, or its own expiry) in place.
 * Never throws: the decision stands either way, and a job left behind finds the request decided
 * as before. A failure is logged once (the line carries the turn's correlation id), naming the
 * jobs left.
 */
export async function cancelPendingRequestJobs(
  jobs: JobScheduling | undefined,
  requestId: string,
  log: Logger,
): Promise<void> {
  if (!jobs) return;
  const left: string[] = [];
  let failure: unknown;
  for (const id of pendingRequestJobIds(requestId))
    try {
      await jobs.cancel(id);
    } catch (err) {
      left.push(id);
      failure ??= err;
    }
  if (left.length > 0)
    log.warn(
      { err: failure, requestId, jobIds: left },
      'the jobs of a decided request could not be cancelled; each runs once, finds the request decided and ends',
    );
}

/** The job that expires a pending request when no one decided it in time. */
function expiryJobOf(request: AccessRequest): JobSpec {
  return {
    id: requestExpiryJobId(request.id),
    kind: 'request.expire',
    dueAt: new Date(request.expiresAt),
    requestId: request.id,
  };
}

/** Schedules the `breakglass.review` job of a break-glass request at its review's due time (idempotent). */
export async function scheduleReview(jobs: JobScheduling | undefined, request: AccessRequest): Promise<void> {
  if (!jobs || !request.policy?.review) return;
  await jobs.schedule({
    id: breakGlassReviewJobId(request.id),
    kind: 'breakglass.review',
    dueAt: new Date(request.policy.review.dueAt),
    requestId: request.id,
  });
}

/**
 * Schedules the review job of every break-glass grant whose review is owed but which has no
 * job (one stored before reviews were scheduled first, or whose job was lost), so it is
 * reported until reviewed; run at start. A review already overdue is reported at the next
 * sweep. Returns how many were scheduled. Read by state as {@link scanReviewsOwed} reads (live
 * grants, then ended ones, each up to WAITING_SCAN_LIMIT), not from the jobs it looks for: the
 * list of reviews owed reads those jobs, so this pass is what keeps it whole.
 */
export async function scheduleReviewsForUnreviewed(
  store: RequestStore,
  jobs: JobScheduling | undefined,
  log: Logger,
  hasJob: (jobId: string) => Promise<boolean>,
): Promise<number> {
  if (!jobs) return 0;
  const { requests, boundReached } = await scanReviewsOwed(store);
  // Not silent: a review owed past the bound gets no job from this start.
  if (boundReached)
    log.warn(
      { limit: WAITING_SCAN_LIMIT },
      "the start's break-glass review sweep read only the first requests of each state it reads (live oldest first, ended newest first): a review owed among the others without a job is not scheduled by this start",
    );
  let scheduled = 0;
  for (const request of requests) {
    // An existing job keeps its time: the daily report of an overdue review is not moved.
    if (await hasJob(breakGlassReviewJobId(request.id))) continue;
    await scheduleReview(jobs, request);
    scheduled++;
  }
  return scheduled;
}

/** Schedules the rule's reminder and escalation of a pending request (idempotent; they no-op once decided). */
export async function scheduleNudges(jobs: JobScheduling | undefined, request: AccessRequest): Promise<void> {
  const rule = request.policy?.rule;
  if (!jobs || request.state !== 'pending' || !rule) return;
  const ids = approvalNudgeJobIds(request.id);
  const created = Date.parse(request.createdAt);
  const nudges = [
    { id: ids.remind, kind: 'approval.remind', afterMs: rule.remindAfterMs },
    { id: ids.escalate, kind: 'approval.escalate', afterMs: rule.escalateAfterMs },
  ] as const;
  for (const { id, kind, afterMs } of nudges)
    if (afterMs !== undefined)
      await jobs.schedule({ id, kind, dueAt: new Date(created + afterMs), requestId: request.id });
}

/** Schedules the `request.expire` job of a pending request (idempotent). */
export async function scheduleExpiry(jobs: JobScheduling | undefined, request: AccessRequest): Promise<void> {
  if (!jobs || request.state !== 'pending') return;
  await jobs.schedule(expiryJobOf(request));
}

/**
 * Schedules expiry for pending requests made before the schedule existed (or whose job was
 * lost); idempotent, run at start. A job already there is left as it is: rewritten, it would
 * lose its failure count, so an instance restarting in a loop would never see a failing
 * expiry reported. Reads as many as the clean-up sweep does ({@link PENDING_SWEEP_LIMIT}),
 * oldest first, and says so when it reads that many: a pending request past the bound whose
 * job was lost would otherwise stay pending, counted against its requester's cap, unseen.
 */
export async function scheduleExpiryForPending(
  store: RequestStore,
  jobs: JobScheduling | undefined,
  options: SweepOptions = {},
): Promise<number> {
  const { limit = PENDING_SWEEP_LIMIT, log } = options;
  const pending = await store.listByState(['pending'], limit);
  if (pending.length >= limit) {
    const message = `the start's expiry sweep read only the oldest ${limit} pending requests: a newer one among the others whose expiry job was lost is not scheduled by this start`;
    if (log) log.warn({ state: 'pending', read: pending.length }, message);
    else process.emitWarning(message);
  }
  for (const request of pending) await jobs?.scheduleIfAbsent(expiryJobOf(request));
  return pending.length;
}
