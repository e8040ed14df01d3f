/**
 * GrantRunner when the role assignment PUT fails (G17, G15): a refusal fails the run as before;
 * a failure whose answer may have been lost (5xx, timeout, dropped connection, throttling) reads
 * the assignment back by its deterministic name and succeeds only on an exact match; anything
 * else fails as `azure.writeUnconfirmed`, which the lifecycle cleans up.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { AuditEvent } from '../../src/domain/audit-chain';
import { UserFacingError } from '../../src/domain/errors';
import type { AzureResourceReader, RoleAssignmentPort } from '../../src/domain/ports';
import { CloudApiError } from '../../src/domain/ports';
import type { RunContext } from '../../src/flows/executor';
import type { GrantPlanner } from '../../src/flows/grant-planner';
import { GrantRunner, UNCONFIRMED_GRANT } from '../../src/flows/grant-runner';
import { createLogger } from '../../src/observability/logger';
import { grantPlan, pendingRequest } from './support/requests';

const plan = grantPlan();

/** The assignment the plan makes, as ARM lists it (role definition subscription-qualified). */
function planned(overrides: Partial<RoleAssignmentInfo> = {}): RoleAssignmentInfo {
  return {
    id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
    name: plan.roleAssignmentName,
    scope: plan.scope,
    roleDefinitionId: `/subscriptions/${plan.registry.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
    principalId: plan.identity.objectId,
    principalType: 'ServicePrincipal',
    ...overrides,
  };
}

function setup(putError: CloudApiError, readBack: () => Promise<RoleAssignmentInfo[]>) {
  let reads = 0;
  const roleAssignments: RoleAssignmentPort = {
    listForPrincipal: async () => {
      reads++;
      return readBack();
    },
    create: async () => {
      throw putError;
    },
    canAssignRoles: async () => true,
    delete: async () => ({}),
    scopeExists: async () => true,
  };
  const azure = {
    getCluster: async () => ({ id: plan.cluster.id, name: plan.cluster.name }),
    getRegistry: async () => ({ id: plan.registry.id, roleAssignmentMode: plan.registry.roleAssignmentMode }),
  } as unknown as AzureResourceReader;
  const planner = { resolveIdentity: async () => plan.identity } as unknown as GrantPlanner;
  const runner = new GrantRunner(azure, roleAssignments, planner, [], async () => undefined);
  const audit: Array<Pick<AuditEvent, 'action' | 'outcome' | 'detail'>> = [];
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    audit: async (e) => void audit.push(e),
    recordCreated: async () => undefined,
    created: () => [],
    log: createLogger({ level: 'silent' }),
  };
  const run = () => runner.run(pendingRequest({ state: 'executing', plan }), ctx);
  return { run, audit, reads: () => reads };
}

const lost = new CloudApiError('InternalServerError', 500, 'role assignment create failed', 'req-1');

describe('GrantRunner: a role assignment PUT whose answer may have been lost', () => {
  test.each([
    ['a 500', lost],
    ['a gateway timeout', new CloudApiError('GatewayTimeout', 504, 'x')],
    ['a dropped connection (no status)', new CloudApiError('ECONNRESET', undefined, 'x')],
    ['throttling after the retries', new CloudApiError('SubscriptionRequestsThrottled', 429, 'x')],
  ])('%s, with the assignment found exactly as planned: granted, and acrbot made it', async (_, err) => {
    const t = setup(err, async () => [planned()]);
    const outcome = await t.run();
    expect(outcome).toMatchObject({ createdIds: [planned().id] });
    expect(outcome.alreadyPresent).toBeFalsy();
    expect(t.audit.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      `azure.write.roleAssignment:failed:${err.code}`,
      'azure.write.roleAssignment:created',
    ]);
  });

  test.each([
    ['not listed (yet)', []],
    ['with a condition', [planned({ condition: "@Resource[...] StringEquals 'x'" })]],
    ['for another principal', [planned({ principalId: '0d000000-0000-4000-8000-0000000000ff' })]],
    [
      'with another role',
      [planned({ roleDefinitionId: '/providers/x/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec' })],
    ],
    ['under another name', [planned({ name: '11111111-1111-4111-8111-111111111111' })]],
  ])('read back %s: not confirmed, the run fails as unconfirmed (the lifecycle cleans up)', async (_, found) => {
    const t = setup(lost, async () => found as RoleAssignmentInfo[]);
    const err = await t.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: UNCONFIRMED_GRANT });
    expect((err as Error).message).toContain('req-1');
  });

  test('a read-back that fails too: unconfirmed', async () => {
    const t = setup(lost, async () => {
      throw new Error('ARM unreachable');
    });
    await expect(t.run()).rejects.toMatchObject({ code: UNCONFIRMED_GRANT });
    expect(t.reads()).toBe(1);
  });

  test.each([
    ['AuthorizationFailed', 403, 'bot.cannotAssignRoles'],
    ['RoleAssignmentUpdateNotPermitted', 400, 'azure.assignmentConflict'],
    ['InvalidRoleAssignmentId', 400, 'azure.writeFailed'],
  ])('a refusal (%s) is not read back: nothing was made', async (code, status, expected) => {
    const t = setup(new CloudApiError(code, status, 'x'), async () => [planned()]);
    await expect(t.run()).rejects.toMatchObject({ code: expected });
    expect(t.reads()).toBe(0);
  });
});
