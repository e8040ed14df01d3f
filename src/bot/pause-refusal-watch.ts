/**
 * The chat side of telling people refused while new access was paused (flows/pause-waiters.ts):
 * a turn whose request was refused for the pause records its requester, with where they were
 * refused and what they typed; once it is lifted, that conversation gets a message saying new
 * access is open again. The refusal says they will be told only when this turn recorded them (or
 * an earlier refusal did): not past the people recorded at most, nor when the record failed or
 * did not come within {@link TOLD_WAIT_MS}.
 */
import { type Activity, type ConversationReference, TurnContext } from 'botbuilder';
import { toldWhenLifted } from '../flows/access-pause';
import type { Noted, PauseWaiter, TellReopened } from '../flows/pause-waiters';
import { pauseRefusalNoted, watchPauseRefusal } from '../flows/pause-waiters';
import { settleWithin } from '../flows/settle-within';
import { reopenedCard } from '../views/pause-view';
import type { BotServices } from './bot-services';
import type { CardMessenger } from './card-messenger';
import { continuedADialog } from './dialog-runner';
import { textField } from './turn-identity';

/** What recording the turn's requester came to: undefined when it failed (logged). */
type Recorded = Noted | undefined;

/**
 * How long a refusal while paused waits for its requester's record before it goes out without
 * saying they will be told. The record (a read and a write of the store every instance shares) is
 * nearly always prompt; a slow store, or one that hangs for its retries, must not hold the refusal
 * (nor keep the turn open until Teams delivers the message again): past this, the record goes on
 * in the background after the refusal, and the refusal promises nothing it may not keep.
 */
export const TOLD_WAIT_MS = 2_000;

/**
 * Runs the message turn `work`; when a request in it was refused for the pause, its requester is
 * recorded. Recorded as the refusal goes out, before it is sent, so that the refusal can say they
 * will be told (`noted`, `knownHere`: here; `known`: where an earlier refusal recorded them); not
 * recorded (`full`, or the record failed), or not within {@link TOLD_WAIT_MS} (the record goes on
 * after the refusal), it says nothing of it. A refusal this turn sends in no form the
 * watch reads ({@link withToldSentence}) is followed by the record after the turn, and says
 * nothing of it either. A record that fails is logged: the refusal stands, and they can ask again
 * themselves.
 */
export async function withPauseRefusalWatch(
  ctx: TurnContext,
  services: Pick<BotServices, 'pauses' | 'background'>,
  work: () => Promise<void>,
): Promise<void> {
  const waiters = services.pauses.waiters;
  const objectId = textField(ctx.activity.from?.aadObjectId);
  if (!waiters || !objectId) {
    await watchPauseRefusal(work);
    return;
  }
  // Taken when the refusal is known, not before the work: the text is the one after the mention
  // (AcrBot.handleMessage replaces it), and whether the turn answered one of acrbot's questions
  // ("grant access to the release pipeline" filed a request from a question-and-answer: typed
  // again, it is no command) is known once the dialog ran.
  const waiter = (): PauseWaiter => ({
    objectId,
    conversation: TurnContext.getConversationReference(ctx.activity),
    typed: continuedADialog(ctx) ? undefined : textField(ctx.activity.text),
  });
  // Background work of the turn (tracked for a shutdown, a failure logged as any other's),
  // awaited by the refusal that waits for it, at most TOLD_WAIT_MS. Never rejects.
  const record = (person: PauseWaiter): Promise<Recorded> =>
    new Promise<Recorded>((resolve) =>
      services.background.run('recording a requester refused during the pause', async () => {
        try {
          resolve(await waiters.note(person));
        } catch (err) {
          resolve(undefined);
          throw err;
        }
      }),
    );
  let recording: Promise<Recorded> | undefined;
  ctx.onSendActivities(async (_ctx, activities, next) => {
    // Run inside the work's scope (the send is the work's): its mark is readable here.
    if (recording || !pauseRefusalNoted()) return next();
    const refusal = activities.find((activity) => withToldSentence(activity, 'here') !== undefined);
    if (!refusal) return next();
    recording = record(waiter());
    const got = await settleWithin(recording, TOLD_WAIT_MS);
    const recorded = got.late ? undefined : got.value;
    if (recorded && recorded !== 'full')
      refusal.attachments = withToldSentence(refusal, recorded === 'known' ? 'whereFirst' : 'here');
    return next();
  });
  const refused = await watchPauseRefusal(work);
  // Its refusal not read (or not sent): recorded all the same, after the turn (the turn is gone
  // when that runs: what it needs of it is taken now).
  if (refused && !recording) void record(waiter());
}

/**
 * The attachments of `activity` with the sentence that the reader will be told when the pause is
 * lifted after the refusal while paused in its card (views/message-view.ts `errorCard`: a
 * TextBlock of the refusal's text); undefined when no card of it carries one.
 */
function withToldSentence(
  activity: Partial<Activity>,
  recorded: 'here' | 'whereFirst',
): Activity['attachments'] | undefined {
  const told = withText(activity.attachments, (text) => toldWhenLifted(text, recorded));
  return told as Activity['attachments'] | undefined;
}

/**
 * `node` (card JSON) with each TextBlock's text `rewrite` answers for replaced, copied where it
 * changed; undefined when it answered for none.
 */
function withText(node: unknown, rewrite: (text: string) => string | undefined): unknown {
  if (Array.isArray(node)) {
    let changed = false;
    const items = node.map((item) => {
      const next = withText(item, rewrite);
      if (next === undefined) return item;
      changed = true;
      return next;
    });
    return changed ? items : undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const fields = node as Record<string, unknown>;
  if (fields.type === 'TextBlock' && typeof fields.text === 'string') {
    const text = rewrite(fields.text);
    return text === undefined ? undefined : { ...fields, text };
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    const next = withText(value, rewrite);
    if (next !== undefined) (copy ??= { ...fields })[key] = next;
  }
  return copy;
}

/** How the scheduled job tells a person (PauseWaiters.tell): a card in the conversation kept. */
export function tellReopened(messenger: Pick<CardMessenger, 'send'>, sandbox: boolean): TellReopened {
  return async (conversation, command) => {
    await messenger.send(conversation as Partial<ConversationReference>, reopenedCard(command, sandbox));
  };
}
