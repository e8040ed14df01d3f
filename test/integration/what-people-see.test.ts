/**
 * #11 item 5: user text in every card is neutralised (error cards quoting input, the audit
 * card), and a `refresh` invoke never shows more than `status` would show that user.
 */
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const LIVE = /\]\(|https?:\/\/evil/;

describe('what people see', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  test('refresh is authorised like status: approvers get the buttons, the requester the card, others only the state', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api secretly');
    const as = async (user: typeof users.requester) => {
      const res = await h.click(user, 'refresh', { requestId: request.id });
      expect(res.status).toBe(200);
      return JSON.stringify(res.body.value);
    };
    const approver = await as(users.approver);
    expect(approver).toContain('"verb":"approve"');
    const requester = await as(users.requester);
    expect(requester).not.toContain('"verb":"approve"');
    expect(requester).toContain('deploy payments-api secretly');
    const outsider = await as(users.outsider);
    expect(outsider).not.toContain('"verb":"approve"');
    expect(outsider).not.toContain('deploy payments-api secretly');
    expect(outsider).not.toContain('aks-prod');
    expect(outsider).toContain('waiting for approval');
  });

  test('an error card quoting invalid input and the audit card show no live link, image or disguised link', async () => {
    h = await startHarness({ ACRBOT_AUDIT_CHANNEL: '19:audit@thread.tacv2' });
    await h.say(users.requester, 'grant aks-prod ![img](https://evil.example/x.png) deploy the payments api');
    const error = await h.connector.waitFor(
      (c) => /not a valid registry name/.test(cardText(c.activity)),
      5000,
      'error',
    );
    expect(cardText(error.activity)).not.toMatch(LIVE);
    const request = await h.requestGrant(
      users.requester,
      'aks-prod contosoacr see [the runbook](https://evil.example/login) for details',
    );
    const audit = await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:audit') && cardText(c.activity).includes(request.id),
      5000,
      'audit card',
    );
    expect(cardText(audit.activity)).toContain('the runbook');
    expect(JSON.stringify(audit.activity)).not.toMatch(LIVE);
  });
});
