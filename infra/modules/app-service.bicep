// Linux App Service running the bot: the container image when one is given, otherwise Node 22 LTS
// with a zip deployment of dist/. HTTPS only, FTP and basic-auth publishing off, Always On
// (Teams gives a bot a few seconds to answer; a cold start would show "Unable to reach app").

param name string
param planName string
param location string
param tags object = {}

@description('App Service plan SKU.')
param sku string = 'B1'

@minValue(1)
@maxValue(30)
@description('Instances. Two or more: the store is Azure Tables, executions and jobs run under leases, so any instance may serve any turn.')
param instanceCount int = 2

@description('Image reference, or empty for a Node 22 LTS code deployment.')
param containerImage string = ''

@description('Resource id of the bot\'s user-assigned identity.')
param identityResourceId string

@description('Client id of that identity (used to pull the image).')
param identityClientId string

@description('Application Insights component in this resource group.')
param appInsightsName string

@description('Log Analytics workspace for App Service logs.')
param logAnalyticsWorkspaceId string

@description('Configuration for the bot (name → value). Ids and names only: no secrets.')
param appSettings object

// Secure: a proxy URL may carry a password (main.bicep).
@secure()
@description('More settings from the deployer (name to value): every setting the template does not set. A name the template sets fails the deployment.')
param extraAppSettings object = {}

@description('Client id of the Entra app registration for the tabs\' single sign-on, or empty to leave the tabs off. A managed identity cannot expose an API, so the tabs need a registration of their own (docs/deploy.md, "The tab").')
param tabAppId string = ''

@description('Host the tabs are served from, when not the site\'s default host name (a custom domain bound to the site).')
param tabDomain string = ''

var isContainer = !empty(containerImage)

// Referenced, not passed in: the connection string never appears as a parameter or output.
resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: sku
    // Several instances share the Azure Tables store (no database on the /home network share).
    capacity: instanceCount
  }
  properties: { reserved: true }
}

var platformSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
}
// Custom-container settings only. With a zip (NODE|22-lts) the code itself is in
// /home/site/wwwroot, so turning the /home share off would leave the app without its code, and
// App Service hands the port to the app in PORT, which the bot reads.
var containerSettings = isContainer
  ? {
      // The container listens on 3978 (Dockerfile EXPOSE); App Service routes 443 to it.
      WEBSITES_PORT: '3978'
      // No state on the /home share: every instance keeps its state in Azure Tables.
      WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false'
    }
  : {}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'acrbot' })
  kind: isContainer ? 'app,linux,container' : 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityResourceId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    // Key Vault references (ACRBOT_AUDIT_KEY) resolve with the bot's user-assigned identity.
    keyVaultReferenceIdentity: identityResourceId
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: isContainer ? 'DOCKER|${containerImage}' : 'NODE|22-lts'
      appCommandLine: isContainer ? '' : 'node dist/index.js'
      acrUseManagedIdentityCreds: isContainer
      acrUserManagedIdentityID: isContainer ? identityClientId : null
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // /readyz, not /healthz (which answers while the process runs): App Service stops routing to
      // an instance that fails it (starting, or its store or Azure credential not answering) and
      // replaces one that keeps failing; by default it never takes out more than half of them.
      healthCheckPath: '/readyz'
    }
  }
}

// The settings are a child resource, not part of siteConfig, because the tab's domain is the
// site's own host name, known only once the site exists. Like siteConfig's, they replace every
// setting on each deployment: keep tabAppId in the parameters file, or a redeployment turns the
// tabs off; a setting made by hand is removed, which is why extraAppSettings exists.
// Lower case, as the bot requires of ACRBOT_TAB_DOMAIN and as the app package writes BOT_DOMAIN:
// a custom domain typed with capitals would otherwise stop the start.
var tabHost = empty(tabDomain) ? site.properties.defaultHostName : toLower(tabDomain)
var tabSettings = empty(tabAppId) ? {} : { ACRBOT_TAB_APP_ID: tabAppId, ACRBOT_TAB_DOMAIN: tabHost }

// Every name the template sets, whether or not it sets it this time (the container and tab
// settings come and go with their parameters). extraAppSettings may not name one: a setting
// given twice would leave the deployer guessing which value the bot reads. Compared in lower
// case, so that a differently spelled duplicate is refused too.
var ownSettingNames = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING'
  'WEBSITES_PORT'
  'WEBSITES_ENABLE_APP_SERVICE_STORAGE'
  'ACRBOT_TAB_APP_ID'
  'ACRBOT_TAB_DOMAIN'
]
var templateSettingNames = map(union(objectKeys(appSettings), ownSettingNames), n => toLower(n))
var clashingSettingNames = filter(objectKeys(extraAppSettings), n => contains(templateSettingNames, toLower(n)))

resource settings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'appsettings'
  // The template's own settings come last, so they would win even without the check.
  properties: empty(clashingSettingNames)
    ? union(platformSettings, containerSettings, extraAppSettings, appSettings, tabSettings)
    : fail('extraAppSettings names ${join(clashingSettingNames, ', ')}, which the template sets itself: set it with its parameter instead (docs/deploy.md, "App settings").')
}

// Publishing with a username/password is off; deploy with Entra credentials (az webapp deploy).
resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'AppServiceConsoleLogs', enabled: true }
      { category: 'AppServiceHTTPLogs', enabled: true }
      { category: 'AppServicePlatformLogs', enabled: true }
    ]
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
