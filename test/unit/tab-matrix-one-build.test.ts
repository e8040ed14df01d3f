/**
 * An approver's matrix is built once per load: the page loader asks for page after page, and
 * each page used to build the whole answer again (the inventory joined to up to 5,000 requests,
 * the Revoke checks, the sort, the digest) to slice its rows, so a load of three pages paid three
 * builds (a reviewer's 2,332 entries: ~0.6 s each). The pages after the first now slice the first
 * page's build (src/tab/matrix-builds.ts), never another caller's, and not once a change here
 * dropped the inventory's copy (a revoke, a grant's outcome: matrix-invalidation.ts); a load's
 * first page always builds, so a decision is shown at the next load as before.
 */
import type { AccessMatrix, InventoryCluster, InventoryRegistry } from '../../src/domain/access-inventory';
import { requestRef } from '../../src/domain/access-inventory';
import type { ListOrder } from '../../src/domain/ports';
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { CachedInventory } from '../../src/tab/inventory-cache';
import { dropMatrixOnAccessChange } from '../../src/tab/matrix-invalidation';
import type { TabApi } from '../../src/tab/tab-api';
import type { TabMatrixPage } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { acrPullOnRegistry } from './support/pull-diagnosis-fixtures';
import { APPROVER, CLUSTER_ID, grantPlan, OUTSIDER, pendingRequest, REGISTRY_ID } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';

/** A memory store that counts its listings of live requests: one per build of the matrix. */
class CountingStore extends MemoryRequestStore {
  liveListings = 0;

  override async listByState(states: RequestState[], limit?: number, order?: ListOrder): Promise<AccessRequest[]> {
    if (states.includes('succeeded')) this.liveListings += 1;
    return super.listByState(states, limit, order);
  }
}

const clock = new FakeClock('2025-03-01T09:00:00.000Z');
const AUDITOR = OUTSIDER;

/** Riley's succeeded grant on cluster and registry `n`. */
function grant(n: number): AccessRequest {
  const at = '2025-02-01T00:00:00.000Z';
  const plan = grantPlan();
  return pendingRequest({
    id: `R-GRANT00${n}`,
    state: 'succeeded',
    createdAt: at,
    updatedAt: at,
    plan: {
      ...plan,
      cluster: { ...plan.cluster, id: `${CLUSTER_ID}-${n}`, name: `aks-${n}` },
      registry: { ...plan.registry, id: `${REGISTRY_ID}-${n}`, name: `acr${n}` },
    },
    decision: { by: APPROVER, at, approved: true },
    access: { durationMs: 90 * 86_400_000, expiresAt: '2025-05-01T00:00:00.000Z' },
  });
}

/** The inventory's matrix: one cell per request, its acrbot role naming it (a new object each read). */
function matrixNaming(requests: AccessRequest[]): AccessMatrix {
  const places = requests.map((r) => ({
    cluster: r.plan.cluster as InventoryCluster,
    registry: { ...r.plan.registry, roleAssignmentMode: 'LegacyRegistryPermissions' } as InventoryRegistry,
    request: r,
  }));
  return {
    clusters: places.map((p) => p.cluster),
    registries: places.map((p) => p.registry),
    unresolvedClusters: [],
    generatedAt: '2025-03-01T08:59:00.000Z',
    cells: places.map((p) => ({
      cluster: p.cluster,
      registry: p.registry,
      state: 'active',
      canPull: true,
      paths: [
        acrPullOnRegistry({
          assignmentId: `${p.registry.id}/roleAssignments/ra`,
          scope: p.registry.id,
          requests: [requestRef(p.request, clock.now())],
        }),
      ],
    })),
  };
}

/** Listeners of request changes, as the composition's flows tell them. */
class Changes {
  private readonly listeners: Array<(request: AccessRequest) => void> = [];
  onRequestChanged(listener: (request: AccessRequest) => void): void {
    this.listeners.push(listener);
  }
  tell(request: AccessRequest): void {
    for (const l of this.listeners) l(request);
  }
}

/**
 * The app's wiring over `store`: the inventory read through its cache (kept for a minute) and
 * dropped on changes that can alter it; the approver may revoke, the auditor sees all and may not.
 */
async function setUp(
  who: { approvers: Set<string>; revokers: Set<string>; auditors: Set<string> } = {
    approvers: new Set([APPROVER.objectId]),
    revokers: new Set([APPROVER.objectId]),
    auditors: new Set([AUDITOR.objectId]),
  },
) {
  const store = new CountingStore();
  const grants = [1, 2, 3].map(grant);
  for (const g of grants) await store.create(g);
  const inventory = new CachedInventory({ matrix: async () => matrixNaming(grants) }, clock, 60_000);
  const changes = new Changes();
  dropMatrixOnAccessChange(changes, inventory);
  const api = testTabApi(clock, store, {
    roles: {
      isApprover: async (a) => who.approvers.has(a.objectId),
      isApproverOf: async (a) => who.approvers.has(a.objectId),
      isAuditor: (a) => who.auditors.has(a.objectId),
    },
    inventory,
    actions: {
      revoke: async () => ({ message: 'revoked' }),
      revocable: async (acting, requests) => requests.map(() => who.revokers.has(acting.actor.objectId)),
    },
  });
  return { store, api, changes, grants };
}

async function page(api: TabApi, auth: string, offset: number): Promise<TabMatrixPage> {
  const res = await api.matrix(auth, { offset: String(offset), limit: '1' });
  expect(res.status).toBe(200);
  return res.body as TabMatrixPage;
}

