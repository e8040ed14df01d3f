/**
 * The ended part of a cell (ended-access.ts `splitEnded`) never pulls and carries nothing of the
 * registry's network, whatever that network is: a registry with anonymous pull on would judge a
 * cell of only ended paths "can pull" (anonymous pull lets any cluster in), and a firewall's
 * condition would read as a condition on access that is gone. The current part keeps both.
 */
import type { EndedGrantPath, InventoryCluster, InventoryRegistry, PullPath } from '../../src/domain/access-inventory';
import { cellOf } from '../../src/domain/access-inventory';
import { splitEnded } from '../../src/domain/ended-access';
import { CLUSTER_ID, grantPlan, REGISTRY_ID, SUB } from './support/requests';

const cluster: InventoryCluster = { id: CLUSTER_ID, name: 'aks-prod', subscriptionId: SUB, resourceGroup: 'rg-aks' };
const network = {
  publicNetworkAccess: 'Enabled',
  defaultAction: 'Deny',
  ipRuleCount: 2,
  privateEndpoints: 0,
  anonymousPullEnabled: true,
} as const;
const registry: InventoryRegistry = { ...(grantPlan().registry as InventoryRegistry), network };

const revoked: EndedGrantPath = {
  kind: 'endedGrant',
  assignmentId: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/2`,
  roleName: 'AcrPull',
  scope: REGISTRY_ID,
  request: {
    requestId: 'R-REVOKED1',
    requesterName: 'Riley Requester',
    requesterId: 'u1',
    approvedBy: 'Alex Approver',
    expiresAt: '2025-02-13T10:00:00.000Z',
    state: 'revoked',
    revokedBy: 'Alex Approver',
    revokedAt: '2025-01-14T09:00:00.000Z',
  },
  state: 'revoked',
};
const expiredSecret: PullPath = {
  kind: 'pullSecret',
  namespace: 'payments',
  secretName: 'acr-auth',
  credentialKind: 'token',
  request: { ...revoked.request, requestId: 'R-EXPIRED1', state: 'expired' },
  state: 'expired',
};

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
