/**
 * typed-names.ts: a cluster and a registry written as a command must name them. Each form is
 * read back by the parser the commands use (names.ts), and must name the same resource: the id
 * by default, the form the user typed when they named it so themselves (a plan records it), the
 * bare name when every one listed shows no namesake.
 */
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import {
  clusterResourceId,
  registryResourceId,
  typedCluster,
  typedNames,
  typedPair,
  typedRegistry,
  uniqueName,
} from '../../src/domain/typed-names';

const SUB = '2f0c0000-0000-4000-8000-000000000002';
const cluster = { name: 'aks-prod', resourceGroup: 'rg-aks', subscriptionId: SUB };
const registry = { name: 'sharedacr', resourceGroup: 'rg-shared-data', subscriptionId: SUB };

describe('typedCluster', () => {
  test('by default its full resource id, which the parser reads back as this cluster', () => {
    const text = typedCluster(cluster);
    expect(text).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod`,
    );
    expect(parseClusterRef(text)).toEqual({ kind: 'id', ...cluster });
    expect(text).toBe(clusterResourceId(cluster));
  });

  test('the form the user typed, when it resolved to it', () => {
    expect(typedCluster(cluster, 'name')).toBe('aks-prod');
    expect(typedCluster(cluster, 'groupAndName')).toBe('rg-aks/aks-prod');
    expect(parseClusterRef(typedCluster(cluster, 'groupAndName'))).toEqual({
      kind: 'groupAndName',
      resourceGroup: 'rg-aks',
      name: 'aks-prod',
    });
    expect(typedCluster(cluster, 'id')).toBe(clusterResourceId(cluster));
  });

  test('a resource group with every character Azure allows in one still reads back', () => {
    const odd = { ...cluster, resourceGroup: 'rg-münchen.(prod)_1' };
    expect(parseClusterRef(typedCluster(odd))).toEqual({ kind: 'id', ...odd });
    expect(parseClusterRef(typedCluster(odd, 'groupAndName'))).toMatchObject({ resourceGroup: odd.resourceGroup });
  });
});

describe('typedRegistry', () => {
  test('by default its full resource id, the only form that never names two registries', () => {
    const text = typedRegistry(registry);
    expect(text).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-shared-data/providers/Microsoft.ContainerRegistry/registries/sharedacr`,
    );
    expect(parseRegistryRef(text)).toEqual({ kind: 'id', ...registry });
    expect(text).toBe(registryResourceId(registry));
  });

  test('its bare name only when the user typed that and it resolved to it', () => {
    expect(typedRegistry(registry, 'name')).toBe('sharedacr');
    expect(typedRegistry(registry, 'id')).toBe(registryResourceId(registry));
  });
});

test('typedPair: cluster then registry, each by its own form', () => {
  const pair = { cluster, registry };
  expect(typedPair(pair)).toBe(`${clusterResourceId(cluster)} ${registryResourceId(registry)}`);
  expect(typedPair(pair, { cluster: 'name', registry: 'name' })).toBe('aks-prod sharedacr');
  expect(typedPair(pair, { cluster: 'groupAndName' })).toBe(`rg-aks/aks-prod ${registryResourceId(registry)}`);
});

describe("typedPair and typedNames: a plan's own recorded forms by default", () => {
  test('a plan that recorded how it was typed repeats it; one stored before names the ids', () => {
    const planned = { cluster, registry, typed: { cluster: 'groupAndName', registry: 'name' } as const };
    expect(typedPair(planned)).toBe('rg-aks/aks-prod sharedacr');
    expect(typedNames(planned)).toEqual({ cluster: 'rg-aks/aks-prod', registry: 'sharedacr' });
    expect(typedPair({ cluster, registry })).toBe(`${clusterResourceId(cluster)} ${registryResourceId(registry)}`);
  });

  test('forms given explicitly win over the recorded ones', () => {
    const planned = { cluster, registry, typed: { cluster: 'name', registry: 'name' } as const };
    expect(typedPair(planned, {})).toBe(`${clusterResourceId(cluster)} ${registryResourceId(registry)}`);
  });
});

describe('uniqueName: the bare name only when none of those listed shares it', () => {
  const OTHER = '2f0c0000-0000-4000-8000-000000000003';
  const elsewhere = { ...registry, subscriptionId: OTHER };
  const other = { ...registry, name: 'contosoacr' };

  test('alone in the listing: its bare name, which writes back bare', () => {
    expect(uniqueName(registry, [registry, other])).toBe('name');
    expect(typedRegistry(registry, uniqueName(registry, [other, registry]))).toBe('sharedacr');
  });

  test('a namesake in another subscription, or in other letter case: the id', () => {
    expect(uniqueName(registry, [registry, elsewhere])).toBeUndefined();
    expect(uniqueName(registry, [registry, { ...elsewhere, name: 'SharedACR' }])).toBeUndefined();
    expect(typedRegistry(registry, uniqueName(registry, [registry, elsewhere]))).toBe(registryResourceId(registry));
  });

  test('recognised in the listing whatever the letter case of its parts', () => {
    const listed = { ...cluster, name: 'AKS-Prod', resourceGroup: 'RG-AKS', subscriptionId: SUB.toUpperCase() };
    expect(uniqueName(cluster, [listed])).toBe('name');
  });

  test('not in the listing, or no listing (one cut short proves nothing): the id', () => {
    expect(uniqueName(registry, [other])).toBeUndefined();
    expect(uniqueName(registry, [elsewhere])).toBeUndefined();
    expect(uniqueName(registry, undefined)).toBeUndefined();
    expect(uniqueName(registry, [])).toBeUndefined();
  });
});
