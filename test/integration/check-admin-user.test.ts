/**
 * `check` against the emulated ARM, for a registry whose admin user is on: a password acrbot
 * neither grants nor sees pulls whatever the roles say, so every verdict, pulls or not, says so;
 * a registry with it off says nothing of it. A "cannot pull" verdict says what it looked at, so
 * it is not read as "nothing can pull" (a credential leaked from elsewhere still can). `access`
 * and the tab say the same sentence of the registry.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES } from '../../src/sandbox/fixtures';
import { matrixRows } from '../../src/tab/tab-rows';
import { clusterAccessCard, registryAccessCard } from '../../src/views/access-view';
import { type Harness, startHarness, users } from '../helpers/harness';

const admin = (name: string): string =>
  `The registry's admin user is enabled: anything holding its password pulls, whatever acrbot grants (az acr update --subscription ${SANDBOX_REGISTRIES.contoso.subscriptionId} -n ${name} --admin-enabled false).`;
const scope = "and acrbot's pull secrets give none (pull secrets and tokens made outside acrbot are not checked).";

describe('check and the registry admin user', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    const { subscriptionId, resourceGroup } = SANDBOX_REGISTRIES.contoso;
    const state = h.app.sandbox!.arm.state;
    state.addRegistry({ subscriptionId, resourceGroup, name: 'adminonacr', adminUserEnabled: true });
    state.addRegistry({ subscriptionId, resourceGroup, name: 'adminoffacr', adminUserEnabled: false });
  });
  afterEach(() => h.stop());

  test('admin user on, no role: the cannot-pull verdict says its scope, then that the admin password pulls', async () => {
    const text = await h.ask(users.requester, 'check aks-prod adminonacr');
    expect(text).toContain(
      `aks-prod cannot pull from adminonacr: its identity has no role that carries pull on the registry, ${scope} ${admin('adminonacr')}`,
    );
  });

  test('admin user on, a pull role: the can-pull verdict says it too', async () => {
    const { subscriptionId, resourceGroup } = SANDBOX_REGISTRIES.contoso;
    const registry = h.app.sandbox!.arm.state.addRegistry({
      subscriptionId,
      resourceGroup,
      name: 'adminpullacr',
      adminUserEnabled: true,
    });
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registry.id,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
    });
    const text = await h.ask(users.requester, 'check aks-prod adminpullacr');
    expect(text).toContain('aks-prod can pull from adminpullacr: AcrPull on the registry itself');
    expect(text).toContain(admin('adminpullacr'));
  });

  test('admin user off: nothing is said of it; the cannot-pull verdict still says its scope', async () => {
    const text = await h.ask(users.requester, 'check aks-prod adminoffacr');
    expect(text).toContain(
      `aks-prod cannot pull from adminoffacr: its identity has no role that carries pull on the registry, ${scope}`,
    );
    expect(text).not.toContain('admin user');
  });

  test("access CLUSTER, access REGISTRY and the tab's rows say it in check's words; not of a registry with it off", async () => {
    const { subscriptionId, resourceGroup } = SANDBOX_REGISTRIES.contoso;
    const state = h.app.sandbox!.arm.state;
    state.addRegistry({ subscriptionId, resourceGroup, name: 'adminpullacr', adminUserEnabled: true });
    for (const registry of state.listRegistries().filter((r) => ['adminpullacr', 'adminoffacr'].includes(r.name))) {
      state.addRoleAssignment({
        scope: registry.id,
        roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
        principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
      });
    }
    const byCluster = JSON.stringify(clusterAccessCard(await h.app.services.inventory.forCluster('aks-prod'), true));
    expect(byCluster).toContain(JSON.stringify(admin('adminpullacr')).slice(1, -1));
    expect(byCluster).toContain('adminoffacr');
    expect(byCluster).not.toContain('-n adminoffacr');
    const byRegistry = JSON.stringify(
      registryAccessCard(await h.app.services.inventory.forRegistry('adminpullacr'), true),
    );
    expect(byRegistry).toContain(JSON.stringify(admin('adminpullacr')).slice(1, -1));
    expect(
      JSON.stringify(registryAccessCard(await h.app.services.inventory.forRegistry('adminoffacr'), true)),
    ).not.toContain('admin user');
    const rows = matrixRows(await h.app.services.inventory.matrix());
    const notes = (name: string) => rows.filter((r) => r.registry.name === name).flatMap((r) => r.notes ?? []);
    expect(notes('adminpullacr')).toContain(admin('adminpullacr'));
    expect(notes('adminoffacr')).not.toContain(admin('adminoffacr'));
    expect(rows.some((r) => r.registry.name === 'adminoffacr')).toBe(true);
  });
});
