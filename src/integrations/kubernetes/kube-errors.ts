/**
 * Kubernetes API failures turned into one plain sentence with the fix. The error keeps as its
 * `cause` what the platform team needs to look into it, and only what cannot hold a secret: a
 * client-node error's own message quotes the response body and headers, and a failed secret
 * write's body may echo the docker config (a password), so neither is ever kept.
 */
import { UserFacingError } from '../../domain/errors';
import { NO_KUBERNETES_ANSWER } from '../../domain/kube-no-answer';
import {
  MISSING_NAMESPACE_WAY_ON,
  NAMESPACE_TERMINATING_WAY_ON,
  SECRET_TERMINATING_WAY_ON,
  SERVICE_ACCOUNT_GONE_WAY_ON,
} from '../../domain/new-secret-way-on';
import { currentCorrelationId } from '../../observability/correlation';

/**
 * Where the platform team finds what a sentence leaves out: acrbot's log lines of this work carry
 * its correlation id (a run's, a turn's), so the sentence names it; outside any (a script), none.
 */
export function logsReference(what = 'the details'): string {
  const reference = currentCorrelationId();
  return `the platform team can find ${what} in acrbot's logs${reference ? ` under reference ${reference}` : ''}`;
}

/**
 * {@link logsReference} for a failed call: on a call on secrets the log line keeps the answer's
 * status and reason (and `fields`, its causes' checked fields) but never its message
 * ({@link kubeFailureCause}), so the sentence promises only those; on other calls, the details.
 */
function logsHold(ctx: KubeCallContext, fields = false): string {
  if (!onSecrets(ctx)) return logsReference();
  return `${logsReference(`the status${fields ? ', reason and fields' : ' and reason'} of the cluster's answer`)} (not its message: it may quote the secret)`;
}

/** A call on secrets: its answer may quote the docker config sent, so its free text is never kept. */
function onSecrets(ctx: KubeCallContext): boolean {
  return ctx.resource.toLowerCase().includes('secret');
}

/** HTTP status of a client-node error, if it is one. */
export function kubeStatus(err: unknown): number | undefined {
  // client-node's ApiException carries the HTTP status as a numeric `code`; checked by shape
  // so this module does not load client-node.
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Calls whose failure leaves the cluster as it was: a read, a create, or a replace that did not
 * happen. A failed delete or patch (a revocation removing what acrbot wrote) leaves it in place,
 * for the retry to remove, so its sentence does not say "nothing was left behind".
 */
const LEAVES_NOTHING = new Set(['read', 'create', 'update']);

/** A call ended by its deadline (the AbortSignal's timeout, as node-fetch reports it). */
function timedOut(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * How acrbot signed in to a cluster, from its Azure settings (`aadProfile.managed`, managed
 * Microsoft Entra integration) and the kubeconfig Azure returned: its own Entra token on a
 * cluster with that integration (`entra`); its Entra token on one Azure shows without it
 * (`entraNotIntegrated`: the kubeconfig asked for kubelogin); or the cluster's local-account
 * credential (`localAccount`).
 */
export type KubeSignIn = 'entra' | 'entraNotIntegrated' | 'localAccount';

/** What a failed call was: cluster, namespace, verb ("create") and resource ("secrets"). */
export interface KubeCallContext {
  cluster: string;
  namespace: string;
  verb: string;
  resource: string;
  /** How acrbot signed in; unknown, a 401's sentence names the causes of both kinds of cluster. */
  signIn?: KubeSignIn;
  /**
   * A read made by a removal (a revocation reading the secret it is to delete): what acrbot wrote
   * is still there for the retry to remove, so its sentence, like a failed delete's, does not say
   * "nothing was left behind".
   */
  forRemoval?: boolean;
}

/** The part of a {@link KubeCallContext} that one cluster access and namespace fix. */
export type KubeScope = Pick<KubeCallContext, 'cluster' | 'namespace' | 'signIn'>;

/**
 * The cause kept on an explained Kubernetes failure (logged by the flow that catches it). Its
 * message is built here from checked parts, never copied from the failed call's error.
 */
export class KubeApiFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeApiFailure';
  }
}

