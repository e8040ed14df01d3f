/**
 * A cluster whose egress goes through user-defined routes (usually a firewall): `check` names what
 * that firewall must allow for layers, which the registry's `dataEndpointEnabled` decides. With
 * dedicated data endpoints (Premium, off unless turned on) they come from
 * LABEL.REGION.data.azurecr.io, one per replica region; without them, from Azure Storage
 * (`*.blob.core.windows.net`); when ARM did not say, both are named. ARM's field is read with the
 * registry and carried into the inventory's view of it.
 */
import type { RegistryInfo } from '../../src/domain/azure-model';
import { toRegistry } from '../../src/flows/access-inventory';
import { registryFromWire } from '../../src/integrations/azure/arm-wire';
import { acrPullOnRegistry, cell, diagnose, registry } from './support/pull-diagnosis-fixtures';

/** The egress finding of `check aks-prod contosoacr` for the registry changed by `over`. */
function egressText(over: Partial<RegistryInfo>): string | undefined {
  const reg = { ...registry, location: 'westeurope', ...over };
  const d = diagnose({ registry: reg, cell: cell([acrPullOnRegistry()], reg), outboundType: 'userDefinedRouting' });
  return d.findings.find((f) => f.text.includes('userDefinedRouting'))?.text;
}

test('dedicated data endpoints on: the login server and the data endpoint of the home region, replicas counted in', () => {
  expect(egressText({ dataEndpointEnabled: true })).toBe(
    "aks-prod's egress goes through user-defined routes (outbound type userDefinedRouting), usually your firewall: it must allow contosoacr.azurecr.io and the registry's dedicated data endpoints (contosoacr.westeurope.data.azurecr.io and one per other replica region), where its layers come from; acrbot cannot see it.",
  );
});

test('dedicated data endpoints off (the default): the login server and Azure Storage, no data endpoint', () => {
  const text = egressText({ dataEndpointEnabled: false });
  expect(text).toBe(
    "aks-prod's egress goes through user-defined routes (outbound type userDefinedRouting), usually your firewall: it must allow contosoacr.azurecr.io and *.blob.core.windows.net, where the registry's layers come from (it has no dedicated data endpoints); acrbot cannot see it.",
  );
  expect(text).not.toContain('data.azurecr.io');
});

test('ARM did not say: both, each with when it applies', () => {
  expect(egressText({})).toBe(
    "aks-prod's egress goes through user-defined routes (outbound type userDefinedRouting), usually your firewall: it must allow contosoacr.azurecr.io and where the registry's layers come from: its dedicated data endpoints (contosoacr.westeurope.data.azurecr.io and one per other replica region) if they are enabled, *.blob.core.windows.net if not; acrbot cannot see it.",
  );
});

test("ARM's dataEndpointEnabled is read with the registry and carried into the inventory's view (nothing when it sent none)", () => {
  const id =
    '/subscriptions/1f0c0000-0000-4000-8000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';
  for (const on of [true, false]) {
    const read = registryFromWire({ id, name: 'contosoacr', properties: { dataEndpointEnabled: on } });
    expect(read.dataEndpointEnabled).toBe(on);
    expect(toRegistry(read).dataEndpointEnabled).toBe(on);
  }
  const silent = registryFromWire({ id, name: 'contosoacr', properties: {} });
  expect(silent).not.toHaveProperty('dataEndpointEnabled');
  expect(toRegistry(silent)).not.toHaveProperty('dataEndpointEnabled');
});
