/**
 * The `approval.announce` job: the approvers' card of a request, posted by a later run when the
 * announcement that follows its creation did not post it. The process that stores a request
 * posts the card itself, in its turn or in background work held only in its memory
 * (request-handler.ts); a process that stops in between (a crash, a kill, a post that never
 * returns) would leave the request pending with nobody told until it expires, and its requester's
 * new request refused as a twin of it. So the create stores this job beside the request's expiry
 * (request-jobs.ts, due `ANNOUNCE_GRACE_MS` later), and whichever instance runs it, under
 * its lease, posts the card only while the request still waits for its approvers (pending, or a
 * break-glass grant owing its review) and no card of theirs is recorded: neither an
 * `approval.card.posted` entry nor an approvers' copy. A request decided, cancelled or expired
 * meanwhile gets nothing. A cancel (the requester's, or a withdrawal at creation), an approval
 * and a rejection delete the job with the request's other jobs (`pendingRequestJobIds`); this
 * check covers a run already under way, a delete that failed, and expiry, which leaves the job
 * to end here.
 *
 * A normal announcement leaves the job to find its card and end (the turn has no scheduler to
 * cancel it with). A card is posted twice only when the job runs while the announcement is
 * still posting past the grace period, or when a post went out but was not recorded (the
 * process stopped between Teams' answer and the copy's write): a second card is better than
 * approvers never told. An announcement whose post failed leaves the job to post it again.
 *
 * A post Teams refuses for good (403 `BotNotInConversationRoster`: acrbot was removed from the
 * approvals channel; 404: it is gone) is no failure a backoff mends, and failing the job would
 * retry it every half hour until the request expires, each run reporting the failure to the
 * approvers in that same refusing channel. So it is audited once (a keyed `approval.card.posted`
 * entry with outcome `refused`, naming the conversation and Teams' code; the turn writes the same
 * entry when its own post was refused, request-handler.ts), logged once per attempt with what to
 * do, the requester told once in the turn's words (the turn tells them when it met the refusal
 * first; when it, or a run, could not, a later run tells them, and records it so no other run
 * does), and the job moved {@link REFUSED_RETRY_MS} on while the request still waits: a pending
 * one until it expires, a break-glass grant while its access lasts. acrbot added back, the next
 * attempt posts the card; its return to the approvals team brings that attempt forward
 * ({@link ApprovalAnnouncements.bringForwardRefused}).
 */
import type { AuditEntry, AuditEvent } from '../domain/audit-chain';
import { factSays } from '../domain/audit-fact';
import { awaitingReview } from '../domain/policy';
import type { AuditLog, Clock, RequestStore, ScheduledJob } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { isBeingRevoked, isExpired } from '../domain/request';
import { currentCorrelationId } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import { APPROVAL_CARD_POSTED, approvalPostedEntry } from './approval-posted-entry';
import { approvalAnnounceJobId, type JobScheduling } from './request-jobs';
import type { JobRun } from './scheduler';

/**
 * How long after a post Teams refused for good the job tries again: slow, since it is refused
 * until someone adds acrbot back (one error line per attempt), yet soon enough that a request
 * (which waits at most a day) reaches its approvers within the hour of acrbot's return.
 */
export const REFUSED_RETRY_MS = 3_600_000;

/**
 * Most `approval.announce` jobs one bring-forward reads: one per request whose card is not out
 * yet (a job ends once it is), so a few per pending request at most.
 */
const BRING_FORWARD_READ_LIMIT = 1_000;

/**
 * The field of an `approval.announce` job's payload naming the conversation Teams last refused
 * its card in, written with the move that follows a refusal ({@link REFUSED_RETRY_MS}): acrbot's
 * return brings forward the jobs it names without reading any request's audit trail.
 */
const REFUSED_IN = 'refusedIn';

/**
 * The field of an `approval.announce` job's payload naming the conversation a run posted the card
 * to whose copy could not be recorded: a later run writes only its entry, never a second card.
 */
const POSTED_NOT_RECORDED_IN = 'postedNotRecordedIn';

/**
 * The conversation `job`'s payload names under `key` ({@link REFUSED_IN}: where Teams refused its
 * card; {@link POSTED_NOT_RECORDED_IN}: where an earlier run posted it without recording its copy);
 * undefined when it names none.
 */
