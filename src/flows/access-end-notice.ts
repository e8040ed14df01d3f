/**
 * The last step of a revocation: the request marked revoked (its `access.expired`/`access.revoked`
 * entry first, G11), then made known (cards redrawn, the requester told, pending extensions
 * closed) and recorded `access.end.told`, so that the end job's next run finishes a notice a
 * stopped process left undone.
 */
import { outsidePullCardWords } from '../domain/outside-pull-card-words';
import { lateEndWords } from '../domain/late-end';
import { APPROVER_CORRECTION_MS, isApproverCorrection } from '../domain/decided-before';
import type { AuditEntry } from '../domain/audit-chain';
import { isPlannedTuple } from '../domain/plan';
import { isUserFacing } from '../domain/errors';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest, Actor } from '../domain/request';
import { transition } from '../domain/request';
import { accessExpiryJobId } from './access-jobs';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { extensionsOf } from './access-extensions';
import { accessReminderJobId, reminderJobIds } from './access-reminders';
import { accessReminderJobPrefix } from './reminder-end';
import { closePendingExtensions } from './close-pending-extensions';
import { holdAccessLease } from './revocation-guards';
import { acrbotCreatedAssignment, type Holders, otherHolders, whyKept } from './role-assignment-holders';
import {
  askOwners,
  grantEndWords,
  type KeptAssignment,
  lastRoleStep,
  type OutsideWays,
  outsidePullWords,
  registryOpenWords,
} from '../domain/audit-end-words';
import { byTenant } from '../domain/tenant-boundary';
import { outsidePulls as listOutsidePulls } from './outside-pull';
import { LATE_LISTING_DEADLINE_MS, LATE_LISTINGS_AT_ONCE, lateListings } from './late-listings';
import { settleWithin } from './settle-within';
import { currentCorrelationId } from '../observability/correlation';
import { type NotTold, notReachedBecause, tellApproversEndNotTold } from './unreachable-requester';
import { passingFailure } from './outage-report-failure';
import { REQUESTER_NOT_TOLD_CODE } from './requester-not-told';
import type { JobRun } from './scheduler';
import { jitteredMs, spreadOf } from './retry-jitter';

/** How a request's access ended, as its audit entry and its requester's notice say. */
interface EndedAs {
  by: Actor;
  reason?: string;
  expired: boolean;
}

/**
 * The `facts` key of an `access.revoked` entry whose revocation was the approver's correction
 * ({@link isApproverCorrection}): one of its approvers revoked it within minutes of approving it,
 * so it counts against nobody (flows/decided-before.ts leaves it out). Value
 * {@link CORRECTION_BY_APPROVER}; absent on every other end. Said in the detail too, for people.
 */
const CORRECTION_FACT = 'correction';

/** {@link CORRECTION_FACT} of a revocation by one of the request's approvers soon after approving it. */
const CORRECTION_BY_APPROVER = 'byApprover';

/** The detail's words for an approver's correction ({@link CORRECTION_FACT}), said before the reason. */
const CORRECTION_WORDS = `the approver's correction: revoked by one who approved it, within ${APPROVER_CORRECTION_MS / 60_000} minutes of the approval`;

/** The audit entry saying a revoked request's end was made known (cards redrawn, requester told). */
const END_TOLD = 'access.end.told';

/**
 * The idempotency key of a request's `access.expired`/`access.revoked` entry: one per request
 * (it is revoked once), naming the request it ended with when it is an extension ended with its
 * original. Without `withId`, also the prefix every such key of the request starts with.
 */
function endedKey(requestId: string, withId?: string): string {
  return `access.ended:${requestId}${withId ? `:${withId}` : ''}`;
}

/**
 * Marks `request` revoked, audits it, updates its cards and tells the requester
 * ({@link makeEndKnown}). An extension ended with the request it extends (`endedWith`) is
 * audited as such, its end is no longer waited for, and the requester is told once, by the
 * original. The `access.expired`/`access.revoked` entry comes before the write (G11) under a key
 * of its own ({@link endedKey}): a retry after a write that lost a race finds it instead of
 * saying "revoked" twice, and the end job's next run reads from it how the access ended.
 * `others`: the holders the revocation read (grant-revocation.ts), why a kept assignment was kept.
 */
