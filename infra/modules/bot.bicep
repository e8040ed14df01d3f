// The Azure Bot registration, authenticated as the user-assigned managed identity
// (msaAppType UserAssignedMSI: single tenant, no app password), with the Teams channel on.
// Multi-tenant bot creation is deprecated, so MultiTenant is deliberately not offered.

param name string
param displayName string
param tags object = {}

@allowed(['F0', 'S1'])
param sku string = 'F0'

@description('Messaging endpoint, https://<host>/api/messages.')
param endpoint string

@description('Client id of the bot identity.')
param msaAppId string

@description('Resource id of the bot identity.')
param msaAppMsiResourceId string

@description('Tenant of the bot identity.')
param tenantId string

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: sku }
  properties: {
    displayName: displayName
    endpoint: endpoint
    msaAppId: msaAppId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: msaAppMsiResourceId
    msaAppTenantId: tenantId
    // Only Entra-authenticated traffic; no Direct Line / Web Chat secrets to manage.
    disableLocalAuth: true
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output name string = bot.name
