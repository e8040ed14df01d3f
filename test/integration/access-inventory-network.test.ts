/**
 * `access CLUSTER` against the emulators: a registry with anonymous pull is one the cluster pulls
 * from, as `check` says, with no role; one nothing can reach is not, anonymous pull or not.
 */
import { SANDBOX_REGISTRIES } from '../../src/sandbox/fixtures';
import { clusterAccessCard } from '../../src/views/access-view';
import { type Harness, startHarness } from '../helpers/harness';

describe('access and the registry network', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    const { subscriptionId, resourceGroup } = SANDBOX_REGISTRIES.contoso;
    const state = h.app.sandbox!.arm.state;
    state.addRegistry({ subscriptionId, resourceGroup, name: 'openanonacr', anonymousPullEnabled: true });
    state.addRegistry({
      subscriptionId,
      resourceGroup,
      name: 'closedanonacr',
      sku: 'Premium',
      publicNetworkAccess: 'Disabled',
      anonymousPullEnabled: true,
    });
  });
  afterEach(() => h.stop());

  test('anonymous pull: access CLUSTER lists the registry it can reach, and check agrees', async () => {
    const report = await h.app.services.inventory.forCluster('aks-prod');
    expect(report.anonymousRegistries?.map((r) => r.name)).toEqual(['openanonacr']);
    expect((await h.app.services.inventory.check('aks-prod', 'openanonacr')).canPull).toBe(true);
    expect((await h.app.services.inventory.check('aks-prod', 'closedanonacr')).canPull).toBe(false);
    const card = JSON.stringify(clusterAccessCard(report, true));
    expect(card).toContain('openanonacr → openanonacr.azurecr.io');
    expect(card).toContain(
      'Anonymous pull is enabled: anyone who can reach openanonacr.azurecr.io can pull without a role.',
    );
    expect(card).not.toContain('closedanonacr');
  });
});
