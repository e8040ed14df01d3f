/**
 * The envelope of an `adaptiveCard/action` invoke, checked before botbuilder reads it. botbuilder
 * reads `value.action.type` unguarded: an invoke without `action` (or with a string `value`)
 * threw a TypeError, which reached the turn's error handler and was answered 501 with no body.
 * And its refusal of another action type quoted that type back ("The action '[object Object]'
 * is not supported."). Here every malformed click gets a 400 with a fixed sentence in Teams'
 * error shape (CONTRACTS §6), and only the verbs acrbot's cards carry reach a handler; the
 * handlers still check their own `data` (G3).
 */
import type { AdaptiveCardInvokeResponse, InvokeResponse } from 'botbuilder';
import { z } from 'zod/v3';
import { currentCorrelationId } from '../observability/correlation';

/** The verbs acrbot's cards carry (cards/*.json); any other is refused before a handler runs. */
export const CARD_VERBS = [
  'grantForm',
  'revokeConfirm',
  'resumeConfirm',
  'extend',
  'approve',
  'reject',
  'withdrawApproval',
  'refresh',
  'cancel',
] as const;

/** One of {@link CARD_VERBS}. */
export type CardVerb = (typeof CARD_VERBS)[number];

const cardInvokeValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(64),
    // Every acrbot button carries data (at least its request id or the form's marker); an array,
    // a string or a number is no card of acrbot's. What the object holds is its handler's to check.
    data: z.record(z.unknown()),
  }),
});

/** Why a click was refused before any handler: the audit outcome and the answer to Teams. */
export interface CardInvokeRefusal {
  outcome: 'badCardAction' | 'unknownCardVerb';
  /** The verb as audit detail, when it is a plain word (never free text from the card). */
  verb?: string;
  response: InvokeResponse<AdaptiveCardInvokeResponse>;
}

/** A checked click: a verb acrbot knows and its card data (untrusted, checked by the handler). */
export interface CardInvoke {
  verb: CardVerb;
  data: Record<string, unknown>;
}

/** Checks an `adaptiveCard/action` invoke's `value`; the click, or why it is refused. */
export function readCardInvoke(value: unknown): CardInvoke | CardInvokeRefusal {
  const parsed = cardInvokeValue.safeParse(value);
  if (!parsed.success)
    return {
      outcome: 'badCardAction',
      verb: plainWord((value as { action?: { verb?: unknown } } | null | undefined)?.action?.verb),
      response: cardInvokeError(
        400,
        'BadRequest',
        'This click did not come from a card acrbot sent, or the card is damaged; nothing was changed. Type "@acrbot help" to see what acrbot can do.',
      ),
    };
  const { verb, data } = parsed.data.action;
  if (!(CARD_VERBS as readonly string[]).includes(verb))
    return {
      outcome: 'unknownCardVerb',
      verb: plainWord(verb),
      response: cardInvokeError(
        400,
        'BadRequest',
        'This button is not one acrbot knows (the card may be from another app or an older version); nothing was changed. Type "@acrbot help" to see what acrbot can do.',
      ),
    };
  return { verb: verb as CardVerb, data };
}

/** Whether {@link readCardInvoke} refused the click. */
export function isCardInvokeRefusal(value: CardInvoke | CardInvokeRefusal): value is CardInvokeRefusal {
  return 'response' in value;
}

/**
 * An invoke answer in Teams' error shape (`application/vnd.microsoft.error`, CONTRACTS §6): the
 * HTTP status and, in the body, the same status with a code and a sentence for the user. A
 * refusal (400, 403) ends with the turn's reference, its correlation id, as the 500's sentence
 * does (which its caller words): the log lines and the audited refusal of that click are found
 * by what the user quotes.
 */
export function cardInvokeError(
  status: 400 | 403 | 500,
  code: string,
  message: string,
): InvokeResponse<AdaptiveCardInvokeResponse> {
  const reference = status === 500 ? undefined : currentCorrelationId();
  return {
    status,
    body: {
      statusCode: status,
      type: 'application/vnd.microsoft.error',
      value: {
        code,
        message: reference ? `${message} Reference: ${reference}.` : message,
      } as unknown as AdaptiveCardInvokeResponse['value'],
    },
  };
}

/** A verb fit for an audit entry: a short plain word, else nothing (it is the card's text, not ours). */
function plainWord(verb: unknown): string | undefined {
  return typeof verb === 'string' && /^[A-Za-z][\w-]{0,39}$/.test(verb) ? verb : undefined;
}
