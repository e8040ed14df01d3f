/**
 * `pause [REASON…]`, `resume [REASON…]` and the Resume button: approvers stop and restart all new
 * access in an incident (flows/access-pause.ts). `pause` alone shows whether it is paused, to
 * anyone (why, to approvers and auditors). Resuming asks for a click on a card that names the
 * pause it lifts: a typed "resume…" (an answer to a question that happens to start with the word,
 * a stale command) never lifts an incident's pause by itself. A change is also posted in the
 * channels where approvers work (ACRBOT_APPROVAL_CHANNEL, the policy's rule and break-glass
 * channels, ACRBOT_AUDIT_CHANNEL), so nobody learns of it from a refusal.
 */
import { TurnContext } from 'botbuilder';
import { z } from 'zod/v3';
import { UserFacingError } from '../../domain/errors';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { pausedCard, pauseStateCard, resumeConfirmCard, resumedCard } from '../../views/pause-view';
import type { BotServices } from '../bot-services';
import { inChannel } from '../conversation-targets';
import { errorCardFor, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';

/** What a Resume button carries (card data can be forged: checked, and the pause re-read). */
const resumeData = z.object({
  since: z.string().min(1).max(40),
  by: z.string().min(1).max(64),
  reason: z.string().max(2000).optional(),
});

/** Handles `pause`, `resume` and the Resume button. */
export class PauseHandler {
  constructor(private readonly services: BotServices) {}

  /** `pause REASON…` pauses new access (approvers); `pause` alone shows whether it is paused. */
  async pause(ctx: TurnContext, identity: TurnIdentity, reason: string | undefined): Promise<void> {
    const { pauses, requests, settings } = this.services;
    try {
      if (!reason) {
        const inForce = await pauses.current();
        const withReason = inForce ? await requests.mayReadAudit(identity.actor) : false;
        await sendCard(ctx, pauseStateCard(inForce, withReason, settings.sandbox));
        return;
      }
      const result = await pauses.pause(identity, reason);
      const card = pausedCard(result, settings.sandbox);
      await sendCard(ctx, card);
      if (result.applied) await this.announce(ctx, card);
    } catch (err) {
      await sendCard(ctx, errorCardFor(this.services, err, 'Could not pause new access'));
    }
  }

  /** `resume [REASON…]`: to an approver, the card that names the pause in force, with Resume now. */
  async resume(ctx: TurnContext, identity: TurnIdentity, reason: string | undefined): Promise<void> {
    const { pauses, settings } = this.services;
    try {
      await pauses.mustBeApprover(identity, 'resume');
      const checked = pauses.resumeReason(reason);
      const inForce = await pauses.current();
      await sendCard(
        ctx,
        inForce
          ? resumeConfirmCard(inForce, checked, settings.sandbox)
          : resumedCard({ lifted: undefined, inForce: undefined }, settings.sandbox),
      );
    } catch (err) {
      await sendCard(ctx, errorCardFor(this.services, err, 'Could not resume new access'));
    }
  }

  /** The Resume click: lifts the pause the card named, if it is still the one in force. */
  async confirmResume(ctx: TurnContext, identity: TurnIdentity, data: unknown): Promise<AdaptiveCardJson> {
    const { pauses, settings } = this.services;
    const parsed = resumeData.safeParse(data);
    if (!parsed.success)
      return errorCardFor(
        this.services,
        new UserFacingError('validation.card', 'This card is not valid; type "@acrbot resume" for a new one.'),
        'Could not resume new access',
      );
    try {
      const { since, by, reason } = parsed.data;
      const lifted = await pauses.resume(identity, reason, { since, by: { objectId: by } });
      if (!lifted) return resumedCard({ lifted: undefined, inForce: await pauses.current() }, settings.sandbox);
      const card = resumedCard({ lifted }, settings.sandbox);
      await this.announce(ctx, card);
      return card;
    } catch (err) {
      return errorCardFor(this.services, err, 'Could not resume new access');
    }
  }

  /** Posts `card` in every approvers' channel but this conversation; a failed post is logged, the change stands. */
  private async announce(ctx: TurnContext, card: AdaptiveCardJson): Promise<void> {
    const { settings, requests, messenger, log } = this.services;
    const policy = requests.currentPolicy();
    const here = (ctx.activity.conversation?.id ?? '').split(';')[0];
    const channels = new Set(
      [
        settings.approvalChannelId,
        ...policy.rules.map((r) => r.channel),
        policy.breakGlass?.channel,
        settings.auditChannelId,
      ].filter((id): id is string => !!id && id !== here),
    );
    const from = TurnContext.getConversationReference(ctx.activity);
    for (const id of channels) {
      try {
        await messenger.send(inChannel(from, id, 'approvals'), card);
      } catch (err) {
        log.warn({ err, channelId: id }, 'the change to the pause of new access could not be posted in a channel');
      }
    }
  }
}
