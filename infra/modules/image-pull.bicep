// AcrPull for the bot identity on the registry hosting the acrbot image, so App Service pulls
// the container with the managed identity instead of registry admin credentials.

@description('Existing registry that hosts the acrbot image.')
param registryName string
@description('Object id of the bot identity.')
param principalId string

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acrbot: pull its own container image'
  }
}
