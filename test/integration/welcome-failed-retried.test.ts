/**
 * A welcome whose post fails (Teams answered 500) is forgotten (welcomes.ts) so that the event's
 * next delivery welcomes again; that delivery only comes if the turn is not answered 200. The
 * failed one is answered 500, logged once, and the next delivery posts the help card. (A 403/404,
 * refused for good, is answered 200: test/integration/refused-conversation.test.ts.)
 */
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity } from '../helpers/teams-activities';

describe('a welcome that could not be posted is delivered again', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('answered 500 (the service retries), and the retry posts the help card', async () => {
    const added = channelMessage(users.requester, 'unused', { serviceUrl: h.serviceUrl }) as Record<string, any>;
    added.type = 'conversationUpdate';
    delete added.text;
    delete added.entities;
    added.conversation.id = '19:new-team@thread.tacv2';
    added.membersAdded = [{ id: added.recipient.id }];
    h.connector.failing.add('19:new-team');
    const errorsBefore = h.logs.entries().filter((e) => (e.level as number) >= 50).length;
    const first = await postActivity(h.app.url, added);
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({ error: 'internal' });
    const errors = h.logs
      .entries()
      .filter((e) => (e.level as number) >= 50)
      .slice(errorsBefore);
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as { err?: { message?: string } }).err?.message)).toMatch(
      /welcome .* could not be posted/,
    );

    h.connector.failing.delete('19:new-team');
    const before = h.connector.calls.length;
    const retry = await postActivity(h.app.url, added);
    expect(retry.status).toBe(200);
    const posted = h.connector.calls.slice(before).filter((c) => c.conversationId.includes('new-team'));
    expect(posted).toHaveLength(1);
  });
});
