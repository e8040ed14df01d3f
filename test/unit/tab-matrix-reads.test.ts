/**
 * An approver's matrix reads every request the inventory names beyond the store's listing
 * (LIST_LIMIT) on its own, once per load: at its first page, whose build the later pages slice
 * (src/tab/matrix-builds.ts; every page read them again before). Past a large store that
 * is thousands of point reads of one Azure Tables partition per load: all at once they invited
 * throttling (429/503, so 500s or loads that "kept changing"). They are read a bounded number at
 * a time, and the answer is the one those requests give when the listing holds them.
 */
import type { AccessMatrix, InventoryRegistry, PullPath } from '../../src/domain/access-inventory';
import { requestRef } from '../../src/domain/access-inventory';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LIST_LIMIT, MATRIX_READS_AT_ONCE, type TabApi } from '../../src/tab/tab-api';
import { FakeClock } from './support/fake-clock';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';
import { acrPullOnRegistry } from './support/pull-diagnosis-fixtures';

/** How many requests the inventory names beyond the listing: many more than the bound. */
const BEYOND = 300;
const OTHER_TENANT = '7c2e0000-0000-4000-8000-00000000f0f0';

/** A memory store that counts its point reads and how many run at one moment. */
class CountingStore extends MemoryRequestStore {
  gets = 0;
  inFlight = 0;
  maxInFlight = 0;

  override async get(id: string): Promise<AccessRequest | undefined> {
    this.gets += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // A turn of the event loop, as a network read takes: reads started meanwhile overlap this one.
      await new Promise((resolve) => setImmediate(resolve));
      return await super.get(id);
    } finally {
      this.inFlight -= 1;
    }
  }
}

const clock = new FakeClock('2025-03-01T09:00:00.000Z');

/** A succeeded grant created `n` seconds after 2025-01-01 (the listing takes the oldest first). */
function granted(n: number, overrides: Partial<AccessRequest> = {}): AccessRequest {
  const at = new Date(Date.parse('2025-01-01T00:00:00.000Z') + n * 1000).toISOString();
  return pendingRequest({
    id: `R-${String(n).padStart(8, '0')}`,
    state: 'succeeded',
    createdAt: at,
    updatedAt: at,
    reason: `deploy service ${n}`,
    decision: { by: APPROVER, at, approved: true },
    access: { durationMs: 90 * 86_400_000, expiresAt: '2025-06-01T00:00:00.000Z' },
    ...overrides,
  });
}

/** The inventory's matrix: one cell whose acrbot role names `requests`, and one for another tenant's. */
function inventoryOf(requests: AccessRequest[], foreign: AccessRequest): AccessMatrix {
  const { cluster, registry } = grantPlan();
  const reg: InventoryRegistry = { ...registry, roleAssignmentMode: 'LegacyRegistryPermissions' };
  const role = (assignmentId: string, named: AccessRequest[]): PullPath =>
    acrPullOnRegistry({ assignmentId, scope: registry.id, requests: named.map((r) => requestRef(r, clock.now())) });
  return {
    clusters: [cluster],
    registries: [reg],
    unresolvedClusters: [],
    generatedAt: '2025-03-01T08:59:00.000Z',
    cells: [
      {
        cluster,
        registry: reg,
        state: 'active',
        canPull: true,
        paths: [
          role(`${registry.id}/roleAssignments/ra-ours`, requests),
          role(`${registry.id}/roleAssignments/ra-theirs`, [foreign]),
        ],
      },
    ],
  };
}

function approverApi(store: MemoryRequestStore, matrix: AccessMatrix): TabApi {
  return testTabApi(clock, store, {
    roles: {
      isApprover: async (a) => a.objectId === APPROVER.objectId,
      isApproverOf: async (a) => a.objectId === APPROVER.objectId,
      isAuditor: () => false,
    },
    inventory: { matrix: async () => matrix },
  });
}

interface Page {
  status: number;
  body: { generatedAt: string; rows: Array<Record<string, unknown>>; total: number; nextOffset?: number };
}

/** Every page of one load, 100 rows each, with the point reads each page made. */
async function load(api: TabApi, store: CountingStore | MemoryRequestStore) {
  const auth = await bearer(APPROVER, clock);
  const pages: Array<Page['body'] & { gets?: number }> = [];
  let offset: number | undefined = 0;
  while (offset !== undefined) {
    const before = store instanceof CountingStore ? store.gets : 0;
    const res = (await api.matrix(auth, { offset: String(offset), limit: '100' })) as Page;
    expect(res.status).toBe(200);
    pages.push({ ...res.body, ...(store instanceof CountingStore && { gets: store.gets - before }) });
    offset = res.body.nextOffset;
  }
  return pages;
}

test('requests the inventory names beyond the listing are read a bounded number at a time, once per load, and shown as if listed', async () => {
  // LIST_LIMIT older requests fill the listing; the inventory names BEYOND newer ones and one of
  // another tenant, all past it.
  const store = new CountingStore();
  for (let n = 0; n < LIST_LIMIT; n += 1) await store.create(granted(n));
  const named = Array.from({ length: BEYOND }, (_, i) => granted(LIST_LIMIT + i));
  const foreign = granted(LIST_LIMIT + BEYOND, { tenantId: OTHER_TENANT });
  for (const r of [...named, foreign]) await store.create(r);
  const matrix = inventoryOf(named, foreign);

  const pages = await load(approverApi(store, matrix), store);

  expect(store.maxInFlight).toBeGreaterThan(1); // reads do overlap: the bound is what holds them
  expect(store.maxInFlight).toBeLessThanOrEqual(MATRIX_READS_AT_ONCE);
  // The first page reads each request beyond the listing once, the other tenant's too (to learn
  // its tenant); the later pages slice its build.
  expect(pages.length).toBeGreaterThan(1);
  expect(pages.map((p) => p.gets)).toEqual(pages.map((_, i) => (i === 0 ? BEYOND + 1 : 0)));

  // The same answer as when the listing holds them all (no point reads at all).
  const listed = new CountingStore();
  for (const r of [...named, foreign]) await listed.create(r);
  const expected = await load(approverApi(listed, matrix), listed);
  expect(listed.gets).toBe(0);
  const strip = (ps: typeof pages) => ps.map(({ gets: _gets, ...page }) => page);
  expect(strip(pages)).toEqual(strip(expected));

  const rows = pages.flatMap((p) => p.rows);
  expect(rows).toHaveLength(BEYOND + 1);
  // Joined with their requests (details from the store), and the other tenant's shown without them.
  expect(rows.filter((r) => r.requestId)).toHaveLength(BEYOND);
  expect(rows.find((r) => r.requestId === named[123]!.id)).toMatchObject({
    requestState: 'succeeded',
    reason: 'deploy service 5123',
  });
  expect(rows.filter((r) => !r.requestId)).toEqual([
    expect.objectContaining({ notes: expect.arrayContaining(['for a request of another tenant']) }),
  ]);
});
