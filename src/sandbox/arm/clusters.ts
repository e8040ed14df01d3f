/**
 * AKS managed clusters: what a test seeds ({@link ClusterSpec}) and the JSON the emulator puts on
 * the wire (CONTRACTS §1.1). The SDK flattens `properties`; the wire keeps them nested.
 */
import { createHash } from 'node:crypto';
import { PROVIDERS, resourceId } from './arm-ids';

/** Seed description of a cluster. Only the identity fields matter to acrbot; the rest has defaults. */
export interface ClusterSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** `ServicePrincipal` = legacy cluster without an `identity` block. */
  identity: 'SystemAssigned' | 'UserAssigned' | 'ServicePrincipal';
  /** Control-plane identity (`identity.principalId` / the user-assigned identity's principalId). */
  controlPlanePrincipalId?: string;
  /** Client id of the user-assigned control-plane identity. */
  controlPlaneClientId?: string;
  /** Resource id of the user-assigned control-plane identity; defaults to `<rg>/…/userAssignedIdentities/<name>-identity`. */
  userAssignedIdentityId?: string;
  kubeletObjectId?: string;
  kubeletClientId?: string;
  /** For `ServicePrincipal` clusters: `servicePrincipalProfile.clientId`, an app id. */
  servicePrincipalAppId?: string;
  /** Entra ID integration (`aadProfile.managed`); its user credential is a kubelogin exec stanza. */
  aad?: boolean;
  /** `aadProfile.enableAzureRBAC`; defaults to `aad`. */
  enableAzureRBAC?: boolean;
  disableLocalAccounts?: boolean;
  /**
   * Private cluster: no `fqdn`, a `privateFQDN` and `apiServerAccessProfile.enablePrivateCluster`
   * instead; its kubeconfigs point at that private name (which resolves nowhere here) unless
   * {@link privateApiServerReachable}.
   */
  privateCluster?: boolean;
  /**
   * Private clusters only: acrbot runs where it can reach the private API server (its network,
   * a private endpoint), so kubeconfigs point at {@link apiServerUrl} like a public cluster's.
   */
  privateApiServerReachable?: boolean;
  /**
   * `powerState.code`; default `Running`. A `Stopped` cluster's control plane is off: its
   * kubeconfigs point at its own FQDN, never at the Kubernetes emulator, so nothing answers there.
   * Changed after seeding with {@link setClusterPowerState} or the stop/start operations.
   */
  powerState?: ClusterPowerCode;
  /** `networkProfile.outboundType`; default `loadBalancer` (AKS's default). */
  outboundType?:
    'loadBalancer' | 'managedNATGateway' | 'userAssignedNATGateway' | 'userDefinedRouting' | 'none' | 'block';
  kubernetesVersion?: string;
  dnsPrefix?: string;
  /** `server:` in kubeconfigs; defaults to `https://<fqdn>:443`. Point it at the Kubernetes emulator. */
  apiServerUrl?: string;
  /** CA of the API server, put into kubeconfigs as `certificate-authority-data`. */
  apiServerCaPem?: string;
  /** Static user token for local-account kubeconfigs; defaults to `sandbox-kube-token-<name>`. */
  token?: string;
  tenantId?: string;
  /** Azure resource tags (`tags` on the wire). */
  tags?: Record<string, string>;
}

/** AKS's power state codes (`PowerState.code`). */
export type ClusterPowerCode = 'Running' | 'Stopped';

/** Spec fields without a default: they stay optional in the record. */
type NoDefault =
  | 'apiServerUrl'
  | 'apiServerCaPem'
  | 'controlPlanePrincipalId'
  | 'controlPlaneClientId'
  | 'userAssignedIdentityId'
  | 'kubeletObjectId'
  | 'kubeletClientId'
  | 'servicePrincipalAppId'
  | 'tags';

/** Stored cluster: the spec with every default filled in. */
export interface ClusterRecord extends Required<Omit<ClusterSpec, NoDefault>>, Pick<ClusterSpec, NoDefault> {
  id: string;
  fqdn: string;
  nodeResourceGroup: string;
}

