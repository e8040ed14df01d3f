// Log Analytics + workspace-based Application Insights. The app receives the connection
// string through an `existing` reference inside app-service.bicep, never through an output.

param baseName string
param location string
param tags object = {}

@minValue(30)
@maxValue(730)
@description('Days to keep logs. The audit trail itself lives in the bot\'s store, not here.')
param retentionInDays int = 90

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: 'log-${baseName}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${baseName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

output appInsightsName string = appInsights.name
output logAnalyticsWorkspaceId string = workspace.id
