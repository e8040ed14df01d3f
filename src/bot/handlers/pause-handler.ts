/**
 * `pause [REASON…]` and `resume [REASON…]`: approvers stop and restart all new access in an
 * incident (flows/access-pause.ts). `pause` alone shows whether it is paused, to anyone. A change
 * is also posted in the channels where approvers work (ACRBOT_APPROVAL_CHANNEL, the policy's
 * rule and break-glass channels, ACRBOT_AUDIT_CHANNEL), so nobody learns of it from a refusal.
 */
import { type ConversationReference, TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { pausedCard, pauseStateCard, resumedCard } from '../../views/pause-view';
import type { BotServices } from '../bot-services';
import { errorCardFor, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';

/** Handles `pause` and `resume`. */
export class PauseHandler {
  constructor(private readonly services: BotServices) {}

  async pause(ctx: TurnContext, identity: TurnIdentity, reason: string | undefined): Promise<void> {
    const { pauses, settings } = this.services;
    try {
      if (!reason) {
        await sendCard(ctx, pauseStateCard(await pauses.current(), settings.sandbox));
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

  async resume(ctx: TurnContext, identity: TurnIdentity, reason: string | undefined): Promise<void> {
    try {
      const lifted = await this.services.pauses.resume(identity, reason);
      const card = resumedCard(lifted, this.services.settings.sandbox);
      await sendCard(ctx, card);
      if (lifted) await this.announce(ctx, card);
    } catch (err) {
      await sendCard(ctx, errorCardFor(this.services, err, 'Could not resume new access'));
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
      const reference: Partial<ConversationReference> = {
        ...from,
        conversation: {
          id,
          isGroup: true,
          conversationType: 'channel',
          tenantId: from.conversation?.tenantId,
          name: 'approvals',
        },
      };
      try {
        await messenger.send(reference, card);
      } catch (err) {
        log.warn({ err, channelId: id }, 'the change to the pause of new access could not be posted in a channel');
      }
    }
  }
}
