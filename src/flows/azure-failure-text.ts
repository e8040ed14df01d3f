/**
 * The parts of a run's failure sentence that name an Azure failure for the people reading the
 * card: ids the platform team looks the failure up by, and the sentence for a refusal on a
 * resource the request links to. Built from codes and ids only, never from ARM's own text, which
 * names scopes and principals the requester has no business seeing (the log line has it whole).
 */
import { REGISTRY_TOKEN_LIMITS } from '../domain/azure-model';
import { byHandDelete } from '../domain/by-hand-delete';
import { causesOf } from '../domain/error-causes';
import { CLUSTER_STOPPED, startClusterCommand } from '../domain/kube-no-answer';
import type { CloudApiError } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { passingFailure } from './outage-report-failure';
import { type LeftBehind, RevocationLeftError } from './revocation-left';

/**
 * What a failure from Microsoft Graph carries besides its request id (in `requestId`): the
 * Graph adapter's error sets `service` to `Microsoft Graph` (integrations/graph/graph-failure.ts),
 * with the rest of what Graph's support asks for. Read by shape: flows do not import integrations.
 */
export interface GraphLookupIds {
  service?: string;
  clientRequestId?: string;
  /** `innerError.date`, UTC. */
  date?: string;
}

/**
 * "Azure request id …", and ARM's correlation request id when the answer carried one (what the
 * Activity Log is searched by, and the same for every request of one operation); `unknown` when
 * no answer came. A failure from Microsoft Graph is named as Graph's: "Microsoft Graph request
 * id …", with its client request id (when it differs) and the time Graph gave.
 */
export function azureLookupIds(
  err: Pick<CloudApiError, 'requestId' | 'correlationRequestId'> & GraphLookupIds,
): string {
  if (err.service === 'Microsoft Graph') return graphLookupIds(err);
  const request = `Azure request id ${err.requestId ?? 'unknown'}`;
  return err.correlationRequestId
    ? `${request} (correlation id ${err.correlationRequestId} in the Activity Log)`
    : request;
}

/** "Microsoft Graph request id …" (see {@link azureLookupIds}). */
function graphLookupIds(err: Pick<CloudApiError, 'requestId'> & GraphLookupIds): string {
  const more = [
    err.clientRequestId && err.clientRequestId !== err.requestId && `client request id ${err.clientRequestId}`,
    err.date && `at ${err.date} UTC`,
  ].filter((part): part is string => Boolean(part));
  return `Microsoft Graph request id ${err.requestId ?? 'unknown'}${more.length ? ` (${more.join(', ')})` : ''}`;
}

/**
 * ARM's 403 `LinkedAuthorizationFailed`: acrbot's identity may do what it asked on the target,
 * but the request refers to another resource (a scope map, a role definition, an identity) on
 * which it lacks a permission. ARM's message names that scope; it is for the log, not the card.
 */
export function linkedAuthorizationSentence(
  err: CloudApiError,
  words: {
    /** What Azure refused: `the role assignment on registry x`. */
    refused: string;
    /** What that left, as a sentence (`Nothing was granted.`), if the caller does not say it. */
    outcome?: string;
    /** What to do once the permission is there: `approve a new request`. */
    retry: string;
  },
): string {
  return `Azure refused ${words.refused} (LinkedAuthorizationFailed): acrbot's identity may do that there, but the request also refers to another resource on which it lacks a permission.${words.outcome ? ` ${words.outcome}` : ''} acrbot's log names that resource and the permission; the platform team can find the entry with ${azureLookupIds(err)}, give acrbot's identity that permission, and then ${words.retry}.`;
}

/**
 * The start of a sentence about a re-read ARM answered 404 SubscriptionNotFound: it says nothing
 * of the resource itself, so the run or action cannot check what it was about to rely on. The
 * caller goes on with what that means for it (`, so acrbot cannot …`).
 */
export function subscriptionGoneClause(kind: 'cluster' | 'registry', name: string): string {
  return `Azure Resource Manager no longer finds the subscription of ${kind} ${name} (Azure answered SubscriptionNotFound: deleted, moved to another Microsoft Entra tenant, or acrbot's identity no longer known there)`;
}

