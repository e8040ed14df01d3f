/** Reads AKS clusters and ACR registries with the real Azure SDK clients. */
import type * as ContainerService from '@azure/arm-containerservice';
import type { ContainerServiceClient, ManagedCluster } from '@azure/arm-containerservice';
import type * as ContainerRegistry from '@azure/arm-containerregistry';
import type { ContainerRegistryManagementClient, Registry } from '@azure/arm-containerregistry';
import type { ClusterInfo, RegistryInfo } from '../../domain/azure-model';
import type { AzureResourceReader } from '../../domain/ports';
import { parseResourceId } from '../../domain/resource-id';
import type { RoleAssignmentMode } from '../../domain/roles';
import { type ArmConnection, collect, modularClientOptions, unlessNotFound } from './arm-connection';

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

/** The value cached under `key`, made by `make` the first time. */
function once<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** {@link AzureResourceReader} over ARM; one SDK client per subscription, made once. */
export class ArmResourceReader implements AzureResourceReader {
  private readonly aks = new Map<string, ContainerServiceClient>();
  private readonly acr = new Map<string, ContainerRegistryManagementClient>();

  constructor(private readonly connection: ArmConnection) {}

  /** The container service client for a subscription (also used by the secret flow). */
  aksClient(subscriptionId: string): ContainerServiceClient {
    return once(this.aks, subscriptionId, () => {
      // The SDKs load on first use: a start (and a help turn) does not need them (P5).
      const { ContainerServiceClient } = require('@azure/arm-containerservice') as typeof ContainerService;
      return new ContainerServiceClient(
        this.connection.credential,
        subscriptionId,
        modularClientOptions(this.connection),
      );
    });
  }

  // Like aksClient, for the other SDK: the two differ only in the client class they load.
  /** The container registry client for a subscription (also used by the secret flow). */
  acrClient(subscriptionId: string): ContainerRegistryManagementClient {
    return once(this.acr, subscriptionId, () => {
      const { ContainerRegistryManagementClient } = require('@azure/arm-containerregistry') as typeof ContainerRegistry;
      return new ContainerRegistryManagementClient(
        this.connection.credential,
        subscriptionId,
        modularClientOptions(this.connection),
      );
    });
  }

  getCluster(subscriptionId: string, resourceGroup: string, name: string): Promise<ClusterInfo | undefined> {
    return unlessNotFound(async () =>
      toClusterInfo(await this.aksClient(subscriptionId).managedClusters.get(resourceGroup, name)),
    );
  }

  listClusters(subscriptionId: string): Promise<ClusterInfo[]> {
    return collect(this.aksClient(subscriptionId).managedClusters.list(), toClusterInfo);
  }

  getRegistry(subscriptionId: string, resourceGroup: string, name: string): Promise<RegistryInfo | undefined> {
    return unlessNotFound(async () =>
      toRegistryInfo(await this.acrClient(subscriptionId).registries.get(resourceGroup, name)),
    );
  }

  listRegistries(subscriptionId: string): Promise<RegistryInfo[]> {
    return collect(this.acrClient(subscriptionId).registries.list(), toRegistryInfo);
  }
}