export async function markRevoked(
  deps: LifecycleDeps,
  request: AccessRequest,
  how: EndedAs,
  along: {
    endedWith?: AccessRequest;
    extensions?: readonly AccessRequest[];
    others?: Holders;
    /**
     * Called once the end is written (the access is revoked, its entry first), before it is made
     * known: the end job frees its sweep slot there (JobRun.yieldSlot), so the notice and the
     * cards, which Teams may throttle in a mass end, do not hold up the next due revocation.
     */
    written?: () => unknown;
  },
): Promise<AccessRequest> {
  const { by, reason, expired } = how;
  const { endedWith, others } = along;
  const next = transition(request, { type: 'revoke', at: deps.clock.now(), by, reason });
  // Read before the write (a failed read fails the attempt, which is retried): the notice below
  // says whether the cluster can still pull through an assignment that was not acrbot's.
  const heldOutsideAcrbot = endedWith ? undefined : await isHeldOutsideAcrbot(deps, request);
  // One listing per end (never on the grant path): what else lets the cluster pull, said in the
  // entry and the notices. A failed listing is logged and leaves it unsaid; the end goes on.
  // Started now and waited for only briefly (settleWithin): it is told, never acted on, and a
  // throttled ARM must not hold up this end's write nor the next due end's delete. Not started
  // while as many late listings as allowed are out here (ARM throttles): its net tells this end.
  const lists = !endedWith && request.plan.kind === 'grant' && Boolean(deps.settings.pullReads);
  const deferred = lists && lateListings.full();
  const stop = new AbortController();
  const listing = endedWith || deferred ? undefined : outsidePulls(deps, request, heldOutsideAcrbot, stop.signal);
  // Rejects only once aborted (a failed attempt's, a deferred one's, past its deadline): handled there.
  listing?.catch(() => undefined);
  let handedOn = false;
  try {
    // What the end left is said in the entry (read from the steps just recorded), not only the
    // steps': "revoked" alone reads as "removed" where nothing was, or the cluster can still pull.
    const trail = endedWith ? [] : await endTrail(deps, request, heldOutsideAcrbot);
    // Kept for another grant: the requester is told the cluster still pulls through it, and until when.
    const kept = await keptFor(deps, request, trail, along.extensions ?? [], others);
    const listed = listing && (await settleWithin(listing, lateListings.size > 0 ? 0 : LISTING_WAIT_MS));
    const late = deferred || Boolean(listed?.late);
    const outside = listed && !listed.late ? listed.value : undefined;
    const left =
      request.plan.kind === 'grant' && !endedWith
        ? grantEndWords(request, trail, heldOutsideAcrbot, outside)
        : undefined;
    // Read from the record as written below (who approved, who revokes, when), never from the reason.
    const correction = !expired && !endedWith && isApproverCorrection(next);
    await recordAccessEvent(deps, request, by, {
      action: expired ? 'access.expired' : 'access.revoked',
      outcome: 'revoked',
      detail: endedWith
        ? `with ${endedWith.id}, which it extends${reason ? `: ${reason}` : ''}`
        : [left, correction && CORRECTION_WORDS, reason, expired && lateEndWords(next.access)]
            .filter(Boolean)
            .join('; ') || undefined,
      ...(correction && { facts: { [CORRECTION_FACT]: [CORRECTION_BY_APPROVER] } }),
      idempotencyKey: endedKey(request.id, endedWith?.id),
    });
    try {
      await deps.store.update(next);
    } catch (err) {
      if (err instanceof VersionConflictError) {
        // Extended or revoked meanwhile: the next run of the job looks again.
        throw new Error(`request ${request.id} changed during revocation; retrying`, { cause: err });
      }
      throw err;
    }
    along.written?.();
    if (late) {
      handedOn = await tellWhenListed(deps, next, how, { ...along, heldOutsideAcrbot, kept }, listing, stop);
      return next;
    }
    await makeEndKnown(deps, next, how, { ...along, heldOutsideAcrbot, outside, kept });
    return next;
  } finally {
    // A listing no one awaits any more (answered, deferred, or this attempt failed) reads nothing further.
    if (!handedOn) stop.abort(new Error('the end no longer awaits this listing'));
  }
}

