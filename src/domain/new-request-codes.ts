/**
 * The codes of a failed run whose own text sends the requester to a new request, because what
 * was approved can no longer be carried out as planned: the access an extension would extend no
 * longer holds (ended, revoked, being revoked, drifted), or the plan no longer fits Azure (the
 * cluster pulls with another identity, the registry changed its permission mode or is being
 * deleted, or acrbot can no longer read them to check). The runners throw with these constants,
 * and the failed card ends with a new request's command for exactly these (request-view.ts), so
 * an extension's card never sends its requester back to `extend` when its error says to make a
 * new request: one list, not two kept by hand. Pure.
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

/** acrbot may no longer read the planned cluster or registry, or its subscription is gone (the runners' re-checks). */
export function recheckUnreadable(kind: 'cluster' | 'registry'): string {
  return `recheck.${kind}Unreadable`;
}

/** Every code above, and the drifted extension's refusal (drifted-access.ts). */
export const NEW_REQUEST_CODES: ReadonlySet<string> = new Set([
  EXTEND_NOT_ACTIVE,
  EXTEND_DRIFTED,
  RECHECK_REGISTRY_CHANGED,
  RECHECK_IDENTITY_CHANGED,
  RECHECK_REGISTRY_DELETING,
  recheckUnreadable('cluster'),
  recheckUnreadable('registry'),
]);
