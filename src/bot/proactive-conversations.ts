/**
 * Work in a conversation outside any turn (proactive messages): a post or an update of a card,
 * through the adapter, with a failure handed to the caller rather than to onTurnError.
 */
import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../views/card-templates';
import { cardActivity } from './turn-cards';

/** Posts and updates activities in conversations outside any turn, as the bot `botAppId`. */
export class ProactiveConversations {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  /**
   * Runs `work` in a conversation outside any turn (a proactive post or update). botbuilder hands
   * a failure inside it to the adapter's onTurnError, which logs it as an unhandled turn error and
   * returns: the caller would carry on as if the card had been posted (and audit it so). The
   * failure is caught here and thrown to the caller instead, which knows what it means.
   */
  async inConversation(
    reference: Partial<ConversationReference>,
    work: (ctx: TurnContext) => Promise<void>,
  ): Promise<void> {
    let failure: { err: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (ctx) => {
      try {
        await work(ctx);
      } catch (err) {
        failure = { err };
      }
    });
    if (failure) throw failure.err;
  }

  /** Sends a card into a conversation; returns the new activity id. */
  async send(reference: Partial<ConversationReference>, card: AdaptiveCardJson): Promise<string | undefined> {
    let id: string | undefined;
    await this.inConversation(reference, async (ctx) => {
      // A new post, not a reply: the continuation activity's made-up id must not become replyToId.
      ctx.onSendActivities(async (_ctx, activities, next) => {
        for (const a of activities) delete a.replyToId;
        return next();
      });
      id = (await ctx.sendActivity(cardActivity(card)))?.id;
    });
    return id;
  }

  /** Replaces a card posted earlier (e.g. the form a submit answered at once, once planning is done). */
  async updateCard(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: AdaptiveCardJson,
  ): Promise<void> {
    await this.inConversation(reference, async (ctx) => {
      await ctx.updateActivity(cardActivity(card, activityId));
    });
  }
}
