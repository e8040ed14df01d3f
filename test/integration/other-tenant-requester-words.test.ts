/**
 * What acrbot tells a requester of tenant B, another allowed tenant than acrbot's own
 * (own-tenant.ts), about a request an earlier release recorded for them, through the real app:
 * their extension, and any new request, is refused when asked for, so neither "Access already
 * exists" nor the outcome card of a request of theirs that still finishes offers `extend`; both
 * say why and what to do instead, in their expiry reminder's words. acrbot's own tenant's
 * requester is still told to extend.
 */
import { OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/other-tenant-words';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardAction, personalMessage, postActivity, type TeamsUser } from '../helpers/teams-activities';

const OTHER_TENANT = '9e9e9e9e-0000-4000-8000-000000000f0f';
const bea: TeamsUser = { objectId: '9b000000-0000-4000-8000-0000000000b1', name: 'Bea Other', teamsId: '29:bea-other' };

describe("a requester of another tenant than acrbot's own is offered no extend", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` });
  });
  afterEach(() => h.stop());

  test('"Access already exists" for her own earlier grant: why it cannot be extended, no command', async () => {
    const made = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d tenant b nightly pulls');
    await h.click(users.approver, 'approve', { requestId: made.id });
    const done = await h.settle(made.id);
    expect(done.state).toBe('succeeded');
    // As an earlier release recorded it: tenant B's requester.
    await h.app.store.update({ ...done, version: done.version + 1, tenantId: OTHER_TENANT, requester: bea });

    const before = h.connector.calls.length;
    const res = await postActivity(
      h.app.url,
      personalMessage(bea, 'grant aks-prod contosoacr --for 2d nightly pulls again', {
        serviceUrl: h.serviceUrl,
        tenantId: OTHER_TENANT,
      }),
    );
    expect(res.status).toBe(200);
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity) !== '',
      10_000,
      "an answer to Bea's grant",
    );
    const text = cardText(reply.activity);
    expect(text).toContain('Access already exists');
    expect(text).toContain(`It is your request ${made.id}`);
    expect(text).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(text).not.toContain('to keep it longer');
    expect(text).not.toMatch(/extend R-/);
  });

  test('the outcome card of her request approved after the rule: no extend, why and the way on; revoke stays', async () => {
    const made = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d tenant b nightly pulls');
    // Filed by an earlier release for tenant B's Bea, still waiting.
    await h.app.store.update({ ...made, version: made.version + 1, tenantId: OTHER_TENANT, requester: bea });
    // An approver whose home object id the rule names, signed in to tenant B, may decide it.
    const before = h.connector.calls.length;
    const res = await postActivity(
      h.app.url,
      cardAction(
        users.approver,
        'approve',
        { requestId: made.id },
        { serviceUrl: h.serviceUrl, tenantId: OTHER_TENANT },
      ),
    );
    expect(res.status).toBe(200);
    expect((await h.settle(made.id)).state).toBe('succeeded');
    const outcome = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Pull access granted/.test(cardText(c.activity)),
      10_000,
      'the outcome card',
    );
    const text = cardText(outcome.activity);
    expect(text).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(text).not.toContain('@acrbot extend');
    expect(text).toContain(`@acrbot revoke ${made.id} REASON`);
  });

  test('acrbot\'s own tenant\'s requester: the outcome card and "Access already exists" offer extend, as before', async () => {
    const made = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d deploy payments-api');
    const before = h.connector.calls.length;
    await h.click(users.approver, 'approve', { requestId: made.id });
    expect((await h.settle(made.id)).state).toBe('succeeded');
    const outcome = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Pull access granted/.test(cardText(c.activity)),
      10_000,
      'the outcome card',
    );
    expect(cardText(outcome.activity)).toContain(`To keep it longer: "@acrbot extend ${made.id} REASON…"`);
    const again = await h.ask(users.requester, 'grant aks-prod contosoacr --for 2d deploy payments-api again');
    expect(again).toContain(`to keep it longer: "extend ${made.id} --for 30d REASON…"`);
    expect(again).not.toContain('guest account');
  });
});
