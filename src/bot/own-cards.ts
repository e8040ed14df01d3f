/**
 * The messages a click may turn into a request's card: the grant form (its submit replaces it
 * with the plan card) and a reminder with Extend (it becomes the extension's card). Which message
 * a click came from is the client's word (`replyToId`): any member of a conversation can send a
 * click carrying the id of another of acrbot's messages there, an approval card of someone else's
 * request, and acrbot would replace it and record it as a copy of the new request (every later
 * update of that request would go to it). So acrbot trusts only its own record (G15): when it
 * posts such a card it remembers the message in the store's sightings (shared by every instance,
 * like the welcomes), and a click may take a message over only if it was remembered as that
 * kind of card in that conversation, and only once.
 *
 * A claim is taken before the check, so of two clicks at once one wins, and the check is a
 * sighting of the "posted" key: one that was not there (a forged id) is recorded by the check
 * itself and forgotten again, while the claim stays taken. A form is remembered for a day
 * ({@link REDELIVERY_MEMORY_MS}); a reminder until the end it warns of and a day more (its Extend
 * is refused after the end anyway), at most {@link REMINDER_MEMORY_MAX_MS}; a claim as long as
 * the longest of its kind, so it never ends before the record it took. A card clicked later is
 * no longer known, and its click posts a new card instead (the safe side).
 */
import type { AbuseLedger, Clock } from '../domain/ports';
import { REDELIVERY_MEMORY_MS } from '../flows/request-gate';
import type { Logger } from '../observability/logger';

/** The cards whose message a click may take over. */
export type OwnCardKind = 'grantForm' | 'reminder';

/**
 * The longest a reminder is remembered: the longest lead a reminder can be sent with (a year,
 * ACRBOT_EXPIRY_REMINDERS' bound) and a day. A reminder is sent at most that long before its end.
 */
export const REMINDER_MEMORY_MAX_MS = 366 * 86_400_000;

const DAY_MS = 86_400_000;

/** How long the record of a `kind` card posted `untilEndMs` before the end it warns of is kept. */
function memoryOf(kind: OwnCardKind, untilEndMs = 0): number {
  if (kind === 'grantForm') return REDELIVERY_MEMORY_MS;
  // In whole days: the store keeps sightings of one ttl together (the memory store, one map
  // each), so reminders share a few hundred ttls at most rather than one each.
  const untilEnd = Math.ceil(Math.max(untilEndMs, 0) / DAY_MS) * DAY_MS;
  return Math.min(untilEnd + REDELIVERY_MEMORY_MS, REMINDER_MEMORY_MAX_MS);
}

/** The message of a card acrbot posted: its conversation (a channel thread counts as its channel) and activity id. */
function messageKey(kind: OwnCardKind, conversationId: string, activityId: string): string {
  return `${kind}:${conversationId.split(';')[0]!.slice(0, 300)}|${activityId.slice(0, 200)}`;
}

/** acrbot's own record of the form and reminder messages it posted, and which were taken over. */
export class OwnCards {
  constructor(
    private readonly ledger: AbuseLedger,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Remembers that acrbot posted `activityId` as a `kind` card in the conversation; a reminder
   * with the time from now to the end it warns of (`untilEndMs`). Never throws (logged).
   */
  async remember(
    kind: OwnCardKind,
    conversationId: string,
    activityId: string | undefined,
    untilEndMs?: number,
  ): Promise<void> {
    if (!activityId) return;
    try {
      await this.ledger.firstSighting(
        `card-posted:${messageKey(kind, conversationId, activityId)}`,
        this.now(),
        memoryOf(kind, untilEndMs),
      );
    } catch (err) {
      // The card is out; its click will post a new card rather than replace it.
      this.log.warn({ err, kind }, 'a posted card could not be remembered; a click on it posts a new card');
    }
  }

  /**
   * Whether the click may take over `activityId` (its `replyToId`): a `kind` card acrbot posted
   * in this conversation and no other click took. False when not known, taken, or the store
   * could not say (logged): the caller then posts a new card. Never throws.
   */
  async claim(kind: OwnCardKind, conversationId: string, activityId: string | undefined): Promise<boolean> {
    if (!activityId) return false;
    const key = messageKey(kind, conversationId, activityId);
    try {
      const longest = kind === 'grantForm' ? REDELIVERY_MEMORY_MS : REMINDER_MEMORY_MAX_MS;
      if (!(await this.ledger.firstSighting(`card-taken:${key}`, this.now(), longest))) return false;
      const posted = `card-posted:${key}`;
      // Recorded by the check only when not posted, and then forgotten at once: its ttl is moot.
      if (!(await this.ledger.firstSighting(posted, this.now(), REDELIVERY_MEMORY_MS))) return true;
      // Not a card acrbot posted: the check recorded it, undone (the claim stays taken).
      await this.ledger.forgetSighting(posted);
      return false;
    } catch (err) {
      this.log.warn({ err, kind }, 'a click could not be matched with the card it came from; a new card is posted');
      return false;
    }
  }

  /** Gives a claimed message back: it shows the `kind` card again (the form put back with its error). Never throws (logged). */
  async release(kind: OwnCardKind, conversationId: string, activityId: string): Promise<void> {
    try {
      await this.ledger.forgetSighting(`card-taken:${messageKey(kind, conversationId, activityId)}`);
    } catch (err) {
      this.log.warn({ err, kind }, 'a card put back could not be given back; its next click posts a new card');
    }
  }

  private now(): Date {
    return this.clock.now();
  }
}
