/**
 * Access to a cluster's API server: its credentials from ARM (listClusterUserCredentials), and on
 * an Entra-enabled cluster the bot's own Entra token for the AKS server application instead of
 * the kubeconfig's kubelogin exec stanza (device code, which a headless bot cannot run); then an
 * API client with a deadline on every call, over one keep-alive agent, retrying throttled calls.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type * as KubeClient from '@kubernetes/client-node';
import type { CoreV1Api } from '@kubernetes/client-node';
import { isResourceGone, ResourceGoneError, UserFacingError } from '../../domain/errors';
import { CloudApiError, type ClusterAccess } from '../../domain/ports';
import { errorRequestId, restErrorInfo } from '../azure/arm-connection';
import { goneBehindRefusal } from '../azure/refused-or-gone';
import { kubeAgent, sharedAgentAuthentication } from './kube-agent';
import type { ArmCluster } from './kube-cluster-stopped';
import { kube } from './kube-client';
import { clusterTokenError, type KubeSignIn, logsReference } from './kube-errors';
import { sendRetrying } from './kube-retrying-http';

/** The AKS Entra server application: the audience of tokens for Entra-enabled clusters. */
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** A {@link ClusterAccess} as this adapter makes it: the API client, and how acrbot signs in. */
export interface KubeAccess extends ClusterAccess {
  api: CoreV1Api;
  /** How acrbot signs in to the cluster: what a 401 means there (kube-errors.ts). */
  signIn: KubeSignIn;
  /** The cluster as ARM names it: read again when a call gets no answer (kube-cluster-stopped.ts). */
  armCluster?: ArmCluster;
}

/**
 * Longest one Kubernetes API call may take. An AKS API server answers in well under a second;
 * thirty seconds leaves room for a slow one and still fails a hung call long before the
 * execution lease would be taken over.
 */
export const KUBE_CALL_TIMEOUT_MS = 30_000;

/**
 * The cause kept with a failed credentials read: an Azure refusal as a {@link CloudApiError}
 * carrying its `x-ms-request-id` (which the SDK's error keeps only in its non-enumerable
 * response, out of the log line, the card and the audit entry), over the SDK's error itself;
 * anything else as it is. Neither carries the request's headers or the kubeconfig. An answer
 * that came (2xx) but could not be read keeps no SDK error at all: its message quotes the whole
 * body (`… occurred while parsing the response body - {"kubeconfigs":…}`), which is the
 * kubeconfig with its token or client key (G12).
 */
function credentialsError(err: unknown): unknown {
  const { statusCode, code } = restErrorInfo(err);
  if (statusCode === undefined) return err;
  const answered = statusCode < 300;
  const refusal = new CloudApiError(
    code ?? 'Unknown',
    statusCode,
    answered
      ? 'listClusterUserCredentials answered, but its body could not be read (content withheld)'
      : 'listClusterUserCredentials failed',
    errorRequestId(err),
  );
  if (answered) return refusal;
  return Object.defineProperty(refusal, 'cause', { value: err, writable: true, configurable: true });
}

/** What {@link kubeClusterAccess} needs of the adapter: its clients and its limits. */
export interface KubeAccessSettings {
  readonly aksClient: (subscriptionId: string) => ContainerServiceClient;
  readonly credential: TokenCredential;
  /** Longest one Kubernetes API call may take before it fails as unreachable. */
  readonly callTimeoutMs: number;
  /** Longest wait for a throttled call's (or a failed read's) Retry-After. */
  readonly throttleWaitMs: number;
  /** How long a connection to an API server may stay idle before it is closed. */
  readonly idleSocketMs: number;
}

/**
 * Credentials for `cluster`'s API server, and the API client over them. A deleted cluster fails
 * as a {@link ResourceGoneError}; a refusal or a failed read of the credentials as a
 * {@link UserFacingError} whose cause holds nothing of the kubeconfig.
 */
