/**
 * The matrix's snapshot name (`generatedAt`): the page reads the matrix page by page and starts
 * again when it changes between pages (web/src/matrix-loader.ts). It must stay the same while
 * nothing shown changes, and move on any change of what is shown, including those no write to
 * a listed request stamps: a state reckoned from the clock, an extension asked for (a new
 * request, not in the matrix, that takes Extend off its original's row), and, in an approver's
 * matrix, request details read from the store while the inventory's copy stays.
 */
import {
  type AccessMatrix,
  type InventoryCluster,
  type InventoryRegistry,
  requestRef,
} from '../../src/domain/access-inventory';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabApi, TabApiDeps } from '../../src/tab/tab-api';
import { FakeClock, HOUR } from './support/fake-clock';
import { bearer as tokenFor, testTabApi } from './support/tab-api';
import {
  APPROVER,
  CLUSTER_ID,
  grantPlan,
  pendingRequest,
  REGISTRY_ID,
  REQUESTER,
  secretPlan,
} from './support/requests';

const DAY = 24 * HOUR;

/** Riley's succeeded grant on the cluster and registry named, ending at `expiresAt`. */
function granted(id: string, n: number, expiresAt: string, clock: FakeClock): AccessRequest {
  const plan = grantPlan();
  const at = clock.now().toISOString();
  return pendingRequest({
    id,
    state: 'succeeded',
    createdAt: at,
    updatedAt: at,
    plan: {
      ...plan,
      cluster: { ...plan.cluster, id: `${CLUSTER_ID}-${n}`, name: `aks-${n}` },
      registry: { ...plan.registry, id: `${REGISTRY_ID}-${n}`, name: `acr${n}` },
    },
    decision: { by: APPROVER, at, approved: true },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: [`${REGISTRY_ID}-${n}/roleAssignments/ra-${n}`] },
    access: { durationMs: 30 * DAY, expiresAt },
  });
}

/** The API with Alex as the approver, and Extend offered to the requester (the row says when an extension waits). */
function tabApi(clock: FakeClock, store: MemoryRequestStore, extra: Partial<TabApiDeps> = {}): TabApi {
  return testTabApi(clock, store, {
    roles: {
      isApprover: async (a) => a.objectId === APPROVER.objectId,
      isApproverOf: async (a) => a.objectId === APPROVER.objectId,
      isAuditor: () => false,
    },
    ...extra,
  });
}

/** A user's bearer token, valid for 30 days from the clock's time (the tests move it). */
const bearer = (user: Actor, clock: FakeClock) => tokenFor(user, clock, 30 * 86_400);

interface Page {
  status: number;
  body: { generatedAt: string; rows: Array<{ key: string; state: string; canExtend?: boolean }>; nextOffset?: number };
}

async function page(api: TabApi, auth: string, offset: number): Promise<Page['body']> {
  const res = (await api.matrix(auth, { offset: String(offset), limit: '1' })) as Page;
  expect(res.status).toBe(200);
  return res.body;
}

