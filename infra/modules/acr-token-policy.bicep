// Assigns the pull-only token policy (acr-token-policy-definition.bicep) to ONE managed
// registry: the assignment sits on the registry's resource group (the narrowest scope Azure
// Policy assignments take) and its registryNames parameter limits the rule to this registry.
// The bot identity gets no right on policies or exemptions, so it cannot lift the rule.

@description('Name of the existing registry, in this deployment\'s resource group.')
param registryName string

@description('Name of the policy definition, in this subscription.')
param policyDefinitionName string

@allowed(['Deny', 'Audit', 'Disabled'])
@description('Deny blocks non-pull tokens and writable scope maps; Audit only reports them.')
param effect string = 'Deny'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource pullOnlyTokens 'Microsoft.Authorization/policyAssignments@2024-04-01' = {
  name: guid(registry.id, 'acrbot-acr-pull-only-tokens')
  properties: {
    displayName: 'acrbot: pull-only ACR tokens on ${registryName}'
    description: 'Tokens of this registry may use only _repositories_pull or acrbot-* scope maps; scope maps may only read (docs/deploy.md).'
    policyDefinitionId: subscriptionResourceId('Microsoft.Authorization/policyDefinitions', policyDefinitionName)
    enforcementMode: 'Default'
    parameters: {
      registryNames: {
        value: [registryName]
      }
      effect: {
        value: effect
      }
    }
  }
}
