/**
 * The `access` cards name resource groups as the request card does (look-alike-resource-groups
 * test): one that mixes scripts (`rg-prоd` with a Cyrillic "о") is followed by ⚠ and why, in the
 * card's subtitle, a row's subheading and a role's "on resource group" line, so a reader does not
 * take it for the group it looks like. An ASCII name is shown as it is (the goldens hold those).
 */
import type { AccessCell, ClusterAccessReport } from '../../src/domain/access-inventory';
import { clusterAccessCard, pathLine, registryAccessCard } from '../../src/views/access-view';
import { acrPullOnRegistry, cluster, identity, registry, SUB } from './support/pull-diagnosis-fixtures';

/** `rg-prod` with a Cyrillic о (U+043E). */
const SPOOF = 'rg-pr\u043Ed';
const WARNED = `${SPOOF} \u26a0 mixes Latin and Cyrillic letters`;
const NOW = '2027-01-01T00:00:00.000Z';

const spoofRegistry = { ...registry, resourceGroup: SPOOF };
const spoofCluster = { ...cluster, resourceGroup: SPOOF };
/** AcrPull at the (look-alike) resource group of the registry. */
const onGroup = acrPullOnRegistry({
  scope: `/subscriptions/${SUB}/resourceGroups/${SPOOF}`,
  scopeLevel: 'resourceGroup',
});
const cell: AccessCell = {
  cluster: spoofCluster,
  registry: spoofRegistry,
  paths: [onGroup],
  state: 'active',
  canPull: true,
};

describe('look-alike resource groups on the access cards', () => {
  test('access CLUSTER: its own group, the registry row and the role line carry the warning', () => {
    const report: ClusterAccessReport = { cluster: spoofCluster, identity, cells: [cell], generatedAt: NOW };
    const card = JSON.stringify(clusterAccessCard(report, true));
    expect(card).toContain(`Resource group ${WARNED}, subscription ${SUB}`);
    expect(card).toContain(`resource group ${WARNED}"`);
    expect(card).toContain(`AcrPull on resource group ${WARNED} — `);
  });

  test('access REGISTRY: its own group and the cluster row carry the warning', () => {
    const card = JSON.stringify(
      registryAccessCard({ registry: spoofRegistry, cells: [cell], unresolvedClusters: [], generatedAt: NOW }, true),
    );
    expect(card).toContain(`contosoacr.azurecr.io, resource group ${WARNED}, `);
    expect(card).toContain(`resource group ${WARNED}, subscription ${SUB}`);
  });

  test('an ASCII group is shown as it is', () => {
    const line = pathLine({ ...onGroup, scope: `/subscriptions/${SUB}/resourceGroups/rg-acr` }, 'rg-acr', SUB);
    expect(line).toMatch(/^AcrPull on resource group rg-acr — /);
    expect(line).not.toContain('\u26a0');
  });
});
