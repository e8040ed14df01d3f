// The bot's one identity: it signs in to the Bot Framework (msaAppType UserAssignedMSI), calls
// ARM and Graph through DefaultAzureCredential (AZURE_CLIENT_ID), and pulls the bot image.
// One identity keeps the rights in one place, and there is no password anywhere.

@description('Identity name.')
param name string
param location string
param tags object = {}

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id (for msaAppMSIResourceId and the App Service identity).')
output id string = uami.id
@description('Client (application) id: MicrosoftAppId, AZURE_CLIENT_ID and the Teams manifest id.')
output clientId string = uami.properties.clientId
@description('Object id of the service principal: the assignee of every role assignment.')
output principalId string = uami.properties.principalId
output name string = uami.name
