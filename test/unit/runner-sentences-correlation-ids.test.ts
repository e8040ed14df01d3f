/**
 * A run's failure sentence that names the Azure request id also names ARM's correlation request
 * id when the answer carried one, labelled for the Activity Log (what operators search there);
 * without one, the sentence is as before. The audit entry's `correlationIds` stay the answer's
 * `x-ms-request-id`s (audit-chain.ts; the tab lists them as Azure request ids).
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { UserFacingError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import { RunFailure, type RunContext } from '../../src/flows/executor';
import { UNCONFIRMED_GRANT } from '../../src/flows/grant-runner';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { createLogger } from '../../src/observability/logger';
import { armWriteError } from './support/arm-rest-error';
import { grantRunnerOver } from './support/grant-runner-over';
import { grantPlan, pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const REQUEST_ID = '4f1c2d3e-0000-4000-8000-00000000a001';
const CORRELATION_ID = '7a8b9c0d-0000-4000-8000-00000000c002';
const BOTH = { requestId: REQUEST_ID, correlationRequestId: CORRELATION_ID };
const LABELLED = `Azure request id ${REQUEST_ID} (correlation id ${CORRELATION_ID} in the Activity Log)`;

const plan = grantPlan();

/** The assignment the plan makes, as ARM lists it. */
const planned = (): RoleAssignmentInfo => ({
  id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
  name: plan.roleAssignmentName,
  scope: plan.scope,
  roleDefinitionId: `/subscriptions/${plan.registry.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
  principalId: plan.identity.objectId,
  principalType: 'ServicePrincipal',
});

function context(audit: Array<Pick<AuditEvent, 'action' | 'outcome' | 'correlationIds'>> = []): RunContext {
  return {
    requestId: 'R-UNITTEST',
    audit: async (e) => void audit.push(e),
    recordCreated: async () => undefined,
    created: () => [],
    checkLease: async () => undefined,
    log: createLogger({ level: 'silent' }),
  };
}

function grant(putError: CloudApiError, readBack: RoleAssignmentInfo[] = []) {
  const runner = grantRunnerOver(plan, {
    create: async () => {
      throw putError;
    },
    listForPrincipal: async () => readBack,
  });
  const audit: Array<Pick<AuditEvent, 'action' | 'outcome' | 'correlationIds'>> = [];
  const run = () => runner.run(pendingRequest({ state: 'executing', plan }), context(audit));
  return { run, audit };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (err: unknown) => err as Error,
  );
}

describe('grant: the correlation request id beside the request id', () => {
  test('a refusal (azure.writeFailed) names both, the correlation id for the Activity Log', async () => {
    const err = await failureOf(grant(armWriteError(400, 'InvalidRoleAssignmentId', 'bad id', BOTH)).run());
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'azure.writeFailed' });
    expect(err.message).toBe(
      `Azure refused the role assignment (InvalidRoleAssignmentId, HTTP 400); the platform team can look it up with ${LABELLED}.`,
    );
  });

  test('a refusal whose code is not shaped like ARM’s (a gateway’s text) does not quote it', async () => {
    const err = await failureOf(grant(armWriteError(400, '<a href="https://evil">x</a>', 'bad', BOTH)).run());
    expect(err).toMatchObject({ code: 'azure.writeFailed' });
    expect(err.message).toBe(
      `Azure refused the role assignment (an unrecognised code, HTTP 400); the platform team can look it up with ${LABELLED}.`,
    );
  });

  test('an unconfirmed PUT (lost answer, not read back) names both', async () => {
    const err = await failureOf(grant(armWriteError(500, 'InternalServerError', 'oops', BOTH)).run());
    expect(err).toMatchObject({ code: UNCONFIRMED_GRANT });
    expect(err.message).toMatch(new RegExp(`the platform team can look it up with ${escape(LABELLED)}\\.$`));
  });

  test('without a correlation id (a lost connection, or a Graph error): the request id alone, as before', async () => {
    const err = await failureOf(grant(new CloudApiError('Conflict', 409, 'x', REQUEST_ID)).run());
    expect(err.message).toMatch(new RegExp(`with Azure request id ${REQUEST_ID}\\.$`));
    expect(err.message).not.toContain('correlation');
  });

  test("a lost answer read back as planned: the audit entry's correlationIds are the x-ms-request-id", async () => {
    const t = grant(armWriteError(500, 'InternalServerError', 'oops', BOTH), [planned()]);
    await t.run();
    const created = t.audit.filter((e) => e.action === 'azure.write.roleAssignment' && e.outcome === 'created');
    expect(created).toHaveLength(1);
    expect(created[0]!.correlationIds).toEqual([REQUEST_ID]);
  });
});

describe('secret: the correlation request id beside the request id', () => {
  function secret(createError: CloudApiError) {
    const ports = {
      tokens: {
        getScopeMap: async () => undefined,
        getToken: async () => undefined,
        scopeMapFor: async () => ({ id: `${REGISTRY_ID}/scopeMaps/_repositories_pull`, created: false }),
        createToken: async () => {
          throw createError;
        },
        deleteToken: async () => ({}),
        deleteScopeMap: async () => ({}),
      },
      servicePrincipals: {},
      roleAssignments: {},
      kubernetes: { access: async () => ({ clusterName: 'aks-prod' }), precheck: async () => ({}) },
      requests: { get: async () => undefined },
    } as unknown as SecretRunnerPorts;
    const runner = new SecretRunner(
      ports,
      { delaysMs: [], sleep: async () => undefined },
      {
        reader: { getCluster: async () => ({ localAccountsDisabled: true }) } as never,
        allowLocalAccountClusters: false,
      },
      // The day the fixtures' plans were made: their credential expiry lies ahead.
      () => new Date('2025-01-15T09:00:00.000Z'),
    );
    return runner.run(pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() }), context());
  }

  test('a refusal (azure.writeFailed sentence) names both', async () => {
    const err = await failureOf(secret(armWriteError(400, 'TokenNameInvalid', 'bad name', BOTH)));
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome.error).toMatch(
      new RegExp(
        `^Azure refused to create the credential \\(TokenNameInvalid\\); the platform team can look it up with ${escape(LABELLED)}\\.`,
      ),
    );
  });

  test('an unanswered create (no status) names both', async () => {
    const unanswered = new CloudApiError('OperationTimedOut', undefined, 'x', REQUEST_ID, CORRELATION_ID);
    const err = await failureOf(secret(unanswered));
    expect((err as RunFailure).outcome.error).toMatch(
      new RegExp(`^Azure did not confirm creating the credential \\(OperationTimedOut\\).*${escape(LABELLED)}\\.`),
    );
  });

  test('without a correlation id: the request id alone', async () => {
    const err = await failureOf(secret(new CloudApiError('TokenNameInvalid', 400, 'x', REQUEST_ID)));
    expect((err as RunFailure).outcome.error).toContain(`with Azure request id ${REQUEST_ID}.`);
    expect((err as RunFailure).outcome.error).not.toContain('correlation');
  });
});

/** `text` for a RegExp, matched literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
