/**
 * A registry's provisioning state, from ARM's JSON to acrbot's model (arm-wire.ts), and as the
 * sandbox's ARM emulator answers it.
 */
import {
  registryFromWire,
  registryProvisioningStateFromWire,
  type WireRegistry,
} from '../../src/integrations/azure/arm-wire';
import { registryRecord, registryToWire, setRegistryProvisioningState } from '../../src/sandbox/arm/registries';

const id =
  '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';

function registry(properties: Record<string, unknown>): WireRegistry {
  return { id, name: 'contosoacr', properties } as WireRegistry;
}

describe('provisioningState read from ARM', () => {
  test.each([
    ['Succeeded', 'Succeeded'],
    ['Deleting', 'Deleting'],
    ['deleting', 'Deleting'],
    [' Failed ', 'Failed'],
    ['Canceled', 'Canceled'],
    ['Creating', 'Creating'],
    ['Updating', 'Updating'],
    // A state acrbot does not know, or a malformed one: unknown, never a crash nor a guess.
    ['Migrating', 'unknown'],
    [7, 'unknown'],
    [{ state: 'Deleting' }, 'unknown'],
    [null, undefined],
    [undefined, undefined],
  ])('provisioningState %j → %s', (wire, expected) => {
    expect(registryProvisioningStateFromWire(wire)).toBe(expected);
    expect(registryFromWire(registry({ provisioningState: wire })).provisioningState).toBe(expected);
  });

  test('no state reported: none in the model', () => {
    expect(registryFromWire(registry({ loginServer: 'contosoacr.azurecr.io' }))).not.toHaveProperty(
      'provisioningState',
    );
  });
});

describe('the ARM emulator', () => {
  const spec = { subscriptionId: '1f0c0000-0000-4000-8000-000000000001', resourceGroup: 'rg-acr', name: 'contosoacr' };

  test('answers Succeeded by default, the seeded state, and a state set later', () => {
    const wireState = (r: ReturnType<typeof registryRecord>) =>
      registryFromWire(registryToWire(r) as WireRegistry).provisioningState;
    expect(wireState(registryRecord(spec))).toBe('Succeeded');
    expect(wireState(registryRecord({ ...spec, provisioningState: 'Failed' }))).toBe('Failed');
    const record = registryRecord(spec);
    setRegistryProvisioningState(record, 'Deleting');
    expect(wireState(record)).toBe('Deleting');
  });
});
