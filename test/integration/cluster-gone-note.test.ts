/**
 * A grant whose AKS cluster is deleted mid-grant: its kubelet identity went with it, so the role
 * assignment acrbot made on the registry is orphaned and the grant gives nothing. Not drift
 * (nothing changed the assignment), but no longer "Granted … Term until …" either: the sweep that
 * reads the cluster gone (404, never a failed read) notes `access.clusterGoneAt`, audits it once
 * (`access.clusterGone`), updates the cards, and `status` says so without offering `extend`. A
 * cluster of that name read again takes the note off (audited); the drift check then judges the
 * new cluster (a new kubelet identity: `identityChanged`). At its end acrbot still deletes its
 * recorded assignment, and only that (G15).
 */
import type { GrantPlan } from '../../src/domain/plan';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  DAY,
  advance,
  assignmentsOn,
  contosoId,
  grant,
  h,
  runDueAfter,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);
const NEW_KUBELET = '0d000000-0000-4000-8000-0000000000f8';

describe('a grant whose cluster was deleted', () => {
  useLifecycleHooks();

  const entries = async (id: string) =>
    (await h.app.audit.forRequest(id)).filter((e) => e.action === 'access.clusterGone');
  const access = async (id: string) => (await h.app.store.get(id))!.access;

  test('is noted once, its cards and status say it gives nothing, no extend offered; its assignment is deleted at its end', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    const arm = h.app.sandbox!.arm.state;
    const name = (request.plan as GrantPlan).roleAssignmentName;
    arm.removeCluster(prodId);
    const before = h.connector.calls.length;

    expect(await h.app.services.drift.sweep()).toEqual([]);
    await h.app.services.drift.sweep();

    const noted = await access(request.id);
    expect(noted?.clusterGoneAt).toBeDefined();
    expect(noted?.driftDetectedAt).toBeUndefined();
    expect((await entries(request.id)).map((e) => [e.outcome, e.idempotencyKey])).toEqual([
      ['noted', `access.clusterGone:${request.id}`],
    ]);
    await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        c.op === 'update' &&
        cardText(c.activity).includes('cluster aks-prod no longer exists'),
      10_000,
      'a card update saying the cluster is gone',
    );
    const status = await h.ask(users.requester, `status ${request.id}`);
    expect(status).toContain('cluster aks-prod no longer exists (seen');
    expect(status).toContain('this grant gives nothing; its role assignment is deleted at its end');
    expect(status).not.toContain(`@acrbot extend ${request.id}`);
    expect(status).not.toContain('Term');

    await runDueAfter(3 * DAY);

    const ended = (await h.app.store.get(request.id))!;
    expect(ended.access?.revokedAt).toBeDefined();
    expect(arm.roleAssignments.get(name)).toBeUndefined();
    expect(assignmentsOn(contosoId)).toEqual([]);
  });

  test('a failed cluster read notes nothing', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    h.app.sandbox!.arm.faults.add({
      operation: 'managedClusters.get',
      status: 403,
      code: 'AuthorizationFailed',
      count: 1,
    });

    await expect(h.app.services.drift.sweep()).rejects.toThrow(/could not read 1 of 2 clusters and registries/);

    expect((await access(request.id))?.clusterGoneAt).toBeUndefined();
    expect(await entries(request.id)).toEqual([]);
  });

  test('a cluster of that name again: the note comes off, audited, and the new identity is drift', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    const arm = h.app.sandbox!.arm.state;
    arm.removeCluster(prodId);
    await h.app.services.drift.sweep();
    expect((await access(request.id))?.clusterGoneAt).toBeDefined();
    advance(60_000);
    arm.addCluster({ ...SANDBOX_CLUSTERS.prod, kubeletObjectId: NEW_KUBELET } as never);

    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);

    const now = await access(request.id);
    expect(now?.clusterGoneAt).toBeUndefined();
    expect(now?.clusterGoneCleared).toBe(1);
    expect(now?.driftReason).toBe('identityChanged');
    expect((await entries(request.id)).map((e) => [e.outcome, e.idempotencyKey])).toEqual([
      ['noted', `access.clusterGone:${request.id}`],
      ['cleared', `access.clusterGone:${request.id}:cleared`],
    ]);
  });
});
