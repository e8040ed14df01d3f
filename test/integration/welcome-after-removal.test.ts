/**
 * acrbot removed from a team (`conversationUpdate` with `membersRemoved` naming it) or uninstalled
 * from a personal chat (`installationUpdate` remove): one info line names the conversation (and
 * the team), and its welcome is forgotten, so being added back, even within the window that
 * keeps redelivered "added" events from welcoming twice, posts the help card again.
 */
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, personalMessage, postActivity } from '../helpers/teams-activities';

const REMOVED = 'acrbot was removed from a conversation; adding it back there welcomes it again';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000' });
});
afterAll(async () => h?.stop());

/** An activity of `kind` ('channel' or 'personal') without a message's text. */
function base(kind: 'channel' | 'personal', conversationId?: string): Record<string, any> {
  const make = kind === 'channel' ? channelMessage : personalMessage;
  const {
    text: _text,
    entities: _entities,
    ...rest
  } = make(users.requester, 'unused', {
    serviceUrl: h.serviceUrl,
  }) as Record<string, any>;
  return conversationId ? { ...rest, conversation: { ...rest.conversation, id: conversationId } } : rest;
}

/** Posts `activity` and returns how many posts acrbot made in its conversation meanwhile. */
async function postsAfter(activity: Record<string, any>): Promise<number> {
  const before = h.connector.calls.length;
  const res = await postActivity(h.app.url, activity);
  expect(res.status).toBe(200);
  await h.app.services.background.drain();
  return h.connector.calls.slice(before).filter((c) => c.conversationId.startsWith(activity.conversation.id)).length;
}

test('removed from a team and added back within minutes: logged, and welcomed again', async () => {
  const b = base('channel', '19:removed-team@thread.tacv2');
  const added = { ...b, type: 'conversationUpdate', membersAdded: [{ id: b.recipient.id }] };
  const removed = { ...b, type: 'conversationUpdate', membersRemoved: [{ id: b.recipient.id }] };
  expect(await postsAfter(added)).toBe(1);
  // A redelivery of the same "added" is still not a second welcome.
  expect(await postsAfter({ ...added, id: 'redelivered' })).toBe(0);

  const logsBefore = h.logs.entries().length;
  expect(await postsAfter(removed)).toBe(0);
  const lines = h.logs
    .entries()
    .slice(logsBefore)
    .filter((e) => e.msg === REMOVED);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 30,
    conversationId: '19:removed-team@thread.tacv2',
    teamId: '19:team@thread.tacv2',
    how: 'membersRemoved',
  });

  expect(await postsAfter({ ...added, id: 'added-back' })).toBe(1);
});

test('someone else removed from the team: nothing logged, nothing forgotten', async () => {
  const b = base('channel', '19:other-left@thread.tacv2');
  const added = { ...b, type: 'conversationUpdate', membersAdded: [{ id: b.recipient.id }] };
  expect(await postsAfter(added)).toBe(1);
  const logsBefore = h.logs.entries().length;
  await postsAfter({ ...b, type: 'conversationUpdate', membersRemoved: [{ id: '29:someone-else' }] });
  expect(
    h.logs
      .entries()
      .slice(logsBefore)
      .filter((e) => e.msg === REMOVED),
  ).toEqual([]);
  expect(await postsAfter({ ...added, id: 'again' })).toBe(0);
});

test('uninstalled from a personal chat and installed again: logged, and welcomed again', async () => {
  const b = base('personal');
  const added = { ...b, type: 'conversationUpdate', membersAdded: [{ id: b.recipient.id }, { id: b.from.id }] };
  expect(await postsAfter(added)).toBe(1);
  const logsBefore = h.logs.entries().length;
  expect(await postsAfter({ ...b, type: 'installationUpdate', action: 'remove' })).toBe(0);
  const lines = h.logs
    .entries()
    .slice(logsBefore)
    .filter((e) => e.msg === REMOVED);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ conversationId: b.conversation.id, how: 'installationUpdate', action: 'remove' });
  expect(await postsAfter({ ...added, id: 'reinstalled' })).toBe(1);
});