/**
 * How long an end waits for its listing of what else lets the cluster pull before it is written
 * without it ({@link tellWhenListed}): a prompt answer (nearly always) is said in the end's entry
 * and notice at once, as before; a throttled or slow one costs the sweep this long once, not the
 * SDK's retries (up to three waits of up to a minute) per end.
 */
const LISTING_WAIT_MS = 2_000;

/**
 * How long after such an end its end job comes due again as the net of its notice: well past
 * the longest a listing can take (the SDK's retries), so it finds the notice sent (`access.end.told`)
 * and does nothing, unless this process stopped first; then it sends it ({@link finishEndMadeKnown}).
 */
const TELLING_NET_MS = 15 * 60_000;

/**
 * An end written before its listing came: its end job is written again, due
 * {@link TELLING_NET_MS} from now (the net: a stopped process loses no notice, and the scheduler,
 * finding its job written meanwhile, keeps it), and the end is made known once the listing is
 * answered, without the caller waiting: the next due end goes on at once. Its `access.end.told`
 * entry says what else lets the cluster pull (the end's entry could not), and its job is then
 * cancelled. Told once: the net's run finds the entry, or, on this process, the telling under way.
 * At most {@link LATE_LISTINGS_AT_ONCE} are awaited at once, each for at most
 * {@link LATE_LISTING_DEADLINE_MS} (then `stop` aborts it): an end over the cap (no `listing`,
 * or none free now) or past the deadline is left to the net alone. True when it is awaited here.
 */
async function tellWhenListed(
  deps: LifecycleDeps,
  revoked: AccessRequest,
  how: EndedAs,
  along: { extensions?: readonly AccessRequest[]; heldOutsideAcrbot?: boolean; kept?: KeptAssignment },
  listing: Promise<OutsideWays | undefined> | undefined,
  stop: AbortController,
): Promise<boolean> {
  const net = accessExpiryJobId(revoked.id);
  await deps.jobs.schedule({
    id: net,
    kind: 'access.expire',
    dueAt: new Date(deps.clock.now().getTime() + TELLING_NET_MS),
    requestId: revoked.id,
  });
  if (!listing || !lateListings.tryHold(revoked.id)) {
    deps.log.info(
      { requestId: revoked.id, lateListings: LATE_LISTINGS_AT_ONCE },
      'what else lets the cluster pull was not listed: as many late listings as allowed are out in this process; the end is written and its end job makes it known when it comes due',
    );
    return false;
  }
  deps.log.info(
    { requestId: revoked.id },
    'what else lets the cluster pull was not listed yet; the end is written and made known once it is',
  );
  // Logged with the end job's correlation id, whichever context the deadline's timer fires in.
  const correlationId = currentCorrelationId();
  // A timer rather than AbortSignal.timeout, which tests' fake timers cannot move.
  const deadline = setTimeout(
    () => stop.abort(new Error(`not listed within ${LATE_LISTING_DEADLINE_MS / 60_000} minutes`)),
    LATE_LISTING_DEADLINE_MS,
  );
  deadline.unref();
  void listing
    .then((outside) => {
      clearTimeout(deadline);
      return makeEndKnown(deps, revoked, how, { ...along, outside, toldLate: true });
    })
    .catch((err: unknown) => {
      if (stop.signal.aborted)
        deps.log.warn(
          { err, requestId: revoked.id, ...(correlationId && { correlationId }) },
          'listing what else lets the cluster pull was given up at its deadline; its end job makes the end known when it comes due',
        );
      else
        deps.log.error(
          { err, requestId: revoked.id },
          'making an end known after its listing failed; its end job does it when it comes due',
        );
    })
    .finally(() => {
      clearTimeout(deadline);
      lateListings.release(revoked.id);
    });
  return true;
}

