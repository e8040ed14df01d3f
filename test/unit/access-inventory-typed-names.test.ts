/**
 * The commands the access inventory suggests name a cluster so that, copied, they reach it
 * (typed-names.ts): as the asker typed it when they named it (`access CLUSTER`, `check`), else
 * by its bare name when no other cluster of the allowed subscriptions, all listed, has that name
 * (letter case aside), else by its resource id. Seen in the pull-secret command of a
 * service-principal cluster whose service principal Graph refused to look up (403).
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { CloudApiError } from '../../src/domain/ports';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { clusterAccessCard } from '../../src/views/access-view';
import { FakeClock } from './support/fake-clock';

const SUB_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const SUB_B = 'bbbbbbbb-0000-4000-8000-00000000000b';

/** A cluster pulling with service principal `app-<name>`, in `sub`'s resource group `rg`. */
function spCluster(sub: string, name: string): ClusterInfo {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: 'rg',
    identity: { servicePrincipalClientId: `app-${name}` },
    aadEnabled: false,
  };
}
const legacy = spCluster(SUB_A, 'aks-legacy');
// Namesakes, one in each subscription, the second spelled in other letter case (ARM's names are not case-sensitive).
const twinA = spCluster(SUB_A, 'aks-twin');
const twinB = spCluster(SUB_B, 'AKS-Twin');

const registry: RegistryInfo = {
  id: `/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr`,
  name: 'contosoacr',
  subscriptionId: SUB_A,
  resourceGroup: 'rg',
  loginServer: 'contosoacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};

/** The inventory over subscriptions A and B, in which Graph refuses every service principal lookup. */
function inventory(resolved: ClusterInfo = legacy): AccessInventory {
  const clusters: Record<string, ClusterInfo[]> = { [SUB_A]: [legacy, twinA], [SUB_B]: [twinB] };
  const ports = {
    azure: {
      listClusters: async (s: string) => clusters[s] ?? [],
      listRegistries: async () => [],
    },
    roleAssignments: {
      listInSubscription: async () => [],
      listAtOrAbove: async () => [],
      getRoleDefinition: async () => undefined,
    },
    directory: {
      servicePrincipalObjectId: async () => {
        throw new CloudApiError('Authorization_RequestDenied', 403, 'service principal lookup by app id failed');
      },
      memberGroupsAmong: async () => [],
    },
    requests: new MemoryRequestStore(),
    clock: new FakeClock(),
  } as unknown as AccessInventoryPorts;
  const resolver = {
    resolveCluster: async () => resolved,
    resolveRegistry: async () => registry,
  } as unknown as ResourceResolver;
  return new AccessInventory(ports, resolver, [SUB_A, SUB_B]);
}

/** The pull-secret command in `problem`, up to its placeholder. */
const secretCommand = (problem: string | undefined) => /@acrbot secret (\S+) REGISTRY/.exec(problem ?? '')?.[1];

describe('nobody typed them (the matrix, `access REGISTRY`): the bare name when it is unique, else the id', () => {
  test.each([
    ['the matrix', () => inventory().matrix()],
    ['access REGISTRY', () => inventory().forRegistry('contosoacr')],
  ])('%s', async (_name, read) => {
    const { unresolvedClusters } = await read();
    const commands = new Map(unresolvedClusters.map((u) => [u.cluster.id, secretCommand(u.problem)]));
    expect(commands).toEqual(
      new Map([
        [legacy.id, 'aks-legacy'],
        [twinA.id, twinA.id],
        [twinB.id, twinB.id],
      ]),
    );
  });
});

describe('`access CLUSTER`: as the asker typed it, since it resolved to this cluster', () => {
  test.each([
    ['a bare name', 'AKS-LEGACY', 'aks-legacy'],
    ['group/name', 'rg/aks-legacy', 'rg/aks-legacy'],
    ['its id, though its bare name is unique', legacy.id, legacy.id],
  ])('%s', async (_name, typed, written) => {
    const report = await inventory().forCluster(typed);
    expect(secretCommand(report.identityProblem)).toBe(written);
    // The card's own hint, when it can pull from nothing, names it the same way.
    expect(JSON.stringify(clusterAccessCard(report, false))).toContain(
      `Use a pull secret: \\"@acrbot secret ${written} REGISTRY --namespace NAMESPACE REASON…\\"`,
    );
  });

  test('a namesake elsewhere does not matter: the form typed named this one alone', async () => {
    const report = await inventory(twinA).forCluster('rg/aks-twin');
    expect(secretCommand(report.identityProblem)).toBe('rg/aks-twin');
  });
});
