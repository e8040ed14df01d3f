/**
 * `pause REASON…`, `resume` or `resume REASON…` and the Resume button: approvers stop and restart
 * all new access in an incident (flows/access-pause.ts); `pause REASON…` while paused corrects the
 * reason of the pause in force. `pause` alone shows whether it is paused, to
 * anyone (why, to approvers and auditors). Resuming asks for a click on a card that names the
 * pause it lifts: a typed "resume…" (an answer to a question that happens to start with the word,
 * a stale command) never lifts an incident's pause by itself. A change is also posted in the
 * channels where approvers work (ACRBOT_APPROVAL_CHANNEL, the policy's rule and break-glass
 * channels, ACRBOT_AUDIT_CHANNEL), so nobody learns of it from a refusal.
 */
import { type ConversationReference, TurnContext } from 'botbuilder';
import { z } from 'zod/v3';
import { UserFacingError } from '../../domain/errors';
import type { AdaptiveCardJson } from '../../views/card-templates';
import {
  answerLikeCommandCard,
  pausedCard,
  pauseStateCard,
  resumeConfirmCard,
  resumedCard,
} from '../../views/pause-view';
import { resumeReasonOf } from '../../views/resume-reason';
import { approversChannels, readByApprovers } from '../approvers-audience';
import type { BotServices } from '../bot-services';
import { inChannel } from '../conversation-targets';
import { errorCardFor, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';
import { auditBadCardData } from '../validation-audit';

/** What a Resume button carries (card data can be forged: checked, and the pause re-read). */
const resumeData = z.object({
  since: z.string().min(1).max(40),
  by: z.string().min(1).max(64),
  reason: z.string().max(2000).optional(),
});

/** Handles `pause`, `resume` and the Resume button. */
export class PauseHandler {
  constructor(private readonly services: BotServices) {}

  /**
   * `pause REASON…` pauses new access (approvers); `pause` alone shows whether it is paused.
   * `afterQuestion`: the text came while a question-and-answer was open, so it may have been an
   * answer that starts with the word: nothing is paused, and the user is asked to type it again.
   */
  async pause(
    ctx: TurnContext,
    identity: TurnIdentity,
    reason: string | undefined,
    afterQuestion = false,
  ): Promise<void> {
    const { pauses, requests, settings } = this.services;
    try {
      if (!reason) {
        const inForce = await pauses.current();
        const withReason = inForce
          ? readByApprovers(ctx, this.services) && (await requests.mayReadAudit(identity.actor))
          : false;
        await sendCard(ctx, pauseStateCard(inForce, withReason, settings.sandbox), this.services.log);
        return;
      }
      if (afterQuestion) {
        await sendCard(ctx, answerLikeCommandCard(settings.sandbox), this.services.log);
        return;
      }
      const result = await pauses.pause(identity, reason);
      await sendCard(ctx, pausedCard(result, readByApprovers(ctx, this.services), settings.sandbox), this.services.log);
      // A new pause, or its reason amended: posted again (with the reason) where approvers work,
      // so the channels do not go on showing the reason it replaced.
      if (result.applied || result.amendedFrom !== undefined)
        await this.announce(ctx, pausedCard(result, true, settings.sandbox));
    } catch (err) {
      await sendCard(ctx, errorCardFor(this.services, err, 'Could not pause new access'), this.services.log);
    }
  }

  /** `resume`, `resume REASON…`: to an approver, the card that names the pause in force, with Resume now. */
  async resume(ctx: TurnContext, identity: TurnIdentity, reason: string | undefined): Promise<void> {
    const { pauses, settings } = this.services;
    try {
      await pauses.mustBeApprover(identity, 'resume');
      const checked = pauses.resumeReason(reason);
      const inForce = await pauses.current();
      const withReason = readByApprovers(ctx, this.services);
      await sendCard(
        ctx,
        inForce
          ? resumeConfirmCard(inForce, checked, withReason, settings.sandbox, identity.actor)
          : resumedCard({ lifted: undefined, inForce: undefined }, withReason, settings.sandbox),
        this.services.log,
      );
    } catch (err) {
      await sendCard(ctx, errorCardFor(this.services, err, 'Could not resume new access'), this.services.log);
    }
  }

  /** The Resume click: lifts the pause the card named, if it is still the one in force. */
  async confirmResume(ctx: TurnContext, identity: TurnIdentity, data: unknown): Promise<AdaptiveCardJson> {
    const { pauses, settings } = this.services;
    const parsed = resumeData.safeParse(data);
    if (!parsed.success) {
      await auditBadCardData(this.services.requests, identity, 'resumeConfirm');
      return errorCardFor(
        this.services,
        new UserFacingError('validation.card', 'This card is not valid; type "@acrbot resume" for a new one.'),
        'Could not resume new access',
      );
    }
    try {
      const { since, by } = parsed.data;
      // The reason on the card is its typist's: another approver's click is audited with it as
      // the card says it is theirs ("said to be typed by …": card data can be forged), not as
      // the clicker's own.
      const reason = resumeReasonOf(parsed.data.reason, identity.actor);
      const withReason = readByApprovers(ctx, this.services);
      const lifted = await pauses.resume(identity, reason, { since, by: { objectId: by } });
      if (!lifted)
        return resumedCard({ lifted: undefined, inForce: await pauses.current() }, withReason, settings.sandbox);
      // Answered first: one post per approvers' channel could outlast the few seconds Teams waits
      // for a click's answer ("Unable to reach app" on a resume that did happen, G16).
      this.services.background.run(
        'posting the resume in approvers channels',
        this.announceFrom(ctx, resumedCard({ lifted }, true, settings.sandbox)),
      );
      // Those refused while it was paused are told where they were refused (pause-waiters.ts):
      // their jobs come due now; never a reason for the resume to fail.
      const waiters = pauses.waiters;
      if (waiters)
        this.services.background.run('telling requesters refused during the pause', async () => {
          await waiters.bringForward();
        });
      return resumedCard({ lifted }, withReason, settings.sandbox);
    } catch (err) {
      return errorCardFor(this.services, err, 'Could not resume new access');
    }
  }

  /** Posts `card` in every approvers' channel but this conversation; a failed post is logged, the change stands. */
  private async announce(ctx: TurnContext, card: AdaptiveCardJson): Promise<void> {
    await this.announceFrom(ctx, card)();
  }

  /**
   * {@link announce} as work to run later: what it needs of the turn is taken now, so it can run
   * after a click was answered (the turn's context is gone by then).
   */
  private announceFrom(ctx: TurnContext, card: AdaptiveCardJson): () => Promise<void> {
    const here = (ctx.activity.conversation?.id ?? '').split(';')[0];
    const from = TurnContext.getConversationReference(ctx.activity);
    return () => this.postInApproversChannels(here, from, card);
  }

  private async postInApproversChannels(
    here: string,
    from: Partial<ConversationReference>,
    card: AdaptiveCardJson,
  ): Promise<void> {
    const { messenger, log } = this.services;
    for (const id of approversChannels(this.services)) {
      if (id === here) continue;
      try {
        await messenger.send(inChannel(from, id, 'approvals'), card);
      } catch (err) {
        log.warn({ err, channelId: id }, 'the change to the pause of new access could not be posted in a channel');
      }
    }
  }
}