/** Fills in defaults; `tenantId` comes from the emulator. */
export function clusterRecord(spec: ClusterSpec, tenantId: string): ClusterRecord {
  const location = spec.location ?? 'eastus';
  const dnsPrefix = spec.dnsPrefix ?? `${spec.name}-dns`;
  // A stable pseudo-random suffix, like the 8 hex chars AKS adds to the API server host name.
  const suffix = createHash('sha256')
    .update(`${spec.subscriptionId}/${spec.resourceGroup}/${spec.name}`.toLowerCase())
    .digest('hex')
    .slice(0, 8);
  const zone = spec.privateCluster ? 'privatelink' : 'hcp';
  const aad = spec.aad ?? false;
  return {
    ...spec,
    id: resourceId(spec.subscriptionId, spec.resourceGroup, PROVIDERS.managedClusters, spec.name),
    location,
    dnsPrefix,
    fqdn: `${dnsPrefix}-${suffix}.${zone}.${location}.azmk8s.io`,
    nodeResourceGroup: `MC_${spec.resourceGroup}_${spec.name}_${location}`,
    aad,
    enableAzureRBAC: spec.enableAzureRBAC ?? aad,
    disableLocalAccounts: spec.disableLocalAccounts ?? false,
    privateCluster: spec.privateCluster ?? false,
    privateApiServerReachable: spec.privateApiServerReachable ?? false,
    powerState: spec.powerState ?? 'Running',
    outboundType: spec.outboundType ?? 'loadBalancer',
    kubernetesVersion: spec.kubernetesVersion ?? '1.31.2',
    token: spec.token ?? `sandbox-kube-token-${spec.name.toLowerCase()}`,
    tenantId: spec.tenantId ?? tenantId,
  };
}

/** The managed cluster as GET returns it. */
export function clusterToWire(c: ClusterRecord): Record<string, unknown> {
  const managedIdentity = c.identity !== 'ServicePrincipal';
  const properties: Record<string, unknown> = {
    provisioningState: 'Succeeded',
    powerState: { code: c.powerState },
    kubernetesVersion: c.kubernetesVersion,
    currentKubernetesVersion: c.kubernetesVersion,
    dnsPrefix: c.dnsPrefix,
    ...(c.privateCluster
      ? { privateFQDN: c.fqdn }
      : { fqdn: c.fqdn, azurePortalFQDN: c.fqdn.replace('.hcp.', '.portal.hcp.') }),
    agentPoolProfiles: [
      {
        name: 'nodepool1',
        count: 3,
        vmSize: 'Standard_D4s_v5',
        osType: 'Linux',
        mode: 'System',
        type: 'VirtualMachineScaleSets',
        provisioningState: 'Succeeded',
        // Stopping a cluster stops its node pools too.
        powerState: { code: c.powerState },
        orchestratorVersion: c.kubernetesVersion,
      },
    ],
    enableRBAC: true,
    nodeResourceGroup: c.nodeResourceGroup,
    servicePrincipalProfile: { clientId: managedIdentity ? 'msi' : c.servicePrincipalAppId },
    disableLocalAccounts: c.disableLocalAccounts,
    networkProfile: { networkPlugin: 'azure', loadBalancerSku: 'standard', outboundType: c.outboundType },
  };
  if (c.privateCluster)
    properties['apiServerAccessProfile'] = {
      enablePrivateCluster: true,
      privateDNSZone: 'system',
      enablePrivateClusterPublicFQDN: false,
    };
  if (managedIdentity) {
    properties['identityProfile'] = {
      kubeletidentity: {
        // Real responses use lowercase `resourcegroups` here, unlike the cluster id.
        resourceId: `/subscriptions/${c.subscriptionId}/resourcegroups/${c.nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${c.name}-agentpool`,
        clientId: c.kubeletClientId,
        objectId: c.kubeletObjectId,
      },
    };
  }
  if (c.aad) properties['aadProfile'] = { managed: true, enableAzureRBAC: c.enableAzureRBAC, tenantID: c.tenantId };

  const wire: Record<string, unknown> = {
    id: c.id,
    name: c.name,
    type: PROVIDERS.managedClusters,
    location: c.location,
    sku: { name: 'Base', tier: 'Free' },
  };
  // ARM puts `tags` at the top level of a tracked resource, and omits it when there are none.
  if (c.tags && Object.keys(c.tags).length > 0) wire['tags'] = { ...c.tags };
  if (c.identity === 'SystemAssigned') {
    wire['identity'] = { type: 'SystemAssigned', principalId: c.controlPlanePrincipalId, tenantId: c.tenantId };
  } else if (c.identity === 'UserAssigned') {
    wire['identity'] = {
      type: 'UserAssigned',
      userAssignedIdentities: {
        [userAssignedIdentityId(c)]: { clientId: c.controlPlaneClientId, principalId: c.controlPlanePrincipalId },
      },
    };
  }
  wire['properties'] = properties;
  return wire;
}

/** Resource id of the user-assigned control-plane identity. */
export function userAssignedIdentityId(c: ClusterRecord): string {
  return (
    c.userAssignedIdentityId ??
    `/subscriptions/${c.subscriptionId}/resourcegroups/${c.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${c.name}-identity`
  );
}

/**
 * Starts or stops a cluster at once, as `az aks start`/`az aks stop` leave it once their
 * operation finished (the routes' stop/start, or a test altering a seeded cluster).
 */
export function setClusterPowerState(c: ClusterRecord, code: ClusterPowerCode): ClusterRecord {
  c.powerState = code;
  return c;
}
