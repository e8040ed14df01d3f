/**
 * A proactive turn in a Teams channel conversation at `serviceUrl`, for tests that look at what
 * the Bot Connector receives (retries, proxies) when the bot sends outside an inbound activity.
 */
import type { ConversationReference, TurnContext } from 'botbuilder';

/** What runs a proactive turn: the adapter's `continueConversationAsync`. */
interface ProactiveAdapter {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

/**
 * Runs `logic` in a proactive turn and returns what it returned, or throws what it threw (caught
 * inside the turn: the adapter would hand a thrown error to onTurnError, out of the test's reach).
 */
export async function inProactiveTurn<T>(
  adapter: ProactiveAdapter,
  serviceUrl: string,
  logic: (ctx: TurnContext) => Promise<T>,
): Promise<T> {
  const reference: Partial<ConversationReference> = {
    serviceUrl,
    channelId: 'msteams',
    conversation: { id: '19:approvers@thread.tacv2', isGroup: true, conversationType: 'channel', name: '' },
    bot: { id: '28:bot', name: 'acrbot' },
    user: { id: '29:user', name: 'Ada' },
  };
  let outcome: { value: T } | { error: unknown } | undefined;
  await adapter.continueConversationAsync('', reference, async (ctx) => {
    outcome = await logic(ctx).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  });
  if (!outcome) throw new Error('the turn did not run');
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
