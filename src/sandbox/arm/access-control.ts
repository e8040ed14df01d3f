/**
 * What the caller (the bot's identity) may do, per scope. At and below any registry or cluster
 * scope, one the emulator holds, held or never served, its rights are its role assignments
 * ({@link CallerAssignment}, caller-rights.ts: seeded as the Bicep deploys them, dropped with the
 * resource): ARM authorizes on the scope before it looks the resource up, so a name the caller may
 * not read there answers 403 `AuthorizationFailed` whether or not it exists, and 404 only where an
 * assignment at or above it (Reader on its resource group, or a subscription role) lets it read.
 * So does a registry or cluster listing in a resource group: 403 unless the caller holds a role
 * there or on something in it (ARM then lists what the caller may read, read-routes.ts). A
 * missing resource group thus answers 404 `ResourceGroupNotFound` only to a caller with rights on
 * the subscription. At a resource group itself (role assignments and permissions there) its
 * rights are likewise its assignments at the subscription and the group: 403 for an action none
 * of them carries. Elsewhere it may do everything (`actions: ['*']`): at subscription scope
 * (subscription-wide listings answer, with only what the caller may read at each item's scope),
 * except a registry name check (`checkNameAvailability`), which the Bicep grants nowhere: 403
 * unless the caller holds a role on the subscription that carries it.
 * Tests take rights away with {@link AccessControl.denyAction}. Denials inherit downwards like
 * real RBAC: a denial on a resource group applies to every registry in it.
 *
 * Both the `Microsoft.Authorization/permissions` answer and the enforcement on every route read
 * this one table, so "the plan said we may write" and "the write succeeded" cannot disagree.
 */
import { isAtOrAbove, normalizeScope } from './arm-ids';
import {
  type CallerAssignment,
  CallerAssignments,
  type CallerRole,
  governingResource,
  resourceCollectionGroup,
  resourceGroupScope,
} from './caller-rights';

/**
 * Actions ARM authorizes at subscription scope that acrbot's deployment does not grant, refused
 * unless the caller holds a role on the subscription that carries them (a Reader there does):
 * `checkNameAvailability` of a registry name.
 */
const SUBSCRIPTION_ONLY_ACTIONS = ['Microsoft.ContainerRegistry/checkNameAvailability/read'];

/** One entry of a `permissions` answer. */
export interface PermissionEntry {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

interface Denial {
  scope: string;
  action: string;
  /** Only at `scope` itself: the caller holds its rights on the resources below (granted there). */
  only?: boolean;
}

/** The caller's rights table. */
export class AccessControl {
  private denials: Denial[] = [];
  /** Changed only through its own methods: its index by scope is dropped with each change. */
  private readonly assignments = new CallerAssignments();

  /** Gives the caller `role` at `scope` (once: the same scope and role again changes nothing). */
  assign(scope: string, role: CallerRole): void {
    this.assignments.add({ roleName: role.roleName, permissions: role.permissions, scope: normalizeScope(scope) });
  }

  /**
   * Removes the caller's assignments at exactly `scope` (of role `roleName` only, when given), as
   * when an operator removes acrbot's role assignment there. Returns how many went.
   */
  unassign(scope: string, roleName?: string): number {
    const key = normalizeScope(scope).toLowerCase();
    return this.assignments.removeWhere(
      (a) =>
        a.scope.toLowerCase() === key &&
        (roleName === undefined || a.roleName.toLowerCase() === roleName.toLowerCase()),
    );
  }

  /** Drops every assignment at or below `resourceId`: ARM deletes them with the resource. */
  dropWithResource(resourceId: string): void {
    this.assignments.removeWhere((a) => isAtOrAbove(resourceId, a.scope));
  }

  /** The caller's assignments, in the order they were made. */
  listAssignments(): readonly CallerAssignment[] {
    return this.assignments.all();
  }

  /**
   * Takes `action` away from the caller at `scope` and below. `action` may use `*` wildcards
   * (`Microsoft.Authorization/*`), matched case-insensitively like RBAC actions.
   */
  denyAction(scope: string, action: string): void {
    this.denials.push({ scope: normalizeScope(scope), action });
  }

