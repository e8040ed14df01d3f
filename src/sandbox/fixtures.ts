/**
 * The sandbox world: fixed ids for the tenant, subscriptions, clusters, registries and people
 * that the emulators seed and the tests and quickstart refer to. Emulators and tests import
 * these constants; the bot never does (it only learns them through the emulated APIs and the
 * sandbox defaults in config).
 */

/** The emulated Entra tenant. */
export const SANDBOX_TENANT_ID = '5b1e2c3d-0000-4000-8000-00000000a0a0';

/**
 * Prefix of the sandbox's access tokens, which name their audience:
 * `sandbox-token-acrbot;aud=<audience>` (identity/access-tokens.ts). Alone it is no valid token:
 * each emulator accepts only a token for its own audience. Not a secret: it only opens the local
 * emulators.
 */
export const SANDBOX_BEARER_TOKEN = 'sandbox-token-acrbot';

/** The two emulated subscriptions. `sharedacr` exists in both (ambiguous registry name). */
export const SANDBOX_SUBSCRIPTIONS = {
  platform: '1f0c0000-0000-4000-8000-000000000001',
  data: '2f0c0000-0000-4000-8000-000000000002',
} as const;

/** People in the emulated directory. The approver is the sandbox's seeded approver. */
export const SANDBOX_USERS = {
  requester: {
    objectId: '0a000000-0000-4000-8000-00000000aaa1',
    name: 'Riley Requester',
    teamsId: '29:riley-requester',
  },
  approver: { objectId: '0a000000-0000-4000-8000-00000000bbb2', name: 'Alex Approver', teamsId: '29:alex-approver' },
  outsider: { objectId: '0a000000-0000-4000-8000-00000000ccc3', name: 'Oscar Outsider', teamsId: '29:oscar-outsider' },
  /**
   * In the approver group (not in the default single-approver setup): the second approver of
   * two-approver policies. A Playground user (playground/.m365agentsplayground.yml).
   */
  secondApprover: {
    objectId: '0a000000-0000-4000-8000-00000000ddd4',
    name: 'Megan Developer',
    teamsId: '29:megan-developer',
  },
  /** On call: in the break-glass group, not an approver. A Playground user. */
  oncall: { objectId: '0a000000-0000-4000-8000-00000000eee5', name: 'Adele Operator', teamsId: '29:adele-operator' },
} as const;

/** Entra group whose (transitive) members may approve. Contains the approver only. */
export const SANDBOX_APPROVER_GROUP_ID = '0b000000-0000-4000-8000-0000000000a9';

/** Entra group of the people on call, who may use break-glass in the sandbox's example policy. */
export const SANDBOX_ONCALL_GROUP_ID = '0b000000-0000-4000-8000-0000000000b8';

/** The Teams channel the sandbox posts approval cards to. */
export const SANDBOX_APPROVAL_CHANNEL_ID = '19:sandbox-approvals@thread.tacv2';

/** Seeded AKS clusters. */
export const SANDBOX_CLUSTERS = {
  /** SystemAssigned managed identity; AAD-enabled with Azure RBAC. */
  prod: {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.platform,
    resourceGroup: 'rg-aks',
    name: 'aks-prod',
    identity: 'SystemAssigned' as const,
    controlPlanePrincipalId: '0c000000-0000-4000-8000-0000000000c1',
    kubeletObjectId: '0d000000-0000-4000-8000-0000000000d1',
    kubeletClientId: '0e000000-0000-4000-8000-0000000000e1',
    aad: true,
    /** Entra ID only: no static (local-account) credential exists, as a production cluster should be. */
    disableLocalAccounts: true,
    tags: { env: 'prod', team: 'payments' },
  },
  /** Legacy service-principal cluster: servicePrincipalProfile.clientId is an app id. */
  legacy: {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.platform,
    resourceGroup: 'rg-legacy',
    name: 'aks-legacy',
    identity: 'ServicePrincipal' as const,
    servicePrincipalAppId: '0f000000-0000-4000-8000-0000000000f2',
    servicePrincipalObjectId: '0f100000-0000-4000-8000-0000000000f3',
    aad: false,
  },
  /** UserAssigned managed identity, in the second subscription; local accounts (no AAD). */
  dev: {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.data,
    resourceGroup: 'rg-dev',
    name: 'aks-dev',
    identity: 'UserAssigned' as const,
    controlPlanePrincipalId: '0c000000-0000-4000-8000-0000000000c4',
    kubeletObjectId: '0d000000-0000-4000-8000-0000000000d4',
    kubeletClientId: '0e000000-0000-4000-8000-0000000000e4',
    aad: false,
    tags: { env: 'dev' },
  },
} as const;

/** Seeded container registries. Login servers are lowercase, as Azure returns them. */
export const SANDBOX_REGISTRIES = {
  /** Classic role model: AcrPull works. */
  contoso: {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.platform,
    resourceGroup: 'rg-acr',
    name: 'contosoacr',
    loginServer: 'contosoacr.azurecr.io',
    roleAssignmentMode: 'LegacyRegistryPermissions' as const,
    tags: { owner: 'platform' },
  },
  /** ABAC mode: AcrPull is not honoured; Container Registry Repository Reader instead. */
  abac: {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.platform,
    resourceGroup: 'rg-acr',
    name: 'contosoabac',
    loginServer: 'contosoabac.azurecr.io',
    roleAssignmentMode: 'AbacRepositoryPermissions' as const,
  },
  /** `sharedacr` exists in both subscriptions: a name lookup is ambiguous. */
  sharedPlatform: {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.platform,
    resourceGroup: 'rg-shared',
    name: 'sharedacr',
    loginServer: 'sharedacr.azurecr.io',
    roleAssignmentMode: 'LegacyRegistryPermissions' as const,
  },
  sharedData: {
    subscriptionId: SANDBOX_SUBSCRIPTIONS.data,
    resourceGroup: 'rg-shared-data',
    name: 'sharedacr',
    loginServer: 'sharedacr-b7c1.azurecr.io',
    roleAssignmentMode: 'LegacyRegistryPermissions' as const,
  },
} as const;

/** Object id of the bot's own identity in the sandbox directory (the caller ARM sees). */
export const SANDBOX_BOT_OBJECT_ID = '0a000000-0000-4000-8000-00000000b07a';

/** Builds the ARM id of a seeded cluster or registry. */
export function sandboxResourceId(
  kind: 'cluster' | 'registry',
  r: { subscriptionId: string; resourceGroup: string; name: string },
): string {
  const provider =
    kind === 'cluster' ? 'Microsoft.ContainerService/managedClusters' : 'Microsoft.ContainerRegistry/registries';
  return `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${provider}/${r.name}`;
}

/** Application (client) id of the bot's own service principal in the sandbox directory. */
export const SANDBOX_BOT_APP_ID = '0a100000-0000-4000-8000-00000000b07b';

/**
 * A role assignment seeded as if made outside acrbot: AcrPull for aks-legacy's service principal
 * on resource group rg-shared (so it covers `sharedacr` in the platform subscription).
 */
export const SANDBOX_OUTSIDE_GRANT = {
  name: '5eed0000-0000-4000-8000-0000000000a1',
  subscriptionId: SANDBOX_SUBSCRIPTIONS.platform,
  resourceGroup: 'rg-shared',
  roleDefinitionGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  principalId: SANDBOX_CLUSTERS.legacy.servicePrincipalObjectId,
} as const;