/** The code of {@link clusterTokenError}. */
export const CLUSTER_NO_TOKEN = 'cluster.noToken';

/**
 * acrbot's identity could not get its Entra token for an Entra-enabled cluster (the credential
 * threw or answered none): the call it was for was never sent. Its own sentence, not the
 * cluster's 401 that an old token would have drawn, which would send people to the cluster's
 * rights when the token service failed. No "ask again": a run's failed card adds it with the
 * command. `cause`: the credential's error, for the log.
 */
export function clusterTokenError(cluster: string, cause?: unknown): UserFacingError {
  return new UserFacingError(
    CLUSTER_NO_TOKEN,
    `acrbot could not get an Entra token for cluster ${cluster} from Microsoft Entra ID, so nothing was sent to the cluster; this often passes within a few minutes (the platform team finds the cause in acrbot's log if it goes on).`,
    cause === undefined ? [] : { cause },
  );
}

/** True for a {@link clusterTokenError}: the call was never sent. */
export function isClusterTokenError(err: unknown): err is UserFacingError {
  return err instanceof UserFacingError && err.code === CLUSTER_NO_TOKEN;
}

/** Explains a failed call on `what` (e.g. "create secrets") in a namespace of a cluster. */
export function explainKubeError(err: unknown, ctx: KubeCallContext): UserFacingError {
  // Thrown before the call went out (the per-call token, kube-cluster-access.ts): already explained.
  if (isClusterTokenError(err)) return err;
  const status = kubeStatus(err);
  const cause = { cause: kubeFailureCause(err, ctx) };
  switch (status) {
    case 401:
      return new UserFacingError('kubernetes.unauthorized', unauthorizedText(ctx), cause);
    case 403: {
      if (namespaceBeingDeleted(err)) return namespaceTerminatingError(ctx, cause);
      const refusal = refusedBy(err);
      if (refusal.by === 'quota') return quotaError(ctx, refusal.name, cause);
      if (refusal.by === 'webhook' || refusal.by === 'policy') return policyError(ctx, refusal, cause);
      return new UserFacingError(
        'kubernetes.forbidden',
        refusal.by === 'authorizer'
          ? `acrbot may not ${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace} of cluster ${ctx.cluster}: its identity needs ${rbacRule(ctx)} there. ${RBAC_FIX}`
          : // A 403 of no shape acrbot knows (no Status, or a message of another admission check):
            // most likely the authorizer, but said as a guess, with where the answer is kept.
            `Cluster ${ctx.cluster} refused acrbot's ${ctx.verb} of ${ctx.resource} in namespace ${ctx.namespace} (403 Forbidden) without naming a missing right or a policy${leftBehind(ctx)}. The usual cause is that its identity lacks ${rbacRule(ctx)} there. ${RBAC_FIX} If it has that right, a policy of the cluster refused it, and ${logsHold(ctx)}.`,
        cause,
      );
    }
    case 400: {
      // An admission webhook that denies without a code (Kyverno) is answered as 400.
      const refusal = refusedBy(err);
      if (refusal.by === 'webhook') return policyError(ctx, refusal, cause);
      return new UserFacingError(
        'kubernetes.failed',
        `Cluster ${ctx.cluster} refused acrbot's ${ctx.verb} of ${ctx.resource} in namespace ${ctx.namespace} as a bad request (HTTP 400)${leftBehind(ctx)}; the same request would be refused the same way, and ${logsHold(ctx)}.`,
        cause,
      );
    }
    case 404:
      return new UserFacingError('kubernetes.notFound', notFoundText(ctx), cause);
    case 409:
      return new UserFacingError(
        'kubernetes.conflict',
        `The ${ctx.resource} in namespace ${ctx.namespace} of cluster ${ctx.cluster} changed while acrbot was writing it; ask for it again (the new request needs approving again).`,
        cause,
      );
    case 422:
      return new UserFacingError(
        'kubernetes.invalid',
        `Cluster ${ctx.cluster} refused the ${ctx.resource} as invalid; ${logsHold(ctx, true)}. Ask them to look before asking again: the same request would be refused the same way.`,
        cause,
      );
    default:
      // None of these says "ask again" (a timeout and no answer say what to check, a passing fault
      // that it passes): a run's failed card adds that, with the command to type (request-view.ts,
      // failedSummary), and would say it twice; a revocation's job retries.
      if (timedOut(err))
        return new UserFacingError(
          'kubernetes.timeout',
          `Cluster ${ctx.cluster} did not answer in time while acrbot tried to ${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace}; check that its API server is up and reachable.`,
          cause,
        );
      // Still throttled after the retries (kube-retrying-http.ts): busy, neither down nor unreachable.
      if (status === 429)
        return new UserFacingError(
          'kubernetes.failed',
          `Cluster ${ctx.cluster} is throttling requests (429) and refused acrbot's ${ctx.verb} of ${ctx.resource} in namespace ${ctx.namespace}${leftBehind(ctx)}; this passes once it is less busy, usually within a few minutes.`,
          cause,
        );
      // No status: nothing came back (refused connection, reset, DNS), so the step is the
      // network's; a status the cases above do not know is the cluster's, for the logs.
      return new UserFacingError(
        'kubernetes.failed',
        status === undefined
          ? `Cluster ${ctx.cluster} could not be reached (no answer) while acrbot tried to ${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace}${leftBehind(ctx)}; check that its API server is up and reachable from acrbot.`
          : `Cluster ${ctx.cluster} failed (HTTP ${status}) while acrbot tried to ${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace}${leftBehind(ctx)}; this often passes within a few minutes, and if it keeps failing, ${logsHold(ctx)}.`,
        cause,
      );
  }
}

