/**
 * The ended part of a cell (ended-access.ts `splitEnded`) never pulls and carries nothing of the
 * registry's network, whatever that network is: a registry with anonymous pull on would judge a
 * cell of only ended paths "can pull" (anonymous pull lets any cluster in), and a firewall's
 * condition would read as a condition on access that is gone. The current part keeps both.
 */
import type { InventoryCluster, InventoryRegistry } from '../../src/domain/access-inventory';
import { cellOf } from '../../src/domain/access-inventory';
import { splitEnded } from '../../src/domain/ended-access';
import { ANONYMOUS_BEHIND_FIREWALL as network, expiredPullSecret, revokedGrant } from './support/inventory-fixtures';
import { CLUSTER_ID, grantPlan, SUB } from './support/requests';

const cluster: InventoryCluster = { id: CLUSTER_ID, name: 'aks-prod', subscriptionId: SUB, resourceGroup: 'rg-aks' };
const registry: InventoryRegistry = { ...(grantPlan().registry as InventoryRegistry), network };

const revoked = revokedGrant();
// The revoked request's fields, expired (as it always was here): only the state decides.
const expiredSecret = expiredPullSecret({ revokedBy: revoked.request.revokedBy, revokedAt: revoked.request.revokedAt });

test('behind anonymous pull and a firewall condition, the ended part cannot pull and says nothing of the network', () => {
  const cell = cellOf(cluster, registry, [revoked, expiredSecret]);
  // As judged whole, the registry's network lets the cluster pull, on a condition.
  expect(cell).toMatchObject({
    canPull: true,
    networkCondition: expect.any(String),
    anonymousPull: expect.any(String),
  });
  const { current, ended } = splitEnded(cell);
  expect(current).toBeUndefined();
  expect(ended?.canPull).toBe(false);
  expect(ended?.state).toBe('expired');
  expect(ended).not.toHaveProperty('networkCondition');
  expect(ended).not.toHaveProperty('anonymousPull');
  expect(ended).not.toHaveProperty('unreachable');
});
