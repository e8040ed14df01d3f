/**
 * The Kubernetes side of the secret flow with `@kubernetes/client-node`: cluster credentials
 * from ARM (the bot's own Entra token on Entra-enabled clusters, never kubelogin/device code),
 * then the `kubernetes.io/dockerconfigjson` secret and the service account link.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type * as KubeClient from '@kubernetes/client-node';
import type { CoreV1Api, V1ObjectMeta, V1Secret } from '@kubernetes/client-node';
import { isResourceGone, ResourceGoneError, UserFacingError } from '../../domain/errors';
import {
  CloudApiError,
  type ClusterAccess,
  type PullSecretInspection,
  type PullSecretPort,
  type PullSecretRemoval,
  type PullSecretSeen,
  type PullSecretWrite,
  type SecretRemoveResult,
  type PullSecretWriteOutcome,
  type SecretWriteResult,
} from '../../domain/ports';
import { requestIdLabelValue } from '../../domain/identifiers';
import {
  type ExistingSecret,
  SECRET_WRITE_UNCONFIRMED,
  secretDataFingerprint,
  type SecretMetadataSeen,
} from '../../domain/secret-ownership';
import { errorRequestId, restErrorInfo } from '../azure/arm-connection';
import { goneBehindRefusal } from '../azure/refused-or-gone';
import { KUBE_IDLE_SOCKET_MS, kubeAgent, sharedAgentAuthentication } from './kube-agent';
import {
  clusterTokenError,
  explainKubeError,
  isClusterTokenError,
  type KubeScope,
  type KubeSignIn,
  kubeStatus,
  logsReference,
  namespaceTerminatingError,
  secretTerminatingError,
} from './kube-errors';

/**
 * client-node is loaded on first use: it is ESM-only (loaded through require(esm)) and adds
 * about half a second to start-up, which only the secret flow needs.
 */
let kubeClient: typeof KubeClient | undefined;
function kube(): typeof KubeClient {
  kubeClient ??= require('@kubernetes/client-node') as typeof KubeClient;
  return kubeClient;
}

/** The AKS Entra server application: the audience of tokens for Entra-enabled clusters. */
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** Label naming the request that wrote a secret (a hint: the store decides, G15). */
export const REQUEST_ID_LABEL = 'acrbot.io/request-id';

/** Label acrbot puts on its secrets (for people and selectors; never trusted, G15). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

interface KubeAccess extends ClusterAccess {
  api: CoreV1Api;
  /** How acrbot signs in to the cluster: what a 401 means there (kube-errors.ts). */
  signIn: KubeSignIn;
}

/**
 * Longest one Kubernetes API call may take. An AKS API server answers in well under a second;
 * thirty seconds leaves room for a slow one and still fails a hung call long before the
 * execution lease would be taken over.
 */
export const KUBE_CALL_TIMEOUT_MS = 30_000;

/**
 * Sends of a call the API server throttles (429: not carried out, so safe to send again), and of a
 * read that meets a passing server error or a reset connection (see {@link sendRetrying}).
 */
export const KUBE_THROTTLE_ATTEMPTS = 4;

/** Longest wait for one Retry-After; the call's deadline bounds the whole. */
export const KUBE_THROTTLE_MAX_WAIT_MS = 5_000;
/** Reads and patches tried to add an entry to, or take one out of, a service account's list that others keep changing. */
const SERVICE_ACCOUNT_PATCH_ATTEMPTS = 3;

/** Reads and conditional deletes tried on a pull secret that others keep changing (annotations, controllers). */
const SECRET_DELETE_ATTEMPTS = 3;

/**
 * Conditional replaces tried on a pull secret that others keep touching (annotations, controllers):
 * one more than the other writes, since the first is built from the check's read and so also
 * meets a touch made while the credential was being created.
 */
const SECRET_REPLACE_ATTEMPTS = 4;

/**
 * Annotation `kubectl apply` keeps the applied object in: on a secret, its data too. A replace
 * drops it, as a full replace always did: it would go on holding the credential being replaced.
 */
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Labels and annotations acrbot writes itself: those of the object replaced are never carried over. */
function isAcrbotKey(key: string): boolean {
  return key.startsWith('acrbot.io/') || key === MANAGED_BY_LABEL;
}

/** The entries of `map` others put there (not acrbot's own, nor `dropped`). */
function othersEntries(map: Record<string, string> | undefined, dropped?: string): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !isAcrbotKey(k) && k !== dropped));
}

/**
 * What a check keeps of a secret's metadata for a later replace ({@link SecretMetadataSeen}):
 * copies, never the data, and not kubectl's last-applied annotation (it may quote the data).
 */
function metadataSeen(meta: V1ObjectMeta): SecretMetadataSeen {
  const annotations = meta.annotations && withoutKey(meta.annotations, LAST_APPLIED_ANNOTATION);
  return {
    ...(meta.labels ? { labels: { ...meta.labels } } : {}),
    ...(annotations ? { annotations } : {}),
    ...(meta.finalizers?.length ? { finalizers: [...meta.finalizers] } : {}),
    ...(meta.ownerReferences?.length
      ? {
          ownerReferences: meta.ownerReferences.map(
            ({ apiVersion, kind, name, uid, controller, blockOwnerDeletion }) => ({
              apiVersion,
              kind,
              name,
              uid,
              ...(controller !== undefined ? { controller } : {}),
              ...(blockOwnerDeletion !== undefined ? { blockOwnerDeletion } : {}),
            }),
          ),
        }
      : {}),
  };
}

/** `map` without the key `dropped`. */
function withoutKey(map: Record<string, string>, dropped: string): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([k]) => k !== dropped));
}