/** What to do about a missing right in a namespace: the Role of docs/deploy.md, and nothing broader. */
const RBAC_FIX =
  'Ask the platform team to give it the Role and RoleBinding of docs/deploy.md in that namespace (get on the namespace; get, create, update and delete on secrets; get and patch on serviceaccounts) and nothing broader: a built-in role such as RBAC Writer would let acrbot run pods as any service account there.';

/**
 * A ResourceQuota of the namespace holds it at its limit (the quota admission's 403): no right
 * or retry helps, only a higher quota or fewer objects. `quota`: its validated name, if any.
 */
function quotaError(ctx: KubeCallContext, quota: string | undefined, cause: { cause: unknown }): UserFacingError {
  const which = quota ? `its ResourceQuota ${quota}` : 'a ResourceQuota';
  return new UserFacingError(
    'kubernetes.quotaExceeded',
    `Namespace ${ctx.namespace} of cluster ${ctx.cluster} is at the limit of ${which}, which allows no more ${ctx.resource} there, so acrbot could not ${ctx.verb} one${leftBehind(ctx)}. Ask the cluster's owners to raise that quota, or remove ${ctx.resource} no longer used from the namespace, then ask for it again (the new request needs approving again).`,
    cause,
  );
}

/**
 * A policy of the cluster refused the call: an admission webhook (Gatekeeper, Kyverno) or a
 * ValidatingAdmissionPolicy, named as the API server's own text names it. Not a missing right,
 * and not a hiccup: the same call is refused the same way until the policy changes.
 */
function policyError(
  ctx: KubeCallContext,
  refusal: { by: 'webhook' | 'policy'; name?: string },
  cause: { cause: unknown },
): UserFacingError {
  const kind = refusal.by === 'webhook' ? 'admission webhook' : 'ValidatingAdmissionPolicy';
  const which = refusal.name ? `${kind} ${refusal.name}` : `an ${kind}`;
  return new UserFacingError(
    'kubernetes.admissionDenied',
    `A policy of cluster ${ctx.cluster} (${which}) refused acrbot's ${ctx.verb} of ${ctx.resource} in namespace ${ctx.namespace}${leftBehind(ctx)}. Asking again is refused the same way until the cluster's policy allows it: ask the cluster's owners about it; ${logsHold(ctx)}.`,
    cause,
  );
}