/** Every page of a load, as web/src/matrix-loader.ts asks for them. */
async function load(api: TabApi, auth: string): Promise<TabMatrixPage[]> {
  const pages = [await page(api, auth, 0)];
  while (pages.at(-1)!.nextOffset !== undefined) pages.push(await page(api, auth, pages.at(-1)!.nextOffset!));
  return pages;
}

test('a load of three pages builds the matrix once, and every page names its snapshot', async () => {
  const { store, api } = await setUp();
  const auth = await bearer(APPROVER, clock);
  const pages = await load(api, auth);
  expect(pages.map((p) => p.rows.map((r) => r.requestId))).toEqual([['R-GRANT001'], ['R-GRANT002'], ['R-GRANT003']]);
  expect(new Set(pages.map((p) => p.generatedAt)).size).toBe(1);
  expect(store.liveListings).toBe(1);
  // The next load builds again: its first page reads the store's request details afresh.
  await load(api, auth);
  expect(store.liveListings).toBe(2);
});

test("one caller's build never answers another's page", async () => {
  const { store, api } = await setUp();
  const [approver, auditor] = [await bearer(APPROVER, clock), await bearer(AUDITOR, clock)];
  const first = await page(api, approver, 0);
  expect(first.rows[0]).toMatchObject({ canRevoke: true });
  // The auditor's page after the first, asked between the approver's pages: their own build, no Revoke.
  const theirs = await page(api, auditor, 1);
  expect(theirs.rows[0]).toMatchObject({ requestId: 'R-GRANT002', canRevoke: false });
  expect(store.liveListings).toBe(2);
  // The approver's load goes on with their own build.
  const second = await page(api, approver, 1);
  expect(second.rows[0]).toMatchObject({ requestId: 'R-GRANT002', canRevoke: true });
  expect(second.generatedAt).toBe(first.generatedAt);
  expect(store.liveListings).toBe(2);
});

test("an approver's build never answers another approver's page, their roles the same", async () => {
  // Both approve under every rule; only the first may revoke the rows (the revoke rule decides per person).
  const OTHER = { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Dana Approver' };
  const { store, api } = await setUp({
    approvers: new Set([APPROVER.objectId, OTHER.objectId]),
    revokers: new Set([APPROVER.objectId]),
    auditors: new Set(),
  });
  const first = await page(api, await bearer(APPROVER, clock), 0);
  expect(first.rows[0]).toMatchObject({ canRevoke: true });
  const theirs = await page(api, await bearer(OTHER, clock), 1);
  expect(theirs.rows[0]).toMatchObject({ requestId: 'R-GRANT002', canRevoke: false });
  expect(store.liveListings).toBe(2);
});

test('a role lost between pages makes the next page build anew, without its buttons', async () => {
  const who = {
    approvers: new Set([APPROVER.objectId]),
    revokers: new Set([APPROVER.objectId]),
    auditors: new Set<string>(),
  };
  const { store, api } = await setUp(who);
  const auth = await bearer(APPROVER, clock);
  const first = await page(api, auth, 0);
  expect(first.rows[0]).toMatchObject({ canRevoke: true });
  // Now an auditor only: sees every row, may revoke none.
  who.approvers.clear();
  who.revokers.clear();
  who.auditors.add(APPROVER.objectId);
  const second = await page(api, auth, 1);
  expect(second.rows[0]).toMatchObject({ requestId: 'R-GRANT002' });
  expect(second.rows[0]!.canRevoke).toBeFalsy();
  expect(store.liveListings).toBe(2);
});

test('a revoke here between pages is not hidden: the next page builds anew and names another snapshot', async () => {
  const { store, api, changes, grants } = await setUp();
  const auth = await bearer(APPROVER, clock);
  const first = await page(api, auth, 0);
  // Revoked on this instance: the flows tell the change, which drops the inventory's copy.
  const revoked: AccessRequest = {
    ...grants[1]!,
    version: grants[1]!.version + 1,
    state: 'revoked',
    access: { ...grants[1]!.access!, revokedAt: clock.now().toISOString(), revokedBy: APPROVER },
  };
  await store.update(revoked);
  changes.tell(revoked);
  const second = await page(api, auth, 1);
  expect(second.rows[0]).toMatchObject({ requestId: 'R-GRANT002', requestState: 'revoked' });
  expect(second.generatedAt).not.toBe(first.generatedAt);
});

test("a decision between loads is shown at the next load's first page (the inventory's copy kept)", async () => {
  const { store, api } = await setUp();
  const auth = await bearer(APPROVER, clock);
  const before = await load(api, auth);
  // Another instance revoked it (this one's copy is not told): the next load reads the store afresh.
  const g = (await store.get('R-GRANT001'))!;
  await store.update({
    ...g,
    version: g.version + 1,
    state: 'revoked',
    access: { ...g.access!, revokedAt: clock.now().toISOString(), revokedBy: APPROVER },
  });
  const after = await page(api, auth, 0);
  expect(after.rows[0]).toMatchObject({ requestId: 'R-GRANT001', requestState: 'revoked' });
  expect(after.generatedAt).not.toBe(before[0]!.generatedAt);
});

test('a build older than the few seconds a load takes is not sliced', async () => {
  const { store, api } = await setUp();
  const auth = await bearer(APPROVER, clock);
  await page(api, auth, 0);
  clock.advance(15_000);
  await page(api, auth, 1);
  expect(store.liveListings).toBe(2);
});
