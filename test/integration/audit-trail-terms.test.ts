/**
 * What the trail records of an access beyond who did what: the kind and term of each request
 * (`request.created`), every cluster a grant gives pull to (clusters sharing its pull identity,
 * in `request.created`'s targets and `request.succeeded`), and an end that removed nothing or
 * left the cluster able to pull (`access.expired`/`access.revoked`).
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { GrantPlan } from '../../src/domain/plan';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { users } from '../helpers/harness';
import {
  advance,
  DAY,
  extendApproved,
  grant,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

const entry = async (requestId: string, action: string): Promise<AuditEntry> => {
  const found = (await h.app.audit.forRequest(requestId)).filter((e) => e.action === action);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('audit trail: terms, sharing clusters and what an end left', () => {
  useLifecycleHooks();

  test('request.created says the kind and term of a grant, an extension and a pull secret', async () => {
    await start();
    const a = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    expect((await entry(a.id, 'request.created')).detail).toBe('grant for 1d: deploy payments-api');
    // And until when it was given, as stored when access began (G17).
    const endsAt = (await h.app.store.get(a.id))!.access!.expiresAt!;
    expect((await entry(a.id, 'request.succeeded')).detail).toMatch(new RegExp(` Access until ${endsAt}\\.$`));
    advance(60 * MINUTE);
    const ext = await extendApproved(a.id, '--for 2d release still running');
    expect((await entry(ext, 'request.created')).detail).toBe(
      `extension of ${a.id} (grant) for 2d: release still running`,
    );
    // An extension's end is its access.extended entry's: its own success names none.
    expect((await entry(ext, 'request.succeeded')).detail).not.toContain('Access until');
    await h.stop();
    const { id } = await grantedSecretOnAksDev('aks-dev contosoacr --namespace payments --for 1d deploy it');
    expect((await entry(id, 'request.created')).detail).toBe('pull secret for 1d: deploy it');
    const secretEndsAt = (await h.app.store.get(id))!.access!.expiresAt!;
    expect((await entry(id, 'request.succeeded')).detail).toContain(` Access until ${secretEndsAt}.`);
  });

  test('a grant to an identity another cluster pulls with names that cluster when created and when granted', async () => {
    await start();
    const prod = SANDBOX_CLUSTERS.prod;
    h.app.sandbox!.arm.state.addCluster({
      subscriptionId: prod.subscriptionId,
      resourceGroup: prod.resourceGroup,
      name: 'aks-prod-east',
      identity: 'SystemAssigned',
      controlPlanePrincipalId: '0c000000-0000-4000-8000-0000000000c9',
      kubeletObjectId: prod.kubeletObjectId,
      kubeletClientId: prod.kubeletClientId,
      aad: true,
    });
    const r = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    const east = (r.plan as GrantPlan).sharedWith!.clusters[0]!.id;
    expect(east).toMatch(/managedClusters\/aks-prod-east$/);
    const created = await entry(r.id, 'request.created');
    expect(created.targetIds).toEqual([r.plan.cluster.id, r.plan.registry.id, east]);
    expect(created.detail).toBe(
      'grant for 1d; the identity is also the pull identity of 1 other cluster (its id follows the registry in the targets), which can pull too: deploy payments-api',
    );
    expect((await entry(r.id, 'request.succeeded')).detail).toContain(
      `. The identity is also the pull identity of 1 other cluster, which can pull too: ${east}.`,
    );
  });

  test("an end that deleted nothing says why: removed outside acrbot, or an assignment not acrbot's", async () => {
    await start();
    const c = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    const plan = c.plan as GrantPlan;
    h.app.sandbox!.arm.state.roleAssignments.delete(plan.roleAssignmentName);
    // Once Azure's listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
    advance(LISTING_LAG_GRACE_MS);
    await h.app.services.drift.sweep();
    const driftAt = (await h.app.store.get(c.id))!.access!.driftDetectedAt!;
    // To its end (an end a day late would say so too, late-end.ts).
    advance(DAY - LISTING_LAG_GRACE_MS);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    expect((await entry(c.id, 'access.expired')).detail).toBe(
      `nothing to delete: ${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName} was removed outside acrbot (drift noticed ${driftAt})`,
    );
    // A grant acrbot deleted says only its reason.
    const b = await grant(users.requester, 'aks-dev contosoacr --for 1d deploy orders');
    await h.click(users.requester, 'revokeConfirm', { requestId: b.id, reason: 'done now' });
    await h.app.services.background.drain();
    expect((await entry(b.id, 'access.revoked')).detail).toBe('done now');
  });

  test('an end whose grant met an assignment made outside acrbot says the cluster can still pull through it', async () => {
    await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    const plan = request.plan as GrantPlan;
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: plan.scope,
      roleDefinitionGuid: plan.role.id,
      principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
    });
    h.app.sandbox!.arm.faults.add({
      operation: 'roleAssignments.create',
      status: 409,
      code: 'RoleAssignmentExists',
      message: 'The role assignment already exists.',
      count: 1,
    });
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).outcome?.alreadyPresent).toBe(true);
    await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: 'no longer needed' });
    await h.app.services.background.drain();
    expect((await entry(request.id, 'access.revoked')).detail).toBe(
      `the cluster can still pull through an assignment acrbot did not make: ${plan.role.name} for ${plan.identity.objectId} on ${plan.scope}; no longer needed`,
    );
  });
});
