/**
 * GrantRunner's re-check before the PUT when ARM refuses the re-read (403 AuthorizationFailed,
 * which ARM answers instead of 404 when acrbot may no longer read the resource): the run fails
 * saying which right is missing, with no PUT, instead of "something unexpected went wrong"; a
 * 404 still reads as gone, and any other failure is left as it is.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { UserFacingError } from '../../src/domain/errors';
import type { RunContext } from '../../src/flows/executor';
import type { AzureResourceReader, RoleAssignmentPort } from '../../src/domain/ports';
import { CloudApiError } from '../../src/domain/ports';
import { GrantPlanner, type PlanningReads } from '../../src/flows/grant-planner';
import { GrantRunner, UNCONFIRMED_GRANT } from '../../src/flows/grant-runner';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { fakeDirectory } from './support/fake-directory';
import { createLogger } from '../../src/observability/logger';
import { armWriteError } from './support/arm-rest-error';
import { grantRunnerOver } from './support/grant-runner-over';
import { runContext } from './support/run-context';
import { grantPlan, pendingRequest } from './support/requests';

const plan = grantPlan();

function refusal(status: number, code: string): RestError {
  return new RestError(`ARM answered ${status}`, { statusCode: status, code });
}

/** A runner whose cluster read is `readCluster` (the registry reads as planned). */
function setup(readCluster: () => Promise<unknown>, earlier = false) {
  let puts = 0;
  const runner = grantRunnerOver(plan, {
    create: async () => {
      puts++;
      return { id: 'x' };
    },
    getCluster: readCluster,
  });
  const created = earlier
    ? [
        {
          kind: 'roleAssignment' as const,
          id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
          name: plan.roleAssignmentName,
          recordedAt: '2026-11-30T10:00:00.000Z',
        },
      ]
    : [];
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    audit: async () => undefined,
    recordCreated: async () => undefined,
    created: () => created,
    log: createLogger({ level: 'silent' }),
  };
  const run = () => runner.run(pendingRequest({ state: 'executing', plan }), ctx).catch((e: unknown) => e);
  return { run, puts: () => puts };
}

describe('GrantRunner: the re-check ARM refuses', () => {
  test('a 403 on the cluster: failed naming the cluster and the Reader role, no PUT', async () => {
    const t = setup(() => Promise.reject(refusal(403, 'AuthorizationFailed')));
    const err = await t.run();
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'recheck.clusterUnreadable' });
    expect((err as Error).message).toContain(`cluster ${plan.cluster.name} (Azure answered AuthorizationFailed)`);
    // The platform team gives the role: the requester and approvers who read it cannot.
    expect((err as Error).message).toContain(
      "ask the platform team to give acrbot's identity the Reader role on it (docs/deploy.md).",
    );
    expect((err as Error).message).toContain('nothing was granted');
    expect(t.puts()).toBe(0);
  });

  test('a resumed run (an earlier attempt may have PUT): unconfirmed, with the same sentence', async () => {
    const t = setup(() => Promise.reject(refusal(403, 'AuthorizationFailed')), true);
    const err = await t.run();
    expect(err).toMatchObject({ code: UNCONFIRMED_GRANT });
    expect((err as Error).message).toContain(`may no longer read cluster ${plan.cluster.name}`);
  });

  test('a 404 SubscriptionNotFound (thrown by the reader): failed naming the subscription problem, no PUT', async () => {
    const t = setup(() => Promise.reject(refusal(404, 'SubscriptionNotFound')));
    const err = await t.run();
    expect(err).toMatchObject({ code: 'recheck.clusterUnreadable' });
    expect((err as Error).message).toContain(
      `no longer finds the subscription of cluster ${plan.cluster.name} (Azure answered SubscriptionNotFound`,
    );
    expect((err as Error).message).toContain('nothing was granted');
    expect(t.puts()).toBe(0);
  });

  test('a 404 still reads as gone (the reader answers none), and a 500 is left as it is', async () => {
    expect(await setup(async () => undefined).run()).toMatchObject({ code: 'recheck.clusterGone' });
    const broken = refusal(500, 'InternalServerError');
    expect(await setup(() => Promise.reject(broken)).run()).toBe(broken);
    // Resumed, that one stays "something unexpected", and unconfirmed.
    const resumed = await setup(() => Promise.reject(broken), true).run();
    expect(resumed).toMatchObject({ code: UNCONFIRMED_GRANT });
    expect((resumed as Error).message).toMatch(/^Something unexpected went wrong/);
  });
});

describe('GrantRunner: the PUT Azure answers PrincipalNotFound after the retries', () => {
  test('both causes: not replicated yet (ask again; the new request is approved again) or the kubelet identity deleted (how to check)', async () => {
    const runner = grantRunnerOver(plan, {
      create: async () => {
        throw armWriteError(400, 'PrincipalNotFound', 'Principal not found in the directory.', {
          requestId: 'r-1',
        });
      },
    });
    const { ctx } = runContext();
    const err = await runner.run(pendingRequest({ state: 'executing', plan }), ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'azure.principalNotFound' });
    const message = (err as Error).message;
    expect(message).toContain(
      `Azure still does not know identity ${plan.identity.objectId} after retrying for about two minutes, so nothing was granted. Either it is new and not yet replicated in the directory, and asking for it again in a few minutes works (the new request needs approving again), or `,
    );
    // The cause asking again never fixes: the kubelet identity deleted, and how to check it.
    expect(message).toMatch(/kubelet identity may have been deleted/);
    expect(message).toContain(
      `az aks show -g ${plan.cluster.resourceGroup} -n ${plan.cluster.name} --query identityProfile.kubeletidentity`,
    );
    expect(message).toContain('az identity show --ids');
  });
});

describe('GrantRunner: the re-check finds a service-principal cluster Graph will not look up', () => {
  test('the pull secret it offers names the cluster as the requester did when it was planned', async () => {
    // Planned as `grant rg-aks/aks-prod …`; the cluster now pulls with a service principal, whose
    // lookup Graph refuses (403): the run fails with the planner's sentence, naming a pull secret.
    const typed = { ...plan, typed: { cluster: 'groupAndName', registry: 'name' } as const };
    const azure = {
      getCluster: async () => ({
        ...typed.cluster,
        aadEnabled: false,
        identity: { servicePrincipalClientId: 'app-1' },
      }),
      getRegistry: async () => ({ id: plan.registry.id, roleAssignmentMode: plan.registry.roleAssignmentMode }),
    } as unknown as AzureResourceReader;
    const refused = new CloudApiError('Authorization_RequestDenied', 403, 'service principal lookup by app id failed');
    const planner = new GrantPlanner(
      {} as ResourceResolver,
      {} as RoleAssignmentPort & PlanningReads,
      fakeDirectory({}, { servicePrincipalObjectId: () => Promise.reject(refused) }),
    );
    const runner = new GrantRunner(azure, {} as RoleAssignmentPort, planner, [], async () => undefined);
    const { ctx } = runContext();
    const err = await runner.run(pendingRequest({ state: 'executing', plan: typed }), ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'cluster.servicePrincipalUnreadable' });
    expect((err as Error).message).toContain('@acrbot secret rg-aks/aks-prod REGISTRY --namespace NAMESPACE');
  });
});
