/**
 * The codes of a failed run whose own text sends the requester to a new request, because what
 * was approved can no longer be carried out as planned: the access an extension would extend no
 * longer holds (ended, revoked, being revoked, drifted), or the plan no longer fits Azure (the
 * cluster pulls with another identity, the registry changed its permission mode or is being
 * deleted). The runners throw with these constants, and the failed card ends with a new
 * request's command for exactly these (request-view.ts), so an extension's card never sends its
 * requester back to `extend` when its error says to make a new request: one list, not two kept
 * by hand. Not on it: acrbot no longer able to read the cluster or registry (its Reader removed,
 * its subscription not found): the plan may still hold, and once acrbot reads it again `extend`
 * works as before, so the card asks again with `extend`. Nor a pull secret's extension refused
 * over a secret that is not acrbot's (`kubernetes.foreignSecret`) or a namespace that does not
 * exist (`kubernetes.notFound`): its error offers `extend` again once the secret is removed or the
 * namespace made again, or a new secret under another name or namespace, with that command
 * (secret-extension-way-on.ts); a new request's command here would name the same secret, refused
 * the same way, so the card closes with `extend`. Apart from it: the cluster or registry
 * no longer at its recorded id (a cluster deleted; a registry deleted or moved), where neither
 * `extend` nor a new request can work there ({@link GONE_CODES});
 * and its subscription no longer served, where nothing can while it is not
 * ({@link RECHECK_SUBSCRIPTION_UNSERVED}).
 * Pure.
 */
import { EXTEND_DRIFTED } from './drifted-access';

/** An extension's original no longer holds its access (access-lease.ts, AccessActions.mayExtend). */
export const EXTEND_NOT_ACTIVE = 'extend.notActive';

/** The registry switched its role assignment mode since the plan (grant-runner.ts, GrantRunner.recheck). */
export const RECHECK_REGISTRY_CHANGED = 'recheck.registryChanged';

/** The cluster pulls with another identity than the plan's (grant-runner.ts, GrantRunner.recheck). */
export const RECHECK_IDENTITY_CHANGED = 'recheck.identityChanged';

/** The registry is being deleted since the plan (grant-planner.ts, registryDeletingRefusal). */
export const RECHECK_REGISTRY_DELETING = 'recheck.registryDeleting';

/**
 * The planned cluster or registry is in a subscription taken out of ACRBOT_SUBSCRIPTION_IDS
 * since the plan (served-subscriptions.ts; the grant and secret runs' re-checks). Asking again
 * cannot work while it is: the resolver refuses names and ids there, and `extend` is refused
 * (`extend.subscriptionUnserved`). Neither a new-request code nor a gone one: nothing changed
 * in Azure, so once the subscription is served again asking again works as before.
 */
export const RECHECK_SUBSCRIPTION_UNSERVED = 'recheck.subscriptionUnserved';

/**
 * acrbot may no longer read the planned cluster or registry, or its subscription is gone (the
 * runners' re-checks). Not a new-request code: asked again once acrbot reads it again.
 */
export function recheckUnreadable(kind: 'cluster' | 'registry'): string {
  return `recheck.${kind}Unreadable`;
}

/** The planned cluster or registry no longer exists (grant-runner.ts, GrantRunner.recheck). */
export function recheckGone(kind: 'cluster' | 'registry'): string {
  return `recheck.${kind}Gone`;
}

/** The codes of a new request's way on: the access to extend is gone, or the plan no longer fits Azure. */
export const NEW_REQUEST_CODES: ReadonlySet<string> = new Set([
  EXTEND_NOT_ACTIVE,
  EXTEND_DRIFTED,
  RECHECK_REGISTRY_CHANGED,
  RECHECK_IDENTITY_CHANGED,
  RECHECK_REGISTRY_DELETING,
]);

/**
 * The planned cluster or registry is no longer at its recorded id (not-at-recorded-id.ts): a
 * cluster deleted (AKS clusters are not moved), a registry deleted or moved to another resource
 * group or subscription. Asking again, `extend` or the same plan alike, cannot work there
 * (`extend` is refused, `extend.resourceGone`); only a new request, planned where a moved
 * registry is now once acrbot has Reader there, or on one of that name made again.
 */
export const GONE_CODES: ReadonlySet<string> = new Set([recheckGone('cluster'), recheckGone('registry')]);
