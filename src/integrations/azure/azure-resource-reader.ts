/** Reads AKS clusters and ACR registries with the real Azure SDK clients. */
import type * as ContainerService from '@azure/arm-containerservice';
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type * as ContainerRegistry from '@azure/arm-containerregistry';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { ClusterInfo, RegistryInfo } from '../../domain/azure-model';
import type { AzureResourceReader } from '../../domain/ports';
import { dropIdlePolicies } from '../http/idle-policies';
import { type ArmConnection, modularClientOptions, unlessAbsent } from './arm-connection';
import { ARM_API_VERSIONS, ArmRest } from './arm-rest';
import { clusterFromWire, registryFromWire, type WireManagedCluster, type WireRegistry } from './arm-wire';
import type { ScopeResource } from './refused-or-gone';

/**
 * The value cached for subscription `subscriptionId`, made by `make` the first time. Keyed
 * without letter case: a subscription id is a GUID, and ARM reads every spelling of it alike, so
 * each casing a user may type must not make (and keep) clients of its own.
 */
function once<T>(cache: Map<string, T>, subscriptionId: string, make: () => T): T {
  const key = subscriptionKey(subscriptionId);
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** The key of a subscription's cached clients: its id in lower case (see `once`). */
export function subscriptionKey(subscriptionId: string): string {
  return subscriptionId.toLowerCase();
}

/**
 * {@link AzureResourceReader} over ARM; one SDK client per subscription (whatever the letter case
 * of its id), made once, with the spelling it was first asked for. The reads go
 * through the client's pipeline without its operation layer ({@link ArmRest}, P8); the secret
 * flow's operations use the clients themselves.
 */
export class ArmResourceReader implements AzureResourceReader {
  private readonly aks = new Map<string, ContainerServiceClient>();
  private readonly acr = new Map<string, ContainerRegistryManagementClient>();
  private readonly aksRest = new Map<string, ArmRest>();
  private readonly acrRest = new Map<string, ArmRest>();

  constructor(private readonly connection: ArmConnection) {}

  /** The container service client for a subscription (also used by the secret flow). */
  aksClient(subscriptionId: string): ContainerServiceClient {
    return once(this.aks, subscriptionId, () => {
      // The SDKs load on first use: a start (and a help turn) does not need them (P5).
      const { ContainerServiceClient } = require('@azure/arm-containerservice') as typeof ContainerService;
      const client = new ContainerServiceClient(
        this.connection.credential,
        subscriptionId,
        modularClientOptions(this.connection),
      );
      dropIdlePolicies(client.pipeline, this.connection);
      return client;
    });
  }

  // Like aksClient, for the other SDK: the two differ only in the client class they load.
  /** The container registry client for a subscription (also used by the secret flow). */
  acrClient(subscriptionId: string): ContainerRegistryManagementClient {
    return once(this.acr, subscriptionId, () => {
      const { ContainerRegistryManagementClient } = require('@azure/arm-containerregistry') as typeof ContainerRegistry;
      const client = new ContainerRegistryManagementClient(
        this.connection.credential,
        subscriptionId,
        modularClientOptions(this.connection),
      );
      dropIdlePolicies(client.pipeline, this.connection);
      return client;
    });
  }

  private clusters(subscriptionId: string): ArmRest {
    return once(
      this.aksRest,
      subscriptionId,
      () =>
        new ArmRest(
          this.connection.endpoint,
          this.aksClient(subscriptionId).pipeline,
          ARM_API_VERSIONS.containerService,
          this.connection.httpClient,
        ),
    );
  }

  private registries(subscriptionId: string): ArmRest {
    return once(
      this.acrRest,
      subscriptionId,
      () =>
        new ArmRest(
          this.connection.endpoint,
          this.acrClient(subscriptionId).pipeline,
          ARM_API_VERSIONS.containerRegistry,
          this.connection.httpClient,
        ),
    );
  }

  /**
   * The cluster, or undefined when ARM says it (or its resource group) is not there. A 404
   * `SubscriptionNotFound` is thrown: ARM could not find the subscription, which says nothing of
   * whether the cluster exists, and "not found" or "no longer exists" would send people looking
   * for a typo or a deletion instead of at the subscription.
   */
  getCluster(subscriptionId: string, resourceGroup: string, name: string): Promise<ClusterInfo | undefined> {
    return unlessAbsent(async () =>
      clusterFromWire(
        await this.clusters(subscriptionId).get<WireManagedCluster>(
          `${resourceGroupPath(subscriptionId, resourceGroup)}/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(name)}`,
        ),
      ),
    );
  }

  async listClusters(subscriptionId: string): Promise<ClusterInfo[]> {
    const all = await this.clusters(subscriptionId).list<WireManagedCluster>(
      `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ContainerService/managedClusters`,
    );
    return all.map(clusterFromWire);
  }

  /** The registry, or undefined as for {@link getCluster} (`SubscriptionNotFound` is thrown). */
  getRegistry(subscriptionId: string, resourceGroup: string, name: string): Promise<RegistryInfo | undefined> {
    return unlessAbsent(async () =>
      registryFromWire(
        await this.registries(subscriptionId).get<WireRegistry>(
          `${resourceGroupPath(subscriptionId, resourceGroup)}/providers/Microsoft.ContainerRegistry/registries/${encodeURIComponent(name)}`,
        ),
      ),
    );
  }

  /**
   * GETs a registry or cluster and keeps nothing of it: resolves when ARM answers, rejects with
   * ARM's error as it came, a 404 too. What a refusal on its scope meant (refused-or-gone.ts).
   */
  async readResource(resource: ScopeResource): Promise<void> {
    const rg = resourceGroupPath(resource.subscriptionId, resource.resourceGroup);
    const name = encodeURIComponent(resource.name);
    await (resource.kind === 'registry'
      ? this.registries(resource.subscriptionId).get(`${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`)
      : this.clusters(resource.subscriptionId).get(
          `${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`,
        ));
  }

  async listRegistries(subscriptionId: string): Promise<RegistryInfo[]> {
    const all = await this.registries(subscriptionId).list<WireRegistry>(
      `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ContainerRegistry/registries`,
    );
    return all.map(registryFromWire);
  }
}

/** `/subscriptions/{s}/resourceGroups/{rg}`, each segment encoded as the SDKs encode it. */
function resourceGroupPath(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}`;
}
