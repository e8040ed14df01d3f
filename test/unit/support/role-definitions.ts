/** Role definitions as ARM answers them, for fakes of the role assignment listing. */
import type { RoleDefinitionInfo } from '../../../src/domain/azure-model';
import { ROLE_IDS } from '../../../src/domain/roles';

/** A role whose one action carries pull (ARM lists every permission field, empty or not). */
function pullRole(guid: string, roleName: string, roleType: string): RoleDefinitionInfo {
  return {
    guid,
    roleName,
    roleType,
    permissions: [
      {
        actions: ['Microsoft.ContainerRegistry/registries/pull/read'],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  };
}

/** The built-in AcrPull role: its one action carries pull. */
export function acrPullDefinition(): RoleDefinitionInfo {
  return pullRole(ROLE_IDS.acrPull, 'AcrPull', 'BuiltInRole');
}

/** A custom role named `roleName` whose one action carries pull, as AcrPull's does. */
export function customPullDefinition(guid: string, roleName: string): RoleDefinitionInfo {
  return pullRole(guid, roleName, 'CustomRole');
}
