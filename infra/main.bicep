// acrbot on Azure: one resource group holds the bot's identity, App Service, Azure Bot,
// monitoring and storage. Rights on registries and clusters are granted by modules scoped to
// each of those resources (never the subscription): see modules/registry-access.bicep and
// modules/cluster-access.bicep. Deploy with `az deployment group what-if` first (docs/deploy.md).
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------

@description('An existing resource the bot manages: subscription, resource group and name.')
type resourceRef = {
  @description('Subscription id of the resource.')
  subscriptionId: string
  @description('Resource group of the resource.')
  resourceGroup: string
  @description('Resource name (registry name or cluster name).')
  name: string
}

// ---------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------

// At most 12: the storage account and Key Vault names (24 characters, globally unique) keep at
// least 8 characters of the per-group token after it; with 20 they kept 1 or 2, and a name taken
// elsewhere in Azure failed the deployment.
@minLength(2)
@maxLength(12)
@description('Short environment name used in resource names (at most 12): lower-case letters, digits and hyphens, e.g. acrbot-prod.')
param environmentName string

@description('Region for the resources (the Azure Bot itself is always global).')
param location string = resourceGroup().location

@description('Name shown for the bot in the Azure portal.')
param botDisplayName string = 'acrbot'

@description('Container image to run, e.g. myacr.azurecr.io/acrbot:0.1.0. Empty = Node 22 LTS code deployment (zip deploy of dist/).')
param containerImage string = ''

@description('Registry that hosts the acrbot image; the bot identity gets AcrPull there so App Service can pull it. Leave name empty when the image is public or containerImage is empty; an empty subscriptionId or resourceGroup means the one of this deployment.')
param imageRegistry resourceRef = {
  subscriptionId: subscription().subscriptionId
  resourceGroup: resourceGroup().name
  name: ''
}

@description('Registries the bot may grant pull access on (each gets Role Based Access Control Administrator with an ABAC condition).')
param managedRegistries resourceRef[] = []

@description('Clusters the bot may resolve and write pull secrets to (each gets Reader + Azure Kubernetes Service Cluster User Role).')
param managedClusters resourceRef[] = []

@description('Subscriptions the bot searches for clusters and registries (ACRBOT_SUBSCRIPTION_IDS). Empty = the subscriptions of managedRegistries and managedClusters.')
param subscriptionIds string[] = []

@description('Entra object ids of people who may approve (ACRBOT_APPROVERS).')
param approverObjectIds string[] = []

@description('Entra group whose members may approve (ACRBOT_APPROVER_GROUP). Needs the Graph permissions GroupMember.Read.All and User.Read.All.')
param approverGroupId string = ''

@description('Path inside the container image of an approval policy file (ACRBOT_POLICY, docs/policy.md). Empty = the one rule approverObjectIds and approverGroupId make; set, leave those two empty (acrbot refuses both at once).')
param policyFilePath string = ''

@description('Teams channel id (19:...@thread.tacv2) for approval cards (ACRBOT_APPROVAL_CHANNEL). Empty = the conversation the request came from.')
param approvalChannelId string = ''

@description('Teams channel id for audit cards (ACRBOT_AUDIT_CHANNEL). Empty = no audit cards; the audit log is still written.')
param auditChannelId string = ''

@description('Entra tenants whose Teams users may talk to the bot (ACRBOT_ALLOWED_TENANTS).')
param allowedTenantIds string[] = [tenant().tenantId]

@allowed(['B1', 'B2', 'B3', 'S1', 'S2', 'S3', 'P0v3', 'P1v3', 'P2v3'])
@description('App Service plan size. Basic or higher keeps Always On available, which the bot needs to answer Teams within seconds.')
param appServiceSku string = 'B1'

@minValue(2)
@maxValue(30)
@description('App Service instances (at least two: any instance may fail or be restarted without an outage). The plan size caps it: Basic 3, Standard 10, PremiumV3 30.')
param instanceCount int = 2

