// Key Vault for the audit key (ACRBOT_AUDIT_KEY): the MAC key of the audit chain must not live
// in the store it protects. The vault uses Azure RBAC and holds this one secret; the bot identity
// may read its secrets (Key Vault Secrets User on the vault), and App Service resolves the Key
// Vault reference with the same identity. The secret value is created once by an operator, after
// the first deployment (docs/deploy.md, "The audit key"):
//   az keyvault secret set --vault-name <vault> --name acrbot-audit-key --value "$(openssl rand -base64 32)"
// (never by this template: a redeployment would replace it and orphan the MACs already written).
// The role is on the vault, not on the secret: a role scoped to a secret that does not exist yet
// fails the first deployment. Keep no other secret in this vault.

@minLength(3)
@maxLength(24)
param name string
param location string
param tags object = {}

@description('Object id of the bot identity.')
param readerPrincipalId string

// Name of the secret holding the audit key (main.bicep's Key Vault reference names it too).
#disable-next-line no-unused-vars
var auditMacEntryName = 'acrbot-audit-key'

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource secretReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // Seeded apart from the earlier assignment on the secret: role assignment names are unique in
  // the tenant, and that one (where it was created) lives on at the secret's scope.
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'acrbot: read the audit MAC key'
  }
}

@description('Vault name, for the Key Vault reference in the app settings.')
output vaultName string = vault.name