/**
 * The clause saying a failed call left the cluster as it was, for the calls that do
 * ({@link LEAVES_NOTHING}), except a removal's read: what acrbot wrote is still there.
 */
function leftBehind(ctx: KubeCallContext): string {
  return LEAVES_NOTHING.has(ctx.verb) && !ctx.forRemoval ? '; nothing was left behind' : '';
}

/**
 * A 401 (the API server did not take acrbot's credential at all) names what fits the cluster's
 * sign-in. With managed Entra integration, acrbot's identity needs access there. Without it, the
 * cluster does not accept Entra tokens and no Azure role reaches inside it, so the fix is the
 * integration itself (with Azure RBAC for Kubernetes, so roles on the cluster apply). Not known:
 * both, each with the kind of cluster it is for.
 */
function unauthorizedText(ctx: KubeCallContext): string {
  // A 401 is a sign-in the API server refused, not a missing right (that is a 403): no role fixes it.
  // What to fix, not "then ask again": a run's failed card adds that, with the command to type.
  const grant = `this is a sign-in failure, not a missing right: check that the cluster's Entra integration accepts acrbot's identity (an identity of the cluster's tenant); the rights acrbot needs in namespace ${ctx.namespace} are the Role of docs/deploy.md`;
  const integrate =
    'ask the platform team to enable managed Microsoft Entra integration with Azure RBAC for Kubernetes on it (az aks update --enable-aad --enable-azure-rbac)';
  switch (ctx.signIn) {
    case 'entra':
      return `Cluster ${ctx.cluster} did not accept acrbot's credentials; on Entra-enabled clusters ${grant}.`;
    case 'entraNotIntegrated':
      return `Cluster ${ctx.cluster} did not accept acrbot's Entra token: Azure shows no managed Microsoft Entra integration for it, so it does not accept Entra tokens and Azure roles do not apply inside it; ${integrate}.`;
    case 'localAccount':
      return `Cluster ${ctx.cluster} did not accept the local-account credential Azure returned for it: it has no managed Microsoft Entra integration, so it does not accept acrbot's Entra token either and Azure roles do not apply inside it; ${integrate}.`;
    default:
      return `Cluster ${ctx.cluster} did not accept acrbot's credentials. On a cluster with managed Microsoft Entra integration, ${grant}; a cluster without it does not accept Entra tokens at all, and needs managed Entra integration with Azure RBAC for Kubernetes first.`;
  }
}

/** Kubernetes RBAC's verb for each call acrbot makes (its sentences say "read", RBAC says "get"). */
const RBAC_VERBS: Record<string, string> = {
  read: 'get',
  create: 'create',
  update: 'update',
  delete: 'delete',
  patch: 'patch',
};

/**
 * The one RBAC rule a forbidden call lacked, as a Role would grant it: a fixed list of rights
 * would send the platform team to grant the wrong one (a revocation's delete, the precheck's
 * get on the namespace object, which a Role grants with resourceNames).
 */
function rbacRule(ctx: KubeCallContext): string {
  const verb = RBAC_VERBS[ctx.verb] ?? ctx.verb;
  const resource = ctx.resource.replace(/\s+/g, '').toLowerCase();
  if (resource === 'thenamespace' || resource === 'namespaces')
    return `${verb} on namespaces (resourceNames: ${ctx.namespace})`;
  return `${verb} on ${resource}`;
}

/**
 * A 404 names what the call was about: the namespace for a read of it or a secret create (the
 * namespace is the only thing a create can miss), otherwise the object itself, which can be
 * deleted between the flow's check and its write.
 */
