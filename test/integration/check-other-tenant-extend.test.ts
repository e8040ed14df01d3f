/**
 * `check`'s fix for a grant that ends soon, asked in tenant B, another allowed tenant than
 * acrbot's own (own-tenant.ts), through the real app: the grant an earlier release made for Bea
 * of tenant B is hers, but her extension is refused (as any request of hers is), so `check` does
 * not tell her to extend it, nor anyone else of tenant B to ask for a grant: it says why and what
 * to do instead, in her expiry reminder's words. acrbot's own tenant's requester is still told to
 * extend theirs.
 */
import { OTHER_TENANT_ASK_INSTEAD, OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/other-tenant-words';
import { SANDBOX_TENANT_ID } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { personalMessage, postActivity, type TeamsUser } from '../helpers/teams-activities';

const OTHER_TENANT = '9e9e9e9e-0000-4000-8000-000000000f0f';
const bea: TeamsUser = { objectId: '9b000000-0000-4000-8000-0000000000b1', name: 'Bea Other', teamsId: '29:bea-other' };
const blake: TeamsUser = { objectId: '9b000000-0000-4000-8000-0000000000b2', name: 'Blake Other', teamsId: '29:blake' };

describe("check, asked from another tenant than acrbot's own, of a grant that ends soon", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ ACRBOT_ALLOWED_TENANTS: `${SANDBOX_TENANT_ID},${OTHER_TENANT}` });
  });
  afterEach(() => h.stop());

  /** What acrbot answers `user` of tenant B in a personal chat for `text`. */
  async function inTenantB(user: TeamsUser, text: string): Promise<string> {
    const before = h.connector.calls.length;
    const res = await postActivity(
      h.app.url,
      personalMessage(user, text, { serviceUrl: h.serviceUrl, tenantId: OTHER_TENANT }),
    );
    expect(res.status).toBe(200);
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && cardText(c.activity) !== '',
      10_000,
      `an answer to "${text}"`,
    );
    return cardText(reply.activity);
  }

  test('its requester is told what to do instead of extending it; anyone else of tenant B, instead of a grant', async () => {
    const made = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d tenant b nightly pulls');
    await h.click(users.approver, 'approve', { requestId: made.id });
    const done = await h.settle(made.id);
    expect(done.state).toBe('succeeded');
    // As an earlier release recorded it: tenant B's requester.
    await h.app.store.update({ ...done, version: done.version + 1, tenantId: OTHER_TENANT, requester: bea });

    const hers = await inTenantB(bea, 'check aks-prod contosoacr');
    expect(hers).toContain(made.id);
    expect(hers).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(hers).not.toMatch(/@acrbot (extend|grant)/);

    const his = await inTenantB(blake, 'check aks-prod contosoacr');
    expect(his).toContain(
      `Neither an extension of ${made.id} nor a grant of your own can be asked for from another tenant`,
    );
    expect(his).toContain(OTHER_TENANT_ASK_INSTEAD);
    expect(his).not.toMatch(/@acrbot (extend|grant)/);
  });

  test("acrbot's own tenant's requester is told to extend theirs, as before", async () => {
    const made = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2d deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: made.id });
    expect((await h.settle(made.id)).state).toBe('succeeded');
    const own = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(own).toContain(`Extend before it ends: @acrbot extend ${made.id} REASON…`);
    expect(own).not.toContain('guest account');
  });
});