describe("a requester's matrix", () => {
  let clock: FakeClock;
  let store: MemoryRequestStore;
  let api: TabApi;
  let auth: string;

  beforeEach(async () => {
    clock = new FakeClock('2025-03-01T09:00:00.000Z');
    store = new MemoryRequestStore();
    api = tabApi(clock, store);
    auth = await bearer(REQUESTER, clock);
    // Ends 7 days and an hour from now: active now, expiring (within 7 days) in two hours.
    await store.create(granted('R-AAAAAAA1', 1, new Date(clock.now().getTime() + 7 * DAY + HOUR).toISOString(), clock));
    clock.advance(1000);
    await store.create(granted('R-AAAAAAA2', 2, new Date(clock.now().getTime() + 20 * DAY).toISOString(), clock));
  });

  test('names the same snapshot on every page, and in the whole answer, while nothing changes', async () => {
    const whole = (await api.matrix(auth)) as Page;
    const first = await page(api, auth, 0);
    const second = await page(api, auth, first.nextOffset!);
    expect(second.nextOffset).toBeUndefined();
    expect([first.generatedAt, second.generatedAt]).toEqual([whole.body.generatedAt, whole.body.generatedAt]);
  });

  test('a state reckoned from the clock (active, then expiring within 7 days) moves it, with no write', async () => {
    const first = await page(api, auth, 0);
    expect(first.rows[0]).toMatchObject({ key: 'R-AAAAAAA1', state: 'active' });
    clock.advance(2 * HOUR);
    const again = await page(api, auth, 0);
    expect(again.rows[0]).toMatchObject({ key: 'R-AAAAAAA1', state: 'expiring' });
    const second = await page(api, auth, first.nextOffset!);
    expect(second.generatedAt).not.toBe(first.generatedAt);
    expect(again.generatedAt).toBe(second.generatedAt);
  });

  test('an extension asked for (a request the matrix does not show) takes Extend off its original, and moves it', async () => {
    const first = await page(api, auth, 0);
    expect(first.rows[0]).toMatchObject({ key: 'R-AAAAAAA1', canExtend: true });
    const at = clock.now().toISOString();
    await store.create(
      pendingRequest({ id: 'R-AAAAAAA3', extendsRequestId: 'R-AAAAAAA1', createdAt: at, updatedAt: at }),
    );
    const again = await page(api, auth, 0);
    expect(again.rows[0]).toMatchObject({ key: 'R-AAAAAAA1', canExtend: false });
    const second = await page(api, auth, first.nextOffset!);
    expect(second.generatedAt).not.toBe(first.generatedAt);
  });

  test('a revocation (a write) moves it', async () => {
    const first = await page(api, auth, 0);
    const request = (await store.get('R-AAAAAAA2'))!;
    clock.advance(1000);
    const at = clock.now().toISOString();
    await store.update({
      ...request,
      version: request.version + 1,
      state: 'revoked',
      updatedAt: at,
      access: { ...request.access, revokedAt: at, revokedBy: REQUESTER },
    });
    const second = await page(api, auth, first.nextOffset!);
    expect(second.rows[0]).toMatchObject({ key: 'R-AAAAAAA2', state: 'revoked' });
    expect(second.generatedAt).not.toBe(first.generatedAt);
  });
});