function notFoundText(ctx: KubeCallContext): string {
  const where = `namespace ${ctx.namespace} of cluster ${ctx.cluster}`;
  const resource = ctx.resource.replace(/\s+/g, '').toLowerCase();
  if (resource === 'thenamespace' || resource === 'namespaces' || (resource === 'secrets' && ctx.verb === 'create'))
    return `Namespace ${ctx.namespace} does not exist in cluster ${ctx.cluster}; ${MISSING_NAMESPACE_WAY_ON}`;
  if (resource === 'serviceaccounts')
    return `The service account acrbot was to ${ctx.verb} no longer exists in ${where} (it was there when acrbot checked); ${SERVICE_ACCOUNT_GONE_WAY_ON}`;
  if (resource === 'secrets')
    return `The secret acrbot was to ${ctx.verb} no longer exists in ${where} (it, or the namespace, was deleted after acrbot checked it); ask for it again (the new request needs approving again), and acrbot checks again.`;
  return `Kubernetes did not find the ${ctx.resource} acrbot was to ${ctx.verb} in ${where}.`;
}

/**
 * The namespace is being deleted (phase Terminating): nothing new can be created in it. Not a
 * missing right, which a 403 otherwise is. Nor a state it leaves for Active: a deletion is never
 * undone (a finalizer only holds it), so the way on is the namespace made again once gone.
 */
export function namespaceTerminatingError(
  ctx: Pick<KubeCallContext, 'cluster' | 'namespace'>,
  cause?: { cause: unknown },
): UserFacingError {
  return new UserFacingError(
    'kubernetes.namespaceTerminating',
    `Namespace ${ctx.namespace} of cluster ${ctx.cluster} is being deleted (Terminating), so nothing can be created in it, and its deletion cannot be undone (if it stays Terminating, a finalizer holds it: the cluster's owners can see which); ${NAMESPACE_TERMINATING_WAY_ON}`,
    cause,
  );
}

/** Finalizers a sentence names at most (a secret rarely has more than one or two). */
const FINALIZERS_NAMED = 3;

/**
 * The secret is being deleted (`metadata.deletionTimestamp` set), held by a finalizer: a create
 * under its name is refused until it is gone, and a replace would write the new credential into
 * a secret about to vanish. The finalizers are qualified names the API server validated.
 * `writtenInto`: the write did land, on the secret being deleted (its answer, or the read after
 * it, carries the mark), so the sentence cannot say nothing was written; either way the write
 * is not reported as done.
 */
export function secretTerminatingError(
  ctx: Pick<KubeCallContext, 'cluster' | 'namespace'>,
  secretName: string,
  finalizers: readonly string[] | undefined,
  writtenInto = false,
): UserFacingError {
  const named = (finalizers ?? []).slice(0, FINALIZERS_NAMED);
  const more = (finalizers?.length ?? 0) > named.length ? ', …' : '';
  const held = named.length ? ` (finalizers ${named.join(', ')}${more})` : '';
  const what = writtenInto
    ? `started being deleted${held} while acrbot wrote it, so it will vanish with the new credential; acrbot does not count it as written.`
    : `is being deleted${held}; nothing was written.`;
  return new UserFacingError(
    'kubernetes.secretTerminating',
    `Secret ${ctx.namespace}/${secretName} in cluster ${ctx.cluster} ${what} ${SECRET_TERMINATING_WAY_ON}`,
  );
}

/** A 403 whose Status names the NamespaceLifecycle admission's `NamespaceTerminating` cause. */
function namespaceBeingDeleted(err: unknown): boolean {
  const body = statusBody((err as { body?: unknown }).body);
  const causes: unknown[] = Array.isArray(body?.details?.causes) ? body.details.causes : [];
  return causes.some((c) => (c as { reason?: unknown } | null)?.reason === 'NamespaceTerminating');
}

/**
 * Who refused a call, read from the fixed shapes the API server gives a refusal's Status message:
 * the authorizer (errors.NewForbidden around its forbiddenMessage), the ResourceQuota admission
 * (`exceeded quota: NAME, requested: …`), a ValidatingAdmissionPolicy, or an admission webhook
 * (webhookerrors.ToStatusErr: `admission webhook "NAME" denied the request…`). Only the names
 * are taken, and only when they are DNS-1123 subdomains, as Kubernetes requires of them: what
 * follows is free text (a webhook's own words) that may quote the secret sent.
 */
