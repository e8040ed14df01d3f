/**
 * A resumed secret run that fails before its own credential step (G14, G15): the credential an
 * earlier attempt of the request recorded is deleted, never one the records do not name; while
 * the secret the earlier attempt began writing cannot be looked at, a failure that may pass
 * interrupts the run instead (nothing deleted), until the wait limit.
 */
import { UserFacingError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { SecretPlan } from '../../src/domain/plan';
import type { AccessRequest, CreatedObject } from '../../src/domain/request';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import { RunFailure, RunInterrupted, type RunContext } from '../../src/flows/executor';
import { CLUSTER_WAIT_LIMIT_MS } from '../../src/flows/run-resumption';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { withCorrelation } from '../../src/observability/correlation';
import { createLogger } from '../../src/observability/logger';
import { pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const APP_ID = '00000000-0000-4000-8000-0000000000a1';
const SP_ID = '00000000-0000-4000-8000-0000000000b2';
/** The role assignment acrbot names for the plan's role (`role-guid`) given to its service principal. */
const ASSIGNMENT = roleAssignmentName(REGISTRY_ID, SP_ID, 'role-guid');
const NOW = Date.parse('2025-01-16T09:00:00.000Z');

/** Ports whose cluster check fails with `failure`; every Azure delete is noted. */
function ports(deletes: string[], failure: Error, found: Record<string, { id: string }> = {}): SecretRunnerPorts {
  return {
    tokens: {
      // The earlier attempt's token and scope map are there, their creates finished.
      getToken: async (_r: unknown, name: string) => ({
        id: `${REGISTRY_ID}/tokens/${name}`,
        provisioningState: 'Succeeded',
      }),
      getScopeMap: async (_r: unknown, name: string) => ({ id: `${REGISTRY_ID}/scopeMaps/${name}` }),
      deleteToken: async (_r: unknown, name: string) => {
        deletes.push(`token:${name}`);
        return {};
      },
      deleteScopeMap: async (_r: unknown, name: string) => {
        deletes.push(`scopeMap:${name}`);
        return {};
      },
    },
    servicePrincipals: {
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
      findApplication: async (name: string) => found[name],
      findServicePrincipal: async (appId: string) => (appId === 'app-id-1' ? { id: SP_ID } : undefined),
    },
    roleAssignments: {
      // The service principal holds the assignment acrbot made under its recorded name.
      listForPrincipal: async (scope: string, principalId: string) =>
        principalId === SP_ID
          ? [
              {
                id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}`,
                name: ASSIGNMENT,
                scope,
                principalId,
                roleDefinitionId: '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/role-guid',
              },
            ]
          : [],
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return {};
      },
    },
    kubernetes: {
      access: async () => ({ clusterName: 'aks-prod' }),
      precheck: async () => {
        throw failure;
      },
    },
    requests: { get: async () => undefined },
  } as unknown as SecretRunnerPorts;
}

function runner(p: SecretRunnerPorts, getCluster = async () => ({ localAccountsDisabled: true })): SecretRunner {
  return new SecretRunner(
    p,
    { delaysMs: [], sleep: async () => undefined },
    { reader: { getCluster } as never, allowLocalAccountClusters: false },
    () => new Date(NOW),
  );
}

/** A run context holding what an earlier attempt recorded. */
function context(created: Omit<CreatedObject, 'recordedAt'>[]) {
  const audited: string[] = [];
  const records: CreatedObject[] = created.map((o) => ({ ...o, recordedAt: '2025-01-15T09:00:00.000Z' }));
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    checkLease: async () => undefined,
    audit: async (event) => void audited.push(`${event.action}:${event.outcome}`),
    recordCreated: async (object) => void records.push({ ...object, recordedAt: '2025-01-16T09:00:00.000Z' }),
    created: () => [...records],
    log: createLogger({ level: 'silent' }),
  };
  return { ctx, audited };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the run to stop');
    },
    (err: unknown) => err,
  );
}

const TOKEN = 'acrbot-r-aaaaaaaa';
const tokenRecord = { kind: 'acrToken' as const, id: `${REGISTRY_ID}/tokens/${TOKEN}`, name: TOKEN };
const writeStarted = {
  kind: 'pullSecretWriteStarted' as const,
  id: pullSecretRecordId(secretPlan()),
  name: 'acr-auth',
};
const request = (overrides: Partial<AccessRequest> = {}) =>
  pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan(), ...overrides });
const namespaceGone = () => new UserFacingError('kubernetes.namespaceNotFound', 'Namespace payments does not exist.');
const unreachable = () => new UserFacingError('kubernetes.unreachable', 'Cluster aks-prod did not answer in time.');

describe('a resumed secret run failing before its credential step', () => {
  test('no earlier write: the recorded token is deleted, audited, and the outcome says so', async () => {
    const deletes: string[] = [];
    const { ctx, audited } = context([tokenRecord]);
    const err = await failureOf(runner(ports(deletes, namespaceGone())).run(request(), ctx));
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome).toMatchObject({
      errorCode: 'kubernetes.namespaceNotFound',
      cleanup: 'deleted',
      error: expect.stringMatching(/^Namespace payments does not exist\. The credential an earlier attempt/),
    });
    expect(deletes).toEqual([`token:${TOKEN}`]);
    expect(audited).toEqual(['credential.cleanup:deleted']);
  });

  test('nothing recorded: the error goes on as it was, nothing deleted', async () => {
    const deletes: string[] = [];
    const { ctx } = context([]);
    const failure = namespaceGone();
    expect(await failureOf(runner(ports(deletes, failure)).run(request(), ctx))).toBe(failure);
    expect(deletes).toEqual([]);
  });

  test('an application recorded by its name only and not found yet: pending, its reference kept for the clean-up job', async () => {
    const deletes: string[] = [];
    const plan = secretPlan({ credentialKind: 'sp', role: { id: 'role-guid', name: 'AcrPull' } });
    const { ctx } = context([{ kind: 'application', id: '', name: 'acrbot-r-aaaaaaaa-0123' }]);
    const err = (await failureOf(runner(ports(deletes, namespaceGone())).run(request({ plan }), ctx))) as RunFailure;
    expect(err.outcome).toMatchObject({ cleanup: 'pending', error: expect.stringMatching(/looks for it again/) });
    expect(JSON.parse(err.outcome.credentialRef!)).toEqual([
      { kind: 'sp', applicationId: '', appId: '', uniqueName: 'acrbot-r-aaaaaaaa-0123' },
    ]);
    // Found under that name: deleted with its role assignment.
    const found = { 'acrbot-r-aaaaaaaa-0123': { id: APP_ID } };
    const again = context([
      { kind: 'application', id: APP_ID, name: 'acrbot-r-aaaaaaaa-0123' },
      { kind: 'servicePrincipal', id: SP_ID, name: 'app-id-1' },
      { kind: 'roleAssignment', id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}` },
    ]);
    const done = (await failureOf(
      runner(ports(deletes, namespaceGone(), found)).run(request({ plan }), again.ctx),
    )) as RunFailure;
    expect(done.outcome.cleanup).toBe('deleted');
    expect(deletes).toEqual([`ra:${ASSIGNMENT}`, `app:${APP_ID}`]);
  });

  test('after an earlier write, a cluster or ARM read that fails: interrupted again, nothing deleted', async () => {
    const deletes: string[] = [];
    const { ctx } = context([tokenRecord, writeStarted]);
    expect(await failureOf(runner(ports(deletes, unreachable())).run(request(), ctx))).toBeInstanceOf(RunInterrupted);
    const armDown = runner(ports(deletes, unreachable()), async () => {
      throw new Error('ARM 503');
    });
    expect(await failureOf(armDown.run(request(), ctx))).toBeInstanceOf(RunInterrupted);
    expect(deletes).toEqual([]);
  });

  test('after an earlier write, waiting for the cluster: interrupted until the limit, then failed with the token deleted', async () => {
    const deletes: string[] = [];
    const { ctx } = context([tokenRecord, writeStarted]);
    const waiting = (ms: number) => ({
      waiting: { since: new Date(NOW - ms).toISOString(), reason: 'waits', reference: 'exec-R-AAAAAAAA' },
    });
    const run = (ms: number) => failureOf(runner(ports(deletes, unreachable())).run(request(waiting(ms)), ctx));
    expect(await run(CLUSTER_WAIT_LIMIT_MS - 1)).toBeInstanceOf(RunInterrupted);
    expect(deletes).toEqual([]);
    const err = (await run(CLUSTER_WAIT_LIMIT_MS)) as RunFailure;
    expect(err).toBeInstanceOf(RunFailure);
    expect(err.outcome).toMatchObject({
      errorCode: 'kubernetes.gaveUp',
      cleanup: 'deleted',
      error: expect.stringMatching(/Cluster aks-prod did not answer in time.*may therefore hold the credential/),
    });
    // What to do with the secret, not "ask again": the failed card adds that, with the command.
    expect(err.outcome.error).toContain(': look at that secret, and delete it if it names this request.');
    expect(err.outcome.error).not.toMatch(/ask again/i);
    expect(deletes).toEqual([`token:${TOKEN}`]);
  });

  test('given up after an unexpected last try: the reference the logs carry and what to do, not "see the logs"', async () => {
    const { ctx } = context([tokenRecord, writeStarted]);
    const since = {
      waiting: { since: new Date(NOW - CLUSTER_WAIT_LIMIT_MS).toISOString(), reason: 'waits', reference: 'r' },
    };
    const err = (await failureOf(
      withCorrelation(() => runner(ports([], new Error('boom'))).run(request(since), ctx), 'exec-R-AAAAAAAA'),
    )) as RunFailure;
    expect(err.outcome.errorCode).toBe('kubernetes.gaveUp');
    expect(err.outcome.error).toContain(
      "The last try: an unexpected error; the platform team can find the details in acrbot's logs under reference " +
        'exec-R-AAAAAAAA. Ask them to look at the cluster, then ask for it again (the new request needs approving again).',
    );
    expect(err.outcome.error).not.toContain('boom');
  });

  test('the interruption carries what the cards say, naming the secret and the limit', async () => {
    const { ctx } = context([tokenRecord, writeStarted]);
    const err = (await failureOf(runner(ports([], unreachable())).run(request(), ctx))) as RunInterrupted;
    expect(err.notice).toMatch(/cannot look at secret payments\/acr-auth in cluster aks-prod/);
    expect(err.notice).toMatch(/after 24 hours without an answer it gives up and deletes that credential/);
  });
});

describe('a resumed token run whose create is refused, the earlier attempt’s token gone already', () => {
  test('the outcome says nothing of the request is left in Azure, not that nothing was created', async () => {
    const deletes: string[] = [];
    const p = ports(deletes, new Error('unused'));
    Object.assign(p.kubernetes, { precheck: async () => ({}) });
    Object.assign(p.tokens, {
      getToken: async () => undefined,
      getScopeMap: async () => undefined,
      scopeMapFor: async (_r: unknown, name: string) => ({ id: `${REGISTRY_ID}/scopeMaps/${name}` }),
      createToken: async () => {
        throw new CloudApiError('AuthorizationFailed', 403, 'refused', 'arm-req-1');
      },
    });
    const { ctx } = context([tokenRecord]);
    const err = await failureOf(runner(p).run(request(), ctx));
    expect(err).toBeInstanceOf(RunFailure);
    const { outcome } = err as RunFailure;
    expect(outcome).toMatchObject({ cleanup: 'deleted' });
    expect(deletes).toEqual([]);
    expect(outcome.error).toMatch(/ Nothing acrbot created for this request is left in Azure\.$/);
    expect(outcome.error).not.toMatch(/Nothing was created/);
  });
});
