/** Role definitions as ARM answers them, for fakes of the role assignment listing. */
import type { RoleDefinitionInfo } from '../../../src/domain/azure-model';
import { ROLE_IDS } from '../../../src/domain/roles';

/** The built-in AcrPull role: its one action carries pull. */
export function acrPullDefinition(): RoleDefinitionInfo {
  return {
    guid: ROLE_IDS.acrPull,
    roleName: 'AcrPull',
    roleType: 'BuiltInRole',
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
