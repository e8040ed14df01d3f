/**
 * Card clicks keep to the clicker's tenant as the chat commands do (G2, tenant-boundary.ts): card
 * data is forgeable (G3). The Revoke confirmation: the policy's rules (and so their approver
 * groups) are the same for every tenant, so an approver of the sandbox tenant would otherwise
 * revoke another tenant's access by naming its id. The Cancel button: a request of another tenant
 * recorded under the clicker's object id is not theirs to withdraw from here. Such clicks read as
 * ones for no such request and change nothing; their own tenant's work as before.
 */
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { OTHER_TENANT } from '../helpers/tenant-b';

const TWO_TENANTS = { ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` };
const cardOf = (res: { body: any }) => cardText({ attachments: [{ content: res.body?.value }] });

describe("card clicks on another allowed tenant's request", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(TWO_TENANTS);
  });
  afterAll(async () => {
    await h?.stop();
  });

  test("an approver's click naming another tenant's grant is refused as not found, nothing revoked", async () => {
    const theirs = await h.requestGrant(users.requester, 'aks-legacy contosoacr tenant b nightly pulls');
    await h.click(users.approver, 'approve', { requestId: theirs.id });
    const done = await h.settle(theirs.id);
    expect(done.state).toBe('succeeded');
    await h.app.store.update({ ...done, version: done.version + 1, tenantId: OTHER_TENANT });

    const res = await h.click(users.approver, 'revokeConfirm', { requestId: theirs.id, reason: 'no longer needed' });
    await h.app.services.background.drain();
    expect(cardOf(res)).toContain(`There is no request ${theirs.id}`);
    const after = (await h.app.store.get(theirs.id))!;
    expect(after.state).toBe('succeeded');
    expect(after.access?.revokingSince).toBeUndefined();
    const audit = await h.app.audit.forRequest(theirs.id);
    expect(audit.map((e) => e.action)).not.toContain('access.revoke.requested');

    // Their own tenant's grant, clicked the same way, is revoked.
    const own = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: own.id });
    expect((await h.settle(own.id)).state).toBe('succeeded');
    await h.click(users.approver, 'revokeConfirm', { requestId: own.id, reason: 'no longer needed' });
    // The click answers "Revoking" and runs the revocation after the turn, as background work.
    await h.app.services.background.drain();
    expect((await h.app.store.get(own.id))!.state).toBe('revoked');
  });

  test("a Cancel click on another tenant's pending request under the clicker's object id is refused, nothing cancelled", async () => {
    const pending = await h.requestGrant(users.outsider, 'aks-legacy contosoacr batch jobs need images');
    await h.app.store.create({ ...pending, id: 'R-TENANTB2', tenantId: OTHER_TENANT, reason: 'TENANT-B PENDING' });
    const res = await h.click(users.outsider, 'cancel', { requestId: 'R-TENANTB2' });
    expect(cardOf(res)).toContain('There is no request R-TENANTB2');
    expect((await h.app.store.get('R-TENANTB2'))!.state).toBe('pending');
    // Their own, clicked the same way, is cancelled.
    await h.click(users.outsider, 'cancel', { requestId: pending.id });
    expect((await h.app.store.get(pending.id))!.state).toBe('cancelled');
  });

  // The refusal reads the request again to redraw it for its requester: another tenant's, though
  // the clicker's object id is its requester's, is not redrawn (reason, cluster, a Cancel button).
  test("the refused Cancel click shows nothing of the other tenant's request", async () => {
    const pending = await h.requestGrant(users.outsider, 'aks-legacy contosoacr batch jobs need images');
    await h.app.store.create({ ...pending, id: 'R-TENANTB4', tenantId: OTHER_TENANT, reason: 'TENANT-B PENDING' });
    const res = await h.click(users.outsider, 'cancel', { requestId: 'R-TENANTB4' });
    expect(cardOf(res)).toContain('There is no request R-TENANTB4');
    expect(cardOf(res)).not.toContain('TENANT-B');
  });
});
