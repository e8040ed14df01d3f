/**
 * `check`'s fix for a grant that ends soon, asked in tenant B, another allowed tenant than
 * acrbot's own (own-tenant.ts), through the real app: the grant an earlier release made for Bea
 * of tenant B is hers, but her extension is refused (as any request of hers is), so `check` does
 * not tell her to extend it, nor anyone else of tenant B to ask for a grant: it says why and what
 * to do instead, in her expiry reminder's words. acrbot's own tenant's requester is still told to
 * extend theirs.
 */
import { OTHER_TENANT_ASK_INSTEAD, OTHER_TENANT_NO_EXTEND_NOTE } from '../../src/domain/other-tenant-words';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { answerInTenantB, bea, blake, recordedForTenantB, SERVING_TENANT_B } from '../helpers/tenant-b';

describe("check, asked from another tenant than acrbot's own, of a grant that ends soon", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(SERVING_TENANT_B);
  });
  afterEach(() => h.stop());

  test('its requester is told what to do instead of extending it; anyone else of tenant B, instead of a grant', async () => {
    // As an earlier release recorded it: tenant B's requester.
    const made = await recordedForTenantB(
      h,
      await grantApproved(h, 'aks-prod contosoacr --for 2d tenant b nightly pulls'),
    );

    const hers = await answerInTenantB(h, bea, 'check aks-prod contosoacr');
    expect(hers).toContain(made.id);
    expect(hers).toContain(OTHER_TENANT_NO_EXTEND_NOTE);
    expect(hers).not.toMatch(/@acrbot (extend|grant)/);

    const his = await answerInTenantB(h, blake, 'check aks-prod contosoacr');
    expect(his).toContain(
      `Neither an extension of ${made.id} nor a grant of your own can be asked for from another tenant`,
    );
    expect(his).toContain(OTHER_TENANT_ASK_INSTEAD);
    expect(his).not.toMatch(/@acrbot (extend|grant)/);
  });

  test("acrbot's own tenant's requester is told to extend theirs, as before", async () => {
    const made = await grantApproved(h, 'aks-prod contosoacr --for 2d deploy payments-api');
    const own = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(own).toContain(`Extend before it ends: @acrbot extend ${made.id} REASON…`);
    expect(own).not.toContain('guest account');
  });
});
