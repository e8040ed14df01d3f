// Azure Policy definition (subscription scope: a policy definition cannot live in a resource
// group). It grants nothing by itself; acr-token-policy.bicep assigns it to each managed
// registry's resource group. Why it exists: the bot's token role (registry-access.bicep) needs
// tokens/* and scopeMaps/write, which Azure RBAC cannot limit to pull-only tokens. This policy
// is the limit RBAC cannot express: on the managed registries,
//   (a) a token may be bound only to the built-in _repositories_pull scope map or to a scope map
//       named acrbot-* (acrbot's own --repositories maps, which (b) keeps read-only), and
//   (b) a scope map may hold only repositories/<repo>/content/read and …/metadata/read.
// It applies to every caller, not only the bot (Azure Policy cannot tell callers apart): on these
// registries nobody creates push/delete tokens; pushes use Entra identities (AcrPush) instead.
// Aliases: see docs/deploy.md ("Azure Policy: pull-only tokens") for what was verified and how
// to check them before deploying; an unknown alias makes this deployment fail, never pass silently.
targetScope = 'subscription'

@description('Name of the definition; the assignments refer to it by this name.')
param name string = 'acrbot-acr-pull-only-tokens'

var tokenScopeMap = 'Microsoft.ContainerRegistry/registries/tokens/scopeMapId'
var scopeMapActions = 'Microsoft.ContainerRegistry/registries/scopeMaps/actions[*]'
// The bound scope map's name: the last segment of the token's scopeMapId ('' when absent, so an
// unbound token is denied too rather than failing the evaluation).
var boundScopeMap = '[if(empty(field(\'${tokenScopeMap}\')), \'\', last(split(field(\'${tokenScopeMap}\'), \'/\')))]'

resource pullOnlyTokens 'Microsoft.Authorization/policyDefinitions@2023-04-01' = {
  name: name
  properties: {
    policyType: 'Custom'
    // 'All': tokens and scope maps are child resources without tags or location, which
    // 'Indexed' would skip.
    mode: 'All'
    displayName: 'acrbot: ACR tokens only on pull-only scope maps; scope maps read-only'
    description: 'On the registries acrbot manages: deny tokens bound to any scope map other than _repositories_pull or acrbot-* and deny scope maps with any action other than content/read and metadata/read.'
    metadata: {
      category: 'Container Registry'
      version: '1.0.0'
    }
    parameters: {
      registryNames: {
        type: 'Array'
        metadata: {
          displayName: 'Registries'
          description: 'Names of the registries (in the assigned scope) the rule applies to.'
        }
      }
      effect: {
        type: 'String'
        allowedValues: ['Deny', 'Audit', 'Disabled']
        defaultValue: 'Deny'
        metadata: {
          displayName: 'Effect'
          description: 'Deny blocks the write; Audit only reports it.'
        }
      }
    }
    policyRule: {
      if: {
        allOf: [
          {
            // fullName of a child resource is 'registry/token'; only the managed registries.
            value: '[first(split(field(\'fullName\'), \'/\'))]'
            in: '[parameters(\'registryNames\')]'
          }
          {
            anyOf: [
              {
                // (a) tokens bound to anything but a pull-only scope map
                allOf: [
                  {
                    field: 'type'
                    equals: 'Microsoft.ContainerRegistry/registries/tokens'
                  }
                  {
                    value: boundScopeMap
                    notEquals: '_repositories_pull'
                  }
                  {
                    value: boundScopeMap
                    notLike: 'acrbot-*'
                  }
                ]
              }
              {
                // (b) scope maps with any action but content/read and metadata/read
                allOf: [
                  {
                    field: 'type'
                    equals: 'Microsoft.ContainerRegistry/registries/scopeMaps'
                  }
                  {
                    count: {
                      field: scopeMapActions
                      where: {
                        allOf: [
                          {
                            field: scopeMapActions
                            notLike: 'repositories/*/content/read'
                          }
                          {
                            field: scopeMapActions
                            notLike: 'repositories/*/metadata/read'
                          }
                        ]
                      }
                    }
                    greater: 0
                  }
                ]
              }
            ]
          }
        ]
      }
      then: {
        effect: '[parameters(\'effect\')]'
      }
    }
  }
}