/** An ARM error code as ARM writes them (`AuthorizationFailed`, `Microsoft.Foo.Bar`): nothing else reaches a sentence. */
const ARM_CODE = /^[A-Za-z][A-Za-z0-9_.]{0,79}$/;

/**
 * ` (Azure answered AuthorizationFailed)` for a refusal's code, or nothing when the error carries
 * none or one not shaped like ARM's (a proxy's or gateway's text): sentences people read hold no
 * text from the wire that acrbot has not checked.
 */
export function azureAnswered(code: unknown): string {
  return isArmCode(code) ? ` (Azure answered ${code})` : '';
}

/** An error's code as a sentence may quote it: as ARM wrote it, or `an unrecognised code`. */
export function armCode(code: unknown): string {
  return isArmCode(code) ? code : 'an unrecognised code';
}

function isArmCode(code: unknown): code is string {
  return typeof code === 'string' && ARM_CODE.test(code);
}

/**
 * `ARM answered 403 AuthorizationFailed` for a failure Azure Resource Manager answered: the first
 * error down `err`'s causes with an HTTP status (the SDK's RestError, a CloudApiError), with its
 * code when shaped like ARM's. Undefined when none has one (no answer came: a network failure, a
 * bug), which callers keep as the unexpected error it is. Never ARM's message, which may name
 * scopes and principals: an operator acts on the status and code, and the log has the rest.
 */
export function armAnswer(err: unknown): string | undefined {
  for (const e of causesOf(err)) {
    const { statusCode, code } = e as { statusCode?: unknown; code?: unknown };
    if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
      continue;
    return `ARM answered ${statusCode}${isArmCode(code) ? ` ${code}` : ''}`;
  }
  return undefined;
}

/**
 * The sentence for a token ACR answered as created but `disabled` (`status`): its passwords
 * would not sign in, so the run refuses before generating one. The usual cause is an Azure
 * Policy with a Modify effect (built-in "Configure container registries to disable repository
 * scoped access token"), which turns the request for an enabled token into a disabled one and
 * answers success. `resumed`: the token was an earlier attempt's, found disabled when the run
 * came back to it; acrbot does not re-enable a token someone may have disabled on purpose.
 */
export function disabledTokenSentence(registry: string, token: string, status: string, resumed: boolean): string {
  const shown = /^[A-Za-z]{1,20}$/.test(status) ? status : 'not enabled';
  const what = resumed
    ? `Token ${token}, which an earlier attempt of this request created on registry ${registry}, is now ${shown}: it was disabled outside acrbot (or an Azure Policy disables tokens there), and acrbot does not enable again a token someone disabled.`
    : `Registry ${registry} created acrbot's token ${token} ${shown}, so no password of it could sign in: most likely an Azure Policy on the registry disables new tokens (such as the built-in "Configure container registries to disable repository scoped access token").`;
  return `${what} Ask for --kind sp, which uses no token, or ask the platform team to exempt acrbot's tokens from that policy.`;
}

/** ARM codes of a refusal at a limit: the registry holds as many tokens or scope maps as its SKU allows. */
const QUOTA_CODE = /quota|limitexceeded|limitreached/i;

/** What a registry's request for a token is, for the words of its limits: see {@link registryQuotaSentence}. */
export interface QuotaRequest {
  /** The run is an extension's, which keeps its original's credential kind. */
  extension: boolean;
  /** The request is limited to repositories (`--repositories`), which `--kind sp` is not. */
  repositories: boolean;
}

/** ACR's limits in words: `(100 on Basic, 500 on Standard, 50,000 on Premium)`. */
const QUOTA_LIMITS = `(${Object.entries(REGISTRY_TOKEN_LIMITS)
  .map(([sku, limit]) => `${limit.toLocaleString('en-US')} on ${sku}`)
  .join(', ')})`;

/**
 * What to do at a registry's limit of tokens or scope maps, as a sentence (or two): the platform
 * team makes room or raises the SKU, and `--kind sp` is offered only where the requester can take
 * it: never to an extension (`extend` takes only --for, and makes its new token (and scope map)
 * before it deletes the old ones, so it needs room for one more), and to a request limited to
 * repositories as what it is, a credential that pulls every one. The run's refusal and the
 * plan's ({@link registryFullSentence}) say it alike.
 */
