/**
 * Saying something to acrbot and reading its answer: the text of the first new card or message
 * (not an update, nor the typing indicator a slow answer sends first) in the conversation it was
 * said in.
 */
import { cardText } from './capturing-connector';
import type { Harness, users } from './harness';

/**
 * Says `text` as `user` (in the team channel requests are made in, or in their chat with acrbot)
 * and answers the text of the first new card or message there that is not an update.
 */
export async function answerTo(
  h: Harness,
  user: (typeof users)[keyof typeof users],
  text: string,
  where: 'channel' | 'personal' = 'channel',
): Promise<string> {
  const before = h.connector.calls.length;
  expect((await h.say(user, text, where)).status).toBe(200);
  const there = where === 'channel' ? '19:platform-requests' : 'a:personal-';
  const reply = await h.connector.waitFor(
    (c) =>
      h.connector.calls.indexOf(c) >= before &&
      c.op !== 'update' &&
      c.activity.type !== 'typing' &&
      c.conversationId.startsWith(there),
    5000,
    `the answer to "${text}"`,
  );
  return cardText(reply.activity);
}
