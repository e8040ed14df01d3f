/**
 * A registry's `adminUserEnabled`, from ARM's JSON to acrbot's model (arm-wire.ts), as the
 * sandbox's ARM emulator answers it, and what `check` says of it: only what ARM reported, never
 * a missing field taken for "off" or "on".
 */
import { registryFromWire, type WireRegistry } from '../../src/integrations/azure/arm-wire';
import { registryRecord, registryToWire } from '../../src/sandbox/arm/registries';
import { diagnose, open } from './support/pull-diagnosis-fixtures';

const id =
  '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';

function registry(properties: Record<string, unknown>): WireRegistry {
  return { id, name: 'contosoacr', properties } as WireRegistry;
}

const ADMIN =
  "The registry's admin user is enabled: anything holding its password pulls, whatever acrbot grants (az acr update --subscription 00000000-0000-4000-8000-000000000001 -n contosoacr --admin-enabled false).";

test('read from ARM: true and false as said, absent when not reported', () => {
  expect(registryFromWire(registry({ adminUserEnabled: true })).network?.adminUserEnabled).toBe(true);
  expect(registryFromWire(registry({ adminUserEnabled: false })).network?.adminUserEnabled).toBe(false);
  expect(registryFromWire(registry({})).network).not.toHaveProperty('adminUserEnabled');
});

test('the emulator answers the property as stored, and false by default', () => {
  const spec = { subscriptionId: '1f0c0000-0000-4000-8000-000000000001', resourceGroup: 'rg-acr', name: 'contosoacr' };
  for (const adminUserEnabled of [true, false]) {
    const wire = registryToWire(registryRecord({ ...spec, adminUserEnabled })) as WireRegistry;
    expect(registryFromWire(wire).network?.adminUserEnabled).toBe(adminUserEnabled);
  }
  expect((registryToWire(registryRecord(spec)) as WireRegistry).properties).toMatchObject({ adminUserEnabled: false });
});

test('check: the sentence after the verdict when on; nothing when off or not reported', () => {
  expect(diagnose({ network: { ...open, adminUserEnabled: true } }).verdict).toMatch(
    new RegExp(`not checked\\)\\. ${ADMIN.replace(/[.()]/g, '\\$&')}$`),
  );
  for (const network of [{ ...open, adminUserEnabled: false }, open])
    expect(diagnose({ network }).verdict).not.toContain('admin user');
});

test('check: nothing reaches the registry, so the password pulls only once something can', () => {
  const d = diagnose({ network: { ...open, publicNetworkAccess: 'Disabled', adminUserEnabled: true } });
  expect(d.verdict).toBe(
    "aks-prod cannot pull from contosoacr: the registry cannot be reached from any network. The registry's admin user is enabled: anything holding its password pulls (once something can reach the registry; nothing can now), whatever acrbot grants (az acr update --subscription 00000000-0000-4000-8000-000000000001 -n contosoacr --admin-enabled false).",
  );
});
