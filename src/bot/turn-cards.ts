/**
 * The one way the bot puts a card into a conversation: {@link cardActivity} builds the message
 * (new or, with an id, an update), {@link sendCard} sends it in the current turn, and
 * {@link errorCardFor} turns a caught error into the card users see, logging the unexpected
 * ones once under the reference the card shows.
 */
import { type Activity, CardFactory, MessageFactory, type ResourceResponse, type TurnContext } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { isUserFacing } from '../domain/errors';
import { currentCorrelationId } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import type { AdaptiveCardJson } from '../views/card-templates';
import { errorCard } from '../views/message-view';

/** A message activity carrying one Adaptive Card; with `id`, an update of that activity. */
export function cardActivity(card: AdaptiveCardJson, id?: string): Partial<Activity> {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  return id ? { ...activity, id } : activity;
}

/** Sends a card in the current turn; resolves to the new activity's id, if the channel gave one. */
export async function sendCard(ctx: TurnContext, card: AdaptiveCardJson): Promise<ResourceResponse | undefined> {
  return ctx.sendActivity(cardActivity(card));
}

/**
 * The title of a refusal by the per-user gate (G16: `limits.*` codes, for a new request or an
 * extension alike), or undefined for any other code.
 */
export function gateRefusalTitle(code: string): string | undefined {
  if (code === 'limits.redelivered') return 'Already received';
  return code.startsWith('limits.') ? 'Too many requests' : undefined;
}

/** The card for an error caught in a turn; an unexpected error is logged here, once, with its reference. */
export function errorCardFor(
  services: { log: Logger; settings: { sandbox: boolean } },
  err: unknown,
  title?: string,
): AdaptiveCardJson {
  // The correlation id is on every log line of this turn: the reference people quote finds them.
  const reference = currentCorrelationId() ?? randomUUID();
  if (!isUserFacing(err)) services.log.error({ err, ref: reference }, 'unexpected error in a turn');
  return errorCard({ err, title, reference, sandbox: services.settings.sandbox });
}
