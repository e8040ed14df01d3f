/**
 * Seeds the sandbox world of `fixtures.ts` into the ARM state and the directory: two
 * subscriptions, three clusters (managed identity system/user-assigned and a legacy service
 * principal cluster), four registries (one in ABAC mode, `sharedacr` in both subscriptions), the
 * people, the approver group, the bot's own service principal, and one AcrPull made outside
 * acrbot (aks-legacy's service principal on resource group rg-shared).
 *
 * Every identity a cluster refers to is a service principal in the directory, so role
 * assignments to it succeed and Graph can resolve the legacy cluster's app id. The bot's own
 * rights on each cluster and registry (and Reader on their resource groups) come with
 * `addCluster`/`addRegistry`, as infra/modules/*-access.bicep deploys them (arm/caller-rights.ts).
 */
import { v5 as uuidv5 } from 'uuid';
import type { ArmEmulator } from './arm/arm-emulator';
import type { ClusterSpec } from './arm/clusters';
import type { Directory } from './directory';
import {
  SANDBOX_APPROVER_GROUP_ID,
  SANDBOX_ONCALL_GROUP_ID,
  SANDBOX_BOT_APP_ID,
  SANDBOX_BOT_OBJECT_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_OUTSIDE_GRANT,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  SANDBOX_USERS,
} from './fixtures';

/** Namespace for deriving stable client ids of identities whose client id the fixtures do not fix. */
const DERIVED_ID_NAMESPACE = '6f0b8d6e-5a3c-4c1e-9a51-7d7f3e1c2b40';

/** A stable GUID derived from another (e.g. a managed identity's client id from its object id). */
function derivedId(from: string): string {
  return uuidv5(from.toLowerCase(), DERIVED_ID_NAMESPACE);
}

/** A managed-identity cluster of the fixtures (system- or user-assigned). */
type ManagedIdentityCluster = (typeof SANDBOX_CLUSTERS)['prod' | 'dev'];

/**
 * Adds a managed-identity cluster and both its identities (control plane and kubelet) as
 * managed-identity service principals, so role assignments to either succeed.
 */
function addManagedIdentityCluster(
  arm: ArmEmulator,
  directory: Directory,
  cluster: ManagedIdentityCluster,
  controlPlaneName: string,
  extra: Partial<ClusterSpec>,
): void {
  const controlPlaneClientId = derivedId(cluster.controlPlanePrincipalId);
  arm.state.addCluster({
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    name: cluster.name,
    identity: cluster.identity,
    controlPlanePrincipalId: cluster.controlPlanePrincipalId,
    controlPlaneClientId,
    kubeletObjectId: cluster.kubeletObjectId,
    kubeletClientId: cluster.kubeletClientId,
    aad: cluster.aad,
    tags: { ...cluster.tags },
    ...extra,
  });
  directory.addServicePrincipal({
    id: cluster.controlPlanePrincipalId,
    appId: controlPlaneClientId,
    displayName: controlPlaneName,
    servicePrincipalType: 'ManagedIdentity',
  });
  directory.addServicePrincipal({
    id: cluster.kubeletObjectId,
    appId: cluster.kubeletClientId,
    displayName: `${cluster.name}-agentpool`,
    servicePrincipalType: 'ManagedIdentity',
  });
}

/** Puts the fixtures' world into `arm` and `directory`. Call once, on a fresh emulator pair. */
export function seedSandbox(arm: ArmEmulator, directory: Directory): void {
  const state = arm.state;
  for (const sub of Object.values(SANDBOX_SUBSCRIPTIONS)) state.addSubscription(sub);

  // People and the approver group.
  for (const u of Object.values(SANDBOX_USERS)) directory.addUser({ id: u.objectId, displayName: u.name });
  directory.addGroup({
    id: SANDBOX_APPROVER_GROUP_ID,
    displayName: 'acrbot approvers',
    members: [SANDBOX_USERS.approver.objectId, SANDBOX_USERS.secondApprover.objectId],
  });
  directory.addGroup({
    id: SANDBOX_ONCALL_GROUP_ID,
    displayName: 'platform on-call',
    members: [SANDBOX_USERS.oncall.objectId],
  });

  // The bot's own identity (the caller ARM and Graph see).
  directory.addServicePrincipal({ id: SANDBOX_BOT_OBJECT_ID, appId: SANDBOX_BOT_APP_ID, displayName: 'acrbot' });

  // prod: SystemAssigned managed identity, Entra ID + Azure RBAC.
  const prod = SANDBOX_CLUSTERS.prod;
  addManagedIdentityCluster(arm, directory, prod, prod.name, {
    disableLocalAccounts: prod.disableLocalAccounts,
    enableAzureRBAC: true,
  });

  // legacy: service principal cluster; its clientId is an app id that Graph resolves to the SP object id.
  const legacy = SANDBOX_CLUSTERS.legacy;
  state.addCluster({
    subscriptionId: legacy.subscriptionId,
    resourceGroup: legacy.resourceGroup,
    name: legacy.name,
    identity: legacy.identity,
    servicePrincipalAppId: legacy.servicePrincipalAppId,
    aad: legacy.aad,
  });
  // Owned by someone else: the bot's OwnedBy permission must not reach it.
  directory.addApplication({
    id: derivedId(legacy.servicePrincipalAppId),
    appId: legacy.servicePrincipalAppId,
    displayName: `${legacy.name}-sp`,
  });
  directory.addServicePrincipal({
    id: legacy.servicePrincipalObjectId,
    appId: legacy.servicePrincipalAppId,
    displayName: `${legacy.name}-sp`,
  });

  // dev: UserAssigned managed identity in the second subscription, local accounts.
  const dev = SANDBOX_CLUSTERS.dev;
  addManagedIdentityCluster(arm, directory, dev, `${dev.name}-identity`, { location: 'westeurope' });

  for (const r of Object.values(SANDBOX_REGISTRIES)) {
    state.addRegistry({
      subscriptionId: r.subscriptionId,
      resourceGroup: r.resourceGroup,
      name: r.name,
      loginServer: r.loginServer,
      roleAssignmentMode: r.roleAssignmentMode,
      ...('tags' in r && { tags: { ...r.tags } }),
    });
  }

  // A grant made outside acrbot (someone ran `az role assignment create` on the resource group),
  // so `access aks-legacy` shows both kinds once acrbot has granted something too.
  const outside = SANDBOX_OUTSIDE_GRANT;
  state.addRoleAssignment({
    name: outside.name,
    scope: `/subscriptions/${outside.subscriptionId}/resourceGroups/${outside.resourceGroup}`,
    roleDefinitionGuid: outside.roleDefinitionGuid,
    principalId: outside.principalId,
    principalType: 'ServicePrincipal',
    createdBy: SANDBOX_USERS.outsider.objectId,
  });
}