export function registryQuotaAdvice(request: QuotaRequest): string {
  const wayOn = request.extension
    ? request.repositories
      ? ' An extension makes its new token and scope map before it deletes the old ones, so the registry needs room for one more of each.'
      : ' An extension makes its new token before it deletes the old one, so the registry needs room for one more.'
    : request.repositories
      ? '; or ask again with --kind sp and without --repositories, which uses neither but pulls from every repository of the registry.'
      : '; or ask for --kind sp, which uses neither.';
  return `The platform team can delete tokens and scope maps nobody uses, or move the registry to a higher SKU${request.extension ? '.' : ''}${wayOn}`;
}

/**
 * The sentence for a create of a token or scope map ACR refused at the registry's limit of
 * them (each: 100 on Basic, 500 on Standard, 50,000 on Premium), or undefined for any other
 * failure. Worded from the code alone, as every Azure sentence here; what to do is
 * {@link registryQuotaAdvice}'s.
 */
export function registryQuotaSentence(
  err: Pick<CloudApiError, 'code' | 'statusCode' | 'requestId' | 'correlationRequestId'>,
  registry: string,
  what: 'token' | 'scope map',
  request: QuotaRequest,
): string | undefined {
  if (err.statusCode === undefined || err.statusCode < 400 || !QUOTA_CODE.test(String(err.code))) return undefined;
  return `Azure refused to create the ${what} on registry ${registry} (${armCode(err.code)}): the registry holds as many ${what === 'token' ? 'tokens' : 'scope maps'} as its SKU allows ${QUOTA_LIMITS}. ${registryQuotaAdvice(request)} They can look the refusal up with ${azureLookupIds(err)}.`;
}

/** One limit a registry is at or near: how many of `what` it holds, of the `limit` its SKU allows. */
export interface RegistryCount {
  what: 'token' | 'scope map';
  count: number;
  limit: number;
}

/** "92 of the 100 tokens and 95 of the 100 scope maps" (the counts formatted as ACR's limits are). */
function countsWords(counts: readonly RegistryCount[]): string {
  return counts
    .map((c) => `${c.count.toLocaleString('en-US')} of the ${c.limit.toLocaleString('en-US')} ${c.what}s`)
    .join(' and ');
}

/**
 * The plan-time refusal of a token credential on a registry that holds as many tokens (or scope
 * maps, `full`) as its SKU allows: the run's create would be refused (409 QuotaExceeded), so
 * nothing is stored and no approver is asked. Counted, not refused by Azure: no ids to look up.
 */
export function registryFullSentence(
  registry: string,
  sku: string,
  full: readonly RegistryCount[],
  request: QuotaRequest,
): string {
  const made = full.map((c) => c.what).join(' and ');
  return `Registry ${registry} holds ${countsWords(full)} its ${sku} SKU allows ${QUOTA_LIMITS}, so Azure would refuse the new ${made} this ${request.extension ? 'extension' : 'request'} needs. Nothing was requested. ${registryQuotaAdvice(request)}`;
}

/**
 * The plan card's note for a registry near its limits (`near`): the run still fits, but a few
 * more tokens made before it is approved and it would be refused. `at`: when it was counted.
 */
export function registryNearlyFullNote(
  registry: string,
  sku: string,
  near: readonly RegistryCount[],
  at: string,
): string {
  return `At ${at} registry ${registry} held ${countsWords(near)} its ${sku} SKU allows: once it is full, Azure refuses new ones and the run fails. The platform team can delete tokens and scope maps nobody uses, or move the registry to a higher SKU.`;
}

/** Where Azure explains its fixed limit of role assignments per subscription, and what to do at it. */
const RBAC_LIMITS_DOC = 'https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits';

/**
 * The sentence for ARM's `RoleAssignmentLimitExceeded` (callers match the code, whatever the
 * status; ARM answers 400): the subscription holds 4,000 role assignments, Azure's
 * limit per subscription (its resource groups and resources included), which is fixed and cannot
 * be raised; only removing assignments, or assigning roles to groups instead, makes room. So the
 * sentence says that, what to use meanwhile, and what to do once there is room.
 */