/**
 * How long after an end notice Teams did not serve (a 429, a 5xx, no answer: throttling of a
 * mass end, an outage of the moment) its end job sends it again, one wait per retry: a passing
 * failure is not reported per request (36 "not told" cards in a throttled mass end), it is sent
 * again ({@link finishEndMadeKnown}). Past the last, still failing, it is audited `unposted` and
 * the approvers are told, as a refusal is at once.
 */
export const NOTICE_RETRIES_MS: readonly number[] = [2 * 60_000, 10 * 60_000, 30 * 60_000];

/**
 * The largest part of a wait of {@link NOTICE_RETRIES_MS} {@link noticeRetryMs} takes off: a
 * retry comes between half of its wait and all of it.
 */
export const NOTICE_RETRY_JITTER = 0.5;

/**
 * How long after its `tries`-th unserved post (counted from 0) request `requestId`'s end notice
 * is sent again: the wait of {@link NOTICE_RETRIES_MS}, less a part of up to
 * {@link NOTICE_RETRY_JITTER} of it drawn from the request's id and the try ({@link spreadOf}).
 * The notices of a mass end that Teams throttled failed together, and would all come due in one
 * sweep at each retry, meeting Teams with the same burst; spread, they come over a minute at the
 * first retry and over minutes after. Drawn, not random: a request's retries are the same on every
 * run, so a test or an operator reading the schedule can tell when. Shorter, never longer: the
 * waits are the most the requester waits for the notice (operations.md).
 */
export function noticeRetryMs(requestId: string, tries: number): number {
  // The scheduler's formula (retry-jitter.ts), with this larger part: a notice's waits are longer.
  return jitteredMs(NOTICE_RETRIES_MS[tries], NOTICE_RETRY_JITTER, spreadOf(`notice:${requestId}`, tries));
}

/** The `access.expire` payload field counting the end notice's retries (the net's run reads it). */
export const NOTICE_TRIES_FIELD = 'noticeTries';

/**
 * Where the end notice's last try failed, as its log lines (`failedAt`) and its end job's payload
 * ({@link NOTICE_FAILED_AT_FIELD}) say: `post`, Teams did not take the post (its answer, or none:
 * {@link postFailed}); `beforePost`, it failed before the post (the store's read of where to post
 * it, or building the card). Teams' failures and the store's need different people to look.
 */
type NoticeFailedAt = 'post' | 'beforePost';

/**
 * The `access.expire` payload field saying where the end notice's last try failed
 * ({@link NoticeFailedAt}), for an operator reading the schedule: the run that sends it again
 * does not read it.
 */
const NOTICE_FAILED_AT_FIELD = 'noticeFailedAt';

/**
 * Whether the end notice failed at its post (Teams' answer), not before it: the messenger wraps
 * a post to the requester that did not go out in a sentence with {@link REQUESTER_NOT_TOLD_CODE},
 * the post's failure its cause (bot/requester-messages.ts). Anything else the messenger throws
 * failed before the post, as it came: the store's read of the request's card copies (where to
 * post), or building the card.
 */
function postFailed(err: unknown): boolean {
  return isUserFacing(err) && err.code === REQUESTER_NOT_TOLD_CODE;
}

/**
 * The end notice failed in a way that passes ({@link passingFailure}): Teams throttled its post
 * or did not answer, or the store did not serve the read of where to post it (a Tables 503 or
 * 429 in the same mass end). The messenger wraps the post's failure in a sentence for people,
 * its cause ({@link postFailed}); the store's comes as it is.
 */
function noticeFailedPassingly(err: unknown): boolean {
  // The cause too: passingFailure stops at the first UserFacingError down the causes (a sentence
  // for people is not an outage), and the messenger's notPostedToRequester is one, wrapping the
  // post's own failure (a 429, a 5xx, no answer). Asked of `err` alone, every failed notice would
  // be reported at once; asked of its cause too, a throttled post is sent again.
  return (passingFailure(err) ?? passingFailure((err as { cause?: unknown } | undefined)?.cause)) !== undefined;
}

