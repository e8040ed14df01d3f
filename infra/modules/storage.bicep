// Storage for the scale-out store: the Table service holds requests, the audit log, leases,
// the schedule, dialog state and abuse limits (ACRBOT_STORAGE=tables:<table endpoint>); an
// append-only blob container with a time-based immutability policy holds the audit anchors.
// Shared keys are disabled: only Entra identities with a data role can read or write, so there
// is no account key or key-based connection string to leak. The bot identity gets Storage
// Table Data Contributor on this account only, and Storage Blob Data Contributor on the
// anchor container only.

@minLength(3)
@maxLength(24)
param name string
param location string
param tags object = {}

@description('Object id of the bot identity.')
param dataPrincipalId string

@description('Blob container for the audit anchors (append blobs, immutable).')
param anchorContainerName string = 'audit-anchors'

@minValue(1)
@description('Days an anchor blob can be neither overwritten nor deleted (appends stay allowed).')
param anchorRetentionDays int = 365

@description('Anchor containers whose immutability policy was locked: a locked policy cannot be written again (only extended), so the deployment leaves it alone. Any other anchorContainerName gets its policy: a new container is never left without one.')
param lockedAnchorContainers string[] = []

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_RAGRS', 'Standard_GZRS', 'Standard_RAGZRS'])
@description('Redundancy. Zone-redundant by default; regions without availability zones need Standard_LRS or Standard_GRS.')
param sku string = 'Standard_ZRS'

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: sku }
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

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource anchorContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: anchorContainerName
  properties: { publicAccess: 'None' }
}

// Time-based retention with protected append writes: the bot appends anchor lines, nobody
// (not the bot, not an account owner) can overwrite or delete them until retention ends.
// Lock it (az storage container immutability-policy lock) once the retention is agreed:
// an unlocked policy can still be shortened by an owner. Once locked, deploy with the
// container's name in lockedAnchorContainers: a create-or-update of a locked policy is
// refused, and would fail every later deployment. The condition names the container, not a
// flag: after a switch to a new container (docs/operations.md) the old one stays locked and
// the new one still gets its policy.
resource anchorImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = if (!contains(lockedAnchorContainers, anchorContainerName)) {
  parent: anchorContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: anchorRetentionDays
    allowProtectedAppendWrites: true
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, dataPrincipalId, storageTableDataContributor)
  // This account only: the Table role on the account covers its tables and nothing else.
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: dataPrincipalId
    // Set explicitly: a new managed identity may not have replicated yet, and ARM then fails
    // with PrincipalNotFound unless it is told the type.
    principalType: 'ServicePrincipal'
    description: 'acrbot: requests, audit log, leases, schedule, dialogs (Azure Tables)'
  }
}

resource anchorRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(anchorContainer.id, dataPrincipalId, storageBlobDataContributor)
  scope: anchorContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: dataPrincipalId
    principalType: 'ServicePrincipal'
    description: 'acrbot: append audit anchors'
  }
}

@description('Table endpoint (a URL, not a credential).')
output tableEndpoint string = account.properties.primaryEndpoints.table
@description('Anchor container URL (a URL, not a credential).')
output anchorContainerUrl string = '${account.properties.primaryEndpoints.blob}${anchorContainer.name}'
output accountName string = account.name
