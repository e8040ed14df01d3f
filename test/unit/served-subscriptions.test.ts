/**
 * A stored plan outside the subscriptions served now (served-subscriptions.ts), and the grant
 * run's re-check that applies it before anything is read or written (GrantRunner.recheck): a
 * grant approved before its subscription was taken out of ACRBOT_SUBSCRIPTION_IDS fails with
 * `recheck.subscriptionUnserved`, no PUT, and so does its extension's run (which re-checks alike).
 */
import type { AzureResourceReader, RoleAssignmentPort } from '../../src/domain/ports';
import { planOutsideSubscriptions, unservedClause, unservedClauseWithin } from '../../src/domain/served-subscriptions';
import type { RunContext } from '../../src/flows/executor';
import type { GrantPlanner } from '../../src/flows/grant-planner';
import { RECHECK_SUBSCRIPTION_UNSERVED } from '../../src/domain/new-request-codes';
import { GrantRunner } from '../../src/flows/grant-runner';
import { createLogger } from '../../src/observability/logger';
import { grantPlan, pendingRequest } from './support/requests';

const SERVED = '00000000-0000-4000-8000-0000000000aa';
const GONE = '00000000-0000-4000-8000-0000000000bb';

function planIn(clusterSub: string, registrySub: string) {
  const plan = grantPlan();
  return {
    ...plan,
    cluster: { ...plan.cluster, subscriptionId: clusterSub },
    registry: { ...plan.registry, subscriptionId: registrySub },
  };
}

describe('planOutsideSubscriptions', () => {
  test('the cluster first, then the registry; ids compared ignoring case', () => {
    expect(planOutsideSubscriptions(planIn(SERVED.toUpperCase(), SERVED), [SERVED])).toBeUndefined();
    expect(planOutsideSubscriptions(planIn(GONE, GONE), [SERVED])).toEqual({
      kind: 'cluster',
      name: 'aks-prod',
      subscriptionId: GONE,
    });
    const registry = planOutsideSubscriptions(planIn(SERVED, GONE), [SERVED.toUpperCase()]);
    expect(registry).toMatchObject({ kind: 'registry', subscriptionId: GONE });
    expect(unservedClause(registry!)).toBe(
      `Registry ${grantPlan().registry.name} is in subscription ${GONE}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)`,
    );
    expect(unservedClauseWithin(registry!)).toBe(
      `registry ${grantPlan().registry.name} is in subscription ${GONE}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)`,
    );
  });

  test('no list (flows run without config): nothing is outside it', () => {
    expect(planOutsideSubscriptions(planIn(GONE, GONE), undefined)).toBeUndefined();
    expect(planOutsideSubscriptions(planIn(GONE, GONE), [])).toBeUndefined();
  });
});

describe('GrantRunner: a plan in a subscription no longer served', () => {
  function setup(plan: ReturnType<typeof planIn>) {
    const calls: string[] = [];
    const roleAssignments: RoleAssignmentPort = {
      listForPrincipal: async () => [],
      create: async (input) => {
        calls.push(`create ${input.name}`);
        return { id: 'x' };
      },
      canAssignRoles: async () => true,
      delete: async () => ({}),
      scopeExists: async () => true,
    };
    const azure = {
      getCluster: async () => {
        calls.push('getCluster');
        return { id: plan.cluster.id, name: plan.cluster.name };
      },
      getRegistry: async () => {
        calls.push('getRegistry');
        return { id: plan.registry.id, roleAssignmentMode: plan.registry.roleAssignmentMode };
      },
    } as unknown as AzureResourceReader;
    const planner = { resolveIdentity: async () => plan.identity } as unknown as GrantPlanner;
    const runner = new GrantRunner(azure, roleAssignments, planner, [], async () => undefined, undefined, [SERVED]);
    const ctx: RunContext = {
      requestId: 'R-UNITTEST',
      audit: async () => undefined,
      recordCreated: async () => undefined,
      created: () => [],
      log: createLogger({ level: 'silent' }),
    };
    const run = () => runner.run(pendingRequest({ state: 'executing', plan }), ctx).catch((e: unknown) => e);
    return { run, runner, calls };
  }

  test('approved before the subscription was taken out: failed before any read, no PUT', async () => {
    const t = setup(planIn(GONE, SERVED));
    const err = await t.run();
    expect(err).toMatchObject({ code: RECHECK_SUBSCRIPTION_UNSERVED });
    expect((err as Error).message).toBe(
      `Cluster aks-prod is in subscription ${GONE}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS), so nothing was granted.`,
    );
    expect(t.calls).toEqual([]);
  });

  test("an extension's run says its own outcome", async () => {
    const t = setup(planIn(SERVED, GONE));
    await expect(t.runner.recheck(planIn(SERVED, GONE), 'the access was not extended')).rejects.toMatchObject({
      code: RECHECK_SUBSCRIPTION_UNSERVED,
      message: expect.stringContaining('so the access was not extended.'),
    });
    expect(t.calls).toEqual([]);
  });

  test('both still served: re-read and granted as before', async () => {
    const t = setup(planIn(SERVED, SERVED.toUpperCase()));
    const outcome = await t.run();
    expect(outcome).toMatchObject({ summary: expect.stringContaining('Granted') });
    expect(t.calls).toContain(`create ${grantPlan().roleAssignmentName}`);
  });
});
