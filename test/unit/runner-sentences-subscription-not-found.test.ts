/**
 * The resource reader throws ARM's 404 SubscriptionNotFound (it used to answer "none"). Where a
 * run or an extension reads the cluster or registry again, that is said in a sentence of its own
 * (nothing changed, why, what to do) instead of "something unexpected went wrong": the secret
 * run's cluster re-check, and the re-read of tags for an extension. Other failures stay as they are.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { UserFacingError } from '../../src/domain/errors';
import type { CreatedObject } from '../../src/domain/request';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import { AccessActions } from '../../src/flows/access-actions';
import { RunFailure, RunInterrupted, type RunContext } from '../../src/flows/executor';
import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { LogCapture } from '../helpers/log-capture';
import { pendingRequest, REGISTRY_ID, REQUESTER, secretPlan } from './support/requests';

const subscriptionNotFound = () =>
  new RestError("The subscription '1f0c0000-0000-4000-8000-000000000001' could not be found.", {
    statusCode: 404,
    code: 'SubscriptionNotFound',
  });

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe("the secret run's cluster re-check answered SubscriptionNotFound", () => {
  const TOKEN = 'acrbot-r-aaaaaaaa';
  const tokenRecord = { kind: 'acrToken' as const, id: `${REGISTRY_ID}/tokens/${TOKEN}`, name: TOKEN };

  function setup(getCluster: () => Promise<unknown>, earlier: Omit<CreatedObject, 'recordedAt'>[] = []) {
    const calls: string[] = [];
    const ports = {
      tokens: {
        getScopeMap: async () => undefined,
        getToken: async (_r: unknown, name: string) => {
          calls.push(`getToken:${name}`);
          return { id: `${REGISTRY_ID}/tokens/${name}`, provisioningState: 'Succeeded' };
        },
        scopeMapFor: async () => void calls.push('scopeMapFor'),
        createToken: async () => void calls.push('createToken'),
        deleteToken: async (_r: unknown, name: string) => {
          calls.push(`deleteToken:${name}`);
          return {};
        },
        deleteScopeMap: async () => ({}),
      },
      servicePrincipals: {},
      roleAssignments: {},
      kubernetes: {
        access: async () => void calls.push('kubernetes.access'),
        precheck: async () => ({}),
      },
      requests: { get: async () => undefined },
    } as unknown as SecretRunnerPorts;
    const runner = new SecretRunner(
      ports,
      { delaysMs: [], sleep: async () => undefined },
      { reader: { getCluster } as never, allowLocalAccountClusters: false },
      () => new Date('2025-01-16T09:00:00.000Z'),
    );
    const logs = new LogCapture();
    const records: CreatedObject[] = earlier.map((o) => ({ ...o, recordedAt: '2025-01-15T09:00:00.000Z' }));
    const audited: string[] = [];
    const ctx: RunContext = {
      requestId: 'R-UNITTEST',
      audit: async (e) => void audited.push(`${e.action}:${e.outcome}`),
      recordCreated: async (o) => void records.push({ ...o, recordedAt: '2025-01-16T09:00:00.000Z' }),
      created: () => [...records],
      checkLease: async () => undefined,
      log: logs.logger(),
    };
    const run = () =>
      failureOf(runner.run(pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan: secretPlan() }), ctx));
    return { run, calls, logs, audited };
  }

  const SENTENCE =
    'Azure Resource Manager no longer finds the subscription of cluster aks-prod (Azure answered ' +
    "SubscriptionNotFound: deleted, moved to another Microsoft Entra tenant, or acrbot's identity no longer " +
    'known there), so acrbot cannot check that the approved plan still holds';

  test('its own sentence, nothing created, the cause logged once', async () => {
    const t = setup(() => Promise.reject(subscriptionNotFound()));
    const err = await t.run();
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'recheck.clusterUnreadable' });
    expect((err as Error).message).toBe(
      `${SENTENCE}, and nothing was created. Ask the platform team to check that subscription.`,
    );
    expect((err as Error).cause).toMatchObject({ statusCode: 404, code: 'SubscriptionNotFound' });
    expect(t.calls).toEqual([]);
    const lines = t.logs.entries().filter((e) => e.msg === 'secret flow failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ code: 'recheck.clusterUnreadable' });
    expect(JSON.stringify(lines[0])).toContain('SubscriptionNotFound');
  });

  test('a resumed run with a recorded token: the sentence, then the token deleted', async () => {
    const t = setup(() => Promise.reject(subscriptionNotFound()), [tokenRecord]);
    const err = await t.run();
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome).toMatchObject({
      errorCode: 'recheck.clusterUnreadable',
      cleanup: 'deleted',
    });
    expect((err as RunFailure).outcome.error).toMatch(
      /still holds\. Ask the platform team to check that subscription\. The credential an earlier attempt of this request had created was deleted\./,
    );
    expect(t.calls).toContain(`deleteToken:${TOKEN}`);
  });

  test('a resumed run whose earlier attempt began writing the secret waits it out (nothing deleted)', async () => {
    const writeStarted = {
      kind: 'pullSecretWriteStarted' as const,
      id: pullSecretRecordId(secretPlan()),
      name: 'acr-auth',
    };
    const t = setup(() => Promise.reject(subscriptionNotFound()), [tokenRecord, writeStarted]);
    const err = await t.run();
    expect(err).toBeInstanceOf(RunInterrupted);
    expect((err as Error).cause).toMatchObject({ code: 'recheck.clusterUnreadable' });
    expect(t.calls.filter((c) => c.startsWith('delete'))).toEqual([]);
  });

  test('any other failure of the read is left as it was', async () => {
    const broken = new RestError('boom', { statusCode: 500, code: 'InternalServerError' });
    const t = setup(() => Promise.reject(broken));
    expect(await t.run()).toBe(broken);
  });
});

describe("an extension's re-read of the cluster and registry answered SubscriptionNotFound", () => {
  const original = pendingRequest({
    id: 'R-ORIGINAL1',
    state: 'succeeded',
    access: { durationMs: 86_400_000, expiresAt: '2026-12-01T10:00:00.000Z' },
  });
  const cluster = { id: original.plan.cluster.id, name: original.plan.cluster.name, tags: {} };
  const registry = { id: original.plan.registry.id, name: original.plan.registry.name, tags: {} };

  function setup(resources: { getCluster: () => Promise<unknown>; getRegistry: () => Promise<unknown> }) {
    const refusals: string[] = [];
    let creates = 0;
    const requests = {
      get: async () => original,
      accessTerm: () => ({ durationMs: 7 * 86_400_000 }),
      credentialLifetimeMs: () => undefined,
      openExtensionsOf: async () => [],
      recordRefusal: async (e: { action: string; outcome: string }) => void refusals.push(`${e.action}:${e.outcome}`),
      // Own tenant, not paused.
      assertOwnTenant: async () => undefined,
      assertOpen: async () => undefined,
      create: async () => {
        creates++;
        return pendingRequest({ id: 'R-EXTENSN1', extendsRequestId: original.id });
      },
    };
    const actions = new AccessActions(
      requests as never,
      {} as never,
      {} as never,
      undefined,
      undefined,
      resources as never,
    );
    const extend = () =>
      failureOf(
        actions.createExtension({
          actor: REQUESTER,
          tenantId: original.tenantId,
          originalId: original.id,
          duration: '7d',
          reason: 'release slipped a week',
          origin: original.origin,
        }),
      );
    return { extend, refusals, creates: () => creates };
  }

  test.each([
    [
      'cluster',
      'aks-prod',
      { getCluster: () => Promise.reject(subscriptionNotFound()), getRegistry: async () => registry },
    ],
    [
      'registry',
      'contosoacr',
      { getCluster: async () => cluster, getRegistry: () => Promise.reject(subscriptionNotFound()) },
    ],
  ])('the %s: its own sentence, nothing stored, audited as a refused extend', async (kind, name, resources) => {
    const t = setup(resources);
    const err = await t.extend();
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'extend.subscriptionNotFound' });
    expect((err as Error).message).toBe(
      `Azure Resource Manager no longer finds the subscription of ${kind} ${name} (Azure answered ` +
        "SubscriptionNotFound: deleted, moved to another Microsoft Entra tenant, or acrbot's identity no longer " +
        'known there), so acrbot cannot read its tags again to tell who approves an extension. Nothing was ' +
        'changed: the access ends when it was going to. Ask the platform team to check that subscription, and ' +
        'ask again once it is back.',
    );
    expect((err as Error).cause).toMatchObject({ code: 'SubscriptionNotFound' });
    expect(t.refusals).toEqual(['extend.refused:extend.subscriptionNotFound']);
    expect(t.creates()).toBe(0);
  });

  test('a 403 on the re-read (Reader removed since the grant): its own sentence, nothing stored, audited', async () => {
    const forbidden = new RestError('no read', { statusCode: 403, code: 'AuthorizationFailed' });
    const t = setup({ getCluster: async () => cluster, getRegistry: () => Promise.reject(forbidden) });
    const err = await t.extend();
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'extend.resourceUnreadable' });
    expect((err as Error).message).toBe(
      'acrbot may no longer read registry contosoacr (Azure answered AuthorizationFailed), so it cannot read ' +
        'its tags again to tell who approves an extension. Nothing was changed: the access ends when it was ' +
        "going to. Ask the platform team to give acrbot's identity the Reader role on it (docs/deploy.md), then ask again.",
    );
    expect((err as Error).cause).toBe(forbidden);
    expect(t.refusals).toEqual(['extend.refused:extend.resourceUnreadable']);
    expect(t.creates()).toBe(0);
  });

  test('a 403 whose code is not shaped like ARM’s (a proxy’s text) is not quoted in the sentence', async () => {
    const forbidden = new RestError('no read', { statusCode: 403, code: '<a href="https://evil">x</a>' });
    const t = setup({ getCluster: async () => cluster, getRegistry: () => Promise.reject(forbidden) });
    const err = await t.extend();
    expect(err).toMatchObject({ code: 'extend.resourceUnreadable' });
    expect((err as Error).message).toMatch(/^acrbot may no longer read registry contosoacr, so it cannot read/);
  });

  test('a resource that is gone still reads as gone, and another failure is left as it was', async () => {
    const gone = setup({ getCluster: async () => undefined, getRegistry: async () => registry });
    expect(await gone.extend()).toMatchObject({ code: 'extend.resourceGone' });
    const broken = new RestError('boom', { statusCode: 500, code: 'InternalServerError' });
    const failing = setup({ getCluster: async () => cluster, getRegistry: () => Promise.reject(broken) });
    expect(await failing.extend()).toBe(broken);
  });
});
