/**
 * acrbot's grant for aks-a drifted (aks-a pulls as another identity now, say) while aks-b, which
 * shares the kubelet identity, still pulls through its role assignment. The grant is still
 * `succeeded`: the lifecycle counts it as the assignment's holder until its end and deletes the
 * assignment then (holdersOf in role-assignment-holders.ts, revokeGrant in grant-revocation.ts).
 * So the inventory must say that aks-b's pull ends then, with aks-a's grant, never "no end date".
 */
import type { AccessRequest } from '../../src/domain/request';
import type { AccessInventory } from '../../src/flows/access-inventory';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { clusterAccessCard } from '../../src/views/access-view';
import { FakeClock } from './support/fake-clock';
import { A_ENDS, grantForA as grantByApprover, inventoryOver, NOW } from './support/shared-identity';

/** acrbot's grant for aks-a, approved by Alex and ending on A_ENDS, marked drifted (identityChanged). */
function driftedGrantForA(): AccessRequest {
  const r = grantByApprover({ objectId: 'ap', name: 'Alex' });
  return { ...r, access: { ...r.access!, driftDetectedAt: NOW, driftReason: 'identityChanged' } };
}

async function inventoryAt(now: string): Promise<AccessInventory> {
  const store = new MemoryRequestStore();
  await store.create(driftedGrantForA());
  return inventoryOver(store, new FakeClock(now));
}

describe("another cluster's drifted grant behind the shared identity's assignment", () => {
  test('access: the cell ends with that grant (expiring), and its line says until when', async () => {
    const report = await (await inventoryAt(NOW)).forCluster('aks-b');
    const [cell] = report.cells;
    expect(cell).toMatchObject({ canPull: true, state: 'expiring', expiresAt: A_ENDS });
    expect(cell.paths[0]).toMatchObject({
      kind: 'roleAssignment',
      origin: 'acrbot',
      state: 'expiring',
      sharedRequests: [{ requestId: 'R-AAAAAAAA', clusterName: 'aks-a', state: 'expiring', expiresAt: A_ENDS }],
    });
    // aks-a's drift is aks-a's: aks-b's line does not read it as removed.
    expect(cell.paths[0]).not.toHaveProperty('sharedRequests.0.driftReason');
    const card = JSON.stringify(clusterAccessCard(report, false));
    expect(card).toContain(
      'acrbot request R-AAAAAAAA for cluster aks-a (approved by Alex, until 2027-01-04 00:00 UTC)',
    );
  });

  test('check: role-based pull ends with the grant for aks-a, not "no end date"', async () => {
    const d = await (await inventoryAt(NOW)).check('aks-b', 'sharedreg');
    expect(d.canPull).toBe(true);
    expect(d.findings).toContainEqual({
      topic: 'expiry',
      level: 'warn',
      text: 'Role-based pull ends 2027-01-04 00:00 UTC.',
    });
    expect(d.findings.map((f) => f.text).join('\n')).not.toContain('no end date');
    expect(d.fix).toBe(
      'It ends with the grant for cluster aks-a, which pulls with the same identity; to keep pulling after that: @acrbot grant aks-b sharedreg REASON…',
    );
  });

  test('past its end, with the assignment still there: ended, and acrbot is removing it', async () => {
    const later = new Date(Date.parse(A_ENDS) + 60_000).toISOString();
    const inventory = await inventoryAt(later);
    const [cell] = (await inventory.forCluster('aks-b')).cells;
    expect(cell).toMatchObject({ canPull: true, state: 'expired', expiresAt: A_ENDS });
    const d = await inventory.check('aks-b', 'sharedreg');
    expect(d.findings).toContainEqual({
      topic: 'expiry',
      level: 'warn',
      text: 'Role-based pull ended 2027-01-04 00:00 UTC; acrbot is removing it.',
    });
  });

  test("aks-a's own drifted grant, its assignment listed for its identity again: the cell ends with it, the request still reads drifted", async () => {
    const report = await (await inventoryAt(NOW)).forCluster('aks-a');
    const [cell] = report.cells;
    expect(cell).toMatchObject({ canPull: true, state: 'expiring', expiresAt: A_ENDS });
    // Drifted, so it is not one to extend (drifted-access.ts refuses that); its end still counts.
    expect(cell.paths[0]).toMatchObject({
      kind: 'roleAssignment',
      requests: [{ requestId: 'R-AAAAAAAA', state: 'drifted', driftReason: 'identityChanged', expiresAt: A_ENDS }],
    });
  });
});