type Refusal =
  | { by: 'authorizer' | 'unknown' }
  | { by: 'quota'; name?: string }
  | { by: 'webhook'; name?: string }
  | { by: 'policy'; name?: string };

/** errors.NewForbidden's head: `secrets "x" is forbidden: `, or `secrets is forbidden: ` without a name. */
const FORBIDDEN_HEAD = String.raw`^[a-z0-9.-]+ (?:"(?:[^"\\]|\\.)*" )?is forbidden: `;
const AUTHORIZER = new RegExp(String.raw`${FORBIDDEN_HEAD}User "(?:[^"\\]|\\.)*" cannot [a-z]+ resource "`);
const QUOTA = new RegExp(String.raw`${FORBIDDEN_HEAD}exceeded quota: ([^,\s]+), requested: `);
const ADMISSION_POLICY = new RegExp(
  String.raw`${FORBIDDEN_HEAD}ValidatingAdmissionPolicy '([^']+)' with binding '[^']*' denied request`,
);
const WEBHOOK = /^admission webhook "([^"]+)" denied the request/;

/** A DNS-1123 subdomain: the shape of a ResourceQuota's, a webhook's and a policy's name. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Longest part of a message the shapes are looked for in (they all sit at its start). */
const SHAPE_SPAN = 2048;

/** See {@link Refusal}. */
function refusedBy(err: unknown): Refusal {
  const message = statusBody((err as { body?: unknown } | undefined)?.body)?.message;
  if (typeof message !== 'string') return { by: 'unknown' };
  const head = message.slice(0, SHAPE_SPAN);
  const named = (by: 'quota' | 'webhook' | 'policy', match: RegExpMatchArray): Refusal => {
    const name = match[1];
    return name !== undefined && name.length <= 253 && DNS_SUBDOMAIN.test(name) ? { by, name } : { by };
  };
  let match: RegExpMatchArray | null;
  if ((match = head.match(WEBHOOK))) return named('webhook', match);
  if (AUTHORIZER.test(head)) return { by: 'authorizer' };
  if ((match = head.match(QUOTA))) return named('quota', match);
  if ((match = head.match(ADMISSION_POLICY))) return named('policy', match);
  return { by: 'unknown' };
}

/** The part of a {@link Refusal} a log line keeps (names checked, as in the sentences). */
function refusalNote(refusal: Refusal): string | undefined {
  switch (refusal.by) {
    case 'authorizer':
      return "refused by the cluster's authorizer";
    case 'quota':
      return `refused by ResourceQuota ${refusal.name ?? '(name not of a valid shape)'}`;
    case 'webhook':
      return `refused by admission webhook ${refusal.name ?? '(name not of a valid shape)'}`;
    case 'policy':
      return `refused by ValidatingAdmissionPolicy ${refusal.name ?? '(name not of a valid shape)'}`;
    default:
      return undefined;
  }
}

/**
 * Kubernetes' `StatusReason` and `CauseType` values (k8s.io/apimachinery metav1): a reason is
 * kept only when it is one of these, so no free text can travel in it.
 */
const KNOWN_REASONS = new Set([
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Invalid',
  'ServerTimeout',
  'Timeout',
  'TooManyRequests',
  'BadRequest',
  'MethodNotAllowed',
  'NotAcceptable',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'InternalError',
  'Expired',
  'ServiceUnavailable',
  'FieldValueNotFound',
  'FieldValueRequired',
  'FieldValueDuplicate',
  'FieldValueInvalid',
  'FieldValueNotSupported',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
  'UnexpectedServerResponse',
  'FieldManagerConflict',
  'ResourceVersionTooLarge',
  'NamespaceTerminating',
]);

/**
 * Field paths of the secret acrbot writes: on a call on secrets a cause's field is kept only
 * when it is one of these (a data key in brackets could be anything a webhook chose to send).
 */
