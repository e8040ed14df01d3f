/**
 * Whether a role definition lets its holder pull images, decided from the definition's
 * permissions (never from its name), and honouring the registry's role assignment mode:
 *
 * - "RBAC Registry Permissions" (`LegacyRegistryPermissions`): pull is the control-plane style
 *   action `Microsoft.ContainerRegistry/registries/pull/read` (AcrPull, AcrPush, Contributor
 *   `*`, Owner `*`, custom roles naming it or a wildcard over it).
 * - "RBAC Registry + ABAC Repository Permissions" (`AbacRepositoryPermissions`): AcrPull/AcrPush
 *   and the `*` of Owner/Contributor are not honoured (CONTRACTS §2.1); pull is the data action
 *   `Microsoft.ContainerRegistry/registries/repositories/content/read` (Container Registry
 *   Repository Reader/Writer/Contributor, custom roles with that data action).
 *
 * A pattern that starts with `*\/` (Reader's `*\/read`) is not counted: ACR's role table lists pull
 * only for Owner, Contributor, AcrPush and AcrPull, never for Reader (docs/access-inventory.md).
 */
import type { RoleDefinitionInfo, RolePermissions } from './azure-model';
import type { RoleAssignmentMode } from './roles';

/** The action that carries pull on classic registries. */
export const PULL_ACTION = 'Microsoft.ContainerRegistry/registries/pull/read';

/** The data action that carries pull on ABAC-mode registries. */
export const REPOSITORY_READ_DATA_ACTION = 'Microsoft.ContainerRegistry/registries/repositories/content/read';

/**
 * RBAC pattern match: `*` matches any run of characters, case-insensitively. The sandbox's ARM
 * emulator has its own copy (`actionMatches`): it never imports the bot's code.
 */
export function rbacPatternMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(action);
}

function grants(allowed: string[], denied: string[], action: string): boolean {
  const counts = (p: string) => !p.startsWith('*/') && rbacPatternMatches(p, action);
  return allowed.some(counts) && !denied.some((p) => rbacPatternMatches(p, action));
}

function blockCarries(block: RolePermissions, mode: RoleAssignmentMode): boolean {
  return mode === 'AbacRepositoryPermissions'
    ? grants(block.dataActions, block.notDataActions, REPOSITORY_READ_DATA_ACTION)
    : grants(block.actions, block.notActions, PULL_ACTION);
}

/** True when holding `role` lets a principal pull from a registry in `mode`. */
export function roleCarriesPull(role: RoleDefinitionInfo, mode: RoleAssignmentMode): boolean {
  return role.permissions.some((block) => blockCarries(block, mode));
}

/** True when the role carries pull in at least one of the two modes (worth listing at all). */
export function roleCarriesPullInAnyMode(role: RoleDefinitionInfo): boolean {
  return roleCarriesPull(role, 'LegacyRegistryPermissions') || roleCarriesPull(role, 'AbacRepositoryPermissions');
}
