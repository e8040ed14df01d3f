/**
 * Picks the identity that pulls images, exactly as PRODUCT.md "Facts" and
 * `az aks update --attach-acr` do.
 */
import type { ClusterInfo } from './azure-model';
import { UserFacingError } from './errors';

/** The assignee, or what must be looked up to find it. */
export type PullIdentity =
  | { kind: 'kubelet'; objectId: string; description: string }
  | { kind: 'servicePrincipal'; appId: string; description: string };

/**
 * Managed-identity clusters (identity.type SystemAssigned/UserAssigned) pull with the
 * kubelet identity: `identityProfile.kubeletidentity.objectId` — never `identity.principalId`,
 * which is the control plane. Older clusters pull with their service principal, whose
 * `clientId` is an app id that Graph resolves to an object id.
 */
export function choosePullIdentity(cluster: ClusterInfo): PullIdentity {
  const type = cluster.identity.identityType?.toLowerCase();
  if (type === 'systemassigned' || type === 'userassigned') {
    if (!cluster.identity.kubeletObjectId) {
      throw new UserFacingError(
        'cluster.noKubeletIdentity',
        `Cluster ${cluster.name} uses a managed identity but Azure reports no kubelet identity for it; check the cluster's provisioning state (az aks show -n ${cluster.name}) and try again.`,
      );
    }
    return {
      kind: 'kubelet',
      objectId: cluster.identity.kubeletObjectId,
      description: `kubelet managed identity (${type === 'systemassigned' ? 'system-assigned cluster' : 'user-assigned cluster'})`,
    };
  }
  const clientId = cluster.identity.servicePrincipalClientId;
  if (clientId && clientId.toLowerCase() !== 'msi') {
    return { kind: 'servicePrincipal', appId: clientId, description: 'cluster service principal' };
  }
  throw new UserFacingError(
    'cluster.noIdentity',
    `Cluster ${cluster.name} has neither a managed identity nor a service principal, so it cannot be granted pull access; use the secret command instead.`,
  );
}

/**
 * Whether `cluster` pulls with `identity` (a planned grant's: its object id, and its app id when a
 * service principal): its kubelet identity is that object, or its service principal is that app.
 * One user-assigned kubelet identity can serve several clusters (`--assign-kubelet-identity`), and
 * one app several service-principal clusters: a role assignment to it gives each of them pull. A
 * cluster with no usable pull identity pulls with none.
 */
export function pullsAs(cluster: ClusterInfo, identity: { objectId: string; appId?: string }): boolean {
  let chosen: PullIdentity;
  try {
    chosen = choosePullIdentity(cluster);
  } catch (err) {
    if (err instanceof UserFacingError) return false;
    throw err;
  }
  if (chosen.kind === 'kubelet') return chosen.objectId.toLowerCase() === identity.objectId.toLowerCase();
  return identity.appId !== undefined && chosen.appId.toLowerCase() === identity.appId.toLowerCase();
}
