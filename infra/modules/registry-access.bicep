// Rights for the bot identity on ONE existing registry it manages. Deploy once per registry,
// scoped to the registry's resource group (main.bicep loops over managedRegistries).
//
// 1. Role Based Access Control Administrator, constrained by an ABAC condition: the bot may
//    create role assignments only for AcrPull or Container Registry Repository Reader, only to
//    service principals (cluster kubelet identities and SP clusters), and may delete only
//    assignments of those two roles to service principals. It cannot hand out Owner, AcrPush,
//    or any role to a user or group, and it cannot remove any person's or group's access.
// 2. Reader on the registry's resource group (not only on the registry), to resolve the registry
//    (loginServer, ABAC mode) and list role assignments. See readResourceGroup for why the group.
// 3. A custom role for the secret flow's ACR tokens: create/update/delete tokens, read scope
//    maps (to bind a token to _repositories_pull), generate token passwords.
// Never Owner, Contributor or User Access Administrator; nothing at subscription scope.
// Every right on the registry itself goes when the registry is deleted (ARM deletes a resource's
// role assignments with it); the resource group's Reader stays.

@description('Name of the existing registry, in this deployment\'s resource group.')
param registryName string

@description('Object id of the bot identity.')
param principalId string

var rbacAdministrator = 'f58310d9-a9f6-439a-9e8d-f62e7b41a168'
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

// The two roles the bot may hand out: AcrPull 7f951dda-4ed3-4680-a7ca-43fe172d538d and, for
// registries in ABAC repository-permission mode, Container Registry Repository Reader
// b93aa761-3e63-49ed-ac28-beffa264f7ac. Write is checked on the request, delete on the
// existing assignment (the "resource"), per Azure's "delegate role assignment management
// with conditions" pattern. The GUIDs are spelled out because conditions cannot use variables.
var delegationCondition = '''
(
 (
  !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
 )
 OR
 (
  @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {7f951dda-4ed3-4680-a7ca-43fe172d538d, b93aa761-3e63-49ed-ac28-beffa264f7ac}
  AND
  @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}
 )
)
AND
(
 (
  !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
 )
 OR
 (
  @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {7f951dda-4ed3-4680-a7ca-43fe172d538d, b93aa761-3e63-49ed-ac28-beffa264f7ac}
  AND
  @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}
 )
)
'''

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource delegatedPullAdmin 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, rbacAdministrator)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', rbacAdministrator)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acrbot: may assign/remove only AcrPull and Container Registry Repository Reader, only to service principals'
    condition: delegationCondition
    conditionVersion: '2.0'
  }
}

// Reader on the resource group, in place of Reader on the registry (it covers the registry).
// Why the group: ARM checks authorization before existence, and a registry's role assignments
// are deleted with it. With Reader only on the registry, everything acrbot asks of a deleted
// registry answers 403 AuthorizationFailed, exactly as if its rights had been taken away, so a
// revocation or clean-up there could never finish. With Reader on the group, reading the deleted
// registry answers 404 ResourceNotFound: acrbot tells "deleted" (what it put there went with it)
// from "refused" (a missing right, reported). Reader carries reads only (*/read): no keys,
// passwords or secrets (listKeys, listCredentials, generateCredentials are actions it does not
// have), no data actions, no writes. It does show acrbot the other resources of this group.
// Named and described as in cluster-access.bicep: a registry and a cluster in one group share it.
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

// Custom role definitions are tenant-wide names, so the name carries the registry's id hash.
// Assignable only in this resource group; assigned below on the registry alone.
resource tokenOperatorRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(registry.id, 'acrbot-acr-token-operator')
  properties: {
    roleName: 'acrbot ACR token operator ${registryName} ${uniqueString(registry.id)}'
    description: 'Lets acrbot create pull-only repository-scoped tokens (and their scope maps) on one registry and generate their expiring passwords.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.ContainerRegistry/registries/read'
          'Microsoft.ContainerRegistry/registries/tokens/*'
          'Microsoft.ContainerRegistry/registries/scopeMaps/read'
          // secret --repositories A,B: acrbot creates a pull-only scope map limited to those
          // repositories for the token, and deletes it with the token when the access ends or
          // is revoked. Without these two, --repositories fails in Azure with AuthorizationFailed.
          // Residual risk (docs/deploy.md): write also allows editing other scope maps of this
          // registry; acrbot only touches the ones its store says it created.
          'Microsoft.ContainerRegistry/registries/scopeMaps/write'
          'Microsoft.ContainerRegistry/registries/scopeMaps/delete'
          'Microsoft.ContainerRegistry/registries/generateCredentials/action'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource tokenOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, 'acrbot-acr-token-operator')
  scope: registry
  properties: {
    // A role definition deployed from a resource-group deployment is still a subscription
    // resource; its id must be built at subscription level for the assignment.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tokenOperatorRole.name)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acrbot: manage pull-only ACR tokens for image pull secrets'
  }
  dependsOn: [tokenOperatorRole]
}
