/** Builders for domain objects used across unit tests. */
import type { AuditEvent } from '../../../src/domain/audit-chain';
import type { RoleAssignmentInfo } from '../../../src/domain/azure-model';
import type { GrantPlan, SecretPlan } from '../../../src/domain/plan';
import type { AccessRequest, Actor } from '../../../src/domain/request';
import { ROLE_IDS } from '../../../src/domain/roles';
import type { NewRequest } from '../../../src/flows/request-creation';
import { TENANT } from './policy-fixtures';

export const SUB = '1f0c0000-0000-4000-8000-000000000001';
export const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`;
export const CLUSTER_ID = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod`;

export const REQUESTER: Actor = { objectId: '0a000000-0000-4000-8000-00000000aaa1', name: 'Riley Requester' };
export const APPROVER: Actor = { objectId: '0a000000-0000-4000-8000-00000000bbb2', name: 'Alex Approver' };
export const OUTSIDER: Actor = { objectId: '0a000000-0000-4000-8000-00000000ccc3', name: 'Oscar Outsider' };

export function grantPlan(): GrantPlan {
  return {
    kind: 'grant',
    cluster: { id: CLUSTER_ID, name: 'aks-prod', subscriptionId: SUB, resourceGroup: 'rg-aks' },
    registry: {
      id: REGISTRY_ID,
      name: 'contosoacr',
      subscriptionId: SUB,
      resourceGroup: 'rg-acr',
      loginServer: 'contosoacr.azurecr.io',
      roleAssignmentMode: 'LegacyRegistryPermissions',
    },
    identity: {
      kind: 'kubelet',
      objectId: '0d000000-0000-4000-8000-0000000000d1',
      description: 'kubelet managed identity',
    },
    role: { id: ROLE_IDS.acrPull, name: 'AcrPull' },
    scope: REGISTRY_ID,
    roleAssignmentName: '00000000-0000-5000-8000-000000000000',
    operations: ['Create role assignment'],
  };
}

/**
 * The role assignment acrbot makes for `plan` as Azure lists it: under the plan's own name, on
 * the registry, with the plan's role for its identity ("own role assignment").
 */
export function ownRoleAssignment(plan: GrantPlan = grantPlan()): RoleAssignmentInfo {
  return {
    id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
    name: plan.roleAssignmentName,
    scope: plan.scope,
    roleDefinitionId: `/subscriptions/${plan.registry.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
    principalId: plan.identity.objectId,
  };
}

/** A token-backed pull secret `payments/acr-auth` on the {@link grantPlan} cluster and registry. */
export function secretPlan(overrides: Partial<SecretPlan> = {}): SecretPlan {
  const g = grantPlan();
  return {
    kind: 'secret',
    cluster: { ...g.cluster, aadEnabled: false },
    registry: g.registry,
    credentialKind: 'token',
    credentialName: 'acrbot-',
    repositories: [],
    namespace: 'payments',
    secretName: 'acr-auth',
    expiresAt: '2025-04-15T09:00:00.000Z',
    operations: [],
    ...overrides,
  };
}

/** A pending request created at `createdAt` that expires 24 h later. */
export function pendingRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  const createdAt = overrides.createdAt ?? '2025-01-15T09:00:00.000Z';
  return {
    id: 'R-7K2M9QXA',
    version: 1,
    state: 'pending',
    tenantId: '5b1e2c3d-0000-4000-8000-00000000a0a0',
    requester: REQUESTER,
    reason: 'deploy payments-api to prod',
    plan: grantPlan(),
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 24 * 3_600_000).toISOString(),
    updatedAt: createdAt,
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    sandbox: true,
    ...overrides,
  };
}

export function auditEvent(n: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    actor: { objectId: REQUESTER.objectId, name: REQUESTER.name },
    tenantId: '5b1e2c3d-0000-4000-8000-00000000a0a0',
    action: 'request.created',
    requestId: `req-${n}`,
    targetIds: [REGISTRY_ID],
    outcome: 'pending',
    detail: `event ${n}`,
    ...overrides,
  };
}

/** What `RequestService.create` takes for `requester`'s grant to deploy payments-api, asked in a channel. */
export function newGrant(requester: Actor = REQUESTER): NewRequest {
  return {
    requester,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
  };
}
