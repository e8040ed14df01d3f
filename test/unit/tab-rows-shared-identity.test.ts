/**
 * The tab's matrix for clusters sharing one user-assigned kubelet identity (G15). acrbot's grant
 * for aks-a is a role assignment of that identity, so aks-b pulls through it and loses it when
 * the grant ends. aks-b's row must say so from acrbot's records: the assignment is acrbot's,
 * it names the request and its end, and it says the grant was for aks-a. It must never read
 * "granted outside acrbot" with no end. Each row keeps a key of its own (the page keeps one row
 * per key). Revoke and Extend of aks-a's request follow that request's own rules, whichever
 * cell shows it.
 */
import type { Actor } from '../../src/domain/request';
import type { AccessInventory } from '../../src/flows/access-inventory';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { matrixRows } from '../../src/tab/tab-rows';
import type { TabRow } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { APPROVER, REQUESTER } from './support/requests';
import { A_ENDS, grantForA, inventoryOver, NOW } from './support/shared-identity';
import { bearer, testTabApi } from './support/tab-api';

/** An approver, but not of the rule aks-a's request is bound to, and not its requester. */
const AVERY: Actor = { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Avery Approver' };

async function setUp(): Promise<{ store: MemoryRequestStore; clock: FakeClock; inventory: AccessInventory }> {
  const store = new MemoryRequestStore();
  await store.create(grantForA());
  const clock = new FakeClock(NOW);
  return { store, clock, inventory: inventoryOver(store, clock) };
}

const rowOf = (rows: TabRow[], cluster: string) => rows.filter((r) => r.cluster.name === cluster);

describe("the tab's row of a grant made for another cluster sharing the kubelet identity", () => {
  test("acrbot's, naming the request, its end and the cluster it was granted for; keys unique", async () => {
    const { inventory } = await setUp();
    const rows = matrixRows(await inventory.matrix());
    const [b] = rowOf(rows, 'aks-b');
    expect(rowOf(rows, 'aks-b')).toHaveLength(1);
    expect(b).toMatchObject({
      requestId: 'R-AAAAAAAA',
      kind: 'grant',
      how: 'acrbot-role',
      howText: 'AcrPull role on the registry by acrbot for cluster aks-a',
      state: 'expiring',
      expiresAt: A_ENDS,
      requester: { objectId: REQUESTER.objectId, name: REQUESTER.name },
      decidedBy: { name: APPROVER.name },
      notes: [
        'granted for cluster aks-a, which pulls with the same identity: this cluster loses it when that grant ends',
      ],
    });
    expect(JSON.stringify(b)).not.toContain('outside acrbot');
    // aks-a's own row is unchanged: its request, no other cluster named.
    const [a] = rowOf(rows, 'aks-a');
    expect(a).toMatchObject({ requestId: 'R-AAAAAAAA', howText: 'AcrPull role on the registry by acrbot' });
    expect(a!.notes).toBeUndefined();
    // The same request in two cells: a key of its own in each.
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  test("a grant of another tenant's request stays an Azure fact without its request", async () => {
    const { inventory } = await setUp();
    const [b] = rowOf(
      matrixRows(await inventory.matrix(), () => false),
      'aks-b',
    );
    expect(b).toMatchObject({ how: 'acrbot-role', notes: ['for a request of another tenant'] });
    expect(b!.requestId).toBeUndefined();
    expect(b!.expiresAt).toBeUndefined();
  });

  test('the API offers Revoke and Extend on it by that request’s own rules: never to an approver of another rule', async () => {
    const { store, clock, inventory } = await setUp();
    const api = testTabApi(clock, store, {
      inventory: { matrix: () => inventory.matrix() },
      roles: {
        isApprover: async (a) => [APPROVER.objectId, AVERY.objectId].includes(a.objectId),
        isApproverOf: async (a) => a.objectId === APPROVER.objectId,
        isAuditor: () => false,
      },
      actions: {
        extend: async () => ({ message: 'asked' }),
        revoke: async () => ({ message: 'revoked' }),
        canExtend: (actor, request) => actor.objectId === request.requester.objectId,
        // The flows' rule: the requester, or an approver of the request's own rule.
        revocable: async ({ actor }, requests) =>
          requests.map((r) => actor.objectId === APPROVER.objectId || actor.objectId === r.requester.objectId),
      },
    });
    const shared = async (who: Actor) => {
      const res = (await api.matrix(await bearer(who, clock))) as { status: number; body: { rows: TabRow[] } };
      expect(res.status).toBe(200);
      const [b] = rowOf(res.body.rows, 'aks-b');
      expect(b).toMatchObject({ requestId: 'R-AAAAAAAA', requestState: 'succeeded', expiresAt: A_ENDS });
      return { canRevoke: b!.canRevoke, canExtend: b!.canExtend };
    };
    expect(await shared(AVERY)).toEqual({ canRevoke: false, canExtend: false });
    expect(await shared(APPROVER)).toEqual({ canRevoke: true, canExtend: false });
  });
});
