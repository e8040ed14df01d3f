/**
 * aks-prod's grant drifts (aks-prod moves to another kubelet identity), then aks-prod moves back:
 * the grant's role assignment gives it pull again, and the grant's end still deletes it (the
 * drifted grant holds it until then). So `check aks-prod` says pull ends then, not "no end date",
 * and, since a drifted grant is never extended, its fix is a new grant, not Extend, which its
 * requester can then ask for.
 */
import { shortTime } from '../../src/domain/pull-diagnosis';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { users } from '../helpers/harness';
import { grant, h, start, useLifecycleHooks } from '../helpers/lifecycle';

const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
const FIRST = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const NEXT = '0d000000-0000-4000-8000-0000000000f9';

useLifecycleHooks();

test("a cluster's own drifted grant whose assignment serves it again: pull ends with that grant, and the fix is a new grant", async () => {
  await start();
  const sandbox = h.app.sandbox!;
  const r1 = await grant(users.requester, 'aks-prod contosoacr deploy payments --for 3d');
  const ends = r1.access!.expiresAt!;

  sandbox.directory.addServicePrincipal({
    id: NEXT,
    appId: '0e000000-0000-4000-8000-0000000000f9',
    displayName: 'aks-prod kubelet 2',
    servicePrincipalType: 'ManagedIdentity',
  });
  sandbox.arm.state.getCluster(prodId)!.kubeletObjectId = NEXT;
  await h.ask(users.approver, 'check aks-prod contosoacr');
  expect((await h.app.store.get(r1.id))!.access).toMatchObject({ driftReason: 'identityChanged' });

  // Switched back: the assignment acrbot made serves aks-prod again; the grant stays drifted.
  sandbox.arm.state.getCluster(prodId)!.kubeletObjectId = FIRST;
  const check = await h.ask(users.approver, 'check aks-prod contosoacr');
  expect(check).toContain('aks-prod can pull from contosoacr');
  expect(check).toContain(`Role-based pull ends ${shortTime(ends)}.`);
  expect(check).not.toContain('no end date');
  expect(check).toContain(`It ends with acrbot request ${r1.id}, which acrbot does not extend`);
  expect(check).toContain('@acrbot grant aks-prod contosoacr REASON…');
  expect(check).not.toContain(`extend ${r1.id}`);

  // Its requester follows that fix: a new request, not "Access already exists… extend", refused.
  const again = await h.ask(users.requester, 'grant aks-prod contosoacr --for 3d deploy payments, again');
  expect(again).not.toContain('Access already exists');
  const mine = await h.app.store.listByRequester(users.requester.objectId, ['pending']);
  expect(mine.map((r) => r.plan.cluster.name)).toEqual(['aks-prod']);
});