/**
 * The replacement of the secret whose metadata is `current` (at the version the replace is
 * conditional on): acrbot's own labels, annotations and data over what others added to the
 * object (a scanner's annotation, a policy engine's label, a finalizer, an owner reference, so
 * the garbage collector still deletes the secret with its owner), which a Kubernetes controller
 * keeps rather than wipes; acrbot sets no owner of its own. Conditional on `uid` (the caller's,
 * else `current`'s) as well: a PUT that names a uid is refused (409) by an object of another uid.
 * Without `current` (what was read is not the object checked) just acrbot's body, which that
 * PUT's conditions then refuse.
 */
function replacementBody(
  body: V1Secret,
  resourceVersion: string,
  current: V1ObjectMeta | undefined,
  uid: string | undefined,
): V1Secret {
  const own = body.metadata!;
  const named = uid ?? current?.uid;
  if (!current) return { ...body, metadata: { ...own, resourceVersion, ...(named ? { uid: named } : {}) } };
  return {
    ...body,
    metadata: {
      ...own,
      resourceVersion,
      ...(named ? { uid: named } : {}),
      labels: { ...othersEntries(current.labels), ...own.labels },
      annotations: { ...othersEntries(current.annotations, LAST_APPLIED_ANNOTATION), ...own.annotations },
      ...(current.finalizers?.length ? { finalizers: current.finalizers } : {}),
      ...(current.ownerReferences?.length ? { ownerReferences: current.ownerReferences } : {}),
    },
  };
}

/**
 * Whether `found` is still the object the caller decided to replace, as the write names it: the
 * uid it checked (`replaceUid`), with the request-id label it looked up in its records
 * (`replaceRequestIdLabel`, G15), holding the data it checked (`replaceFingerprint`). Someone
 * else's annotation, label or finalizer leaves it so; the label changed (another request's write,
 * which keeps the uid), the data replaced in place (a GitOps sync), or an object made again under
 * the name, does not. A write that names no uid or label never takes a touched secret for the checked one.
 */
function stillTheChecked(found: V1Secret | undefined, input: PullSecretWrite): boolean {
  const uid = found?.metadata?.uid;
  if (!uid || !input.replaceUid || input.replaceRequestIdLabel === undefined) return false;
  if (input.replaceFingerprint !== undefined && secretDataFingerprint(found.data) !== input.replaceFingerprint)
    return false;
  return uid === input.replaceUid && found.metadata?.labels?.[REQUEST_ID_LABEL] === input.replaceRequestIdLabel;
}

/**
 * Whether acrbot's records make `secret` this removal's. The caller's store says this request
 * wrote the secret. With the uid it recorded, only that object is this request's: one deleted and
 * made again under the same name, labels copied or not, is someone else's (labels are hints,
 * never proof; G15). Requests recorded before uids were kept fall back to the labels, which must
 * still name the request. A replacement (PUT) keeps the uid, so a label naming another request
 * only makes acrbot more careful: it never deletes what its label says another request wrote,
 * uid or not; the label alone never makes a secret this request's. `labelledOther`: that request.
 * The data must still be what acrbot recorded writing (`writtenFingerprints`, where recorded): a
 * GitOps sync or `kubectl apply` that took the name over patches acrbot's object in place (uid
 * and acrbot's labels kept) with the team's data, and that secret is theirs now
 * (`contentsReplaced`).
 */
function ownership(
  secret: V1Secret,
  input: PullSecretRemoval,
): { ours: boolean; labelledOther?: string; contentsReplaced?: boolean } {
  const managed = secret.metadata?.labels?.[MANAGED_BY_LABEL] === 'acrbot';
  const label = secret.metadata?.labels?.[REQUEST_ID_LABEL];
  const labelledOther =
    managed && label !== undefined && label !== requestIdLabelValue(input.requestId) ? label : undefined;
  const ours = input.writtenUid
    ? secret.metadata?.uid === input.writtenUid && !labelledOther
    : managed && label === input.requestId;
  const fingerprints = input.writtenFingerprints ?? [];
  if (ours && fingerprints.length && !fingerprints.includes(secretDataFingerprint(secret.data) ?? ''))
    return { ours: false, contentsReplaced: true };
  return { ours, labelledOther };
}

/**
 * Answers a GET is sent again after, as a 429 is: the API server (or the load balancer in front
 * of it) passing through a restart or a control-plane upgrade. A read changes nothing, so sending
 * it again is safe; a write is never sent again here (its effect is unknown: the callers read the
 * object back instead, see `afterFailedWrite` and `linkServiceAccount`).
 */
const PASSING_SERVER_ERRORS: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** Network errors a GET is sent again after: the connection reset under it (an API server instance going away). */
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET']);

/** Wait before sending again when the answer names none (no Retry-After, or a reset). */
const DEFAULT_RETRY_WAIT_MS = 1000;

/**
 * Sends `request`, and again (at most {@link KUBE_THROTTLE_ATTEMPTS} sends in all, within the
 * call's one deadline) while it is answered 429 (API Priority and Fairness throttling a busy API
 * server: the call was not carried out, and failing the run would delete the credential it just
 * made) or, a GET only, a passing server error ({@link PASSING_SERVER_ERRORS}) or a reset
 * connection. Each wait is the answer's Retry-After, at most `maxWaitMs`. The deadline passing
 * during a wait ends it with the last answer (or error), not a timeout that would hide it. Other
 * answers go to the caller as they are.
 */
