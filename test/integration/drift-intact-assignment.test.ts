/**
 * Drift of a grant whose role assignment is intact but no longer gives its cluster pull, through
 * the real app and the ARM emulator: the cluster re-created under its name with a new kubelet
 * identity, and the registry switched to ABAC repository permissions after an AcrPull grant. The
 * drift job marks the request with the reason, audits it, updates its cards and creates nothing
 * for the new identity (G15); `check` and the card agree that the cluster cannot pull through it.
 * A cluster that is gone, or one acrbot may no longer read, marks nothing.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
const NEW_KUBELET = '0d000000-0000-4000-8000-0000000000f7';

describe('drift of an intact assignment (ARM emulator)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  const driftEntries = async (id: string) =>
    (await h.app.audit.forRequest(id)).filter((e) => e.action === 'access.drift');

  /** Waits for a card update, made after call `from`, whose text matches `text`. */
  const cardUpdate = (from: number, text: RegExp) =>
    h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= from && c.op === 'update' && text.test(cardText(c.activity)),
      10_000,
      `a card update matching ${text}`,
    );

  test('the cluster re-created under its name with a new kubelet identity: identityChanged, nothing granted to the new one', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const arm = h.app.sandbox!.arm.state;
    const oldAssignment = (request.plan as GrantPlan).roleAssignmentName;
    expect(arm.removeCluster(prodId)).toBe(true);
    arm.addCluster({ ...SANDBOX_CLUSTERS.prod, kubeletObjectId: NEW_KUBELET });
    expect(arm.hasPullAccess(contosoId, NEW_KUBELET)).toBe(false);
    const before = h.connector.calls.length;

    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    expect((await h.app.store.get(request.id))!.access?.driftReason).toBe('identityChanged');
    expect(await driftEntries(request.id)).toEqual([
      expect.objectContaining({
        outcome: 'identityChanged',
        detail: expect.stringContaining(`cluster aks-prod now pulls as kubelet identity ${NEW_KUBELET}`),
      }),
    ]);
    await cardUpdate(before, /no longer gives pull: the cluster pulls as another identity now/);
    // The old identity's assignment stays; the new identity has nothing (acrbot acted on neither).
    expect(arm.roleAssignments.get(oldAssignment)).toBeDefined();
    expect(arm.listRoleAssignments(contosoId).filter((a) => a.principalId === NEW_KUBELET)).toEqual([]);
    // `check` agrees: the cluster cannot pull through acrbot's grant.
    const check = await h.ask(users.approver, 'check aks-prod contosoacr');
    expect(check).not.toMatch(new RegExp(`${request.id}[^\\n]*until`));
    expect(check).toContain('@acrbot grant aks-prod contosoacr');
  });

  test('the registry switched to ABAC repository permissions after an AcrPull grant: modeChanged', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const arm = h.app.sandbox!.arm.state;
    arm.getRegistry(contosoId)!.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect(arm.hasPullAccess(contosoId, SANDBOX_CLUSTERS.prod.kubeletObjectId)).toBe(false);
    const before = h.connector.calls.length;

    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    expect((await h.app.store.get(request.id))!.access?.driftReason).toBe('modeChanged');
    expect(await driftEntries(request.id)).toEqual([
      expect.objectContaining({ outcome: 'modeChanged', detail: expect.stringContaining('which ignores AcrPull') }),
    ]);
    await cardUpdate(before, /no longer gives pull: the registry's role assignment mode changed/);
    const check = await h.ask(users.approver, 'check aks-prod contosoacr');
    expect(check).toContain(
      'aks-prod cannot pull from contosoacr: its AcrPull is not honoured because the registry uses ABAC repository permissions',
    );
  });

  test('a cluster that is gone, or one acrbot may not read, marks nothing', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const arm = h.app.sandbox!.arm.state;
    arm.denyAction(prodId, 'Microsoft.ContainerService/managedClusters/read');
    await expect(h.app.services.drift.sweep()).rejects.toThrow(
      new RegExp(`could not read 1 of 2 clusters and registries.*cluster ${prodId}: 403 AuthorizationFailed`),
    );
    expect((await h.app.store.get(request.id))!.access?.driftDetectedAt).toBeUndefined();
    // Read again, the cluster is gone (deleted, not yet re-created): not drift, and the run succeeds.
    arm.allowAction(prodId, 'Microsoft.ContainerService/managedClusters/read');
    expect(arm.removeCluster(prodId)).toBe(true);
    expect(await h.app.services.drift.sweep()).toEqual([]);
    expect((await h.app.store.get(request.id))!.access?.driftDetectedAt).toBeUndefined();
    expect(await driftEntries(request.id)).toEqual([]);
  });
});