const SECRET_FIELDS = new Set([
  'data',
  'data[.dockerconfigjson]',
  'type',
  'metadata',
  'metadata.name',
  'metadata.namespace',
  'metadata.labels',
  'metadata.annotations',
  'metadata.resourceVersion',
]);

/** A field path (`spec.imagePullSecrets[0].name`), on calls that carry no secret. */
const FIELD_PATH =
  /^[A-Za-z][A-Za-z0-9]*(\[[A-Za-z0-9._/-]{1,63}\])*(\.[A-Za-z][A-Za-z0-9]*(\[[A-Za-z0-9._/-]{1,63}\])*)*$/;
/** A Node.js system error code (`ECONNREFUSED`) or error class name. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;
const ERROR_NAME = /^[A-Za-z]{1,40}$/;
const WITHHELD = 'message withheld (a call on secrets may quote them)';

/**
 * The part of a failed call that may be logged: HTTP status, the Kubernetes `Status` reason and
 * its causes' fields and reasons (from closed sets or of a fixed shape, so free text cannot slip
 * through them), a network error's code, and free text (the `Status` message, a network error's
 * message) only for calls that do not involve secrets. A call on secrets sends or returns the
 * docker config, and an admission webhook or a faulty server may quote it back in any text.
 */
function kubeFailureCause(err: unknown, ctx: KubeCallContext): KubeApiFailure {
  const status = kubeStatus(err);
  const what = `${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace} of cluster ${ctx.cluster}`;
  const secrets = onSecrets(ctx);
  const knownReason = (value: unknown) => (typeof value === 'string' && KNOWN_REASONS.has(value) ? value : undefined);
  const knownField = (value: unknown) => {
    if (typeof value !== 'string') return undefined;
    return (secrets ? SECRET_FIELDS.has(value) : FIELD_PATH.test(value)) ? value : undefined;
  };
  const parts: string[] = [];
  let message: string | undefined;
  if (status !== undefined) {
    const body = statusBody((err as { body?: unknown }).body);
    const reason = knownReason(body?.reason);
    parts.push(`Kubernetes answered ${status}${reason ? ` ${reason}` : ''} to ${what}`);
    const causes: unknown[] = Array.isArray(body?.details?.causes) ? body.details.causes : [];
    const kept = causes
      .slice(0, 5)
      .map((c) => {
        const field = knownField((c as { field?: unknown } | null)?.field);
        const why = knownReason((c as { reason?: unknown } | null)?.reason);
        return field || why ? `${field ?? '?'} ${why ?? '?'}` : undefined;
      })
      .filter((c): c is string => c !== undefined);
    if (kept.length) parts.push(`causes: ${kept.join(', ')}`);
    const refusal = status === 400 || status === 403 ? refusalNote(refusedBy(err)) : undefined;
    if (refusal) parts.push(refusal);
    message = typeof body?.message === 'string' ? oneLine(body.message) : undefined;
  } else {
    const code = (err as { code?: unknown } | undefined)?.code;
    const name = err instanceof Error && ERROR_NAME.test(err.name) ? err.name : 'Error';
    const systemCode = typeof code === 'string' && ERROR_CODE.test(code) ? ` ${code}` : '';
    parts.push(`${NO_KUBERNETES_ANSWER} to ${what}: ${name}${systemCode}`);
    message = err instanceof Error ? oneLine(err.message) : undefined;
  }
  if (message) parts.push(secrets ? WITHHELD : `message: ${message}`);
  return new KubeApiFailure(parts.join('; '));
}

interface StatusBody {
  reason?: unknown;
  message?: unknown;
  details?: { causes?: unknown };
}

/** client-node 1.x hands error bodies over as the raw response text; older code as an object. */
function statusBody(body: unknown): StatusBody | undefined {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined; // not a Status (an HTML error page, say): nothing in it is trusted
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : undefined;
}

/** Control characters out, length bounded: a server's text stays one readable log field. */
function oneLine(text: string): string | undefined {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat ? (flat.length > 300 ? `${flat.slice(0, 300)}…` : flat) : undefined;
}
