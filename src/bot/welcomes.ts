/**
 * Which conversations acrbot has just welcomed (the help card it posts when it is added). Teams
 * sends that `conversationUpdate` again when its delivery failed or timed out, and a team install
 * can arrive as several, on any instance; each one posted the whole help card again, into the
 * same thread. One welcome per conversation within the window, recorded in the store's sightings
 * (the abuse ledger that remembers Teams activity ids), so every instance agrees.
 */
import type { AbuseLedger, Clock } from '../domain/ports';
import { teamsRefusal } from './teams-refusal';

/** How long a conversation counts as welcomed: redeliveries come within minutes. */
export const WELCOME_WINDOW_MS = 10 * 60_000;

/**
 * A welcome that could not be posted and is no longer recorded: the turn is to be answered with
 * a 5xx, so the event is delivered again (a 200 would tell the service it arrived).
 */
export class WelcomeNotPostedError extends Error {
  constructor(key: string, cause: unknown) {
    super(`the welcome of ${key} could not be posted; its delivery is to be retried`, { cause });
    this.name = 'WelcomeNotPostedError';
  }
}

/** One help card per conversation within {@link WELCOME_WINDOW_MS}, across instances. */
export class Welcomes {
  constructor(
    private readonly ledger: AbuseLedger,
    private readonly clock: Clock,
    private readonly windowMs = WELCOME_WINDOW_MS,
  ) {}

  /**
   * Sends the welcome (`send`) unless `conversationId` was welcomed within the window. A channel
   * thread (`19:…;messageid=…`) counts as its channel. Recorded before it is sent (two deliveries
   * at once: one sends), and forgotten when the send fails, which then throws
   * {@link WelcomeNotPostedError}: the adapter answers the turn 500 for it (create-adapter.ts),
   * so the Bot Framework service delivers the event again, and that delivery welcomes instead of
   * finding it "welcomed" with no card posted. Unless Teams refused the post for good (403:
   * acrbot not in the conversation, or a private channel bots cannot post in; 404: gone): a
   * redelivery would be refused the same way, so the welcome stays recorded and this returns
   * (the turn is answered 200; the adapter logs the refusal, create-adapter.ts).
   */
  async once(conversationId: string, send: () => Promise<void>): Promise<void> {
    const key = `welcome:${conversationId.split(';')[0]!.slice(0, 300)}`;
    if (!(await this.ledger.firstSighting(key, this.clock.now(), this.windowMs))) return;
    try {
      await send();
    } catch (err) {
      if (teamsRefusal(err)) return;
      // Still recorded: a redelivery would find it welcomed, so the turn is not asked again (a 200).
      await this.ledger.forgetSighting(key).catch((forgetErr: unknown) => {
        throw new AggregateError([err, forgetErr], `the welcome of ${key} failed and stays recorded`, { cause: err });
      });
      throw new WelcomeNotPostedError(key, err);
    }
  }
}