export function roleAssignmentLimitSentence(
  err: Pick<CloudApiError, 'code' | 'requestId' | 'correlationRequestId'>,
  words: {
    /** What was refused, as the sentence's start: `Azure refused the role assignment on registry x`. */
    refused: string;
    /** The registry whose subscription is full. */
    registry: string;
    /** What that left, as a sentence (`Nothing was granted.`), if the caller does not say it. */
    outcome?: string;
    /** What needs no role assignment, as a sentence. */
    meanwhile: string;
    /** What to do once there is room: `the requester can ask again`. */
    retry: string;
  },
): string {
  return `${words.refused} (RoleAssignmentLimitExceeded): the subscription of registry ${words.registry} holds 4,000 role assignments, Azure's fixed limit per subscription, which cannot be raised.${words.outcome ? ` ${words.outcome}` : ''} ${words.meanwhile} The platform team can remove role assignments nobody uses in that subscription, or assign roles to groups instead of to single identities (${RBAC_LIMITS_DOC}), and find the refusal with ${azureLookupIds(err)}; then ${words.retry}.`;
}

/**
 * "To end the access at once, delete by hand X (COMMAND)", naming what acrbot's records say it
 * made for `request` ({@link byHandDelete}); "delete it in Azure by hand" when there is no
 * request or no record to name. No leading space, no stop.
 */
function endAtOnce(request: Pick<AccessRequest, 'plan' | 'created' | 'outcome'> | undefined): string {
  const target = request && byHandDelete(request);
  return target
    ? `To end the access at once, delete by hand ${target.what} (${target.command})`
    : 'To end the access at once, delete it in Azure by hand';
}

/**
 * A refusal's advice: acrbot lacks a right (403), and deleting the access by hand ends it now.
 * The guide is named in words: a report is read in Teams, where a path in the repository is no
 * link, and acrbot has no setting for where its documentation is published.
 */
function refused403Advice(request: Pick<AccessRequest, 'plan' | 'created' | 'outcome'> | undefined): string {
  return ` Azure refused (403): acrbot lacks a right it needs there (see Troubleshooting in acrbot's deployment guide). ${endAtOnce(request)}: the next attempt finds it gone and finishes, once acrbot can read there (where the answer says it cannot tell a deleted resource from a refusal, give it back Reader on the resource group, under the name the template uses, as the deployment guide's "Reader on a resource group by hand" shows).`;
}

/**
 * A refusal by Microsoft Graph (403, `Authorization_RequestDenied`): acrbot's identity lacks the
 * Graph permission the deployment guide gives it for `--kind sp` credentials, or is no longer an
 * owner of the application (that permission reaches only what it owns). No Reader clause: that
 * is Azure's, and Graph's refusal is no read acrbot is missing.
 */
function graphRefusal(code: unknown): string {
  const answered = isGraphCode(code) ? ` (403 ${code})` : ' (403)';
  return ` Microsoft Graph refused${answered}: acrbot's identity lacks the Microsoft Graph permission Application.ReadWrite.OwnedBy, or is no longer an owner of the application (see Microsoft Graph application permissions in acrbot's deployment guide).`;
}

/** A Graph error code as Graph writes them (`Authorization_RequestDenied`). */
function isGraphCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,79}$/.test(code);
}

/** The 403 clause without the delete by hand, for a report whose access has ended already. */
const REFUSED_403 =
  " Azure refused (403): acrbot lacks a right it needs there (see Troubleshooting in acrbot's deployment guide).";

/**
 * The advice once what ends the access is gone and a step after it failed ({@link LeftBehind}):
 * the access has ended, so nothing is urgent; what is left grants nothing, and the retry deletes
 * it, or a person can by hand. `refusal`: why the step failed, when the answer does not say it.
 * Without `ended` (no usable record of the credential: none deleted), only that is said, and
 * deleting what is left by hand ends the access at once. What is left only while it is still
 * acrbot's ({@link LeftBehind.onlyIf}, a pull secret) is said so, for the retry and the hand.
 */