/**
 * What follows the write of `revoked`: every card copy redrawn, the requester told (unless it
 * ended with the request it extends, whose notice tells them) and the pending extensions of
 * the ended access closed; then recorded (`access.end.told`: `sent` only when the requester's
 * notice went out; else `noConversation`, `refused` or `unposted`, as reminders audit theirs, and
 * the approvers are told the requester was not, unreachable-requester.ts). Until that entry exists, the
 * request's end job does it again when it next runs ({@link finishEndMadeKnown}): a store error
 * or a stopped process in between neither loses the notice nor leaves the cards saying "Being
 * revoked". Cancelling the reminders (and an extension's own end job) comes last and only
 * logs a failure: a reminder left behind finds the request revoked and sends nothing. A notice
 * Teams did not serve now (throttled, failing: {@link noticeFailedPassingly}) writes no entry and
 * no report: the end job is written again, due after the next of {@link NOTICE_RETRIES_MS}
 * (`noticeTries`: the retries made; spread by request, {@link noticeRetryMs}), and sends it then;
 * past the last it is `unposted`. `outside`: the assignments not acrbot's through which the
 * cluster can still pull; the requester is told, and so are the approvers (their card copies
 * show only the request's end, drawn from its record). The registry's own settings are told with
 * them; an admin user alone is told to the requester only: the cluster cannot pull through it
 * (only holders of its password can).
 */
