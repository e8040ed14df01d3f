/**
 * What the caller (the bot's identity) may do, per scope. At and below a registry or cluster the
 * emulator holds or held, its rights are its role assignments ({@link CallerAssignment},
 * caller-rights.ts: seeded as the Bicep deploys them, dropped with the resource, so a deleted one
 * answers as in Azure); elsewhere it may do everything (`actions: ['*']`): at subscription and
 * resource group scope (listings, role assignments made there), and under names the emulator never
 * served, which answer their 404 as before. Azure would refuse those too where the caller has no
 * right above them (ARM authorizes before it looks a scope up); what acrbot makes of that for a
 * name that never existed is not modelled here. Tests take rights away with
 * {@link AccessControl.denyAction}. Denials inherit downwards like real RBAC: a denial on a
 * resource group applies to every registry in it.
 *
 * Both the `Microsoft.Authorization/permissions` answer and the enforcement on every route read
 * this one table, so "the plan said we may write" and "the write succeeded" cannot disagree.
 */
import { idKey, isAtOrAbove, normalizeScope } from './arm-ids';
import {
  assignmentCovers,
  type CallerAssignment,
  type CallerRole,
  governingResource,
  sameAssignment,
} from './caller-rights';

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
  private assignments: CallerAssignment[] = [];
  /** Registries and clusters (lower-case ids) whose scopes the caller's assignments govern; kept after a deletion. */
  private readonly governed = new Set<string>();

  /**
   * Makes the caller's rights at and below `resourceId` (a registry or cluster) come from its
   * assignments only, for good: a deleted resource is refused what they no longer allow.
   */
  govern(resourceId: string): void {
    this.governed.add(idKey(resourceId));
  }

  private isGoverned(scope: string): boolean {
    const resource = governingResource(scope);
    return resource !== undefined && this.governed.has(resource);
  }

  /** Gives the caller `role` at `scope` (once: the same scope and role again changes nothing). */
  assign(scope: string, role: CallerRole): void {
    const a = { roleName: role.roleName, permissions: role.permissions, scope: normalizeScope(scope) };
    if (!this.assignments.some((b) => sameAssignment(b, a))) this.assignments.push(a);
  }

  /**
   * Removes the caller's assignments at exactly `scope` (of role `roleName` only, when given), as
   * when an operator removes acrbot's role assignment there. Returns how many went.
   */
  unassign(scope: string, roleName?: string): number {
    const key = normalizeScope(scope).toLowerCase();
    const before = this.assignments.length;
    this.assignments = this.assignments.filter(
      (a) =>
        !(
          a.scope.toLowerCase() === key &&
          (roleName === undefined || a.roleName.toLowerCase() === roleName.toLowerCase())
        ),
    );
    return before - this.assignments.length;
  }

  /** Drops every assignment at or below `resourceId`: ARM deletes them with the resource. */
  dropWithResource(resourceId: string): void {
    this.assignments = this.assignments.filter((a) => !isAtOrAbove(resourceId, a.scope));
  }

  /** The caller's assignments, in the order they were made. */
  listAssignments(): readonly CallerAssignment[] {
    return this.assignments;
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
   * True when `action` is denied at `scope`: by a denial at or above it, or, at or below a
   * registry or cluster it governs, because no assignment of the caller at or above `scope` carries it.
   */
  isDenied(scope: string, action: string): boolean {
    if (this.denials.some((d) => this.applies(d, scope) && actionMatches(d.action, action))) return true;
    return this.isGoverned(scope) && !this.assignments.some((a) => assignmentCovers(a, scope, action, actionMatches));
  }

  /**
   * The caller's effective permissions at `scope`, as `Microsoft.Authorization/permissions`
   * returns them: one entry per role of an assignment at or above a governed registry or cluster
   * scope (none when it has none there), `*` elsewhere; denials that apply are added to `notActions`.
   */
  permissionsAt(scope: string): PermissionEntry[] {
    const denied = [...new Set(this.denials.filter((d) => this.applies(d, scope)).map((d) => d.action))];
    if (!this.isGoverned(scope)) return [{ actions: ['*'], notActions: denied, dataActions: [], notDataActions: [] }];
    return this.assignments
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