function leftAdvice(left: LeftBehind, refusal: string): string {
  // Gone by a name someone else may hold now: acrbot's retry deletes it only if it is still
  // acrbot's, and a person checks that first (G15), never deletes by the name alone. Short
  // sentences: the condition once, then the check, then the command.
  const byHand = left.onlyIf
    ? `first check that ${left.check}; then delete it (${left.command})`
    : `delete it by hand (${left.command})`;
  if (!left.ended) {
    const only = left.onlyIf ? `, but only if ${left.onlyIf}. To do so, ${byHand}` : ` (${left.command})`;
    return `${refusal} ${left.unconfirmed}. To end the access at once, delete by hand ${left.what}${only}. The next attempt finds it gone and finishes.`;
  }
  const grantsNothing = `${refusal} The access has ended already: ${left.ended}. What is left is ${left.what}, which grants nothing by itself`;
  if (!left.onlyIf)
    return `${grantsNothing}: acrbot deletes it at its next attempt, or ${byHand} and the next attempt finds it gone and finishes.`;
  return `${grantsNothing}. acrbot deletes it at its next attempt if ${left.onlyIf}; else it is someone else's and is left. To delete it now, ${byHand}. The next attempt finds it gone and finishes.`;
}

/** Whether `err` (down its causes, and each of several failures at once) is a stopped cluster's. */
function clusterStopped(err: unknown): boolean {
  for (const e of causesOf(err)) {
    if (e instanceof AggregateError) return e.errors.some(clusterStopped);
    if ((e as { code?: unknown }).code === CLUSTER_STOPPED) return true;
  }
  return false;
}

/**
 * The advice when the cluster step failed because the cluster is stopped: nothing in it can be
 * deleted, by acrbot or by hand (kubectl gets no answer either), until it is started; once it
 * runs, acrbot's next attempt finishes on its own. So that comes first, with the command that
 * starts it (`request`'s cluster), and what is left ({@link LeftBehind}) and its delete by hand
 * after, for once it runs. Without `left` (what ends the access not yet gone), deleting the
 * access by hand in Azure needs no cluster, and ends it now.
 */
function stoppedClusterAdvice(
  left: LeftBehind | undefined,
  request: Pick<AccessRequest, 'plan' | 'created' | 'outcome'> | undefined,
): string {
  const cluster = request?.plan.cluster;
  const start = cluster
    ? `Cluster ${cluster.name} must be started first (${startClusterCommand(cluster)})`
    : 'Its cluster must be started first (az aks start)';
  const first = ` ${start}: until then nothing in it can be deleted, by acrbot or by hand, and once it runs acrbot's next attempt finishes on its own.`;
  if (!left) return `${first}${byHandAdvice(request)}`;
  const byHand = left.onlyIf
    ? `first check that ${left.check}; then delete it (${left.command})`
    : `delete it (${left.command})`;
  if (!left.ended) {
    const only = left.onlyIf ? `, but only if ${left.onlyIf}. To do so, ${byHand}` : ` (${left.command})`;
    return `${first} ${left.unconfirmed}. To end the access at once after it is started, delete by hand ${left.what}${only}.`;
  }
  const then = left.onlyIf
    ? `: acrbot deletes it then if ${left.onlyIf}; else it is someone else's and is left`
    : ': acrbot deletes it then';
  return `${first} The access has ended already: ${left.ended}. What is left is ${left.what}, which grants nothing by itself${then}. To delete it by hand once the cluster runs, ${byHand}.`;
}

/** Any other failure that needs a person: deleting the access by hand ends it now. */
function byHandAdvice(request: Pick<AccessRequest, 'plan' | 'created' | 'outcome'> | undefined): string {
  return ` ${endAtOnce(request)}: the next attempt finds it gone and finishes.`;
}

/** Whether a passing failure's `answer` (`429 TooManyRequests`, `429`) is the service throttling calls. */
export function isThrottling(answer: string): boolean {
  return /^429\b/.test(answer);
}

/**
 * What a report of a revocation failing passingly (`answer`: `503 ServiceUnavailable`, `no
 * answer`; see outage-report-failure.ts) says: nobody can delete anything while the service does
 * not answer, and nothing needs to be, so it says acrbot retries and when a person is needed.
 * A 429 is the service throttling acrbot's calls, not an outage: said so, with where to look when
 * it lasts (the request limits, and what else calls the service). `expire`: the work is a
 * revocation (else a background task of a request).
 */
