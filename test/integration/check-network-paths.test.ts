/**
 * `check` against the emulated ARM, on both ends of the network path acrbot cannot see past: a
 * registry reached through a private endpoint names its data endpoints (in the registry's region,
 * as ARM gives its location) besides its login server; a cluster whose outbound type gives its
 * nodes no egress (`none`, `block`) pulls only through a private endpoint (or, when the registry
 * has none, a path its network gives), and its verdict says so; one routed through the
 * customer's own routes (`userDefinedRouting`) is said to go through a firewall acrbot cannot see,
 * which must allow the login server and where layers come from (the registry's dedicated data
 * endpoints when ARM says they are on, Azure Storage when off). A cluster on AKS's default load
 * balancer gets none of that.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import type { ClusterRecord } from '../../src/sandbox/arm/clusters';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

describe("check and the network path's two ends", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    // The cluster pulls through a role: only the network qualifies the verdict.
    const { state } = h.app.sandbox!.arm;
    state.addRoleAssignment({
      scope: sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso),
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
    });
  });
  afterEach(() => h.stop());

  const contoso = () =>
    h.app.sandbox!.arm.state.getRegistry(sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso))!;
  const prod = (): ClusterRecord =>
    h.app.sandbox!.arm.state.getCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod))!;

  test("public access closed, one private endpoint: the login server and the data endpoint of the registry's region", async () => {
    contoso().publicNetworkAccess = 'Disabled';
    contoso().privateEndpoints = ['pe-aks'];
    const text = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(text).toContain(
      `through its private endpoint: the cluster's network must resolve contosoacr.azurecr.io and its data endpoints (contosoacr.${contoso().location}.data.azurecr.io and one per other replica region) to it.`,
    );
    expect(text).toContain('aks-prod can pull from contosoacr, if its nodes reach it through a private endpoint:');
  });

  test.each(['none', 'block'] as const)(
    'outbound type %s: the verdict holds only through a path the network gives (a private endpoint when the registry has one), and a finding says why',
    async (outboundType) => {
      prod().outboundType = outboundType;
      const text = await h.ask(users.requester, 'check aks-prod contosoacr');
      expect(text).toContain(`aks-prod's outbound type is ${outboundType}:`);
      expect(text).toContain('aks-prod can pull from contosoacr, if its network gives its nodes a path to it:');
      contoso().privateEndpoints = ['pe-aks'];
      expect(await h.ask(users.requester, 'check aks-prod contosoacr')).toContain(
        'aks-prod can pull from contosoacr, if its nodes reach it through a private endpoint:',
      );
    },
  );

  test("userDefinedRouting: egress through the customer's firewall, which acrbot cannot see, and what it must allow", async () => {
    prod().outboundType = 'userDefinedRouting';
    // ARM's default: no dedicated data endpoints, so layers come from Azure Storage.
    expect(contoso().dataEndpointEnabled).toBe(false);
    const text = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(text).toContain(
      "aks-prod's egress goes through user-defined routes (outbound type userDefinedRouting), usually your firewall: it must allow contosoacr.azurecr.io and *.blob.core.windows.net, where the registry's layers come from (it has no dedicated data endpoints); acrbot cannot see it.",
    );
    expect(text).toContain('aks-prod can pull from contosoacr: AcrPull');
    contoso().dataEndpointEnabled = true;
    expect(await h.ask(users.requester, 'check aks-prod contosoacr')).toContain(
      `it must allow contosoacr.azurecr.io and the registry's dedicated data endpoints (contosoacr.${contoso().location}.data.azurecr.io and one per other replica region), where its layers come from; acrbot cannot see it.`,
    );
  });

  test("AKS's default load balancer: nothing said of the cluster's egress, the verdict unqualified", async () => {
    expect(prod().outboundType).toBe('loadBalancer');
    const text = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(text).not.toContain('outbound type');
    expect(text).toContain('aks-prod can pull from contosoacr: AcrPull');
  });
});
