/**
 * One cluster, its kubelet identity and one registry open to the network, as `check`'s diagnosis
 * tests put them, so each test builds only the access paths it is about.
 */
import type { AccessCell, RoleAssignmentPath } from '../../../src/domain/access-inventory';
import type { RegistryNetwork, RoleDefinitionInfo } from '../../../src/domain/azure-model';
import { diagnosePull, type DiagnosisInput } from '../../../src/domain/pull-diagnosis';

export const SUB = '00000000-0000-4000-8000-000000000001';
export const KUBELET = 'd0000000-0000-4000-8000-0000000000d1';
export const NOW = new Date('2027-01-01T00:00:00Z');

/** A registry with RBAC registry permissions (roles on the registry, not per repository). */
export const registry = {
  id: `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`,
  name: 'contosoacr',
  subscriptionId: SUB,
  resourceGroup: 'rg-acr',
  loginServer: 'contosoacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions' as const,
};

export const cluster = {
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod`,
  name: 'aks-prod',
  subscriptionId: SUB,
  resourceGroup: 'rg',
};

export const identity = { kind: 'kubelet' as const, objectId: KUBELET, description: 'kubelet managed identity' };

/** Public network access, no IP rules, no private endpoints, no anonymous pull. */
export const open: RegistryNetwork = {
  publicNetworkAccess: 'Enabled',
  ipRuleCount: 0,
  privateEndpoints: 0,
  anonymousPullEnabled: false,
};

/** The cluster's cell for `reg` (the registry above unless given), active and able to pull through `paths`. */
export function cell(paths: AccessCell['paths'], reg: AccessCell['registry'] = registry): AccessCell {
  return { cluster, registry: reg, paths, state: 'active', canPull: true };
}

/** Who the requests of the diagnosis tests were made by (`requesterId`), unless a test says otherwise. */
export const REQUESTER = 'r';

/**
 * The diagnosis of the cluster and registry above, open, at {@link NOW}, as their requester
 * ({@link REQUESTER}) asks `check aks-prod contosoacr`: by their bare names, which the fix's
 * commands echo; `over` changes any of it.
 */
export function diagnose(over: Partial<DiagnosisInput>) {
  return diagnosePull({
    cluster,
    registry,
    identity,
    network: open,
    typedAs: { cluster: 'name', registry: 'name' },
    askedBy: REQUESTER,
    now: NOW,
    ...over,
  });
}

/** AcrPull on the registry above, honoured, made by acrbot for no request yet, active; `over` changes any of it. */
export function acrPullOnRegistry(over: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath {
  return {
    kind: 'roleAssignment',
    assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/1`,
    roleGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    roleName: 'AcrPull',
    scope: registry.id,
    scopeLevel: 'registry',
    conditional: false,
    honoured: true,
    origin: 'acrbot',
    requests: [],
    state: 'active',
    ...over,
  };
}

/** The built-in AcrPull role definition, as ARM answers it (what the inventory reads to judge an assignment). */
export const ACR_PULL: RoleDefinitionInfo = {
  guid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
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
