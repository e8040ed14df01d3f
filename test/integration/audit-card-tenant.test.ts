/**
 * A request's audit card, in its tenant's audit channel, shows that tenant's entries of it only,
 * as chat's `audit R-…` and the tab read a trail: an ask of it by a person of another allowed
 * tenant (`request.refused.tenant`, recorded in the asker's tenant with the request's id) names
 * that person, who must not be shown to this tenant (G2).
 */
import { SANDBOX_TENANT_ID, SANDBOX_USERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { personalMessage, postActivity } from '../helpers/teams-activities';
import { OTHER_TENANT } from '../helpers/tenant-b';

const AUDIT_CHANNEL = '19:acrbot-audit@thread.tacv2';

describe("a request's audit card and another tenant's ask of it", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      ACRBOT_AUDIT_CHANNEL: AUDIT_CHANNEL,
      ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}`,
    });
  });
  afterEach(async () => {
    await h.stop();
  });

  test('the ask is in the trail, but not on the request tenant’s audit card', async () => {
    const granted = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: granted.id });
    await h.settle(granted.id);
    // Someone of tenant B asks about the sandbox tenant's request by its id.
    const ask = personalMessage(users.outsider, `status ${granted.id}`, {
      serviceUrl: h.serviceUrl,
      tenantId: OTHER_TENANT,
    });
    expect((await postActivity(h.app.url, ask)).status).toBe(200);
    const asked = (await h.app.audit.forRequest(granted.id)).filter((e) => e.action === 'request.refused.tenant');
    expect(asked).toHaveLength(1);

    const request = (await h.app.store.get(granted.id))!;
    await h.app.services.messenger.syncAuditCard(request);
    const updates = h.connector.calls.filter((c) => c.conversationId === AUDIT_CHANNEL && c.op === 'update');
    const card = cardText(updates[updates.length - 1]!.activity);
    // The card was drawn now, from the whole trail of its tenant: its run is there, the ask is not.
    expect(card).toContain(`${granted.id} · grant · Granted`);
    expect(card).toContain('request.succeeded');
    expect(card).not.toContain('request.refused.tenant');
    expect(card).not.toContain(SANDBOX_USERS.outsider.name);
  });
});