  /**
   * Takes `action` away at `scope` itself only, as when the caller's roles are assigned on the
   * resources below it and none on `scope`: acrbot's deployment, with Reader on each registry and
   * nothing at subscription scope (docs/deploy.md).
   */
  denyActionOnlyAt(scope: string, action: string): void {
    this.denials.push({ scope: normalizeScope(scope), action, only: true });
  }

  /** Gives back a right taken with {@link denyAction} (same scope and action text, any case). */
  allowAction(scope: string, action: string): void {
    const key = normalizeScope(scope).toLowerCase();
    this.denials = this.denials.filter(
      (d) => !(d.scope.toLowerCase() === key && d.action.toLowerCase() === action.toLowerCase()),
    );
  }

  /** Removes every denial (the caller's assignments stay). */
  clear(): void {
    this.denials = [];
  }

  /**
   * True when `action` is denied at `scope`: by a denial at or above it; at or below a registry
   * or cluster scope, or at a resource group itself, because no assignment of the caller at or above `scope` carries it; for a
   * registry or cluster listing in a resource group, because none there carries it and the caller
   * holds no role at or below the group either.
   */
  isDenied(scope: string, action: string): boolean {
    if (this.denials.some((d) => this.applies(d, scope) && actionMatches(d.action, action))) return true;
    if (governingResource(scope) !== undefined || resourceGroupScope(scope) !== undefined)
      return !this.carries(scope, action);
    // A subscription-scope action the deployment grants nowhere (registry-access.bicep assigns on
    // resource groups and resources): only a role of the caller on the subscription carries it.
    if (SUBSCRIPTION_ONLY_ACTIONS.some((a) => actionMatches(a, action))) return !this.carries(scope, action);
    const group = resourceCollectionGroup(scope);
    if (group === undefined) return false;
    return !this.carries(scope, action) && !this.assignments.all().some((a) => isAtOrAbove(group, a.scope));
  }

  /** Whether an assignment of the caller at or above `scope` carries `action`. */
  private carries(scope: string, action: string): boolean {
    return this.assignments.anyCovers(scope, action, actionMatches);
  }

  /**
   * The caller's effective permissions at `scope`, as `Microsoft.Authorization/permissions`
   * returns them: one entry per role of an assignment at or above a registry, cluster or
   * resource group scope (none when it has none there), `*` elsewhere; denials that apply are added to `notActions`.
   */
  permissionsAt(scope: string): PermissionEntry[] {
    const denied = [...new Set(this.denials.filter((d) => this.applies(d, scope)).map((d) => d.action))];
    if (governingResource(scope) === undefined && resourceGroupScope(scope) === undefined) {
      const withheld = SUBSCRIPTION_ONLY_ACTIONS.filter((a) => !this.carries(scope, a));
      return [{ actions: ['*'], notActions: [...denied, ...withheld], dataActions: [], notDataActions: [] }];
    }
    return this.assignments
      .all()
      .filter((a) => isAtOrAbove(a.scope, scope))
      .flatMap((a) =>
        a.permissions.map((p) => ({
          actions: [...p.actions],
          notActions: [...new Set([...p.notActions, ...denied])],
          dataActions: [...p.dataActions],
          notDataActions: [...p.notDataActions],
        })),
      );
  }

  private applies(d: Denial, scope: string): boolean {
    if (!d.only) return isAtOrAbove(d.scope, scope);
    // The scope an operation applies to: a path under `{scope}/providers/Microsoft.Authorization/`
    // (role assignments, permissions) is about `{scope}` itself.
    const target = normalizeScope(scope).replace(/\/providers\/Microsoft\.Authorization\/.*$/i, '');
    return d.scope.toLowerCase() === target.toLowerCase();
  }
}

/**
 * RBAC-style action match: `*` matches any run of characters, case-insensitive. The same rule as
 * the bot's `rbacPatternMatches` (src/domain/pull-permission.ts), kept apart on purpose: the
 * emulators never import the bot's code, so a bug in one cannot hide in the other.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(action);
}