function stringMark(job: ScheduledJob, key: typeof REFUSED_IN | typeof POSTED_NOT_RECORDED_IN): string | undefined {
  const mark = job.payload?.[key];
  return typeof mark === 'string' ? mark : undefined;
}

/** The entry of a card a run posted to `conversationId` whose copy could not be recorded. */
function postedNotRecordedEntry(request: AccessRequest, conversationId: string): AuditEvent {
  return approvalPostedEntry(
    request,
    conversationId,
    'posted by a later run: the announcement had not posted it; its copy could not be recorded (the store failed), so it is not posted again',
  );
}

/** The outcome of the `approval.card.posted` entry of a card Teams refused for good. */
const APPROVAL_CARD_REFUSED = 'refused';

/** What Teams answered a post it refused for good: its status, and its error code if it gave one. */
export interface CardRefusal {
  status: number;
  code?: string;
}

/**
 * Where the approvers' card went, or where Teams refused it for good. `notRecorded`: Teams took it
 * but its copy could not be recorded (the store's error): it is out all the same.
 */
export type ApprovalCardPost =
  | { conversationId: string; shared: boolean; refused?: undefined; notRecorded?: { err: unknown } }
  | { conversationId: string; refused: CardRefusal };

/** The key of the refused entry: one per request, whoever (the turn, any run of the job) writes it first. */
function approvalRefusedKey(requestId: string): string {
  return `${APPROVAL_CARD_POSTED}:${APPROVAL_CARD_REFUSED}:${requestId}`;
}

/**
 * The key of the entry recording that a run of the job told the requester of the refusal after
 * whoever met it first could not ({@link REQUESTER_NOT_TOLD}): one per request, so however many
 * instances run the job, the requester is told once.
 */
function approvalRefusalToldKey(requestId: string): string {
  return `${approvalRefusedKey(requestId)}:told`;
}

/**
 * The words of a refused entry whose writer could not tell the requester (their conversation
 * failed too): a later run of the job tells them, once ({@link approvalRefusalToldKey}). Kept as
 * they are: an entry written before its `facts` existed is read by them ({@link requesterNotTold}).
 */
export const REQUESTER_NOT_TOLD = 'the requester could not be told';

/**
 * The `facts` key of whether the requester knows of the refusal: {@link REQUESTER_TOLD} or
 * {@link REQUESTER_NOT_TOLD_FACT}. The job reads it, not the detail's words (people read those),
 * of every entry that has it ({@link requesterNotTold}).
 */
const REQUESTER_FACT = 'requester';

/** {@link REQUESTER_FACT} of an entry whose writer told the requester. */
const REQUESTER_TOLD = 'told';

/** {@link REQUESTER_FACT} of a refused entry whose writer could not tell the requester. */
const REQUESTER_NOT_TOLD_FACT = 'notTold';

/**
 * The entry recording that Teams refused `request`'s approvers' card in `conversationId` for
 * good (acrbot is not in it), keyed once per request ({@link approvalRefusedKey}); `by`: who met
 * the refusal and what follows, appended to the detail; `told`: whether its writer told the
 * requester, in its `facts` ({@link REQUESTER_FACT}) for a later run of the job to read. Not an
 * entry of the card going out: the job looks past it ({@link ApprovalAnnouncements}) and keeps trying.
 */
export function approvalRefusedEntry(
  request: Pick<AccessRequest, 'id' | 'tenantId'>,
  conversationId: string,
  refusal: CardRefusal,
  by: string,
  told: boolean,
): AuditEvent {
  return {
    ...approvalPostedEntry(request, conversationId),
    outcome: APPROVAL_CARD_REFUSED,
    detail: `not posted: Teams refused it (${refusal.status}${refusal.code ? ` ${refusal.code}` : ''}: acrbot is not in that conversation); ${by}`,
    facts: { [REQUESTER_FACT]: [told ? REQUESTER_TOLD : REQUESTER_NOT_TOLD_FACT] },
    idempotencyKey: approvalRefusedKey(request.id),
  };
}

/**
 * Whether the writer of refused `entry` could not tell the requester: read from its facts
 * ({@link REQUESTER_FACT}); an entry without them, written before they existed (before the upgrade,
 * or by an older instance during it), by its detail's words ({@link REQUESTER_NOT_TOLD}, unchanged
 * since), so a requester whose turn an older release ran is still told.
 */
