// Rights for the bot identity on ONE existing AKS cluster. Deploy once per cluster, scoped to
// the cluster's resource group (main.bicep loops over managedClusters).
//
// - Reader on the cluster's resource group (it covers the cluster): resolve the cluster (kubelet
//   identity, service principal profile, API server). On the group, not only the cluster: see
//   readResourceGroup.
// - Azure Kubernetes Service Cluster User Role: listClusterUserCredential/action, i.e. a
//   kubeconfig for the secret flow. On Entra-enabled clusters with local accounts disabled
//   (disableLocalAccounts) it carries no Kubernetes rights by itself: what the bot may do inside
//   the cluster is granted by Kubernetes RBAC in the namespaces it serves (docs/deploy.md has
//   the Role and RoleBinding). On clusters WITH local accounts the "user" credential is a
//   cluster-admin certificate: acrbot refuses the secret flow there unless
//   ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS=true (docs/deploy.md, residual risk).
// The bot never gets write access to the cluster resource: the grant flow only touches the
// registry, and the secret flow only the Kubernetes API.

@description('Name of the existing cluster, in this deployment\'s resource group.')
param clusterName string

@description('Object id of the bot identity.')
param principalId string

var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
var aksClusterUser = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'

resource cluster 'Microsoft.ContainerService/managedClusters@2024-05-01' existing = {
  name: clusterName
}

// Reader on the resource group, in place of Reader on the cluster. ARM checks authorization
// before existence and deletes a cluster's role assignments with it: with rights on the cluster
// alone, a deleted cluster answers 403 AuthorizationFailed, as if acrbot's rights had been
// removed, and the revocation of a pull secret there could never finish. With Reader on the
// group, reading the deleted cluster answers 404, and acrbot tells "deleted" (the secret went
// with it) from "refused". Reader carries reads only (*/read): no credentials (the user and admin
// credentials are actions), no keys or secrets, no writes; it does show acrbot the group's other
// resources. Named and described as in registry-access.bicep: one assignment per group.
resource readResourceGroup 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // No scope: an extension resource without one applies to the deployment's target, this
  // module's resource group.
  name: guid(resourceGroup().id, principalId, reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acrbot: read the registries and clusters of this group, and tell a deleted one (404) from a refusal (403)'
  }
}

resource clusterUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, aksClusterUser)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', aksClusterUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acrbot: fetch cluster user credentials to write image pull secrets'
  }
}
