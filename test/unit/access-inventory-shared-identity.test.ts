/**
 * One user-assigned kubelet identity can serve several clusters. acrbot's grant for cluster A is
 * a role assignment of that identity, so cluster B pulls through it too, and loses it when A's
 * grant ends (the lifecycle deletes it then, unless an overlapping grant holds it). `access B`,
 * `check B REGISTRY` and the matrix must say so from acrbot's records (G15): acrbot's grant for
 * aks-a, with its end, never "granted outside acrbot" with no end.
 */
import type { AccessRequest } from '../../src/domain/request';
import type { AccessInventory } from '../../src/flows/access-inventory';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { clusterAccessCard } from '../../src/views/access-view';
import { FakeClock } from './support/fake-clock';
import { A_ENDS, grantForA as grantByApprover, inventoryOver, NOW } from './support/shared-identity';

/** acrbot's grant for aks-a, approved by Alex: it created the identity's assignment, which ends on A_ENDS. */
const grantForA = (): AccessRequest => grantByApprover({ objectId: 'ap', name: 'Alex' });

async function setUp(requests: AccessRequest[]): Promise<AccessInventory> {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  return inventoryOver(store, new FakeClock(NOW));
}

describe('a cluster that shares its kubelet identity with a cluster acrbot granted', () => {
  test("access: acrbot's grant for the other cluster, with its end, not a grant outside acrbot", async () => {
    const inventory = await setUp([grantForA()]);
    const report = await inventory.forCluster('aks-b');
    const [cell] = report.cells;
    expect(cell).toMatchObject({ canPull: true, state: 'expiring', expiresAt: A_ENDS });
    expect(cell.paths).toEqual([
      expect.objectContaining({
        kind: 'roleAssignment',
        origin: 'acrbot',
        requests: [],
        sharedRequests: [expect.objectContaining({ requestId: 'R-AAAAAAAA', clusterName: 'aks-a' })],
      }),
    ]);
    const card = JSON.stringify(clusterAccessCard(report, false));
    expect(card).toContain(
      'acrbot request R-AAAAAAAA for cluster aks-a (approved by Alex, until 2027-01-04 00:00 UTC)',
    );
    expect(card).not.toContain('granted outside acrbot');
    // The granted cluster's own answer is unchanged: its request, no cluster named.
    const own = (await inventory.forCluster('aks-a')).cells[0];
    expect(own.paths[0]).toMatchObject({ origin: 'acrbot', requests: [{ requestId: 'R-AAAAAAAA' }] });
    expect(own.paths[0]).not.toHaveProperty('requests.0.clusterName');
  });

  test('the matrix and access REGISTRY say the same for both clusters', async () => {
    const inventory = await setUp([grantForA()]);
    for (const cells of [(await inventory.matrix()).cells, (await inventory.forRegistry('sharedreg')).cells]) {
      const b = cells.find((c) => c.cluster.name === 'aks-b')!;
      expect(b).toMatchObject({ canPull: true, expiresAt: A_ENDS, paths: [{ origin: 'acrbot' }] });
      const a = cells.find((c) => c.cluster.name === 'aks-a')!;
      expect(a).toMatchObject({
        expiresAt: A_ENDS,
        paths: [{ origin: 'acrbot', requests: [{ requestId: 'R-AAAAAAAA' }] }],
      });
    }
  });

  test('check: pull ends with the other cluster’s grant, and the fix is a grant of its own (not "no end date")', async () => {
    const inventory = await setUp([grantForA()]);
    const d = await inventory.check('aks-b', 'sharedreg');
    expect(d.canPull).toBe(true);
    expect(d.verdict).toContain('acrbot request R-AAAAAAAA for cluster aks-a');
    expect(d.findings).toContainEqual({
      topic: 'expiry',
      level: 'warn',
      text: 'Role-based pull ends 2027-01-04 00:00 UTC.',
    });
    // aks-b's people cannot extend aks-a's request; a grant of aks-b's own overlaps it (G17).
    expect(d.fix).toBe(
      'It ends with the grant for cluster aks-a, which pulls with the same identity; to keep pulling after that: @acrbot grant aks-b sharedreg REASON…',
    );
  });
});