async function makeEndKnown(
  deps: LifecycleDeps,
  revoked: AccessRequest,
  how: EndedAs,
  along: {
    endedWith?: AccessRequest;
    extensions?: readonly AccessRequest[];
    heldOutsideAcrbot?: boolean;
    outside?: OutsideWays;
    kept?: KeptAssignment;
    /** Listed after the end's entry was written: said in `access.end.told`, and the net job cancelled. */
    toldLate?: boolean;
    /** The end notice's retries made so far (after posts Teams did not serve). */
    noticeTries?: number;
  },
): Promise<void> {
  const { endedWith, heldOutsideAcrbot, outside, kept, toldLate } = along;
  const noticeTries = along.noticeTries ?? 0;
  const pulls = outside?.pulls ?? [];
  // What the registry itself lets in (anonymous pull, its admin user) is said after the assignments.
  const open = revoked.plan.kind === 'grant' ? registryOpenWords(revoked.plan.registry, outside?.open) : undefined;
  const still =
    revoked.plan.kind === 'grant'
      ? [outsidePullWords(revoked.plan.registry.name, pulls), open].filter(Boolean).join('; ') || undefined
      : undefined;
  // The notifier and the messenger log their own failures; this catch is for the rest of the chain.
  await deps.cards
    .requestChanged(revoked)
    .catch((err: unknown) => deps.log.error({ err, requestId: revoked.id }, 'redrawing the cards of an end failed'));
  let notTold: NotTold | undefined;
  let approversTold = false;
  let sendAgain: NoticeFailedAt | undefined;
  if (!endedWith) {
    // Reported, not swallowed: the entry below says `sent` only when the notice went out. Not
    // retried here (the end is done); one Teams did not serve now is sent again by the end job,
    // any other failure (or the last retry's) is told to the approvers.
    notTold = await deps.messenger
      .tellRequester(
        revoked,
        {
          kind: 'ended',
          by: how.by,
          expired: how.expired,
          reason: how.reason,
          ...(heldOutsideAcrbot !== undefined && { heldOutsideAcrbot }),
          ...(pulls.length > 0 && { outsidePulls: pulls }),
          ...(outside?.open && { registryOpen: outside.open }),
          ...(kept && { kept }),
        },
        { reportFailure: true },
      )
      .catch((err: unknown): NotTold | undefined => {
        // Whose failure it was: Teams' and the store's need different people to look.
        const failedAt: NoticeFailedAt = postFailed(err) ? 'post' : 'beforePost';
        if (noticeTries < NOTICE_RETRIES_MS.length && noticeFailedPassingly(err)) {
          if (failedAt === 'post')
            deps.log.info(
              { err, requestId: revoked.id, noticeTries, failedAt },
              'the end notice was not served by Teams now; its end job sends it again later',
            );
          else
            deps.log.info(
              { err, requestId: revoked.id, noticeTries, failedAt },
              'the end notice was not sent: the store did not serve the read of where to post it; its end job sends it again later',
            );
          sendAgain = failedAt;
          return undefined;
        }
        // The line shared with the chat layer's failed messages; `failedAt` says whose failure this was.
        deps.log.error({ err, requestId: revoked.id, failedAt }, 'could not tell the requester');
        return 'unposted';
      });
    if (notTold) approversTold = await tellApproversEndNotTold(deps, revoked, notTold);
    // The card names scopes as the request card does (the entry keeps the ids): news, not a failure.
    const assigned = revoked.plan.kind === 'grant' ? outsidePullCardWords(revoked.plan.registry, pulls) : undefined;
    const stillShown = [assigned && `${assigned}; ${askOwners(pulls.length)}`, open].filter(Boolean).join('; ');
    // Only when the cluster itself can still pull (an assignment, anonymous pull): an admin user
    // alone lets in holders of its password, which the notice and the entry say, not the cluster.
    const clusterPulls = pulls.length > 0 || Boolean(outside?.open?.anonymous);
    // Told once, by the first run, which listed them: a retry of the notice (noticeTries > 0)
    // lists again, and a listing that fails then would leave the approvers never told.
    if (clusterPulls && stillShown && !noticeTries)
      await deps.messenger.reportToApprovers(
        revoked,
        `${revoked.id} ended and acrbot deleted only what it created, but ${stillShown}.`,
        { title: `Ended; the cluster can still pull: ${revoked.id}`, tone: 'warning', requestFacts: true },
      );
    await closePendingExtensions(deps, revoked, along.extensions ?? []);
  }
  if (sendAgain) {
    // No `access.end.told` yet: the end job, written again, finds the end not made known and
    // makes it known again (finishEndMadeKnown). A job written while it runs stays (scheduler).
    await deps.jobs.schedule({
      id: accessExpiryJobId(revoked.id),
      kind: 'access.expire',
      dueAt: new Date(deps.clock.now().getTime() + noticeRetryMs(revoked.id, noticeTries)),
      requestId: revoked.id,
      payload: { [NOTICE_TRIES_FIELD]: noticeTries + 1, [NOTICE_FAILED_AT_FIELD]: sendAgain },
    });
  } else
    await recordAccessEvent(deps, revoked, how.by, {
      action: END_TOLD,
      // Says nothing of the cards: requestChanged logs a copy it could not redraw and answers nothing.
      outcome: endedWith ? 'withOriginal' : (notTold ?? 'sent'),
      detail: endedWith
        ? `the requester is told by ${endedWith.id}'s notice`
        : `${notTold ? notToldWords(notTold, approversTold) : 'the requester told'}${toldLate && still ? `; ${still}` : ''}`,
    });
  // Every reminder job of the request, those of offsets an earlier ACRBOT_EXPIRY_REMINDERS listed
  // too; a listing that failed leaves those (each does nothing when due) and cancels the current ones.
  const jobs = await reminderJobIds(deps, revoked.id).catch((err: unknown) => {
    deps.log.warn(
      { err, requestId: revoked.id, jobId: accessReminderJobPrefix(revoked.id) },
      'a job of ended access was not cancelled; it does nothing when due',
    );
    return deps.settings.remindersMs.map((beforeMs) => accessReminderJobId(revoked.id, beforeMs));
  });
  // The end job stays when it sends the notice again.
  if ((endedWith || toldLate) && !sendAgain) jobs.push(accessExpiryJobId(revoked.id));
  for (const id of jobs)
    await deps.jobs
      .cancel(id)
      .catch((err: unknown) =>
        deps.log.warn(
          { err, requestId: revoked.id, jobId: id },
          'a job of ended access was not cancelled; it does nothing when due',
        ),
      );
}

