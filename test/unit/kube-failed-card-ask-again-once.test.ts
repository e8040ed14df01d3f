/**
 * A secret run that failed because its cluster did not answer (a timeout, no answer at all), did
 * not accept acrbot's sign-in (401), or refused acrbot its credentials (403) ends its failed card
 * with one "ask again", the card's own, with the command to type: the cluster's sentence says
 * what to check or fix, not to ask again as well (request-view.ts, failedSummary). So does one
 * that failed on a passing fault (no Entra token, no credentials from Azure, a status no case
 * knows, throttling): the sentence says it often passes, not "ask again in a few minutes".
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/core-auth';
import { UserFacingError } from '../../src/domain/errors';
import { kubeClusterAccess } from '../../src/integrations/kubernetes/kube-cluster-access';
import { clusterTokenError, explainKubeError, type KubeSignIn } from '../../src/integrations/kubernetes/kube-errors';
import { outcomeCard } from '../../src/views/request-view';
import { pendingRequest, secretPlan } from './support/requests';

/** The failed card of a secret run whose error is `failure`, as JSON text. */
function failedCardOf(failure: UserFacingError): string {
  const request = pendingRequest({
    plan: secretPlan(),
    state: 'failed',
    outcome: { summary: 'Failed', azureRequestIds: [], error: failure.message, errorCode: failure.code },
  });
  return JSON.stringify(outcomeCard(request));
}

const ctx = { cluster: 'aks-prod', namespace: 'payments', verb: 'create', resource: 'secrets' };
const timeout = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
const down = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

test.each([
  ['did not answer in time', timeout, 'check that its API server is up and reachable.'],
  ['could not be reached', down, 'check that its API server is up and reachable from acrbot.'],
])('a run whose cluster %s: what to check, and "ask again" once, from the card', (_, err, ending) => {
  const failure = explainKubeError(err, ctx);
  expect(failure.message.endsWith(ending)).toBe(true);
  const request = pendingRequest({
    plan: secretPlan(),
    state: 'failed',
    outcome: { summary: 'Failed', azureRequestIds: [], error: failure.message, errorCode: failure.code },
  });
  const text = JSON.stringify(outcomeCard(request));
  expect(text.match(/ask again/gi)).toHaveLength(1);
  expect(text).toContain(`${ending} Once fixed, ask again: \\"@acrbot secret`);
});

const unauthorized = Object.assign(new Error('Unauthorized'), { code: 401, body: {} });

test.each<[string, KubeSignIn | undefined]>([
  ['an Entra-enabled cluster', 'entra'],
  ['a cluster without Entra integration', 'entraNotIntegrated'],
  ['a local-account cluster', 'localAccount'],
  ['a cluster of unknown sign-in', undefined],
])('a run on %s whose sign-in was refused (401): what to fix, and "ask again" once, from the card', (_, signIn) => {
  const failure = explainKubeError(unauthorized, { ...ctx, ...(signIn && { signIn }) });
  expect(failure.code).toBe('kubernetes.unauthorized');
  const text = failedCardOf(failure);
  expect(text.match(/ask again/gi)).toHaveLength(1);
  expect(text).toContain('Once fixed, ask again: \\"@acrbot secret');
});

test('a run refused the cluster\'s credentials (403): what to fix, and "ask again" once, from the card', async () => {
  const refused = Object.assign(new Error('refused'), { statusCode: 403, code: 'AuthorizationFailed' });
  const failure = await accessFailure(() => Promise.reject(refused), {
    // The cluster is there: the refusal is acrbot's missing role, not a deleted cluster.
    get: () => Promise.resolve({}),
  });
  expect(failure).toMatchObject({ code: 'cluster.noCredentials' });
  const text = failedCardOf(failure as UserFacingError);
  expect(text).toContain('Cluster User Role on the cluster (docs/deploy.md). Once fixed, ask again: \\"@acrbot secret');
  expect(text.match(/ask again/gi)).toHaveLength(1);
});

/**
 * A failure of `kubeClusterAccess` on an Entra-enabled cluster whose credentials call ends as
 * `list` does (`more`: the cluster client's other calls the case needs).
 */
async function accessFailure(
  list: () => Promise<unknown>,
  more: Record<string, () => Promise<unknown>> = {},
): Promise<UserFacingError> {
  const settings = {
    aksClient: () =>
      ({ managedClusters: { listClusterUserCredentials: list, ...more } }) as unknown as ContainerServiceClient,
    credential: {} as TokenCredential,
    callTimeoutMs: 1_000,
    throttleWaitMs: 0,
    idleSocketMs: 1_000,
  };
  const cluster = { subscriptionId: 'sub', resourceGroup: 'rg', name: 'aks-prod', aadEnabled: true };
  const failure = await kubeClusterAccess(settings, cluster).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(UserFacingError);
  return failure as UserFacingError;
}

const status = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code, body: {} });
const azureFault = Object.assign(new Error('Internal Server Error'), { statusCode: 500, code: 'InternalServerError' });

test.each<[string, () => Promise<UserFacingError>]>([
  ['no Entra token for the cluster', async () => clusterTokenError('aks-prod')],
  ['no credentials from Azure (no kubeconfig)', () => accessFailure(async () => ({ kubeconfigs: [] }))],
  ['no credentials from Azure (HTTP 500)', () => accessFailure(() => Promise.reject(azureFault))],
  ['a status from the cluster no case knows (503)', async () => explainKubeError(status(503), ctx)],
  ['the cluster throttling (429)', async () => explainKubeError(status(429), ctx)],
])(
  'a run that failed on a passing fault, %s: that it often passes, and "ask again" once, from the card',
  async (_, fail) => {
    const failure = await fail();
    expect(failure.message).toMatch(/a few minutes/);
    const text = failedCardOf(failure);
    expect(text.match(/\b(ask|try)(ing)? (it |for it )?again\b/gi)).toEqual(['ask again']);
    expect(text).toContain('Once fixed, ask again: \\"@acrbot secret');
  },
);