async function sendRetrying(
  http: KubeClient.HttpLibrary,
  request: KubeClient.RequestContext,
  maxWaitMs: number,
): Promise<KubeClient.ResponseContext> {
  const read = String(request.getHttpMethod()).toUpperCase() === 'GET';
  for (let attempt = 1; ; attempt++) {
    let response: KubeClient.ResponseContext;
    try {
      response = await http.send(request).toPromise();
    } catch (err) {
      if (!read || !isReset(err) || attempt >= KUBE_THROTTLE_ATTEMPTS) throw err;
      if (!(await pause(Math.min(DEFAULT_RETRY_WAIT_MS, maxWaitMs), request.getSignal()))) throw err;
      continue;
    }
    const status = response.httpStatusCode;
    const again = status === 429 || (read && PASSING_SERVER_ERRORS.has(status));
    if (!again || attempt >= KUBE_THROTTLE_ATTEMPTS) return response;
    // Read the answer through, so its connection can carry the next attempt; kept, for the
    // caller to read should the deadline end the wait.
    const text = await response.body.text().catch(() => '');
    response.body = { text: async () => text, binary: async () => Buffer.from(text) };
    if (!(await pause(retryAfterMs(response.headers['retry-after'], maxWaitMs), request.getSignal()))) return response;
  }
}

/** A connection reset under the call (node-fetch's FetchError carries the system error's code). */
function isReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RESET_CODES.has(code);
}

/** The wait a Retry-After (seconds, as the API server sends it) asks for, at most `maxWaitMs`. */
function retryAfterMs(header: string | undefined, maxWaitMs: number): number {
  const seconds = header === undefined || header.trim() === '' ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0
    ? Math.min(seconds * 1000, maxWaitMs)
    : Math.min(DEFAULT_RETRY_WAIT_MS, maxWaitMs);
}

/** Waits `ms`; false when `signal` (the call's deadline) aborts first or already has. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (finished: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve(finished);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/**
 * The error of a secret write whose effect is unknown: the sentence for people, the failed call's
 * explained cause (status, reason: nothing from the secret, see kube-errors.ts) for operators.
 */
function unconfirmed(
  input: PullSecretWrite,
  clusterName: string,
  explained: UserFacingError | undefined,
): UserFacingError {
  return new UserFacingError(
    SECRET_WRITE_UNCONFIRMED,
    `Cluster ${clusterName} did not confirm writing secret ${input.secretName} in namespace ${input.namespace}, and acrbot could not tell whether it was written; acrbot keeps the credential and looks at the secret again.`,
    { cause: explained?.cause ?? explained },
  );
}

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

/** {@link PullSecretPort} over the Kubernetes API. */
export class KubePullSecrets implements PullSecretPort {
  constructor(
    private readonly aksClient: (subscriptionId: string) => ContainerServiceClient,
    private readonly credential: TokenCredential,
    /** Longest one Kubernetes API call may take before it fails as unreachable. */
    private readonly callTimeoutMs = KUBE_CALL_TIMEOUT_MS,
    /** Longest wait for a throttled call's (or a failed read's) Retry-After (tests shorten it). */
    private readonly throttleWaitMs = KUBE_THROTTLE_MAX_WAIT_MS,
    /** How long a connection to an API server may stay idle before it is closed (tests shorten it). */
    private readonly idleSocketMs = KUBE_IDLE_SOCKET_MS,
  ) {}