/** The `access.end.told` detail of an end its requester was not told of, and whether the approvers were. */
function notToldWords(why: NotTold, approversTold: boolean): string {
  return `the requester was not told: ${notReachedBecause(why)}; ${approversTold ? 'the approvers were told' : 'the approvers could not be told either (the report was not posted)'}`;
}

/**
 * The end job met its request revoked: when this version's revocation wrote that (its keyed
 * `access.expired`/`access.revoked` entry) and no `access.end.told` follows it, the attempt
 * stopped after the write (a store error, a stopped process) and the job is its retry: the end
 * is made known now ({@link makeEndKnown}, at least once). Under the access lease, so a
 * revocation still finishing on another instance is not told twice; a request revoked before
 * the key existed, or whose end was told, is left alone. `noticeTries`: the end notice's retries
 * made (its job's payload, written when Teams did not serve it, {@link NOTICE_RETRIES_MS}).
 * `run`: the end job's run, whose sweep slot is freed once what the end left has been read, as
 * the first run frees it once the end is written ({@link markRevoked}'s `written`).
 */
export async function finishEndMadeKnown(
  deps: LifecycleDeps,
  request: AccessRequest,
  noticeTries?: number,
  run?: JobRun,
): Promise<void> {
  // Read first without the lease: nearly always told already (an end job whose delete failed).
  if (!(await endNotMadeKnown(deps, request.id))) return;
  // Its listing came late and this process makes it known still: the job stays, and looks again.
  if (lateListings.has(request.id))
    throw new Error(`the end of ${request.id} is still being made known here; its end job looks again later`);
  const guard = await holdAccessLease(deps, request);
  try {
    const current = await deps.store.get(request.id);
    if (current?.state !== 'revoked') return;
    // Read once under the lease: the end's entry, and the trail its words are read from.
    const found = await endNotMadeKnown(deps, current.id);
    if (!found) return;
    const { ended, entries } = found;
    const endedWithId = ended.idempotencyKey!.slice(endedKey(current.id).length + 1) || undefined;
    const endedWith = endedWithId ? await deps.store.get(endedWithId) : undefined;
    if (endedWithId && !endedWith) return;
    const how: EndedAs = {
      by: ended.actor,
      reason: current.access?.revokeReason,
      expired: ended.action === 'access.expired',
    };
    // A notice sent again after Teams (or the store) did not serve it is expected work; a lost
    // one is not. Whose failure it was, the try's own line said.
    if (noticeTries)
      deps.log.info(
        { requestId: current.id, noticeTries },
        'the end notice is sent again; its last try was not served',
      );
    else
      deps.log.warn(
        { requestId: current.id },
        'the end of this access was written but not made known; the cards and the requester are told now',
      );
    const extensions = endedWith ? [] : await extensionsOf(deps, current, ['revoked']);
    const heldOutsideAcrbot = endedWith ? undefined : await isHeldOutsideAcrbot(deps, current);
    const outside = endedWith ? undefined : await outsidePulls(deps, current, heldOutsideAcrbot);
    const trail = endedWith ? [] : await endTrail(deps, current, heldOutsideAcrbot, entries);
    // Read again: the holders the revocation read are gone with the process that stopped.
    const kept = await keptFor(deps, current, trail, extensions);
    await guard?.check();
    // The notice and the cards (Teams, throttled in a mass end) go on beside the next due end.
    run?.yieldSlot?.();
    await makeEndKnown(deps, current, how, {
      endedWith,
      extensions,
      heldOutsideAcrbot,
      outside,
      kept,
      toldLate: !endedWith,
      noticeTries,
    });
  } finally {
    await guard?.stop();
  }
}

/**
 * What else lets the cluster pull ({@link listOutsidePulls}); a grant that met its assignment in
 * place says that one stays in its own words, so it is not listed again.
 */
function outsidePulls(
  deps: LifecycleDeps,
  request: AccessRequest,
  heldOutsideAcrbot: boolean | undefined,
  signal?: AbortSignal,
) {
  return listOutsidePulls(
    deps,
    request,
    heldOutsideAcrbot && request.plan.kind === 'grant' ? isPlannedTuple(request.plan) : undefined,
    signal,
  );
}

