/**
 * The first step of every test of the grant form (a card the requester fills in and submits):
 * asking for it in chat and waiting for acrbot to post it.
 */
import { cardText, type CapturedCall } from './capturing-connector';
import { type Harness, users } from './harness';
import type { TeamsUser } from './teams-activities';

/**
 * `user` says `grant` to `h` and the grant form acrbot posts in answer, once posted: a new
 * message sent after the say (not a card update, nor a form an earlier step of the same bot
 * posted, so a test that asks for the form twice gets the second one). Its `activityId` is
 * what a submit click names as its `replyToId`.
 */
export async function grantFormPosted(h: Harness, user: TeamsUser = users.requester): Promise<CapturedCall> {
  const before = h.connector.calls.length;
  await h.say(user, 'grant');
  return h.connector.waitFor(
    (c) =>
      h.connector.calls.indexOf(c) >= before &&
      c.op !== 'update' &&
      /Grant a cluster pull access/.test(cardText(c.activity)),
    5000,
    'form',
  );
}
