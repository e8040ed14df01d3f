/**
 * The plan records, and the card shows, which earlier request's secret it replaces (F1): found by
 * the store's index of the cluster and registry, not among the oldest 1000 succeeded requests of
 * all, and the latest writer of the secret. When the records cannot say, the plan replaces nobody's.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import type { RequestStore, RoleAssignmentPort } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { SecretPlanner } from '../../src/flows/secret-planner';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { pendingRequest, REGISTRY_ID, secretPlan, SUB } from './support/requests';

const base = secretPlan();
const cluster = {
  ...base.cluster,
  identity: {},
  aadEnabled: true,
  localAccountsDisabled: true,
} as unknown as ClusterInfo;
const registry = base.registry as unknown as RegistryInfo;
const resolver = {
  resolveCluster: async () => cluster,
  resolveRegistry: async () => registry,
} as unknown as ResourceResolver;
const roles = { canAssignRoles: async () => true } as unknown as RoleAssignmentPort;
const clock = { now: () => new Date('2025-02-01T00:00:00Z') };
const ALPHABET = '23456789ABCDEFGH';

/** The n-th request id (valid shape). */
function idOf(n: number): string {
  return `R-${[...n.toString(16).padStart(8, '0')].map((c) => ALPHABET[parseInt(c, 16)]).join('')}`;
}

/** A succeeded secret on the same cluster and registry, in another namespace, made before P. */
function unrelated(i: number): AccessRequest {
  const at = new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60_000).toISOString();
  return pendingRequest({
    id: idOf(i),
    state: 'succeeded',
    createdAt: at,
    updatedAt: at,
    plan: secretPlan({ namespace: `ns-${i}` }),
  });
}

/** A succeeded request that wrote `payments/acr-auth` (uid `uid`) at `writtenAt`. */
function writer(id: string, uid: string, writtenAt: string, updatedAt = writtenAt): AccessRequest {
  const plan = secretPlan();
  return pendingRequest({
    id,
    state: 'succeeded',
    createdAt: writtenAt,
    updatedAt,
    plan,
    created: [{ kind: 'pullSecret', id: pullSecretRecordId(plan), name: 'acr-auth', uid, recordedAt: writtenAt }],
  });
}

function planner(store: Pick<RequestStore, 'listByTarget'>): SecretPlanner {
  return new SecretPlanner(resolver, roles, clock, 365 * 86_400_000, store);
}

const plan = (p: SecretPlanner) =>
  p.plan({ cluster: 'aks-prod', registry: 'contosoacr', typed: { namespace: 'payments', name: 'acr-auth' } });

test.each([10, 1000, 1500])('with %i older succeeded requests on the pair, the replacement is found', async (n) => {
  const store = new MemoryRequestStore();
  for (let i = 0; i < n; i++) await store.create(unrelated(i));
  await store.create(writer('R-PPPPPPPP', 'uid-P', '2025-01-20T00:00:00.000Z'));
  const planned = await plan(planner(store));
  expect(planned.replaces).toEqual({ requestId: 'R-PPPPPPPP', uid: 'uid-P' });
  expect(planned.operations[0]).toMatch(/^Replaces secret `payments\/acr-auth` from request R-PPPPPPPP \(by /);
});

test('the latest writer is named, even when an earlier writer was updated since', async () => {
  const store = new MemoryRequestStore();
  // O wrote first; P replaced its secret (a PUT: same uid); O was updated later (e.g. a reminder).
  await store.create(writer('R-QQQQQQQQ', 'uid-1', '2025-01-10T00:00:00.000Z', '2025-01-25T00:00:00.000Z'));
  await store.create(writer('R-PPPPPPPP', 'uid-1', '2025-01-20T00:00:00.000Z'));
  const planned = await plan(planner(store));
  expect(planned.replaces).toEqual({ requestId: 'R-PPPPPPPP', uid: 'uid-1' });
});

test('nothing to replace: recorded as null, no "Replaces" line', async () => {
  const store = new MemoryRequestStore();
  // The same secret name from another registry is not this secret.
  const otherRegistry = `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/otheracr`;
  expect(otherRegistry).not.toBe(REGISTRY_ID);
  await store.create(
    pendingRequest({
      id: 'R-PPPPPPPP',
      state: 'succeeded',
      plan: secretPlan({ registry: { ...base.registry, id: otherRegistry, name: 'otheracr' } }),
    }),
  );
  const planned = await plan(planner(store));
  expect(planned.replaces).toBeNull();
  expect(planned.operations.join('\n')).not.toMatch(/Replaces secret/);
});

test('more requests on the pair than are read: unknown (no record), said on the card', async () => {
  const full: Pick<RequestStore, 'listByTarget'> = {
    listByTarget: async (_c, _r, _s, limit = 100) => Array.from({ length: limit }, (_, i) => unrelated(i)),
  };
  const planned = await plan(planner(full));
  expect(planned.replaces).toBeUndefined();
  expect('replaces' in planned).toBe(false);
  expect(planned.operations[0]).toMatch(/could not check whether this replaces another request's secret/);
});
