/**
 * Approve / Reject / refresh clicks on request cards (`adaptiveCard/action` invokes), and
 * `withdraw R-…`, the Withdraw my approval button typed (the same flow). Card
 * data is untrusted: only `requestId` is read from it; the request is re-read from the
 * store and the actor comes from `from.aadObjectId` (G3). The approve click is answered at
 * once with the card in its "executing" state; the work runs after the HTTP response.
 */
import type { TurnContext } from 'botbuilder';
import { z } from 'zod/v3';
import { isJustification } from '../../domain/approval-policy';
import { isUserFacing } from '../../domain/errors';
import { isRequestId } from '../../domain/identifiers';
import { isOtherTenant } from '../../domain/own-tenant';
import { awaitingReview } from '../../domain/policy';
import { type AccessRequest, describeState } from '../../domain/request';
import { characterCount, REASON_LIMITS, singleLine, tooLongSentence } from '../../domain/text';
import { ofTenant } from '../../domain/tenant-boundary';
import { REJECTION_NEEDS_REASON } from '../../flows/decision-result';
import { readInTenant } from '../../flows/tenant-refusal';
import { inertText } from '../../views/inert-text';
import { cancelledNotice } from '../../views/ask-again-command';
import { requestCard } from '../../views/request-view';
import { droppedNotice } from '../../flows/discounted-approvals';
import { messageCard, notYoursToSeeCard } from '../../views/message-view';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { readByApproversOf } from '../approvers-audience';
import type { BotServices } from '../bot-services';
import type { TurnIdentity } from '../turn-identity';
import { errorCardFor, sendCard } from '../turn-cards';

const cardData = z.object({
  requestId: z.string().refine(isRequestId, 'not a request id'),
  version: z.union([z.string(), z.number()]).optional(),
  // Bounded in decide(), after cleaning, with a message that says so: a limit here would answer
  // a long comment with "the card did not carry a valid request id".
  comment: z.string().optional(),
});

/**
 * Who is looking at a request card, for what they may see of it: `outside` is someone of another
 * tenant (tenant-boundary.ts), who sees nothing of it, not even its state.
 */
type Viewer = 'requester' | 'approver' | 'other' | 'outside';

/** A request its approvers may still click on: pending, or a break-glass grant owing its review. */
function isOpen(request: AccessRequest): boolean {
  return request.state === 'pending' || awaitingReview(request);
}

/** Whether `identity` is who made `request` (object ids compared as the directory's, in any case). */
function isRequesterOf(request: AccessRequest, identity: TurnIdentity): boolean {
  return request.requester.objectId.toLowerCase() === identity.actor.objectId.toLowerCase();
}

/** Handles decision and refresh invokes; returns the card to show the clicking user. */
export class DecisionHandler {
  constructor(private readonly services: BotServices) {}