export async function kubeClusterAccess(
  settings: KubeAccessSettings,
  cluster: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    aadEnabled: boolean;
  },
): Promise<ClusterAccess> {
  let yaml: string;
  try {
    const result = await settings
      .aksClient(cluster.subscriptionId)
      .managedClusters.listClusterUserCredentials(cluster.resourceGroup, cluster.name);
    const value = result.kubeconfigs?.[0]?.value;
    if (!value) throw new Error('no kubeconfig');
    yaml = Buffer.from(value).toString('utf8');
  } catch (err) {
    const { statusCode, code } = restErrorInfo(err);
    // Deleted (an ephemeral cluster, its resource group): distinct from a refusal or a hiccup, so
    // a revocation can tell that the secret went with the cluster (secret-revocation.ts, removeSecret).
    if (isResourceGone({ statusCode, code }))
      throw new ResourceGoneError('cluster', `cluster ${cluster.name}`, code!, err);
    // Deleted shows as a 403 too: acrbot's Cluster User Role was on the cluster and went with
    // it. Reading the cluster tells (refused-or-gone.ts); refused there too, it cannot tell.
    const gone = await goneBehindRefusal(
      err,
      {
        kind: 'cluster',
        subscriptionId: cluster.subscriptionId,
        resourceGroup: cluster.resourceGroup,
        name: cluster.name,
      },
      (c) => settings.aksClient(c.subscriptionId).managedClusters.get(c.resourceGroup, c.name),
      `the request for the credentials of cluster ${cluster.name}`,
    );
    if (gone) throw gone;
    const cause = credentialsError(err);
    // What to fix or wait for, never "ask again": a run's failed card adds that, with the command to
    // type (request-view.ts, failedSummary), and would say it twice; `check` shows the first clause,
    // and a revocation's job retries.
    if (statusCode === 403)
      throw new UserFacingError(
        'cluster.noCredentials',
        `acrbot may not read the credentials of cluster ${cluster.name}; ask the platform team to give its identity the Azure Kubernetes Service Cluster User Role on the cluster (docs/deploy.md).`,
        { cause },
      );
    // No code and no status: no answer came, or one without a kubeconfig in it.
    const answer = code ?? (statusCode !== undefined ? `HTTP ${statusCode}` : 'no answer');
    throw new UserFacingError(
      'cluster.noCredentials',
      `Azure did not return credentials for cluster ${cluster.name} (${answer}); this often passes within a few minutes, and if it keeps failing, ${logsReference()}.`,
      { cause },
    );
  }
  const { CoreV1Api, KubeConfig } = kube();
  const kc = new KubeConfig();
  try {
    kc.loadFromString(yaml);
    if (!kc.getCurrentCluster() || !kc.getCurrentContext()) throw new TypeError('no current cluster or context');
  } catch (err) {
    // A parser error quotes the document, which holds keys and tokens: only its type is kept,
    // so nothing from the kubeconfig can reach a log line or a card.
    throw new UserFacingError(
      'cluster.badKubeconfig',
      `The credentials Azure returned for cluster ${cluster.name} could not be read as a kubeconfig; ask the platform team to check the cluster.`,
      { cause: new Error(`${(err as Error)?.name ?? 'Error'} while parsing the kubeconfig (content withheld)`) },
    );
  }
  const user = kc.getCurrentUser();
  let bearer: (() => Promise<string>) | undefined;
  if (user?.exec || cluster.aadEnabled) {
    // Entra-enabled cluster: the kubeconfig holds a kubelogin exec stanza (device code), which a
    // headless bot cannot run; use the bot's own token for the AKS server application instead.
    const scope = `${AKS_SERVER_APP_ID}/.default`;
    const token = await entraToken(settings.credential, scope, cluster.name);
    const current = kc.getCurrentContext();
    const context = kc.getContextObject(current)!;
    kc.loadFromOptions({
      clusters: kc.getClusters(),
      contexts: [{ ...context, user: 'acrbot' }],
      users: [{ name: 'acrbot', token }],
      currentContext: current,
    });
    // A run holds its access for minutes (a new service principal's role assignment alone may
    // wait two out), and the credential hands out a cached token until about five minutes
    // before it expires: a token fixed here could expire before the secret is written, and the
    // cluster's 401 would fail the run. Each call asks the credential, which renews it in time.
    bearer = () => entraToken(settings.credential, scope, cluster.name);
  }
  // From Azure's settings (`aadProfile.managed`) and what the kubeconfig holds, not from a 401.
  const signIn: KubeSignIn = !bearer ? 'localAccount' : cluster.aadEnabled ? 'entra' : 'entraNotIntegrated';
  const { subscriptionId, resourceGroup, name } = cluster;
  const access = { clusterName: name, signIn, armCluster: { subscriptionId, resourceGroup, name } } as KubeAccess;
  access.api = apiWithDeadline(settings, kc, CoreV1Api, cluster.name, access, bearer);
  return access;
}

/**
 * acrbot's Entra token for `scope`, asked of the credential for each call. A failure is that
 * call's, as a {@link clusterTokenError} with the credential's error as its cause. No earlier
 * token is sent in its place (one past its expiry draws the cluster's 401, which blames the
 * cluster's rights for a token service that failed) and no failure is kept: the next call asks
 * the credential again.
 */
async function entraToken(credential: TokenCredential, scope: string, clusterName: string): Promise<string> {
  let token: AccessToken | null;
  try {
    token = await credential.getToken(scope);
  } catch (err) {
    throw clusterTokenError(clusterName, err);
  }
  if (!token?.token) throw clusterTokenError(clusterName);
  return token.token;
}

/**
 * The API client as `makeApiClient` builds it, plus a deadline on every call: client-node sets
 * none, so an API server that accepts the connection and never answers would hold the run (and,
 * its lease renewed meanwhile, the request) in "executing" for ever, with a fresh credential
 * not yet in the cluster. A call past the deadline fails like an unreachable cluster. Every
 * call of the access goes over one keep-alive agent (kube-agent.ts), released with `owner`.
 * `bearer`: each call's token, asked for anew (see {@link kubeClusterAccess}).
 */
function apiWithDeadline(
  settings: KubeAccessSettings,
  kc: KubeClient.KubeConfig,
  Api: typeof CoreV1Api,
  clusterName: string,
  owner: object,
  bearer?: () => Promise<string>,
): CoreV1Api {
  const { createConfiguration, ServerConfiguration, wrapHttpLibrary } = kube();
  const deadlineMs = settings.callTimeoutMs;
  const agent = kubeAgent(kc, clusterName, settings.idleSocketMs);
  const options = {
    baseServer: new ServerConfiguration(kc.getCurrentCluster()!.server, {}),
    authMethods: { default: sharedAgentAuthentication(kc, agent, owner, bearer) },
    promiseMiddleware: [
      {
        pre: async (request: KubeClient.RequestContext) => {
          request.setSignal(AbortSignal.timeout(deadlineMs));
          return request;
        },
        post: async (response: KubeClient.ResponseContext) => response,
      },
    ],
  };
  // client-node's own HTTP library (not exported by name), wrapped to wait out throttling and
  // a passing server error on a read.
  const plain = createConfiguration(options).httpApi;
  return new Api(
    createConfiguration({
      ...options,
      httpApi: wrapHttpLibrary({ send: (request) => sendRetrying(plain, request, settings.throttleWaitMs) }),
    }),
  );
}