@allowed(['Deny', 'Audit', 'Disabled'])
@description('Effect of the Azure Policy that keeps ACR tokens of the managed registries pull-only (docs/deploy.md). Deny unless you must migrate existing push tokens first.')
param pullOnlyPolicyEffect string = 'Deny'

@allowed(['F0', 'S1'])
@description('Azure Bot pricing tier. Teams is a standard channel: F0 is enough.')
param botSku string = 'F0'

@description('Client id of the Entra app registration for the tabs\' single sign-on (ACRBOT_TAB_APP_ID; docs/deploy.md, "The tab"). Empty = the tabs are off; chat works without them.')
param tabAppId string = ''

@description('Host the tabs are served from when it is a custom domain bound to the web app; empty = its default host name. The tab app\'s Application ID URI must name the same host.')
param tabDomain string = ''

@description('Blob container of the audit anchors (ACRBOT_AUDIT_ANCHOR) in the storage account. Change it only to start a new anchor container (docs/operations.md, "Restoring, or changing the store"): the new one gets its immutability policy and the bot\'s right to append; the old one is kept as it is.')
@minLength(3)
@maxLength(63)
param anchorContainerName string = 'audit-anchors'

@description('Anchor containers whose immutability policy was locked (docs/deploy.md, "The audit anchors"): the deployment leaves their locked policy alone. Any other anchorContainerName gets its policy.')
param lockedAnchorContainers string[] = []

@description('Deprecated, use lockedAnchorContainers: true = the container audit-anchors (the default anchorContainerName) is locked, as if lockedAnchorContainers named it. It says nothing of any other container.')
param anchorPolicyLocked bool = false

// Zone-redundant by default; a region without availability zones refuses ZRS and GZRS.
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_RAGRS', 'Standard_GZRS', 'Standard_RAGZRS'])
@description('Redundancy of the storage account (the Azure Tables store and the audit anchors). Standard_ZRS unless the region has no availability zones (then Standard_LRS or Standard_GRS). Choose it before the first deployment: docs/deploy.md says how to change it later.')
param storageSku string = 'Standard_ZRS'

// The logs and Application Insights telemetry carry object ids and Teams conversation ids
// (docs/security.md, "Personal data"): how long they are kept is a decision for the deployer.
@minValue(30)
@maxValue(730)
@description('Days the Log Analytics workspace keeps logs and Application Insights telemetry (30 to 730). The audit trail lives in the store, not here.')
param logRetentionInDays int = 90

// Every deployment replaces the whole settings collection of the web app (modules/app-service.bicep),
// so a setting made by hand in the portal or with az webapp would be removed by the next one.
// Secure: a proxy URL may carry a password, and a secure object's values stay out of the
// deployment history.
@secure()
@description('More app settings, name to string value (ACRBOT_AUDITORS, HTTPS_PROXY, NO_PROXY, ...): every setting the template does not set, since each deployment removes any setting made by hand. A name the template sets itself fails the deployment: set it with its parameter.')
param extraAppSettings object = {}

@description('Tags for every resource.')
param tags object = {}

// ---------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------

// Deterministic per resource group + environment, so a redeployment updates in place.
var token = uniqueString(subscription().id, resourceGroup().id, environmentName)
var baseName = '${toLower(environmentName)}-${token}'
var allTags = union(tags, { 'azd-env-name': environmentName, app: 'acrbot' })
var effectiveSubscriptionIds = empty(subscriptionIds)
  ? union(map(managedRegistries, r => r.subscriptionId), map(managedClusters, c => c.subscriptionId))
  : subscriptionIds

