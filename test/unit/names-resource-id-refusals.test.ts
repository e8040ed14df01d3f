/**
 * A full resource id given for a cluster or registry is held to what the short forms are: the
 * right provider and type, and a resource group Azure could have named.
 */
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import { SUB } from './support/requests';

const aks = (group: string, type = 'managedClusters') =>
  `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.ContainerService/${type}/aks-prod`;
const acr = (type: string, name = 'contosoacr') =>
  `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/${type}/${name}`;

test('a cluster id is accepted with a valid resource group', () => {
  expect(parseClusterRef(aks('rg-aks'))).toMatchObject({ kind: 'id', resourceGroup: 'rg-aks', name: 'aks-prod' });
});

test.each(['rg.', 'rg x'])('a cluster id whose resource group is %j is refused', (group) => {
  expect(() => parseClusterRef(aks(group))).toThrow(/is not a valid resource group/);
});

test('a fleet id is not a cluster id', () => {
  expect(() => parseClusterRef(aks('rg-aks', 'fleets'))).toThrow(/AKS resource id/);
});

test('a registry id must name a registry, not one of its webhooks', () => {
  expect(parseRegistryRef(acr('registries'))).toMatchObject({ kind: 'id', name: 'contosoacr' });
  expect(() => parseRegistryRef(acr('webhooks', 'x'))).toThrow(/ACR resource id/);
});
