/**
 * Reading request cards' per-user views through the real app (CONTRACTS §7a): the copy a chat
 * command posts (read-only as posted, with `refresh.userIds`), and the view a user's client
 * fetches with its refresh or gets back from a click.
 */
import { type CapturedCall, cardText } from './capturing-connector';
import type { Harness } from './harness';
import type { TeamsUser } from './teams-activities';

/** What a click or refresh was answered with. */
type Invoked = { body: any };

/** The verbs of the buttons on the card an invoke answered with. */
export function verbs(res: Invoked): string[] {
  return ((res.body?.value?.actions as Array<{ verb: string }> | undefined) ?? []).map((a) => a.verb);
}

/** The text of the card an invoke answered with. */
export function invokeText(res: Invoked): string {
  return cardText({ attachments: [{ content: res.body?.value }] });
}

/** `user`'s own view of `requestId`'s card: what their client's refresh is answered with. */
export function refreshView(h: Harness, user: TeamsUser, requestId: string) {
  return h.click(user, 'refresh', { requestId });
}

/**
 * `user` says `command` (in the team channel, or in a 1:1 chat); the request card copy it posts
 * (a new card with per-user views, not an update), once sent: one naming `requestId` if given.
 * Request cards are posted only where approvers alone read (approvers-audience.ts): the channel
 * only when the harness makes it an approvers' one.
 */
export async function postedCopy(
  h: Harness,
  user: TeamsUser,
  command: string,
  requestId?: string,
  where: 'channel' | 'personal' = 'channel',
): Promise<CapturedCall> {
  const before = h.connector.calls.length;
  await h.say(user, command, where);
  return h.connector.waitFor(
    (c) =>
      h.connector.calls.indexOf(c) >= before &&
      c.op !== 'update' &&
      (c.activity.attachments?.[0]?.content as { refresh?: unknown } | undefined)?.refresh !== undefined &&
      (requestId === undefined || cardText(c.activity).includes(requestId)),
    5000,
    `the card of "${command}"`,
  );
}
