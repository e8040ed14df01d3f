/**
 * Which conversations acrbot has just welcomed (the help card it posts when it is added). Teams
 * sends that `conversationUpdate` again when its delivery failed or timed out, and a team install
 * can arrive as several, on any instance; each one posted the whole help card again, into the
 * same thread. One welcome per conversation within the window, recorded in the store's sightings
 * (the abuse ledger that remembers Teams activity ids), so every instance agrees. acrbot removed
 * from the conversation, the sighting is forgotten: added back, it is welcomed again.
 */
import type { Activity } from 'botbuilder';
import type { AbuseLedger, Clock } from '../domain/ports';
import type { Logger } from '../observability/logger';
import { teamsRefusal } from './teams-refusal';
import { textField } from './turn-identity';

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
    const key = welcomeKey(conversationId);
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

  /**
   * Forgets that `conversationId` was welcomed: acrbot was removed from it, so being added back,
   * even within the window, is a new arrival that is welcomed again (not a redelivery).
   */
  async forget(conversationId: string): Promise<void> {
    await this.ledger.forgetSighting(welcomeKey(conversationId));
  }

  /**
   * acrbot was removed from the activity's conversation (`membersRemoved` naming it, or an
   * `installationUpdate` remove): one info line naming the conversation (and its team), which
   * otherwise leaves no trace until posts there are refused, and its welcome forgotten
   * ({@link forget}). Never throws: a forget that failed is logged.
   */
  async removedFrom(
    activity: Pick<Activity, 'conversation' | 'channelData' | 'action'>,
    how: 'membersRemoved' | 'installationUpdate',
    log: Logger,
  ): Promise<void> {
    const conversationId = textField(activity.conversation?.id)?.slice(0, 300) ?? '';
    const teamId = textField((activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id);
    const action = how === 'installationUpdate' ? textField(activity.action)?.slice(0, 40) : undefined;
    log.info(
      { conversationId, ...(teamId && { teamId: teamId.slice(0, 300) }), how, ...(action && { action }) },
      'acrbot was removed from a conversation; adding it back there welcomes it again',
    );
    await this.forget(conversationId).catch((err: unknown) =>
      log.warn(
        { err, conversationId },
        'the welcome of a conversation acrbot was removed from could not be forgotten; added back within 10 minutes, it is not welcomed',
      ),
    );
  }
}

/** The announcements' part acrbot's return uses (flows/approval-announce.ts). */
export interface RefusedCards {
  /** Brings the refused cards' jobs forward (those refused where `where` says, else all); never throws. */
  bringForwardRefused(where?: (conversationId: string) => boolean): Promise<number>;
}

/**
 * acrbot was added to the activity's conversation (`membersAdded` naming it, or an
 * `installationUpdate` add): the approvers' cards Teams refused while it was away are tried again
 * now, not at their next hourly attempt ({@link RefusedCards.bringForwardRefused}). Added to a team,
 * every refused card is (the event names the team, not its channels, and the approvals channel
 * may be any of them); to a group chat, those refused in that chat; to a personal chat, none (no
 * approvers' card goes there).
 */
export async function addedBack(
  activity: Pick<Activity, 'conversation' | 'channelData'>,
  cards: RefusedCards | undefined,
): Promise<void> {
  if (!cards) return;
  const team = textField((activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id);
  const type = textField(activity.conversation?.conversationType);
  if (team || type === 'channel') {
    await cards.bringForwardRefused();
    return;
  }
  const conversationId = textField(activity.conversation?.id)?.split(';')[0];
  if (type === 'groupChat' && conversationId)
    await cards.bringForwardRefused((id) => id.split(';')[0] === conversationId);
}

/** The sighting of a conversation's welcome: a channel thread (`19:…;messageid=…`) counts as its channel. */
function welcomeKey(conversationId: string): string {
  return `welcome:${conversationId.split(';')[0]!.slice(0, 300)}`;
}