// ---------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'acrbot-identity'
  params: {
    name: 'id-${baseName}'
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'acrbot-monitoring'
  params: {
    baseName: baseName
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'acrbot-storage'
  params: {
    // Storage account names: 3-24 lower-case letters and digits, globally unique.
    name: take('st${replace(toLower(environmentName), '-', '')}${token}', 24)
    location: location
    tags: allTags
    dataPrincipalId: identity.outputs.principalId
    anchorContainerName: anchorContainerName
    // anchorPolicyLocked (deprecated) meant the default container, the only one there was.
    lockedAnchorContainers: union(lockedAnchorContainers, anchorPolicyLocked ? ['audit-anchors'] : [])
    sku: storageSku
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'acrbot-key-vault'
  params: {
    // Key Vault names: 3-24 letters, digits and hyphens, ending in a letter or digit, globally
    // unique. The hyphen before the token is dropped when the name would end with it.
    name: endsWith(take('kv-${replace(toLower(environmentName), '-', '')}-${token}', 24), '-')
      ? take('kv-${replace(toLower(environmentName), '-', '')}${token}', 24)
      : take('kv-${replace(toLower(environmentName), '-', '')}-${token}', 24)
    location: location
    tags: allTags
    readerPrincipalId: identity.outputs.principalId
  }
}

// Empty parts (the placeholder in main.parameters.json) are this deployment's subscription and group.
var imageRegistrySubscriptionId = empty(imageRegistry.subscriptionId)
  ? subscription().subscriptionId
  : imageRegistry.subscriptionId
var imageRegistryResourceGroup = empty(imageRegistry.resourceGroup) ? resourceGroup().name : imageRegistry.resourceGroup

module imagePull 'modules/image-pull.bicep' = if (!empty(containerImage) && !empty(imageRegistry.name)) {
  name: 'acrbot-image-pull'
  scope: resourceGroup(imageRegistrySubscriptionId, imageRegistryResourceGroup)
  params: {
    registryName: imageRegistry.name
    principalId: identity.outputs.principalId
  }
}

module app 'modules/app-service.bicep' = {
  name: 'acrbot-app'
  params: {
    name: 'app-${baseName}'
    planName: 'plan-${baseName}'
    location: location
    tags: allTags
    sku: appServiceSku
    instanceCount: instanceCount
    containerImage: containerImage
    identityResourceId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    appInsightsName: monitoring.outputs.appInsightsName
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    tabAppId: tabAppId
    tabDomain: tabDomain
    extraAppSettings: extraAppSettings
    appSettings: {
      ACRBOT_MODE: 'azure'
      NODE_ENV: 'production'
      // UserAssignedMSI: the bot authenticates to the Bot Framework with the managed identity,
      // so there is no app password to store, rotate or leak. It is single-tenant by nature.
      MicrosoftAppId: identity.outputs.clientId
      MicrosoftAppType: 'UserAssignedMSI'
      MicrosoftAppTenantId: tenant().tenantId
      // DefaultAzureCredential picks this user-assigned identity for ARM and Graph.
      AZURE_CLIENT_ID: identity.outputs.clientId
      ACRBOT_SUBSCRIPTION_IDS: join(effectiveSubscriptionIds, ',')
      ACRBOT_APPROVERS: join(approverObjectIds, ',')
      ACRBOT_APPROVER_GROUP: approverGroupId
      ACRBOT_APPROVAL_CHANNEL: approvalChannelId
      // Empty reads as unset: approvals then follow the one rule the two settings above make.
      ACRBOT_POLICY: policyFilePath
      ACRBOT_AUDIT_CHANNEL: auditChannelId
      ACRBOT_ALLOWED_TENANTS: join(allowedTenantIds, ',')
      // Azure Tables through the managed identity (DefaultAzureCredential with AZURE_CLIENT_ID);
      // no key: the account has shared keys disabled.
      ACRBOT_STORAGE: 'tables:${storage.outputs.tableEndpoint}'
      // The MAC key of the audit chain, kept out of the store: a Key Vault reference.
      // Signed chain heads, appended to the immutable container (outside the store).
      ACRBOT_AUDIT_ANCHOR: storage.outputs.anchorContainerUrl
      ACRBOT_AUDIT_KEY: '@Microsoft.KeyVault(VaultName=${vault.outputs.vaultName};SecretName=acrbot-audit-key)'
    }
  }
  dependsOn: [imagePull]
}

module bot 'modules/bot.bicep' = {
  name: 'acrbot-bot'
  params: {
    name: 'bot-${baseName}'
    displayName: botDisplayName
    sku: botSku
    tags: allTags
    endpoint: 'https://${app.outputs.defaultHostName}/api/messages'
    msaAppId: identity.outputs.clientId
    msaAppMsiResourceId: identity.outputs.id
    tenantId: tenant().tenantId
  }
}

// Rights on each managed registry and cluster: on that resource, and Reader on its resource group
// (to tell a deleted resource from a refusal; see the modules).
module registryAccess 'modules/registry-access.bicep' = [
  for r in managedRegistries: {
    name: 'acrbot-registry-${uniqueString(r.subscriptionId, r.resourceGroup, r.name)}'
    scope: resourceGroup(r.subscriptionId, r.resourceGroup)
    params: {
      registryName: r.name
      principalId: identity.outputs.principalId
    }
  }
]

// The limit RBAC cannot express for the token role: tokens only on pull-only scope maps, scope
// maps read-only (modules/acr-token-policy-definition.bicep). The definition is a subscription
// resource (once per subscription that holds a managed registry; it grants nothing); each
// registry gets an assignment on its resource group, limited to that registry.
var tokenPolicyName = 'acrbot-acr-pull-only-tokens'
var registrySubscriptionIds = union(map(managedRegistries, r => r.subscriptionId), [])

module tokenPolicyDefinition 'modules/acr-token-policy-definition.bicep' = [
  for s in registrySubscriptionIds: {
    name: 'acrbot-token-policy-${uniqueString(s)}'
    scope: subscription(s)
    params: {
      name: tokenPolicyName
    }
  }
]

module tokenPolicy 'modules/acr-token-policy.bicep' = [
  for r in managedRegistries: {
    name: 'acrbot-token-policy-${uniqueString(r.subscriptionId, r.resourceGroup, r.name)}'
    scope: resourceGroup(r.subscriptionId, r.resourceGroup)
    params: {
      registryName: r.name
      policyDefinitionName: tokenPolicyName
      effect: pullOnlyPolicyEffect
    }
    dependsOn: [tokenPolicyDefinition]
  }
]

module clusterAccess 'modules/cluster-access.bicep' = [
  for c in managedClusters: {
    name: 'acrbot-cluster-${uniqueString(c.subscriptionId, c.resourceGroup, c.name)}'
    scope: resourceGroup(c.subscriptionId, c.resourceGroup)
    params: {
      clusterName: c.name
      principalId: identity.outputs.principalId
    }
  }
]

// ---------------------------------------------------------------------------------------
// Outputs (azd writes these to .azure/<env>/.env; `npm run package` reads BOT_ID, BOT_DOMAIN and TAB_APP_ID).
// Ids and host names only: nothing here is a secret.
// ---------------------------------------------------------------------------------------

@description('The bot\'s Microsoft App ID (the managed identity\'s client id): the Teams manifest id and botId.')
output BOT_ID string = identity.outputs.clientId

@description('Host name the bot and its tabs are served from (the custom domain when tabDomain is set); goes into the Teams manifest.')
output BOT_DOMAIN string = empty(tabDomain) ? app.outputs.defaultHostName : toLower(tabDomain)

@description('Object id of the bot identity, for Graph app-role assignments and in-cluster RBAC bindings.')
output BOT_PRINCIPAL_ID string = identity.outputs.principalId

@description('Client id of the bot identity (same as BOT_ID).')
output AZURE_CLIENT_ID string = identity.outputs.clientId

@description('The tabs\' app registration (empty when the tabs are off); `npm run package` puts it in webApplicationInfo.')
output TAB_APP_ID string = tabAppId

@description('App Service name, for `az webapp` commands.')
output APP_NAME string = app.outputs.name

@description('Azure Bot resource name.')
output BOT_RESOURCE_NAME string = bot.outputs.name
