/**
 * What Azure shows of a grant's cluster, registry and role assignment, as the drift tests read it:
 * built from the grant's plan so that the fixtures stay in step with it.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../../src/domain/azure-model';
import type { GrantPlan } from '../../../src/domain/plan';
import { SUB } from './requests';

/** The assignment acrbot's grant made for `plan`, as Azure lists it: intact. */
export function assignmentOf(plan: GrantPlan): RoleAssignmentInfo {
  return {
    id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
    name: plan.roleAssignmentName,
    scope: plan.scope,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
    principalId: plan.identity.objectId,
    principalType: 'ServicePrincipal',
  };
}

/** The plan's cluster, pulling as the kubelet identity `kubeletObjectId` (none: mid-update). */
export function clusterPulling(plan: GrantPlan, kubeletObjectId: string | undefined): ClusterInfo {
  const { id, name, subscriptionId, resourceGroup } = plan.cluster;
  return {
    id,
    name,
    subscriptionId,
    resourceGroup,
    identity: { identityType: 'SystemAssigned', servicePrincipalClientId: 'msi', kubeletObjectId },
    aadEnabled: false,
  };
}

/** The plan's registry in the role assignment mode `mode` (any text: a mode acrbot may not know). */
export function registryIn(plan: GrantPlan, mode: string): RegistryInfo {
  const { id, name, subscriptionId, resourceGroup, loginServer } = plan.registry;
  return {
    id,
    name,
    subscriptionId,
    resourceGroup,
    loginServer,
    roleAssignmentMode: mode as RegistryInfo['roleAssignmentMode'],
  };
}
