/**
 * An extension keeps its grant's role assignment, which belongs to the identity: every cluster
 * pulling with it keeps pull too. So the clusters sharing it are looked for again when the
 * extension is filed (the planner's own look, with their tags now), not copied from the original:
 * a cluster given the identity since the grant (or a plan stored before sharing was recorded)
 * would otherwise never reach the policy's one-rule check or the extension's card.
 */
import { UserFacingError } from '../../src/domain/errors';
import type { AzureResourceReader } from '../../src/domain/ports';
import type { ClusterInfo } from '../../src/domain/azure-model';
import type { GrantPlan } from '../../src/domain/plan';
import { AccessActions } from '../../src/flows/access-actions';
import { GrantPlanner } from '../../src/flows/grant-planner';
import { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { APPROVERS_GROUP, policy, rule } from './support/policy-fixtures';
import { quietRequestService } from './support/quiet-request-service';
import { APPROVER, REQUESTER } from './support/requests';
import { aksA, aksB, grantForA, NOW, registry, SUB } from './support/shared-identity';

const tagged = (c: ClusterInfo, env: string): ClusterInfo => ({ ...c, tags: { env } });

/** Riley's grant for aks-a (made while no other cluster pulled with its identity), and its extension. */
async function setup(clusters: ClusterInfo[], recorded?: GrantPlan['sharedWith']) {
  const clock = new FakeClock(new Date(NOW));
  const store = new MemoryRequestStore();
  const made = grantForA();
  const original = { ...made, requester: REQUESTER, plan: { ...(made.plan as GrantPlan), sharedWith: recorded } };
  await store.create(original);
  const reader = {
    listClusters: async () => clusters,
    getCluster: async (_s: string, _g: string, name: string) => clusters.find((c) => c.name === name),
    getRegistry: async () => registry,
  } as unknown as AzureResourceReader;
  const planner = new GrantPlanner(new ResourceResolver(reader, [SUB]), {} as never, {} as never);
  const requests = quietRequestService({
    store,
    clock,
    members: { [APPROVERS_GROUP]: [APPROVER.objectId] },
    policy: policy([
      rule('prod', { match: { clusterTags: { env: 'prod' } } }),
      rule('dev', { match: { clusterTags: { env: 'dev' } } }),
    ]),
  });
  const actions = new AccessActions(
    requests,
    {} as never,
    {} as never,
    undefined,
    undefined,
    reader,
    undefined,
    clock,
    planner,
  );
  const extend = () =>
    actions.createExtension({
      actor: REQUESTER,
      tenantId: original.tenantId,
      originalId: original.id,
      duration: '1d',
      reason: 'release still rolling out',
      origin: original.origin,
    });
  return { extend, store };
}

describe('extending a grant whose identity another cluster has started pulling with', () => {
  test('the other cluster under another rule: the extension is refused as a new grant would be', async () => {
    const { extend, store } = await setup([tagged(aksA, 'dev'), tagged(aksB, 'prod')]);
    const err = await extend().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'policy.sharedIdentity' });
    expect((err as Error).message).toContain('also the pull identity of aks-b (resource group rg');
    expect((err as Error).message).toContain('under rule prod');
    expect(await store.listByState(['pending', 'approved'])).toHaveLength(0);
  });

  test('under the same rule: the extension records the new sharer, with its tags now', async () => {
    const { extend } = await setup([tagged(aksA, 'prod'), tagged(aksB, 'prod')]);
    const extension = await extend();
    expect(extension.plan.kind).toBe('grant');
    if (extension.plan.kind !== 'grant') return;
    expect(extension.plan.sharedWith?.clusters).toEqual([
      expect.objectContaining({ name: 'aks-b', tags: { env: 'prod' } }),
    ]);
  });

  test('nobody shares it any more: a sharer the original recorded is not carried over', async () => {
    const { extend } = await setup([tagged(aksA, 'prod')], {
      clusters: [{ id: aksB.id, name: 'aks-b', subscriptionId: SUB, resourceGroup: 'rg', tags: { env: 'dev' } }],
      more: 0,
      unchecked: [],
    });
    const extension = await extend();
    expect(extension.plan.kind === 'grant' && extension.plan.sharedWith).toBeUndefined();
  });
});