function requesterNotTold(entry: AuditEvent): boolean {
  return factSays(entry, REQUESTER_FACT, REQUESTER_NOT_TOLD_FACT, (d) => d.includes(REQUESTER_NOT_TOLD)) ?? false;
}

/**
 * The entry recording that the requester of `request`, not told when its card was first refused
 * ({@link REQUESTER_NOT_TOLD}), was told by a later run of the job; keyed once per request
 * ({@link approvalRefusalToldKey}). Its outcome is that of the refusal: the card still did not go
 * out, so the job looks past it too.
 */
function approvalRefusalToldEntry(request: Pick<AccessRequest, 'id' | 'tenantId'>, conversationId: string): AuditEvent {
  return {
    ...approvalPostedEntry(request, conversationId),
    outcome: APPROVAL_CARD_REFUSED,
    detail:
      'not posted: Teams still refuses it; the requester, who could not be told when it was first refused, was told by the approval.announce job',
    facts: { [REQUESTER_FACT]: [REQUESTER_TOLD] },
    idempotencyKey: approvalRefusalToldKey(request.id),
  };
}

/**
 * The nudges (approval-nudges.ts) whose entry says they were posted (outcome other than
 * `unposted`): a reminder or escalation posted where Teams took it is an approver seeing the
 * request all the same.
 */
const NUDGE_ACTIONS: readonly string[] = ['approval.reminded', 'approval.escalated'];

/**
 * Whether `request`, with its audit `entries`, never reached an approver because Teams refused its
 * approvers' card: a refused entry, no entry of the card posted, no reminder or escalation posted
 * elsewhere, and no approval (an approver who found it with "@acrbot pending" or the tab saw
 * it). Its requester, told at its expiry, learns that no approver saw it (lifecycle-view.ts).
 */
export function approvalCardRefusedThroughout(
  request: Pick<AccessRequest, 'approvals'>,
  entries: readonly Pick<AuditEntry, 'action' | 'outcome'>[],
): boolean {
  if (request.approvals?.length) return false;
  if (entries.some((e) => NUDGE_ACTIONS.includes(e.action) && e.outcome !== 'unposted')) return false;
  const posted = entries.filter((e) => e.action === APPROVAL_CARD_POSTED);
  return (
    posted.some((e) => e.outcome === APPROVAL_CARD_REFUSED) && posted.every((e) => e.outcome === APPROVAL_CARD_REFUSED)
  );
}

/**
 * What the requester is told when their request's approvers' card could not be posted: the
 * turn's words (request-handler.ts), so a requester the job tells reads what the turn would have said.
 */
export function approvalCardNotPostedText(requestId: string, reference: string): string {
  return `The approval card could not be posted to the approvals channel; approvers can still find request ${requestId} with "@acrbot pending". Reference for the platform team: ${reference}.`;
}

/** Implemented by the chat layer: the posts of an announcement made outside any turn. */
export interface ApprovalCardPort {
  /** Whether an approvers' copy of the request's card is recorded. */
  hasApproversCopy(request: AccessRequest): Promise<boolean>;
  /**
   * Posts the approvers' copy where the announcement would have (the rule's channel, else
   * ACRBOT_APPROVAL_CHANNEL, else the request's own channel or group chat), or makes the
   * requester's copy there theirs. Where it went; undefined when there is no such conversation
   * (a personal chat and no channel: nothing to post); `refused` when Teams refused the post for
   * good (403: acrbot is not in it; 404: gone). Throws when the post failed otherwise.
   */
  postApprovalCard(request: AccessRequest): Promise<ApprovalCardPost | undefined>;
  /**
   * Tells the requester `text` where they asked (their card copy's conversation). False when it
   * was not posted (no conversation of theirs, the post failed: logged). Never throws. Absent:
   * nobody is told.
   */
  tellRequester?(request: AccessRequest, text: string): Promise<boolean>;
  /** The break-glass alert (false: nowhere to post it). */
  breakGlassUsed(request: AccessRequest, channelId: string | undefined): Promise<boolean>;
  /** The request's audit card, posted or brought up to date (never throws). */
  syncAuditCard(request: AccessRequest): Promise<void>;
}

