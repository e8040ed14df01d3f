/**
 * A cluster's power state and private API server, from ARM's JSON to acrbot's model
 * (arm-wire.ts), and as the sandbox's ARM emulator answers and hands out kubeconfigs for them.
 */
import { clusterFromWire, powerStateFromWire, type WireManagedCluster } from '../../src/integrations/azure/arm-wire';
import { clusterRecord, clusterToWire, setClusterPowerState } from '../../src/sandbox/arm/clusters';
import { buildKubeconfig } from '../../src/sandbox/arm/kubeconfig';

const id =
  '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-x';

function cluster(properties: Record<string, unknown>): WireManagedCluster {
  return { id, name: 'aks-x', properties } as WireManagedCluster;
}

describe('powerState and the private API server read from ARM', () => {
  test.each([
    [{ code: 'Running' }, 'Running'],
    [{ code: 'Stopped' }, 'Stopped'],
    [{ code: 'stopped' }, 'Stopped'],
    // A code acrbot does not know, or a malformed one: unknown, never a crash nor a guess.
    [{ code: 'Deallocating' }, 'unknown'],
    [{ code: 42 }, 'unknown'],
    ['Stopped', 'unknown'],
    [{}, undefined],
    [null, undefined],
    [undefined, undefined],
  ])('powerState %j → %s', (wire, expected) => {
    expect(powerStateFromWire(wire)).toBe(expected);
    expect(clusterFromWire(cluster({ powerState: wire })).powerState).toBe(expected);
  });

  test('a private cluster by enablePrivateCluster or by its private FQDN; a public one is not', () => {
    expect(clusterFromWire(cluster({ apiServerAccessProfile: { enablePrivateCluster: true } })).privateCluster).toBe(
      true,
    );
    expect(clusterFromWire(cluster({ privateFQDN: 'aks-x-1234.privatelink.eastus.azmk8s.io' })).privateCluster).toBe(
      true,
    );
    expect(clusterFromWire(cluster({ fqdn: 'aks-x-1234.hcp.eastus.azmk8s.io' })).privateCluster).toBe(false);
    // Malformed values are not taken for a private cluster.
    expect(
      clusterFromWire(cluster({ apiServerAccessProfile: { enablePrivateCluster: 'yes' }, privateFQDN: 7 }))
        .privateCluster,
    ).toBe(false);
    expect(clusterFromWire(cluster({ apiServerAccessProfile: null })).privateCluster).toBe(false);
  });
});

describe('the ARM emulator', () => {
  const spec = {
    subscriptionId: '1f0c0000-0000-4000-8000-000000000001',
    resourceGroup: 'rg-aks',
    name: 'aks-x',
    identity: 'SystemAssigned' as const,
    aad: true,
    disableLocalAccounts: true,
    apiServerUrl: 'https://127.0.0.1:6443',
  };
  const server = (yaml: string) => /server: "([^"]+)"/.exec(yaml)?.[1];

  test('answers the power state it holds, Running by default, and points kubeconfigs nowhere while stopped', () => {
    const c = clusterRecord(spec, 'tenant');
    const props = () => (clusterToWire(c) as { properties: Record<string, any> }).properties;
    expect(props()['powerState']).toEqual({ code: 'Running' });
    expect(server(buildKubeconfig(c, { kind: 'user' }))).toBe('https://127.0.0.1:6443');
    setClusterPowerState(c, 'Stopped');
    expect(props()['powerState']).toEqual({ code: 'Stopped' });
    expect(props()['agentPoolProfiles'][0].powerState).toEqual({ code: 'Stopped' });
    expect(server(buildKubeconfig(c, { kind: 'user' }))).toBe(`https://${c.fqdn}:443`);
    expect(clusterFromWire(clusterToWire(c) as WireManagedCluster).powerState).toBe('Stopped');
  });

  test('a private cluster: enablePrivateCluster and privateFQDN, kubeconfigs at the private name unless reachable', () => {
    const c = clusterRecord({ ...spec, privateCluster: true }, 'tenant');
    const wire = clusterToWire(c) as { properties: Record<string, any> };
    expect(wire.properties['apiServerAccessProfile']).toMatchObject({ enablePrivateCluster: true });
    expect(wire.properties['privateFQDN']).toMatch(/\.privatelink\.eastus\.azmk8s\.io$/);
    expect(wire.properties['fqdn']).toBeUndefined();
    expect(server(buildKubeconfig(c, { kind: 'user' }))).toBe(`https://${wire.properties['privateFQDN']}:443`);
    expect(clusterFromWire(wire as WireManagedCluster).privateCluster).toBe(true);
    const reachable = clusterRecord({ ...spec, privateCluster: true, privateApiServerReachable: true }, 'tenant');
    expect(server(buildKubeconfig(reachable, { kind: 'user' }))).toBe('https://127.0.0.1:6443');
  });
});
