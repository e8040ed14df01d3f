/**
 * A pull-secret request approved before its subscription was taken out of
 * ACRBOT_SUBSCRIPTION_IDS (served-subscriptions.ts) is refused by its run before anything is read
 * or written (secret-run-checks.ts), as a grant's run is (grant-runner.ts): failed with
 * `recheck.subscriptionUnserved`, audited, no credential, no cluster call. A resumed run still
 * deletes the credential its earlier attempt recorded. Its failed card does not say "Once fixed,
 * ask again" (the resolver refuses the names there): asking again waits for the subscription to be
 * served again (request-view.ts).
 */
import { RECHECK_SUBSCRIPTION_UNSERVED } from '../../src/domain/new-request-codes';
import { pullSecretRecordId } from '../../src/domain/secret-ownership';
import type { CreatedObject } from '../../src/domain/request';
import { type RunContext, RunFailure } from '../../src/flows/executor';

import { SecretRunner, type SecretRunnerPorts } from '../../src/flows/secret-runner';
import { createLogger } from '../../src/observability/logger';
import { outcomeCard } from '../../src/views/request-view';
import { CLUSTER_ID, grantPlan, pendingRequest, REGISTRY_ID, SUB, secretPlan } from './support/requests';

const OTHER = '1f0c0000-0000-4000-8000-0000000000ee';
const TOKEN = 'acrbot-r-aaaaaaaa';

/** A runner over fakes noting every call, serving `served`. */
function setup(served: readonly string[] | undefined, earlier: Omit<CreatedObject, 'recordedAt'>[] = []) {
  const calls: string[] = [];
  const note =
    (name: string, answer?: unknown) =>
    async (..._args: unknown[]) => {
      calls.push(name);
      return answer;
    };
  const ports = {
    tokens: {
      getScopeMap: note('getScopeMap'),
      getToken: async (_r: unknown, name: string) => {
        calls.push(`getToken:${name}`);
        return { id: `${REGISTRY_ID}/tokens/${name}`, provisioningState: 'Succeeded' };
      },
      scopeMapFor: note('scopeMapFor', { id: `${REGISTRY_ID}/scopeMaps/_repositories_pull`, created: false }),
      createToken: note('createToken'),
      deleteToken: async (_r: unknown, name: string) => {
        calls.push(`deleteToken:${name}`);
        return {};
      },
      deleteScopeMap: note('deleteScopeMap', {}),
    },
    servicePrincipals: {},
    roleAssignments: {},
    kubernetes: {
      access: note('kubernetes.access', { clusterName: 'aks-prod' }),
      precheck: note('kubernetes.precheck', {}),
      write: note('kubernetes.write'),
    },
    requests: { get: async () => undefined },
  } as unknown as SecretRunnerPorts;
  const runner = new SecretRunner(
    ports,
    { delaysMs: [], sleep: async () => undefined },
    {
      reader: {
        getCluster: note('getCluster', { localAccountsDisabled: true, aadEnabled: true }),
        getRegistry: note('getRegistry', undefined),
      } as never,
      allowLocalAccountClusters: false,
      servedSubscriptionIds: served,
    },
    () => new Date('2025-01-16T09:00:00.000Z'),
  );
  const records: CreatedObject[] = earlier.map((o) => ({ ...o, recordedAt: '2025-01-15T09:00:00.000Z' }));
  const audited: Array<{ action: string; outcome: string; targetIds: string[]; detail?: string }> = [];
  const ctx: RunContext = {
    requestId: 'R-AAAAAAAA',
    audit: async (e) => void audited.push({ ...e }),
    recordCreated: async (o) => void records.push({ ...o, recordedAt: '2025-01-16T09:00:00.000Z' }),
    created: () => [...records],
    checkLease: async () => undefined,
    log: createLogger({ level: 'silent' }),
  };
  const plan = secretPlan({ registry: { ...secretPlan().registry, subscriptionId: OTHER } });
  const request = pendingRequest({ id: 'R-AAAAAAAA', state: 'executing', plan, createdAt: '2025-01-16T08:00:00.000Z' });
  const run = () =>
    runner.run(request, ctx).then(
      () => {
        throw new Error('expected the run to fail');
      },
      (err: unknown) => err,
    );
  return { run, calls, audited, request };
}

const CLAUSE = `Registry contosoacr is in subscription ${OTHER}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)`;

