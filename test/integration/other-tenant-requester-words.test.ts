/**
 * What acrbot tells a requester of tenant B, another allowed tenant than acrbot's own
 * (own-tenant.ts), about a request an earlier release recorded for them, through the real app:
 * their extension, and any new request, is refused when asked for, so neither "Access already
 * exists" nor the outcome card of a request of theirs that still finishes offers `extend`; both
 * say why and what to do instead, in their expiry reminder's words. acrbot's own tenant's
 * requester is still told to extend.
 */
import { OTHER_TENANT_ASK_INSTEAD, OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/other-tenant-words';
import { OTHER_TENANT_NO_ASK_AGAIN } from '../../src/views/ask-again-command';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardAction, postActivity } from '../helpers/teams-activities';
import { answerInTenantB, bea, OTHER_TENANT, recordedForTenantB, SERVING_TENANT_B } from '../helpers/tenant-b';

describe("a requester of another tenant than acrbot's own is offered no extend", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(SERVING_TENANT_B);
  });
  afterEach(() => h.stop());

  test('"Access already exists" for her own earlier grant: why it cannot be extended, no command', async () => {
    // As an earlier release recorded it: tenant B's requester.
    const made = await recordedForTenantB(
      h,
      await grantApproved(h, 'aks-prod contosoacr --for 2d tenant b nightly pulls'),
    );

    const text = await answerInTenantB(h, bea, 'grant aks-prod contosoacr --for 2d nightly pulls again');
    expect(text).toContain('Access already exists');
    expect(text).toContain(`It is your request ${made.id}`);
    expect(text).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(text).not.toContain('to keep it longer');
    expect(text).not.toMatch(/extend R-/);
  });

  test('the outcome card of her request approved after the rule: no extend, why and the way on; revoke stays', async () => {
    const made = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d tenant b nightly pulls');
    // Filed by an earlier release for tenant B's Bea, still waiting.
    await recordedForTenantB(h, made);
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
  /** What acrbot answers Bea, of tenant B, in her chat with it. */
  const askAsBea = (text: string): Promise<string> => answerInTenantB(h, bea, text);

  test('"status" with no requests of hers: the way on, no grant or secret command', async () => {
    const text = await askAsBea('status');
    expect(text).toContain('You have no requests in this organisation (tenant).');
    expect(text).toContain(OTHER_TENANT_ASK_INSTEAD);
    expect(text).not.toMatch(/@acrbot (grant|secret)/);
  });

  test('"access" with nothing granted to her: the way on, no grant command', async () => {
    const text = await askAsBea('access');
    expect(text).toContain('acrbot has not granted anything for your requests yet.');
    expect(text).toContain(OTHER_TENANT_ASK_INSTEAD);
    expect(text).not.toMatch(/@acrbot (grant|secret)/);
  });

  test('acrbot\'s own tenant\'s "status" and "access" with nothing: the commands to ask, as before', async () => {
    const status = await h.ask(users.requester, 'status');
    expect(status).toContain('Ask for access with "@acrbot grant CLUSTER REGISTRY REASON…"');
    expect(status).not.toContain('guest account');
    const access = await h.ask(users.requester, 'access');
    expect(access).toContain('Ask with "@acrbot grant CLUSTER REGISTRY REASON…"');
  });
  test('"status R-…" of her failed request: its error without the pull secret command, why and the way on', async () => {
    const made = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d tenant b nightly pulls');
    // As an earlier release recorded it: tenant B's, failed at Azure's role assignment limit.
    const error =
      'Azure refused the role assignment on registry contosoacr. Nothing was granted. Meanwhile a pull secret ("@acrbot secret aks-prod contosoacr --kind token …", the default kind) needs no role assignment.';
    await h.app.store.update({
      ...made,
      version: made.version + 1,
      tenantId: OTHER_TENANT,
      requester: bea,
      state: 'failed',
      outcome: { summary: 'Failed', azureRequestIds: [], error, errorCode: 'azure.roleAssignmentLimit' },
    });
    const text = await askAsBea(`status ${made.id}`);
    expect(text).toContain('Nothing was granted.');
    expect(text).toContain(OTHER_TENANT_NO_ASK_AGAIN);
    expect(text).not.toMatch(/@acrbot (grant|secret|extend)/);
  });
});
