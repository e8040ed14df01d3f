/**
 * A secret is named by its namespace as well as its name: planning `payments/acr-auth` does not
 * replace the `acr-auth` an earlier request wrote into another namespace of the same cluster
 * from the same registry.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import type { RoleAssignmentPort } from '../../src/domain/ports';
import { pullSecretRecordId, sameSecretTarget } from '../../src/domain/secret-ownership';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { SecretPlanner } from '../../src/flows/secret-planner';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { pendingRequest, secretPlan } from './support/requests';

const base = secretPlan();
const cluster = {
  ...base.cluster,
  identity: {},
  aadEnabled: true,
  localAccountsDisabled: true,
} as unknown as ClusterInfo;
const resolver = {
  resolveCluster: async () => cluster,
  resolveRegistry: async () => base.registry as unknown as RegistryInfo,
} as unknown as ResourceResolver;
const roles = { canAssignRoles: async () => true } as unknown as RoleAssignmentPort;
const clock = { now: () => new Date('2025-02-01T00:00:00Z') };

test('sameSecretTarget: another namespace is another secret', () => {
  expect(sameSecretTarget(secretPlan({ namespace: 'staging' }), secretPlan())).toBe(false);
  expect(sameSecretTarget(secretPlan(), secretPlan())).toBe(true);
});

test('the same secret name in another namespace is not replaced', async () => {
  const store = new MemoryRequestStore();
  const elsewhere = secretPlan({ namespace: 'staging' });
  const at = '2025-01-20T00:00:00.000Z';
  await store.create(
    pendingRequest({
      id: 'R-PPPPPPPP',
      state: 'succeeded',
      createdAt: at,
      updatedAt: at,
      plan: elsewhere,
      created: [
        { kind: 'pullSecret', id: pullSecretRecordId(elsewhere), name: 'acr-auth', uid: 'uid-S', recordedAt: at },
      ],
    }),
  );
  const planner = new SecretPlanner(resolver, roles, clock, 365 * 86_400_000, store);
  const planned = await planner.plan({
    cluster: 'aks-prod',
    registry: 'contosoacr',
    typed: { namespace: 'payments', name: 'acr-auth' },
  });
  expect(planned.replaces).toBeNull();
  expect(planned.operations.join('\n')).not.toMatch(/Replaces secret/);
});
