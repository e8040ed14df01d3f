/**
 * The chat side of telling people refused while new access was paused (flows/pause-waiters.ts):
 * a turn whose request was refused for the pause records its requester, with where they were
 * refused and what they typed; once it is lifted, that conversation gets a message saying new
 * access is open again.
 */
import { type ConversationReference, TurnContext } from 'botbuilder';
import type { TellReopened } from '../flows/pause-waiters';
import { watchPauseRefusal } from '../flows/pause-waiters';
import { reopenedCard } from '../views/pause-view';
import type { BotServices } from './bot-services';
import type { CardMessenger } from './card-messenger';
import { continuedADialog } from './dialog-runner';
import { textField } from './turn-identity';

/**
 * Runs the message turn `work`; when a request in it was refused for the pause, its requester is
 * recorded (after the turn, so the refusal is answered first). A record that fails is logged: the
 * refusal stands, and they can ask again themselves.
 */
export async function withPauseRefusalWatch(
  ctx: TurnContext,
  services: Pick<BotServices, 'pauses' | 'background'>,
  work: () => Promise<void>,
): Promise<void> {
  const refused = await watchPauseRefusal(work);
  const waiters = services.pauses.waiters;
  const objectId = textField(ctx.activity.from?.aadObjectId);
  if (!refused || !waiters || !objectId) return;
  // The turn's text after the mention (AcrBot.handleMessage replaced it), taken now: the turn
  // is gone when the work runs. Not an answer to one of acrbot's questions ("grant access to the
  // release pipeline" filed a request from a question-and-answer): typed again, it is no command.
  const typed = continuedADialog(ctx) ? undefined : textField(ctx.activity.text);
  const conversation = TurnContext.getConversationReference(ctx.activity);
  services.background.run('recording a requester refused during the pause', async () => {
    await waiters.note({ objectId, conversation, typed });
  });
}

/** How the scheduled job tells a person (PauseWaiters.tell): a card in the conversation kept. */
export function tellReopened(messenger: Pick<CardMessenger, 'send'>, sandbox: boolean): TellReopened {
  return async (conversation, command) => {
    await messenger.send(conversation as Partial<ConversationReference>, reopenedCard(command, sandbox));
  };
}
