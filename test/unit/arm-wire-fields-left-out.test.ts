/**
 * What arm-wire.ts makes of ARM's fields when they are left out or hold what means "no": a field
 * Azure did not send is never read as the stricter setting, and only connections a private
 * endpoint can carry traffic over count as private endpoints.
 */
import {
  clusterFromWire,
  registryFromWire,
  roleAssignmentFromWire,
  type WireManagedCluster,
  type WireRegistry,
} from '../../src/integrations/azure/arm-wire';

const clusterId =
  '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-x';
const registryId =
  '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';

const cluster = (properties: Record<string, unknown>): WireManagedCluster =>
  ({ id: clusterId, name: 'aks-x', properties }) as WireManagedCluster;
const registry = (properties: Record<string, unknown>): WireRegistry =>
  ({ id: registryId, name: 'contosoacr', properties }) as WireRegistry;

describe('a managed cluster', () => {
  // Local accounts read as disabled would take the static-credential path away from a cluster that has it.
  test.each([
    [{}, false],
    [{ disableLocalAccounts: null }, false],
    [{ disableLocalAccounts: false }, false],
    [{ disableLocalAccounts: true }, true],
  ])('properties %j: local accounts disabled is %s', (properties, expected) => {
    expect(clusterFromWire(cluster(properties)).localAccountsDisabled).toBe(expected);
  });

  test.each([
    ['   ', false],
    ['', false],
    ['aks-x-1a2b3c.privatelink.westeurope.azmk8s.io', true],
  ])('a privateFQDN of %j: private is %s', (privateFQDN, expected) => {
    expect(clusterFromWire(cluster({ privateFQDN })).privateCluster).toBe(expected);
  });
});

describe('a registry', () => {
  test('no roleAssignmentMode sent: the legacy registry permissions, as ARM defaults it', () => {
    expect(registryFromWire(registry({ loginServer: 'contosoacr.azurecr.io' })).roleAssignmentMode).toBe(
      'LegacyRegistryPermissions',
    );
  });

  test('only approved private endpoint connections count (one without a state is taken as approved)', () => {
    const connection = (status?: string) => ({
      properties: status === undefined ? {} : { privateLinkServiceConnectionState: { status } },
    });
    const read = registryFromWire(
      registry({
        privateEndpointConnections: [
          connection('Approved'),
          connection('Pending'),
          connection('Rejected'),
          connection('Disconnected'),
          connection(),
        ],
      }),
    );
    expect(read.network?.privateEndpoints).toBe(2);
  });
});

describe('a role assignment', () => {
  const assignment = (properties: Record<string, unknown>) =>
    roleAssignmentFromWire({ id: '/x/roleAssignments/a1', name: 'a1', properties });

  test('an ABAC condition is kept: an assignment with one is no unconditional access', () => {
    const condition = "@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringEquals 'app'";
    expect(assignment({ condition }).condition).toBe(condition);
    expect(assignment({ condition: null }).condition).toBeUndefined();
  });

  test('an empty or missing createdOn is no time Azure made it', () => {
    expect(assignment({ createdOn: '' })).not.toHaveProperty('createdOn');
    expect(assignment({ createdOn: null })).not.toHaveProperty('createdOn');
    expect(assignment({ createdOn: '2026-01-02T03:04:05Z' }).createdOn).toBe('2026-01-02T03:04:05Z');
  });
});