describe('a secret run whose registry is in a subscription no longer served', () => {
  test('approved before the list was narrowed: failed before any read or write, audited', async () => {
    const t = setup([SUB]);
    const err = await t.run();
    expect(err).toMatchObject({ code: RECHECK_SUBSCRIPTION_UNSERVED, message: `${CLAUSE}, so nothing was created.` });
    expect(t.calls).toEqual([]);
    expect(t.audited).toEqual([
      expect.objectContaining({
        action: 'azure.write.token',
        outcome: 'refused',
        targetIds: [REGISTRY_ID],
        detail: CLAUSE,
      }),
    ]);
  });

  test('its cluster outside: named first, refused on the secret write', async () => {
    const t = setup([OTHER]);
    const err = await t.run();
    expect(err).toMatchObject({
      code: RECHECK_SUBSCRIPTION_UNSERVED,
      message: `Cluster aks-prod is in subscription ${SUB}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS), so nothing was created.`,
    });
    expect(t.calls).toEqual([]);
    expect(t.audited).toEqual([
      expect.objectContaining({ action: 'kubernetes.write.secret', outcome: 'refused', targetIds: [CLUSTER_ID] }),
    ]);
  });

  test('a resumed run with a recorded token: refused, and the token deleted', async () => {
    const t = setup([SUB], [{ kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${TOKEN}`, name: TOKEN }]);
    const err = await t.run();
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome).toMatchObject({ errorCode: RECHECK_SUBSCRIPTION_UNSERVED, cleanup: 'deleted' });
    expect((err as RunFailure).outcome.error).toMatch(
      new RegExp(`^${CLAUSE.replace(/[()]/g, '\\$&')}, so the secret was not written\\.`),
    );
    expect(t.calls).toContain(`deleteToken:${TOKEN}`);
    expect(t.calls.filter((c) => /^(create|kubernetes|get(Cluster|Registry))/.test(c))).toEqual([]);
  });

  test('a resumed run whose earlier attempt began writing the secret: refused, the token deleted, the secret named to look at', async () => {
    const t = setup(
      [SUB],
      [
        { kind: 'acrToken', id: `${REGISTRY_ID}/tokens/${TOKEN}`, name: TOKEN },
        { kind: 'pullSecretWriteStarted', id: pullSecretRecordId(secretPlan()), name: 'acr-auth' },
      ],
    );
    const err = await t.run();
    expect(err).toBeInstanceOf(RunFailure);
    expect((err as RunFailure).outcome).toMatchObject({ errorCode: RECHECK_SUBSCRIPTION_UNSERVED, cleanup: 'deleted' });
    const error = (err as RunFailure).outcome.error;
    expect(error).toMatch(new RegExp(`^${CLAUSE.replace(/[()]/g, '\\$&')}, so acrbot stopped here\\.`));
    // The secret was not looked at: it may hold the deleted credential, and the error says so.
    expect(error).toContain(
      `That attempt began writing secret ${secretPlan().namespace}/${secretPlan().secretName} in cluster aks-prod, which may therefore hold the credential`,
    );
    expect(error).toContain('look at that secret, and delete it if it names this request.');
    expect(t.calls).toContain(`deleteToken:${TOKEN}`);
    expect(t.calls.filter((c) => /^(create|kubernetes|get(Cluster|Registry))/.test(c))).toEqual([]);
  });

  test('both served (ids compared ignoring case), or no list: checked and run as before', async () => {
    for (const served of [[SUB, OTHER.toUpperCase()], undefined]) {
      const t = setup(served);
      const err = (await t.run()) as { code?: string; outcome?: { errorCode?: string } };
      // The run went past the check to the cluster (these ports end it later, for other reasons).
      expect(t.calls).toContain('getCluster');
      expect([err.code, err.outcome?.errorCode]).not.toContain(RECHECK_SUBSCRIPTION_UNSERVED);
      expect(t.audited.filter((e) => e.detail?.includes('no longer serves'))).toEqual([]);
    }
  });
});

describe('the failed card of a run refused for its subscription', () => {
  const texts = (card: unknown) => JSON.stringify(card).replace(/\\"/g, '"');
  const failed = (extendsRequestId?: string) =>
    pendingRequest({
      state: 'failed',
      plan: { ...grantPlan(), typed: { cluster: 'name', registry: 'name' } },
      extendsRequestId,
      access: { durationMs: 5 * 86_400_000 },
      outcome: {
        summary: 'Failed',
        azureRequestIds: [],
        error: `${CLAUSE}, so nothing was granted.`,
        errorCode: RECHECK_SUBSCRIPTION_UNSERVED,
      },
    });

  test('no "Once fixed": asking again waits for the subscription to be served again', () => {
    const text = texts(outcomeCard(failed()));
    expect(text).not.toContain('Once fixed');
    expect(text).toContain(
      `${CLAUSE}, so nothing was granted. Asking again cannot work while the subscription is no longer served by this deployment; if the platform team serves it again, ask again: "@acrbot grant aks-prod contosoacr --for 5d REASON…" (approved like a new request).`,
    );
  });

  test('an extension is asked for again as an extension (its original still holds its access)', () => {
    const text = texts(outcomeCard(failed('R-ORIGINAL')));
    expect(text).not.toContain('Once fixed');
    expect(text).toContain(
      'if the platform team serves it again, ask again: "@acrbot extend R-ORIGINAL --for 5d REASON…"',
    );
  });
});
