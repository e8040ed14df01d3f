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
 */
import { awaitingReview } from '../domain/policy';
import type { AuditLog, Clock, RequestStore, ScheduledJob } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { isExpired } from '../domain/request';
import type { Logger } from '../observability/logger';
import { APPROVAL_CARD_POSTED, approvalPostedEntry } from './approval-posted-entry';
import type { JobRun } from './scheduler';

/** Implemented by the chat layer: the posts of an announcement made outside any turn. */
export interface ApprovalCardPort {
  /** Whether an approvers' copy of the request's card is recorded. */
  hasApproversCopy(request: AccessRequest): Promise<boolean>;
  /**
   * Posts the approvers' copy where the announcement would have (the rule's channel, else
   * ACRBOT_APPROVAL_CHANNEL, else the request's own channel or group chat), or makes the
   * requester's copy there theirs. Where it went; undefined when there is no such conversation
   * (a personal chat and no channel: nothing to post). Throws when the post failed.
   */
  postApprovalCard(request: AccessRequest): Promise<{ conversationId: string; shared: boolean } | undefined>;
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
  ) {}

  /** `approval.announce`: posts the request's approvers' card if nobody did. `run`: the job's lease. */
  async onDue(job: ScheduledJob, run?: JobRun): Promise<void> {
    if (!job.requestId) return;
    const request = await this.store.get(job.requestId);
    // Not stored (the create failed after writing its jobs), or nothing asked of approvers now.
    if (!request || !this.waitsForApprovers(request)) return;
    if (await this.announced(request)) return;
    await run?.check();
    let posted: { conversationId: string; shared: boolean } | undefined;
    try {
      posted = await this.cards.postApprovalCard(request);
    } catch (err) {
      // Kept and retried with backoff (a failing job of a request is reported to its approvers).
      throw new Error(`the approvers' card of ${request.id} could not be posted; retrying`, { cause: err });
    }
    if (!posted) {
      // The announcement found nowhere either, and told the requester so (if it ran).
      this.log.info(
        { requestId: request.id },
        "no conversation where the request's approvers are asked (personal chat, no approvals channel): no card posted",
      );
      return;
    }
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

  /** Pending (not past its window), or a break-glass grant whose review is owed. */
  private waitsForApprovers(request: AccessRequest): boolean {
    if (request.state === 'pending') return !isExpired(request, this.clock.now());
    return Boolean(request.policy?.breakGlass) && awaitingReview(request);
  }

  /** Whether its approvers' card went out: its entry, or (a post recorded, its entry not yet) its copy. */
  private async announced(request: AccessRequest): Promise<boolean> {
    const entries = await this.audit.forRequest(request.id);
    if (entries.some((e) => e.action === APPROVAL_CARD_POSTED)) return true;
    return this.cards.hasApproversCopy(request);
  }
}
