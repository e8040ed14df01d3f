/**
 * A registry moved to another resource group while a grant on it runs, or while one waits for
 * approval: Azure has nothing at the id acrbot recorded, which it cannot tell from a deletion.
 * `extend` and the approved run's re-check say both, as the revocation does, and what to do if
 * it was moved (not-at-recorded-id.ts), instead of "no longer exists".
 */
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const NOT_AT_ID =
  'Registry contosoacr is no longer at its recorded id: deleted, or moved to another resource group or subscription';

describe('a registry moved to another resource group', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  test('extend says deleted or moved, and, if moved, to give acrbot Reader there and ask again with grant', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    h.app.sandbox!.arm.state.moveRegistry(contosoId, { resourceGroup: 'rg-acr-moved' });

    const reply = await h.ask(users.requester, `extend ${request.id} --for 1d rollout still going`);

    expect(reply).toContain(
      `${NOT_AT_ID}, so there is no access to extend. If it was moved, give acrbot Reader where it is now and ask again with "@acrbot grant aks-prod contosoacr REASON…".`,
    );
    expect(reply).not.toContain('no longer exists');
  });

  test('a grant approved after the move fails saying deleted or moved, nothing granted', async () => {
    const filed = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments');
    h.app.sandbox!.arm.state.moveRegistry(contosoId, { resourceGroup: 'rg-acr-moved' });

    await h.click(users.approver, 'approve', { requestId: filed.id });
    const done = await h.settle(filed.id);

    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('recheck.registryGone');
    expect(done.outcome?.error).toMatch(
      new RegExp(`^${NOT_AT_ID}, so nothing was granted\\. If it was moved, give acrbot Reader where it is now\\.`),
    );
  });
});
