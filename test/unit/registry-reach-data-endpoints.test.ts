/**
 * A registry reached through private endpoints: the cluster's network must resolve its login
 * server and its data endpoints (LABEL.REGION.data.azurecr.io, LABEL the login server's first
 * label, one per replica region, where the layers come from) to one of them, or pulls fail on the
 * first layer. The home region is named when ARM gave the registry's location, and the endpoints
 * are counted in plain words.
 */
import type { RegistryInfo, RegistryNetwork } from '../../src/domain/azure-model';
import { registryFromWire } from '../../src/integrations/azure/arm-wire';
import { registryReach } from '../../src/domain/registry-reach';
import { open, registry } from './support/pull-diagnosis-fixtures';

const closed = (privateEndpoints: number): RegistryNetwork => ({
  ...open,
  publicNetworkAccess: 'Disabled',
  privateEndpoints,
});

test('one private endpoint, location known: the home data endpoint named, the replicas counted in', () => {
  expect(registryReach({ ...registry, location: 'westeurope' }, closed(1)).condition).toBe(
    "Public network access is disabled; the nodes must reach contosoacr through its private endpoint: the cluster's network must resolve contosoacr.azurecr.io and its data endpoints (contosoacr.westeurope.data.azurecr.io and one per other replica region) to it.",
  );
});

test('two private endpoints, location not known: a REGION placeholder, and "one of them"', () => {
  expect(registryReach(registry, closed(2)).condition).toBe(
    "Public network access is disabled; the nodes must reach contosoacr through one of its 2 private endpoints: the cluster's network must resolve contosoacr.azurecr.io and its data endpoints (contosoacr.REGION.data.azurecr.io, one per replica region) to one of them.",
  );
});

test('behind a firewall with IP rules, the private endpoint way says the same', () => {
  const network = { ...open, defaultAction: 'Deny', ipRuleCount: 1, privateEndpoints: 1 };
  expect(registryReach({ ...registry, location: 'eastus2' }, network).condition).toContain(
    "or the nodes must reach contosoacr through its private endpoint: the cluster's network must resolve contosoacr.azurecr.io and its data endpoints (contosoacr.eastus2.data.azurecr.io and one per other replica region) to it.",
  );
});

test('a registry with a domain name label scope: its data endpoints are named after its login server (NAME-HASH), not its name', () => {
  const hashed = { ...registry, loginServer: 'contosoacr-e7a9bdc3f2hsd4e5.azurecr.io', location: 'westeurope' };
  expect(registryReach(hashed, closed(1)).condition).toContain(
    "the cluster's network must resolve contosoacr-e7a9bdc3f2hsd4e5.azurecr.io and its data endpoints (contosoacr-e7a9bdc3f2hsd4e5.westeurope.data.azurecr.io and one per other replica region) to it.",
  );
});

test("ARM's location is read with the registry (and nothing when it sent none)", () => {
  const id =
    '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';
  const read: RegistryInfo = registryFromWire({ id, name: 'contosoacr', location: 'westeurope', properties: {} });
  expect(read.location).toBe('westeurope');
  expect(registryFromWire({ id, name: 'contosoacr', properties: {} })).not.toHaveProperty('location');
});
