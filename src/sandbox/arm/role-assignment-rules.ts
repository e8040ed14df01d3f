/**
 * A test switch on ARM's limit of role assignments per subscription. Azure's is 4,000, counting
 * assignments at the subscription, its resource groups and its resources (not at management
 * groups), fixed and not raisable; past it every create answers `RoleAssignmentLimitExceeded`
 * with "No more role assignments can be created." (learn.microsoft.com, "Troubleshoot Azure
 * RBAC limits"). Set per subscription, as a test's small number, so the refusal comes from the
 * emulator's own count rather than a fault injection. None is set by default.
 */
import { HttpError } from '../http-util';
import { idKey } from './arm-ids';
import type { ArmState } from './state';

/** What {@link setRoleAssignmentRules} may set on one subscription. */
export interface RoleAssignmentRules {
  /** At most this many role assignments in the subscription; a create beyond it is refused. */
  maxRoleAssignments?: number;
}

// Kept beside the state rather than in it: a switch for tests, not part of what ARM stores.
const RULES = new WeakMap<ArmState, Map<string, RoleAssignmentRules>>();

/** Sets (replaces) the rules of subscription `subscriptionId` in `state`; `{}` clears them. */
export function setRoleAssignmentRules(state: ArmState, subscriptionId: string, rules: RoleAssignmentRules): void {
  let bySubscription = RULES.get(state);
  if (!bySubscription) RULES.set(state, (bySubscription = new Map()));
  bySubscription.set(subscriptionId.toLowerCase(), { ...rules });
}

/**
 * Throws ARM's refusal when creating one more role assignment at `scope` would pass its
 * subscription's limit. A scope outside any subscription (a management group, the root) is not
 * counted, as in Azure.
 */
export function assertBelowRoleAssignmentLimit(state: ArmState, scope: string): void {
  const match = /^\/subscriptions\/([^/]+)/.exec(idKey(scope));
  if (!match) return;
  const limit = RULES.get(state)?.get(match[1]!)?.maxRoleAssignments;
  if (limit === undefined) return;
  // Counted only when a limit is set: the benchmarks create thousands without one.
  const prefix = `/subscriptions/${match[1]}`;
  const count = state.roleAssignments.values().filter((ra) => {
    const key = idKey(ra.scope);
    return key === prefix || key.startsWith(`${prefix}/`);
  }).length;
  if (count < limit) return;
  throw new HttpError(400, 'RoleAssignmentLimitExceeded', 'No more role assignments can be created.');
}
