/**
 * What a 403 on a registry's or cluster's scope means. acrbot's rights are role assignments on
 * the resource itself (infra/modules/*-access.bicep), which ARM deletes with it, and ARM checks
 * authorization before existence: on a deleted registry, a token delete, a role assignment
 * delete or (without a parent's Reader) a listing answers 403 AuthorizationFailed, not 404. Taken
 * as a refusal, a revocation or clean-up would fail for ever. So the resource itself is read:
 *
 * - 404 (ResourceNotFound, ResourceGroupNotFound): it is gone, and so is what acrbot put there;
 *   a {@link ResourceGoneError}, the same as a 404 on the call itself;
 * - an answer: the resource is there and the refusal is real; the caller keeps its own error;
 * - 403 again: acrbot cannot tell a deleted resource from rights taken away; a
 *   {@link RefusedOrGoneError} that names both and what to check, and claims nothing removed;
 * - anything else (a hiccup, SubscriptionNotFound): the refusal stands, to be retried.
 *
 * The Reader the Bicep gives on the resource group is what makes the read answer 404.
 */
import { isResourceGone, ResourceGoneError, UserFacingError } from '../../domain/errors';
import { parseResourceId } from '../../domain/resource-id';
import { errorCorrelationRequestId, errorRequestId, restErrorInfo } from './arm-connection';

/** A registry or cluster whose scope a call was refused on. */
export interface ScopeResource {
  kind: 'registry' | 'cluster';
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** Reads the resource itself: resolves when ARM answers it, rejects with ARM's error as it came (a 404 too). */
export type ResourceRead = (resource: ScopeResource) => Promise<unknown>;

/** The registry or cluster an ARM id (or a scope below one) names, or undefined for any other scope. */
export function scopeResourceOf(scope: string): ScopeResource | undefined {
  const top = /^\/*(subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+)/i.exec(scope)?.[1];
  const id = top && parseResourceId(`/${top}`);
  if (!id) return undefined;
  const type = `${id.provider}/${id.type}`.toLowerCase();
  const kind =
    type === 'microsoft.containerregistry/registries'
      ? 'registry'
      : type === 'microsoft.containerservice/managedclusters'
        ? 'cluster'
        : undefined;
  return kind && { kind, subscriptionId: id.subscriptionId, resourceGroup: id.resourceGroup, name: id.name };
}

/**
 * True for ARM's 403 AuthorizationFailed (not LinkedAuthorizationFailed: that one is about another
 * resource). Narrower than the refusal of domain/azure-answer-class.ts (any 4xx but 408 and 429)
 * on purpose: it asks "could this refusal be a deleted resource?", which only this answer can be
 * (a 404 says gone by itself; a 409 or another 403 code is about the call).
 */
function isRefusal(err: unknown): boolean {
  const { statusCode, code } = restErrorInfo(err);
  return statusCode === 403 && code === 'AuthorizationFailed';
}

/** The ids an ARM failure can be looked up by: from a CloudApiError's fields, else from the answer. */
function lookupIds(err: unknown): { requestId?: string; correlationRequestId?: string } {
  const e = err as { requestId?: unknown; correlationRequestId?: unknown } | null;
  return {
    requestId: typeof e?.requestId === 'string' ? e.requestId : errorRequestId(err),
    correlationRequestId:
      typeof e?.correlationRequestId === 'string' ? e.correlationRequestId : errorCorrelationRequestId(err),
  };
}

/**
 * Azure refused acrbot on a registry or cluster and refused reading the resource too: deleted, or
 * acrbot's rights on it and its resource group removed, and nothing tells which. Carries the
 * refused call's request and correlation ids (in the message too: a job report shows only the
 * message) and the first refusal as `cause`.
 */
export class RefusedOrGoneError extends UserFacingError {
  readonly requestId?: string;
  readonly correlationRequestId?: string;

  constructor(resource: ScopeResource, what: string, refusal: unknown, readRefusal: unknown) {
    const { requestId, correlationRequestId } = lookupIds(refusal);
    const readId = lookupIds(readRefusal).requestId;
    const subject = `${resource.kind} ${resource.name}`;
    const group = `resource group ${resource.resourceGroup}`;
    const ids = `Azure request id ${requestId ?? 'unknown'}${correlationRequestId ? ` (correlation id ${correlationRequestId} in the Activity Log)` : ''}${readId ? `, and ${readId} for the read of the ${resource.kind}` : ''}`;
    super(
      `${resource.kind}.refusedOrGone`,
      `Azure refused ${what} (403 AuthorizationFailed), and refused reading ${subject} itself too, so acrbot cannot tell whether the ${resource.kind} was deleted or acrbot's rights on it and on its ${group} were removed; it counts nothing there as removed. Check whether ${subject} still exists in ${group} (subscription ${resource.subscriptionId}): if it does, give acrbot's identity its rights on it again (docs/deploy.md); if it was deleted, acrbot sees that once its Reader on ${group} is back (docs/deploy.md, Troubleshooting: how to give it without breaking the next deployment, and what to do if the resource group was deleted too). ${ids}.`,
      { cause: refusal },
    );
    this.name = 'RefusedOrGoneError';
    this.requestId = requestId;
    this.correlationRequestId = correlationRequestId;
  }
}

/**
 * After `err` on `resource`'s scope: a {@link ResourceGoneError} when `err` is a 403
 * AuthorizationFailed and reading the resource answers 404 (the caller then does what it does for
 * a 404); undefined when `err` is no such refusal or the resource answered (the caller keeps its
 * error). Throws {@link RefusedOrGoneError} when the read is refused too. `what` names the
 * refused call for that message: `the listing of role assignments on registry x`.
 */
export async function goneBehindRefusal(
  err: unknown,
  resource: ScopeResource,
  read: ResourceRead,
  what: string,
): Promise<ResourceGoneError | undefined> {
  if (!isRefusal(err)) return undefined;
  try {
    await read(resource);
    return undefined;
  } catch (readErr) {
    const answer = restErrorInfo(readErr);
    if (isResourceGone(answer))
      return new ResourceGoneError(resource.kind, `${resource.kind} ${resource.name}`, answer.code!, readErr);
    if (answer.statusCode === 403) throw new RefusedOrGoneError(resource, what, err, readErr);
    return undefined;
  }
}
