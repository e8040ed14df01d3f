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
      const { all, unreadable } = await this.listEverywhere('clusters', (s) => this.azure.listClusters(s));
      matches = all.filter((c) => c.name.toLowerCase() === ref.name.toLowerCase());
      if (matches.length === 0)
        throw (
          unreadable ??
          this.notFound(
            'cluster',
            ref.name,
            all.map((c) => c.name),
          )
        );
    }
    if (matches.length === 0) {
      const { all, unreadable } = await this.listEverywhere('clusters', (s) => this.azure.listClusters(s));
      if (unreadable) throw unreadable;
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
    const { all, unreadable } = await this.listEverywhere('registries', (s) => this.azure.listRegistries(s));
    const matches = all.filter((r) => r.name.toLowerCase() === ref.name.toLowerCase());
    if (matches.length === 0 && unreadable) throw unreadable;
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

  /**
   * Lists in every allowed subscription. One acrbot may not read (its identity lacks Reader
   * there, or the subscription is gone) does not hide what the others hold: its failure is
   * returned as the sentence to answer with when nothing was found, so "not found" is never
   * said about a subscription that was not looked in. Anything else than a refusal is thrown.
   */
  private async listEverywhere<T>(
    what: 'clusters' | 'registries',
    list: (subscriptionId: string) => Promise<T[]>,
  ): Promise<{ all: T[]; unreadable?: UserFacingError }> {
    const results = await Promise.allSettled(this.subscriptionIds.map((s) => list(s)));
    const all: T[] = [];
    const refused: string[] = [];
    let cause: unknown;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') return void all.push(...result.value);
      const status = (result.reason as { statusCode?: unknown } | undefined)?.statusCode;
      if (status !== 403 && status !== 404) throw result.reason;
      refused.push(this.subscriptionIds[i]);
      cause = result.reason;
    });
    if (refused.length === 0) return { all };
    return {
      all,
      unreadable: new UserFacingError(
        'subscription.unreadable',
        `acrbot may not list the ${what} of subscription${refused.length === 1 ? '' : 's'} ${refused.join(', ')}, so it could not look there; give its identity the Reader role on ${refused.length === 1 ? 'it' : 'them'} (docs/deploy.md), or take ${refused.length === 1 ? 'it' : 'them'} out of ACRBOT_SUBSCRIPTION_IDS.`,
        { cause },
      ),
    };
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
