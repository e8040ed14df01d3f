/**
 * `pause [REASON…]` and `resume [REASON…]`: approvers stop and restart all new access in an
 * incident (flows/access-pause.ts). `pause` alone shows whether it is paused, to anyone.
 */
import type { TurnContext } from 'botbuilder';
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
      const card = reason
        ? pausedCard(await pauses.pause(identity, reason), settings.sandbox)
        : pauseStateCard(await pauses.current(), settings.sandbox);
      await sendCard(ctx, card);
    } catch (err) {
      await sendCard(ctx, errorCardFor(this.services, err, 'Could not pause new access'));
    }
  }

  async resume(ctx: TurnContext, identity: TurnIdentity, reason: string | undefined): Promise<void> {
    try {
      await sendCard(
        ctx,
        resumedCard(await this.services.pauses.resume(identity, reason), this.services.settings.sandbox),
      );
    } catch (err) {
      await sendCard(ctx, errorCardFor(this.services, err, 'Could not resume new access'));
    }
  }
}
