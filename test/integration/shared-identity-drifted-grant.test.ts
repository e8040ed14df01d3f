/**
 * aks-dev and aks-prod pull with one user-assigned kubelet identity; acrbot grants aks-prod for
 * three days, then aks-prod moves to another kubelet identity and its grant drifts
 * (identityChanged). The grant's role assignment is intact and still gives aks-dev pull, and the
 * grant's end still deletes it (the drifted grant holds it until then). So `check aks-dev` and
 * `access aks-dev` say pull ends then, with aks-prod's grant, never "no end date"; and at that
 * end aks-dev does lose it, as they said.
 */
import { shortTime } from '../../src/domain/pull-diagnosis';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { users } from '../helpers/harness';
import { assignmentsOn, contosoId, DAY, grant, h, runDueAfter, start, useLifecycleHooks } from '../helpers/lifecycle';

const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
const devId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev);
const SHARED = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const PROD_NEXT = '0d000000-0000-4000-8000-0000000000f9';

useLifecycleHooks();

test("a cluster sharing the kubelet identity of a drifted grant is told that its pull ends with that grant's end", async () => {
  await start();
  const sandbox = h.app.sandbox!;
  sandbox.arm.state.getCluster(devId)!.kubeletObjectId = SHARED;
  const r1 = await grant(users.requester, 'aks-prod contosoacr deploy payments --for 3d');
  const ends = r1.access!.expiresAt!;

  // aks-prod moves to another kubelet identity; its `check` records the drift.
  sandbox.directory.addServicePrincipal({
    id: PROD_NEXT,
    appId: '0e000000-0000-4000-8000-0000000000f9',
    displayName: 'aks-prod kubelet 2',
    servicePrincipalType: 'ManagedIdentity',
  });
  sandbox.arm.state.getCluster(prodId)!.kubeletObjectId = PROD_NEXT;
  await h.ask(users.approver, 'check aks-prod contosoacr');
  expect((await h.app.store.get(r1.id))!.access).toMatchObject({ driftReason: 'identityChanged' });

  const check = await h.ask(users.approver, 'check aks-dev contosoacr');
  expect(check).toContain(`Role-based pull ends ${shortTime(ends)}.`);
  expect(check).toContain('It ends with the grant for cluster aks-prod, which pulls with the same identity');
  expect(check).not.toContain('no end date');
  const [cell] = (await h.app.services.inventory.forCluster('aks-dev')).cells.filter(
    (c) => c.registry.id.toLowerCase() === contosoId.toLowerCase(),
  );
  expect(cell).toMatchObject({ canPull: true, state: 'expiring', expiresAt: ends });

  // The end comes as said: the drifted grant's expiry deletes the assignment aks-dev pulled through.
  await runDueAfter(3 * DAY + 60_000);
  expect((await h.app.store.get(r1.id))!.state).toBe('revoked');
  expect(assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === SHARED)).toEqual([]);
  expect(await h.ask(users.approver, 'check aks-dev contosoacr')).toContain('aks-dev cannot pull from contosoacr');
});
