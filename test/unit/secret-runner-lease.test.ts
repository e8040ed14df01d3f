/**
 * A secret run that lost its execution lease after creating the credential must leave that
 * credential alone: the instance that took the run over resumes with the very token or
 * application recorded for the request, and a clean-up by the old holder would delete it from
 * under the secret the new holder writes (and could not be audited, the lease being gone).
 */
import { UserFacingError } from '../../src/domain/errors';
import type { AccessRequest, CreatedObject } from '../../src/domain/request';
import { LeaseLostError, VersionConflictError } from '../../src/domain/ports';
import type { SecretPlan } from '../../src/domain/plan';
import { pullSecretRecordId, SECRET_WRITE_UNCONFIRMED } from '../../src/domain/secret-ownership';
import { SecretValue } from '../../src/domain/secret-value';
import { RunFailure, RunInterrupted, type RunContext } from '../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { createLogger } from '../../src/observability/logger';
import { pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';
import { clusterWriting, OWN_SP_ID } from './support/sp-runner';

const APP_ID = '00000000-0000-4000-8000-0000000000a1';

/**
 * Fake ports that succeed and note every Azure delete. The run's own token exists once created;
 * any other (a replaced request's) exists until deleted.
 */
function fakePorts(deletes: string[]): SecretRunnerPorts {
  const created = new Set<string>();
  const exists = (name: string) =>
    (created.has(name) || name !== 'acrbot-r-aaaaaaaa') && !deletes.includes(`token:${name}`);
  return {
    tokens: {
      getScopeMap: async () => undefined,
      getToken: async (_r: unknown, name: string) =>
        exists(name) ? { id: `${REGISTRY_ID}/tokens/${name}`, provisioningState: 'Succeeded' } : undefined,
      scopeMapFor: async () => ({ id: `${REGISTRY_ID}/scopeMaps/_repositories_pull`, created: false }),
      createToken: async (_r: unknown, name: string) => {
        created.add(name);
        return { id: `${REGISTRY_ID}/tokens/${name}`, requestId: 'arm-1' };
      },
      generatePassword: async () => ({ username: 'acrbot-token', password: new SecretValue('pw-not-logged') }),
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
      ownServicePrincipalId: async () => OWN_SP_ID,
      upsertApplication: async () => ({ id: APP_ID, appId: 'app-id-1', created: true }),
      deleteApplication: async (id: string) => {
        deletes.push(`app:${id}`);
        return {};
      },
    },
    roleAssignments: {
      delete: async (ra: { name: string }) => {
        deletes.push(`ra:${ra.name}`);
        return {};
      },
    },
    ...clusterWriting(),
  } as unknown as SecretRunnerPorts;
}

function runner(deletes: string[], ports = fakePorts(deletes)): SecretRunner {
  return new SecretRunner(
    ports,
    { delaysMs: [], sleep: async () => undefined },
    {
      reader: { getCluster: async () => ({ localAccountsDisabled: true }) } as never,
      allowLocalAccountClusters: false,
    },
    // The day the fixtures' plans were made: their credential expiry lies ahead.
    () => new Date('2025-01-15T09:00:00.000Z'),
  );
}

/**
 * A run context like the executor's: records what is created, and from `failAt` on (an audit
 * action or a created-object kind) every write throws `failure`, as a guard whose lease was
 * taken over does; with `once`, only that one write fails (a passing outage).
 */
function context(failAt: string, failure: () => Error, once = false) {
  const created: CreatedObject[] = [];
  const audited: string[] = [];
  let lost = false;
  /** Set to make the lease check fail, as the executor's guard does once another instance took the run. */
  const lease = { held: true, checks: 0 };
  const ctx: RunContext = {
    requestId: 'R-UNITTEST',
    checkLease: async () => {
      lease.checks++;
      if (!lease.held) throw new LeaseLostError('exec:R-AAAAAAAA');
    },
    audit: async (event) => {
      if (lost || event.action === failAt) {
        lost = !once;
        if (once) failAt = '';
        throw failure();
      }
      audited.push(`${event.action}:${event.outcome}`);
    },
    recordCreated: async (object) => {
      if (lost || object.kind === failAt) {
        lost = !once;
        if (once) failAt = '';
        throw failure();
      }
      const same = (o: CreatedObject) => o.kind === object.kind && o.name === object.name;
      created.splice(0, created.length, ...created.filter((o) => !same(o)), {
        ...object,
        recordedAt: '2025-01-15T09:00:00.000Z',
      });
    },
    created: () => [...created],
    log: createLogger({ level: 'silent' }),
  };
  return { ctx, audited, lease };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (err: unknown) => err,
  );
}

