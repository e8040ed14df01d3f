/**
 * The card messenger, plus a way for the shutdown to wait for the card updates under way. The
 * request service answers a click at once and updates the other copies (and tells the requester)
 * without waiting: a rejection, a cancellation, one approval of a quorum, a break-glass review.
 * A stop that closed the store and exited meanwhile left those cards showing Approve and the
 * requester untold; the stop waits for {@link DrainingMessenger.drain} first.
 */
import { CardMessenger } from '../bot/card-messenger';
import type { AccessRequest } from '../domain/request';
import type { RequestChange } from '../flows/notifier';

/** A {@link CardMessenger} that keeps track of its `requestChanged` work until it has ended. */
export class DrainingMessenger extends CardMessenger {
  private readonly inFlight = new Set<Promise<unknown>>();

  override requestChanged(request: AccessRequest, change?: RequestChange): Promise<'noConversation' | undefined> {
    const work = super.requestChanged(request, change).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return work;
  }

  /** Resolves once every card update started so far has ended (sent, or failed and logged). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