  async access(cluster: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    aadEnabled: boolean;
  }): Promise<ClusterAccess> {
    let yaml: string;
    try {
      const result = await this.aksClient(cluster.subscriptionId).managedClusters.listClusterUserCredentials(
        cluster.resourceGroup,
        cluster.name,
      );
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
        (c) => this.aksClient(c.subscriptionId).managedClusters.get(c.resourceGroup, c.name),
        `the request for the credentials of cluster ${cluster.name}`,
      );
      if (gone) throw gone;
      const cause = credentialsError(err);
      if (statusCode === 403)
        throw new UserFacingError(
          'cluster.noCredentials',
          `acrbot may not read the credentials of cluster ${cluster.name}; ask the platform team to give its identity the Azure Kubernetes Service Cluster User Role on the cluster (docs/deploy.md), then ask again.`,
          { cause },
        );
      // No code and no status: no answer came, or one without a kubeconfig in it.
      const answer = code ?? (statusCode !== undefined ? `HTTP ${statusCode}` : 'no answer');
      throw new UserFacingError(
        'cluster.noCredentials',
        `Azure did not return credentials for cluster ${cluster.name} (${answer}); ask again in a few minutes, and if it keeps failing, ${logsReference()}.`,
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
      const token = await this.entraToken(scope, cluster.name);
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
      bearer = () => this.entraToken(scope, cluster.name);
    }
    // From Azure's settings (`aadProfile.managed`) and what the kubeconfig holds, not from a 401.
    const signIn: KubeSignIn = !bearer ? 'localAccount' : cluster.aadEnabled ? 'entra' : 'entraNotIntegrated';
    const access = { clusterName: cluster.name, signIn } as KubeAccess;
    access.api = this.apiWithDeadline(kc, CoreV1Api, cluster.name, access, bearer);
    return access;
  }

  /**
   * acrbot's Entra token for `scope`, asked of the credential for each call. A failure is that
   * call's, as a {@link clusterTokenError} with the credential's error as its cause. No earlier
   * token is sent in its place (one past its expiry draws the cluster's 401, which blames the
   * cluster's rights for a token service that failed) and no failure is kept: the next call asks
   * the credential again.
   */
  private async entraToken(scope: string, clusterName: string): Promise<string> {
    let token: AccessToken | null;
    try {
      token = await this.credential.getToken(scope);
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
   * `bearer`: each call's token, asked for anew (see {@link access}).
   */
  private apiWithDeadline(
    kc: KubeClient.KubeConfig,
    Api: typeof CoreV1Api,
    clusterName: string,
    owner: object,
    bearer?: () => Promise<string>,
  ): CoreV1Api {
    const { createConfiguration, ServerConfiguration, wrapHttpLibrary } = kube();
    const deadlineMs = this.callTimeoutMs;
    const agent = kubeAgent(kc, clusterName, this.idleSocketMs);
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
        httpApi: wrapHttpLibrary({ send: (request) => sendRetrying(plain, request, this.throttleWaitMs) }),
      }),
    );
  }

  async precheck(
    access: ClusterAccess,
    input: { namespace: string; secretName: string; serviceAccount?: string },
  ): Promise<{ existing?: ExistingSecret; serviceAccountLinked?: boolean }> {
    const { api, clusterName, signIn } = access as KubeAccess;
    const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
    let phase: string | undefined;
    try {
      phase = (await api.readNamespace({ name: input.namespace })).status?.phase;
    } catch (err) {
      throw explainKubeError(err, { ...ctx, verb: 'read', resource: 'the namespace' });
    }
    // Being deleted (often for days, held by a finalizer): the API server would refuse the secret
    // (403, NamespaceTerminating); said before any credential exists.
    if (phase === 'Terminating') throw namespaceTerminatingError(ctx);
    const secret = await this.readSecret(api, ctx, input.secretName);
    let serviceAccountLinked: boolean | undefined;
    if (input.serviceAccount) {
      try {
        const sa = await api.readNamespacedServiceAccount({ name: input.serviceAccount, namespace: input.namespace });
        serviceAccountLinked = (sa.imagePullSecrets ?? []).some((s) => s.name === input.secretName);
      } catch (err) {
        if (kubeStatus(err) === 404)
          throw new UserFacingError(
            'kubernetes.noServiceAccount',
            `Service account ${input.serviceAccount} does not exist in namespace ${input.namespace} of cluster ${clusterName}; check --service-account.`,
          );
        throw explainKubeError(err, { ...ctx, verb: 'read', resource: 'service accounts' });
      }
    }
    const linked = serviceAccountLinked === undefined ? {} : { serviceAccountLinked };
    if (!secret) return linked;
    const meta = secret.metadata ?? {};
    // Being deleted, held by a finalizer: a create would meet it (409) and a replace would put the
    // new credential into a secret about to vanish. Said before any credential exists.
    if (meta.deletionTimestamp) throw secretTerminatingError(ctx, input.secretName, meta.finalizers);
    const existing: ExistingSecret = {
      requestIdLabel: meta.labels?.[REQUEST_ID_LABEL],
      managedBy: meta.labels?.[MANAGED_BY_LABEL],
      createdAt: meta.creationTimestamp ? new Date(meta.creationTimestamp).toISOString() : undefined,
      writers: [...new Set((meta.managedFields ?? []).map((f) => f.manager).filter((m): m is string => !!m))].slice(
        0,
        3,
      ),
      resourceVersion: meta.resourceVersion,
      uid: meta.uid,
      // A hash, never the data: whether it still holds what acrbot wrote (G15).
      dataFingerprint: secretDataFingerprint(secret.data),
      // For the write: it builds the replacement from these rather than reading the secret again.
      metadata: metadataSeen(meta),
    };
    return { existing, ...linked };
  }

  /**
   * {@inheritDoc PullSecretPort.write}
   * A replace keeps what others added to the secret ({@link replacementBody}): as the caller's
   * check read it (`replaceMetadata`), else as read here first ({@link replacedNow}). It is
   * conditional on the version the caller checked, or, touched since, on the version read when
   * that is still the object the caller named ({@link stillTheChecked}). Someone else's touch
   * since that read (a scanner's annotation, `kubectl annotate`) makes it 409: the secret is read
   * again and, still that object, replaced at its new version, at most
   * {@link SECRET_REPLACE_ATTEMPTS} PUTs in all. Anything else is refused, as before. A secret
   * found being deleted (`deletionTimestamp`: a delete held by a finalizer, landed after the
   * check) is refused as the check refuses it ({@link secretTerminatingError}), never replaced
   * at the version that delete gave it; a write whose answer carries the mark is refused too.
   */
  async write(access: ClusterAccess, input: PullSecretWrite): Promise<PullSecretWriteOutcome> {
    const { api, clusterName, signIn } = access as KubeAccess;
    const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      metadata: {
        name: input.secretName,
        namespace: input.namespace,
        labels: { ...input.labels, [MANAGED_BY_LABEL]: 'acrbot' },
        annotations: input.annotations,
      },
      data: { '.dockerconfigjson': Buffer.from(input.dockerConfigJson).toString('base64') },
    };
    const replacing = input.replaceResourceVersion !== undefined;
    const action: SecretWriteResult['action'] = replacing ? 'replaced' : 'created';
    // The object replaced: as the caller's check read it (or as read now, when the caller kept
    // nothing of it), and as read again after someone touched it.
    let current: V1ObjectMeta | undefined = !replacing
      ? undefined
      : input.replaceMetadata
        ? { ...input.replaceMetadata, resourceVersion: input.replaceResourceVersion, uid: input.replaceUid }
        : await this.replacedNow(api, ctx, input);
    let written: V1Secret | undefined;
    for (let attempt = 1; !written; attempt++) {
      const sent = replacing
        ? replacementBody(body, current?.resourceVersion ?? input.replaceResourceVersion!, current, input.replaceUid)
        : body;
      try {
        written = replacing
          ? // Conditional on the version the flow checked: a secret swapped since then gets 409.
            await api.replaceNamespacedSecret({ name: input.secretName, namespace: input.namespace, body: sent })
          : // Create never overwrites: a secret that appeared since the check gets 409 AlreadyExists.
            await api.createNamespacedSecret({ namespace: input.namespace, body });
      } catch (err) {
        const after = await this.afterFailedWrite(api, input, sent, err, ctx, attempt);
        if ('written' in after) written = after.written;
        else current = after.retry;
      }
    }
    // Landed on a secret being deleted (a caller that named a version the delete gave it): the
    // API server removes it, new credential and all, once its finalizers clear. Not a success.
    if (written.metadata?.deletionTimestamp)
      throw secretTerminatingError(ctx, input.secretName, written.metadata.finalizers, true);
    const result = { action, serviceAccountPatched: false, uid: written.metadata?.uid };
    if (!input.serviceAccount) return result;
    try {
      const link = await this.linkServiceAccount(api, input.serviceAccount, input.secretName, ctx);
      // Which account object holds the entry: the revocation touches that one only (G15).
      const uid = link.uid ? { serviceAccountUid: link.uid } : {};
      if ('unknown' in link)
        return { ...result, ...uid, serviceAccountLinkUnknown: true, serviceAccountFailure: link.unknown };
      return { ...result, ...uid, serviceAccountPatched: link.added };
    } catch (err) {
      // The secret is written (and may have replaced another): the caller must know which
      // object it wrote even though the link failed, so the failure is answered, not thrown.
      return { ...result, serviceAccountFailure: err as Error };
    }
  }

  /**
   * The metadata of the secret a replace is about to overwrite, read now (never its data), for a
   * caller that passed none (`replaceMetadata`): at the version the caller checked, or at a newer
   * one when it is still the object the caller named ({@link stillTheChecked}); undefined
   * otherwise (another object, gone), and then the PUT at the checked version is refused and
   * explained by {@link afterFailedWrite}. A read that fails throws, explained with its cause.
   */
  private async replacedNow(
    api: CoreV1Api,
    scope: KubeScope,
    input: PullSecretWrite,
  ): Promise<V1ObjectMeta | undefined> {
    // Thrown rather than answered in the outcome: nothing has been sent yet, so the flow takes it
    // as the refusal it is, logs it once and audits it as it does any failed call, with no new
    // branch for a case where the PUT would most likely fail too. Going on without it would send
    // acrbot's body alone, silently dropping others' finalizers, owners, labels and annotations.
    const found = await this.readSecret(api, scope, input.secretName);
    const meta = found?.metadata;
    if (!meta) return undefined;
    // Deleted since the check (a finalizer holds it): a replace at its new version would land.
    if (meta.deletionTimestamp) throw secretTerminatingError(scope, input.secretName, meta.finalizers);
    const sameObject = !input.replaceUid || meta.uid === input.replaceUid;
    if (meta.resourceVersion === input.replaceResourceVersion && sameObject) return meta;
    return meta.resourceVersion && stillTheChecked(found, input) ? meta : undefined;
  }

  /**
   * A secret write that failed: answers the secret when it turns out the write did land, throws
   * otherwise. A refusal (a 4xx but 408; a 429 after the throttling retries) changed nothing and
   * is explained. Anything else (a timeout, a 5xx, a dropped connection) says nothing about
   * whether the API server carried the write out, so the secret is read back: holding exactly
   * the docker config just sent (a fresh password nobody else has) under this request's label,
   * it is the write, taken as done. Changed to something else since the version the flow checked
   * (or created by someone else), the write cannot land any more: someone else's change, as a
   * 409, unless it is still the object the caller named ({@link stillTheChecked}):
   * then someone only touched it, and `retry` answers it to replace at its new version (at most
   * {@link SECRET_REPLACE_ATTEMPTS} attempts in all). Otherwise (unchanged, absent, or the read
   * failing too) the write may still land: {@link SECRET_WRITE_UNCONFIRMED}, and the flow must
   * not delete the credential. A 409 is read back too: the secret may carry this request's own
   * label, from an earlier attempt's write that landed late, which the resumed run replaces
   * rather than calls someone else's. Found being deleted (`deletionTimestamp`, held by a
   * finalizer: a delete since the check, which is what moved the version on), it is refused as
   * the check refuses it ({@link secretTerminatingError}), never retried at the new version.
   * `body`: what was sent (a replace: at the version it was conditional on).
   */
  private async afterFailedWrite(
    api: CoreV1Api,
    input: PullSecretWrite,
    body: V1Secret,
    err: unknown,
    scope: KubeScope,
    attempt: number,
  ): Promise<{ written: V1Secret } | { retry: V1ObjectMeta }> {
    // No token, so the write was never sent: nothing to read back, and nothing left unconfirmed.
    if (isClusterTokenError(err)) throw err;
    const status = kubeStatus(err);
    const replacing = input.replaceResourceVersion !== undefined;
    const clusterName = scope.cluster;
    const ctx = { ...scope, verb: replacing ? 'update' : 'create' };
    const changed = () =>
      new UserFacingError(
        'kubernetes.secretChanged',
        `Secret ${input.secretName} in namespace ${input.namespace} of cluster ${clusterName} was ${replacing ? 'changed' : 'created'} by someone else while acrbot was working; nothing was overwritten. Ask for it again to check it afresh (the new request needs approving again).`,
      );
    if (status !== undefined && status !== 409 && status !== 408 && status >= 400 && status < 500)
      throw explainKubeError(err, { ...ctx, resource: 'secrets' });
    const explained = status === 409 ? undefined : explainKubeError(err, { ...ctx, resource: 'secrets' });
    let found: V1Secret | undefined;
    try {
      found = await this.readSecret(api, scope, input.secretName);
    } catch {
      if (status === 409) throw changed();
      throw unconfirmed(input, clusterName, explained);
    }
    const ownLabel = found?.metadata?.labels?.[REQUEST_ID_LABEL] === input.labels[REQUEST_ID_LABEL];
    // Compared, never logged: the data holds the password.
    if (found && ownLabel && found.data?.['.dockerconfigjson'] === body.data?.['.dockerconfigjson'])
      return { written: found };
    // Being deleted (held by a finalizer): a delete landed since the check, which is what moved
    // the version on. Replaced at its new version, it would vanish with the new credential; a
    // create cannot land until it is gone. Refused as the check refuses it.
    if (found?.metadata?.deletionTimestamp)
      throw secretTerminatingError(scope, input.secretName, found.metadata.finalizers);
    const movedOn = replacing
      ? found?.metadata?.resourceVersion !== body.metadata?.resourceVersion
      : found !== undefined;
    // Moved on, so the write can no longer land; still the object checked, so only touched.
    if (replacing && movedOn && found?.metadata?.resourceVersion && stillTheChecked(found, input)) {
      if (attempt < SECRET_REPLACE_ATTEMPTS) return { retry: found.metadata };
      throw new UserFacingError(
        'kubernetes.conflict',
        `Secret ${input.secretName} in namespace ${input.namespace} of cluster ${clusterName} kept changing while acrbot replaced it; nothing was overwritten. Ask for it again (the new request needs approving again).`,
        { cause: (explained ?? explainKubeError(err, { ...ctx, resource: 'secrets' })).cause },
      );
    }
    if (status === 409) {
      if (found && ownLabel) throw unconfirmed(input, clusterName, undefined);
      throw changed();
    }
    if (movedOn && !ownLabel) throw changed();
    throw unconfirmed(input, clusterName, explained);
  }

  /**
   * Deletes the secret if acrbot's records say this request wrote it (G15), then the service
   * account entries acrbot added. The delete is conditional on the object just read (uid and
   * resourceVersion): anyone's write in between (a `kubectl annotate`, a controller touching the
   * object) makes it 409, and the secret is then read again and checked again, at most
   * {@link SECRET_DELETE_ATTEMPTS} times. A secret replaced in between (another uid) fails that
   * check and is left; one that keeps changing fails the revocation, which is retried.
   */
  async remove(access: ClusterAccess, input: PullSecretRemoval): Promise<SecretRemoveResult> {
    const { api, clusterName, signIn } = access as KubeAccess;
    const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
    // The object this revocation may delete: the one acrbot recorded writing, or (requests
    // recorded before uids were kept) the one first read here. A later read with another uid is
    // a secret made since under the same name, which is never this request's.
    let uid = input.writtenUid;
    for (let attempt = 1; ; attempt++) {
      const existing = await this.readSecret(api, ctx, input.secretName);
      // Gone already (an earlier attempt deleted it and then failed on a service account): the
      // entries acrbot added still go, so a retry finishes what that attempt began.
      if (!existing) return { secret: 'absent', ...(await this.unlinkAll(api, input, ctx)) };
      uid ??= existing.metadata?.uid;
      const owner = ownership(existing, input);
      if (!owner.ours || existing.metadata?.uid !== uid)
        return {
          secret: 'notOurs',
          ownerRequestId: owner.labelledOther,
          ...(owner.contentsReplaced ? { contentsReplaced: true } : {}),
          serviceAccountsPatched: [],
          serviceAccountsAbsent: [],
        };
      // Already being deleted (a finalizer holds it): it is going, and deleting it again changes
      // nothing (a controller touching it meanwhile would only make the conditional delete 409).
      if (existing.metadata?.deletionTimestamp)
        return { secret: 'deleted', ...(await this.unlinkAll(api, input, ctx)) };
      try {
        // Exactly the object just read: a replacement written meanwhile survives (409 Conflict).
        await api.deleteNamespacedSecret({
          name: input.secretName,
          namespace: input.namespace,
          body: { preconditions: { uid, resourceVersion: existing.metadata?.resourceVersion } },
        });
      } catch (err) {
        const status = kubeStatus(err);
        if (status === 404) return { secret: 'absent', ...(await this.unlinkAll(api, input, ctx)) };
        const explained = explainKubeError(err, { ...ctx, verb: 'delete', resource: 'secrets' });
        // Changed (or replaced) since the read: read it again, and check again what it is.
        if (status !== 409) throw explained;
        if (attempt < SECRET_DELETE_ATTEMPTS) continue;
        // Not "not ours": the object acrbot wrote may still be there, so the revocation is retried.
        throw new UserFacingError(
          'kubernetes.conflict',
          `Secret ${input.secretName} in namespace ${input.namespace} of cluster ${clusterName} kept changing while acrbot deleted it; it tries again later.`,
          { cause: explained.cause },
        );
      }
      return { secret: 'deleted', ...(await this.unlinkAll(api, input, ctx)) };
    }
  }

  /**
   * Takes the secret out of each listed service account's `imagePullSecrets`, going on past a
   * failure (the others are still tried); the first failure is answered for the caller to retry.
   */
  private async unlinkAll(
    api: CoreV1Api,
    input: PullSecretRemoval,
    ctx: KubeScope,
  ): Promise<
    Pick<
      SecretRemoveResult,
      | 'serviceAccountsPatched'
      | 'serviceAccountsAbsent'
      | 'serviceAccountsNoEntry'
      | 'serviceAccountsNotOurs'
      | 'serviceAccountFailure'
      | 'failedServiceAccount'
    >
  > {
    const serviceAccountsPatched: string[] = [];
    const serviceAccountsAbsent: string[] = [];
    const serviceAccountsNotOurs: string[] = [];
    const serviceAccountsNoEntry: string[] = [];
    let failure: Pick<SecretRemoveResult, 'serviceAccountFailure' | 'failedServiceAccount'> = {};
    const uids = input.serviceAccountUids ?? {};
    for (const serviceAccount of input.serviceAccounts)
      try {
        const uid = Object.hasOwn(uids, serviceAccount) ? uids[serviceAccount] : undefined;
        const result = await this.unlinkServiceAccount(api, serviceAccount, input.secretName, ctx, uid);
        if (result === 'patched') serviceAccountsPatched.push(serviceAccount);
        else if (result === 'absent') serviceAccountsAbsent.push(serviceAccount);
        else if (result === 'notOurs') serviceAccountsNotOurs.push(serviceAccount);
        else serviceAccountsNoEntry.push(serviceAccount);
      } catch (err) {
        if (!failure.serviceAccountFailure)
          failure = { serviceAccountFailure: err as Error, failedServiceAccount: serviceAccount };
      }
    return {
      serviceAccountsPatched,
      serviceAccountsAbsent,
      ...(serviceAccountsNotOurs.length ? { serviceAccountsNotOurs } : {}),
      ...(serviceAccountsNoEntry.length ? { serviceAccountsNoEntry } : {}),
      ...failure,
    };
  }

  /**
   * Removes the secret from `imagePullSecrets`, keeping every other entry: a JSON Patch that
   * tests the entry's name at its index before removing it, so a list changed since the read
   * fails (422) instead of losing someone else's entry; then the list is read again and the
   * entry looked for anew (at most {@link SERVICE_ACCOUNT_PATCH_ATTEMPTS} times). With the
   * account's `uid` as acrbot recorded it when linking, only that object is touched: one deleted
   * and made again under the name (another uid) holds its makers' entries, not acrbot's (G15),
   * and the patch tests the uid too, for an account made again between the read and the patch.
   * Named twice (someone prepended the same name), the first entry goes and the other stays:
   * entries are identical `{name}` objects that cannot be told apart, so which one is removed
   * cannot matter. `noEntry`: the list no longer has it; `absent`: the service account no longer
   * exists; `notOurs`: it is another object than the one acrbot linked.
   */
  private async unlinkServiceAccount(
    api: CoreV1Api,
    serviceAccount: string,
    secretName: string,
    ctx: KubeScope,
    uid: string | undefined,
  ): Promise<'patched' | 'noEntry' | 'absent' | 'notOurs'> {
    for (let attempt = 1; ; attempt++) {
      try {
        const sa = await api.readNamespacedServiceAccount({ name: serviceAccount, namespace: ctx.namespace });
        if (uid !== undefined && sa.metadata?.uid !== uid) return 'notOurs';
        const index = sa.imagePullSecrets?.findIndex((s) => s.name === secretName) ?? -1;
        if (index < 0) return 'noEntry';
        const { PatchStrategy, setHeaderOptions } = kube();
        await api.patchNamespacedServiceAccount(
          {
            name: serviceAccount,
            namespace: ctx.namespace,
            body: [
              ...(uid !== undefined ? [{ op: 'test', path: '/metadata/uid', value: uid }] : []),
              { op: 'test', path: `/imagePullSecrets/${index}/name`, value: secretName },
              { op: 'remove', path: `/imagePullSecrets/${index}` },
            ],
          },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
        return 'patched';
      } catch (err) {
        // Gone before the read, or between the read and the patch: either way no entry is left.
        if (kubeStatus(err) === 404) return 'absent';
        const explained = explainKubeError(err, { ...ctx, verb: 'patch', resource: 'serviceaccounts' });
        // A test failed (the read cannot answer 422): someone changed the list in between, or
        // made the account again; the next read tells which.
        if (kubeStatus(err) !== 422) throw explained;
        if (attempt < SERVICE_ACCOUNT_PATCH_ATTEMPTS) continue;
        throw new UserFacingError(
          'kubernetes.conflict',
          `The imagePullSecrets of service account ${serviceAccount} in namespace ${ctx.namespace} of cluster ${ctx.cluster} kept changing while acrbot took ${secretName} out; it tries again later.`,
          { cause: explained.cause },
        );
      }
    }
  }

  /**
   * Adds the secret to `imagePullSecrets`, keeping every other entry. A ServiceAccount's
   * `imagePullSecrets` is an atomic list (core/v1 has no patch strategy for it, unlike a pod's;
   * kubernetes/kubernetes#72475), so a strategic merge or JSON merge patch would replace the
   * whole list and drop the team's other pull secrets. A JSON Patch appends instead, guarded by
   * a `test` of the resourceVersion just read (an `add` to a list that does not exist yet
   * creates it): a service account changed since the read fails (422) rather than lose
   * someone's change, and is read again, at most {@link SERVICE_ACCOUNT_PATCH_ATTEMPTS} times. `added`
   * false when the list already names the secret. A patch with no clear answer (none, a timeout, a
   * 5xx) may have been applied: the list is read again, and naming the secret now (it did not when
   * read), the entry is taken as this patch's, so the outcome records it and the revocation
   * removes it; that read failing too, the link is `unknown` (the entry may be there), which the
   * outcome records so that the revocation still takes the entry out if it is there. `uid`: the
   * account's, as read (which object holds the entry).
   */
  private async linkServiceAccount(
    api: CoreV1Api,
    serviceAccount: string,
    secretName: string,
    ctx: KubeScope,
  ): Promise<{ added: boolean; uid?: string } | { unknown: UserFacingError; uid?: string }> {
    for (let attempt = 1; ; attempt++) {
      let uid: string | undefined;
      try {
        const sa = await api.readNamespacedServiceAccount({ name: serviceAccount, namespace: ctx.namespace });
        uid = sa.metadata?.uid;
        if (sa.imagePullSecrets?.some((s) => s.name === secretName)) return { added: false, uid };
        const { PatchStrategy, setHeaderOptions } = kube();
        await api.patchNamespacedServiceAccount(
          {
            name: serviceAccount,
            namespace: ctx.namespace,
            body: [
              { op: 'test', path: '/metadata/resourceVersion', value: sa.metadata?.resourceVersion },
              sa.imagePullSecrets
                ? { op: 'add', path: '/imagePullSecrets/-', value: { name: secretName } }
                : { op: 'add', path: '/imagePullSecrets', value: [{ name: secretName }] },
            ],
          },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
        return { added: true, uid };
      } catch (err) {
        const explained = explainKubeError(err, { ...ctx, verb: 'patch', resource: 'serviceaccounts' });
        const status = kubeStatus(err);
        // Only the patch leaves an unclear answer (the read changes nothing): `uid` is set once read.
        if (uid !== undefined && (status === undefined || status === 408 || status >= 500)) {
          // Read back: the patch may have been applied. Naming the secret now, the entry is the
          // patch's; not naming it, the patch did not land; the read failing too, nobody can tell.
          let readBackFailure: unknown;
          const linked = await api
            .readNamespacedServiceAccount({ name: serviceAccount, namespace: ctx.namespace })
            .then((sa) =>
              sa.metadata?.uid === uid ? !!sa.imagePullSecrets?.some((s) => s.name === secretName) : false,
            )
            .catch((readErr: unknown) => {
              // Kept as a cause of the unconfirmed link below: both failures reach its log line.
              readBackFailure = readErr;
              return undefined;
            });
          if (linked) return { added: true, uid };
          if (linked === false) throw explained;
          return {
            uid,
            unknown: new UserFacingError(
              'kubernetes.serviceAccountUnconfirmed',
              `Cluster ${ctx.cluster} did not confirm adding ${secretName} to the imagePullSecrets of service account ${serviceAccount} in namespace ${ctx.namespace}, and acrbot could not read the account back to tell whether it was added; revoking this access takes the entry out if it is there.`,
              {
                cause: new AggregateError(
                  [explained.cause, readBackFailure],
                  'the patch got no clear answer, and reading the service account back failed',
                ),
              },
            ),
          };
        }
        // Written meanwhile by someone else (an answer the patch's own test would give as 422):
        // the secret is written, only the entry is missing; a new request would not help.
        if (status === 409)
          throw new UserFacingError(
            'kubernetes.conflict',
            `Service account ${serviceAccount} in namespace ${ctx.namespace} of cluster ${ctx.cluster} was being changed by someone else when acrbot added ${secretName} to its imagePullSecrets (409 Conflict); the entry was not added.`,
            { cause: explained.cause },
          );
        // The test failed (the read cannot answer 422): someone changed the service account in between.
        if (status !== 422) throw explained;
        if (attempt < SERVICE_ACCOUNT_PATCH_ATTEMPTS) continue;
        throw new UserFacingError(
          'kubernetes.conflict',
          `Service account ${serviceAccount} in namespace ${ctx.namespace} of cluster ${ctx.cluster} kept changing while acrbot added ${secretName} to its imagePullSecrets; the entry was not added.`,
          { cause: explained.cause },
        );
      }
    }
  }

  /**
   * {@inheritDoc PullSecretPort.inspect}
   * Reads only: the secret (its data hashed here and dropped), then each service account, in
   * turn (the caller bounds how many objects one answer reads).
   */
  async inspect(access: ClusterAccess, input: PullSecretInspection): Promise<PullSecretSeen> {
    const { api, clusterName, signIn } = access as KubeAccess;
    const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
    const found = await this.readSecret(api, ctx, input.secretName);
    const meta = found?.metadata;
    const secret: PullSecretSeen['secret'] = found
      ? {
          state: 'present',
          ...(meta?.uid ? { uid: meta.uid } : {}),
          ...(found.data ? { dataFingerprint: secretDataFingerprint(found.data) } : {}),
          ...(meta?.deletionTimestamp ? { deleting: true } : {}),
        }
      : { state: 'absent' };
    const serviceAccounts: PullSecretSeen['serviceAccounts'] = {};
    for (const name of input.serviceAccounts) {
      try {
        const sa = await api.readNamespacedServiceAccount({ name, namespace: input.namespace });
        serviceAccounts[name] = sa.imagePullSecrets?.some((s) => s.name === input.secretName) ? 'listed' : 'noEntry';
      } catch (err) {
        if (kubeStatus(err) !== 404) throw explainKubeError(err, { ...ctx, verb: 'read', resource: 'serviceaccounts' });
        serviceAccounts[name] = 'absent';
      }
    }
    return { secret, serviceAccounts };
  }

  private async readSecret(api: CoreV1Api, scope: KubeScope, name: string): Promise<V1Secret | undefined> {
    try {
      return await api.readNamespacedSecret({ name, namespace: scope.namespace });
    } catch (err) {
      if (kubeStatus(err) === 404) return undefined;
      throw explainKubeError(err, { ...scope, verb: 'read', resource: 'secrets' });
    }
  }
}