/** The `approval.announce` job's handler. */
export class ApprovalAnnouncements {
  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly cards: ApprovalCardPort,
    /** The break-glass channel of the policy in force (`breakGlass.channel`). */
    private readonly breakGlassChannel: () => string | undefined,
    private readonly log: Logger,
    /** Moves the job on after a refusal ({@link REFUSED_RETRY_MS}); absent, a refused job ends. */
    private readonly jobs?: Pick<JobScheduling, 'schedule' | 'moveIfUnchanged' | 'withIdPrefix'>,
  ) {}

  /**
   * acrbot was added back where approvers' cards may have been refused: the `approval.announce`
   * job of each request whose card Teams refused (the conversation its payload names,
   * {@link REFUSED_IN}), due later, is moved to now, so the card goes out at the next sweep rather
   * than at the next hourly attempt. `where`: the conversations acrbot was added to, as a test of
   * that conversation id; absent, every refused card is tried (a team: Teams' event does not name
   * its channels). No audit trail is read: a group chat of no refused card costs one read of the
   * jobs. A job without the mark was not refused by a run of its own: a new request's (due
   * within minutes anyway), one refused only by the turn (its first run, minutes later, is
   * refused in turn and marked), or one moved before the mark existed (its next hourly attempt
   * marks it): each is tried when due, as before acrbot's return. A card still
   * refused costs one attempt (and its error line), and its job moves an hour on as before.
   * Each move is conditional on the job's revision: a job run or written meanwhile, on any
   * instance, stays as it is, and two instances told at once move it once. Returns how many were
   * moved; never throws (logged: each keeps its hourly attempt).
   */
  async bringForwardRefused(where?: (conversationId: string) => boolean): Promise<number> {
    const jobs = this.jobs;
    if (!jobs?.withIdPrefix || !jobs.moveIfUnchanged) return 0;
    try {
      const now = this.clock.now();
      let moved = 0;
      for (const job of await jobs.withIdPrefix(approvalAnnounceJobId(''), BRING_FORWARD_READ_LIMIT)) {
        if (!job.requestId || job.revision === undefined || Date.parse(job.dueAt) <= now.getTime()) continue;
        const conversationId = stringMark(job, REFUSED_IN);
        if (conversationId === undefined || (where && !where(conversationId))) continue;
        if (await jobs.moveIfUnchanged(job, now)) moved++;
      }
      if (moved)
        this.log.info(
          { broughtForward: moved },
          "acrbot was added back: the approvers' cards Teams refused are tried again now",
        );
      return moved;
    } catch (err) {
      this.log.warn(
        { err },
        "acrbot was added back, but the approvers' cards Teams refused could not be brought forward; each is tried at its next hourly attempt",
      );
      return 0;
    }
  }

  /** `approval.announce`: posts the request's approvers' card if nobody did. `run`: the job's lease. */
  async onDue(job: ScheduledJob, run?: JobRun): Promise<void> {
    if (!job.requestId) return;
    const request = await this.store.get(job.requestId);
    // Not stored (the create failed after writing its jobs), or nothing asked of approvers now.
    if (!request || !this.waitsForApprovers(request)) return;
    const entries = await this.audit.forRequest(request.id);
    if (await this.announced(request, entries)) return;
    const postedIn = stringMark(job, POSTED_NOT_RECORDED_IN);
    // Out already (an earlier run's post whose copy was not recorded): only its entry is owed.
    if (postedIn !== undefined) return this.recordPostedNotRecorded(job, request, postedIn);
    await run?.check();
    let posted: ApprovalCardPost | undefined;
    try {
      posted = await this.cards.postApprovalCard(request);
    } catch (err) {
      // Kept and retried with backoff (a failing job of a request is reported to its approvers).
      throw new Error(`the approvers' card of ${request.id} could not be posted; retrying`, { cause: err });
    }
    if (posted?.refused) return this.refused(job, request, entries, posted.conversationId, posted.refused, run);
    if (!posted) {
      // The announcement found nowhere either, and told the requester so (if it ran).
      this.log.info(
        { requestId: request.id },
        "no conversation where the request's approvers are asked (personal chat, no approvals channel): no card posted",
      );
      return;
    }
    if (posted.notRecorded) await this.postedNotRecorded(job, request, posted.conversationId, posted.notRecorded.err);
    else
      await this.audit.append(
        approvalPostedEntry(
          request,
          posted.conversationId,
          `posted by a later run: the announcement had not posted it${
            posted.shared ? "; the requester's copy in this conversation is the approvers' copy" : ''
          }`,
        ),
      );
    this.log.warn(
      { requestId: request.id },
      "posted the approvers' card of a request whose announcement had not (its process stopped, or its post failed)",
    );
    // Break-glass: its alert follows its card, as in the announcement, and only with it: an
    // alert leaves no record, so one the announcement posted after its card failed goes out
    // again here, and one lost after the card was posted (or with no conversation for the
    // card) is not made up for.
    // A failure in the turn's words (request-handler.ts), which operators alert on; "nowhere to
    // go" is logged by the messenger itself.
    if (request.policy?.breakGlass)
      await this.cards
        .breakGlassUsed(request, this.breakGlassChannel())
        .catch((err: unknown) =>
          this.log.error({ err, requestId: request.id }, 'the break-glass alert could not be posted'),
        );
    await this.cards.syncAuditCard(request);
  }

  /**
   * Teams refused the card for good (acrbot is not in `conversationId`): audited once, the
   * requester told once (whoever met the refusal first, the turn or a run, says in its entry
   * whether it told them; if not, a later run tells them and records it), one error logged, and
   * the job moved {@link REFUSED_RETRY_MS} on while the request still waits then
   * ({@link nextAfterRefusal}); else it ends here.
   */
  private async refused(
    job: ScheduledJob,
    request: AccessRequest,
    entries: readonly AuditEntry[],
    conversationId: string,
    refusal: CardRefusal,
    run: JobRun | undefined,
  ): Promise<void> {
    const next = this.nextAfterRefusal(request);
    const retry = next
      ? `tried again every hour while it waits for its approvers`
      : 'not tried again: the request no longer waits for its approvers by the next attempt';
    const first = entries.find((e) => e.idempotencyKey === approvalRefusedKey(request.id));
    if (!first) {
      // Told before the entry is written: a run that fails in between tells again rather than never.
      const told = await this.tellRequester(request);
      await run?.check();
      await this.audit.append(
        approvalRefusedEntry(
          request,
          conversationId,
          refusal,
          `by the approval.announce job; ${told ? 'the requester was told' : REQUESTER_NOT_TOLD}; ${retry}`,
          told,
        ),
      );
    } else if (
      requesterNotTold(first) &&
      !entries.some((e) => e.idempotencyKey === approvalRefusalToldKey(request.id))
    ) {
      // Whoever met the refusal first (the turn, or an earlier run) could not tell the requester:
      // this run tries, and a success is recorded (keyed, in the store: any instance's later run
      // finds it), so they are told once; a failure is left for the next attempt.
      if (await this.tellRequester(request)) {
        await run?.check();
        await this.audit.append(approvalRefusalToldEntry(request, conversationId));
      }
    }
    this.log.error(
      {
        requestId: request.id,
        conversationId,
        teamsStatus: refusal.status,
        teamsCode: refusal.code,
        nextAttemptAt: next?.toISOString(),
      },
      "Teams refused the approvers' card of a request (acrbot is not in that channel): add acrbot back or change the approvals channel; it is tried again every hour while the request waits",
    );
    // Marked with where it was refused, so acrbot's return there finds it (bringForwardRefused).
    if (next) await this.moveOwnJob({ ...job, payload: { ...job.payload, [REFUSED_IN]: conversationId } }, next);
  }

  /**
   * Teams took the card this run posted but its copy could not be recorded (`err`, the store's):
   * nothing the next run reads shows it out but its entry, and a run that finds no card out posts
   * it again. So the job is first marked with where it went ({@link POSTED_NOT_RECORDED_IN}),
   * moved to now (conditional on its revision: a decision's cancel stays), then the entry is
   * written. The mark written, an entry that fails too is left to the job's next run, which
   * writes only the entry ({@link recordPostedNotRecorded}) and never posts; the next run also
   * ends the job, which the write here keeps the scheduler from removing. Neither written (the
   * job store fails as well), the run fails and a retry may post again. One error line.
   */
  private async postedNotRecorded(
    job: ScheduledJob,
    request: AccessRequest,
    conversationId: string,
    err: unknown,
  ): Promise<void> {
    const marked = await this.markPostedNotRecorded(job, conversationId);
    let entryErr: unknown;
    try {
      await this.audit.append(postedNotRecordedEntry(request, conversationId));
    } catch (e) {
      if (!marked) throw e;
      entryErr = e;
    }
    this.log.error(
      { err, entryErr, requestId: request.id },
      "the approvers' card was posted by the approval.announce job but its copy could not be recorded; it is not posted again",
    );
  }

  /**
   * The entry of the card an earlier run posted to `conversationId` without recording its copy
   * (the job's mark): written, and the job ends; never a second card. When it fails again, the
   * job moves an hour on (conditional on its revision) and tries only the entry again, while the
   * request waits for its approvers. Not a failure of the job: the card is out, the run that
   * posted it logged the error once, and a failing job would be reported to the approvers at
   * every retry. Throws only when the move fails too (the scheduler's retry then writes it).
   */
  private async recordPostedNotRecorded(
    job: ScheduledJob,
    request: AccessRequest,
    conversationId: string,
  ): Promise<void> {
    try {
      await this.audit.append(postedNotRecordedEntry(request, conversationId));
    } catch (err) {
      const next = new Date(this.clock.now().getTime() + REFUSED_RETRY_MS);
      this.log.info(
        { err, requestId: request.id, nextAttemptAt: next.toISOString() },
        "the entry of an approvers' card posted without its copy recorded could not be written; tried again in an hour, the card is not posted again",
      );
      await this.moveOwnJob(job, next);
    }
  }

  /** `job` marked as posted to `conversationId` and moved to now; false when not written (logged at debug). */
  private async markPostedNotRecorded(job: ScheduledJob, conversationId: string): Promise<boolean> {
    if (!this.jobs?.moveIfUnchanged || job.revision === undefined) return false;
    try {
      return await this.jobs.moveIfUnchanged(
        { ...job, payload: { ...job.payload, [POSTED_NOT_RECORDED_IN]: conversationId } },
        this.clock.now(),
      );
    } catch (e) {
      this.log.debug({ err: e, jobId: job.id }, 'the approval.announce job could not be marked as posted');
      return false;
    }
  }

  /** The requester told, in the turn's words, that the card could not be posted; false when they could not be. */
  private async tellRequester(request: AccessRequest): Promise<boolean> {
    const reference = currentCorrelationId() ?? request.id;
    return (await this.cards.tellRequester?.(request, approvalCardNotPostedText(request.id, reference))) ?? false;
  }

  /**
   * When the job tries a refused card again: {@link REFUSED_RETRY_MS} on, while the request still
   * waits for its approvers then: a pending request before it expires, a break-glass grant before
   * its access ends (its review judges only the use after that; the daily `breakglass.review`
   * report goes on). Undefined: it ends.
   */
  private nextAfterRefusal(request: AccessRequest): Date | undefined {
    const next = this.clock.now().getTime() + REFUSED_RETRY_MS;
    if (!this.jobs) return undefined;
    if (request.state === 'pending') return next < Date.parse(request.expiresAt) ? new Date(next) : undefined;
    if (request.state !== 'succeeded' && request.state !== 'approved' && request.state !== 'executing')
      return undefined;
    if (isBeingRevoked(request)) return undefined;
    // Still running (no end yet), or permanent: until its review is due, then the daily report's.
    const end = request.access?.expiresAt ?? request.policy?.review?.dueAt;
    return end && next < Date.parse(end) ? new Date(next) : undefined;
  }

  /** Its own job, moved only while nobody wrote it since it was read (a decision's cancel must stay). */
  private async moveOwnJob(job: ScheduledJob, dueAt: Date): Promise<void> {
    if (this.jobs?.moveIfUnchanged && job.revision !== undefined) {
      await this.jobs.moveIfUnchanged(job, dueAt);
      return;
    }
    await this.jobs?.schedule({ id: job.id, kind: job.kind, dueAt, requestId: job.requestId, payload: job.payload });
  }

  /** Pending (not past its window), or a break-glass grant whose review is owed. */
  private waitsForApprovers(request: AccessRequest): boolean {
    if (request.state === 'pending') return !isExpired(request, this.clock.now());
    return Boolean(request.policy?.breakGlass) && awaitingReview(request);
  }

  /**
   * Whether its approvers' card went out: its entry (not one of a refusal), or (a post recorded,
   * its entry not yet) its copy.
   */
  private async announced(request: AccessRequest, entries: readonly AuditEntry[]): Promise<boolean> {
    if (entries.some((e) => e.action === APPROVAL_CARD_POSTED && e.outcome !== APPROVAL_CARD_REFUSED)) return true;
    return this.cards.hasApproversCopy(request);
  }
}
