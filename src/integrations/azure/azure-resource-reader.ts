/** Reads AKS clusters and ACR registries with the real Azure SDK clients. */
import type * as ContainerService from '@azure/arm-containerservice';
import type { ContainerServiceClient, ManagedCluster } from '@azure/arm-containerservice';
import type * as ContainerRegistry from '@azure/arm-containerregistry';
import type { ContainerRegistryManagementClient, Registry } from '@azure/arm-containerregistry';
import type { ClusterInfo, RegistryInfo } from '../../domain/azure-model';
import type { AzureResourceReader } from '../../domain/ports';
import { parseResourceId } from '../../domain/resource-id';
import type { RoleAssignmentMode } from '../../domain/roles';
import { type ArmConnection, isNotFound, modularClientOptions } from './arm-connection';

/** Maps the SDK's (flattened) cluster model to acrbot's. */
export function toClusterInfo(cluster: ManagedCluster): ClusterInfo {
  const id = parseResourceId(cluster.id ?? '');
  return {
    id: cluster.id ?? '',
    name: cluster.name ?? id?.name ?? '',
    subscriptionId: id?.subscriptionId ?? '',
    resourceGroup: id?.resourceGroup ?? '',
    location: cluster.location,
    identity: {
      identityType: cluster.identity?.type,
      servicePrincipalClientId: cluster.servicePrincipalProfile?.clientId,
      kubeletObjectId: cluster.identityProfile?.['kubeletidentity']?.objectId,
      controlPlanePrincipalId: cluster.identity?.principalId,
    },
    aadEnabled: Boolean(cluster.aadProfile?.managed),
    localAccountsDisabled: cluster.disableLocalAccounts === true,
    tags: cluster.tags ? { ...cluster.tags } : undefined,
  };
}

/** Maps the SDK's registry model to acrbot's. */
export function toRegistryInfo(registry: Registry): RegistryInfo {
  const id = parseResourceId(registry.id ?? '');
  return {
    id: registry.id ?? '',
    name: registry.name ?? id?.name ?? '',
    subscriptionId: id?.subscriptionId ?? '',
    resourceGroup: id?.resourceGroup ?? '',
    loginServer: registry.loginServer ?? '',
    roleAssignmentMode: (registry.roleAssignmentMode as RoleAssignmentMode | undefined) ?? 'LegacyRegistryPermissions',
    tags: registry.tags ? { ...registry.tags } : undefined,
    network: {
      publicNetworkAccess: registry.publicNetworkAccess,
      defaultAction: registry.networkRuleSet?.defaultAction,
      ipRuleCount: registry.networkRuleSet?.ipRules?.length ?? 0,
      privateEndpoints: (registry.privateEndpointConnections ?? []).filter(
        (p) => (p.privateLinkServiceConnectionState?.status ?? 'Approved') === 'Approved',
      ).length,
      anonymousPullEnabled: Boolean(registry.anonymousPullEnabled),
    },
  };
}

/** {@link AzureResourceReader} over ARM; one SDK client per subscription, made once. */
export class ArmResourceReader implements AzureResourceReader {
  private readonly aks = new Map<string, ContainerServiceClient>();
  private readonly acr = new Map<string, ContainerRegistryManagementClient>();

  constructor(private readonly connection: ArmConnection) {}

  /** The container service client for a subscription (also used by the secret flow). */
  aksClient(subscriptionId: string): ContainerServiceClient {
    let client = this.aks.get(subscriptionId);
    if (!client) {
      // The SDKs load on first use: a start (and a help turn) does not need them (P5).
      const { ContainerServiceClient } = require('@azure/arm-containerservice') as typeof ContainerService;
      client = new ContainerServiceClient(
        this.connection.credential,
        subscriptionId,
        modularClientOptions(this.connection),
      );
      this.aks.set(subscriptionId, client);
    }
    return client;
  }

  /** The container registry client for a subscription (also used by the secret flow). */
  acrClient(subscriptionId: string): ContainerRegistryManagementClient {
    let client = this.acr.get(subscriptionId);
    if (!client) {
      const { ContainerRegistryManagementClient } = require('@azure/arm-containerregistry') as typeof ContainerRegistry;
      client = new ContainerRegistryManagementClient(
        this.connection.credential,
        subscriptionId,
        modularClientOptions(this.connection),
      );
      this.acr.set(subscriptionId, client);
    }
    return client;
  }

  async getCluster(subscriptionId: string, resourceGroup: string, name: string): Promise<ClusterInfo | undefined> {
    try {
      return toClusterInfo(await this.aksClient(subscriptionId).managedClusters.get(resourceGroup, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listClusters(subscriptionId: string): Promise<ClusterInfo[]> {
    const out: ClusterInfo[] = [];
    for await (const c of this.aksClient(subscriptionId).managedClusters.list()) out.push(toClusterInfo(c));
    return out;
  }

  async getRegistry(subscriptionId: string, resourceGroup: string, name: string): Promise<RegistryInfo | undefined> {
    try {
      return toRegistryInfo(await this.acrClient(subscriptionId).registries.get(resourceGroup, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listRegistries(subscriptionId: string): Promise<RegistryInfo[]> {
    const out: RegistryInfo[] = [];
    for await (const r of this.acrClient(subscriptionId).registries.list()) out.push(toRegistryInfo(r));
    return out;
  }
}