const tokenRequest = () => pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() });
/** The token request, planned (and approved) as replacing {@link replacedRequest}'s secret. */
const rotatingRequest = () =>
  pendingRequest({
    id: 'R-AAAAAAAA',
    state: 'executing',
    plan: secretPlan({ replaces: { requestId: 'R-CCCCCCCC', uid: 'uid-old' } }),
  });
const spRequest = () =>
  pendingRequest({
    id: 'R-BBBBBBBB',
    state: 'executing',
    plan: secretPlan({ credentialKind: 'sp', role: { id: 'role-guid', name: 'AcrPull' } }),
  });

describe('a secret run that lost its execution lease cleans nothing up', () => {
  test.each([
    ['the token audit', 'azure.write.token', () => new LeaseLostError('exec:R-AAAAAAAA')],
    ['the password audit', 'azure.write.generateCredentials', () => new LeaseLostError('exec:R-AAAAAAAA')],
    ['recording the secret write', 'pullSecretWriteStarted', () => new VersionConflictError('R-AAAAAAAA')],
  ])('token: %s fails → the same error, the token kept', async (_what, failAt, failure) => {
    const deletes: string[] = [];
    const { ctx, audited } = context(failAt, failure);
    const err = await failureOf(runner(deletes).run(tokenRequest(), ctx));
    expect(deletes).toEqual([]);
    expect(err).toBeInstanceOf(failure().constructor);
    expect(err).not.toBeInstanceOf(RunFailure);
    expect(audited.filter((a) => a.startsWith('credential.cleanup'))).toEqual([]);
  });

  test('service principal: the application audit fails with LeaseLostError → the application kept', async () => {
    const deletes: string[] = [];
    const { ctx } = context('graph.write.application', () => new LeaseLostError('exec:R-BBBBBBBB'));
    const err = await failureOf(runner(deletes).run(spRequest(), ctx));
    expect(deletes).toEqual([]);
    expect(err).toBeInstanceOf(LeaseLostError);
  });

  test('control: any other failure at the same point still deletes the token (G14)', async () => {
    const deletes: string[] = [];
    const { ctx, audited } = context('azure.write.token', () => new Error('audit store down'), true);
    const err = await failureOf(runner(deletes).run(tokenRequest(), ctx));
    expect(err).toBeInstanceOf(RunFailure);
    expect(deletes).toEqual(['token:acrbot-r-aaaaaaaa']);
    expect(audited).toContain('credential.cleanup:deleted');
  });

  test('the lease lost while auditing a clean-up: the same error, not a clean-up "pending" for retry', async () => {
    const deletes: string[] = [];
    const ports = fakePorts(deletes);
    // Kubernetes refuses the secret write: the run cleans up the token it created...
    ports.kubernetes.write = async () => {
      throw new UserFacingError('kubernetes.forbidden', 'acrbot may not create secrets');
    };
    // ...and its lease is taken over just then: the clean-up's audit entry cannot be written.
    const { ctx } = context('credential.cleanup', () => new LeaseLostError('exec:R-AAAAAAAA'));
    const err = await failureOf(runner(deletes, ports).run(tokenRequest(), ctx));
    expect(deletes).toEqual(['token:acrbot-r-aaaaaaaa']);
    expect(err).toBeInstanceOf(LeaseLostError);
  });

  test('the lease is lost when a refused write is cleaned up: the token is not deleted, the run stops with LeaseLostError', async () => {
    const deletes: string[] = [];
    const ports = fakePorts(deletes);
    const { ctx, lease } = context('', () => new Error('unused'));
    ports.kubernetes.write = async () => {
      // Another instance took the run over while the write was refused.
      lease.held = false;
      throw new UserFacingError('kubernetes.forbidden', 'acrbot may not create secrets');
    };
    const err = await failureOf(runner(deletes, ports).run(tokenRequest(), ctx));
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(deletes).toEqual([]);
    expect(lease.checks).toBeGreaterThan(0);
  });

  test('the lease is lost before the replaced credential is retired: the old token is not deleted', async () => {
    const deletes: string[] = [];
    const previous = replacedRequest();
    const ports = fakePorts(deletes);
    ports.requests.get = async (id: string) => (id === previous.id ? previous : undefined);
    ports.kubernetes.precheck = async () => ({
      existing: { requestIdLabel: previous.id, writers: [], resourceVersion: '7', uid: 'uid-old' },
    });
    const { ctx, lease } = context('', () => new Error('unused'));
    ports.kubernetes.write = async () => {
      lease.held = false;
      return { action: 'replaced', serviceAccountPatched: false, uid: 'uid-old' };
    };
    const err = await failureOf(runner(deletes, ports).run(rotatingRequest(), ctx));
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(deletes).toEqual([]);
  });

  test('control: with the lease held, the replaced token is deleted', async () => {
    const deletes: string[] = [];
    const previous = replacedRequest();
    const ports = fakePorts(deletes);
    ports.requests.get = async (id: string) => (id === previous.id ? previous : undefined);
    ports.kubernetes.precheck = async () => ({
      existing: { requestIdLabel: previous.id, writers: [], resourceVersion: '7', uid: 'uid-old' },
    });
    ports.kubernetes.write = async () => ({ action: 'replaced', serviceAccountPatched: false, uid: 'uid-old' });
    const { ctx } = context('', () => new Error('unused'));
    const outcome = await runner(deletes, ports).run(rotatingRequest(), ctx);
    expect(outcome.secret?.action).toBe('replaced');
    expect(deletes).toEqual([`token:acrbot-${previous.id.toLowerCase()}`]);
  });
});

