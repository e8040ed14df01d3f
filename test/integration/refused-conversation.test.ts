/**
 * A conversation where Teams refuses acrbot's posts with a 403 (acrbot removed from the team,
 * BotNotInConversationRoster; a private channel bots cannot post in): a turn there cannot be
 * answered. That is one warning naming the conversation and Teams' code, the turn answered 200,
 * no apology posted (it would be refused too) and no error line; a refused welcome stays
 * recorded (a redelivery would be refused the same way). A 500 from Teams is still an
 * unexpected failure (test/integration/welcome-failed-retried.test.ts for the welcome).
 */
import { type Harness, startHarness, users } from '../helpers/harness';
import { channelMessage, postActivity } from '../helpers/teams-activities';

const PRIVATE = '19:private@thread.tacv2';
const REFUSED = "Teams refused acrbot's reply: acrbot cannot post in this conversation";

describe('a conversation where Teams refuses acrbot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ACRBOT_REQUESTS_PER_MINUTE: '1000' });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    h.connector.refusing.clear();
    h.connector.failing.clear();
  });

  /** A message mentioning acrbot in a thread of `channel`. */
  function messageIn(channel: string, text: string): Record<string, any> {
    const m = channelMessage(users.requester, text, { serviceUrl: h.serviceUrl }) as Record<string, any>;
    m.conversation.id = `${channel};messageid=${m.id}`;
    return m;
  }

  /** "acrbot was added" to `channel`: the event that posts the welcome. */
  function addedTo(channel: string): Record<string, any> {
    const { text: _text, entities: _entities, ...m } = messageIn(channel, 'unused');
    return {
      ...m,
      type: 'conversationUpdate',
      conversation: { ...m.conversation, id: channel },
      membersAdded: [{ id: m.recipient.id }],
    };
  }

  /** Posts `activity`; returns the answer and the log lines (warn and above) it left. */
  async function turn(activity: Record<string, any>) {
    const before = h.logs.entries().length;
    const res = await postActivity(h.app.url, activity);
    await h.app.services.background.drain();
    return {
      status: res.status,
      lines: h.logs
        .entries()
        .slice(before)
        .filter((e) => (e.level as number) >= 40),
    };
  }

  test.each(['help', 'status R-ZZZZZZZZ'])(
    '"%s": one warning with the conversation and the code, a 200',
    async (text) => {
      h.connector.refusing.add(PRIVATE);
      const m = messageIn(PRIVATE, text);
      const { status, lines } = await turn(m);
      expect(status).toBe(200);
      // No "unhandled error in turn" (50), no refused apology ("could not tell the user", 40).
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          msg: REFUSED,
          conversationId: m.conversation.id,
          teamsStatus: 403,
          teamsCode: 'BotNotInConversationRoster',
        }),
      ]);
    },
  );

  test('a refused welcome: one warning, a 200, and it stays recorded', async () => {
    h.connector.refusing.add(PRIVATE);
    const { status, lines } = await turn(addedTo(PRIVATE));
    expect(status).toBe(200);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: REFUSED,
        conversationId: PRIVATE,
        teamsCode: 'BotNotInConversationRoster',
      }),
    ]);
    // Recorded: a redelivery (were Teams to take posts again) welcomes no more.
    h.connector.refusing.clear();
    const before = h.connector.calls.length;
    expect((await turn(addedTo(PRIVATE))).status).toBe(200);
    expect(h.connector.calls.slice(before).filter((c) => c.conversationId.startsWith(PRIVATE))).toEqual([]);
  });

  test('a 500 from Teams is still an unexpected failure of the turn', async () => {
    h.connector.failing.add('19:failing');
    const { status, lines } = await turn(messageIn('19:failing@thread.tacv2', 'help'));
    expect(status).toBe(200);
    expect(lines.map((e) => [e.level, e.msg])).toEqual([
      [50, 'unhandled error in turn'],
      [40, 'could not tell the user about an unexpected error'],
    ]);
  });
});
