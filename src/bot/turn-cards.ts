/**
 * The one way the bot puts a card into a conversation: {@link cardActivity} builds the message
 * (new or, with an id, an update), {@link sendCard} sends it in the current turn, and
 * {@link errorCardFor} turns a caught error into the card users see, logging the unexpected
 * ones (and the outages people are told of) once under the reference the card shows.
 */
import { type Activity, CardFactory, MessageFactory, type ResourceResponse, type TurnContext } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { isUserFacing, isUserFacingOutage } from '../domain/errors';
import { cutText } from '../domain/text';
import { currentCorrelationId } from '../observability/correlation';
import type { Logger } from '../observability/logger';
import { cardSummary, hasSandboxBanner } from '../views/card-summary';
import type { AdaptiveCardJson } from '../views/card-templates';
import { CARD_MAX_BYTES, errorCard, jsonBytes, messageCard } from '../views/message-view';
import { addressedText } from './message-text';

/**
 * A message activity carrying one Adaptive Card; with `id`, an update of that activity. Its
 * `summary` is the card's title as plain text (card-summary.ts), new post and update alike: Teams
 * shows it in notifications and previews, which would otherwise say only "acrbot sent a card".
 * Never `text`, which Teams may draw beside the card.
 */
export function cardActivity(card: AdaptiveCardJson, id?: string): Partial<Activity> {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  const summary = cardSummary(card);
  return { ...activity, ...(summary && { summary }), ...(id && { id }) };
}

/**
 * Sends a card in the current turn; resolves to the new activity's id, if the channel gave one.
 * A card over {@link CARD_MAX_BYTES} goes as {@link tooLargeCard} instead, logged once as a
 * warning on `log`: Teams would
 * refuse it (413 `MessageSizeTooBig`) and the user would see only "That did not work".
 */
export async function sendCard(
  ctx: TurnContext,
  card: AdaptiveCardJson,
  log: Logger,
): Promise<ResourceResponse | undefined> {
  const bytes = jsonBytes(card);
  if (bytes <= CARD_MAX_BYTES) return ctx.sendActivity(cardActivity(card));
  const command = commandWords(ctx);
  log.warn(
    { cardBytes: bytes, maxBytes: CARD_MAX_BYTES, command },
    'answer too large for a Teams card: sent a short card pointing to the tab instead',
  );
  return ctx.sendActivity(cardActivity(tooLargeCard(bytes, command, hasSandboxBanner(card))));
}

/**
 * The card sent instead of one Teams would refuse: what happened, and where the whole answer is
 * (the tab) or how to ask for less (one cluster and registry).
 */
function tooLargeCard(bytes: number, command: string, sandbox: boolean): AdaptiveCardJson {
  const verb = command.split(' ')[0]?.toLowerCase();
  return messageCard({
    title: 'Too large to show in Teams',
    text: `This answer came to ${Math.ceil(bytes / 1000)} KB, more than a Teams message can carry, so acrbot did not send it.`,
    hints: [
      verb === 'policy'
        ? 'The policy file lists every rule; the platform team keeps it.'
        : 'The Access matrix tab shows every way of pulling, with filters.',
      'Ask for less: "@acrbot check CLUSTER REGISTRY" explains one pair, "@acrbot access CLUSTER" one cluster.',
    ],
    sandbox,
  });
}

/**
 * The command of this turn for the log: its first three words (the verb and the names after it,
 * never a grant's reason), cut short; the card action's kind when it was a click.
 */
function commandWords(ctx: TurnContext): string {
  const words = addressedText(ctx.activity).split(/\s+/).filter(Boolean).slice(0, 3).join(' ');
  return cutText(words || `(${String(ctx.activity.type ?? 'activity')})`, 100);
}

/**
 * The title of a refusal by the per-user gate (G16: `limits.*` codes, for a new request or an
 * extension alike), or undefined for any other code.
 */
export function gateRefusalTitle(code: string): string | undefined {
  if (code === 'limits.redelivered') return 'Already received';
  return code.startsWith('limits.') ? 'Too many requests' : undefined;
}

/**
 * The card for an error caught in a turn; an unexpected error is logged here, once, with its
 * reference, and so is an outage the user is told of (`UserFacingOutageError`, whose message
 * quotes the same reference), as a warning: the user's card says what happened, but operators
 * must still see that Azure stopped answering.
 */
export function errorCardFor(
  services: { log: Logger; settings: { sandbox: boolean } },
  err: unknown,
  title?: string,
): AdaptiveCardJson {
  // The correlation id is on every log line of this turn: the reference people quote finds them.
  const reference = currentCorrelationId() ?? randomUUID();
  if (isUserFacingOutage(err)) services.log.warn({ err, ref: reference }, 'outage in a turn (the user was told)');
  else if (!isUserFacing(err)) services.log.error({ err, ref: reference }, 'unexpected error in a turn');
  return errorCard({ err, title, reference, sandbox: services.settings.sandbox });
}
