// Storage for the scale-out store (requests + audit log as blobs). Shared keys are disabled:
// only Entra identities with a data role can read or write, so there is no account key or
// key-based connection string to leak. The bot identity gets Storage Blob Data Contributor on
// its one container, not on the account.

@minLength(3)
@maxLength(24)
param name string
param location string
param tags object = {}

@description('Object id of the bot identity.')
param dataPrincipalId string

@description('Blob container for the store.')
param containerName string = 'acrbot'

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // The audit log must survive an accidental delete.
    deleteRetentionPolicy: { enabled: true, days: 30 }
    containerDeleteRetentionPolicy: { enabled: true, days: 30 }
    isVersioningEnabled: true
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: { publicAccess: 'None' }
}

resource dataRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, dataPrincipalId, storageBlobDataContributor)
  scope: container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: dataPrincipalId
    // Set explicitly: a new managed identity may not have replicated yet, and ARM then fails
    // with PrincipalNotFound unless it is told the type.
    principalType: 'ServicePrincipal'
    description: 'acrbot: read and write its request store and audit log'
  }
}

@description('Blob endpoint (a URL, not a credential).')
output blobEndpoint string = account.properties.primaryEndpoints.blob
output containerName string = container.name
output accountName string = account.name
