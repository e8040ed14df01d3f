/**
 * Built-in Azure role definitions the emulator knows. A role assignment naming any other role
 * definition fails with `RoleDefinitionDoesNotExist`, which catches typos in role ids early.
 */

/** Built-in role definition ids (the trailing GUID of `roleDefinitionId`). */
export const BUILT_IN_ROLES = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  acrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  acrDelete: 'c2f4ef07-c644-48eb-af81-4b1b4947fb11',
  containerRegistryRepositoryReader: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  rbacAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  aksClusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
  aksClusterAdmin: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
  aksRbacReader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
  aksRbacWriter: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb',
  aksRbacAdmin: '3498e952-d568-435e-9b2c-8d77e338d7f7',
  aksRbacClusterAdmin: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
} as const;

/**
 * Roles the emulator counts as "can pull" in each registry role mode (used by
 * `ArmState.hasPullAccess`). In ABAC mode AcrPull/AcrPush are not honoured (CONTRACTS §2.1).
 */
export const PULL_ROLES = {
  LegacyRegistryPermissions: [
    BUILT_IN_ROLES.acrPull,
    BUILT_IN_ROLES.acrPush,
    BUILT_IN_ROLES.contributor,
    BUILT_IN_ROLES.owner,
  ],
  AbacRepositoryPermissions: [BUILT_IN_ROLES.containerRegistryRepositoryReader],
} as const;

/** Extracts the trailing role definition GUID from a (possibly subscription-qualified) id. */
export function roleDefinitionGuid(roleDefinitionId: string): string | undefined {
  const m = /\/roleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(
    roleDefinitionId,
  );
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The subscription-qualified form real ARM returns (CONTRACTS §3.1). */
export function qualifiedRoleDefinitionId(subscriptionId: string | undefined, guid: string): string {
  const prefix = subscriptionId ? `/subscriptions/${subscriptionId}` : '';
  return `${prefix}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
