/**
 * What the caller (the bot's identity) may do, per scope. By default it may do everything
 * (`actions: ['*']`); tests take rights away with {@link AccessControl.denyAction}. Denials
 * inherit downwards like real RBAC: a denial on a resource group applies to every registry in it.
 *
 * Both the `Microsoft.Authorization/permissions` answer and the enforcement on every route read
 * this one table, so "the plan said we may write" and "the write succeeded" cannot disagree.
 */
import { isAtOrAbove, normalizeScope } from './arm-ids';

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

  /** Removes every denial. */
  clear(): void {
    this.denials = [];
  }

  /** True when `action` is denied at `scope` (by a denial at or above it). */
  isDenied(scope: string, action: string): boolean {
    return this.denials.some((d) => this.applies(d, scope) && actionMatches(d.action, action));
  }

  /** The caller's effective permissions at `scope`, as `Microsoft.Authorization/permissions` returns them. */
  permissionsAt(scope: string): PermissionEntry {
    const notActions = [...new Set(this.denials.filter((d) => this.applies(d, scope)).map((d) => d.action))];
    return { actions: ['*'], notActions, dataActions: [], notDataActions: [] };
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
