/**
 * Access inventory pieces (clusters, acrbot's request refs, role assignments, ended paths) on the
 * registry of ./requests.ts, as the access card and ended-access tests put them, so each test
 * builds only the paths and cells it is about.
 */
import type {
  AcrbotRequestRef,
  EndedGrantPath,
  InventoryCluster,
  PullPath,
  RoleAssignmentPath,
} from '../../../src/domain/access-inventory';
import type { RegistryNetwork } from '../../../src/domain/azure-model';
import { CLUSTER_ID, REGISTRY_ID, SUB } from './requests';

/** Where the registry's role assignments live (each path's id is this, a slash and its name). */
export const ASSIGNMENTS = `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments`;

/** A cluster named `name` (its id the fixtures' cluster id and `-name`), in `resourceGroup`. */
export const inventoryCluster = (name: string, resourceGroup = 'rg-aks'): InventoryCluster => ({
  id: `${CLUSTER_ID}-${name}`,
  name,
  subscriptionId: SUB,
  resourceGroup,
});

/** Request R-AAAAAAA1 of Riley Requester, approved by Alex Approver, active until 2025-02-13; `over` changes any of it. */
export const requestRef = (over: Partial<AcrbotRequestRef> = {}): AcrbotRequestRef => ({
  requestId: 'R-AAAAAAA1',
  requesterName: 'Riley Requester',
  requesterId: 'u1',
  approvedBy: 'Alex Approver',
  expiresAt: '2025-02-13T10:00:00.000Z',
  state: 'active',
  ...over,
});

/** AcrPull on the registry (assignment 1), honoured, made by acrbot for {@link requestRef}, active; `over` changes any of it. */
export const acrbotRole = (over: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath => ({
  kind: 'roleAssignment',
  assignmentId: `${ASSIGNMENTS}/1`,
  roleGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  roleName: 'AcrPull',
  scope: REGISTRY_ID,
  scopeLevel: 'registry',
  conditional: false,
  honoured: true,
  origin: 'acrbot',
  requests: [requestRef()],
  state: 'active',
  ...over,
});

/** AcrPull on the registry (assignment 2) that Alex Approver revoked on 2025-01-14 for request `id`. */
export const revokedGrant = (id = 'R-REVOKED1'): EndedGrantPath => ({
  kind: 'endedGrant',
  assignmentId: `${ASSIGNMENTS}/2`,
  roleName: 'AcrPull',
  scope: REGISTRY_ID,
  request: requestRef({
    requestId: id,
    state: 'revoked',
    revokedBy: 'Alex Approver',
    revokedAt: '2025-01-14T09:00:00.000Z',
  }),
  state: 'revoked',
});

/** Pull secret payments/acr-auth (a token) of request R-EXPIRED1, expired; `over` changes its request. */
export const expiredPullSecret = (over: Partial<AcrbotRequestRef> = {}): PullPath => ({
  kind: 'pullSecret',
  namespace: 'payments',
  secretName: 'acr-auth',
  credentialKind: 'token',
  request: requestRef({ requestId: 'R-EXPIRED1', state: 'expired', ...over }),
  state: 'expired',
});

/** Anonymous pull on, behind a firewall (Deny with two IP rules): any cluster can pull, on a condition. */
export const ANONYMOUS_BEHIND_FIREWALL: RegistryNetwork = {
  publicNetworkAccess: 'Enabled',
  defaultAction: 'Deny',
  ipRuleCount: 2,
  privateEndpoints: 0,
  anonymousPullEnabled: true,
};
