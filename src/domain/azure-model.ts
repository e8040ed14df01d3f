/** What acrbot knows about the Azure resources it works on, independent of any SDK. */
import type { RoleAssignmentMode } from './roles';

/** How the cluster authenticates to Azure, as read from the AKS resource. */
export interface ClusterIdentityFacts {
  /** `identity.type`: SystemAssigned, UserAssigned, None, or undefined (no identity block). */
  identityType?: string;
  /** `servicePrincipalProfile.clientId`: the literal `msi` on managed-identity clusters, else an app id. */
  servicePrincipalClientId?: string;
  /** `identityProfile.kubeletidentity.objectId`, when present. */
  kubeletObjectId?: string;
  /** `identity.principalId`: the control plane. Never the assignee; kept to show it is not used. */
  controlPlanePrincipalId?: string;
}

/** An AKS cluster. */
export interface ClusterInfo {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  identity: ClusterIdentityFacts;
  /** Entra ID (AAD) integration: credentials are exec/kubelogin stanzas. */
  aadEnabled: boolean;
  /** Azure tags (policy `match.clusterTags`); names as Azure returns them. */
  tags?: Record<string, string>;
}

/** A container registry. */
export interface RegistryInfo {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  /** From Azure, never built from the name. */
  loginServer: string;
  roleAssignmentMode: RoleAssignmentMode;
  /** Azure tags (policy `match.registryTags`). */
  tags?: Record<string, string>;
}

/** A role assignment as read from Azure. */
export interface RoleAssignmentInfo {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
}