describe('a secret write that may have landed keeps the credential (G14)', () => {
  test.each([
    ['the write is not confirmed (a lost answer)', new UserFacingError(SECRET_WRITE_UNCONFIRMED, 'not confirmed')],
    ['the write fails with no explained answer', new Error('socket hang up')],
  ])('%s → nothing deleted, the run is interrupted (resumed later), not failed', async (_what, failure) => {
    const deletes: string[] = [];
    const ports = fakePorts(deletes);
    ports.kubernetes.write = async () => {
      throw failure;
    };
    const { ctx, audited } = context('', () => new Error('unused'));
    const err = await failureOf(runner(deletes, ports).run(tokenRequest(), ctx));
    expect(err).toBeInstanceOf(RunInterrupted);
    expect(deletes).toEqual([]);
    expect(audited).toContain('kubernetes.write.secret:unconfirmed');
  });

  test('a resumed run that cannot reach the cluster after its write started: interrupted again, nothing deleted', async () => {
    const deletes: string[] = [];
    const ports = fakePorts(deletes);
    ports.kubernetes.precheck = async () => {
      throw new UserFacingError('kubernetes.timeout', 'Cluster aks-prod did not answer in time');
    };
    const { ctx } = context('', () => new Error('unused'));
    await ctx.recordCreated({
      kind: 'acrToken',
      id: `${REGISTRY_ID}/tokens/acrbot-r-aaaaaaaa`,
      name: 'acrbot-r-aaaaaaaa',
    });
    // What an earlier attempt, interrupted after it began writing the secret, recorded.
    const request = tokenRequest();
    await ctx.recordCreated({
      kind: 'pullSecretWriteStarted',
      id: pullSecretRecordId(request.plan as SecretPlan),
      name: 'acr-auth',
    });
    const err = await failureOf(runner(deletes, ports).run(request, ctx));
    expect(err).toBeInstanceOf(RunInterrupted);
    expect(deletes).toEqual([]);
  });
});

/** A succeeded acrbot request whose secret (same target) the token request replaces. */
function replacedRequest(): AccessRequest {
  const id = 'R-CCCCCCCC';
  const tokenName = `acrbot-${id.toLowerCase()}`;
  return pendingRequest({
    id,
    state: 'succeeded',
    plan: secretPlan(),
    created: [
      {
        kind: 'acrToken',
        id: `${REGISTRY_ID}/tokens/${tokenName}`,
        name: tokenName,
        recordedAt: '2025-01-10T09:00:00.000Z',
      },
      {
        kind: 'pullSecret',
        id: pullSecretRecordId(secretPlan()),
        name: 'acr-auth',
        uid: 'uid-old',
        recordedAt: '2025-01-10T09:00:00.000Z',
      },
    ],
  });
}
