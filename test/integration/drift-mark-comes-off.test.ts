/**
 * A drift mark of an intact assignment comes off when the change outside acrbot is undone: the
 * registry switched to ABAC repository permissions and back, the cluster's kubelet identity
 * swapped and back. The sweep that reads the assignment intact and the cluster and registry giving
 * pull again clears `driftDetectedAt`/`driftReason`, audits it (`access.drift`, outcome
 * `cleared`) and updates the cards; `extend` and `status` then treat the grant as any other. A
 * later drift is recorded again, under its own entry. A mark whose assignment went meanwhile
 * stays, as does one whose registry read failed (until a sweep reads it). A `deleted` mark stays:
 * drift-deleted-mark-stays.test.ts.
 */
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import type { GrantPlan } from '../../src/domain/plan';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
const NEW_KUBELET = '0d000000-0000-4000-8000-0000000000f7';

describe('a drift mark comes off when the change is undone (ARM emulator)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  const driftEntries = async (id: string) =>
    (await h.app.audit.forRequest(id)).filter((e) => e.action === 'access.drift');
  const access = async (id: string) => (await h.app.store.get(id))!.access;

  test('ABAC switched on then back: cleared, audited, the card updated, extend and status as for any grant', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    registry.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    registry.roleAssignmentMode = 'LegacyRegistryPermissions';
    const before = h.connector.calls.length;

    expect(await h.app.services.drift.sweep()).toEqual([]);

    const now = await access(request.id);
    expect(now?.driftDetectedAt).toBeUndefined();
    expect(now?.driftReason).toBeUndefined();
    expect(now?.driftCleared).toBe(1);
    expect(await driftEntries(request.id)).toEqual([
      expect.objectContaining({ outcome: 'modeChanged', idempotencyKey: `access.drift:${request.id}` }),
      expect.objectContaining({
        outcome: 'cleared',
        idempotencyKey: `access.drift:${request.id}:cleared`,
        detail: expect.stringContaining("registry contosoacr's role assignment mode honours AcrPull again"),
      }),
    ]);
    await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        c.op === 'update' &&
        cardText(c.activity).includes(request.id) &&
        !/no longer gives pull/.test(cardText(c.activity)),
      10_000,
      'a card update without the drift',
    );
    expect(await h.ask(users.requester, `status ${request.id}`)).not.toContain('no longer gives pull');
    const extend = await h.ask(users.requester, `extend ${request.id} --for 1d rollout`);
    expect(extend).not.toContain('nothing was extended');
    expect(extend).not.toContain('role assignment mode changed');
  });

  test('kubelet identity swapped then back: cleared; a later drift is marked again under its own entry', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const arm = h.app.sandbox!.arm.state;
    const old = SANDBOX_CLUSTERS.prod.kubeletObjectId;
    arm.updateCluster(prodId, { kubeletObjectId: NEW_KUBELET } as never);
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    arm.updateCluster(prodId, { kubeletObjectId: old } as never);

    await h.app.services.drift.sweep();
    expect((await access(request.id))?.driftReason).toBeUndefined();

    arm.updateCluster(prodId, { kubeletObjectId: NEW_KUBELET } as never);
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    expect((await access(request.id))?.driftReason).toBe('identityChanged');
    expect((await driftEntries(request.id)).map((e) => [e.outcome, e.idempotencyKey])).toEqual([
      ['identityChanged', `access.drift:${request.id}`],
      ['cleared', `access.drift:${request.id}:cleared`],
      ['identityChanged', `access.drift:${request.id}:2`],
    ]);
  });

  test('a mode mark whose assignment was deleted before the mode came back stays', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const arm = h.app.sandbox!.arm.state;
    const registry = arm.getRegistry(contosoId)!;
    registry.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    arm.roleAssignments.delete((request.plan as GrantPlan).roleAssignmentName);
    registry.roleAssignmentMode = 'LegacyRegistryPermissions';

    await h.app.services.drift.sweep();

    expect((await access(request.id))?.driftReason).toBe('modeChanged');
    expect((await driftEntries(request.id)).map((e) => e.outcome)).toEqual(['modeChanged']);
  });

  test('the registry read failing: the mark stays, the run fails naming it, a later sweep clears it', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    registry.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    registry.roleAssignmentMode = 'LegacyRegistryPermissions';
    h.app.sandbox!.arm.faults.add({ operation: 'registries.get', status: 403, code: 'AuthorizationFailed', count: 1 });

    await expect(h.app.services.drift.sweep()).rejects.toThrow(/could not read 1 of 2 clusters and registries/);
    expect((await access(request.id))?.driftReason).toBe('modeChanged');

    await h.app.services.drift.sweep();
    expect((await access(request.id))?.driftReason).toBeUndefined();
  });

  test('the cleared entry failing to be written: the mark is put back, the run fails, the next sweep clears it once', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr deploy payments');
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    registry.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    registry.roleAssignmentMode = 'LegacyRegistryPermissions';
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    audit.append = async (event) => {
      if (event.outcome === 'cleared') throw new Error('audit store unavailable');
      return append(event);
    };
    try {
      await expect(h.app.services.drift.sweep()).rejects.toThrow(/could not audit the drift mark of .* coming off/);
    } finally {
      audit.append = append;
    }
    expect(await access(request.id)).toMatchObject({ driftReason: 'modeChanged' });
    expect((await access(request.id))?.driftCleared).toBeUndefined();

    await h.app.services.drift.sweep();

    expect((await access(request.id))?.driftReason).toBeUndefined();
    expect((await driftEntries(request.id)).map((e) => e.outcome)).toEqual(['modeChanged', 'cleared']);
  });
});