export function passingFailureAdvice(service: string, answer: string, expire: boolean): string {
  if (isThrottling(answer)) {
    const done = expire ? 'the access ends once' : 'the work is done once';
    const limits =
      service === 'Azure'
        ? "the subscription's Azure Resource Manager request limits"
        : `${service}'s request limits for acrbot's identity`;
    return ` ${service} answered ${answer}: it is throttling acrbot's calls (too many calls in a short time), a temporary failure, not a refusal. acrbot keeps retrying, slower each time, and ${done} ${service} takes its calls again; nothing is needed by hand unless it lasts for hours (then the platform team can check ${limits} and which other tools call it under the same identity or subscription).`;
  }
  const answered = answer === 'no answer' ? 'did not answer (a timeout or a dropped connection)' : `answered ${answer}`;
  const done = expire
    ? `the access ends as soon as ${service} answers`
    : `the work is done as soon as ${service} answers`;
  const outage = service === 'Azure' ? 'an Azure outage' : `a ${service} outage`;
  return ` ${service} ${answered}: a temporary failure (most likely ${outage}), not a refusal. acrbot keeps retrying, and ${done}; nothing is needed by hand unless it lasts for hours (then the platform team can check the service's status and acrbot's logs).`;
}

/**
 * What the approvers' report of a revocation that keeps failing with `err` says they can do
 * meanwhile (a sentence, leading space). Read down `err`'s causes, by code and status only:
 * - ARM's 409 `ScopeLocked`: a resource lock blocks every delete under it, one by hand too.
 * - `registry.moved` (a registry moved with acrbot's token): its own sentence says what to do.
 * - `cluster.stopped` (a pull secret's cluster stopped): it must be started first, and then acrbot
 *   finishes on its own; what is left, and how to delete it by hand, only once it runs.
 * - A passing failure (5xx, 408, 429, no answer): acrbot retries; nothing by hand unless it lasts
 *   (the service that does not answer would not take a delete by hand either).
 * - A failure after what ends the access was deleted ({@link RevocationLeftError}): the access
 *   has ended; what is left (a scope map, an application without rights, a pull secret without
 *   a credential) is named, with its command, not the credential acrbot deleted. A pull secret
 *   whose credential acrbot kept no usable record of: that none was deleted, and the secret.
 * - A 403 from Microsoft Graph: the Graph permission (or ownership) acrbot lacks.
 * - A 403: the right acrbot lacks, and deleting the access by hand ends it now.
 * - Anything else: deleting it by hand ends it now.
 * What to delete by hand, and the command, is named from `request`'s records (by-hand-delete.ts).
 */
export function revocationAdvice(err: unknown, request?: Pick<AccessRequest, 'plan' | 'created' | 'outcome'>): string {
  let status: number | undefined;
  let graph: { code: unknown } | undefined;
  let left: LeftBehind | undefined;
  for (const e of causesOf(err)) {
    const { code, statusCode, service } = e as { code?: unknown; statusCode?: unknown; service?: unknown };
    if (code === 'ScopeLocked')
      return " A resource lock on the registry, its resource group or its subscription blocks the delete (Azure answered ScopeLocked), and it blocks a delete by hand just the same: remove the lock, or ask its owner to (acrbot's log line for the job names the lock); the next attempt then deletes it and finishes.";
    if (code === 'registry.moved') return '';
    if (!left && e instanceof RevocationLeftError) left = e.left;
    if (status === undefined && typeof statusCode === 'number') {
      status = statusCode;
      if (statusCode === 403 && service === 'Microsoft Graph') graph = { code };
    }
  }
  // A stopped cluster: started, the retry finishes; kubectl gets no answer before (no kubectl first).
  if (clusterStopped(err)) return stoppedClusterAdvice(left, request);
  const passing = passingFailure(err);
  // Ended already: what the retry finishes is no longer the access.
  if (passing) return passingFailureAdvice(passing.service, passing.answer, !left?.ended);
  const refusal = status !== 403 ? '' : graph ? graphRefusal(graph.code) : REFUSED_403;
  if (left) return leftAdvice(left, refusal);
  if (graph) return `${refusal} ${endAtOnce(request)}: the next attempt finds it gone and finishes.`;
  return status === 403 ? refused403Advice(request) : byHandAdvice(request);
}
