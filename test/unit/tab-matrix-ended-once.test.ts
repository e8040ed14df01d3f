/**
 * An approver's matrix joins the inventory's rows to everyone's requests. Live requests are read
 * on every call; the ended ones, which only accumulate (on Tables up to 5,000 of them: ~25,000
 * index entities and thousands of point reads per call), once per matrix the inventory answers:
 * its copy is kept for its TTL and dropped when access changes here (inventory-cache.ts), and
 * every page of every load joined to it read them again. Nothing live goes stale: a grant
 * revoked since is not among the live requests, so the matrix's row of it is read on its own.
 */
import type { AccessMatrix, InventoryRegistry } from '../../src/domain/access-inventory';
import { requestRef } from '../../src/domain/access-inventory';
import type { ListOrder } from '../../src/domain/ports';
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabApi } from '../../src/tab/tab-api';
import type { TabMatrixPage } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { acrPullOnRegistry } from './support/pull-diagnosis-fixtures';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';

/** A memory store that records its listings by state. */
class ListingStore extends MemoryRequestStore {
  listings: { states: RequestState[]; order?: ListOrder }[] = [];

  override async listByState(states: RequestState[], limit?: number, order?: ListOrder): Promise<AccessRequest[]> {
    this.listings.push({ states, order });
    return super.listByState(states, limit, order);
  }

  /** How many listings asked for ended (revoked) requests, and how many for live (succeeded) ones. */
  counts() {
    return {
      ended: this.listings.filter((l) => l.states.includes('revoked')).length,
      live: this.listings.filter((l) => l.states.includes('succeeded')).length,
    };
  }
}

const clock = new FakeClock('2025-03-01T09:00:00.000Z');

function grant(id: string, state: 'succeeded' | 'revoked'): AccessRequest {
  const at = '2025-02-01T00:00:00.000Z';
  return pendingRequest({
    id,
    state,
    createdAt: at,
    updatedAt: at,
    decision: { by: APPROVER, at, approved: true },
    access: {
      durationMs: 90 * 86_400_000,
      expiresAt: '2025-05-01T00:00:00.000Z',
      ...(state === 'revoked' && { revokedAt: at, revokedBy: APPROVER }),
    },
  });
}

/** The inventory's matrix: one cell whose acrbot role names `requests` (a new object each call). */
function matrixNaming(requests: AccessRequest[]): AccessMatrix {
  const { cluster, registry } = grantPlan();
  const reg: InventoryRegistry = { ...registry, roleAssignmentMode: 'LegacyRegistryPermissions' };
  const path = acrPullOnRegistry({
    assignmentId: `${registry.id}/roleAssignments/ra`,
    scope: registry.id,
    requests: requests.map((r) => requestRef(r, clock.now())),
  });
  return {
    clusters: [cluster],
    registries: [reg],
    unresolvedClusters: [],
    generatedAt: '2025-03-01T08:59:00.000Z',
    cells: [{ cluster, registry: reg, state: 'active', canPull: true, paths: [path] }],
  };
}

function approverApi(store: MemoryRequestStore, inventory: () => AccessMatrix): TabApi {
  return testTabApi(clock, store, {
    roles: {
      isApprover: async (a) => a.objectId === APPROVER.objectId,
      isApproverOf: async (a) => a.objectId === APPROVER.objectId,
      isAuditor: () => false,
    },
    inventory: { matrix: async () => inventory() },
  });
}

async function stateOf(api: TabApi, id: string): Promise<string | undefined> {
  const res = await api.matrix(await bearer(APPROVER, clock));
  expect(res.status).toBe(200);
  return (res.body as TabMatrixPage).rows.find((r) => r.requestId === id)?.requestState;
}

test('ended requests are read once per matrix, live ones on every call, and a grant revoked since shows revoked', async () => {
  const store = new ListingStore();
  const live = grant('R-LIVE0001', 'succeeded');
  const old = grant('R-ENDED001', 'revoked');
  await store.create(live);
  await store.create(old);
  let matrix = matrixNaming([live, old]);
  const api = approverApi(store, () => matrix);

  expect(await stateOf(api, live.id)).toBe('succeeded');
  expect(await stateOf(api, old.id)).toBe('revoked');
  expect(await stateOf(api, live.id)).toBe('succeeded');
  expect(store.counts()).toEqual({ ended: 1, live: 3 });

  // Revoked elsewhere (another instance: this one's matrix copy is kept): shown at the next call.
  await store.update({ ...grant(live.id, 'revoked'), version: live.version + 1 });
  expect(await stateOf(api, live.id)).toBe('revoked');
  expect(store.counts()).toEqual({ ended: 1, live: 4 });

  // A new matrix (the copy aged out, or was dropped by a change here): the ended ones are read again.
  matrix = matrixNaming([live, old]);
  expect(await stateOf(api, live.id)).toBe('revoked');
  expect(await stateOf(api, old.id)).toBe('revoked');
  expect(store.counts()).toEqual({ ended: 2, live: 6 });
});

test('a failed read of the ended requests is not kept: the next call reads them again', async () => {
  const store = new ListingStore();
  const old = grant('R-ENDED001', 'revoked');
  await store.create(old);
  const matrix = matrixNaming([old]);
  const api = approverApi(store, () => matrix);
  const listByState = store.listByState.bind(store);
  let fail = true;
  store.listByState = async (states, limit, order) => {
    if (fail && states.includes('revoked')) throw new Error('store unreachable');
    return listByState(states, limit, order);
  };

  expect((await api.matrix(await bearer(APPROVER, clock))).status).toBe(500);
  fail = false;
  expect(await stateOf(api, old.id)).toBe('revoked');
});
