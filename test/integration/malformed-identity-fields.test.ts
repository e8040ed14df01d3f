/**
 * G2 for an activity that passed the channel's signature but whose identity fields are not
 * strings (a number for the tenant id, an object for the Entra object id or the display name, an
 * object for the channel id): refused with the usual refusal codes and sentences, audited, never
 * an unexpected error ("Something unexpected went wrong", a 500).
 */
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardAction, channelMessage, postActivity } from '../helpers/teams-activities';

type Change = (a: Record<string, any>) => void;

describe('identity fields that are not strings are refused, not failed on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const errorsSince = (n: number) =>
    h.logs
      .entries()
      .filter((e) => (e.level as number) >= 50)
      .slice(n);
  const errorCount = () => h.logs.entries().filter((e) => (e.level as number) >= 50).length;

  const cases: [string, string, Change][] = [
    ['a numeric tenant id', 'rejected.tenant', (a) => (a.channelData.tenant.id = 12345)],
    ['an object as tenant id', 'rejected.tenant', (a) => (a.channelData.tenant = { id: { x: 1 } })],
    ['a numeric Entra object id', 'rejected.identity', (a) => (a.from.aadObjectId = 12345)],
    ['an object as Entra object id', 'rejected.identity', (a) => (a.from.aadObjectId = { x: 1 })],
  ];

  test.each(cases)('a message with %s: refused (%s)', async (_name, code, change) => {
    const activity = channelMessage(users.requester, 'status', { serviceUrl: h.serviceUrl }) as Record<string, any>;
    change(activity);
    const errors = errorCount();
    const before = h.connector.calls.length;
    const res = await postActivity(h.app.url, activity);
    expect(res.status).toBe(200);
    expect(errorsSince(errors)).toEqual([]);
    const said = h.connector.calls.slice(before).map((c) => JSON.stringify(c.activity));
    expect(said.join('\n')).not.toMatch(/Something unexpected/);
    // The refusal's own sentence (none in a channel that is not Teams: nobody there to read it).
    const sentence = {
      'rejected.tenant': /not enabled for your organisation/,
      'rejected.identity': /needs your Microsoft Entra identity/,
    }[code];
    if (sentence) expect(said.join('\n')).toMatch(sentence);
    expect(h.logs.entries().some((e) => (e as { refusal?: string }).refusal === code)).toBe(true);
  });

  test('a display name that is an object is shown as unknown, not failed on', async () => {
    const activity = channelMessage(users.requester, 'help', { serviceUrl: h.serviceUrl }) as Record<string, any>;
    activity.from.name = { x: 1 };
    const errors = errorCount();
    const res = await postActivity(h.app.url, activity);
    expect(res.status).toBe(200);
    expect(errorsSince(errors)).toEqual([]);
  });

  test.each(cases)('a click with %s: 403 in Teams error shape (%s)', async (_name, _code, change) => {
    const activity = cardAction(users.approver, 'approve', { requestId: 'R-ZZZZZZZZ' }, { serviceUrl: h.serviceUrl });
    change(activity as Record<string, any>);
    const errors = errorCount();
    const res = await postActivity(h.app.url, activity);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, type: 'application/vnd.microsoft.error' });
    // The refusal names the turn's reference, which its log lines carry.
    expect(res.body.value.message).toContain(`Reference: turn-${activity.id as string}.`);
    expect(errorsSince(errors)).toEqual([]);
  });

  test.each<[string, Change]>([
    ['an object', (a) => (a.channelId = { x: 1 })],
    ['an array', (a) => (a.channelId = ['msteams'])],
  ])(
    'a channel id that is %s: 400, not an activity (botbuilder would fail on it checking the token)',
    async (_n, change) => {
      const activity = channelMessage(users.requester, 'status', { serviceUrl: h.serviceUrl }) as Record<string, any>;
      change(activity);
      const errors = errorCount();
      const res = await postActivity(h.app.url, activity);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'badRequest', message: expect.stringContaining('"channelId"') });
      expect(errorsSince(errors)).toEqual([]);
    },
  );

  test("a damaged click's 400 names the turn's reference too", async () => {
    const activity = cardAction(users.approver, 'approve', { requestId: 'R-ZZZZZZZZ' }, { serviceUrl: h.serviceUrl });
    (activity.value as { action: Record<string, unknown> }).action.data = 'R-ZZZZZZZZ';
    const res = await postActivity(h.app.url, activity);
    expect(res.status).toBe(400);
    expect(res.body.value).toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('nothing was changed'),
    });
    expect(res.body.value.message).toMatch(new RegExp(`Reference: turn-${activity.id as string}\\.$`));
  });
});