  /** Parses the untrusted card data. */
  parse(data: unknown): z.infer<typeof cardData> | undefined {
    const parsed = cardData.safeParse(data);
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * A Universal Actions `refresh` is a read: authorised like `status` (CONTRACTS §7a). The
   * requester sees their card without buttons, approvers of this request see Approve/Reject
   * (once their approval counts towards a quorum: Withdraw my approval and Reject), anyone else
   * only the id and state (never more than `status` would show them). Another tenant's request reads as one that does
   * not exist, as in `status`.
   */
  async refresh(identity: TurnIdentity, requestId: string): Promise<AdaptiveCardJson> {
    try {
      return await this.viewFor(identity, await readInTenant(this.services, identity, 'refresh', requestId));
    } catch (err) {
      return errorCardFor(this.services, err);
    }
  }

  /** The requester first: they never approve their own request (G4), they may withdraw it. */
  private async viewerOf(identity: TurnIdentity, request: AccessRequest): Promise<Viewer> {
    if (!ofTenant(request, identity.tenantId)) return 'outside';
    if (isRequesterOf(request, identity)) return 'requester';
    return (await this.services.requests.isApproverOf(identity.actor, request, identity.tenantId))
      ? 'approver'
      : 'other';
  }

  /**
   * The card a click or refresh answers with, as the clicking user may see it: card data is
   * forgeable (G3), so a click on Approve or Reject shows no more than `status` would. The
   * notice answers the click; refusals quote who decided, so it is neutralised like user text.
   */
  private async viewFor(
    identity: TurnIdentity,
    request: AccessRequest,
    notice?: string,
    tone?: 'Attention' | 'Warning' | 'Good',
    viewer?: Viewer,
  ): Promise<AdaptiveCardJson> {
    // Checked here too, whatever `viewer` says: a view drawn for an approver is never another tenant's.
    const seen = ofTenant(request, identity.tenantId)
      ? (viewer ?? (await this.viewerOf(identity, request)))
      : 'outside';
    // As of now, as `status R-…` draws it: Teams refreshes that card through here, and a grant
    // past its end reads "Expired" on both (request-view.ts stateLabelOf).
    const now = this.services.clock.now();
    switch (seen) {
      case 'requester':
        return requestCard(request, { showActions: false, showCancel: true, notice, noticeColor: tone, now });
      case 'approver':
        // Drawn for them: one whose approval already counts sees Withdraw my approval and Reject
        // (request-view.ts).
        return requestCard(request, {
          now,
          showActions: true,
          viewerObjectId: identity.actor.objectId,
          notice,
          noticeColor: tone,
          // A reload that shortened its rule under it: said before they click Approve.
          approveRefused: this.services.requests.approveRefusedForTerm(request),
        });
      case 'other': {
        const state = `This request is ${inertText(describeState(request))}.`;
        return messageCard({
          title: `Request ${request.id}`,
          text: `${notice ? `${inertText(notice)} ` : ''}${state} Only its requester and its approvers see the details and the buttons.`,
          tone: tone === 'Attention' ? 'error' : undefined,
          sandbox: this.services.settings.sandbox,
        });
      }
      case 'outside':
        // The click's refusal (audited by the flows), or what `status` says of an unknown id.
        return messageCard({
          title: `Request ${request.id}`,
          text: notice ? inertText(notice) : `There is no request ${request.id} you can see.`,
          tone: 'error',
          sandbox: this.services.settings.sandbox,
        });
    }
  }

  /**
   * The requester's Cancel button (their own view): the same rule as `cancel R-…` — only the
   * requester, only while pending (RequestService.cancel decides and audits). Answers with the
   * card as the clicking user may see it.
   */
  async cancel(identity: TurnIdentity, requestId: string): Promise<AdaptiveCardJson> {
    const { requests } = this.services;
    try {
      // Another tenant's request is not there for them (tenant-boundary.ts), as for `cancel R-…`.
      await readInTenant(this.services, identity, 'cancel', requestId);
      const cancelled = await requests.cancel({ requestId, acting: identity });
      return requestCard(cancelled, {
        showActions: false,
        // With the command that asks for it again, to correct (none to another tenant's people).
        notice: cancelledNotice(cancelled, isOtherTenant(identity.tenantId, this.services.settings.ownTenantId)),
        noticeColor: 'Good',
      });
    } catch (err) {
      if (isUserFacing(err)) {
        const current = await requests.get(requestId).catch((readErr: unknown) => {
          this.services.log.warn({ err: readErr, requestId }, 'request unreadable after a refused cancel');
          return undefined;
        });
        // Never more than `status` shows: someone else's request, or another tenant's (not there
        // for them, even under their object id), gets the message only.
        if (
          current &&
          ofTenant(current, identity.tenantId) &&
          current.requester.objectId.toLowerCase() === identity.actor.objectId.toLowerCase()
        )
          return requestCard(current, {
            showActions: false,
            showCancel: true,
            notice: err.message,
            noticeColor: 'Attention',
          });
      }
      return errorCardFor(this.services, err);
    }
  }

  /**
   * Withdraw my approval (the `withdrawApproval` verb, on the own view of an approver whose
   * approval counts towards a quorum): RequestDecisions.withdrawNow decides, serialised with the
   * decisions on the request, and audits it or its refusal. Only `requestId` is read from the card
   * data (checked with zod by {@link parse}); who withdraws is the clicking user. Answered with
   * their view of the request as it stands: Approve offered again, one approval fewer counted.
   * A refusal is noted on the audit card as every refused click is, and shown to them as to a
   * refused Approve (no more than `status` shows anyone else).
   */
  async withdraw(identity: TurnIdentity, data: z.infer<typeof cardData>): Promise<AdaptiveCardJson> {
    try {
      const { request, notice, tone, viewer } = await this.withdrawn(identity, data.requestId);
      return this.viewFor(identity, request, notice, tone, viewer);
    } catch (err) {
      return this.clickFailed(identity, data.requestId, err);
    }
  }

  /**
   * `withdraw REQUEST-ID`: Withdraw my approval typed, through the same flow as the button (its
   * checks, its audit, every copy redrawn, its refusals and their note on the audit card). Answered
   * as the click is, but for an approver's view of the request, which shows its requester's reason:
   * in a conversation where that may be read (approvers-audience.ts, as `status R-…` and `pending
   * R-…` post it), as `status` draws it, untracked and without buttons, so that no copy is left
   * behind that later changes do not update (their own copy, redrawn, keeps Approve); elsewhere the
   * notice alone. Never more than `status R-…` tells the same person: another tenant's request is
   * "not found", word for word as an id that does not exist (read as `cancel R-…` reads it, audited
   * `request.refused.tenant`), not refused as theirs to decide; anyone else of this tenant whose
   * withdraw is refused (audited by the flow) is told it is not theirs, without its state or who
   * decided it. Its requester, who has no approval to take back (G4), is told the command that
   * withdraws a request, and nothing is tried, so nothing is audited.
   */
  async withdrawCommand(ctx: TurnContext, identity: TurnIdentity, requestId: string): Promise<void> {
    let card: AdaptiveCardJson;
    try {
      const asked = await readInTenant(this.services, identity, 'withdraw', requestId);
      card = isRequesterOf(asked, identity)
        ? this.ownRequestNotWithdrawn(asked)
        : await this.withdrawnTyped(ctx, identity, requestId);
    } catch (err) {
      // No request card here (as a refused click shows when it can): it would not be gated as above.
      card = errorCardFor(this.services, err, 'Could not withdraw your approval');
    }
    await sendCard(ctx, card, this.services.log);
  }

  /** {@link withdrawCommand} by anyone but its requester: the flow, and its answer as gated there. */
  private async withdrawnTyped(ctx: TurnContext, identity: TurnIdentity, requestId: string): Promise<AdaptiveCardJson> {
    const {
      request,
      notice,
      tone,
      viewer = await this.viewerOf(identity, request),
    } = await this.withdrawn(identity, requestId);
    return viewer === 'other'
      ? // Refused (only an approval that counts is withdrawn, and then they are its approver):
        // `status R-…`'s answer to them (info-handlers.ts), nothing of the request.
        notYoursToSeeCard(request.id, this.services.settings.sandbox)
      : // The requester and another tenant's user are answered before the flow (withdrawCommand):
        // should either reach here, the button's answer to them.
        viewer !== 'approver'
        ? await this.viewFor(identity, request, notice, tone, viewer)
        : readByApproversOf(ctx, this.services, request)
          ? requestCard(request, { showActions: false, notice, noticeColor: tone, now: this.services.clock.now() })
          : messageCard({
              title: `Request ${request.id}`,
              text: `${notice ? `${inertText(notice)} ` : ''}Its card is shown only in a chat with acrbot or where its approvers work.`,
              tone: tone === 'Attention' ? 'error' : undefined,
              sandbox: this.services.settings.sandbox,
            });
  }

  /**
   * `withdraw R-…` typed by its requester: a request's own approvals are its approvers' to take
   * back, and theirs is withdrawn with `cancel` (as its card says while it waits), so they are
   * given that command, as one who typed another command's word is. Not refused as an approver
   * would be (an `approval.refused.*` entry would read as a try at an approval), and nothing is
   * audited: nothing was asked of the request. A request no longer pending is told by its state,
   * which its requester may see.
   */
  private ownRequestNotWithdrawn(request: AccessRequest): AdaptiveCardJson {
    const way =
      request.state === 'pending'
        ? `To withdraw your request itself: "@acrbot cancel ${request.id} REASON…" (the reason may be left out).`
        : `It is ${inertText(describeState(request))}, so it can no longer be withdrawn.`;
    return messageCard({
      title: `Request ${request.id}`,
      text: `Request ${request.id} is yours: "withdraw" takes back an approval its approvers gave. ${way} Nothing was changed.`,
      tone: 'error',
      sandbox: this.services.settings.sandbox,
    });
  }

  /**
   * Withdraw my approval of `requestId` by `identity` (RequestDecisions.withdrawNow decides and
   * audits it or its refusal), and what to tell them: the request as it stands, the notice, its
   * colour, and who they are to it when the result says so (withdrawn: an approver).
   */
  private async withdrawn(
    identity: TurnIdentity,
    requestId: string,
  ): Promise<{ request: AccessRequest; notice?: string; tone: 'Attention' | 'Good'; viewer?: Viewer }> {
    const result = await this.services.requests.decide({
      requestId,
      acting: identity,
      approve: false,
      withdraw: true,
      servedTenantIds: this.services.settings.allowedTenantIds,
    });
    if (result.kind === 'withdrawn')
      return {
        request: result.request,
        notice: `Your approval of request ${result.request.id} is withdrawn; it stays pending, and you can approve it again.`,
        tone: 'Good',
        viewer: 'approver',
      };
    if (result.kind === 'refused') {
      const refused = result.request;
      this.services.background.run('noting a refused withdraw on the audit card', () =>
        this.services.messenger.refusalNoted(refused),
      );
    }
    return { request: result.request, notice: 'message' in result ? result.message : undefined, tone: 'Attention' };
  }

  /**
   * An Approve or Reject click. The comment is judged as it would be stored (cleaned of
   * invisible characters first): a comment longer than a reason may be is refused, not cut, in a
   * reason's words ({@link tooLongSentence}: an emoji counts two, and the sentence says so). A
   * Reject without a readable reason goes to RequestService like any click: it refuses it and
   * audits why (G11: every refusal, whoever clicked). Either way nothing changes, and the hint
   * is for those who may decide; anyone else gets their usual view, nothing more.
   */
  async decide(identity: TurnIdentity, data: z.infer<typeof cardData>, approve: boolean): Promise<AdaptiveCardJson> {
    const { requests, executor } = this.services;
    try {
      const comment = singleLine(data.comment ?? '');
      if (comment.length > REASON_LIMITS.max) {
        const request = await requests.get(data.requestId);
        const viewer = await this.viewerOf(identity, request);
        await requests.recordRefusal({
          actor: identity.actor,
          tenantId: identity.tenantId,
          action: 'validation.failed',
          requestId: request.id,
          outcome: 'validation.tooLong',
          detail: `comment of ${characterCount(comment)}; the limit is ${REASON_LIMITS.max}`,
        });
        return this.viewFor(
          identity,
          request,
          viewer === 'approver' && isOpen(request)
            ? `${tooLongSentence('comment', comment, REASON_LIMITS.max, `and press ${approve ? 'Approve' : 'Reject'} again`)} Nothing was changed.`
            : undefined,
          'Attention',
          viewer,
        );
      }
      const result = await requests.decide({
        requestId: data.requestId,
        acting: identity,
        approve,
        reason: comment || undefined,
        servedTenantIds: this.services.settings.allowedTenantIds,
      });
      // Their own decision clicked again (a double click, a second device), by the stored
      // decision as the flows judged it: told it stands, in the success colour; not audited as a
      // refusal, so nothing to note on the audit card.
      if (result.kind === 'ownDecisionStands') return this.viewFor(identity, result.request, result.message, 'Good');
      // Only a withdraw click answers so (withdraw above); drawn as their view should one come here.
      if (result.kind === 'withdrawn') return this.viewFor(identity, result.request, undefined, undefined, 'approver');
      if (result.kind === 'refused') {
        // The audit channel's card (an outbox, a lease, a Connector PUT with retries) after the
        // click is answered: Teams waits only a few seconds for it (G16). A failure is logged
        // once, by the background work.
        const refused = result.request;
        this.services.background.run('noting a refused decision on the audit card', () =>
          this.services.messenger.refusalNoted(refused),
        );
        // A Reject without a reason, to those who may decide: the card asks for one only when the
        // missing reason is what the service refused (audited). A refusal for the request's state
        // (a break-glass grant still being granted or being revoked, a request decided already)
        // comes first and is shown as to a Reject with a reason: typing one would change nothing.
        // Anyone else gets their usual view, nothing more.
        if (!approve && !isJustification(comment)) {
          const viewer = await this.viewerOf(identity, result.request);
          // Someone of another tenant is told the refusal itself, as for their Approve.
          const notice =
            viewer === 'outside'
              ? result.message
              : viewer !== 'approver'
                ? undefined
                : result.reason === 'justification'
                  ? REJECTION_NEEDS_REASON
                  : result.message;
          return this.viewFor(identity, result.request, notice, 'Attention', viewer);
        }
        return this.viewFor(identity, result.request, result.message, 'Attention');
      }
      // From here the click was accepted: the clicking user is an approver of this request.
      if (result.kind === 'recorded') {
        // An earlier approval this click dropped (its author no longer counts) is said here too,
        // in the warning colour: news that the request is further from approved is no success.
        const dropped = droppedNotice(result.request, identity.actor);
        const recorded = 'Your approval is recorded; the request needs more approvers.';
        return this.viewFor(
          identity,
          result.request,
          dropped ? `${recorded} ${dropped}` : recorded,
          dropped ? 'Warning' : 'Good',
          'approver',
        );
      }
      if (result.kind === 'reviewed')
        return this.viewFor(
          identity,
          result.request,
          reviewedText(result.outcome, result.accessEnded),
          result.outcome === 'accepted' ? 'Good' : 'Attention',
          'approver',
        );
      if (approve) {
        void executor.schedule(result.request.id);
        // Show "executing" at once: the executor's first step is exactly that transition. Drawn
        // as the approvers' copy (no buttons while it runs): it says how to undo a wrong approval.
        return requestCard({ ...result.request, state: 'executing' }, { showActions: true });
      }
      return this.viewFor(identity, result.request, undefined, undefined, 'approver');
    } catch (err) {
      return this.clickFailed(identity, data.requestId, err);
    }
  }

  /**
   * The answer to a click that threw: a refusal meant for the user on the request's card, if it
   * can still be read (else on an error card); anything else an error card with its reference.
   */
  private async clickFailed(identity: TurnIdentity, requestId: string, err: unknown) {
    if (isUserFacing(err)) {
      const current = await this.services.requests.get(requestId).catch((readErr: unknown) => {
        this.services.log.warn({ err: readErr, requestId }, 'request unreadable after a refused click');
        return undefined;
      });
      if (current) return this.viewFor(identity, current, err.message, 'Attention');
    }
    return errorCardFor(this.services, err);
  }
}

/**
 * The notice after a break-glass review. Once its access has ended (revoked, or being revoked),
 * the review judged only the use: nothing stays and nothing more is revoked.
 */
function reviewedText(outcome: 'accepted' | 'rejected', accessEnded: boolean): string {
  if (accessEnded)
    return outcome === 'accepted'
      ? 'Review recorded: its use was justified; its access had already ended.'
      : 'Review recorded: its use was not justified; its access had already ended, so nothing more was revoked.';
  return outcome === 'accepted'
    ? 'Review recorded: the break-glass grant stays.'
    : 'Review recorded: the break-glass grant is rejected and revoked.';
}
