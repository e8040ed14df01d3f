/** Built-in Azure role definition ids acrbot uses (PRODUCT.md, "Facts"). */
export const ROLE_IDS = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  acrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  repositoryReader: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
} as const;

/** How a registry authorises pulls. */
export type RoleAssignmentMode = 'LegacyRegistryPermissions' | 'AbacRepositoryPermissions';

/** The role acrbot assigns, with its display name. */
export interface PullRole {
  id: string;
  name: string;
}

/**
 * AcrPull on classic registries; Container Registry Repository Reader on ABAC-mode
 * registries, where AcrPull is not honoured.
 */
export function pullRoleFor(mode: RoleAssignmentMode): PullRole {
  return mode === 'AbacRepositoryPermissions'
    ? { id: ROLE_IDS.repositoryReader, name: 'Container Registry Repository Reader' }
    : { id: ROLE_IDS.acrPull, name: 'AcrPull' };
}

/**
 * Roles that already let a principal pull in the given mode. An existing assignment of any
 * of these at or above the registry means there is nothing to do.
 */
export function rolesThatGrantPull(mode: RoleAssignmentMode): string[] {
  return mode === 'AbacRepositoryPermissions' ? [ROLE_IDS.repositoryReader] : [ROLE_IDS.acrPull, ROLE_IDS.acrPush];
}