describe("an approver's matrix (the inventory's)", () => {
  const place = (n: number): { cluster: InventoryCluster; registry: InventoryRegistry } => {
    const { cluster, registry } = granted(`R-AAAAAAA${n}`, n, '2030-01-01T00:00:00.000Z', new FakeClock()).plan;
    return { cluster, registry: { ...registry, roleAssignmentMode: 'LegacyRegistryPermissions' } };
  };

  test('a request detail read from the store at each load moves it while the inventory copy stays the same', async () => {
    const clock = new FakeClock('2025-03-01T09:00:00.000Z');
    const store = new MemoryRequestStore();
    const request = granted('R-AAAAAAA1', 1, '2025-03-20T09:00:00.000Z', clock);
    await store.create(request);
    const [one, two] = [place(1), place(2)];
    // One read of Azure, kept (as the inventory cache keeps it for its TTL): the same generatedAt throughout.
    const matrix: AccessMatrix = {
      clusters: [one.cluster, two.cluster],
      registries: [one.registry, two.registry],
      unresolvedClusters: [],
      generatedAt: '2025-03-01T08:59:00.000Z',
      cells: [one, two].map((p, i) => ({
        ...p,
        state: 'active',
        canPull: true,
        paths: [
          {
            kind: 'roleAssignment',
            assignmentId: `ra-${i + 1}`,
            roleGuid: 'g',
            roleName: 'AcrPull',
            scope: p.registry.id,
            scopeLevel: 'registry',
            conditional: false,
            honoured: true,
            origin: i === 0 ? 'acrbot' : 'outside',
            requests:
              i === 0
                ? [{ requestId: request.id, requesterName: 'Riley', requesterId: REQUESTER.objectId, state: 'active' }]
                : [],
            state: 'active',
          },
        ],
      })),
    };
    const api = tabApi(clock, store, { inventory: { matrix: async () => matrix } });
    const auth = await bearer(APPROVER, clock);
    const first = await page(api, auth, 0);
    expect(first.rows[0]).toMatchObject({ requestId: request.id, requestState: 'succeeded' });
    // Revoked on another instance: this one's inventory copy is not told (docs/tab.md, Caching).
    clock.advance(1000);
    await store.update({
      ...request,
      version: request.version + 1,
      state: 'revoked',
      updatedAt: clock.now().toISOString(),
      access: { ...request.access, revokedAt: clock.now().toISOString(), revokedBy: APPROVER },
    });
    const again = await page(api, auth, 0);
    expect(again.rows[0]).toMatchObject({ requestId: request.id, requestState: 'revoked' });
    const second = await page(api, auth, first.nextOffset!);
    expect(second.generatedAt).not.toBe(first.generatedAt);
  });

  test("a secret whose credential expires before its term: the approver's matrix row carries the term's end, which an extension must outlast", async () => {
    const clock = new FakeClock('2025-03-01T09:00:00.000Z');
    const store = new MemoryRequestStore();
    const at = clock.now().toISOString();
    const secret = pendingRequest({
      id: 'R-SECRET01',
      state: 'succeeded',
      createdAt: at,
      updatedAt: at,
      plan: secretPlan({ expiresAt: '2025-03-11T09:00:00.000Z' }),
      decision: { by: APPROVER, at, approved: true },
      access: { durationMs: 30 * DAY, expiresAt: '2025-03-31T09:00:00.000Z' },
    });
    await store.create(secret);
    const { cluster, registry } = secret.plan;
    const matrix: AccessMatrix = {
      clusters: [cluster],
      registries: [{ ...registry, roleAssignmentMode: 'LegacyRegistryPermissions' }],
      unresolvedClusters: [],
      generatedAt: at,
      cells: [
        {
          cluster,
          registry: { ...registry, roleAssignmentMode: 'LegacyRegistryPermissions' },
          state: 'active',
          canPull: true,
          paths: [
            {
              kind: 'pullSecret',
              namespace: 'payments',
              secretName: 'acr-auth',
              credentialKind: 'token',
              request: requestRef(secret, clock.now()),
              state: 'active',
            },
          ],
        },
      ],
    };
    const api = tabApi(clock, store, { inventory: { matrix: async () => matrix } });
    const [row] = (await page(api, await bearer(APPROVER, clock), 0)).rows as Array<Record<string, unknown>>;
    expect(row).toMatchObject({
      requestId: secret.id,
      expiresAt: '2025-03-11T09:00:00.000Z',
      credentialEnds: true,
      termEndsAt: '2025-03-31T09:00:00.000Z',
    });
  });

  test("the inventory's records read only in part: the first page says what may be missing, and it names another snapshot", async () => {
    const clock = new FakeClock('2025-03-01T09:00:00.000Z');
    const one = place(1);
    const matrix: AccessMatrix = {
      clusters: [one.cluster],
      registries: [one.registry],
      unresolvedClusters: [],
      generatedAt: '2025-03-01T08:59:00.000Z',
      cells: [],
    };
    const incomplete =
      'acrbot read only the oldest 5 of its ended requests: access that ended more recently may be missing.';
    const auth = await bearer(APPROVER, clock);
    const whole = (await tabApi(clock, new MemoryRequestStore(), { inventory: { matrix: async () => matrix } }).matrix(
      auth,
    )) as Page;
    const cut = (await tabApi(clock, new MemoryRequestStore(), {
      inventory: { matrix: async () => ({ ...matrix, incomplete }) },
    }).matrix(auth)) as Page & { body: { incomplete?: string } };
    expect(whole.body).not.toHaveProperty('incomplete');
    expect(cut.body.incomplete).toBe(incomplete);
    expect(cut.body.generatedAt).not.toBe(whole.body.generatedAt);
  });
});