/**
 * Whether the role assignment a grant relied on was made outside acrbot (its end removes
 * nothing there); undefined for a secret. A grant whose PUT met RoleAssignmentExists says so
 * itself (`alreadyPresent`). An extension's run created nothing either and records the same
 * flag ("nothing re-created"), though the assignment it held is usually acrbot's: the requests
 * it extends say who made it, as they do for its revocation (G15).
 */
async function isHeldOutsideAcrbot(deps: LifecycleDeps, request: AccessRequest): Promise<boolean | undefined> {
  if (request.plan.kind !== 'grant') return undefined;
  if (!request.extendsRequestId) return Boolean(request.outcome?.alreadyPresent);
  return !(await acrbotCreatedAssignment(deps, request, request.plan));
}

/**
 * The request's entries, from which {@link grantEndWords} reads what a grant's end removed nothing
 * of, or left the cluster able to pull through; none for a secret (no read) and for a grant that
 * met its assignment in place (that alone is said). `read`: its entries as the caller just read
 * them, then not read again.
 */
async function endTrail(
  deps: LifecycleDeps,
  request: AccessRequest,
  heldOutsideAcrbot: boolean | undefined,
  read?: AuditEntry[],
): Promise<AuditEntry[]> {
  if (request.plan.kind !== 'grant' || heldOutsideAcrbot) return [];
  return read ?? deps.audit.forRequest(request.id);
}

/**
 * When the grant's revocation kept its role assignment (`kept` in `trail`: another grant holds it,
 * or holders could not all be read), why, in the revocation's words ({@link whyKept}: another
 * tenant's holder unnamed), with when the last holder ends; undefined otherwise. `read`: the
 * holders the revocation read (grant-revocation.ts); without them (an end made known by its job),
 * read again now: one store listing, only then. `extensions`: this request's, ending with it (not
 * holders).
 */
async function keptFor(
  deps: LifecycleDeps,
  request: AccessRequest,
  trail: readonly AuditEntry[],
  extensions: readonly AccessRequest[],
  read?: Holders,
): Promise<KeptAssignment | undefined> {
  if (request.plan.kind !== 'grant') return undefined;
  const step = lastRoleStep(trail);
  if (step?.outcome !== 'kept') return undefined;
  const plan = request.plan;
  const others = read ?? (await otherHolders(deps, request, plan, new Set(extensions.map((e) => e.id))));
  // Held at the revocation, not since (a holder ended meanwhile): its recorded words say why.
  const why = whyKept(others, plan, request.tenantId) || step.detail;
  if (!why) return undefined;
  const { own, elsewhere } = byTenant(others.holders, request.tenantId);
  // Another tenant's end would say how long that tenant holds access: no time then, as no name.
  const ends = own.map((r) => (r.access?.permanent ? undefined : r.access?.expiresAt));
  const until =
    others.complete && own.length > 0 && elsewhere.length === 0 && ends.every((e) => e !== undefined)
      ? ends.reduce((a, b) => (Date.parse(b!) > Date.parse(a!) ? b : a))
      : undefined;
  return { why, complete: others.complete, ...(until && { until }) };
}

/**
 * The keyed `access.expired`/`access.revoked` entry of request `id` when no `access.end.told`
 * follows it (its end was written and not made known), with the request's entries it was found
 * among (one read); undefined otherwise, and for a request revoked before the key existed.
 */
async function endNotMadeKnown(
  deps: LifecycleDeps,
  id: string,
): Promise<{ ended: AuditEntry; entries: AuditEntry[] } | undefined> {
  const entries = await deps.audit.forRequest(id);
  const key = endedKey(id);
  const ended = entries.findLast((e) => e.idempotencyKey === key || e.idempotencyKey?.startsWith(`${key}:`));
  if (!ended || entries.some((e) => e.seq > ended.seq && e.action === END_TOLD)) return undefined;
  return { ended, entries };
}
