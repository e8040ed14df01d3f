/**
 * The correlation id of a Bot Framework request: a request whose token is refused logs under an
 * id the server made, not `turn-<id>` from its body (an unauthenticated caller's word, which could
 * make its lines look like those of a real turn); an authenticated turn still runs under
 * `turn-<activity id>`, its lines and its answer alike.
 */
import { CHANNEL_APP_ID as APP_ID, startAuthenticatingHarness } from '../helpers/authenticating-harness';
import type { FakeChannelIssuer } from '../helpers/fake-openid';
import { type Harness, users } from '../helpers/harness';
import { cardAction, channelMessage, postActivity } from '../helpers/teams-activities';

describe('correlation ids of authenticated and refused requests', () => {
  let issuer: FakeChannelIssuer;
  let h: Harness;
  beforeAll(async () => {
    ({ issuer, h } = await startAuthenticatingHarness());
  });
  afterAll(async () => {
    await h?.stop();
    await issuer?.stop();
  });

  const linesSince = (n: number) => h.logs.entries().slice(n) as { msg?: string; correlationId?: string }[];

  test('a request without a valid token: its 401 is logged under an id the server made', async () => {
    const activity = channelMessage(users.requester, 'help', { serviceUrl: h.serviceUrl });
    activity.id = 'chosen-by-the-caller';
    const before = h.logs.entries().length;
    const res = await postActivity(h.app.url, activity);
    expect(res.status).toBe(401);
    const refused = linesSince(before).find((e) => /not authenticated/.test(e.msg ?? ''));
    expect(refused).toBeDefined();
    expect(refused!.correlationId).toEqual(expect.any(String));
    expect(refused!.correlationId).not.toContain('chosen-by-the-caller');
  });

  test("an authenticated click: the turn's lines and its refusal carry turn-<activity id>", async () => {
    const activity = cardAction(users.requester, 'approve', { requestId: 'R-ZZZZZZZZ' }, { serviceUrl: h.serviceUrl });
    activity.channelData = { tenant: { id: '00000000-0000-4000-8000-00000000dead' } };
    const token = await issuer.channelToken({ appId: APP_ID, serviceUrl: h.serviceUrl });
    const before = h.logs.entries().length;
    const res = await postActivity(h.app.url, activity, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    const turnId = `turn-${activity.id as string}`;
    expect(res.body.value.message).toContain(`Reference: ${turnId}.`);
    const refusal = linesSince(before).find((e) => /turn refused/.test(e.msg ?? ''));
    expect(refusal?.correlationId).toBe(turnId);
  });
});
