/**
 * Resolves what users typed to Azure resources in the allowed subscriptions: registries by
 * name across all of them (two matches → ask which), clusters by name, group/name or id.
 */
import type { ClusterInfo, RegistryInfo } from '../domain/azure-model';
import { closestNames } from '../domain/closest-names';
import { UserFacingError } from '../domain/errors';
import type { ClusterRef, RegistryRef } from '../domain/names';
import { describeClusterRef } from '../domain/names';
import type { AzureResourceReader } from '../domain/ports';

/** Looks resources up through ARM; never builds URLs from user text. */
export class ResourceResolver {
  constructor(
    private readonly azure: AzureResourceReader,
    private readonly subscriptionIds: readonly string[],
  ) {}

  private checkSubscription(subscriptionId: string): void {
    if (!this.subscriptionIds.some((s) => s.toLowerCase() === subscriptionId.toLowerCase())) {
      throw new UserFacingError(
        'subscription.notAllowed',
        `Subscription ${subscriptionId} is not one acrbot manages; use a resource in ${this.subscriptionIds.join(', ')} or ask the platform team to add the subscription to ACRBOT_SUBSCRIPTION_IDS.`,
      );
    }
  }

  /** Finds a cluster; unknown names get the closest names the bot can see. */
  async resolveCluster(ref: ClusterRef): Promise<ClusterInfo> {
    let matches: ClusterInfo[];
    if (ref.kind === 'id') {
      this.checkSubscription(ref.subscriptionId);
      const found = await this.azure.getCluster(ref.subscriptionId, ref.resourceGroup, ref.name);
      matches = found ? [found] : [];
    } else if (ref.kind === 'groupAndName') {
      const found = await Promise.all(
        this.subscriptionIds.map((s) => this.azure.getCluster(s, ref.resourceGroup, ref.name)),
      );
      matches = found.filter((c): c is ClusterInfo => c !== undefined);
    } else {
      const all = (await Promise.all(this.subscriptionIds.map((s) => this.azure.listClusters(s)))).flat();
      matches = all.filter((c) => c.name.toLowerCase() === ref.name.toLowerCase());
      if (matches.length === 0)
        throw this.notFound(
          'cluster',
          ref.name,
          all.map((c) => c.name),
        );
    }
    if (matches.length === 0) {
      const all = (await Promise.all(this.subscriptionIds.map((s) => this.azure.listClusters(s)))).flat();
      throw this.notFound(
        'cluster',
        describeClusterRef(ref),
        all.map((c) => (ref.kind === 'name' ? c.name : `${c.resourceGroup}/${c.name}`)),
      );
    }
    if (matches.length > 1) {
      throw new UserFacingError(
        'cluster.ambiguous',
        `There are ${matches.length} clusters named ${ref.name}; say which one with resourceGroup/name or the full resource id:`,
        matches.map((c) => c.id),
      );
    }
    return matches[0];
  }

  /** Finds a registry by name across all allowed subscriptions, or by id. */
  async resolveRegistry(ref: RegistryRef): Promise<RegistryInfo> {
    if (ref.kind === 'id') {
      this.checkSubscription(ref.subscriptionId);
      const found = await this.azure.getRegistry(ref.subscriptionId, ref.resourceGroup, ref.name);
      if (!found) {
        const all = (await this.azure.listRegistries(ref.subscriptionId)).map((r) => r.name);
        throw this.notFound('registry', ref.name, all);
      }
      return found;
    }
    const all = (await Promise.all(this.subscriptionIds.map((s) => this.azure.listRegistries(s)))).flat();
    const matches = all.filter((r) => r.name.toLowerCase() === ref.name.toLowerCase());
    if (matches.length === 0)
      throw this.notFound(
        'registry',
        ref.name,
        all.map((r) => r.name),
      );
    if (matches.length > 1) {
      throw new UserFacingError(
        'registry.ambiguous',
        `There are ${matches.length} registries named ${ref.name} in the subscriptions acrbot manages; repeat the command with the full resource id of the one you mean:`,
        matches.map((r) => r.id),
      );
    }
    return matches[0];
  }

  private notFound(kind: 'cluster' | 'registry', name: string, candidates: string[]): UserFacingError {
    const close = closestNames(name, candidates);
    const suggestion = close.length ? ` Did you mean ${close.join(', ')}?` : '';
    return new UserFacingError(
      `${kind}.notFound`,
      `No ${kind} named ${name} was found in the subscriptions acrbot can see.${suggestion}`,
      close,
    );
  }
}
