/**
 * One cell of the tab's matrix (src/tab/tab-rows.ts `matrixRows`), drifted, between cluster aks
 * and registry acr (legacy registry permissions), built from the ways of pulling each test is
 * about; its rows by request id. The tab's drift tests share it so each builds only its paths.
 */
import type {
  AccessMatrix,
  AcrbotRequestRef,
  InventoryCluster,
  InventoryRegistry,
  PullPath,
  RoleAssignmentPath,
} from '../../../src/domain/access-inventory';
import { matrixRows } from '../../../src/tab/tab-rows';

/** The matrix's one cluster, aks. */
export const matrixCluster: InventoryCluster = { id: '/c/aks', name: 'aks', subscriptionId: 's', resourceGroup: 'rg' };

/** The matrix's one registry, acr, on legacy registry permissions (so AcrPull is honoured). */
export const matrixRegistry: InventoryRegistry = {
  id: '/r/acr',
  name: 'acr',
  subscriptionId: 's',
  resourceGroup: 'rg',
  loginServer: 'acr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};

/** Riley's request `id`, active until 2030; `extra` changes any of it. */
export const matrixRef = (id: string, extra: Partial<AcrbotRequestRef> = {}): AcrbotRequestRef => ({
  requestId: id,
  requesterName: 'Riley',
  requesterId: 'r-1',
  expiresAt: '2030-01-01T00:00:00.000Z',
  state: 'active',
  ...extra,
});

/**
 * The AcrPull of `request` on the registry, not (or no longer) in Azure's listing, in `state`;
 * unverified, because the cluster's pull identity could not be determined.
 */
export const endedPath = (request: AcrbotRequestRef, state: 'drifted' | 'unverified' | 'expired'): PullPath => ({
  kind: 'endedGrant',
  assignmentId: `ra-${request.requestId}`,
  roleName: 'AcrPull',
  scope: matrixRegistry.id,
  request,
  state,
  ...(state === 'unverified' && { unverifiedBecause: 'its pull identity could not be determined' }),
});

/** acrbot's AcrPull assignment `assignmentId` on the registry, still listed, that it no longer honours, for `requests`. */
export const unhonouredRole = (assignmentId: string, requests: AcrbotRequestRef[]): RoleAssignmentPath => ({
  kind: 'roleAssignment',
  assignmentId,
  roleGuid: 'g',
  roleName: 'AcrPull',
  scope: matrixRegistry.id,
  scopeLevel: 'registry',
  conditional: false,
  honoured: false,
  origin: 'acrbot',
  requests,
  state: 'active',
});

/** The rows of the one drifted cell whose ways of pulling are `paths`, by request id. */
export const matrixRowsOf = (paths: PullPath[]) => {
  const matrix: AccessMatrix = {
    clusters: [matrixCluster],
    registries: [matrixRegistry],
    unresolvedClusters: [],
    generatedAt: 'g',
    cells: [{ cluster: matrixCluster, registry: matrixRegistry, state: 'drifted', canPull: false, paths }],
  };
  return new Map(matrixRows(matrix).map((r) => [r.requestId, r]));
};
